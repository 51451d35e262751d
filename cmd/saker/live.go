package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/exporter/metrics"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/filter"
	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/receiver/ebpf"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
	"runtime"
)

func (a *app) run() error {
	if err := a.loadConfig(); err != nil {
		return err
	}
	return a.runLoaded()
}

func (a *app) record() error {
	if err := a.loadConfig(); err != nil {
		return err
	}
	return a.recordLoaded()
}

// signalContext is cancelled by SIGINT or SIGTERM, or after -M/--duration.
func (a *app) signalContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if a.o.duration > 0 {
		tctx, cancel := context.WithTimeout(ctx, a.o.duration)
		return tctx, func() { cancel(); stop() }
	}
	return ctx, stop
}

// hostRoot is where the host's filesystem is mounted when saker runs in a
// container: the HOST_ROOT environment variable (Falco's name; the Helm
// chart mounts the host's /etc under /host and sets HOST_ROOT=/host), else
// "/".
func hostRoot() string {
	if r := os.Getenv("HOST_ROOT"); r != "" {
		return r
	}
	return "/"
}

// liveState bootstraps the state tracker from /proc and /etc: every thread
// and fd that exists when saker starts, then events keep it. Users and
// groups come from the host's /etc (under HOST_ROOT); processes from
// HOST_ROOT/proc when the host's /proc is mounted there, else from /proc
// (a DaemonSet with hostPID sees the host's processes there).
func (a *app) liveState() (*state.State, error) {
	root := hostRoot()
	procfs := "/proc"
	if root != "/" {
		if st, err := os.Stat(filepath.Join(root, "proc", "self")); err == nil && st.IsDir() {
			procfs = filepath.Join(root, "proc")
		}
	}
	st := state.New(a.stateConfig(procfs))
	if err := st.Users().LoadEtc(root); err != nil {
		a.log.Warn("users and groups: " + err.Error())
	}
	if err := st.LoadProc(procfs); err != nil {
		return nil, err
	}
	return st, nil
}

// openProbe loads and attaches the kernel programs for the given syscall
// selection, with the ring size and snaplen of the configuration. idle, if
// not nil, is called by the reader after each empty poll.
func (a *app) openProbe(names []string, idle func()) (*ebpf.Probe, error) {
	live := a.cfg.Engine.Live()
	ratio := a.cfg.Sampling.Ratio
	if ratio == 0 {
		ratio = 1
	}
	p, err := ebpf.Open(ebpf.Config{
		RingSize:      live.BufferBytes(),
		Syscalls:      names,
		SamplingRatio: ratio,
		Snaplen:       uint32(a.cfg.FalcoLibs.Snaplen),
		Idle:          idle,
	})
	if err != nil {
		var le *ebpf.LoadError
		if errors.As(err, &le) {
			return nil, &exitError{code: 1, err: fmt.Errorf("cannot start live capture: %w", err)}
		}
		return nil, err
	}
	return p, nil
}

// syscallSelection is the interesting set for the event types a ruleset
// (or a --filter) can match and the syscalls it names that have no
// dedicated event type (traced live as generic events), with
// base_syscalls applied (Falco's semantics, computed by receiver/ebpf).
func (a *app) syscallSelection(types []event.Type, generic []string) ebpf.Selection {
	bs := a.cfg.BaseSyscalls
	sel := ebpf.SelectSyscallsForTypes(types, generic, ebpf.BaseSyscalls{CustomSet: bs.CustomSet, Repair: bs.Repair, All: bs.All})
	if len(sel.Unsupported) > 0 {
		a.log.Warn("rules use event types saker does not capture live; rules on them will not fire", "types", sel.Unsupported)
	}
	return sel
}

// recordSyscalls is what `saker record` traces: everything (as sysdig
// records everything its driver sends) unless a --filter limits the event
// types, in which case those and the state they need. A filter that any
// event type can match (proc.name=nginx) selects everything too, without
// warning about the event types no syscall writes.
func (a *app) recordSyscalls(match *filter.Filter, generic []string) []string {
	if match == nil || a.cfg.BaseSyscalls.All || match.Types == filter.AllTypes() {
		return ebpf.SelectSyscalls(nil, ebpf.BaseSyscalls{All: true}).Names
	}
	sel := a.syscallSelection(match.Types.Types(), generic)
	warnIgnored(a, sel)
	return sel.Names
}

// warnIgnored says once, at start, which I/O syscalls the rules use that
// are left out as Falco leaves them out without -A (reloads do not repeat
// it).
func warnIgnored(a *app, sel ebpf.Selection) {
	if len(sel.Ignored) == 0 {
		return
	}
	a.log.Warn("rules use I/O syscalls that are ignored by default; rules on them will not fire live. "+
		"Enable them with -A (base_syscalls.all=true) or name them in base_syscalls.custom_set",
		"syscalls", strings.Join(sel.Ignored, ","))
}

// runLoaded is live detection: rules → kernel filter → probe → state →
// drop monitor → sampling → rules → outputs, until SIGINT/SIGTERM (or -M,
// or the drop monitor's exit action). SIGUSR1 reopens the file outputs
// (logrotate); SIGHUP does too, and reloads the rules (reload.go), as do
// changed rules or configuration files with watch_config_files. The
// webserver serves /metrics, /healthz and /version.
func (a *app) runLoaded() error {
	rs, eng, err := a.loadEngine()
	if err != nil {
		return err
	}
	sel := a.syscallSelection(rs.EventTypes(), rs.GenericSyscalls())
	warnIgnored(a, sel)
	if a.o.dryRun {
		a.log.Info("dry run: configuration and rules loaded", "rules", rs.EnabledCount(), "syscalls", len(sel.Names))
		return nil
	}
	removePid, err := a.writePidFile()
	if err != nil {
		return err
	}
	defer removePid()
	samp, err := a.newSampler()
	if err != nil {
		return err
	}
	// The programs are attached before /proc is read, so a process that
	// starts in between is in the ring (its clone/exec) or in /proc, never
	// in neither; the ring holds the events until Run reads them.
	var idle func() // set once the pipeline exists, before Run
	p, err := a.openProbe(sel.Names, func() {
		if idle != nil {
			idle()
		}
	})
	if err != nil {
		return err
	}
	defer p.Close()
	st, err := a.liveState()
	if err != nil {
		return err
	}
	attachState(eng, st)
	res := a.startCRI(st)
	if res != nil {
		defer a.stopCRI(res)
	}
	out, err := a.newOutputs()
	if err != nil {
		return err
	}
	host, _ := a.cfg.AlertHostname()
	mgr, err := drops.New(a.cfg.SyscallEventDrops, drops.Options{
		Counters: kernelCounters(p), Alert: out.Enqueue, Logger: a.log, Hostname: host, EBPF: true,
		JSONOutput: a.cfg.JSONOutput, ISO8601: a.cfg.TimeFormatISO8601,
	})
	if err != nil {
		_ = out.Close(context.Background())
		return err
	}
	ctx, stop := a.signalContext()
	defer stop()
	go fields.Names.Run(ctx, nameRefreshInterval)
	ctrl, err := a.startController(ctx, p, samp)
	if err != nil {
		_ = out.Close(context.Background())
		return err
	}
	counters := &drops.EventCounters{}
	pl := &pipeline{st: st, eng: eng, samp: samp, mgr: mgr, counters: counters,
		source: drops.SourceEBPF, emit: out.Enqueue, cri: res}
	pl.cur.Store(eng)
	reloads := &reloadCounts{}
	src := metrics.Sources{
		Kernel: kernelSource(p), Events: counters.Snapshot, Sampler: samp, Controller: ctrl,
		Drops: mgr, Rules: ruleMatchesOf(pl.current), Outputs: out.Stats, RuleReloads: reloads.snapshot,
	}
	if res != nil {
		src.ContainerLookups = func() metrics.ContainerLookups {
			s := res.Stats()
			return metrics.ContainerLookups{Resolved: s.Resolved, NotFound: s.NotFound, Failed: s.Failed, Dropped: s.Dropped}
		}
	}
	tel, err := a.startTelemetry(src, true)
	if err != nil {
		_ = out.Close(context.Background())
		return err
	}
	timeouts, err := drops.NewTimeoutMonitor(a.cfg.SyscallEventTimeouts, drops.Options{
		Alert: out.Enqueue, Logger: a.log, Hostname: host, EBPF: true,
		JSONOutput: a.cfg.JSONOutput, ISO8601: a.cfg.TimeFormatISO8601,
	})
	if err != nil {
		_ = out.Close(context.Background())
		return err
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	pl.timeouts, pl.onExit = timeouts, cancelRun
	idle = pl.idle
	a.log.Info("saker running", "rules", rs.EnabledCount(), "syscalls", len(sel.Names), "version", config.Version)

	// SIGUSR1 reopens the file outputs (log rotation), as in Falco;
	// SIGHUP too (saker's older word for it), and reloads the rules
	// (Falco restarts on it; see reload.go).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	hup := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case sig := <-sigs:
				out.Reopen()
				if sig == syscall.SIGHUP {
					select {
					case hup <- struct{}{}:
					default: // one is pending already
					}
				}
			case <-runCtx.Done():
				return
			}
		}
	}()
	go newReloader(a, st, p, pl, sel.Names, reloads).watch(runCtx, hup)
	runErr := p.Run(runCtx, pl.process)
	pl.flush()
	return a.shutdown(out, tel, pl.eng.Summary(), mgr, runErr, pl.exited)
}

// newSampler builds the engine sampler with sampling.ratio and
// sampling.multiplier.
func (a *app) newSampler() (*sampling.Sampler, error) {
	s := sampling.New(uint64(time.Now().UnixNano()))
	if r := a.cfg.Sampling.Ratio; r > 0 {
		if err := s.SetRatio(r); err != nil {
			return nil, err
		}
	}
	if err := s.SetMultiplier(a.cfg.Sampling.Multiplier); err != nil {
		return nil, err
	}
	return s, nil
}

// startController runs the adaptive sampling controller in adaptive mode:
// it watches ring fill and kernel drops and sets the ratio on the kernel
// and the engine together. Fixed mode returns nil.
func (a *app) startController(ctx context.Context, p *ebpf.Probe, samp *sampling.Sampler) (*sampling.Controller, error) {
	if a.cfg.Sampling.Mode != sampling.ModeAdaptive {
		return nil, nil
	}
	floor := a.cfg.Sampling.Ratio
	if floor == 0 {
		floor = 1
	}
	pressure := func() sampling.Pressure {
		s, err := p.Stats()
		if err != nil {
			return sampling.Pressure{}
		}
		return sampling.Pressure{FillRatio: p.MaxRingFill(), Drops: s.Kernel.Drops()}
	}
	ctrl, err := sampling.NewController(a.cfg.Sampling.Adaptive, floor, pressure, a.log, p, samp)
	if err != nil {
		return nil, err
	}
	go func() {
		if err := ctrl.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("adaptive sampling controller stopped", "err", err)
		}
	}()
	return ctrl, nil
}

// recordLoaded is `saker record -w FILE`: live events written to a capture
// with the live state (threads, fds, users) as its PL/FDL/UL blocks. With
// --filter only matching events are written, plus every state-keeping
// event so the capture replays with correct state.
func (a *app) recordLoaded() error {
	if a.o.recordFile == "" {
		return &exitError{code: 2, err: errors.New("saker record: -w FILE is required")}
	}
	removePid, err := a.writePidFile()
	if err != nil {
		return err
	}
	defer removePid()
	var match *filter.Filter
	var generic []string
	ctx := &fields.Ctx{}
	if a.o.recordFilter != "" {
		expr, err := condition.Parse(a.o.recordFilter)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--filter: %w", err)}
		}
		cp := &filter.Compiler{Fields: fields.Default}
		if match, _, err = cp.Compile(expr); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--filter: %w", err)}
		}
		generic = filter.GenericSyscalls(expr)
	}
	names := a.recordSyscalls(match, generic)
	// Attach first, then read /proc (see runLoaded): the capture's process
	// list and its first events then overlap instead of leaving a gap.
	p, err := a.openProbe(names, nil)
	if err != nil {
		return err
	}
	defer p.Close()
	st, err := a.liveState()
	if err != nil {
		return err
	}
	host, _ := a.cfg.AlertHostname()
	md := st.Snapshot(state.SnapshotOptions{})
	md.Machine = machineInfo(host)
	w, err := scap.Create(a.o.recordFile, md, scap.WriterOptions{Gzip: true})
	if err != nil {
		return err
	}
	ctx.State = st
	var n, written uint64
	var werr error
	rctx, stop := a.signalContext()
	defer stop()
	runErr := p.Run(rctx, func(ev *event.Event) {
		n++
		st.Update(ev)
		if match != nil && !sampling.KeepsState(ev.Type()) {
			ctx.Reset(ev)
			if !match.Match(ctx) {
				return
			}
		}
		if werr == nil {
			if werr = w.WriteEvent(ev); werr == nil {
				written++
			}
		}
	})
	if err := w.Close(); err != nil && werr == nil {
		werr = err
	}
	a.log.Info("capture written", "file", a.o.recordFile, "events", written, "seen", n)
	return errors.Join(runErr, werr)
}

func machineInfo(host string) *scap.MachineInfo {
	mi := &scap.MachineInfo{Hostname: host}
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		mi.MemorySizeBytes = uint64(si.Totalram) * uint64(si.Unit)
		mi.BootTimeEpoch = uint64(time.Now().Add(-time.Duration(si.Uptime) * time.Second).UnixNano())
	}
	mi.NumCPUs = uint32(runtime.NumCPU())
	return mi
}
