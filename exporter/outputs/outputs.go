package outputs

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/exporter/file"
	"github.com/sakersec/saker/exporter/httpout"
	"github.com/sakersec/saker/exporter/otlp"
	"github.com/sakersec/saker/exporter/program"
	"github.com/sakersec/saker/exporter/stdout"
	"github.com/sakersec/saker/exporter/syslog"
)

// Config is every output setting, under Falco's top-level key names.
type Config struct {
	JSONOutput                      bool `yaml:"json_output" koanf:"json_output"`
	JSONIncludeOutputProperty       bool `yaml:"json_include_output_property" koanf:"json_include_output_property"`
	JSONIncludeMessageProperty      bool `yaml:"json_include_message_property" koanf:"json_include_message_property"`
	JSONIncludeOutputFieldsProperty bool `yaml:"json_include_output_fields_property" koanf:"json_include_output_fields_property"`
	JSONIncludeTagsProperty         bool `yaml:"json_include_tags_property" koanf:"json_include_tags_property"`
	// BufferedOutputs writes each batch with one write instead of one per
	// alert (stdout, file, program).
	BufferedOutputs bool `yaml:"buffered_outputs" koanf:"buffered_outputs"`

	Outputs      RateConfig  `yaml:"outputs" koanf:"outputs"`
	OutputsQueue QueueConfig `yaml:"outputs_queue" koanf:"outputs_queue"`

	Stdout  stdout.Config  `yaml:"stdout_output" koanf:"stdout_output"`
	File    file.Config    `yaml:"file_output" koanf:"file_output"`
	Syslog  syslog.Config  `yaml:"syslog_output" koanf:"syslog_output"`
	Program program.Config `yaml:"program_output" koanf:"program_output"`
	HTTP    httpout.Config `yaml:"http_output" koanf:"http_output"`
	OTLP    otlp.Config    `yaml:"otlp_output" koanf:"otlp_output"`
}

// RateConfig is Falco's outputs.rate/outputs.max_burst token bucket.
type RateConfig struct {
	// Rate is alerts per second; 0 disables the limit.
	Rate     float64 `yaml:"rate" koanf:"rate"`
	MaxBurst int     `yaml:"max_burst" koanf:"max_burst"`
}

// QueueConfig is Falco's outputs_queue.
type QueueConfig struct {
	// Capacity is each line output's queue size in alerts; 0 means
	// exporter.DefaultQueueCapacity (saker never queues without bound).
	// The OTLP output has its own otlp_output.queue.size.
	Capacity int `yaml:"capacity" koanf:"capacity"`
}

// Default is Falco's defaults for the keys Falco has (stdout and syslog
// on, JSON off with output/output_fields/tags included, no rate limit,
// max_burst 1000) and saker's for the others.
func Default() Config {
	return Config{
		JSONIncludeOutputProperty:       true,
		JSONIncludeOutputFieldsProperty: true,
		JSONIncludeTagsProperty:         true,
		Outputs:                         RateConfig{MaxBurst: 1000},
		Stdout:                          stdout.Default(),
		File:                            file.Default(),
		Syslog:                          syslog.Default(),
		Program:                         program.Default(),
		HTTP:                            httpout.Default(),
		OTLP:                            otlp.Default(),
	}
}

// Format is the line format from the json_* keys.
func (c *Config) Format() exporter.Format {
	return exporter.Format{JSON: c.JSONOutput, JSONOptions: alert.JSONOptions{
		IncludeOutput:       c.JSONIncludeOutputProperty,
		IncludeMessage:      c.JSONIncludeMessageProperty,
		IncludeOutputFields: c.JSONIncludeOutputFieldsProperty,
		IncludeTags:         c.JSONIncludeTagsProperty,
	}}
}

// ApplyEnv applies the OpenTelemetry environment variables to otlp_output
// (an OTLP endpoint in the environment enables it).
func (c *Config) ApplyEnv(getenv func(string) string) error {
	return c.OTLP.ApplyEnv(getenv)
}

// Validate checks every enabled output; errors name the key and value.
func (c *Config) Validate() error {
	if c.Outputs.Rate < 0 {
		return fmt.Errorf("outputs.rate: must be >= 0, got %v", c.Outputs.Rate)
	}
	if c.Outputs.Rate > 0 && c.Outputs.MaxBurst < 1 {
		return fmt.Errorf("outputs.max_burst: must be >= 1 when outputs.rate is set, got %d", c.Outputs.MaxBurst)
	}
	if c.OutputsQueue.Capacity < 0 {
		return fmt.Errorf("outputs_queue.capacity: must be >= 0, got %d", c.OutputsQueue.Capacity)
	}
	return errors.Join(c.Stdout.Validate(), c.File.Validate(), c.Syslog.Validate(), c.Program.Validate(), c.HTTP.Validate(), c.OTLP.Validate())
}

// Settings are what New needs besides the config.
type Settings struct {
	// Version is saker's version (OTLP service.version).
	Version string
	// Hostname is the fallback host.name for OTLP; empty means os.Hostname().
	Hostname string
	// Logger receives delivery failures; nil means slog.Default().
	Logger *slog.Logger
	// Stdout is where stdout_output and http_output's echo write; nil means os.Stdout.
	Stdout io.Writer
	// OnHTTPTimeouts is http_output's max_consecutive_timeouts callback.
	OnHTTPTimeouts func(n int, err error)
}

// New builds every enabled output and starts the dispatcher. The config
// must have been validated (New validates again and fails on the first error).
func New(cfg Config, set Settings) (*exporter.Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	format := cfg.Format()
	q := exporter.QueueConfig{Capacity: cfg.OutputsQueue.Capacity}
	var dests []exporter.Destination
	fail := func(err error) (*exporter.Dispatcher, error) {
		for _, d := range dests {
			_ = d.Output.Close()
		}
		return nil, err
	}
	if cfg.Stdout.Enabled {
		dests = append(dests, exporter.Destination{Name: stdout.OutputName, Output: stdout.New(set.Stdout, format, cfg.BufferedOutputs), Queue: q})
	}
	if cfg.File.Enabled {
		o, err := file.New(cfg.File, format, cfg.BufferedOutputs)
		if err != nil {
			return fail(err)
		}
		dests = append(dests, exporter.Destination{Name: file.OutputName, Output: o, Queue: q})
	}
	if cfg.Syslog.Enabled {
		o, err := syslog.New(cfg.Syslog, format)
		if err != nil {
			return fail(err)
		}
		dests = append(dests, exporter.Destination{Name: syslog.OutputName, Output: o, Queue: q})
	}
	if cfg.Program.Enabled {
		o, err := program.New(cfg.Program, format, cfg.BufferedOutputs)
		if err != nil {
			return fail(err)
		}
		dests = append(dests, exporter.Destination{Name: program.OutputName, Output: o, Queue: q})
	}
	if cfg.HTTP.Enabled {
		o, err := httpout.New(cfg.HTTP, format, httpout.Settings{OnMaxConsecutiveTimeouts: set.OnHTTPTimeouts, Echo: set.Stdout})
		if err != nil {
			return fail(err)
		}
		dests = append(dests, exporter.Destination{Name: httpout.OutputName, Output: o, Queue: q})
	}
	if cfg.OTLP.Enabled {
		d, err := otlp.NewDestination(cfg.OTLP, otlp.Settings{ServiceVersion: set.Version, Hostname: set.Hostname, Logger: set.Logger})
		if err != nil {
			return fail(err)
		}
		dests = append(dests, d)
	}
	d, err := exporter.New(exporter.Options{Rate: cfg.Outputs.Rate, MaxBurst: cfg.Outputs.MaxBurst, Logger: set.Logger}, dests...)
	if err != nil {
		return fail(err)
	}
	return d, nil
}
