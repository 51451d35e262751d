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

// startCRI connects to the first CRI runtime of container_engines.cri
// (sockets under HOST_ROOT, as /proc), adds the metadata of the containers
// that exist now to st, and returns the resolver the event loop asks for
// the others. nil when the CRI is disabled or no runtime answers: saker
// then knows containers by their cgroup id only, which it says once.
func (a *app) startCRI(st *state.State) *cri.Resolver {
	cfg := a.cfg.ContainerEngines.CRI
	if !cfg.Enabled {
		return nil
	}
	ctx := context.Background()
	c, err := cri.Dial(ctx, hostRoot(), cfg.Sockets, criDialTimeout)
	if err != nil {
		a.log.Info("container metadata: no CRI runtime, containers are known by their cgroup id only", "reason", err.Error())
		return nil
	}
	r := cri.NewResolver(c, cri.Options{}, cfg.DisableAsync, a.log)
	start := time.Now()
	cs, err := r.Bootstrap(ctx)
	for _, m := range cs {
		st.AddContainer(m)
	}
	if err != nil {
		a.log.Warn("container metadata: listing the runtime's containers", "err", err)
	}
	a.log.Info("container metadata from the CRI", "socket", c.Socket, "runtime", c.Runtime, "version", c.Version,
		"containers", len(cs), "took", time.Since(start).Round(time.Millisecond))
	return r
}

// stopCRI closes the resolver and reports its lookups.
func (a *app) stopCRI(r *cri.Resolver) {
	s := r.Stats()
	a.log.Debug("container metadata lookups", "lookups", s.Lookups, "resolved", s.Resolved, "not_found", s.NotFound,
		"failed", s.Failed, "dropped", s.Dropped)
	_ = r.Close()
}
