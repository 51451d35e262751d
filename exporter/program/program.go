package program

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
)

// ConfigKey is the config section (Falco's name).
const ConfigKey = "program_output"

// OutputName is the name in stats and metrics.
const OutputName = "program"

// CloseGrace is how long Close waits for a kept-alive program to exit after
// its stdin is closed before killing it.
const CloseGrace = 5 * time.Second

// Config is the program_output section.
type Config struct {
	Enabled bool `yaml:"enabled" koanf:"enabled"`
	// KeepAlive keeps one program running for all alerts.
	KeepAlive bool `yaml:"keep_alive" koanf:"keep_alive"`
	// Program is the shell command line.
	Program string `yaml:"program" koanf:"program"`
}

// Default is disabled, no program.
func Default() Config { return Config{} }

// Validate checks an enabled config.
func (c *Config) Validate() error {
	if c.Enabled && c.Program == "" {
		return fmt.Errorf("%s.program: must be set when %s.enabled is true", ConfigKey, ConfigKey)
	}
	return nil
}

// Output feeds alerts to a program.
type Output struct {
	cfg      Config
	format   exporter.Format
	buffered bool
	buf      []byte

	// The kept-alive process.
	cmd   *exec.Cmd
	stdin *os.File
	exit  chan error
}

// New returns the output; no process is started until the first alert.
func New(cfg Config, format exporter.Format, buffered bool) (*Output, error) {
	if !cfg.Enabled {
		return nil, errors.New(ConfigKey + ": not enabled")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Output{cfg: cfg, format: format, buffered: buffered}, nil
}

// start runs `sh -c program` with a pipe on stdin that supports deadlines.
func (o *Output) start() (*exec.Cmd, *os.File, chan error, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	cmd := exec.Command("/bin/sh", "-c", o.cfg.Program)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, nil, nil, fmt.Errorf("%s: start %q: %w", ConfigKey, o.cfg.Program, err)
	}
	r.Close() // the child has its copy
	exit := make(chan error, 1)
	go func() { exit <- cmd.Wait() }()
	return cmd, w, exit, nil
}

// kill ends the program's whole process group.
func kill(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// writeCtx writes b, giving up when ctx is cancelled.
func writeCtx(ctx context.Context, w *os.File, b []byte) error {
	stop := context.AfterFunc(ctx, func() { _ = w.SetWriteDeadline(time.Now()) })
	defer stop()
	_, err := w.Write(b)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%s: write cancelled: %w", ConfigKey, ctx.Err())
	}
	return err
}

// Send delivers the batch.
func (o *Output) Send(ctx context.Context, batch []*alert.Alert) error {
	if o.cfg.KeepAlive {
		return o.sendKeepAlive(ctx, batch)
	}
	for i, a := range batch {
		if err := o.runOnce(ctx, a); err != nil {
			return &exporter.PartialError{Failed: len(batch) - i, Err: err}
		}
	}
	return nil
}

func (o *Output) runOnce(ctx context.Context, a *alert.Alert) error {
	cmd, w, exit, err := o.start()
	if err != nil {
		return err
	}
	o.buf = append(o.format.AppendLine(o.buf[:0], a), '\n')
	werr := writeCtx(ctx, w, o.buf)
	w.Close()
	select {
	case err = <-exit:
	case <-ctx.Done():
		kill(cmd)
		<-exit
		return fmt.Errorf("%s: cancelled: %w", ConfigKey, ctx.Err())
	}
	if werr != nil && !errors.Is(werr, syscall.EPIPE) {
		return werr
	}
	if err != nil {
		return fmt.Errorf("%s: %q: %w", ConfigKey, o.cfg.Program, err)
	}
	if werr != nil {
		return fmt.Errorf("%s: %q exited without reading its input: %w", ConfigKey, o.cfg.Program, werr)
	}
	return nil
}

func (o *Output) sendKeepAlive(ctx context.Context, batch []*alert.Alert) error {
	o.buf = o.buf[:0]
	start := 0 // first alert of the pending (unwritten) lines
	flush := func(end int) error {
		if len(o.buf) == 0 {
			return nil
		}
		for attempt := 0; ; attempt++ {
			if o.cmd == nil {
				cmd, w, exit, err := o.start()
				if err != nil {
					return &exporter.PartialError{Failed: len(batch) - start, Err: err}
				}
				o.cmd, o.stdin, o.exit = cmd, w, exit
			}
			err := writeCtx(ctx, o.stdin, o.buf)
			if err == nil {
				o.buf, start = o.buf[:0], end
				return nil
			}
			o.stop(0) // dead or stuck: start afresh
			if attempt == 1 || ctx.Err() != nil {
				return &exporter.PartialError{Failed: len(batch) - start, Err: err}
			}
		}
	}
	for i, a := range batch {
		o.buf = append(o.format.AppendLine(o.buf, a), '\n')
		if !o.buffered {
			if err := flush(i + 1); err != nil {
				return err
			}
		}
	}
	return flush(len(batch))
}

// stop closes the kept-alive program's stdin and waits up to grace for it
// to exit, then kills its process group.
func (o *Output) stop(grace time.Duration) error {
	if o.cmd == nil {
		return nil
	}
	o.stdin.Close()
	var err error
	select {
	case err = <-o.exit:
	case <-time.After(grace):
		kill(o.cmd)
		err = <-o.exit
	}
	o.cmd, o.stdin, o.exit = nil, nil, nil
	return err
}

// Close ends a kept-alive program: stdin is closed so it sees EOF and can
// finish, then it is killed after CloseGrace.
func (o *Output) Close() error {
	if err := o.stop(CloseGrace); err != nil {
		return fmt.Errorf("%s: %q: %w", ConfigKey, o.cfg.Program, err)
	}
	return nil
}
