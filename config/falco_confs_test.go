package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Falco's test configs (Falco 0.34.1's test/confs and the falcosecurity
// testing repo's configs) load, or fail exactly where Falco fails.
func TestFalcoTestConfigs(t *testing.T) {
	type want struct {
		// check inspects a config that loads.
		check func(t *testing.T, c *Config)
		// warnKeys are the keys the warnings must name, exactly.
		warnKeys []string
		// errKey/errMsg: the config must fail with this problem.
		errKey, errMsg string
		// errLine is the line of the value the error points at.
		errLine int
	}
	dropsCheck := func(actions []string, simulate bool) func(*testing.T, *Config) {
		return func(t *testing.T, c *Config) {
			d := c.SyscallEventDrops
			if !reflect.DeepEqual(d.Actions, actions) || d.Rate != .03333 || d.MaxBurst != 10 || d.SimulateDrops != simulate {
				t.Errorf("syscall_event_drops = %+v, want actions %v rate .03333 max_burst 10 simulate %v", d, actions, simulate)
			}
			if d.Threshold != .1 {
				t.Errorf("threshold = %v, want the default .1", d.Threshold)
			}
			if !c.Stdout.Enabled || !c.LogStderr {
				t.Errorf("stdout_output.enabled=%v log_stderr=%v, want true", c.Stdout.Enabled, c.LogStderr)
			}
		}
	}
	outputsCheck := func(file, program bool, filename, prog string) func(*testing.T, *Config) {
		return func(t *testing.T, c *Config) {
			if !reflect.DeepEqual(c.RulesFiles, []string{"/etc/falco_rules.yaml"}) {
				t.Errorf("rules_files = %v, want rules_file's [/etc/falco_rules.yaml]", c.RulesFiles)
			}
			if c.JSONOutput || c.LogStderr || c.LogSyslog || c.Syslog.Enabled || !c.Stdout.Enabled {
				t.Errorf("json_output=%v log_stderr=%v log_syslog=%v syslog=%v stdout=%v", c.JSONOutput, c.LogStderr, c.LogSyslog, c.Syslog.Enabled, c.Stdout.Enabled)
			}
			if c.File.Enabled != file || c.File.Filename != filename {
				t.Errorf("file_output = %+v, want enabled %v filename %q", c.File, file, filename)
			}
			if c.Program.Enabled != program || c.Program.Program != prog {
				t.Errorf("program_output = %+v, want enabled %v program %q", c.Program, program, prog)
			}
		}
	}
	pluginWarn := []string{"load_plugins", "plugins"}
	pluginsOnly := []string{"plugins"}
	cases := map[string]want{
		"drops_alert.yaml":  {check: dropsCheck([]string{"alert"}, true)},
		"drops_exit.yaml":   {check: dropsCheck([]string{"exit"}, true)},
		"drops_ignore.yaml": {check: dropsCheck([]string{"ignore"}, true)},
		"drops_log.yaml": {check: func(t *testing.T, c *Config) {
			dropsCheck([]string{"log"}, true)(t, c)
			eq(t, "log_level", c.LogLevel, "debug")
		}},
		"drops_none.yaml":       {check: dropsCheck([]string{"log"}, false)},
		"drops_ignore_log.yaml": {errKey: "syscall_event_drops.actions", errMsg: `syscall event drop action "log" does not make sense with the "ignore" action`},
		"drops_threshold_neg.yaml": {errKey: "syscall_event_drops.threshold",
			errMsg: "syscall event drops threshold must be a double in the range [0, 1] (got -1)"},
		"drops_threshold_oor.yaml": {errKey: "syscall_event_drops.threshold",
			errMsg: "syscall event drops threshold must be a double in the range [0, 1] (got 1.1)"},
		"file_output.yaml":    {check: outputsCheck(true, false, "/tmp/falco_outputs/file_output.txt", `mail -s "Falco Notification" someone@example.com`)},
		"program_output.yaml": {check: outputsCheck(false, true, "./output.txt", "cat >> /tmp/falco_outputs/program_output.txt")},
		"stdout_output.yaml":  {check: outputsCheck(false, false, "./events.txt", "")},
		"grpc_unix_socket.yaml": {warnKeys: []string{"grpc", "grpc_output"}, check: func(t *testing.T, c *Config) {
			eq(t, "stdout_output.enabled", c.Stdout.Enabled, false)
		}},
		"cloudtrail_json_create_instances.yaml":          {warnKeys: pluginWarn, check: pluginsCheck("cloudtrail", "json")},
		"cloudtrail_json_create_instances_bigevent.yaml": {warnKeys: pluginWarn, check: pluginsCheck("cloudtrail", "json")},
		"incompatible_extract_sources.yaml":              {warnKeys: pluginWarn, check: pluginsCheck("cloudtrail", "test_extract_p1")},
		"incompatible_plugin_api.yaml":                   {warnKeys: pluginWarn, check: pluginsCheck("incompatible_plugin_api")},
		"k8s_audit.yaml":                                 {warnKeys: pluginWarn, check: pluginsCheck("k8saudit", "json")},
		"overlap_extract_sources.yaml":                   {warnKeys: pluginWarn, check: pluginsCheck("test_source", "test_extract_p1", "test_extract_p2")},
		"wrong_plugin_path.yaml":                         {warnKeys: pluginWarn, check: pluginsCheck("wrong_plugin_path")},
		"json_plugin_config.yaml":                        {warnKeys: pluginsOnly},
		"empty_config.yaml": {check: func(t *testing.T, c *Config) {
			d, _ := Defaults()
			if !reflect.DeepEqual(c.SyscallEventDrops, d.SyscallEventDrops) || c.Priority != d.Priority || c.Stdout != d.Stdout {
				t.Error("an empty config does not give the defaults")
			}
		}},
		"rule_matching_all.yaml":   {check: func(t *testing.T, c *Config) { eq(t, "MatchAll", c.MatchAll(), true) }},
		"rule_matching_first.yaml": {check: func(t *testing.T, c *Config) { eq(t, "MatchAll", c.MatchAll(), false) }},
		"rule_matching_wrong_value.yaml": {errKey: "rule_matching",
			errMsg: `Unknown rule matching strategy "test"--must be one of first, all`},
		"rule_metrics_enabled.yaml": {check: func(t *testing.T, c *Config) {
			m := c.Metrics
			if !m.Enabled || m.Interval != 5*time.Second || !m.OutputRule {
				t.Errorf("metrics = %+v, want enabled, interval 5s, output_rule", m)
			}
		}},
	}
	dirs := []string{
		filepath.Join(falcoTests, "falco-0.34.1/confs"),
		filepath.Join(falcoTests, "falco-0.34.1/confs/plugins"),
		filepath.Join(falcoTests, "testing-repo/configs"),
	}
	seen := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no configs in %s (the shared research folder must be beside the repo): %v", dir, err)
		}
		for _, f := range files {
			name := filepath.Base(f)
			w, ok := cases[name]
			if !ok {
				t.Errorf("%s: no expectation for this Falco test config; add one", f)
				continue
			}
			seen++
			t.Run(strings.TrimPrefix(f, falcoTests+"/"), func(t *testing.T) {
				opts := LoadOptions{File: f, Overrides: []string{noIncludes}}
				if w.errMsg != "" {
					ce := loadErr(t, opts)
					p, ok := findProblem(ce.Problems, w.errKey, w.errMsg)
					if !ok {
						t.Fatalf("want problem %s: %q, got %v", w.errKey, w.errMsg, ce)
					}
					if !strings.HasPrefix(p.Origin, f+":") {
						t.Errorf("origin %q does not point into %s", p.Origin, f)
					}
					return
				}
				c := mustLoad(t, opts)
				var keys []string
				for _, p := range c.Warnings() {
					keys = append(keys, p.Key)
					if !strings.HasPrefix(p.Origin, f+":") {
						t.Errorf("warning %v: origin is not a line of %s", p, f)
					}
				}
				if strings.Join(keys, ",") != strings.Join(w.warnKeys, ",") {
					t.Errorf("warnings about %v, want %v: %v", keys, w.warnKeys, c.Warnings())
				}
				if w.check != nil {
					w.check(t, c)
				}
			})
		}
	}
	if seen < 30 {
		t.Errorf("only %d Falco test configs checked", seen)
	}
}

func pluginsCheck(names ...string) func(*testing.T, *Config) {
	return func(t *testing.T, c *Config) {
		var got []string
		for _, p := range c.Plugins {
			got = append(got, p.Name)
			if p.LibraryPath == "" {
				t.Errorf("plugin %s: library_path not read", p.Name)
			}
		}
		if !reflect.DeepEqual(got, names) || !reflect.DeepEqual(c.LoadPlugins, names) {
			t.Errorf("plugins %v load_plugins %v, want %v", got, c.LoadPlugins, names)
		}
	}
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// A falco.yaml in the shape of Falco's current default config (keys from
// Falco's documentation, values ours) loads with warnings only for what
// saker does not implement.
func TestFalcoStyleFullConfig(t *testing.T) {
	c := mustLoad(t, LoadOptions{File: "testdata/falco_full.yaml", Env: []string{"NODE=node-7"}})
	var keys []string
	for _, w := range c.Warnings() {
		keys = append(keys, w.Key)
	}
	wantWarn := []string{"config_files[0]", "engine.gvisor", "engine.kmod", "engine.modern_ebpf.disable_iterators"}
	if w := c.Warnings()[min(3, len(c.Warnings())-1)]; w.Origin != "testdata/falco_full.yaml:31:24" || !strings.Contains(w.Msg, "no BPF iterators") {
		t.Errorf("warning %v: want origin testdata/falco_full.yaml:31:24 and the reason", w)
	}
	if strings.Join(keys, ",") != strings.Join(wantWarn, ",") {
		t.Errorf("warnings %v, want %v:\n%v", keys, wantWarn, c.Warnings())
	}
	eq(t, "engine.kind", c.Engine.Kind, EngineModernEBPF)
	eq(t, "live buffer", c.Engine.Live().BufferBytes(), 16<<20)
	eq(t, "cpus_for_each_buffer", c.Engine.Live().CPUsForEachBuffer, 2)
	eq(t, "rules_files", c.RulesFiles, []string{"/etc/falco/falco_rules.yaml", "/etc/falco/falco_rules.local.yaml", "/etc/falco/rules.d"})
	eq(t, "static_fields", c.StaticFields, map[string]string{"node": "node-7", "env": "prod", "port": "8080"})
	eq(t, "append_output[1]", c.AppendOutput[1], AppendOutput{
		Match:       AppendMatch{Source: "syscall", Tags: []string{"network"}},
		ExtraOutput: "pid=%proc.pid",
		ExtraFields: []ExtraField{{Field: "evt.hostname"}, {Name: "cmd", Format: "%proc.cmdline"}},
	})
	eq(t, "rules", c.Rules, []RuleToggle{{Disable: &RuleSelector{Rule: "Read sensitive file*"}}, {Enable: &RuleSelector{Tag: "container"}}})
	eq(t, "base_syscalls", c.BaseSyscalls, BaseSyscalls{CustomSet: []string{"openat", "!write"}, Repair: true})
	eq(t, "webserver.listen_address", c.Webserver.ListenAddress, "0.0.0.0")
	eq(t, "metrics.interval", c.Metrics.Interval, 15*time.Minute)
	eq(t, "http_output.user_agent", c.HTTP.UserAgent, "falcosecurity/falco")
	eq(t, "config_files", c.ConfigFiles, []ConfigFile{{Path: "/nonexistent/saker-test/config.d", Strategy: "append"}})
	eq(t, "capture", c.Capture, Capture{Enabled: false, PathPrefix: "/tmp/falco", Mode: "rules", DefaultDuration: 5000})
	if _, err := os.Stat("/nonexistent/saker-test/config.d"); err == nil {
		t.Skip("test path exists")
	}
}
