package config

import (
	"time"

	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/exporter/metrics"
	"github.com/sakersec/saker/exporter/outputs"
	"github.com/sakersec/saker/receiver/cri"
)

// Config is saker's whole configuration. Key names are Falco's falco.yaml
// keys where Falco has the setting, so a falco.yaml loads unchanged; saker's
// own settings (otlp_output, sampling, hostname, ...) sit beside them. The
// defaults of every field are in the embedded saker.yaml, not in Go code:
// a Config is only ever made by [Load] (or [Defaults]).
//
// Where a component package owns a section (otlp_output), the section's
// type is that package's Config, so the component receives exactly what was
// configured and validates it itself.
type Config struct {
	// ConfigFiles are more files or directories (*.yaml, *.yml in name
	// order) merged over the main file, as Falco's config_files. See
	// [ConfigFile].
	ConfigFiles []ConfigFile `koanf:"config_files"`
	// WatchConfigFiles reloads the rules when a rules or configuration
	// file changes, as Falco's (cmd/saker/reload.go says what a reload
	// applies).
	WatchConfigFiles bool `koanf:"watch_config_files"`

	// RulesFiles are the rules files and directories, loaded in order.
	// Empty means saker's built-in ruleset. Falco's older singular key
	// rules_file is read when rules_files is not set.
	RulesFiles []string `koanf:"rules_files"`
	RulesFile  []string `koanf:"rules_file"`
	// Rules enables and disables rules by name (glob) or tag after loading,
	// in order.
	Rules []RuleToggle `koanf:"rules"`
	// Priority is the minimum priority of the rules that are enabled (see
	// [Config.MinPriority]).
	Priority string `koanf:"priority"`
	// RuleMatching is first (at most one alert per event) or all.
	RuleMatching string `koanf:"rule_matching"`

	// Outputs are the alert outputs and their shared settings, under
	// Falco's top-level keys: json_output, json_include_*_property,
	// buffered_outputs, outputs (rate limit), outputs_queue, stdout_output,
	// file_output, syslog_output, program_output, http_output and saker's
	// otlp_output. exporter/outputs builds the outputs from it.
	outputs.Config `koanf:",squash"`
	// TimeFormatISO8601 writes alert times as ISO 8601.
	TimeFormatISO8601 bool `koanf:"time_format_iso_8601"`
	// OutputTimeout is how long, in milliseconds, an output may block on
	// one alert before saker logs it as stuck (Falco's watchdog).
	OutputTimeout int            `koanf:"output_timeout"`
	AppendOutput  []AppendOutput `koanf:"append_output"`
	// StaticFields are constant fields (static.<name>) added to alerts
	// through suggested_output.
	StaticFields map[string]string `koanf:"static_fields"`

	// Webserver is the one listener for /healthz, /metrics and /version.
	Webserver metrics.WebserverConfig `koanf:"webserver"`
	Metrics   Metrics                 `koanf:"metrics"`
	// SyscallEventDrops is the drop monitor: threshold, actions (ignore,
	// log, alert, exit) and their token bucket.
	SyscallEventDrops drops.Config `koanf:"syscall_event_drops"`
	// SyscallEventTimeouts raises an internal alert after max_consecutives
	// reads in a row found no event.
	SyscallEventTimeouts drops.TimeoutsConfig `koanf:"syscall_event_timeouts"`
	// Sampling is the sampling ratio, multiplier and controller mode.
	Sampling sampling.Config `koanf:"sampling"`

	Engine       Engine       `koanf:"engine"`
	BaseSyscalls BaseSyscalls `koanf:"base_syscalls"`
	FalcoLibs    FalcoLibs    `koanf:"falco_libs"`
	// ContainerEngines is Falco's container_engines; saker reads the cri
	// section (receiver/cri). The other engines' keys load with a warning.
	ContainerEngines ContainerEngines `koanf:"container_engines"`

	// Logging of saker itself.
	LogStderr  bool       `koanf:"log_stderr"`
	LogSyslog  bool       `koanf:"log_syslog"`
	LogLevel   string     `koanf:"log_level"`
	LibsLogger LibsLogger `koanf:"libs_logger"`

	// Hostname is the host name put in alerts (hostname, host.name). Empty
	// means the FALCO_HOSTNAME environment variable if set (as Falco), else
	// the kernel's host name; see [Config.AlertHostname].
	Hostname string `koanf:"hostname"`

	Capture Capture `koanf:"capture"`

	// Plugins and LoadPlugins are Falco's plugin settings. saker has no
	// plugins: they are read so Falco configs load, and a warning says they
	// are ignored.
	Plugins     []Plugin `koanf:"plugins"`
	LoadPlugins []string `koanf:"load_plugins"`

	meta meta
}

// ConfigFile is one entry of config_files: a file, or a directory whose
// *.yaml and *.yml files are loaded in name order. In YAML it is either a
// path or {path: P, strategy: S}.
type ConfigFile struct {
	Path string `koanf:"path"`
	// Strategy says how the file merges into what is loaded so far:
	//   append (default)  mappings merge key by key, lists are appended,
	//                     other values replace;
	//   override          mappings merge key by key, lists and other
	//                     values replace;
	//   add-only          only keys that no file set so far are added.
	Strategy string `koanf:"strategy"`
}

// RuleToggle is one entry of rules: exactly one of Enable and Disable.
type RuleToggle struct {
	Enable  *RuleSelector `koanf:"enable"`
	Disable *RuleSelector `koanf:"disable"`
}

// RuleSelector picks rules by name (Rule, a glob where * matches any run of
// characters) or by tag (Tag); exactly one is set.
type RuleSelector struct {
	Rule string `koanf:"rule"`
	Tag  string `koanf:"tag"`
}

// AppendOutput adds text and fields to the alerts of the rules it matches.
type AppendOutput struct {
	Match AppendMatch `koanf:"match"`
	// ExtraOutput is appended to the text output, after a space.
	ExtraOutput string `koanf:"extra_output"`
	// ExtraFields are added to the JSON output_fields only.
	ExtraFields []ExtraField `koanf:"extra_fields"`
	// SuggestedOutput appends name=%field for every suggested field
	// (engine.SuggestedFields: container and pod context) and the
	// static.* fields of static_fields.
	SuggestedOutput bool `koanf:"suggested_output"`
}

// AppendMatch selects rules; an empty field matches all. A rule must have
// all of Tags.
type AppendMatch struct {
	Source string   `koanf:"source"`
	Tags   []string `koanf:"tags"`
	Rule   string   `koanf:"rule"`
}

// ExtraField is one entry of append_output[].extra_fields. In YAML either a
// field name (`- evt.hostname`: the field's typed value under its own name)
// or a one-key mapping (`- name: "%proc.name %proc.pid"`: the formatted
// string under name).
type ExtraField struct {
	Field  string // set for the field-name form
	Name   string // set, with Format, for the mapping form
	Format string
}

// Metrics is the metrics section: what exporter/metrics reads (enabled,
// the OTLP push) plus Falco's snapshot settings.
type Metrics struct {
	metrics.Config `koanf:",squash"`
	// Interval is how often the snapshot alert (output_rule) and the
	// output_file line are written.
	Interval                         time.Duration `koanf:"interval"`
	OutputRule                       bool          `koanf:"output_rule"`
	OutputFile                       string        `koanf:"output_file"`
	RulesCountersEnabled             bool          `koanf:"rules_counters_enabled"`
	ResourceUtilizationEnabled       bool          `koanf:"resource_utilization_enabled"`
	StateCountersEnabled             bool          `koanf:"state_counters_enabled"`
	KernelEventCountersEnabled       bool          `koanf:"kernel_event_counters_enabled"`
	KernelEventCountersPerCPUEnabled bool          `koanf:"kernel_event_counters_per_cpu_enabled"`
	LibbpfStatsEnabled               bool          `koanf:"libbpf_stats_enabled"`
	PluginsMetricsEnabled            bool          `koanf:"plugins_metrics_enabled"`
	KernelIterEventCountersEnabled   bool          `koanf:"kernel_iter_event_counters_enabled"`
	JemallocStatsEnabled             bool          `koanf:"jemalloc_stats_enabled"`
	ConvertMemoryToMB                bool          `koanf:"convert_memory_to_mb"`
	IncludeEmptyValues               bool          `koanf:"include_empty_values"`
}

// Engine kinds.
const (
	EngineEBPF       = "ebpf"        // saker's eBPF probe
	EngineModernEBPF = "modern_ebpf" // Falco's name; runs saker's eBPF probe
	EngineReplay     = "replay"      // events from a capture file
	EngineNoDriver   = "nodriver"    // no events (rules validation, tests)
)

// Engine selects the event source.
type Engine struct {
	Kind       string     `koanf:"kind"`
	EBPF       LiveEngine `koanf:"ebpf"`
	ModernEBPF LiveEngine `koanf:"modern_ebpf"`
	Replay     Replay     `koanf:"replay"`
}

// LiveEngine tunes the live eBPF capture.
type LiveEngine struct {
	// BufSizePreset is Falco's ring-buffer size index: 1..10 are
	// 1, 2, 4, ... 512 MiB per buffer; 0 is the default (4, 8 MiB).
	BufSizePreset int `koanf:"buf_size_preset"`
	// BufSizeBytes, when not 0, sets the size of each buffer exactly
	// (a power of two, at least one page) and overrides BufSizePreset.
	BufSizeBytes int `koanf:"buf_size_bytes"`
	// CPUsForEachBuffer: 1 gives each CPU its own ring buffer, N shares one
	// among N CPUs, 0 uses one for all.
	CPUsForEachBuffer int `koanf:"cpus_for_each_buffer"`
	// DropFailedExit drops exit events of syscalls that failed.
	DropFailedExit bool `koanf:"drop_failed_exit"`
}

// Replay reads events from a capture file.
type Replay struct {
	CaptureFile string `koanf:"capture_file"`
}

// BaseSyscalls changes the set of syscalls traced besides those the rules
// need (Falco's base_syscalls).
type BaseSyscalls struct {
	// CustomSet replaces the state-keeping set; "!name" removes a syscall.
	CustomSet []string `koanf:"custom_set"`
	// Repair adds the minimum state-keeping syscalls to CustomSet.
	Repair bool `koanf:"repair"`
	// All traces every syscall saker has a kernel program for (Falco's
	// -A). Without it the high-volume I/O syscalls Falco ignores (read,
	// write, pread, sendfile, ...) are left out even when rules use them,
	// unless CustomSet names them.
	All bool `koanf:"all"`
}

// FalcoLibs sizes the state tables and the captured data.
type FalcoLibs struct {
	ThreadTableSize                     int `koanf:"thread_table_size"`
	ThreadTableAutoPurgingIntervalS     int `koanf:"thread_table_auto_purging_interval_s"`
	ThreadTableAutoPurgingThreadTimeout int `koanf:"thread_table_auto_purging_thread_timeout_s"`
	// Snaplen is how many bytes of I/O buffers are captured.
	Snaplen int `koanf:"snaplen"`
}

// ContainerEngines holds the container runtime clients.
type ContainerEngines struct {
	// CRI is the client of containerd / CRI-O that gives live containers
	// their name, image and Kubernetes pod.
	CRI cri.Config `koanf:"cri"`
}

// LibsLogger is Falco's logger for its libraries; saker logs through one
// logger and reads only Enabled and Severity, for the receiver's messages.
type LibsLogger struct {
	Enabled  bool   `koanf:"enabled"`
	Severity string `koanf:"severity"`
}

// Capture records events around alerts to capture files (Falco 0.42).
type Capture struct {
	Enabled    bool   `koanf:"enabled"`
	PathPrefix string `koanf:"path_prefix"`
	// Mode: rules (only rules with capture: true) or all_rules.
	Mode string `koanf:"mode"`
	// DefaultDuration is how long, in milliseconds, a capture lasts.
	DefaultDuration int `koanf:"default_duration"`
}

// Plugin is one Falco plugins entry (read, not used).
type Plugin struct {
	Name        string `koanf:"name"`
	LibraryPath string `koanf:"library_path"`
	InitConfig  any    `koanf:"init_config"`
	OpenParams  string `koanf:"open_params"`
}
