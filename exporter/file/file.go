package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
)

// ConfigKey is the config section (Falco's name).
const ConfigKey = "file_output"

// OutputName is the name in stats and metrics.
const OutputName = "file"

// Config is the file_output section.
type Config struct {
	Enabled bool `yaml:"enabled" koanf:"enabled"`
	// KeepAlive keeps the file open between writes.
	KeepAlive bool `yaml:"keep_alive" koanf:"keep_alive"`
	// Filename is the file alerts are appended to.
	Filename string `yaml:"filename" koanf:"filename"`
}

// Default is Falco's default: disabled, ./events.txt, reopened per write.
func Default() Config { return Config{Filename: "./events.txt"} }

// Validate checks an enabled config.
func (c *Config) Validate() error {
	if c.Enabled && c.Filename == "" {
		return fmt.Errorf("%s.filename: must be set when %s.enabled is true", ConfigKey, ConfigKey)
	}
	return nil
}

// Output appends alert lines to a file.
type Output struct {
	cfg      Config
	format   exporter.Format
	buffered bool
	f        *os.File
	reopen   atomic.Bool
	buf      []byte
}

// New returns the output; the file is opened on first use.
func New(cfg Config, format exporter.Format, buffered bool) (*Output, error) {
	if !cfg.Enabled {
		return nil, errors.New(ConfigKey + ": not enabled")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Output{cfg: cfg, format: format, buffered: buffered}, nil
}

// Reopen makes the next write reopen the file by name. Safe from any goroutine.
func (o *Output) Reopen() { o.reopen.Store(true) }

// Send appends the batch.
func (o *Output) Send(_ context.Context, batch []*alert.Alert) error {
	if o.reopen.Swap(false) && o.f != nil {
		_ = o.f.Close()
		o.f = nil
	}
	if o.f == nil {
		f, err := os.OpenFile(o.cfg.Filename, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("%s: %w", ConfigKey, err)
		}
		o.f = f
	}
	var err error
	o.buf, err = exporter.WriteLines(o.f, o.format, o.buffered, o.buf, batch)
	if err != nil || !o.cfg.KeepAlive {
		// After an error start from a fresh open next time.
		if cerr := o.f.Close(); cerr != nil && err == nil {
			err = &exporter.PartialError{Failed: len(batch), Err: cerr}
		}
		o.f = nil
	}
	return err
}

// Close closes the file if it is open.
func (o *Output) Close() error {
	if o.f == nil {
		return nil
	}
	err := o.f.Close()
	o.f = nil
	return err
}
