package ebpf

import (
	"context"
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
