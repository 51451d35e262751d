package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/eventprint"
	"github.com/sakersec/saker/exporter/metrics"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// replayProgress, when set (tests), is called on the replay's event
// loop every 1024 events, with the count so far.
var replayProgress func(n int)

// shutdownTimeout bounds the final flush of the outputs and metrics.
const shutdownTimeout = 10 * time.Second

// replay is `saker replay FILE`: the configuration is loaded, then the
// capture is replayed.
func (a *app) replay(path string) error {
	if err := a.loadConfig(); err != nil {
		return err
	}
	return a.replayLoaded(path)
}

// replayLoaded evaluates the rules on every event of a capture and sends
// the alerts to the configured outputs, then prints Falco's summary. With
// --print-events it prints the events instead, as `sysdig -r` does.
//
// Old captures hold enter/exit pairs and old event versions: the state
// and the rules see each event as the converter upgrades it, while the
// printer prints the original, as sysdig shows it.
func (a *app) replayLoaded(path string) error {
	if a.o.dryRun {
		rs, _, err := a.loadEngine()
		if err != nil {
			return err
		}
		a.log.Info("dry run: configuration and rules loaded", "rules", rs.EnabledCount())
		return nil
	}
	removePid, err := a.writePidFile()
	if err != nil {
		return err
	}
	defer removePid()
	// mapped: events are read where the page cache holds them; the
	// loops below run in r.Guard, which makes a file truncated under
	// them an error
	r, err := scap.OpenOptions(path, scap.Options{Map: true})
	if err != nil {
		return err
	}
	st := state.New(a.stateConfig(""))
	st.LoadCapture(r.Metadata())
	src := openCapture(r)
	defer src.Close()

	if a.o.printEvents {
		return r.Guard(func() error { return a.printEvents(path, src, st) })
	}

	_, eng, err := a.loadEngine()
	if err != nil {
		return err
	}
	attachState(eng, st)
	out, err := a.newOutputs()
	if err != nil {
		return err
	}
	host, _ := a.cfg.AlertHostname()
	// A capture has no kernel counters: the drop monitor only acts with
	// simulate_drops (Falco's test aid), but it runs as it would live.
	mgr, err := drops.New(a.cfg.SyscallEventDrops, drops.Options{
		Alert: out.Enqueue, Logger: a.log, Hostname: host,
		JSONOutput: a.cfg.JSONOutput, ISO8601: a.cfg.TimeFormatISO8601,
	})
	if err != nil {
		return err
	}
	samp, err := a.newSampler()
	if err != nil {
		return err
	}
	samp.FollowDropEvents(true) // drop-enter/exit events in the capture set the ratio
	counters := &drops.EventCounters{}
	tel, err := a.startTelemetry(metrics.Sources{
		Events: counters.Snapshot, Sampler: samp, Drops: mgr,
		Rules: ruleMatches(eng), Outputs: out.Stats,
	}, false)
	if err != nil {
		return err
	}
	p := &pipeline{st: st, eng: eng, samp: samp, mgr: mgr, counters: counters, source: drops.SourceScap, emit: out.Enqueue}

	var deadline time.Time
	if a.o.duration > 0 {
		deadline = time.Now().Add(a.o.duration)
	}
	loopErr := r.Guard(func() error {
		for n := 0; !p.exited && src.Next(); n++ {
			p.process(src.Event())
			if n&1023 == 0 {
				if replayProgress != nil {
					replayProgress(n)
				}
				if !deadline.IsZero() && time.Now().After(deadline) {
					break
				}
			}
		}
		return src.Err()
	})
	if loopErr != nil {
		counters.DecodeError()
		loopErr = fmt.Errorf("%s: %w", path, loopErr)
	}
	p.flush()
	return a.shutdown(out, tel, eng.Summary(), mgr, loopErr, p.exited)
}

// printEvents prints every event of the capture as `sysdig -r` does: the
// original event, after the state has seen its converted form, and only
// the events sysdig shows.
func (a *app) printEvents(path string, src captureSource, st *state.State) error {
	pr := eventprint.New(a.stdout, nil)
	for src.Next() {
		st.Update(src.Event())
		if src.Visibility() != scap.Visible {
			continue
		}
		if err := pr.Print(src.Original(), st); err != nil {
			return err
		}
	}
	if err := pr.Flush(); err != nil {
		return err
	}
	if err := src.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// shutdown ends a run: the outputs flush what they hold (within
// shutdownTimeout), the telemetry stops, Falco's summaries are printed
// (rule counts on stdout, the drop monitor's on stderr) and the exit code is
// decided — 1 when the drop monitor's exit action fired.
func (a *app) shutdown(out interface {
	Close(context.Context) error
}, tel *telemetry, summary string, mgr *drops.Manager, loopErr error, dropExit bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := out.Close(ctx); err != nil {
		a.log.Warn("outputs did not deliver everything before the shutdown deadline", "err", err)
	}
	if tel != nil {
		if err := tel.close(ctx); err != nil {
			a.log.Warn("telemetry shutdown", "err", err)
		}
	}
	fmt.Fprint(a.stdout, summary)
	if mgr != nil {
		mgr.WriteSummary(a.stderr)
	}
	if loopErr != nil {
		return loopErr
	}
	if dropExit {
		return &exitError{code: 1}
	}
	return nil
}

// stateConfig maps falco_libs to the state tracker's bounds.
func (a *app) stateConfig(procfs string) state.Config {
	return state.Config{
		MaxThreads:    a.cfg.FalcoLibs.ThreadTableSize,
		PurgeInterval: time.Duration(a.cfg.FalcoLibs.ThreadTableAutoPurgingIntervalS) * time.Second,
		ThreadTimeout: time.Duration(a.cfg.FalcoLibs.ThreadTableAutoPurgingThreadTimeout) * time.Second,
		ProcFS:        procfs,
	}
}
