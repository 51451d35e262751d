package ebpf

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/event"
)

func TestRunAndCloseLifecycle(t *testing.T) {
	p := openProbe(t, Config{Syscalls: []string{"openat"}})
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background(), func(*event.Event) {}) }()
	time.Sleep(20 * time.Millisecond)
	if err := p.Run(context.Background(), func(*event.Event) {}); err == nil {
		t.Error("a second concurrent Run was accepted")
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after Close returned %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after Close")
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := p.Run(context.Background(), func(*event.Event) {}); err == nil {
		t.Error("Run on a closed probe succeeded")
	}
	if f := p.RingFill(); f != nil {
		t.Errorf("RingFill after Close = %v", f)
	}
}

func TestPollWaitDoublesWhileEmpty(t *testing.T) {
	w := pollWait{min: time.Millisecond, max: 30 * time.Millisecond}
	ms := time.Millisecond
	for i, want := range []time.Duration{1 * ms, 2 * ms, 4 * ms, 8 * ms, 16 * ms, 30 * ms, 30 * ms} {
		if got := w.empty(); got != want {
			t.Fatalf("empty poll %d: sleep %v, want %v", i+1, got, want)
		}
	}
	w.found()
	if got := w.empty(); got != ms {
		t.Fatalf("first empty poll after events: sleep %v, want %v", got, ms)
	}
	if got := w.empty(); got != 2*ms {
		t.Fatalf("second empty poll after events: sleep %v, want %v", got, 2*ms)
	}
}

// TestIdleReaderBacksOff: with nothing traced, the reader's empty polls
// (what syscall_event_timeouts counts) slow down to one per MaxPoll, so an
// idle host costs few wakeups and 1000 empty polls take about 30 s, as in
// Falco, instead of 1 s.
func TestIdleReaderBacksOff(t *testing.T) {
	var idle atomic.Int64
	p := openProbe(t, Config{Idle: func() { idle.Add(1) }})
	if got := p.cfg.MaxPoll; got != DefaultMaxPoll {
		t.Fatalf("MaxPoll default %v, want %v", got, DefaultMaxPoll)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := p.Run(ctx, func(*event.Event) { t.Error("an event with nothing traced") }); err != nil {
		t.Fatal(err)
	}
	// 1 + 2 + 4 + 8 + 16 ms, then one poll every 30 ms: about 55 in
	// 1.5 s (a reader polling every millisecond makes over 1000)
	if n := idle.Load(); n < 5 || n > 120 {
		t.Fatalf("%d empty polls in 1.5 s, want about 55", n)
	}
}
