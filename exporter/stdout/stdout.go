package stdout

import (
	"context"
	"io"
	"os"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
)

// ConfigKey is the config section (Falco's name).
const ConfigKey = "stdout_output"

// OutputName is the name in stats and metrics.
const OutputName = "stdout"

// Config is the stdout_output section.
type Config struct {
	Enabled bool `yaml:"enabled" koanf:"enabled"`
}

// Default is Falco's default: enabled.
func Default() Config { return Config{Enabled: true} }

// Validate has nothing to check; it exists for symmetry with the others.
func (c *Config) Validate() error { return nil }

// Output writes alert lines to a writer.
type Output struct {
	w        io.Writer
	format   exporter.Format
	buffered bool
	buf      []byte
}

// New returns the output writing to w (nil means os.Stdout).
func New(w io.Writer, format exporter.Format, buffered bool) *Output {
	if w == nil {
		w = os.Stdout
	}
	return &Output{w: w, format: format, buffered: buffered}
}

// Send writes the batch.
func (o *Output) Send(_ context.Context, batch []*alert.Alert) error {
	var err error
	o.buf, err = exporter.WriteLines(o.w, o.format, o.buffered, o.buf, batch)
	return err
}

// Close does nothing: stdout is not ours to close.
func (o *Output) Close() error { return nil }
