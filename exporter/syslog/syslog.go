package syslog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
)

// ConfigKey is the config section (Falco's name).
const ConfigKey = "syslog_output"

// OutputName is the name in stats and metrics.
const OutputName = "syslog"

// Config is the syslog_output section. Falco has only enabled; the other
// keys are saker's, with defaults that match what Falco does.
type Config struct {
	Enabled bool `yaml:"enabled" koanf:"enabled"`
	// Socket is the local syslog socket.
	Socket string `yaml:"socket" koanf:"socket"`
	// Facility is the syslog facility name: kern, user, mail, daemon, auth,
	// syslog, lpr, news, uucp, cron, authpriv, ftp, local0 … local7.
	Facility string `yaml:"facility" koanf:"facility"`
	// Tag is the program name in each message.
	Tag string `yaml:"tag" koanf:"tag"`
}

// Default is enabled (as in Falco), /dev/log, facility user, tag saker.
func Default() Config {
	return Config{Enabled: true, Socket: "/dev/log", Facility: "user", Tag: "saker"}
}

var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// Validate checks an enabled config.
func (c *Config) Validate() error {
	if !c.Enabled {
		return nil
	}
	if c.Socket == "" {
		return fmt.Errorf("%s.socket: must be set", ConfigKey)
	}
	if _, ok := facilities[c.Facility]; !ok {
		return fmt.Errorf("%s.facility: invalid value %q, want one of kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0..local7", ConfigKey, c.Facility)
	}
	if c.Tag == "" {
		return fmt.Errorf("%s.tag: must be set", ConfigKey)
	}
	return nil
}

// Output sends alerts to syslog.
type Output struct {
	cfg      Config
	facility int
	format   exporter.Format
	pid      string
	mu       sync.Mutex // guards conn against the cancellation callback
	conn     net.Conn
	stream   bool
	buf      []byte
	now      func() time.Time
}

// New returns the output; the socket is dialled on first use, so a missing
// syslog daemon does not stop saker (its alerts are counted as failed).
func New(cfg Config, format exporter.Format) (*Output, error) {
	if !cfg.Enabled {
		return nil, errors.New(ConfigKey + ": not enabled")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Output{cfg: cfg, facility: facilities[cfg.Facility], format: format, pid: strconv.Itoa(os.Getpid()), now: time.Now}, nil
}

func (o *Output) dial() error {
	c, err := net.Dial("unixgram", o.cfg.Socket)
	if err != nil && errors.Is(err, syscall.EPROTOTYPE) {
		c, err = net.Dial("unix", o.cfg.Socket)
		o.stream = err == nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", ConfigKey, err)
	}
	o.setConn(c)
	return nil
}

// Send writes one message per alert. A daemon that stops reading makes the
// writes block; cancellation (the shutdown deadline) unblocks them.
func (o *Output) Send(ctx context.Context, batch []*alert.Alert) error {
	stop := context.AfterFunc(ctx, func() {
		if c := o.connNow(); c != nil {
			_ = c.SetWriteDeadline(time.Now())
		}
	})
	defer stop()
	for i, a := range batch {
		if ctx.Err() != nil {
			return &exporter.PartialError{Failed: len(batch) - i, Err: ctx.Err()}
		}
		o.buf = o.frame(o.buf[:0], a)
		if err := o.write(ctx, o.buf); err != nil {
			return &exporter.PartialError{Failed: len(batch) - i, Err: err}
		}
	}
	return nil
}

// connNow reads the connection for the cancellation callback.
func (o *Output) connNow() net.Conn {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.conn
}

func (o *Output) setConn(c net.Conn) {
	o.mu.Lock()
	o.conn = c
	o.mu.Unlock()
}

func (o *Output) write(ctx context.Context, msg []byte) error {
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if attempt > 0 && ctx.Err() != nil {
			return err // cancelled: no fresh connection without a deadline
		}
		if o.conn == nil {
			if err = o.dial(); err != nil {
				continue
			}
		}
		if _, err = o.conn.Write(msg); err == nil {
			return nil
		}
		o.conn.Close()
		o.setConn(nil)
		if errors.Is(err, syscall.EMSGSIZE) {
			return fmt.Errorf("%s: message of %d bytes too large for %s: %w", ConfigKey, len(msg), o.cfg.Socket, err)
		}
	}
	return err
}

// frame builds "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG".
func (o *Output) frame(b []byte, a *alert.Alert) []byte {
	sev := int(a.Priority)
	if sev < 0 || sev > 7 {
		sev = int(alert.PriorityDebug)
	}
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(o.facility*8+sev), 10)
	b = append(b, '>')
	b = o.now().AppendFormat(b, time.Stamp)
	b = append(b, ' ')
	b = append(b, o.cfg.Tag...)
	b = append(b, '[')
	b = append(b, o.pid...)
	b = append(b, "]: "...)
	b = o.format.AppendLine(b, a)
	if o.stream {
		b = append(b, '\n')
	}
	return b
}

// Close closes the socket.
func (o *Output) Close() error {
	if o.conn == nil {
		return nil
	}
	err := o.conn.Close()
	o.setConn(nil)
	return err
}
