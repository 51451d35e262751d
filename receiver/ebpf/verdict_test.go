package ebpf

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

// Verdicts of the dispatcher (enum exit_verdict in c/helpers/sampling.h).
const (
	verdictFiltered = 0
	verdictSelf     = 1
	verdictSampled  = 2
	verdictWrite    = 3
)

// loadDetached loads the programs without attaching them: the filter and
// sampling logic is then driven with BPF_PROG_TEST_RUN through its
// raw-tracepoint twin, deterministic and independent of the system's
// syscall traffic.
func loadDetached(t *testing.T, cfg Config) *Probe {
	t.Helper()
	p, err := load(cfg)
	if err != nil {
		childtest.SkipOrFail(t, "BPF cannot be loaded: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func verdict(t *testing.T, p *Probe, nr, tgid uint64) uint32 {
	t.Helper()
	ret, err := p.objs.TestVerdict.Run(&ebpf.RunOptions{Context: []uint64{nr, tgid}})
	if err != nil {
		childtest.SkipOrFail(t, "BPF_PROG_TEST_RUN: %v", err)
	}
	return ret
}

func bootNs() uint64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts)
	return uint64(ts.Nano())
}

func TestFilterVerdicts(t *testing.T) {
	p := loadDetached(t, Config{Syscalls: []string{"openat", "kill"}})
	other := uint64(os.Getpid() + 1)
	eq(t, "getppid (not interesting)", verdict(t, p, unix.SYS_GETPPID, other), verdictFiltered)
	eq(t, "out-of-range syscall", verdict(t, p, 1000, other), verdictFiltered)
	eq(t, "openat", verdict(t, p, unix.SYS_OPENAT, other), verdictWrite)
	eq(t, "openat from saker itself", verdict(t, p, unix.SYS_OPENAT, uint64(os.Getpid())), verdictSelf)

	if err := p.SetSyscalls([]string{"kill"}); err != nil {
		t.Fatal(err)
	}
	eq(t, "openat after SetSyscalls(kill)", verdict(t, p, unix.SYS_OPENAT, other), verdictFiltered)
	eq(t, "kill after SetSyscalls(kill)", verdict(t, p, unix.SYS_KILL, other), verdictWrite)
	if err := p.SetSyscalls([]string{"kill", "mmap2"}); err == nil {
		t.Error("SetSyscalls accepted a syscall without a program (mmap2: an event type, no x86_64 syscall)")
	}
	eq(t, "kill after a rejected SetSyscalls", verdict(t, p, unix.SYS_KILL, other), verdictWrite)
	eq(t, "getppid after a rejected SetSyscalls", verdict(t, p, unix.SYS_GETPPID, other), verdictFiltered)
	// getppid has no event type: it is traced as a generic event.
	if err := p.SetSyscalls([]string{"kill", "getppid"}); err != nil {
		t.Fatal(err)
	}
	eq(t, "getppid (generic) after SetSyscalls", verdict(t, p, unix.SYS_GETPPID, other), verdictWrite)
}

func TestSamplingVerdicts(t *testing.T) {
	p := loadDetached(t, Config{Syscalls: []string{"openat", "kill"}})
	other := uint64(os.Getpid() + 1)
	const ratio = 8
	if err := p.SetSamplingRatio(ratio); err != nil {
		t.Fatal(err)
	}
	window := uint64(1e9 / ratio)
	var sampled, written, checked uint64
	deadline := time.Now().Add(1200 * time.Millisecond)
	for time.Now().Before(deadline) {
		before := bootNs()
		v := verdict(t, p, unix.SYS_KILL, other)
		after := bootNs()
		switch v {
		case verdictSampled:
			sampled++
		case verdictWrite:
			written++
		default:
			t.Fatalf("verdict %d for kill", v)
		}
		// The kernel's clock read lies between before and after: when both
		// fall on the same side of the window edge the verdict is known.
		if before/1e9 == after/1e9 {
			in := func(ns uint64) bool { return ns%1e9 < window }
			if in(before) && in(after) && v != verdictWrite {
				t.Fatalf("kill at %d ms into the second was dropped, want kept", before%1e9/1e6)
			}
			if !in(before) && !in(after) && v != verdictSampled {
				t.Fatalf("kill at %d ms into the second was kept, want dropped", before%1e9/1e6)
			}
			checked++
		}
		// State-keeping syscalls are never sampled.
		if v := verdict(t, p, unix.SYS_OPENAT, other); v != verdictWrite {
			t.Fatalf("openat verdict %d at ratio %d, want it written", v, ratio)
		}
	}
	if sampled == 0 || written == 0 || checked == 0 {
		t.Fatalf("over 1.2 s: %d sampled, %d written, %d checked", sampled, written, checked)
	}
	st, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "n_sampled", st.Kernel.Sampled, sampled)
	eq(t, "n_sampled of category other", st.Kernel.SampledByCategory[8], sampled)

	// The windows were announced in the ring: DROP_E(8) and DROP_X(8),
	// then DROP_X(1) when sampling stops inside a window.
	if err := p.SetSamplingRatio(1); err != nil {
		t.Fatal(err)
	}
	for bootNs()%1e9 < window { // wait to be inside what was a drop window
		time.Sleep(time.Millisecond)
	}
	p.SetSamplingRatio(ratio)
	verdict(t, p, unix.SYS_KILL, other) // opens a window (DROP_E) if not open yet
	p.SetSamplingRatio(1)
	eq(t, "kill at ratio 1", verdict(t, p, unix.SYS_KILL, other), verdictWrite) // closes it: DROP_X(1)

	var enter, exit, exit1 int
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	p.Run(ctx, func(ev *event.Event) {
		r, _ := ev.Uint(0)
		switch {
		case ev.Type() == event.DropE && r == ratio:
			enter++
		case ev.Type() == event.DropX && r == ratio:
			exit++
		case ev.Type() == event.DropX && r == 1:
			exit1++
		}
	})
	if enter < 1 || exit < 1 || exit1 != 1 {
		t.Errorf("DROP_E(8) %d, DROP_X(8) %d, DROP_X(1) %d: want ≥1, ≥1, 1", enter, exit, exit1)
	}
}

func TestSamplingRatioValidation(t *testing.T) {
	for _, r := range []uint32{0, 3, 6, 100, 256} {
		if err := checkRatio(r); err == nil {
			t.Errorf("ratio %d accepted", r)
		}
	}
	for r := uint32(1); r <= 128; r *= 2 {
		if err := checkRatio(r); err != nil {
			t.Errorf("ratio %d rejected: %v", r, err)
		}
	}
}
