package rules

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakersec/saker/engine"
	"github.com/sakersec/saker/engine/alert"
	enginerules "github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/ebpf"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// live is the pipeline `saker run` builds with no rules files configured:
// the embedded default rules, the kernel syscall set they need (plus the
// state-keeping set), a state tracker bootstrapped from /proc and /etc,
// and the engine with rule_matching "first". One goroutine feeds every
// event through state.Update and engine.Process, as cmd/saker's pipeline
// does. Alerts are routed to the test that started the process (or an
// ancestor of it) that the event came from.
var live pipeline

type pipeline struct {
	once  sync.Once
	err   error
	rs    *enginerules.Ruleset
	probe *ebpf.Probe
	loop  *childtest.Loop

	// owned by the event goroutine
	st  *state.State
	eng *engine.Engine

	mu       sync.Mutex
	tree     childtest.Tree[*watcher]
	cur      *watcher       // watcher of the event being evaluated
	stray    map[string]int // alerts of processes no test started, by rule
	strayEvt uint64         // events evaluated
}

// watcher collects what one test's process tree does.
type watcher struct {
	childtest.Watch
	alerts []*alert.Alert
	seen   []seenEvent
}

type seenEvent struct {
	typ event.Type
	tid int64
}

// start loads the rules and the probe once per test binary.
func (p *pipeline) start(t testing.TB) {
	t.Helper()
	p.once.Do(func() { p.err = p.open() })
	if p.err != nil {
		childtest.SkipOrFail(t, "live pipeline: %v", p.err)
	}
}

func (p *pipeline) open() error {
	if os.Geteuid() != 0 {
		return errors.New("needs root (BPF, cgroups, namespaces)")
	}
	rs, err := loadDefault()
	if err != nil {
		return err
	}
	p.rs = rs
	var names []string
	seen := map[string]bool{}
	for _, typ := range rs.EventTypes() {
		if n := typ.Name(); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	sel := ebpf.SelectSyscalls(names, ebpf.BaseSyscalls{})
	if len(sel.Unsupported) > 0 {
		return fmt.Errorf("the default rules use event types saker does not capture live: %v", sel.Unsupported)
	}
	host, _ := os.Hostname()
	// as saker run builds it with the default configuration, whose
	// append_output suggests the container and pod fields
	p.eng, err = engine.New(rs, engine.Config{Hostname: host, AppendOutput: []engine.AppendOutput{{Suggested: true}}})
	if err != nil {
		return err
	}
	p.st = state.New(state.Config{ProcFS: "/proc"})
	if err := p.st.Users().LoadEtc("/"); err != nil {
		return err
	}
	// Open the probe before reading /proc, as saker run does not: here no
	// process the tests start can fall between the two.
	p.probe, err = ebpf.Open(ebpf.Config{Syscalls: sel.Names})
	if err != nil {
		return fmt.Errorf("BPF cannot be loaded: %w", err)
	}
	if err := p.st.LoadProc("/proc"); err != nil {
		p.probe.Close()
		return err
	}
	p.eng.Ctx().State = p.st
	p.stray = map[string]int{}
	p.loop = childtest.StartLoop(p.probe.Run, p.handle)
	return nil
}

func (p *pipeline) close() {
	if p.probe == nil {
		return
	}
	p.loop.Stop()
	p.probe.Close()
	if len(p.stray) > 0 && testing.Verbose() {
		fmt.Fprintf(os.Stderr, "alerts from processes outside the tests (%d events evaluated): %v\n", p.strayEvt, p.stray)
	}
}

// handle is the event loop body: state, then rules.
func (p *pipeline) handle(ev *event.Event) {
	p.st.Update(ev)
	p.mu.Lock()
	w := p.route(ev)
	p.cur = w
	p.strayEvt++
	p.mu.Unlock()
	p.eng.Process(ev, p.emit)
	if w != nil {
		w.NoteExit(ev)
	}
}

// route finds the watcher of ev's thread (childtest.Tree: new threads
// and children of watched ones are added as their clone events arrive).
// Called with p.mu held.
func (p *pipeline) route(ev *event.Event) *watcher {
	w, ok := p.tree.Route(ev)
	if !ok {
		return nil
	}
	w.seen = append(w.seen, seenEvent{typ: ev.Type(), tid: ev.Tid()})
	return w
}

func (p *pipeline) emit(a *alert.Alert) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil {
		p.cur.alerts = append(p.cur.alerts, a)
		return
	}
	p.stray[a.Rule]++
}

func (p *pipeline) watch(pid int) *watcher {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tree.Watch(pid, &watcher{})
}

func (p *pipeline) unwatch(w *watcher) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tree.Unwatch(w)
}

// waitSeen waits until w has seen an event of the named type from its root.
func (p *pipeline) waitSeen(t testing.TB, w *watcher, name string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, s := range w.seen {
			if s.tid == w.Root() && s.typ.Name() == name {
				p.mu.Unlock()
				return
			}
		}
		p.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s event from pid %d within %v", name, w.Root(), timeout)
}

// settle is how long a test waits after its process's exit was seen for
// events still in flight on other CPUs (the reader merges the rings by
// timestamp, but a record still being written can arrive late).
const settle = 150 * time.Millisecond

// spec describes one child process.
type spec struct {
	helper string   // helper workload (helpers_test.go)
	args   []string // its arguments
	// comm runs the helper through a symlink with this name: the process
	// name (proc.name) a rule sees. proc.exepath stays the test binary.
	comm string
	// exe runs the helper from this file (a hard link or copy of the test
	// binary) instead: proc.exepath is then exe.
	exe string
	// container moves the child into the test's container cgroup (a
	// docker-style path with a 64-hex id) and re-executes it, so that the
	// state tracker sees it in a container from its execve on.
	container bool
	// loginuid sets the child's audit login uid, then re-executes it.
	loginuid string
	dir      string   // working directory
	env      []string // extra environment
	// quietStdout sends the child's stdout to /dev/null (programs that
	// print what they read, e.g. cat /etc/shadow).
	quietStdout bool
	// wantExit is the exit status the child must end with; -1: any.
	wantExit int
}

// result is one finished child process tree.
type result struct {
	pid    int
	out    childtest.Result // the JSON a helper printed, if any
	stderr string
	alerts []*alert.Alert
}

// handle is a started child: watched, waiting for its go line.
type handle struct {
	t testing.TB
	s spec
	c *childtest.Child
	w *watcher
}

// start starts a child for s and watches it; the child waits until go.
func start(t testing.TB, s spec) *handle {
	t.Helper()
	live.start(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	target := self
	if s.exe != "" {
		target = s.exe
	}
	if s.comm != "" {
		target = filepath.Join(t.TempDir(), s.comm)
		if err := os.Symlink(self, target); err != nil {
			t.Fatal(err)
		}
	}
	path, args, env := target, s.args, workloads.Env(s.helper)
	if s.container || s.loginuid != "" {
		// A first stage applies the setting and re-executes the target.
		path = self
		stage := []string{}
		if s.container {
			stage = append(stage, "-cgroup", fixtures.containerCgroup(t))
		}
		if s.loginuid != "" {
			stage = append(stage, "-loginuid", s.loginuid)
		}
		stage = append(stage, "--", target, s.helper)
		args = append(stage, s.args...)
		env = workloads.Env("stage")
	}
	cmd := exec.Command(path, args...)
	cmd.Args[0] = filepath.Base(path)
	cmd.Env = append(append(os.Environ(), env), s.env...)
	cmd.Dir = s.dir
	if s.quietStdout {
		// What exec.Cmd gives a nil Stdout: the child writes to /dev/null
		// itself, through no pipe of ours.
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { null.Close() })
		cmd.Stdout = null
	}
	h := &handle{t: t, s: s}
	// Registered first, run last: the child is killed (childtest.Start's
	// cleanup) before its watch ends.
	t.Cleanup(func() {
		if h.w != nil {
			live.unwatch(h.w)
		}
	})
	h.c = childtest.Start(t, s.helper, cmd)
	h.w = live.watch(h.c.Pid())
	return h
}

// goAhead lets the child run.
func (h *handle) goAhead() { h.c.Go() }

// finish closes the child's stdin, waits for it and for its exit event,
// and returns what it did.
func (h *handle) finish() *result {
	t := h.t
	t.Helper()
	h.c.Finish(t, h.s.wantExit, h.w.Exited(), 15*time.Second, nil)
	time.Sleep(settle)
	r := &result{pid: h.c.Pid(), out: h.c.Result(t), stderr: h.c.Stderr()}
	live.mu.Lock()
	r.alerts = append([]*alert.Alert(nil), h.w.alerts...)
	live.mu.Unlock()
	return r
}

// run starts a child for s, lets it run to its end and returns what it did.
func run(t testing.TB, s spec) *result {
	t.Helper()
	h := start(t, s)
	h.goAhead()
	return h.finish()
}

// fires returns the first alert of rule, failing the test if there is none.
func (r *result) fires(t testing.TB, rule string) *alert.Alert {
	t.Helper()
	for _, a := range r.alerts {
		if a.Rule == rule {
			return a
		}
	}
	t.Fatalf("rule %q did not fire for pid %d; alerts: %s; helper out %v; stderr:\n%s", rule, r.pid, r.names(), r.out, r.stderr)
	return nil
}

// quiet fails the test if rule fired.
func (r *result) quiet(t testing.TB, rule string) {
	t.Helper()
	for _, a := range r.alerts {
		if a.Rule == rule {
			t.Fatalf("rule %q fired on the near miss: %s", rule, a.Message)
		}
	}
	if len(r.alerts) > 0 {
		t.Logf("near miss: other rules fired: %s", r.names())
	}
}

func (r *result) names() string {
	var s []string
	for _, a := range r.alerts {
		s = append(s, fmt.Sprintf("%q", a.Rule))
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// num returns a number the helper reported.
func (r *result) num(t testing.TB, key string) int64 {
	t.Helper()
	return r.out.Num(t, key)
}

// fieldText renders an alert's output field as Falco prints it: nil is <NA>.
func fieldText(a *alert.Alert, name string) (string, bool) {
	v, ok := a.Lookup(name)
	if !ok {
		return "", false
	}
	if v == nil {
		return "<NA>", true
	}
	return fmt.Sprint(v), true
}

// expect checks output fields of an alert. A want starting with "~" is a
// substring; otherwise the rendered value must be equal.
func expect(t testing.TB, a *alert.Alert, want map[string]string) {
	t.Helper()
	for name, w := range want {
		got, ok := fieldText(a, name)
		if !ok {
			t.Errorf("%s: alert has no output field %s (output: %s)", a.Rule, name, a.Message)
			continue
		}
		if sub, isSub := strings.CutPrefix(w, "~"); isSub {
			if !strings.Contains(got, sub) {
				t.Errorf("%s: %s = %q, want it to contain %q", a.Rule, name, got, sub)
			}
		} else if got != w {
			t.Errorf("%s: %s = %q, want %q", a.Rule, name, got, w)
		}
	}
}
