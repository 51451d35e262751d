package main

import (
	"context"
	"time"

	"github.com/sakersec/saker/receiver/cri"
	"github.com/sakersec/saker/receiver/state"
)

// criDialTimeout bounds the Version call that tells whether a socket has a
// runtime behind it.
const criDialTimeout = 2 * time.Second

// criRedialEvery is how often saker tries the CRI sockets again while no
// runtime answers (a variable: tests shorten it).
var criRedialEvery = 10 * time.Second

// criWaiting, when set (tests), is called once saker waits for a runtime.
var criWaiting func()

// startCRI connects to the first CRI runtime of container_engines.cri
// (sockets under HOST_ROOT, as /proc), adds the metadata of the containers
// that exist now to st, and returns the resolver the event loop asks for
// the others. When no runtime answers yet (a node booting: the DaemonSet
// may start before its runtime) the resolver tries the sockets again
// every criRedialEvery, and containers are known by their cgroup id only
// until one answers; saker says so, and again when it connects. nil when
// the CRI is disabled.
func (a *app) startCRI(st *state.State) *cri.Resolver {
	cfg := a.cfg.ContainerEngines.CRI
	if !cfg.Enabled {
		return nil
	}
	ctx := context.Background()
	dial := func(ctx context.Context) (*cri.Client, error) {
		return cri.Dial(ctx, hostRoot(), cfg.Sockets, criDialTimeout)
	}
	// connected says which runtime answers and what its listing gave
	connected := func(msg string, c *cri.Client, listed int, err error, more ...any) {
		if err != nil {
			a.log.Warn("container metadata: listing the runtime's containers", "err", err)
		}
		a.log.Info(msg, append([]any{"socket", c.Socket, "runtime", c.Runtime, "version", c.Version, "containers", listed}, more...)...)
	}
	c, err := dial(ctx)
	if err != nil {
		a.log.Info("container metadata: no CRI runtime yet, containers are known by their cgroup id only; trying again",
			"every", criRedialEvery, "reason", err.Error())
		r := cri.NewWaitingResolver(dial, cri.Options{RedialEvery: criRedialEvery}, cfg.DisableAsync, a.log,
			func(c *cri.Client, listed int, err error) {
				connected("container metadata from the CRI, the runtime answering now", c, listed, err)
			})
		if criWaiting != nil {
			criWaiting()
		}
		return r
	}
	r := cri.NewResolver(c, cri.Options{}, cfg.DisableAsync, a.log)
	start := time.Now()
	cs, err := r.Bootstrap(ctx)
	for _, m := range cs {
		st.AddContainer(m)
	}
	connected("container metadata from the CRI", c, len(cs), err, "took", time.Since(start).Round(time.Millisecond))
	return r
}

// stopCRI closes the resolver and reports its lookups.
func (a *app) stopCRI(r *cri.Resolver) {
	s := r.Stats()
	a.log.Debug("container metadata lookups", "lookups", s.Lookups, "resolved", s.Resolved, "not_found", s.NotFound,
		"failed", s.Failed, "dropped", s.Dropped)
	_ = r.Close()
}
