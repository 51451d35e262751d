package config

import (
	"os"
	"time"

	"github.com/sakersec/saker/engine/alert"
)

// minMetricsInterval is Falco's floor for metrics.interval.
const minMetricsInterval = 100 * time.Millisecond

// maxBufSizePreset is the largest engine.<kind>.buf_size_preset.
const maxBufSizePreset = 10

// defaultBufSizePreset is what buf_size_preset 0 means.
const defaultBufSizePreset = 4

// MinPriority returns the priority minimum (priority); rules less severe
// are not enabled. Load has validated it.
func (c *Config) MinPriority() alert.Priority {
	p, err := alert.ParsePriority(c.Priority)
	if err != nil {
		return alert.PriorityDebug
	}
	return p
}

// MatchAll reports rule_matching: all.
func (c *Config) MatchAll() bool { return c.RuleMatching == "all" }

// JSONOptions returns the json_include_* switches.
func (c *Config) JSONOptions() alert.JSONOptions {
	return alert.JSONOptions{
		IncludeOutput:       c.JSONIncludeOutputProperty,
		IncludeMessage:      c.JSONIncludeMessageProperty,
		IncludeOutputFields: c.JSONIncludeOutputFieldsProperty,
		IncludeTags:         c.JSONIncludeTagsProperty,
	}
}

// AlertHostname returns the host name to put in alerts: hostname (which
// FALCO_HOSTNAME fills when the config leaves it empty), else the kernel's.
func (c *Config) AlertHostname() (string, error) {
	if c.Hostname != "" {
		return c.Hostname, nil
	}
	return os.Hostname()
}

// Live returns the settings of the live engine engine.kind selects:
// engine.modern_ebpf for modern_ebpf, engine.ebpf otherwise.
func (e *Engine) Live() LiveEngine {
	if e.Kind == EngineModernEBPF {
		return e.ModernEBPF
	}
	return e.EBPF
}

// BufferBytes returns the size of each ring buffer in bytes:
// buf_size_bytes when set, else the preset (1 MiB << (preset-1)).
func (l LiveEngine) BufferBytes() int {
	if l.BufSizeBytes > 0 {
		return l.BufSizeBytes
	}
	p := l.BufSizePreset
	if p <= 0 || p > maxBufSizePreset {
		p = defaultBufSizePreset
	}
	return 1 << 20 << (p - 1)
}
