package metrics

// Live tests: the real eBPF probe (receiver/ebpf), flooded by a child
// process, drives the drop manager, the sampler, the adaptive controller,
// the outputs and these metrics together, wired as the CLI wires them.
// They need root (CAP_BPF); without it they skip, and fail under CI=true.
// (A test-only import of receiver/ebpf: the package itself does not
// depend on it.)

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"log/slog"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/exporter/outputs"
	"github.com/sakersec/saker/internal/testenv"
	"github.com/sakersec/saker/receiver/ebpf"
	"github.com/sakersec/saker/receiver/event"
)

// helperEnv makes the test binary, re-executed as a child, run a syscall
// workload instead of the tests: "flood SECONDS" (kill(self, 0) as fast as
// it can) or "paced SECONDS RATE" (RATE kill(self, 0) per second, evenly).
const helperEnv = "SAKER_METRICS_HELPER"

func init() {
	if os.Getenv(helperEnv) != "" {
		runtime.LockOSThread() // the workload's syscalls all carry tid == pid
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper(os.Args[1:]))
	}
	code := m.Run()
	if shared.p != nil {
		shared.p.Close()
	}
	os.Exit(code)
}

func runHelper(args []string) int {
	if len(args) < 2 {
		return 2
	}
	secs, _ := strconv.ParseFloat(args[1], 64)
	d := time.Duration(secs * float64(time.Second))
	pid := os.Getpid()
	start := time.Now()
	switch args[0] {
	case "flood":
		for time.Since(start) < d {
			for range 1000 {
				_ = syscall.Kill(pid, 0)
			}
		}
	case "paced":
		rate, _ := strconv.ParseFloat(args[2], 64)
		n := 0
		for {
			el := time.Since(start)
			if el >= d {
				break
			}
			for target := int(el.Seconds() * rate); n < target; n++ {
				_ = syscall.Kill(pid, 0)
			}
			time.Sleep(100 * time.Microsecond)
		}
		fmt.Println(n)
	default:
		return 2
	}
	return 0
}

// startHelper runs a workload child; it is killed at cleanup.
func startHelper(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stderr = os.Stderr
	return cmd
}

// shared is one probe for all live tests: loading and verifying the
// programs takes seconds on a busy machine. Each test sets the sampling
// ratio it needs and measures deltas of the cumulative counters.
var shared struct {
	once sync.Once
	p    *ebpf.Probe
	err  error
}

func liveProbe(t *testing.T, ratio uint32) *ebpf.Probe {
	t.Helper()
	if testing.Short() {
		t.Skip("live eBPF test")
	}
	shared.once.Do(func() {
		t0 := time.Now()
		shared.p, shared.err = ebpf.Open(ebpf.Config{RingSize: 1 << 20,
			Syscalls: []string{"kill", "execve", "execveat", "clone", "clone3", "fork", "vfork"}})
		t.Logf("probe opened in %v", time.Since(t0).Round(time.Millisecond))
	})
	if shared.err != nil {
		testenv.Unavailable(t, "BPF cannot be loaded: %v", shared.err)
	}
	if err := shared.p.SetSamplingRatio(ratio); err != nil {
		t.Fatal(err)
	}
	return shared.p
}

// kernelCounters is the CLI's adapter from the probe's counters to the drop
// manager's (Falco's names; the categories are in the same order).
func kernelCounters(p *ebpf.Probe) func(*drops.Counters) {
	return func(c *drops.Counters) {
		s, err := p.Stats()
		if err != nil {
			return
		}
		fillCounters(c, &s.Kernel)
	}
}

func fillCounters(c *drops.Counters, k *ebpf.Counters) {
	c.NEvts = k.Events
	c.NDropsBuffer = k.DropsBuffer
	copy(c.NDropsBufferExit[:], k.DropsBufferByCategory[:drops.NumBufferCategories])
	c.NDropsScratchMap = k.DropsScratch
	c.NDropsMaxEventSize = k.DropsMaxEventSize
	c.NDrops = c.Total()
}

// kernelSource is the CLI's adapter for the metrics.
func kernelSource(p *ebpf.Probe) func(*Kernel) bool {
	return func(k *Kernel) bool {
		s, err := p.Stats()
		if err != nil {
			return false
		}
		fillCounters(&k.Counters, &s.Kernel)
		k.Sampled = s.Kernel.Sampled
		k.FillRatio = p.MaxRingFill()
		return true
	}
}

// loop is the CLI's event loop, reduced to what these tests need: drop
// manager, engine sampling, counting, and a per-event cost standing in for
// the rules.
type loop struct {
	mgr      *drops.Manager
	sampler  *sampling.Sampler
	counters *drops.EventCounters
	work     time.Duration // busy time per processed event
	n        int
	exitErr  atomic.Bool
	onEvent  func(*event.Event)
}

func (l *loop) handle(ev *event.Event) {
	if l.onEvent != nil {
		l.onEvent(ev)
	}
	if err := l.mgr.ProcessEvent(ev.Timestamp()); errors.Is(err, drops.ErrExit) {
		l.exitErr.Store(true)
	}
	if l.n++; l.n == 256 {
		l.counters.Flush()
		l.sampler.Flush()
		l.n = 0
	}
	if l.sampler.ShouldDrop(ev) {
		return
	}
	l.counters.Processed()
	if l.work > 0 {
		for t := time.Now(); time.Since(t) < l.work; {
		}
	}
}

// TestLiveDropsPerReasonAndAlert floods the ring buffer faster than a slow
// consumer drains it: the kernel loses events (ring_buffer_full), kernel
// and engine sampling skip others,
// the drop manager sees the loss in the kernel counters and its alert goes
// through the outputs into a file, and /metrics shows each reason.
func TestLiveDropsPerReasonAndAlert(t *testing.T) {
	p := liveProbe(t, 2)

	// The outputs: a JSON file output, as configured in saker.yaml.
	ocfg := outputs.Default()
	ocfg.Stdout.Enabled = false
	ocfg.Syslog.Enabled = false
	ocfg.JSONOutput = true
	ocfg.File.Enabled = true
	ocfg.File.Filename = filepath.Join(t.TempDir(), "events.json")
	disp, err := outputs.New(ocfg, outputs.Settings{})
	if err != nil {
		t.Fatal(err)
	}

	sampler := sampling.New(1)
	_ = sampler.SetRatio(2)
	_ = sampler.SetMultiplier(1)
	hostname, _ := os.Hostname()
	var alerts atomic.Int64
	mgr, err := drops.New(drops.DefaultConfig(), drops.Options{
		Counters:   kernelCounters(p),
		Alert:      func(a *alert.Alert) { alerts.Add(1); disp.Enqueue(a) },
		Hostname:   hostname,
		EBPF:       true,
		JSONOutput: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var counters drops.EventCounters
	m, err := New(Sources{
		Kernel:  kernelSource(p),
		Events:  counters.Snapshot,
		Sampler: sampler,
		Drops:   mgr,
		Outputs: disp.Stats,
	}, Options{NoRuntimeCollectors: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	srv := startServer(t, Endpoints{Metrics: m.Handler()})
	before, _ := scrape(t, "http://"+srv.Addr().String()+"/metrics")
	st0, _ := p.Stats()

	l := &loop{mgr: mgr, sampler: sampler, counters: &counters, work: 4 * time.Microsecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, l.handle) }()

	child := startHelper(t, "flood", "3")
	if err := child.Run(); err != nil {
		t.Fatalf("flood: %v", err)
	}
	// A few more events so the drop manager's check after the flood runs.
	time.Sleep(1100 * time.Millisecond)
	_ = startHelper(t, "flood", "0.1").Run()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	counters.Flush()
	sampler.Flush()

	st, _ := p.Stats()
	t.Logf("kernel: %d events, %d ring-full drops, %d sampled; engine sampled %d; occurrences %d",
		st.Kernel.Events-st0.Kernel.Events, st.Kernel.DropsBuffer-st0.Kernel.DropsBuffer,
		st.Kernel.Sampled-st0.Kernel.Sampled, sampler.Dropped(), mgr.Occurrences())
	if mgr.Occurrences() == 0 || alerts.Load() == 0 {
		t.Fatalf("drop manager: %d occurrences, %d alerts", mgr.Occurrences(), alerts.Load())
	}

	got, body := scrape(t, "http://"+srv.Addr().String()+"/metrics")
	for _, reason := range []string{ReasonRingBufferFull, ReasonKernelSampling, ReasonEngineSampling} {
		series := `saker_events_dropped_total{reason="` + reason + `"}`
		if v, v0 := got[series], before[series]; !(v > v0) {
			t.Errorf("%s went from %v to %v, want an increase\n%s", series, v0, v, body)
		}
	}
	if v := got[`saker_drop_actions_total{action="alert"}`]; v < 1 {
		t.Errorf("alert actions %v", v)
	}

	ctxc, cancelc := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelc()
	if err := disp.Close(ctxc); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(ocfg.File.Filename)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.SplitN(string(out), "\n", 2)[0]
	for _, want := range []string{`"rule":"Falco internal: syscall event drop"`, `"priority":"Debug"`, `"source":"internal"`,
		`"ebpf_enabled":"1"`, `"n_drops_buffer_total":"`, `system calls dropped in last second.`} {
		if !strings.Contains(line, want) {
			t.Errorf("alert line lacks %s:\n%s", want, line)
		}
	}
	var stats []exporter.Stats
	if stats = disp.Stats(stats); len(stats) != 1 || stats[0].Exported < 1 {
		t.Errorf("file output stats %+v", stats)
	}
}

// TestLiveKernelSamplingRatio4 runs a steady non-state stream (kill, paced
// at 20,000/s for exactly 4 s, a whole number of sampling periods) and 30
// execs of a marker binary at kernel ratio 4: about a quarter of the
// stream arrives, and every exec.
func TestLiveKernelSamplingRatio4(t *testing.T) {
	p := liveProbe(t, 4)
	st0, _ := p.Stats()

	marker := filepath.Join(t.TempDir(), "saker-sampling-marker")
	if b, err := os.ReadFile("/bin/true"); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(marker, b, 0o755); err != nil {
		t.Fatal(err)
	}

	var childPid atomic.Int64
	var kills, execs atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Run(ctx, func(ev *event.Event) {
			switch ev.Name() {
			case "kill":
				if ev.Tid() == childPid.Load() {
					kills.Add(1)
				}
			case "execve":
				if exe, ok := ev.String(ev.ParamIndex("exe")); ok && exe == marker {
					execs.Add(1)
				}
			}
		})
	}()

	child := startHelper(t, "paced", "4", "20000")
	var out strings.Builder
	child.Stdout = &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	childPid.Store(int64(child.Process.Pid))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // 30 execs spread over the 4 s
		defer wg.Done()
		for range 30 {
			if err := exec.Command(marker).Run(); err != nil {
				t.Errorf("exec marker: %v", err)
			}
			time.Sleep(120 * time.Millisecond)
		}
	}()
	if err := child.Wait(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	time.Sleep(200 * time.Millisecond) // let the reader drain
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	sent, _ := strconv.Atoi(strings.TrimSpace(out.String()))
	st, _ := p.Stats()
	if d := st.Kernel.DropsBuffer - st0.Kernel.DropsBuffer; d != 0 {
		t.Fatalf("%d ring-full drops: the sample is not clean", d)
	}
	frac := float64(kills.Load()) / float64(sent)
	t.Logf("R=4: kept %d of %d kill syscalls (%.1f%%), %d of 30 execs", kills.Load(), sent, 100*frac, execs.Load())
	if sent < 70000 {
		t.Fatalf("the workload made only %d syscalls", sent)
	}
	if frac < 0.20 || frac > 0.30 {
		t.Errorf("kept %.1f%% of a steady stream at R=4, want 20-30%%", 100*frac)
	}
	if execs.Load() != 30 {
		t.Errorf("saw %d of 30 execs; state-keeping events must never be sampled", execs.Load())
	}
}

// TestLiveAdaptive floods a 1 MiB ring faster than a deliberately slow
// consumer drains it: the controller raises the ratio until the drops
// stop, and after the flood halves it back to 1.
func TestLiveAdaptive(t *testing.T) {
	p := liveProbe(t, 1)
	sampler := sampling.New(1)
	cc := sampling.DefaultControllerConfig()
	cc.Interval = 200 * time.Millisecond
	cc.CalmPeriod = 600 * time.Millisecond
	var logs syncBuffer
	ctrl, err := sampling.NewController(cc, 1, func() sampling.Pressure {
		s, err := p.Stats()
		if err != nil {
			return sampling.Pressure{}
		}
		return sampling.Pressure{FillRatio: p.MaxRingFill(), Drops: s.Kernel.Drops()}
	}, newTextLogger(&logs), p, sampler)
	if err != nil {
		t.Fatal(err)
	}
	mgr, _ := drops.New(drops.DefaultConfig(), drops.Options{Counters: kernelCounters(p)})
	var counters drops.EventCounters
	l := &loop{mgr: mgr, sampler: sampler, counters: &counters, work: 4 * time.Microsecond}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, l.handle) }()
	go func() { _ = ctrl.Run(ctx) }()

	// Watch the ratio and the drops every interval.
	type obs struct {
		ratio uint32
		drops uint64
	}
	var mu sync.Mutex
	var trace []obs
	go func() {
		tk := time.NewTicker(cc.Interval)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
				s, _ := p.Stats()
				mu.Lock()
				trace = append(trace, obs{ctrl.Ratio(), s.Kernel.Drops()})
				mu.Unlock()
			}
		}
	}()

	st0 := mustStats(p)
	t1 := time.Now()
	if err := startHelper(t, "flood", "6").Run(); err != nil {
		t.Fatal(err)
	}
	t.Logf("flood ran %v", time.Since(t1).Round(time.Millisecond))
	t1 = time.Now()
	mu.Lock()
	flood := append([]obs(nil), trace...)
	mu.Unlock()

	// During the flood: the ratio rose, every burst of drops below the
	// maximum ratio was answered by a higher ratio, and the loss fell
	// off. The controller keeps probing (it halves the ratio after each
	// calm period and doubles it back when drops return; the kernel keeps
	// one window per second, so a probe shows within about a second), so
	// drops late in the flood are the policy working; what must not happen
	// is loss that goes unanswered or does not decline.
	peak := uint32(1)
	for _, o := range flood {
		peak = max(peak, o.ratio)
	}
	if peak < 2 || len(flood) < 8 {
		t.Fatalf("ratio never rose (peak %d over %d looks)\n%s", peak, len(flood), logs.String())
	}
	const answerWithin = 7 // looks: the next kernel window plus a controller tick
	for i := 1; i < len(flood); i++ {
		if flood[i].drops == flood[i-1].drops {
			continue
		}
		// The drops happened at the lower of the two ratios seen around them.
		ref := min(flood[i-1].ratio, flood[i].ratio)
		if ref >= cc.MaxRatio {
			continue
		}
		answered := false
		mu.Lock()
		for j := i; j < min(i+answerWithin, len(trace)); j++ {
			answered = answered || trace[j].ratio > ref
		}
		mu.Unlock()
		if !answered {
			t.Errorf("look %d: %d drops at ratio %d, and no higher ratio within %d looks\n%s",
				i, flood[i].drops-flood[i-1].drops, ref, answerWithin, logs.String())
			break
		}
	}
	tail := flood[len(flood)*3/4:]
	total := flood[len(flood)-1].drops - st0.Kernel.Drops()
	late := tail[len(tail)-1].drops - tail[0].drops
	t.Logf("flood drops: %d, of which %d in the last %d looks (ratio %d at the end)", total, late, len(tail), tail[len(tail)-1].ratio)
	if late*4 > total {
		t.Errorf("loss did not decline: %d of %d drops over the last %d looks\n%s", late, total, len(tail), logs.String())
	}
	if sampler.Ratio() != ctrl.Ratio() || p.SamplingRatio() != ctrl.Ratio() {
		t.Errorf("ratios disagree: controller %d kernel %d engine %d", ctrl.Ratio(), p.SamplingRatio(), sampler.Ratio())
	}

	// After the flood: halved once per calm second back to 1.
	deadline := time.Now().Add(time.Duration(2*bitsLen(peak)+4) * cc.CalmPeriod)
	for ctrl.Ratio() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("ratio %d did not fall back to 1\n%s", ctrl.Ratio(), logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("back to 1 in %v", time.Since(t1).Round(time.Millisecond))
	final := mustStats(p)
	t.Logf("peak ratio %d; %d increases, %d decreases; kernel sampled %d, dropped %d",
		peak, ctrl.Increases(), ctrl.Decreases(), final.Kernel.Sampled, final.Kernel.Drops())
	if ctrl.Decreases() == 0 || !strings.Contains(logs.String(), "reason=calm") || !strings.Contains(logs.String(), "reason=pressure") {
		t.Errorf("changes not logged:\n%s", logs.String())
	}
	cancel()
	<-done
}

func bitsLen(r uint32) int {
	n := 0
	for ; r > 1; r >>= 1 {
		n++
	}
	return n
}

func mustStats(p *ebpf.Probe) ebpf.Stats {
	s, _ := p.Stats()
	return s
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTextLogger(w *syncBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
