package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/receiver/event"
)

// Allowed values of enumerated keys.
var (
	ruleMatchings = []string{"first", "all"}
	logLevels     = []string{"emergency", "alert", "critical", "error", "warning", "notice", "info", "informational", "debug"}
	libsSeverity  = []string{"fatal", "critical", "error", "warning", "notice", "info", "debug", "trace"}
	engineKinds   = []string{EngineEBPF, EngineModernEBPF, EngineReplay, EngineNoDriver}
	captureModes  = []string{"rules", "all_rules"}
	// tracepointNames are the non-syscall names base_syscalls.custom_set
	// accepts (Falco's ppm_sc names for tracepoints).
	tracepointNames = []string{"sched_process_exit", "sched_switch", "sched_process_fork", "sched_process_exec",
		"page_fault_user", "page_fault_kernel", "signal_deliver"}
)

// Buffer size limits for engine.<kind>.buf_size_bytes.
const (
	minBufBytes = 4096
	maxBufBytes = 1 << 30
)

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// validate checks every section and adds a problem for each wrong value.
// Messages name the key, the value and what is allowed; where Falco has a
// message for the same check, the message is Falco's.
func (c *Config) validate(ps *problems) {
	for i, f := range c.RulesFiles {
		if strings.TrimSpace(f) == "" {
			ps.add(fmt.Sprintf("rules_files[%d]", i), "empty path")
		}
	}
	for i, t := range c.Rules {
		key := fmt.Sprintf("rules[%d]", i)
		switch {
		case (t.Enable == nil) == (t.Disable == nil):
			ps.add(key, "want exactly one of enable or disable, e.g. {disable: {rule: \"name\"}} or {enable: {tag: container}}")
		case t.Enable != nil:
			validateSelector(ps, key+".enable", t.Enable)
		default:
			validateSelector(ps, key+".disable", t.Disable)
		}
	}
	if _, err := alert.ParsePriority(c.Priority); err != nil {
		ps.add("priority", "Unknown priority %q--must be one of emergency, alert, critical, error, warning, notice, informational, debug", c.Priority)
	}
	if !oneOf(c.RuleMatching, ruleMatchings) {
		ps.add("rule_matching", "Unknown rule matching strategy %q--must be one of first, all", c.RuleMatching)
	}
	if c.OutputTimeout < 0 {
		ps.add("output_timeout", "must be >= 0 milliseconds, got %d", c.OutputTimeout)
	}
	for i, a := range c.AppendOutput {
		for j, f := range a.ExtraFields {
			if f.Name != "" && strings.TrimSpace(f.Format) == "" {
				ps.add(fmt.Sprintf("append_output[%d].extra_fields[%d]", i, j), "%s: empty format", f.Name)
			}
		}
	}
	for name := range c.StaticFields {
		if name == "" || strings.ContainsAny(name, " \t\n%") {
			ps.add("static_fields", "invalid field name %q: no spaces or %%", name)
		}
	}
	c.validateOutputs(ps)
	c.validateTelemetry(ps)
	c.validateEngine(ps)
	if err := c.ContainerEngines.CRI.Validate(); err != nil {
		componentProblem(ps, "container_engines.cri", err)
	}
	if !oneOf(c.LogLevel, logLevels) {
		ps.add("log_level", "invalid value %q, want one of %s", c.LogLevel, strings.Join(logLevels, ", "))
	}
	if !oneOf(c.LibsLogger.Severity, libsSeverity) {
		ps.add("libs_logger.severity", "invalid value %q, want one of %s", c.LibsLogger.Severity, strings.Join(libsSeverity, ", "))
	}
	if !oneOf(c.Capture.Mode, captureModes) {
		ps.add("capture.mode", "invalid value %q, want rules or all_rules", c.Capture.Mode)
	}
	if c.Capture.Enabled {
		if c.Capture.DefaultDuration <= 0 {
			ps.addCause("capture.default_duration", "capture.enabled", "must be > 0 milliseconds, got %d", c.Capture.DefaultDuration)
		}
		if c.Capture.PathPrefix == "" {
			ps.addCause("capture.path_prefix", "capture.enabled", "must be set when capture.enabled is true")
		}
	}
}

func validateSelector(ps *problems, key string, s *RuleSelector) {
	if (s.Rule == "") == (s.Tag == "") {
		ps.add(key, "want exactly one of rule (a name, * matches any characters) or tag")
	}
}

func (c *Config) validateOutputs(ps *problems) {
	if err := c.Config.Validate(); err != nil {
		componentProblem(ps, "", err)
	}
}

func (c *Config) validateTelemetry(ps *problems) {
	if err := c.Webserver.Validate(); err != nil {
		componentProblem(ps, "webserver", err)
	}
	if err := c.Metrics.Config.Validate(); err != nil {
		componentProblem(ps, "metrics", err)
	}
	if m := c.Metrics; m.Enabled && m.Interval < minMetricsInterval {
		ps.add("metrics.interval", "must be at least 100ms, got %v", m.Interval)
	}
	if err := c.SyscallEventDrops.Validate(); err != nil {
		componentProblem(ps, "syscall_event_drops", err)
	}
	if err := c.SyscallEventTimeouts.Validate(); err != nil {
		componentProblem(ps, "syscall_event_timeouts.max_consecutives", err)
	}
	if err := c.Sampling.Validate(); err != nil {
		componentProblem(ps, "sampling", err)
	}
}

func (c *Config) validateEngine(ps *problems) {
	e := c.Engine
	switch {
	case e.Kind == "kmod":
		ps.add("engine.kind", "%q is not supported: saker has no kernel module; use %s", e.Kind, EngineEBPF)
	case e.Kind == "gvisor":
		ps.add("engine.kind", "%q is not supported; allowed: %s", e.Kind, strings.Join(engineKinds, ", "))
	case !oneOf(e.Kind, engineKinds):
		ps.add("engine.kind", "invalid value %q, want one of %s", e.Kind, strings.Join(engineKinds, ", "))
	}
	validateLive(ps, "engine.ebpf", e.EBPF)
	validateLive(ps, "engine.modern_ebpf", e.ModernEBPF)
	if e.Kind == EngineReplay && strings.TrimSpace(e.Replay.CaptureFile) == "" {
		ps.addCause("engine.replay.capture_file", "engine.kind", "must be set when engine.kind is replay")
	}
	for i, name := range c.BaseSyscalls.CustomSet {
		n := strings.TrimPrefix(strings.TrimSpace(name), "!")
		if n == "" {
			ps.add(fmt.Sprintf("base_syscalls.custom_set[%d]", i), "empty syscall name")
		}
	}
	f := c.FalcoLibs
	for _, x := range []struct {
		key string
		v   int
	}{
		{"falco_libs.thread_table_size", f.ThreadTableSize},
		{"falco_libs.thread_table_auto_purging_interval_s", f.ThreadTableAutoPurgingIntervalS},
		{"falco_libs.thread_table_auto_purging_thread_timeout_s", f.ThreadTableAutoPurgingThreadTimeout},
		{"falco_libs.snaplen", f.Snaplen},
	} {
		if x.v <= 0 {
			ps.add(x.key, "must be > 0, got %d", x.v)
		}
	}
}

func validateLive(ps *problems, key string, l LiveEngine) {
	if l.BufSizePreset < 0 || l.BufSizePreset > maxBufSizePreset {
		ps.add(key+".buf_size_preset", "must be 0-%d (1 = 1 MiB ... 10 = 512 MiB; 0: the default), got %d", maxBufSizePreset, l.BufSizePreset)
	}
	if b := l.BufSizeBytes; b != 0 && (b < minBufBytes || b > maxBufBytes || b&(b-1) != 0) {
		ps.add(key+".buf_size_bytes", "must be 0 or a power of two from %d to %d, got %d", minBufBytes, maxBufBytes, b)
	}
	if l.CPUsForEachBuffer < 0 {
		ps.add(key+".cpus_for_each_buffer", "must be >= 0 (0: one buffer for all CPUs), got %d", l.CPUsForEachBuffer)
	}
}

// unknownSyscalls returns the custom_set names that are neither syscalls
// nor tracepoints saker knows.
func unknownSyscalls(set []string) []string {
	var out []string
	for _, name := range set {
		n := strings.TrimPrefix(strings.TrimSpace(name), "!")
		if n == "" || event.IsSyscallName(n) || oneOf(n, tracepointNames) {
			continue
		}
		out = append(out, name)
	}
	return out
}

// leadingKey matches a key path at the start of a component's message:
// "sampling.ratio: must be ..." or "http_output.client_cert and ...".
var leadingKey = regexp.MustCompile(`^([a-z0-9_]+(?:\.[a-z0-9_]+|\[[0-9]+\])*)(: | )`)

// causeKey finds the key a message says the problem depends on ("must be
// set when file_output.enabled is true").
var causeKey = regexp.MustCompile(`when ([a-z0-9_]+(?:\.[a-z0-9_]+)+) is`)

// componentProblem files a component's Validate error (or each of several
// joined ones) under the key its message starts with ("sampling.ratio:
// ..."), else under section. The drop monitor's messages are Falco's,
// which name no key: they are filed under the key they are about.
func componentProblem(ps *problems, section string, err error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			componentProblem(ps, section, e)
		}
		return
	}
	msg := err.Error()
	key := section
	if m := leadingKey.FindStringSubmatch(msg); m != nil && strings.Contains(m[1], ".") {
		if segs, perr := parsePath(m[1]); perr == nil && schemaType(segs) != nil {
			key = m[1]
			if m[2] == ": " {
				msg = msg[len(m[0]):]
			}
		}
	}
	if key == "syscall_event_drops" {
		switch {
		case strings.Contains(msg, "threshold"):
			key += ".threshold"
		case strings.Contains(msg, "max burst"):
			key += ".max_burst"
		case strings.Contains(msg, "rate"):
			key += ".rate"
		case strings.Contains(msg, "action"):
			key += ".actions"
		}
	}
	if !strings.Contains(msg, "got ") && ps.value != nil {
		if v, ok := ps.value(key); ok {
			msg += fmt.Sprintf(" (got %s)", render(v))
		}
	}
	if m := causeKey.FindStringSubmatch(msg); m != nil {
		ps.addCause(key, m[1], "%s", msg)
		return
	}
	ps.add(key, "%s", msg)
}

// render writes a value as it would appear in YAML flow style.
func render(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = render(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return "a mapping"
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}
