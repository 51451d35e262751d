package main

import (
	"context"
	"errors"
	"os"

	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/engine"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/exporter/metrics"
	"github.com/sakersec/saker/receiver/ebpf"
)

// telemetry is saker's own observability for one run: the metrics (read
// at collection time from their sources), the webserver serving /metrics,
// /healthz and /version, the OTLP metrics push and the --stats-file writer.
type telemetry struct {
	m     *metrics.Metrics
	srv   *metrics.Server
	stats *metrics.StatsWriter
}

func buildInfo() metrics.BuildInfo {
	return metrics.BuildInfo{Version: config.Version, EngineVersion: rules.EngineVersion}
}

// startTelemetry starts what the configuration enables. serve says whether
// the webserver may listen (live runs; a replay is too short to scrape).
func (a *app) startTelemetry(src metrics.Sources, serve bool) (*telemetry, error) {
	t := &telemetry{}
	host, _ := a.cfg.AlertHostname()
	opts := metrics.Options{Build: buildInfo(), Hostname: host, Logger: a.log, PushInterval: a.cfg.Metrics.OTLP.Interval}
	if a.cfg.Metrics.Enabled {
		conn, err := a.cfg.Metrics.ResolveOTLP(a.cfg.OTLP.Config, a.cfg.OTLP.Enabled, os.Getenv)
		if err != nil {
			return nil, err
		}
		opts.OTLP = conn
	}
	m, err := metrics.New(src, opts)
	if err != nil {
		return nil, err
	}
	t.m = m
	if serve && a.cfg.Webserver.Enabled {
		ep := metrics.Endpoints{Build: buildInfo()}
		if a.cfg.Metrics.Enabled {
			ep.Metrics = m.Handler()
		}
		if t.srv, err = metrics.NewServer(a.cfg.Webserver, ep, a.log); err != nil {
			t.close(context.Background())
			return nil, err
		}
	}
	if a.o.statsFile != "" {
		interval := a.o.statsInterval
		if interval == 0 {
			interval = metrics.DefaultStatsInterval
		}
		if t.stats, err = metrics.StartStatsWriter(a.o.statsFile, interval, m.Registry(), a.log); err != nil {
			t.close(context.Background())
			return nil, err
		}
	}
	return t, nil
}

// close stops the stats writer (writing a last line), pushes the last OTLP
// metrics and stops the webserver.
func (t *telemetry) close(ctx context.Context) error {
	var errs []error
	if t.stats != nil {
		errs = append(errs, t.stats.Close())
	}
	if t.m != nil {
		errs = append(errs, t.m.Shutdown(ctx))
	}
	if t.srv != nil {
		errs = append(errs, t.srv.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// ruleMatches reads the engine's per-rule counts for saker_rules_matches_total.
func ruleMatches(eng *engine.Engine) func([]metrics.RuleMatch) []metrics.RuleMatch {
	return ruleMatchesOf(func() *engine.Engine { return eng })
}

// ruleMatchesOf is ruleMatches for the engine cur returns at each call
// (live: the one in force since the last rules reload).
func ruleMatchesOf(cur func() *engine.Engine) func([]metrics.RuleMatch) []metrics.RuleMatch {
	return func(dst []metrics.RuleMatch) []metrics.RuleMatch {
		for _, c := range cur().Counts() {
			dst = append(dst, metrics.RuleMatch{Rule: c.Rule.Name, Priority: c.Rule.Priority, Count: c.Count})
		}
		return dst
	}
}

// fillDropCounters maps the probe's counters onto Falco's scap_stats names.
func fillDropCounters(c *drops.Counters, k *ebpf.Counters) {
	c.NEvts = k.Events
	c.NDropsBuffer = k.DropsBuffer
	copy(c.NDropsBufferExit[:], k.DropsBufferByCategory[:drops.NumBufferCategories])
	c.NDropsScratchMap = k.DropsScratch
	c.NDropsMaxEventSize = k.DropsMaxEventSize
	c.NDrops = c.Total()
}

// kernelCounters reads the probe's counters for the drop monitor.
func kernelCounters(p *ebpf.Probe) func(*drops.Counters) {
	return func(c *drops.Counters) {
		if s, err := p.Stats(); err == nil {
			fillDropCounters(c, &s.Kernel)
		}
	}
}

// kernelSource reads the probe's counters for the metrics.
func kernelSource(p *ebpf.Probe) func(*metrics.Kernel) bool {
	return func(k *metrics.Kernel) bool {
		s, err := p.Stats()
		if err != nil {
			return false
		}
		fillDropCounters(&k.Counters, &s.Kernel)
		k.Sampled = s.Kernel.Sampled
		k.FillRatio = p.MaxRingFill()
		return true
	}
}

// outputStats reads the dispatcher's per-output counters.
func outputStats(d *exporter.Dispatcher) func([]exporter.Stats) []exporter.Stats {
	return d.Stats
}
