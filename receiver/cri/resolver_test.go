package cri

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/state"
)

// loop plays the event loop: it asks with Want and drains into a table
// until id is there or the deadline passes.
func waitFor(t *testing.T, r *Resolver, got map[string]*state.Container, id string, d time.Duration) *state.Container {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		r.Drain(func(c *state.Container) { got[c.ID] = c })
		if c := got[id]; c != nil {
			return c
		}
		time.Sleep(2 * time.Millisecond)
	}
	return nil
}

func dial(t *testing.T, sock string) *Client {
	t.Helper()
	c, err := Dial(context.Background(), "", []string{filepath.Join(t.TempDir(), "absent.sock"), sock}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A container id from a cgroup path (12 characters) resolves, off the
// caller's goroutine, to the container and its pod; its sandbox's id
// resolves to the pod; the pod is asked once for both.
func TestResolverResolves(t *testing.T) {
	f := newFake()
	sock, _ := serve(t, f)
	c := dial(t, sock)
	if c.Runtime != "containerd" || c.Socket != sock {
		t.Fatalf("dialled %q (%q)", c.Socket, c.Runtime)
	}
	r := NewResolver(c, Options{}, false, nil)
	defer r.Close()
	got := map[string]*state.Container{}
	now := time.Now().UnixNano()
	r.Want(ctrID[:12], now)
	m := waitFor(t, r, got, ctrID[:12], 5*time.Second)
	if m == nil {
		t.Fatalf("not resolved; stats %+v", r.Stats())
	}
	if m.Name != "web" || m.ImageRepo != "docker.io/library/nginx" || m.PodName != "web-7d9f" || m.PodNamespace != "shop" ||
		m.PodUID != podUID || m.PodLabels["app"] != "web" || m.PodLabelsText == "" || m.MountsText == "" {
		t.Errorf("resolved %+v", m)
	}
	r.Want(sbxID[:12], now)
	s := waitFor(t, r, got, sbxID[:12], 5*time.Second)
	if s == nil || !s.IsPodSandbox || s.PodName != "web-7d9f" {
		t.Fatalf("sandbox resolved to %+v", s)
	}
	// 1 ContainerStatus + 1 PodSandboxStatus for the container, then for
	// the sandbox's short id 1 ContainerStatus (not found) and 1
	// PodSandboxStatus (the pods are cached by full id).
	if n := f.calls.Load(); n != 4 {
		t.Errorf("%d calls, want 4", n)
	}
	// Known to the resolver but dropped from the state's table: delivered
	// again without a call.
	delete(got, ctrID[:12])
	r.Want(ctrID[:12], now+int64(time.Hour))
	if waitFor(t, r, got, ctrID[:12], time.Second) == nil || f.calls.Load() != 4 {
		t.Errorf("cached container not delivered again without a call (%d calls)", f.calls.Load())
	}
	if st := r.Stats(); st.Resolved != 2 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
}

// An id the runtime does not know is asked once per RetryAfter, however
// many events ask for it, and counted as not found.
func TestResolverUnknownID(t *testing.T) {
	f := newFake()
	sock, _ := serve(t, f)
	r := NewResolver(dial(t, sock), Options{RetryAfter: time.Minute}, false, nil)
	defer r.Close()
	now := time.Now().UnixNano()
	for i := range 1000 {
		r.Want("aaaaaaaaaaaa", now+int64(i))
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.Stats().NotFound == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if st := r.Stats(); st.NotFound != 1 || st.Lookups != 1 {
		t.Fatalf("stats %+v, want one lookup, not found", st)
	}
	if f.calls.Load() != 2 { // ContainerStatus, then PodSandboxStatus
		t.Errorf("%d calls, want 2", f.calls.Load())
	}
	if r.Pending() {
		t.Error("a result for an unknown id")
	}
	// after RetryAfter it is asked again
	r.Want("aaaaaaaaaaaa", now+int64(2*time.Minute))
	deadline = time.Now().Add(5 * time.Second)
	for r.Stats().NotFound < 2 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if r.Stats().NotFound != 2 {
		t.Errorf("not asked again after RetryAfter: %+v", r.Stats())
	}
}

// A slow runtime never makes Want wait: lookups time out on the workers,
// are counted as failed, and the queue bounds what waits (the rest is
// dropped and counted).
func TestResolverSlowRuntime(t *testing.T) {
	f := newFake()
	f.delay = time.Hour
	sock, _ := serve(t, f)
	r := NewResolver(dial(t, sock), Options{Timeout: 100 * time.Millisecond, Workers: 1, Queue: 2}, false, nil)
	defer r.Close()
	now := time.Now().UnixNano()
	start := time.Now()
	for i := range 50 {
		r.Want(strings.Repeat(string(rune('a'+i%26)), 11)+string(rune('0'+i/26)), now)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("50 Want calls took %v with the runtime hanging", d)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if st := r.Stats(); st.Failed+st.Dropped == 50 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	st := r.Stats()
	if st.Failed+st.Dropped != 50 || st.Failed < 1 || st.Dropped < 40 || st.Resolved != 0 {
		t.Errorf("stats %+v: want every id failed (timeout) or dropped (queue full)", st)
	}
}

// The runtime going away after start: lookups fail (counted), nothing
// blocks or panics; a socket that is absent or not a socket is refused by
// Dial with the reason.
func TestResolverRuntimeDown(t *testing.T) {
	f := newFake()
	sock, stop := serve(t, f)
	r := NewResolver(dial(t, sock), Options{Timeout: 200 * time.Millisecond}, false, nil)
	defer r.Close()
	stop()
	os.Remove(sock)
	r.Want(ctrID[:12], time.Now().UnixNano())
	deadline := time.Now().Add(5 * time.Second)
	for r.Stats().Failed == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := r.Stats(); st.Failed != 1 || st.Resolved != 0 {
		t.Errorf("stats %+v", st)
	}
	if _, err := r.Bootstrap(context.Background()); err == nil {
		t.Error("bootstrap against a stopped runtime did not fail")
	}

	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, nil, 0o644)
	_, err := Dial(context.Background(), dir, []string{"/absent.sock", "/plain"}, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "absent.sock: no such file") || !strings.Contains(err.Error(), "plain: not a unix socket") {
		t.Errorf("Dial: %v", err)
	}
}

// Bootstrap resolves what exists at start, sandboxes and containers.
func TestResolverBootstrap(t *testing.T) {
	f := newFake()
	sock, _ := serve(t, f)
	r := NewResolver(dial(t, sock), Options{}, false, nil)
	defer r.Close()
	cs, err := r.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]*state.Container{}
	for _, c := range cs {
		ids[c.ID] = c
	}
	if len(ids) != 2 || ids[ctrID[:12]] == nil || ids[ctrID[:12]].PodName != "web-7d9f" || ids[sbxID[:12]] == nil || !ids[sbxID[:12]].IsPodSandbox {
		t.Fatalf("bootstrap gave %v", ids)
	}
	// A later Want for a bootstrapped container costs no call.
	n := f.calls.Load()
	r.Want(ctrID[:12], time.Now().UnixNano())
	got := map[string]*state.Container{}
	if waitFor(t, r, got, ctrID[:12], time.Second) == nil || f.calls.Load() != n {
		t.Error("bootstrapped container not served from the cache")
	}
}

// With DisableAsync the lookup happens inside Want: the result is waiting
// when it returns.
func TestResolverSync(t *testing.T) {
	f := newFake()
	sock, _ := serve(t, f)
	r := NewResolver(dial(t, sock), Options{}, true, nil)
	defer r.Close()
	r.Want(ctrID[:12], time.Now().UnixNano())
	if !r.Pending() {
		t.Fatal("no result after a synchronous Want")
	}
	var got *state.Container
	r.Drain(func(c *state.Container) { got = c })
	if got == nil || got.PodNamespace != "shop" {
		t.Fatalf("got %+v", got)
	}
}

// A resolver started before its runtime asks nothing while there is
// none, dials again every RedialEvery, and once the runtime answers hands
// every container it lists to the event loop (through the mailbox) and
// resolves from then on.
func TestWaitingResolver(t *testing.T) {
	f := newFake()
	dir := t.TempDir()
	late := filepath.Join(dir, "late.sock")
	var dials atomic.Int64
	dialLate := func(ctx context.Context) (*Client, error) {
		dials.Add(1)
		return Dial(ctx, "", []string{late}, time.Second)
	}
	type conn struct {
		c      *Client
		listed int
		err    error
	}
	connected := make(chan conn, 1)
	r := NewWaitingResolver(dialLate, Options{RedialEvery: 20 * time.Millisecond}, false, nil,
		func(c *Client, listed int, err error) { connected <- conn{c, listed, err} })
	defer r.Close()

	got := map[string]*state.Container{}
	r.Want(ctrID[:12], time.Now().UnixNano())
	time.Sleep(100 * time.Millisecond)
	r.Drain(func(c *state.Container) { got[c.ID] = c })
	if r.Connected() || len(got) != 0 || r.Stats().Lookups != 0 || dials.Load() < 2 {
		t.Fatalf("before the runtime: connected %v, got %v, stats %+v, %d dials", r.Connected(), got, r.Stats(), dials.Load())
	}

	sock, _ := serve(t, f)
	if err := os.Symlink(sock, late); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-connected:
		if c.err != nil || c.listed != 2 || c.c.Runtime != "containerd" {
			t.Fatalf("connected: %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("not connected after the socket appeared (%d dials)", dials.Load())
	}
	n := dials.Load()
	// the listing arrives through the mailbox, without a Want
	if m := waitFor(t, r, got, ctrID[:12], time.Second); m == nil || m.PodName != "web-7d9f" {
		t.Fatalf("listed container: %+v", m)
	}
	if got[sbxID[:12]] == nil {
		t.Fatalf("sandbox not listed: %v", got)
	}
	// and it no longer dials
	time.Sleep(100 * time.Millisecond)
	if d := dials.Load(); d != n {
		t.Errorf("%d dials after connecting", d-n)
	}
	if !r.Connected() {
		t.Error("not Connected")
	}
}

// Close stops a resolver still waiting for its runtime.
func TestWaitingResolverClose(t *testing.T) {
	r := NewWaitingResolver(func(ctx context.Context) (*Client, error) {
		return nil, errors.New("no runtime")
	}, Options{RedialEvery: 10 * time.Millisecond}, false, nil, nil)
	time.Sleep(50 * time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- r.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs")
	}
}
