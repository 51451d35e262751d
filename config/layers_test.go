package config

import (
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"
)

// file < env < -o, for each kind of value, and the origin names the winner.
func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "saker.yaml", `config_files: []
priority: error
json_output: false
outputs_queue:
  capacity: 50
syscall_event_drops:
  actions: [log]
  threshold: 0.5
webserver:
  listen_port: 9000
`)
	env := []string{"SAKER_PRIORITY=warning", "SAKER_WEBSERVER__LISTEN_PORT=9100", "SAKER_SYSCALL_EVENT_DROPS__ACTIONS=alert,exit"}

	c := mustLoad(t, LoadOptions{File: f})
	eq(t, "file priority", c.Priority, "error")
	eq(t, "file port", c.Webserver.ListenPort, 9000)
	eq(t, "file keeps other webserver defaults", c.Webserver.K8sHealthzEndpoint, "/healthz")
	eq(t, "file drops threshold", c.SyscallEventDrops.Threshold, 0.5)
	eq(t, "file drops rate stays default", c.SyscallEventDrops.Rate, 0.03333)
	eq(t, "origin", c.Origin("priority"), f+":2:11")
	eq(t, "origin of a list element", c.Origin("syscall_event_drops.actions[0]"), f+":7:13")

	c = mustLoad(t, LoadOptions{File: f, Env: env})
	eq(t, "env priority", c.Priority, "warning")
	eq(t, "env port", c.Webserver.ListenPort, 9100)
	eq(t, "env list", c.SyscallEventDrops.Actions, []string{"alert", "exit"})
	eq(t, "file value untouched by env", c.OutputsQueue.Capacity, 50)
	eq(t, "origin", c.Origin("priority"), "environment variable SAKER_PRIORITY")
	eq(t, "origin below an env list", c.Origin("syscall_event_drops.actions[1]"), "environment variable SAKER_SYSCALL_EVENT_DROPS__ACTIONS")

	c = mustLoad(t, LoadOptions{File: f, Env: env, Overrides: []string{"priority=critical", "webserver.listen_port=9200", "syscall_event_drops.actions=[ignore]"}})
	eq(t, "-o priority", c.Priority, "critical")
	eq(t, "-o port", c.Webserver.ListenPort, 9200)
	eq(t, "-o list", c.SyscallEventDrops.Actions, []string{"ignore"})
	eq(t, "origin", c.Origin("webserver.listen_port"), "-o webserver.listen_port=9200")
	eq(t, "files", c.Files(), []string{builtinName, f})
}

func TestHostnameEnv(t *testing.T) {
	opts := LoadOptions{Overrides: []string{noIncludes}}
	c := mustLoad(t, opts)
	eq(t, "no hostname", c.Hostname, "")
	if h, err := c.AlertHostname(); err != nil || h == "" {
		t.Errorf("AlertHostname without config = %q, %v; want the kernel's", h, err)
	}
	opts.Env = []string{"FALCO_HOSTNAME=falco-host"}
	c = mustLoad(t, opts)
	eq(t, "FALCO_HOSTNAME", c.Hostname, "falco-host")
	eq(t, "origin", c.Origin("hostname"), "environment variable FALCO_HOSTNAME")
	if h, _ := c.AlertHostname(); h != "falco-host" {
		t.Errorf("AlertHostname = %q", h)
	}
	opts.Env = append(opts.Env, "SAKER_HOSTNAME=saker-host")
	eq(t, "SAKER_HOSTNAME wins", mustLoad(t, opts).Hostname, "saker-host")
	opts.Overrides = append(opts.Overrides, "hostname=cli-host")
	eq(t, "-o wins", mustLoad(t, opts).Hostname, "cli-host")
}

// The OTEL_EXPORTER_OTLP_* variables sit above the file and below SAKER_
// variables and the command line.
func TestOTelEnvPrecedence(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "s.yaml", `config_files: []
otlp_output:
  endpoint: file-host:4317
  headers: {x-from-file: "1"}
  resource:
    attributes:
      k8s.cluster.name: prod
      deployment.environment.name: eu
`)
	base := LoadOptions{File: f}
	c := mustLoad(t, base)
	eq(t, "file endpoint", c.OTLP.Endpoint, "file-host:4317")
	eq(t, "disabled", c.OTLP.Enabled, false)
	eq(t, "dotted attribute keys survive", c.OTLP.Resource.Attributes,
		map[string]string{"k8s.cluster.name": "prod", "deployment.environment.name": "eu"})

	base.Env = []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-host:4317", "OTEL_EXPORTER_OTLP_HEADERS=x-from-env=2",
		"OTEL_RESOURCE_ATTRIBUTES=service.namespace=sec"}
	c = mustLoad(t, base)
	eq(t, "OTEL endpoint", c.OTLP.Endpoint, "http://otel-host:4317")
	eq(t, "OTEL endpoint enables the output", c.OTLP.Enabled, true)
	eq(t, "headers merged", c.OTLP.Headers, map[string]string{"x-from-file": "1", "x-from-env": "2"})
	eq(t, "resource merged", c.OTLP.Resource.Attributes["service.namespace"], "sec")

	withSaker := base
	withSaker.Env = append(append([]string{}, base.Env...), "SAKER_OTLP_OUTPUT__ENDPOINT=saker-host:4317", "SAKER_OTLP_OUTPUT__HEADERS__X_TENANT=t1")
	c = mustLoad(t, withSaker)
	eq(t, "SAKER_ beats OTEL_", c.OTLP.Endpoint, "saker-host:4317")
	eq(t, "OTEL headers kept beside a SAKER_ header", c.OTLP.Headers, map[string]string{"x-from-file": "1", "x-from-env": "2", "x_tenant": "t1"})

	withO := withSaker
	withO.Overrides = []string{"otlp_output.endpoint=cli-host:4317", "otlp_output.enabled=false"}
	c = mustLoad(t, withO)
	eq(t, "-o beats all", c.OTLP.Endpoint, "cli-host:4317")
	eq(t, "-o can switch the output off again", c.OTLP.Enabled, false)

	bad := LoadOptions{File: f, Env: []string{"OTEL_EXPORTER_OTLP_PROTOCOL=http/xml"}}
	ce := loadErr(t, bad)
	if _, ok := findProblem(ce.Problems, "otlp_output", "OTEL_EXPORTER_OTLP_PROTOCOL"); !ok {
		t.Errorf("bad OTEL variable: %v", ce)
	}
}

func TestEnvKey(t *testing.T) {
	for name, want := range map[string]string{
		"SAKER_PRIORITY":                     "priority",
		"SAKER_JSON_OUTPUT":                  "json_output",
		"SAKER_OTLP_OUTPUT__ENDPOINT":        "otlp_output.endpoint",
		"SAKER_OTLP_OUTPUT__TLS__CA_FILE":    "otlp_output.tls.ca_file",
		"SAKER_ENGINE__REPLAY__CAPTURE_FILE": "engine.replay.capture_file",
		"SAKER_BASE_SYSCALLS__ALL":           "base_syscalls.all",
		"SAKER_":                             "",
		"SAKER_A___B":                        "",
		"SAKER__X":                           "",
		"SAKER_X__":                          "",
		"OTHER_PRIORITY":                     "",
	} {
		if got := envKey(name); got != want {
			t.Errorf("envKey(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestEnvValues(t *testing.T) {
	env := []string{
		"SAKER_CONFIG_FILES=",
		"SAKER_PROGRAM_OUTPUT__PROGRAM=jq '{text: .output}' | logger",
		"SAKER_RULES_FILES=/a.yaml, /b.yaml",
		"SAKER_BASE_SYSCALLS__CUSTOM_SET=[openat, '!write']",
		"SAKER_STATIC_FIELDS={cluster: prod, zone: b}",
		"SAKER_APPEND_OUTPUT=[{extra_output: x}]",
		"SAKER_JSON_OUTPUT=yes",
		"SAKER_METRICS__INTERVAL=30s",
		"SAKER_SAMPLING__MULTIPLIER=1.5",
		"SAKER_NOT_A_KEY=1",
		"SAKER_BAD___NAME=1",
	}
	c := mustLoad(t, LoadOptions{Env: env})
	eq(t, "string with YAML syntax kept", c.Program.Program, "jq '{text: .output}' | logger")
	eq(t, "comma list", c.RulesFiles, []string{"/a.yaml", "/b.yaml"})
	eq(t, "YAML list", c.BaseSyscalls.CustomSet, []string{"openat", "!write"})
	eq(t, "YAML map", c.StaticFields, map[string]string{"cluster": "prod", "zone": "b"})
	eq(t, "YAML list of maps", c.AppendOutput, []AppendOutput{{ExtraOutput: "x"}})
	eq(t, "bool", c.JSONOutput, true)
	eq(t, "duration", c.Metrics.Interval, 30*time.Second)
	eq(t, "float", c.Sampling.Multiplier, 1.5)
	eq(t, "empty list", len(c.ConfigFiles), 0)
	var keys []string
	for _, w := range c.Warnings() {
		keys = append(keys, w.Origin)
	}
	eq(t, "warnings", keys, []string{"environment variable SAKER_BAD___NAME", "environment variable SAKER_NOT_A_KEY"})

	ce := loadErr(t, LoadOptions{Env: []string{"SAKER_CONFIG_FILES=", "SAKER_WEBSERVER__LISTEN_PORT=http"}})
	p, ok := findProblem(ce.Problems, "webserver.listen_port", `invalid value "http", want an integer`)
	if !ok || p.Origin != "environment variable SAKER_WEBSERVER__LISTEN_PORT" {
		t.Errorf("bad env value: %v", ce)
	}
}

func TestOverrideForms(t *testing.T) {
	cases := []struct {
		name string
		o    []string
		chk  func(t *testing.T, c *Config)
	}{
		{"scalars", []string{"priority=warning", "json_output=true", "rule_matching=all", "base_syscalls.all=true"}, func(t *testing.T, c *Config) {
			eq(t, "priority", c.Priority, "warning")
			eq(t, "json_output", c.JSONOutput, true)
			eq(t, "rule_matching", c.RuleMatching, "all")
			eq(t, "base_syscalls.all", c.BaseSyscalls.All, true)
		}},
		{"replay", []string{"engine.kind=replay", "engine.replay.capture_file=/tmp/x.scap"}, func(t *testing.T, c *Config) {
			eq(t, "kind", c.Engine.Kind, EngineReplay)
			eq(t, "capture_file", c.Engine.Replay.CaptureFile, "/tmp/x.scap")
		}},
		{"rules append", []string{"rules[].disable.rule=*", "rules[].enable.tag=container", "rules[0].disable.rule=Write below *"}, func(t *testing.T, c *Config) {
			eq(t, "rules", c.Rules, []RuleToggle{{Disable: &RuleSelector{Rule: "Write below *"}}, {Enable: &RuleSelector{Tag: "container"}}})
			eq(t, "origin", c.Origin("rules[1].enable.tag"), "-o rules[].enable.tag=container")
		}},
		{"append_output YAML", []string{`append_output[]={match: {tags: [a, b]}, extra_output: "pid=%proc.pid", extra_fields: [evt.hostname, {cmd: "%proc.cmdline"}]}`}, func(t *testing.T, c *Config) {
			eq(t, "append_output", c.AppendOutput[1], AppendOutput{Match: AppendMatch{Tags: []string{"a", "b"}}, ExtraOutput: "pid=%proc.pid",
				ExtraFields: []ExtraField{{Field: "evt.hostname"}, {Name: "cmd", Format: "%proc.cmdline"}}})
		}},
		{"list by index and append", []string{"rules_files=[/a.yaml]", "rules_files[1]=/b.yaml", "rules_files[]=/c.yaml", "rules_files[0]=/z.yaml"}, func(t *testing.T, c *Config) {
			eq(t, "rules_files", c.RulesFiles, []string{"/z.yaml", "/b.yaml", "/c.yaml"})
		}},
		{"list value", []string{"syscall_event_drops.actions=[log, exit]"}, func(t *testing.T, c *Config) {
			eq(t, "actions", c.SyscallEventDrops.Actions, []string{"log", "exit"})
		}},
		{"single value for a list", []string{"rules_file=/etc/falco_rules.yaml"}, func(t *testing.T, c *Config) {
			eq(t, "rules_files", c.RulesFiles, []string{"/etc/falco_rules.yaml"})
		}},
		{"map value and map key", []string{"static_fields={a: 1}", "static_fields.b=two", "otlp_output.headers.x-tenant=t"}, func(t *testing.T, c *Config) {
			eq(t, "static_fields", c.StaticFields, map[string]string{"a": "1", "b": "two"})
			eq(t, "headers", c.OTLP.Headers, map[string]string{"x-tenant": "t"})
		}},
		{"strings as written", []string{`program_output.program=jq '{text: .output}' | logger`, `file_output.filename="/tmp/a b.txt"`, "hostname=123", "http_output.user_agent=on"}, func(t *testing.T, c *Config) {
			eq(t, "program", c.Program.Program, "jq '{text: .output}' | logger")
			eq(t, "quoted", c.File.Filename, "/tmp/a b.txt")
			eq(t, "number-like", c.Hostname, "123")
			eq(t, "bool-like", c.HTTP.UserAgent, "on")
		}},
		{"whole section", []string{"webserver={enabled: false}"}, func(t *testing.T, c *Config) {
			eq(t, "enabled", c.Webserver.Enabled, false)
			eq(t, "a section set by -o replaces the whole section", c.Webserver.ListenPort, 0)
		}},
		{"later wins", []string{"priority=error", "priority=notice"}, func(t *testing.T, c *Config) {
			eq(t, "priority", c.Priority, "notice")
		}},
		{"optional bool", []string{"metrics.otlp.enabled=off"}, func(t *testing.T, c *Config) {
			if e := c.Metrics.OTLP.Enabled; e == nil || *e {
				t.Errorf("metrics.otlp.enabled = %v, want explicit false", e)
			}
		}},
		{"optional bool unset", []string{"metrics.otlp.enabled=true", "metrics.otlp.enabled="}, func(t *testing.T, c *Config) {
			if e := c.Metrics.OTLP.Enabled; e != nil {
				t.Errorf("metrics.otlp.enabled = %v, want unset (follow otlp_output)", *e)
			}
		}},
		{"durations", []string{"metrics.interval=1d", "sampling.adaptive.calm_period=1m30s"}, func(t *testing.T, c *Config) {
			eq(t, "1d", c.Metrics.Interval, 24*time.Hour)
			eq(t, "1m30s", c.Sampling.Adaptive.CalmPeriod, 90*time.Second)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, LoadOptions{Overrides: append([]string{noIncludes}, tc.o...)})
			tc.chk(t, c)
		})
	}
}

func TestOverrideErrors(t *testing.T) {
	for _, tc := range []struct{ o, msg string }{
		{"priority", "want key=value"},
		{"=x", "empty key"},
		{"a..b=1", "empty key name"},
		{"rules[x]=1", `list index "x" is not a number`},
		{"rules[0=1", "missing ]"},
		{"[0]=1", "empty key name"},
		{"rules_files[5]=/x.yaml", "index 5 is out of range: rules_files has 0 elements (use [] or [0] to append)"},
		{"priority.x=1", `cannot set "x" in priority (the string "debug"), it is not a mapping`},
		{"webserver[0]=1", "cannot index webserver (a mapping), it is not a list"},
		{"append_output={a: [}", "the value is not valid YAML"},
	} {
		ce := loadErr(t, LoadOptions{Overrides: []string{noIncludes, tc.o}})
		if len(ce.Problems) != 1 || !strings.Contains(ce.Problems[0].Msg, tc.msg) || ce.Problems[0].Origin != "-o "+tc.o {
			t.Errorf("-o %s: got %v, want %q from origin %q", tc.o, ce, tc.msg, "-o "+tc.o)
		}
	}
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "s.yaml", "config_files: []\nbuffered_outputs: true\nrules_files: [/file.yaml]\npriority: error\njson_output: true\n")
	newFS := func() (*flag.FlagSet, *CommandLine) {
		var cl CommandLine
		fs := flag.NewFlagSet("saker", flag.ContinueOnError)
		cl.Option(fs, "o", "set a config key")
		cl.Const(fs, "A", "base_syscalls.all", true, "all syscalls")
		cl.Const(fs, "U", "buffered_outputs", false, "unbuffered")
		cl.List(fs, "r", "rules_files", "rules file")
		cl.String(fs, "e", "engine.replay.capture_file", "capture")
		cl.Bool(fs, "json", "json_output", "JSON alerts")
		cl.String(fs, "port", "webserver.listen_port", "port")
		return fs, &cl
	}

	fs, cl := newFS()
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, LoadOptions{File: f, CommandLine: cl})
	eq(t, "unset flags keep the file's rules_files", c.RulesFiles, []string{"/file.yaml"})
	eq(t, "unset flags keep the file's buffered_outputs", c.BufferedOutputs, true)
	eq(t, "unset bool flag keeps json_output", c.JSONOutput, true)

	fs, cl = newFS()
	err := fs.Parse([]string{"-A", "-U", "-r", "/a.yaml", "-r", "/b.yaml", "-o", "priority=warning", "-e", "/x.scap",
		"-o", "engine.kind=replay", "-json=false", "-port", "9999", "-o", "priority=notice"})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Len", cl.Len(), 10)
	c = mustLoad(t, LoadOptions{File: f, CommandLine: cl, Overrides: []string{"priority=emergency"}})
	eq(t, "-A", c.BaseSyscalls.All, true)
	eq(t, "-U", c.BufferedOutputs, false)
	eq(t, "-r replaces then appends", c.RulesFiles, []string{"/a.yaml", "/b.yaml"})
	eq(t, "-e", c.Engine.Replay.CaptureFile, "/x.scap")
	eq(t, "-json=false", c.JSONOutput, false)
	eq(t, "-port typed", c.Webserver.ListenPort, 9999)
	eq(t, "command line after Overrides, last -o wins", c.Priority, "notice")
	eq(t, "origin", c.Origin("rules_files[1]"), "flag -r /b.yaml")
	eq(t, "origin", c.Origin("base_syscalls.all"), "flag -A")

	fs, _ = newFS()
	fs.SetOutput(new(strings.Builder))
	if err := fs.Parse([]string{"-o", "nonsense"}); err == nil || !strings.Contains(err.Error(), "want key=value") {
		t.Errorf("bad -o accepted at parse time: %v", err)
	}
	var usage strings.Builder
	fs.SetOutput(&usage)
	fs.PrintDefaults()
	if !strings.Contains(usage.String(), "(config: base_syscalls.all)") {
		t.Errorf("flag usage does not name the config key:\n%s", usage.String())
	}
}

func TestBindingToUnknownKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("binding a flag to a key that is not in the schema did not panic")
		}
	}()
	var cl CommandLine
	cl.String(flag.NewFlagSet("x", flag.ContinueOnError), "x", "no_such_key", "")
}

func TestParsePath(t *testing.T) {
	segs, err := parsePath("a.b[2][].c")
	if err != nil {
		t.Fatal(err)
	}
	want := []pathSeg{{kind: segKey, key: "a"}, {kind: segKey, key: "b"}, {kind: segIndex, index: 2}, {kind: segAppend}, {kind: segKey, key: "c"}}
	if !reflect.DeepEqual(segs, want) {
		t.Errorf("parsePath = %+v", segs)
	}
	eq(t, "formatPath", formatPath(segs), "a.b[2][].c")
}

func TestEffectiveYAML(t *testing.T) {
	c := mustLoad(t, LoadOptions{Overrides: []string{noIncludes, "rules[].disable.tag=noisy", "priority=error"}, Env: []string{"SAKER_JSON_OUTPUT=true"}})
	b, err := c.EffectiveYAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"priority: error\n", "json_output: \"true\"\n", "- disable:\n", "tag: noisy\n", "rule_matching: first\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("effective YAML lacks %q", want)
		}
	}
	// It loads back to the same configuration.
	f := writeFile(t, t.TempDir(), "eff.yaml", s)
	c2 := mustLoad(t, LoadOptions{File: f})
	if !reflect.DeepEqual(c2.Rules, c.Rules) || c2.Priority != c.Priority || c2.JSONOutput != c.JSONOutput || c2.Metrics.Interval != c.Metrics.Interval {
		t.Errorf("effective YAML does not load back to the same config")
	}
}
