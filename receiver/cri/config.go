package cri

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Config is Falco's container_engines.cri section.
type Config struct {
	// Enabled turns the CRI client on (default true).
	Enabled bool `koanf:"enabled"`
	// Sockets are the runtime sockets tried in order; the first that
	// exists and answers Version is used.
	Sockets []string `koanf:"sockets"`
	// DisableAsync makes the event loop wait for each lookup (up to
	// Timeout) instead of going on without the metadata: the first events
	// of a new container then have it, at the cost of stalling every event
	// behind the runtime's answer. Falco's --disable-cri-async.
	DisableAsync bool `koanf:"disable_async"`
}

// DefaultSockets are Falco's: containerd, CRI-O, k3s's containerd.
var DefaultSockets = []string{"/run/containerd/containerd.sock", "/run/crio/crio.sock", "/run/k3s/containerd/containerd.sock"}

// Validate checks the socket paths.
func (c *Config) Validate() error {
	var errs []error
	if c.Enabled && len(c.Sockets) == 0 {
		errs = append(errs, errors.New("container_engines.cri.sockets: empty while container_engines.cri.enabled is true; list at least one socket path"))
	}
	for i, s := range c.Sockets {
		s = strings.TrimPrefix(s, "unix://")
		if !filepath.IsAbs(s) {
			errs = append(errs, fmt.Errorf("container_engines.cri.sockets[%d]: %q is not an absolute path to a unix socket", i, c.Sockets[i]))
		}
	}
	return errors.Join(errs...)
}

// Options tune the client beyond what configuration exposes; zero values
// take the defaults.
type Options struct {
	// Timeout bounds each CRI call (default 1 s).
	Timeout time.Duration
	// Workers run lookups concurrently (default 2).
	Workers int
	// Queue bounds the ids waiting for a worker (default 256); an id
	// that does not fit is counted as dropped and asked again later.
	Queue int
	// RetryAfter is how long an id that could not be resolved (not found,
	// runtime down, queue full) is left alone before it is asked again
	// (default 10 s).
	RetryAfter time.Duration
	// BootstrapTimeout bounds the listing of existing containers at start
	// (default 5 s).
	BootstrapTimeout time.Duration
	// RedialEvery is how often a resolver waiting for its runtime
	// (NewWaitingResolver) tries the sockets again (default 10 s).
	RedialEvery time.Duration
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = 10 * time.Second
	}
	if o.BootstrapTimeout <= 0 {
		o.BootstrapTimeout = 5 * time.Second
	}
	if o.RedialEvery <= 0 {
		o.RedialEvery = 10 * time.Second
	}
}
