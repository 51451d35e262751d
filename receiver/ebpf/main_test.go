package ebpf

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

// Privileged tests load the real programs. Under CI=true a probe that
// cannot load fails the test; otherwise the test is skipped
// (childtest.SkipOrFail).

func TestMain(m *testing.M) {
	workloads.Main()
	code := m.Run()
	if shared.p != nil {
		shared.loop.Stop()
		shared.p.Close()
	}
	os.Exit(code)
}

// testGeneric are the generic syscalls the shared probe traces besides
// the syscalls with a program of their own (see sharedSyscalls; not all of Generic: the
// machine's background of clock reads and signal masks would flood it).
var testGeneric = []string{"truncate", "ftruncate", "setfsuid", "setfsgid", "fchmodat2", "pidfd_send_signal", "fsopen", "fsmount"}

// shared is one probe with every supported event, opened by the first test
// that needs it and read by one Run goroutine feeding the hub.
var shared struct {
	once sync.Once
	p    *Probe
	err  error
	hub  *hub
	loop *childtest.Loop
}

// openProbe opens a probe for one test and closes it at cleanup.
func openProbe(t testing.TB, cfg Config) *Probe {
	t.Helper()
	p, err := Open(cfg)
	if err != nil {
		childtest.SkipOrFail(t, "BPF cannot be loaded: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// sharedProbe returns the package's shared probe and hub.
func sharedProbe(t testing.TB) (*Probe, *hub) {
	t.Helper()
	shared.once.Do(func() {
		shared.p, shared.err = Open(Config{Syscalls: sharedSyscalls()})
		if shared.err != nil {
			return
		}
		shared.hub = &hub{}
		shared.loop = childtest.StartLoop(shared.p.Run, shared.hub.handle)
	})
	if shared.err != nil {
		childtest.SkipOrFail(t, "BPF cannot be loaded: %v", shared.err)
	}
	return shared.p, shared.hub
}

// hub hands copies of the events of watched processes to their watchers
// (a childtest.Tree: a process is watched from its pid, the threads and
// children it creates are added as their clone events arrive).
type hub struct {
	mu    sync.Mutex
	tree  childtest.Tree[*watcher]
	drops *dropCapture // DROP_E/X events from any thread, while set
}

type watcher struct {
	childtest.Watch
	events [][]byte
	cpus   []uint16
}

func (h *hub) watch(pid int) *watcher {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tree.Watch(pid, &watcher{})
}

func (h *hub) unwatch(w *watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tree.Unwatch(w)
}

func (h *hub) handle(ev *event.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.drops != nil && (ev.Type() == event.DropE || ev.Type() == event.DropX) {
		h.drops.raw = append(h.drops.raw, bytes.Clone(ev.Raw()))
	}
	w, ok := h.tree.Route(ev)
	if !ok {
		return
	}
	w.events = append(w.events, bytes.Clone(ev.Raw()))
	w.cpus = append(w.cpus, ev.CPU)
	w.NoteExit(ev)
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
	result childtest.Result // what the helper printed
	events []*event.Event   // every event of the helper and its descendants
}

// runHelper starts the named helper (this test binary re-executed), waits
// until it is watched, lets it run, and returns its events once its exit
// has been seen. The helper must exit with status want.
func runHelper(t testing.TB, want int, name string, args ...string) *helperRun {
	t.Helper()
	_, h := sharedProbe(t)
	c := childtest.Start(t, name, workloads.Command(name, args...))
	w := h.watch(c.Pid())
	defer h.unwatch(w)
	c.Go()
	c.Finish(t, want, w.Exited(), 10*time.Second, nil)
	return &helperRun{pid: c.Pid(), result: c.Result(t), events: h.parsed(t, w)}
}

// num returns a number the helper reported.
func (r *helperRun) num(t testing.TB, key string) int64 {
	t.Helper()
	return r.result.Num(t, key)
}

// ok returns a number the child reported for a call that must have
// succeeded (failing the test with the call's error if it did not).
func (r *helperRun) ok(t testing.TB, key string) int64 {
	t.Helper()
	v := r.num(t, key)
	if v < 0 {
		t.Fatalf("%s failed: %v", key, r.result[key+"_err"])
	}
	return v
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
