package main

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/exporter/metrics"
	"github.com/sakersec/saker/receiver/ebpf"
	"github.com/sakersec/saker/receiver/state"
)

// Reloading rules while running live, as Falco does on SIGHUP and, with
// watch_config_files (default true), when a rules or configuration file
// changes (falcoctl updating the rules beside it, a ConfigMap swapped).
//
// Falco restarts itself for that: it stops capturing, forgets its state
// and starts again, and dies if the new rules do not load. saker rebuilds
// only what the rules and configuration make, off the event loop: the
// configuration is loaded again, the rules loaded and compiled, the
// kernel's syscall filter set to what the new rules need; then the event
// loop takes the new engine at its next flush (every 256 events, or when
// idle). Capture and state carry on, so no event is missed, and rules that
// do not load leave the running ones in force (the errors are printed and
// logged). What a reload applies: the rules files, rules enable/disable,
// priority, rule_matching, append_output, static_fields, the alert time
// format and -p; the rule match counters go on from the old engine's
// (Engine.Continue, where Falco's restart zeroes them). Other settings
// (outputs, metrics, sampling, drops, engine) are read at start only: a
// changed one is logged as waiting for a restart.
//
// Files are watched by polling their size, modification time and inode
// every second (directories of rules files: their *.yaml listing too), and
// a change is acted on once the files have stayed the same for a poll, so
// a file being written is not loaded half-way.

// reloadPoll is how often the watched files are checked (a variable:
// tests shorten it).
var reloadPoll = time.Second

// rulesReloaded, when set (tests), is called after every reload attempt
// with its error (nil: the new rules are in force on the next flush).
var rulesReloaded func(err error)

// reloader reloads the rules of a live run. Its methods run on the
// goroutine of watch only.
type reloader struct {
	a        *app
	cfg      *config.Config // the configuration in force
	st       *state.State
	probe    *ebpf.Probe
	pl       *pipeline
	syscalls []string // the kernel's interesting set now
	watched  string   // fingerprint of the files when last acted on
	seen     string   // fingerprint at the last poll
	counts   *reloadCounts
}

// reloadCounts count reload attempts by outcome, for the metrics.
type reloadCounts struct{ succeeded, failed atomic.Uint64 }

func (c *reloadCounts) snapshot() metrics.RuleReloads {
	return metrics.RuleReloads{Succeeded: c.succeeded.Load(), Failed: c.failed.Load()}
}

func newReloader(a *app, st *state.State, probe *ebpf.Probe, pl *pipeline, syscalls []string, counts *reloadCounts) *reloader {
	r := &reloader{a: a, cfg: a.cfg, st: st, probe: probe, pl: pl, syscalls: slices.Clone(syscalls), counts: counts}
	r.watched = r.fingerprint()
	r.seen = r.watched
	return r
}

// watch reloads on each value of hup and, when watch_config_files is on,
// when the files change, until ctx ends.
func (r *reloader) watch(ctx context.Context, hup <-chan struct{}) {
	var tick <-chan time.Time
	if r.cfg.WatchConfigFiles {
		t := time.NewTicker(reloadPoll)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r.reload("SIGHUP")
		case <-tick:
			if !r.cfg.WatchConfigFiles {
				continue // turned off by a reload
			}
			fp := r.fingerprint()
			if fp != r.seen {
				r.seen = fp // changing: wait until it stays
				continue
			}
			if fp != r.watched {
				r.reload("files changed")
			}
		}
	}
}

// reload loads the configuration and rules again and hands the new
// engine to the event loop, or keeps the running one if anything fails.
func (r *reloader) reload(why string) {
	err := r.rebuild(why)
	// acted on: a failed reload is not retried until the files change
	r.watched = r.fingerprint()
	r.seen = r.watched
	if err != nil {
		r.counts.failed.Add(1)
		r.a.log.Error("rules reload failed; the rules in force stay", "trigger", why, "err", err)
	} else {
		r.counts.succeeded.Add(1)
	}
	if rulesReloaded != nil {
		rulesReloaded(err)
	}
}

func (r *reloader) rebuild(why string) error {
	cfg, err := config.Load(config.LoadOptions{File: config.ResolveFile(r.a.o.configFile), CommandLine: &r.a.o.cl})
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	na := *r.a
	na.cfg = cfg
	rs, eng, err := na.loadEngine()
	if err != nil {
		return err
	}
	sel := na.syscallSelection(rs.EventTypes(), rs.GenericSyscalls())
	if !slices.Equal(sel.Names, r.syscalls) {
		if err := r.probe.SetSyscalls(sel.Names); err != nil {
			return err
		}
		r.syscalls = slices.Clone(sel.Names)
	}
	attachState(eng, r.st)
	r.pl.adopt(eng)
	r.a.log.Info("rules reloaded", "trigger", why, "rules", rs.EnabledCount(), "syscalls", len(sel.Names))
	if keys := restartOnly(r.cfg, cfg); len(keys) > 0 {
		r.a.log.Warn("configuration changed beyond the rules; those settings apply at the next restart",
			"keys", strings.Join(keys, ","))
	}
	r.cfg = cfg
	return nil
}

// reloadable are the top-level fields of config.Config a reload applies.
var reloadable = map[string]bool{
	"ConfigFiles": true, "WatchConfigFiles": true, "RulesFiles": true, "RulesFile": true, "Rules": true,
	"Priority": true, "RuleMatching": true, "AppendOutput": true, "StaticFields": true, "TimeFormatISO8601": true,
}

// restartOnly names the settings that differ between old and new but
// that a reload does not apply (their koanf keys, or the Go field name).
func restartOnly(old, cur *config.Config) []string {
	var keys []string
	o, c := reflect.ValueOf(old).Elem(), reflect.ValueOf(cur).Elem()
	t := o.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || reloadable[f.Name] {
			continue
		}
		if !reflect.DeepEqual(o.Field(i).Interface(), c.Field(i).Interface()) {
			name, _, _ := strings.Cut(f.Tag.Get("koanf"), ",")
			if name == "" {
				name = f.Name
			}
			keys = append(keys, name)
		}
	}
	return keys
}

// fingerprint identifies the current state of the watched files: the
// configuration files and the rules files (directories expanded).
func (r *reloader) fingerprint() string {
	var b strings.Builder
	files := slices.Clone(r.cfg.Files())
	for _, e := range rulesEntries(r.cfg) {
		if e == BuiltinRules {
			continue
		}
		files = append(files, e)
		if st, err := os.Stat(e); err == nil && st.IsDir() {
			if paths, err := rulesFiles([]string{e}); err == nil {
				files = append(files, paths...)
			}
		}
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			fmt.Fprintf(&b, "%s: -\n", f)
			continue
		}
		fmt.Fprintf(&b, "%s: %d %d %d\n", f, st.Size(), st.ModTime().UnixNano(), inode(st))
	}
	return b.String()
}

// inode is the file's inode number (0 where the platform has none).
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
