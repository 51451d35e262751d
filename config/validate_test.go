package config

import (
	"strings"
	"testing"
)

// Every validation message: the key, the value and what is allowed, from
// the -o that set it.
func TestValidationErrors(t *testing.T) {
	cases := []struct {
		o   []string
		key string
		msg string
	}{
		// Falco's messages.
		{[]string{"priority=loud"}, "priority", `Unknown priority "loud"--must be one of emergency, alert, critical, error, warning, notice, informational, debug`},
		{[]string{"rule_matching=some"}, "rule_matching", `Unknown rule matching strategy "some"--must be one of first, all`},
		{[]string{"syscall_event_drops.threshold=1.5"}, "syscall_event_drops.threshold", "syscall event drops threshold must be a double in the range [0, 1] (got 1.5)"},
		{[]string{"syscall_event_drops.threshold=-0.1"}, "syscall_event_drops.threshold", "syscall event drops threshold must be a double in the range [0, 1] (got -0.1)"},
		{[]string{"syscall_event_drops.actions=[ignore, log]"}, "syscall_event_drops.actions", `syscall event drop action "log" does not make sense with the "ignore" action (got ["ignore", "log"])`},
		{[]string{"syscall_event_drops.actions=[alert, ignore]"}, "syscall_event_drops.actions", `syscall event drop action "alert" does not make sense with the "ignore" action`},
		{[]string{"syscall_event_drops.actions=[log, shout]"}, "syscall_event_drops.actions", `available actions for syscall event drops are "ignore", "log", "alert", and "exit" (got ["log", "shout"])`},
		{[]string{"syscall_event_drops.rate=0"}, "syscall_event_drops.rate", "syscall event drop rate should be a positive number (got 0)"},
		{[]string{"syscall_event_drops.max_burst=-1"}, "syscall_event_drops.max_burst", "syscall event drop max burst should be a positive number (got -1)"},
		{[]string{"syscall_event_timeouts.max_consecutives=0"}, "syscall_event_timeouts.max_consecutives", "syscall event timeout max consecutives should be a positive number (got 0)"},
		// saker's.
		{[]string{"rules[]={}"}, "rules[0]", "want exactly one of enable or disable"},
		{[]string{"rules[]={enable: {rule: a}, disable: {rule: b}}"}, "rules[0]", "want exactly one of enable or disable"},
		{[]string{"rules[].enable.rule=x", "rules[0].enable.tag=y"}, "rules[0].enable", "want exactly one of rule (a name, * matches any characters) or tag"},
		{[]string{"rules[].disable={}"}, "rules[0].disable", "want exactly one of rule"},
		{[]string{"rules_files=['']"}, "rules_files[0]", "empty path"},
		{[]string{"outputs_queue.capacity=-1"}, "outputs_queue.capacity", "must be >= 0, got -1"},
		{[]string{"output_timeout=-5"}, "output_timeout", "must be >= 0 milliseconds, got -5"},
		{[]string{"outputs.rate=-1"}, "outputs.rate", "must be >= 0, got -1"},
		{[]string{"outputs.rate=10", "outputs.max_burst=0"}, "outputs.max_burst", "must be >= 1 when outputs.rate is set, got 0"},
		{[]string{"append_output[]={extra_fields: [{a: ''}]}"}, "append_output[1].extra_fields[0]", "a: empty format"},
		{[]string{"static_fields={'a b': 1}"}, "static_fields", `invalid field name "a b": no spaces or %`},
		{[]string{"file_output.enabled=true", "file_output.filename="}, "file_output.filename", "must be set when file_output.enabled is true"},
		{[]string{"program_output.enabled=true"}, "program_output.program", "must be set when program_output.enabled is true"},
		{[]string{"http_output.enabled=true"}, "http_output.url", "must be set when http_output.enabled is true"},
		{[]string{"http_output.enabled=true", "http_output.url=ftp://x"}, "http_output.url", `invalid value "ftp://x": scheme must be http or https`},
		{[]string{"http_output.enabled=true", "http_output.url=http://x", "http_output.mtls=true", "http_output.client_key="}, "http_output.client_cert", "http_output.client_cert and http_output.client_key must be set when http_output.mtls is true"},
		{[]string{"http_output.enabled=true", "http_output.url=http://x", "http_output.timeout=0s"}, "http_output.timeout", "must be > 0, got 0s"},
		{[]string{"syslog_output.facility=local9"}, "syslog_output.facility", `invalid value "local9", want one of kern, user`},
		{[]string{"http_output.enabled=true", "http_output.url=http://x", "http_output.max_consecutive_timeouts=-1"}, "http_output.max_consecutive_timeouts", "must be >= 0, got -1"},
		{[]string{"otlp_output.enabled=true", "otlp_output.protocol=json"}, "otlp_output.protocol", `invalid value "json", want grpc, http/protobuf or http/json`},
		{[]string{"otlp_output.enabled=true", "otlp_output.endpoint="}, "otlp_output.endpoint", "must be set"},
		{[]string{"otlp_output.enabled=true", "otlp_output.queue.size=0"}, "otlp_output.queue.size", "must be >= 1, got 0"},
		{[]string{"webserver.listen_port=70000"}, "webserver.listen_port", "must be 0 to 65535, got 70000"},
		{[]string{"webserver.threadiness=-1"}, "webserver.threadiness", "must be >= 0, got -1"},
		{[]string{"webserver.listen_address=http://x"}, "webserver.listen_address", `invalid address "http://x"`},
		{[]string{"webserver.k8s_healthz_endpoint=/metrics"}, "webserver.k8s_healthz_endpoint", `"/metrics" is taken by another endpoint`},
		{[]string{"webserver.k8s_healthz_endpoint=healthz"}, "webserver.k8s_healthz_endpoint", `must be a path starting with /, got "healthz"`},
		{[]string{"webserver.ssl_enabled=true", "webserver.ssl_certificate="}, "webserver.ssl_certificate", "must be set when webserver.ssl_enabled is true"},
		{[]string{"metrics.interval=50ms"}, "metrics.interval", "must be at least 100ms, got 50ms"},
		{[]string{"metrics.otlp.interval=-1s"}, "metrics.otlp.interval", "must be > 0, got -1s"},
		{[]string{"metrics.otlp.endpoint=x:1", "metrics.otlp.compression=zstd"}, "metrics.otlp.compression", `invalid value "zstd", want gzip or none`},
		{[]string{"sampling.ratio=3"}, "sampling.ratio", "must be one of 1, 2, 4, 8, 16, 32, 64, 128, got 3"},
		{[]string{"sampling.multiplier=-1"}, "sampling.multiplier", "must be a finite number >= 0, got -1"},
		{[]string{"sampling.mode=turbo"}, "sampling.mode", `invalid value "turbo", want fixed or adaptive`},
		{[]string{"sampling.mode=adaptive", "sampling.adaptive.high_watermark=2"}, "sampling.adaptive.high_watermark", "must be in (0, 1], got 2"},
		{[]string{"engine.kind=kmod"}, "engine.kind", `"kmod" is not supported: saker has no kernel module; use ebpf`},
		{[]string{"engine.kind=gvisor"}, "engine.kind", `"gvisor" is not supported; allowed: ebpf, modern_ebpf, replay, nodriver`},
		{[]string{"engine.kind=bpf"}, "engine.kind", `invalid value "bpf", want one of ebpf, modern_ebpf, replay, nodriver`},
		{[]string{"engine.kind=replay"}, "engine.replay.capture_file", "must be set when engine.kind is replay"},
		{[]string{"engine.ebpf.buf_size_preset=11"}, "engine.ebpf.buf_size_preset", "must be 0-10 (1 = 1 MiB ... 10 = 512 MiB; 0: the default), got 11"},
		{[]string{"engine.modern_ebpf.buf_size_preset=-1"}, "engine.modern_ebpf.buf_size_preset", "must be 0-10"},
		{[]string{"engine.ebpf.buf_size_bytes=5000"}, "engine.ebpf.buf_size_bytes", "must be 0 or a power of two from 4096 to 1073741824, got 5000"},
		{[]string{"engine.ebpf.buf_size_bytes=2048"}, "engine.ebpf.buf_size_bytes", "got 2048"},
		{[]string{"engine.ebpf.cpus_for_each_buffer=-2"}, "engine.ebpf.cpus_for_each_buffer", "must be >= 0 (0: one buffer for all CPUs), got -2"},
		{[]string{"base_syscalls.custom_set=['!']"}, "base_syscalls.custom_set[0]", "empty syscall name"},
		{[]string{"falco_libs.thread_table_size=0"}, "falco_libs.thread_table_size", "must be > 0, got 0"},
		{[]string{"falco_libs.snaplen=-3"}, "falco_libs.snaplen", "must be > 0, got -3"},
		{[]string{"falco_libs.thread_table_auto_purging_interval_s=0"}, "falco_libs.thread_table_auto_purging_interval_s", "must be > 0, got 0"},
		{[]string{"falco_libs.thread_table_auto_purging_thread_timeout_s=0"}, "falco_libs.thread_table_auto_purging_thread_timeout_s", "must be > 0, got 0"},
		{[]string{"log_level=verbose"}, "log_level", `invalid value "verbose", want one of emergency, alert, critical, error, warning, notice, info, informational, debug`},
		{[]string{"libs_logger.severity=loud"}, "libs_logger.severity", `invalid value "loud", want one of fatal, critical`},
		{[]string{"capture.mode=some"}, "capture.mode", `invalid value "some", want rules or all_rules`},
		{[]string{"container_engines.cri.sockets=[]"}, "container_engines.cri.sockets", "empty while container_engines.cri.enabled is true"},
		{[]string{"container_engines.cri.sockets=[run/x.sock]"}, "container_engines.cri.sockets[0]", `"run/x.sock" is not an absolute path to a unix socket`},
		{[]string{"capture.enabled=true", "capture.default_duration=0"}, "capture.default_duration", "must be > 0 milliseconds, got 0"},
		{[]string{"capture.enabled=true", "capture.path_prefix="}, "capture.path_prefix", "must be set when capture.enabled is true"},
		// Type errors from decoding.
		{[]string{"webserver.listen_port=abc"}, "webserver.listen_port", `invalid value "abc", want an integer`},
		{[]string{"json_output=maybe"}, "json_output", `invalid value "maybe", want true or false`},
		{[]string{"syscall_event_drops.rate=fast"}, "syscall_event_drops.rate", `invalid value "fast", want a number`},
		{[]string{"output_timeout=1.5"}, "output_timeout", "invalid value 1.5, want an integer"},
		{[]string{"metrics.interval=5"}, "metrics.interval", "a duration needs a unit, e.g. 5s or 5ms; got 5"},
		{[]string{"metrics.interval=5 parsecs"}, "metrics.interval", `invalid duration "5 parsecs": unknown unit " parsecs"`},
		{[]string{"stdout_output=[1]"}, "stdout_output", "want a mapping, got a list"},
		{[]string{"rules=[3]"}, "rules[0]", "want a mapping, got the integer 3"},
		{[]string{"sampling.ratio=-2"}, "sampling.ratio", "-2"},
		{[]string{"append_output[]={extra_fields: [{a: b, c: d}]}"}, "append_output[1].extra_fields[0]", "want a field name or a mapping with one key"},
		{[]string{"append_output[]={extra_fields: [[x]]}"}, "append_output[1].extra_fields[0]", "want a field name or a mapping with one key (name: \"%format\"), got a list"},
		{[]string{"config_files=[{strategy: append}]"}, "config_files[0]", "path must be set"},
	}
	for _, tc := range cases {
		name := strings.Join(tc.o, " ")
		t.Run(name, func(t *testing.T) {
			ce := loadErr(t, LoadOptions{Overrides: append([]string{noIncludes}, tc.o...)})
			p, ok := findProblem(ce.Problems, tc.key, tc.msg)
			if !ok {
				t.Fatalf("want %s: %q\ngot %v", tc.key, tc.msg, ce)
			}
			if !strings.HasPrefix(p.Origin, "-o ") {
				t.Errorf("origin %q, want the -o that set the value", p.Origin)
			}
			if len(ce.Problems) != 1 {
				t.Errorf("%d problems, want 1: %v", len(ce.Problems), ce)
			}
		})
	}
}

// All problems are reported at once, each with its own origin.
func TestValidationCollectsAllProblems(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "s.yaml", `config_files: []
priority: loud
rule_matching: some
engine:
  kind: kmod
`)
	ce := loadErr(t, LoadOptions{File: f, Overrides: []string{"log_level=chatty"}})
	want := []string{
		f + ":2:11: priority: Unknown priority",
		f + ":3:16: rule_matching: Unknown rule matching strategy",
		f + ":5:9: engine.kind:",
		"-o log_level=chatty: log_level: invalid value",
	}
	got := ce.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if !strings.HasPrefix(got, "config: 4 problems:") {
		t.Errorf("error does not count the problems:\n%s", got)
	}
}

func TestUnknownKeyWarnings(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "s.yaml", `config_files: []
prioriti: warning
webserver:
  listen_prot: 1
  enabled: true
otlp_output:
  endpont: x:4317
  tls:
    ca_fil: /x
brand_new_key: 1
grpc: {enabled: true}
base_syscalls:
  custom_set: [openat, "!nosuchcall", sched_process_exit]
engine:
  kind: ebpf
  modern_ebpf:
    buf_size_preset: 6
`)
	c := mustLoad(t, LoadOptions{File: f})
	want := []string{
		f + ":13:3: base_syscalls.custom_set: unknown syscall names, ignored: !nosuchcall",
		f + ":10:16: brand_new_key: unknown key, ignored",
		f + ":16:3: engine.modern_ebpf: has no effect: engine.kind is ebpf, which reads engine.ebpf",
		f + ":11:1: grpc: ignored: saker has no gRPC server",
		f + ":7:12: otlp_output.endpont: unknown key, ignored (did you mean otlp_output.endpoint?)",
		f + ":9:13: otlp_output.tls.ca_fil: unknown key, ignored (did you mean otlp_output.tls.ca_file?)",
		f + ":2:11: prioriti: unknown key, ignored (did you mean priority?)",
		f + ":4:16: webserver.listen_prot: unknown key, ignored (did you mean webserver.listen_port?)",
	}
	ws := c.Warnings()
	if len(ws) != len(want) {
		t.Errorf("%d warnings, want %d: %v", len(ws), len(want), ws)
	}
	for i := range min(len(ws), len(want)) {
		if !strings.HasPrefix(ws[i].String(), want[i]) {
			t.Errorf("warning %d:\n got  %s\n want %s", i, ws[i], want[i])
		}
	}
}

// Type errors in a file point at the value.
func TestTypeErrorsInFile(t *testing.T) {
	f := writeFile(t, t.TempDir(), "s.yaml", `config_files: []
priority: {a: 1}
static_fields:
  x: [1, 2]
webserver:
  listen_port: "eighty"
`)
	ce := loadErr(t, LoadOptions{File: f})
	for _, w := range []string{
		f + ":2:1: priority: want a string, got a mapping",
		f + ":4:3: static_fields.x: want a string, got a list",
		f + ":6:16: webserver.listen_port: invalid value \"eighty\", want an integer",
	} {
		if !strings.Contains(ce.Error(), w) {
			t.Errorf("missing %q in\n%v", w, ce)
		}
	}
}

// A value written as a string where the schema wants one stays text, even
// when it looks like YAML, on the command line and in the environment.
func TestStringKeysTakeText(t *testing.T) {
	c := mustLoad(t, LoadOptions{Overrides: []string{noIncludes, "static_fields.x=[1, 2]", "hostname={a: 1}"}})
	eq(t, "static_fields.x", c.StaticFields["x"], "[1, 2]")
	eq(t, "hostname", c.Hostname, "{a: 1}")
}
