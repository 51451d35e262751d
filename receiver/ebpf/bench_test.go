package ebpf

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

// spin runs the "spin" helper (n raw syscalls pinned to CPU 1) and
// returns its thread's CPU time per syscall: the syscall and everything the
// kernel programs add to it, without the time spent waiting for the CPU on
// this shared machine.
func spin(b *testing.B, n int, sc string) float64 {
	b.Helper()
	out := runToEnd(b, "spin", strconv.Itoa(n), sc, "1")
	ns, _ := out["cpu_ns"].(float64)
	return ns / float64(n)
}

// runToEnd runs helper name, unwatched, and returns what it printed.
func runToEnd(b *testing.B, name string, args ...string) childtest.Result {
	b.Helper()
	c := childtest.Start(b, name, workloads.Command(name, args...))
	c.Go()
	c.Finish(b, 0, nil, 0, nil)
	return c.Result(b)
}

// overheadConfig is one thing attached (or not) while the workload runs.
type overheadConfig struct {
	name    string
	syscall string // "getppid" or "close" (close(-1))
	attach  func() (detach func(), err error)
}

// BenchmarkSyscallOverhead (P1) measures what the kernel side adds to a
// trivial syscall (getppid in a child pinned to CPU 1; saker's own process
// is never traced). Every b.Loop iteration is one round over all
// configurations, interleaved so that machine noise hits them alike; the
// reported figure of each is its median over rounds, in thread CPU ns per
// syscall, and the ns added over bare:
//
//	bare          nothing attached
//	floor-rawtp   an empty raw tracepoint program on sys_exit (the floor)
//	floor-tpbtf   an empty tp_btf program on sys_exit
//	filter-rawtp  the dispatcher's filter as a raw tracepoint (getppid not traced)
//	saker         saker's programs with the default set: getppid not traced
//	saker-in-set  getppid in the filter: the whole dispatch decision (own
//	              process, sampling); it has no program, so no event follows
//	close-bare / close-event   close(-1) bare, and traced: a CLOSE_X event
//	              written per call and drained by a reader on CPU 0
//	getppid-generic  getppid traced: a GENERIC_X event per call, drained
//
// plus saker's added cost as a multiple of the floor's (target ≤ 1.5).
func BenchmarkSyscallOverhead(b *testing.B) {
	const n = 1_000_000
	p := loadBench(b, Config{Syscalls: StateSet()})
	attachLink := func(attach func() (link.Link, error)) func() (func(), error) {
		return func() (func(), error) {
			l, err := attach()
			if err != nil {
				return nil, err
			}
			return func() { l.Close() }, nil
		}
	}
	sakerOn := func(extra func()) func() (func(), error) {
		return func() (func(), error) {
			if err := p.attach(); err != nil {
				return nil, err
			}
			if extra != nil {
				extra()
			}
			stop := drain(p)
			return func() {
				stop()
				for _, l := range p.links {
					l.Close()
				}
				p.links = nil
				p.objs.InterestingSyscalls.Put(uint32(unix.SYS_GETPPID), uint8(0))
				p.objs.SyscallExitTailTable.Put(uint32(unix.SYS_GETPPID), p.objs.GenericX)
				p.SetSyscalls(StateSet())
			}, nil
		}
	}
	configs := []overheadConfig{
		{"bare", "getppid", nil},
		{"floor-rawtp", "getppid", attachLink(func() (link.Link, error) {
			return link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_exit", Program: p.objs.BenchEmptyRaw})
		})},
		{"floor-tpbtf", "getppid", attachLink(func() (link.Link, error) {
			return link.AttachTracing(link.TracingOptions{Program: p.objs.BenchEmptyBtf})
		})},
		{"filter-rawtp", "getppid", attachLink(func() (link.Link, error) {
			return link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_exit", Program: p.objs.BenchFilterRaw})
		})},
		{"saker", "getppid", sakerOn(nil)},
		{"saker-in-set", "getppid", sakerOn(func() {
			// getppid is a generic syscall: without its tail-call entry
			// the dispatcher decides and writes nothing.
			p.objs.SyscallExitTailTable.Delete(uint32(unix.SYS_GETPPID))
			p.objs.InterestingSyscalls.Put(uint32(unix.SYS_GETPPID), uint8(scInteresting))
		})},
		{"close-bare", "close", nil},
		{"close-event", "close", sakerOn(func() { p.SetSyscalls([]string{"close"}) })},
		{"getppid-generic", "getppid", sakerOn(func() { p.SetSyscalls([]string{"getppid"}) })},
	}
	samples := make([][]float64, len(configs))
	const rounds = 5 // per b.Loop iteration: medians need several samples
	for b.Loop() {
		for range rounds {
			round(b, configs, samples, n)
		}
	}
	med := make([]float64, len(configs))
	for i := range configs {
		med[i] = median(samples[i])
		b.ReportMetric(med[i], configs[i].name+"-ns/syscall")
	}
	for i, c := range configs {
		base := med[0]
		if c.syscall == "close" {
			base = med[6]
		}
		if i != 0 && i != 6 {
			b.ReportMetric(med[i]-base, c.name+"-added-ns")
		}
	}
	if floor := med[1] - med[0]; floor > 0 {
		b.ReportMetric((med[4]-med[0])/floor, "saker/floor-added")
	}
}

// round measures every configuration once, in order.
func round(b *testing.B, configs []overheadConfig, samples [][]float64, n int) {
	for i, c := range configs {
		detach := func() {}
		if c.attach != nil {
			d, err := c.attach()
			if err != nil {
				b.Fatal(err)
			}
			detach = d
		}
		samples[i] = append(samples[i], spin(b, n, c.syscall))
		detach()
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func loadBench(b *testing.B, cfg Config) *Probe {
	b.Helper()
	p, err := load(cfg)
	if err != nil {
		childtest.SkipOrFail(b, "BPF cannot be loaded: %v", err)
	}
	b.Cleanup(func() { p.Close() })
	return p
}

// drain reads p on a thread pinned to CPU 0 until stopped.
func drain(p *Probe) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		pin("0")
		p.Run(ctx, func(*event.Event) {})
	}()
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			cancel()
			<-done
		}
	}
}

// BenchmarkOpenCloseThroughput (P3): children open and close /dev/null in
// a loop while Run receives the events: one child pinned to CPU 1 with the
// reader pinned to CPU 0, and one child on each CPU with the reader
// unpinned. Reports events/s delivered (wall time from the children's
// start until their last event arrived), kernel drops during the run (must
// stay 0), the reader thread's CPU ns per event, allocations per event in
// the reading process, and the producers' CPU ns per syscall bare and
// traced (on this shared 2-vCPU VM the children's wall time is mostly
// spent waiting for a CPU, so CPU time is the comparable figure).
func BenchmarkOpenCloseThroughput(b *testing.B) {
	const n = 500_000 // pairs per child
	bareCPU := openLoopCPU(b, n)
	p := loadBench(b, Config{Syscalls: []string{"openat", "close"}})
	if err := p.attach(); err != nil {
		b.Fatal(err)
	}
	b.Run("open-close/1-producer", func(b *testing.B) { throughput(b, p, "openloop", n, []string{"1"}, "0", bareCPU) })
	b.Run("open-close/2-producers", func(b *testing.B) { throughput(b, p, "openloop", n, []string{"0", "1"}, "", bareCPU) })
	// The pipeline's own capacity: close(-1) fails at once, so nearly all
	// of the producer's time is the event itself.
	b.Run("close-ebadf/1-producer", func(b *testing.B) { throughput(b, p, "spin", 2*n, []string{"1"}, "0", 0) })
}

// throughput runs helper (openloop: n open+close pairs; spin: n close(-1))
// once per CPU in cpus and measures the delivery of their events.
func throughput(b *testing.B, p *Probe, helper string, n int, cpus []string, readerCPU string, bareCPU float64) {
	for b.Loop() {
		before, _ := p.Stats()
		var got atomic.Int64
		var lastTS atomic.Int64
		pids := map[int64]bool{}
		ctx, cancel := context.WithCancel(context.Background())
		var cpu time.Duration
		var m0, m1 runtime.MemStats
		ready := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
			pin(readerCPU)
			<-ready
			var r0, r1 unix.Rusage
			runtime.ReadMemStats(&m0)
			unix.Getrusage(unix.RUSAGE_THREAD, &r0)
			p.Run(ctx, func(ev *event.Event) {
				if pids[ev.Tid()] {
					got.Add(1)
					lastTS.Store(time.Now().UnixNano())
				}
			})
			unix.Getrusage(unix.RUSAGE_THREAD, &r1)
			runtime.ReadMemStats(&m1)
			cpu = time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
		}()
		var children []*childtest.Child
		for _, c := range cpus {
			args := []string{strconv.Itoa(n), c}
			if helper == "spin" {
				args = []string{strconv.Itoa(n), "close", c}
			}
			child := childtest.Start(b, helper, workloads.Command(helper, args...))
			pids[int64(child.Pid())] = true
			children = append(children, child)
		}
		close(ready)
		start := time.Now()
		for _, c := range children {
			c.Go()
		}
		for _, c := range children {
			c.Finish(b, -1, nil, 0, nil)
		}
		want := int64(n * len(cpus))
		if helper == "openloop" {
			want *= 2
		}
		deadline := time.Now().Add(10 * time.Second)
		for got.Load() < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cancel()
		<-done
		after, _ := p.Stats()
		wall := time.Duration(lastTS.Load() - start.UnixNano())
		b.ReportMetric(float64(got.Load())/wall.Seconds(), "events/s")
		b.ReportMetric(float64(after.Kernel.Drops()-before.Kernel.Drops()), "kernel-drops")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(max(got.Load(), 1)), "reader-ns/event")
		b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(max(got.Load(), 1)), "allocs/event")
		var pcpu float64
		for _, c := range children {
			v, _ := c.Result(b)["cpu_ns"].(float64)
			pcpu += v
		}
		b.ReportMetric(pcpu/float64(want), "producer-cpu-ns/syscall")
		if bareCPU > 0 {
			b.ReportMetric(bareCPU, "bare-producer-cpu-ns/syscall")
		}
	}
}

// openLoopCPU runs the openloop helper with nothing attached and returns
// its CPU ns per syscall.
func openLoopCPU(b *testing.B, n int) float64 {
	out := runToEnd(b, "openloop", strconv.Itoa(n), "1")
	ns, _ := out["cpu_ns"].(float64)
	return ns / float64(2*n)
}

// BenchmarkReaderIdle: the CPU the reader burns polling empty rings (the
// programs never wake it), as a percentage of one CPU, with nothing traced.
func BenchmarkReaderIdle(b *testing.B) {
	p := loadBench(b, Config{})
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var r0, r1 unix.Rusage
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
			unix.Getrusage(unix.RUSAGE_THREAD, &r0)
			p.Run(ctx, func(*event.Event) {})
			unix.Getrusage(unix.RUSAGE_THREAD, &r1)
		}()
		<-done
		cancel()
		cpu := r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano()
		b.ReportMetric(float64(cpu)/2e9*100, "cpu%")
	}
}

// BenchmarkProcessEventCwd measures what filling cwd (a dentry walk of
// the working directory, here 12 components deep) adds to the clone and
// execve events: two probes are attached at once, one filling cwd and one
// leaving it empty, and each one's kernel run time (BPF statistics) is
// read over a workload of forks and fork+execs. Both see exactly the same
// syscalls, so the difference of their run times is the cost of cwd; it is
// reported per event written (clone-family and execve events), next to
// the run time per event of the probe without cwd (which also carries its
// filter's cost for every other syscall of the machine, an upper bound).
func BenchmarkProcessEventCwd(b *testing.B) {
	stats, err := ebpf.EnableStats(unix.BPF_STATS_RUN_TIME)
	if err != nil {
		childtest.SkipOrFail(b, "BPF statistics: %v", err)
	}
	defer stats.Close()
	trueBin, err := exec.LookPath("true")
	if err != nil {
		childtest.SkipOrFail(b, "no true binary: %v", err)
	}
	dir := b.TempDir()
	for _, c := range strings.Split("a/b/c/d/e/f/g/h/i/j", "/") {
		dir = filepath.Join(dir, c)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	set := []string{"fork", "vfork", "clone", "clone3", "execve", "execveat"}
	with := loadBench(b, Config{Syscalls: set})
	without := loadBench(b, Config{Syscalls: set, noCwd: true})
	for _, p := range []*Probe{with, without} {
		if err := p.attach(); err != nil {
			b.Fatal(err)
		}
		defer drain(p)()
	}
	runtimeOf := func(p *Probe) time.Duration {
		var total time.Duration
		for _, prog := range []*ebpf.Program{p.objs.SysExit, p.objs.SchedProcessExec} {
			st, err := prog.Stats()
			if err != nil {
				b.Fatal(err)
			}
			total += st.Runtime
		}
		return total
	}
	const forks, execs = 2000, 500
	var extra, base time.Duration // summed over iterations
	var events uint64
	for b.Loop() {
		w0, n0 := runtimeOf(with), runtimeOf(without)
		s0, _ := with.Stats()
		runToEnd(b, "forkexec", dir, strconv.Itoa(forks), strconv.Itoa(execs), trueBin)
		w1, n1 := runtimeOf(with), runtimeOf(without)
		s1, _ := with.Stats()
		events += s1.Kernel.Events - s0.Kernel.Events
		extra += (w1 - w0) - (n1 - n0)
		base += n1 - n0
	}
	b.ReportMetric(float64(extra)/float64(events), "cwd-added-ns/event")
	b.ReportMetric(float64(base)/float64(events), "no-cwd-ns/event")
}
