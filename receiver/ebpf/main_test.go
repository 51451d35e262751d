package ebpf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/event"
)

// Privileged tests load the real programs. Under CI=true a probe that
// cannot load fails the test; otherwise the test is skipped.

// helperEnv selects a helper workload when the test binary is re-executed
// as a child process (see helpers_test.go).
const helperEnv = "SAKER_EBPF_HELPER"

func init() {
	// A helper does its syscalls on the main goroutine; locking it to the
	// main thread makes every one of them carry tid == pid.
	if os.Getenv(helperEnv) != "" {
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		os.Exit(runHelperMain(name, os.Args[1:]))
	}
	code := m.Run()
	if shared.p != nil {
		shared.cancel()
		<-shared.done
		shared.p.Close()
	}
	os.Exit(code)
}

// testGeneric are the generic syscalls the shared probe traces besides
// every syscall with a program of its own (not all of Generic: the
// machine's background of clock reads and signal masks would flood it).
var testGeneric = []string{"truncate", "ftruncate", "setfsuid", "setfsgid", "fchmodat2", "pidfd_send_signal", "fsopen", "fsmount"}

// shared is one probe with every supported event, opened by the first test
// that needs it and read by one Run goroutine feeding the hub.
var shared struct {
	once   sync.Once
	p      *Probe
	err    error
	hub    *hub
	cancel context.CancelFunc
	done   chan struct{}
}

func inCI() bool { return os.Getenv("CI") == "true" }

// skipOrFail fails under CI=true and skips otherwise.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// openProbe opens a probe for one test and closes it at cleanup.
func openProbe(t testing.TB, cfg Config) *Probe {
	t.Helper()
	p, err := Open(cfg)
	if err != nil {
		skipOrFail(t, "BPF cannot be loaded: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// sharedProbe returns the package's shared probe and hub.
func sharedProbe(t testing.TB) (*Probe, *hub) {
	t.Helper()
	shared.once.Do(func() {
		shared.p, shared.err = Open(Config{Syscalls: append(Supported(), testGeneric...)})
		if shared.err != nil {
			return
		}
		shared.hub = newHub()
		ctx, cancel := context.WithCancel(context.Background())
		shared.cancel = cancel
		shared.done = make(chan struct{})
		go func() {
			defer close(shared.done)
			shared.p.Run(ctx, shared.hub.handle)
		}()
	})
	if shared.err != nil {
		skipOrFail(t, "BPF cannot be loaded: %v", shared.err)
	}
	return shared.p, shared.hub
}

// hub hands copies of the events of watched processes to their watchers.
// A process is watched from its pid; threads and children it creates are
// added as their clone events arrive.
type hub struct {
	mu    sync.Mutex
	byTid map[int64]*watcher
	drops *dropCapture // DROP_E/X events from any thread, while set
}

type watcher struct {
	root   int64
	tids   []int64
	events [][]byte
	cpus   []uint16
	exited chan struct{} // closed at the root thread's procexit
}

func newHub() *hub { return &hub{byTid: map[int64]*watcher{}} }

func (h *hub) watch(pid int) *watcher {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := &watcher{root: int64(pid), exited: make(chan struct{})}
	h.add(w, int64(pid))
	return w
}

func (h *hub) add(w *watcher, tid int64) {
	h.byTid[tid] = w
	w.tids = append(w.tids, tid)
}

func (h *hub) unwatch(w *watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range w.tids {
		if h.byTid[t] == w {
			delete(h.byTid, t)
		}
	}
}

func isClone(t event.Type) bool {
	switch t {
	case event.SyscallCloneV20X, event.SyscallForkV20X, event.SyscallVforkV20X, event.SyscallClone3X:
		return true
	}
	return false
}

func (h *hub) handle(ev *event.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.drops != nil && (ev.Type() == event.DropE || ev.Type() == event.DropX) {
		h.drops.raw = append(h.drops.raw, bytes.Clone(ev.Raw()))
	}
	if len(h.byTid) == 0 {
		return
	}
	tid := ev.Tid()
	w := h.byTid[tid]
	clone := isClone(ev.Type())
	if w == nil && clone {
		// The child's side of a clone can arrive before the parent's: a
		// new process belongs to its parent's watcher, a new thread (whose
		// ptid is its process's parent) to its process's.
		if res, _ := ev.Int(0); res == 0 {
			ptid, _ := ev.Int(5)
			pid, _ := ev.Int(4)
			pw := h.byTid[ptid]
			if pid != tid {
				pw = h.byTid[pid]
			}
			if pw != nil {
				w = pw
				h.add(w, tid)
			}
		}
	}
	if w == nil {
		return
	}
	w.events = append(w.events, bytes.Clone(ev.Raw()))
	w.cpus = append(w.cpus, ev.CPU)
	if clone {
		if res, _ := ev.Int(0); res > 0 && h.byTid[res] == nil {
			h.add(w, res)
		}
	}
	if ev.Type() == event.ProcexitV1E && tid == w.root {
		close(w.exited)
	}
}

// parsed returns the watcher's events, decoded.
func (h *hub) parsed(t testing.TB, w *watcher) []*event.Event {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*event.Event, 0, len(w.events))
	for i, raw := range w.events {
		ev, err := event.Parse(raw, w.cpus[i])
		if err != nil {
			t.Fatalf("event %d does not decode: %v", i, err)
		}
		// Every event carries every parameter of its table entry.
		if ev.NumParams() != len(ev.Info().Params) {
			t.Errorf("%s carries %d parameters, the table lists %d", ev.Type(), ev.NumParams(), len(ev.Info().Params))
		}
		out = append(out, ev)
	}
	return out
}

// helperRun is one finished helper process.
type helperRun struct {
	pid    int
	result map[string]any // what the helper printed
	events []*event.Event // every event of the helper and its descendants
}

// runHelper starts the named helper (this test binary re-executed), waits
// until it is watched, lets it run, and returns its events once its exit
// has been seen. The helper must exit with status want.
func runHelper(t testing.TB, want int, name string, args ...string) *helperRun {
	t.Helper()
	_, h := sharedProbe(t)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"="+name)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := h.watch(cmd.Process.Pid)
	defer h.unwatch(w)
	fmt.Fprintln(stdin, "go")
	stdin.Close()
	err = cmd.Wait()
	status := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("helper %s: %v", name, err)
	}
	if status != want {
		t.Fatalf("helper %s exited %d, want %d; stderr:\n%s", name, status, want, stderr.String())
	}
	select {
	case <-w.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("helper %s: no procexit event for pid %d within 10s", name, cmd.Process.Pid)
	}
	r := &helperRun{pid: cmd.Process.Pid, result: map[string]any{}}
	if line, _ := bufio.NewReader(&stdout).ReadBytes('\n'); len(line) > 0 && line[0] == '{' {
		if err := json.Unmarshal(line, &r.result); err != nil {
			t.Fatalf("helper %s output %q: %v", name, line, err)
		}
	}
	r.events = h.parsed(t, w)
	return r
}

// num returns a number the helper reported.
func (r *helperRun) num(t testing.TB, key string) int64 {
	t.Helper()
	v, ok := r.result[key]
	if !ok {
		t.Fatalf("helper did not report %q (got %v)", key, r.result)
	}
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", key, x, err)
		}
		return n
	}
	t.Fatalf("%s: unexpected %T", key, v)
	return 0
}

// of returns the events of type typ from thread tid (any thread if tid is 0).
func (r *helperRun) of(typ event.Type, tid int) []*event.Event {
	var out []*event.Event
	for _, ev := range r.events {
		if ev.Type() == typ && (tid == 0 || ev.Tid() == int64(tid)) {
			out = append(out, ev)
		}
	}
	return out
}

// one returns the only event of type typ from the helper's main thread
// matching match (nil: any), failing otherwise.
func (r *helperRun) one(t testing.TB, typ event.Type, match func(*event.Event) bool) *event.Event {
	t.Helper()
	var got []*event.Event
	for _, ev := range r.of(typ, r.pid) {
		if match == nil || match(ev) {
			got = append(got, ev)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d %s events from tid %d match, want 1 (helper saw %d events)", len(got), typ, r.pid, len(r.events))
	}
	return got[0]
}

// syncBuffer collects a child's stdout.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) json() (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	line, _ := bufio.NewReader(bytes.NewReader(s.buf.Bytes())).ReadBytes('\n')
	return out, json.Unmarshal(line, &out)
}
