package otlp

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/exporter/otlpclient"
)

// OutputName is the name the output registers under in the dispatcher.
const OutputName = "otlp"

// Settings are the parts of the exporter that do not come from its config.
type Settings struct {
	// ServiceVersion is saker's version (service.version, scope version).
	ServiceVersion string
	// Hostname is host.name for alerts that carry no hostname; empty means
	// os.Hostname().
	Hostname string
	// Logger gets retry notices; nil means slog.Default().
	Logger *slog.Logger
}

// New builds the exporter from a validated, enabled config. The connection
// is established lazily, so a collector that is down at start is not an
// error: alerts queue and are retried.
func New(cfg Config, set Settings) (*Exporter, error) {
	if !cfg.Enabled {
		return nil, fmt.Errorf("%s: not enabled", ConfigKey)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	conn, err := cfg.Config.Resolve(ConfigKey)
	if err != nil {
		return nil, err
	}
	host := set.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	e := &Exporter{cfg: cfg, conn: conn, conv: newConverter(cfg.Resource, set.ServiceVersion, host), log: set.Logger, now: time.Now}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.log = e.log.With("output", OutputName)
	if conn.Protocol == otlpclient.ProtocolGRPC {
		e.sender, err = newGRPCSender(conn, cfg.Retry)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ConfigKey, err)
		}
	} else {
		e.sender = newHTTPSender(conn, set.ServiceVersion)
	}
	return e, nil
}

// NewDestination builds the exporter and pairs it with its queue settings
// for exporter.New.
func NewDestination(cfg Config, set Settings) (exporter.Destination, error) {
	e, err := New(cfg, set)
	if err != nil {
		return exporter.Destination{}, err
	}
	return exporter.Destination{Name: OutputName, Output: e, Queue: e.QueueConfig()}, nil
}
