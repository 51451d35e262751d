package ebpf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/bpf"
	"github.com/sakersec/saker/receiver/event"
)

// Defaults of Config.
const (
	DefaultRingSize     = 8 << 20
	DefaultSnaplen      = 80
	DefaultPollInterval = time.Millisecond
	DefaultMaxPoll      = 30 * time.Millisecond
	DefaultBatch        = 4096
)

// Config configures Open. The zero value is usable: every field has a
// default.
type Config struct {
	// RingSize is the size in bytes of each CPU's ring buffer: a power of
	// two and a multiple of the page size. Default 8 MiB.
	RingSize int
	// Syscalls is the initial interesting set: names of Supported (which
	// includes "procexit") or Generic. Usually the Names of a
	// SelectSyscalls result. Empty: nothing is traced until SetSyscalls.
	Syscalls []string
	// SamplingRatio is the initial kernel sampling ratio (1, 2, 4, … 128).
	// Default 1: no sampling.
	SamplingRatio uint32
	// Snaplen is how many bytes of I/O data (send/recv buffers, module
	// images) events carry. Default 80, at most 4096.
	Snaplen uint32
	// PollInterval is how long the reader sleeps when every ring is
	// empty after a poll that found events. Default 1 ms.
	PollInterval time.Duration
	// MaxPoll is the longest the reader sleeps: each poll in a row that
	// finds every ring empty doubles the sleep, from PollInterval up to
	// MaxPoll; a poll that finds an event brings it back to PollInterval.
	// An idle host then costs about 33 wakeups a second instead of 1000,
	// and Falco's syscall_event_timeouts (max_consecutives empty polls,
	// 1000 by default) means about 30 s without an event, as with
	// libscap's empty-buffer wait (0.5 ms doubling to 30 ms). The rings
	// absorb what arrives meanwhile: 8 MiB a CPU is 30 ms of more than
	// 250 MB/s. Default 30 ms (at least PollInterval).
	MaxPoll time.Duration
	// Batch is how many events the reader delivers before it hands the
	// consumed ring space back to the kernel. Default 4096.
	Batch int
	// Idle, when set, is called on Run's goroutine after a poll found
	// every ring empty, before the reader sleeps: the event loop uses it
	// to publish its counters and to count consecutive empty polls
	// (Falco's syscall_event_timeouts). It must not block.
	Idle func()

	// noCwd leaves cwd empty in clone and execve events: the baseline of
	// BenchmarkProcessEventCwd.
	noCwd bool
}

func (c *Config) withDefaults() (Config, error) {
	out := *c
	if out.RingSize == 0 {
		out.RingSize = DefaultRingSize
	}
	page := os.Getpagesize()
	if out.RingSize < page || out.RingSize&(out.RingSize-1) != 0 {
		return out, fmt.Errorf("ring size %d: must be a power of two and at least the page size (%d)", out.RingSize, page)
	}
	if out.SamplingRatio == 0 {
		out.SamplingRatio = 1
	}
	if err := checkRatio(out.SamplingRatio); err != nil {
		return out, err
	}
	if out.Snaplen == 0 {
		out.Snaplen = DefaultSnaplen
	}
	if out.Snaplen > 4096 {
		return out, fmt.Errorf("snaplen %d: at most 4096", out.Snaplen)
	}
	if out.PollInterval <= 0 {
		out.PollInterval = DefaultPollInterval
	}
	if out.MaxPoll <= 0 {
		out.MaxPoll = DefaultMaxPoll
	}
	out.MaxPoll = max(out.MaxPoll, out.PollInterval)
	if out.Batch <= 0 {
		out.Batch = DefaultBatch
	}
	return out, nil
}

// Probe is the loaded and attached kernel side plus its ring readers.
type Probe struct {
	cfg   Config
	objs  bpf.ProbeObjects
	links []link.Link
	inner []*ebpf.Map
	rings []*ring

	mu       sync.Mutex // serialises SetSyscalls and SetSamplingRatio
	ratio    uint32
	procexit uint32

	runMu   sync.Mutex   // held while Run runs
	mapMu   sync.RWMutex // guards the ring mappings against Close
	closing atomic.Bool
	closed  bool

	received     atomic.Uint64
	decodeErrors atomic.Uint64

	bootTime uint64 // added to boot-clock ns to make event timestamps
}

// Open loads the kernel programs, creates one ring buffer per possible CPU,
// writes the interesting set and sampling ratio and attaches the programs.
// Events flow into the rings from then on; call Run to read them and Close
// to detach. When BPF cannot be loaded the error is a *LoadError naming the
// missing capability or kernel feature.
func Open(cfg Config) (*Probe, error) {
	p, err := load(cfg)
	if err != nil {
		return nil, err
	}
	if err := p.attach(); err != nil {
		p.release()
		return nil, err
	}
	return p, nil
}

// load does everything Open does but attach.
func load(cfg Config) (*Probe, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ifaces, procexit, err := syscallFilter(c.Syscalls)
	if err != nil {
		return nil, err
	}
	_ = rlimit.RemoveMemlock() // needed before 5.11 only; failure shows up at load

	spec, err := bpf.LoadProbe()
	if err != nil {
		return nil, fmt.Errorf("bpf object: %w", err)
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, fmt.Errorf("possible CPUs: %w", err)
	}
	boot, err := bootTimeNs()
	if err != nil {
		return nil, err
	}
	fillCwd := uint32(1)
	if c.noCwd {
		fillCwd = 0
	}
	for name, v := range map[string]any{
		"boot_time_ns": boot,
		"saker_tgid":   uint32(os.Getpid()),
		"snaplen":      c.Snaplen,
		"fill_cwd":     fillCwd,
	} {
		if err := spec.Variables[name].Set(v); err != nil {
			return nil, fmt.Errorf("set %s: %w", name, err)
		}
	}
	spec.Maps[bpf.ProbeMapScratchMap].MaxEntries = uint32(ncpu)
	spec.Maps[bpf.ProbeMapPathScratchMap].MaxEntries = uint32(ncpu)
	rings := spec.Maps[bpf.ProbeMapRingbufs]
	rings.MaxEntries = uint32(ncpu)
	rings.InnerMap.MaxEntries = uint32(c.RingSize)

	p := &Probe{cfg: c, bootTime: boot}
	if err := spec.LoadAndAssign(&p.objs, nil); err != nil {
		return nil, diagnose(err)
	}
	if err := p.setup(rings.InnerMap, ncpu, ifaces, procexit); err != nil {
		p.release()
		return nil, err
	}
	return p, nil
}

func (p *Probe) setup(inner *ebpf.MapSpec, ncpu int, filter []uint8, procexit bool) error {
	for cpu := 0; cpu < ncpu; cpu++ {
		m, err := ebpf.NewMap(inner)
		if err != nil {
			return diagnose(fmt.Errorf("ring buffer for CPU %d: %w", cpu, err))
		}
		p.inner = append(p.inner, m)
		if err := p.objs.Ringbufs.Put(uint32(cpu), m); err != nil {
			return fmt.Errorf("install ring of CPU %d: %w", cpu, err)
		}
		r, err := mapRing(m.FD(), p.cfg.RingSize, uint16(cpu))
		if err != nil {
			return err
		}
		p.rings = append(p.rings, r)
	}
	if err := p.writeFilter(filter, procexit); err != nil {
		return err
	}
	return p.setRatio(p.cfg.SamplingRatio)
}

// attach attaches the sys_exit dispatcher and the sched programs.
func (p *Probe) attach() error {
	for _, prog := range []*ebpf.Program{p.objs.SysExit, p.objs.SchedProcessExec, p.objs.SchedProcessExit} {
		l, err := link.AttachTracing(link.TracingOptions{Program: prog})
		if err != nil {
			return diagnose(fmt.Errorf("attach %s: %w", prog, err))
		}
		p.links = append(p.links, l)
	}
	return nil
}

// Run reads events until ctx is done or the probe is closed, calling fn for
// each on the calling goroutine, in timestamp order across CPUs: it always
// takes the oldest of the records at the heads of the per-CPU rings
// (records still being written on another CPU can arrive slightly late).
//
// The *event.Event and every byte it exposes alias the ring buffer and are
// valid only until fn returns; fn must copy what it keeps and must not call
// Close. Events that fail to decode are counted (Stats.DecodeErrors) and
// skipped. Only one Run may be active at a time.
func (p *Probe) Run(ctx context.Context, fn func(*event.Event)) error {
	if !p.runMu.TryLock() {
		return errors.New("ebpf: Run is already active")
	}
	defer p.runMu.Unlock()
	if p.closing.Load() {
		return errors.New("ebpf: probe is closed")
	}
	var (
		ev    event.Event
		num   uint64
		batch = p.cfg.Batch
		rings = p.rings
		done  = ctx.Done()
		wait  = pollWait{min: p.cfg.PollInterval, max: p.cfg.MaxPoll}
	)
	for {
		n := 0
		bad := 0
		for n < batch {
			var best *ring
			for _, r := range rings {
				if r.peek() && (best == nil || r.headTS < best.headTS) {
					best = r
				}
			}
			if best == nil {
				break
			}
			if err := ev.Reset(best.head, best.cpu); err != nil {
				bad++
			} else {
				num++
				ev.Num = num
				fn(&ev)
			}
			best.consume()
			n++
		}
		for _, r := range rings {
			r.publish()
		}
		if n > 0 {
			p.received.Add(uint64(n - bad))
			if bad > 0 {
				p.decodeErrors.Add(uint64(bad))
			}
		}
		select {
		case <-done:
			return nil
		default:
		}
		if p.closing.Load() {
			return nil
		}
		if n == 0 {
			if p.cfg.Idle != nil {
				p.cfg.Idle()
			}
			time.Sleep(wait.empty())
			continue
		}
		wait.found()
		if n < batch {
			time.Sleep(p.cfg.PollInterval)
		}
	}
}

// pollWait is the reader's sleep on empty rings (see Config.MaxPoll):
// min after a poll that found events, doubling with each empty poll in a
// row up to max.
type pollWait struct {
	min, max, last time.Duration
}

// empty returns how long to sleep after another empty poll.
func (w *pollWait) empty() time.Duration {
	if w.last == 0 {
		w.last = w.min
	} else {
		w.last = min(2*w.last, w.max)
	}
	return w.last
}

// found starts the doubling again: a poll found events.
func (w *pollWait) found() { w.last = 0 }

// Close detaches the programs, waits for Run to return and releases every
// kernel object. It is safe to call more than once.
func (p *Probe) Close() error {
	p.closing.Store(true)
	p.runMu.Lock()
	defer p.runMu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.release()
}

func (p *Probe) release() error {
	var errs []error
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	p.links = nil
	p.mapMu.Lock()
	for _, r := range p.rings {
		r.unmap()
	}
	p.rings = nil
	p.mapMu.Unlock()
	for _, m := range p.inner {
		errs = append(errs, m.Close())
	}
	p.inner = nil
	errs = append(errs, p.objs.Close())
	return errors.Join(errs...)
}

// bootTimeNs is the epoch time of boot as the kernel's boot clock counts
// it: event timestamps are bpf_ktime_get_boot_ns() plus this.
func bootTimeNs() (uint64, error) {
	var rt, bt unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_REALTIME, &rt); err != nil {
		return 0, fmt.Errorf("clock_gettime: %w", err)
	}
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt); err != nil {
		return 0, fmt.Errorf("clock_gettime: %w", err)
	}
	return uint64(rt.Nano() - bt.Nano()), nil
}
