package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/exporter/metrics"
	"github.com/sakersec/saker/exporter/outputs"
)

func TestDefaultsLoadAndValidate(t *testing.T) {
	c, err := Defaults()
	if err != nil {
		t.Fatalf("Defaults: %v", err)
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("defaults produce warnings: %v", w)
	}
	// Falco's defaults where Falco has the key.
	checks := []struct {
		key  string
		got  any
		want any
	}{
		{"priority", c.Priority, "debug"},
		{"rule_matching", c.RuleMatching, "first"},
		{"json_output", c.JSONOutput, false},
		{"json_include_output_property", c.JSONIncludeOutputProperty, true},
		{"json_include_message_property", c.JSONIncludeMessageProperty, false},
		{"json_include_output_fields_property", c.JSONIncludeOutputFieldsProperty, true},
		{"json_include_tags_property", c.JSONIncludeTagsProperty, true},
		{"time_format_iso_8601", c.TimeFormatISO8601, false},
		{"buffered_outputs", c.BufferedOutputs, false},
		{"append_output (Falco's falco.yaml: one suggested_output entry)", len(c.AppendOutput) == 1 && c.AppendOutput[0].SuggestedOutput, true},
		{"outputs_queue.capacity", c.OutputsQueue.Capacity, 0},
		{"output_timeout", c.OutputTimeout, 2000},
		{"stdout_output.enabled", c.Stdout.Enabled, true},
		{"syslog_output.enabled", c.Syslog.Enabled, true},
		{"file_output.enabled", c.File.Enabled, false},
		{"http_output.max_consecutive_timeouts", c.HTTP.MaxConsecutiveTimeouts, 5},
		{"webserver.listen_port", c.Webserver.ListenPort, 8765},
		{"webserver.listen_address", c.Webserver.ListenAddress, "127.0.0.1"},
		{"webserver.k8s_healthz_endpoint", c.Webserver.K8sHealthzEndpoint, "/healthz"},
		{"metrics.interval", c.Metrics.Interval, time.Hour},
		{"syscall_event_timeouts.max_consecutives", c.SyscallEventTimeouts.MaxConsecutives, uint32(1000)},
		{"engine.kind", c.Engine.Kind, EngineEBPF},
		{"engine.ebpf.buf_size_preset", c.Engine.EBPF.BufSizePreset, 4},
		{"falco_libs.thread_table_size", c.FalcoLibs.ThreadTableSize, 262144},
		{"falco_libs.thread_table_auto_purging_interval_s", c.FalcoLibs.ThreadTableAutoPurgingIntervalS, 300},
		{"falco_libs.thread_table_auto_purging_thread_timeout_s", c.FalcoLibs.ThreadTableAutoPurgingThreadTimeout, 300},
		{"falco_libs.snaplen", c.FalcoLibs.Snaplen, 80},
		{"log_level", c.LogLevel, "info"},
		{"hostname", c.Hostname, ""},
		{"config_files[0].path", c.ConfigFiles[0].Path, "/etc/saker/config.d"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.key, ch.got, ch.want)
		}
	}
	if len(c.AppendOutput) != 1 || !c.AppendOutput[0].SuggestedOutput {
		t.Errorf("append_output = %+v, want [{suggested_output: true}]", c.AppendOutput)
	}
	if got := c.MinPriority(); got != alert.PriorityDebug {
		t.Errorf("MinPriority = %v", got)
	}
	if got := c.JSONOptions(); got != alert.DefaultJSONOptions() {
		t.Errorf("JSONOptions = %+v, want alert.DefaultJSONOptions %+v", got, alert.DefaultJSONOptions())
	}
	if got := c.Engine.Live().BufferBytes(); got != 8<<20 {
		t.Errorf("default ring buffer = %d bytes, want 8 MiB", got)
	}
}

// The embedded saker.yaml is the one place defaults live; the components
// that own a section also state their defaults in Go. They must agree.
func TestDefaultsMatchComponents(t *testing.T) {
	c, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	out := c.Config
	// An empty mapping in YAML decodes to an empty map, Default has nil.
	if len(out.OTLP.Headers) == 0 {
		out.OTLP.Headers = nil
	}
	if len(out.OTLP.Resource.Attributes) == 0 {
		out.OTLP.Resource.Attributes = nil
	}
	if want := outputs.Default(); !reflect.DeepEqual(out, want) {
		t.Errorf("output defaults differ from outputs.Default():\n got  %+v\n want %+v", out, want)
	}
	if want := metrics.DefaultWebserverConfig(); c.Webserver != want {
		t.Errorf("webserver = %+v, metrics.DefaultWebserverConfig() = %+v", c.Webserver, want)
	}
	m := c.Metrics.Config
	if len(m.OTLP.Headers) == 0 {
		m.OTLP.Headers = nil
	}
	if want := metrics.DefaultConfig(); !reflect.DeepEqual(m, want) {
		t.Errorf("metrics = %+v, metrics.DefaultConfig() = %+v", m, want)
	}
	if want := drops.DefaultConfig(); !reflect.DeepEqual(c.SyscallEventDrops, want) {
		t.Errorf("syscall_event_drops = %+v, drops.DefaultConfig() = %+v", c.SyscallEventDrops, want)
	}
	if want := drops.DefaultTimeoutsConfig(); c.SyscallEventTimeouts != want {
		t.Errorf("syscall_event_timeouts = %+v, want %+v", c.SyscallEventTimeouts, want)
	}
	if want := sampling.DefaultConfig(); c.Sampling != want {
		t.Errorf("sampling = %+v, sampling.DefaultConfig() = %+v", c.Sampling, want)
	}
}

// Every key of the schema is written in saker.yaml, so the file users copy
// shows every setting.
func TestDefaultsFileHoldsEveryKey(t *testing.T) {
	doc, err := parseYAML("saker.yaml", defaultYAML, nil)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(t *testing.T, typ reflect.Type, path string)
	walk = func(t *testing.T, typ reflect.Type, path string) {
		for _, k := range keysOf(typ) {
			p := join(path, k)
			if p == "rules_file" { // Falco's legacy spelling of rules_files
				continue
			}
			if _, ok := lookupTree(doc.tree, p); !ok {
				t.Errorf("saker.yaml lacks %s", p)
				continue
			}
			segs, _ := parsePath(p)
			ft := schemaType(segs)
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != durationType {
				walk(t, ft, p)
			}
		}
	}
	walk(t, configType, "")
}

func TestDefaultYAMLIsCommented(t *testing.T) {
	b := DefaultYAML()
	comments := 0
	for l := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			comments++
		}
	}
	if comments < 100 {
		t.Errorf("saker.yaml has %d comment lines; it is meant to document every setting", comments)
	}
	b[0] = 'X'
	if DefaultYAML()[0] == 'X' {
		t.Error("DefaultYAML returns the embedded bytes, not a copy")
	}
}

func TestBufferBytes(t *testing.T) {
	for _, tc := range []struct {
		l    LiveEngine
		want int
	}{
		{LiveEngine{BufSizePreset: 1}, 1 << 20},
		{LiveEngine{BufSizePreset: 4}, 8 << 20},
		{LiveEngine{BufSizePreset: 10}, 512 << 20},
		{LiveEngine{BufSizePreset: 0}, 8 << 20},
		{LiveEngine{BufSizePreset: 4, BufSizeBytes: 65536}, 65536},
	} {
		if got := tc.l.BufferBytes(); got != tc.want {
			t.Errorf("%+v: BufferBytes = %d, want %d", tc.l, got, tc.want)
		}
	}
	c := mustLoad(t, LoadOptions{Overrides: []string{noIncludes, "engine.kind=modern_ebpf", "engine.modern_ebpf.buf_size_preset=2"}})
	if got := c.Engine.Live().BufferBytes(); got != 2<<20 {
		t.Errorf("modern_ebpf preset 2: %d bytes", got)
	}
}
