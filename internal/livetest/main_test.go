package livetest

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/filter"
	"github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/ebpf"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

func TestMain(m *testing.M) {
	workloads.Main()
	live.start()
	code := m.Run()
	live.stop()
	os.Exit(code)
}

// renderedFields are rendered on every event of a watched process, next to
// evt.arg.X and evt.rawarg.X of each of the event's parameters.
var renderedFields = []string{
	"evt.type", "evt.res", "evt.rawres", "evt.failed", "evt.args", "evt.category",
	"evt.is_open_read", "evt.is_open_write", "evt.is_open_exec", "evt.is_open_create",
	"fd.num", "fd.name", "fd.directory", "fd.filename", "fd.typechar", "fd.type",
	"fd.sip", "fd.sport", "fd.cip", "fd.cport", "fd.lip", "fd.lport", "fd.rip", "fd.rport",
	"fd.l4proto", "fd.sockfamily", "fd.is_server", "fd.connected", "fd.ino",
	"proc.name", "proc.exe", "proc.exepath", "proc.cmdline", "proc.args", "proc.pname",
	"proc.pcmdline", "proc.pexe", "proc.aname[1]", "proc.aname[2]", "proc.aname[3]",
	"proc.apid[1]", "proc.apid[2]", "proc.pid", "proc.ppid", "proc.vpid", "proc.tty",
	"proc.cwd", "proc.sid", "proc.is_exe_from_memfd", "proc.is_exe_writable",
	"proc.exe_ino", "proc.nthreads", "proc.sname",
	"thread.tid", "thread.vtid", "thread.ismain", "thread.cap_effective",
	"user.name", "user.uid", "user.loginuid", "group.name", "group.gid",
	"container.id", "container.type",
	// more of what the upstream rules read
	"user.loginname", "proc.pexepath", "proc.aname[4]", "proc.aexepath[2]", "fd.nameraw",
	"fd.types", "fd.name_changed", "proc.vpgid.name", "proc.is_vpgid_leader", "thread.cap_permitted",
}

// na is the rendering of a field that is not available on an event.
const na = "<NA>"

// live is the probe, state and event loop shared by every test.
var live env

type env struct {
	probe *ebpf.Probe
	err   error // why the probe or the bootstrap failed
	loop  *childtest.Loop

	// Only the Run goroutine touches st, ctx and bound.
	st    *state.State
	ctx   fields.Ctx
	bound map[string]*fields.Bound
	val   fields.Value

	mu   sync.Mutex
	tree childtest.Tree[*watcher]
}

// highVolumeWait are the waits and sleeps start leaves out.
var highVolumeWait = []string{"futex", "nanosleep", "poll", "ppoll", "select", "epoll_wait"}

// start loads the probe and bootstraps the state the way cmd/saker does:
// the programs are attached first, then /etc and /proc are read, so a
// process started in between is in the ring or in /proc; then every event
// updates the state.
func (e *env) start() {
	// Every syscall with a program, but the I/O calls Falco ignores
	// without -A (as a rule on each would select them) and the waits and
	// sleeps: traced machine-wide, read, write and futex would flood the
	// ring, and no test here needs them.
	var names []string
	for _, n := range ebpf.Supported() {
		if !slices.Contains(highVolumeWait, n) {
			names = append(names, n)
		}
	}
	sel := ebpf.SelectSyscalls(names, ebpf.BaseSyscalls{CustomSet: []string{ebpf.Procexit}})
	e.probe, e.err = ebpf.Open(ebpf.Config{Syscalls: sel.Names, RingSize: 16 << 20})
	if e.err != nil {
		return
	}
	e.st = state.New(state.Config{ProcFS: "/proc"})
	if err := e.st.Users().LoadEtc("/"); err != nil {
		e.err = fmt.Errorf("users and groups from /etc: %w", err)
	} else if err := e.st.LoadProc("/proc"); err != nil {
		e.err = fmt.Errorf("threads from /proc: %w", err)
	}
	if e.err != nil {
		e.probe.Close()
		e.probe = nil
		return
	}
	e.ctx.State = e.st
	e.bound = map[string]*fields.Bound{}
	for _, f := range renderedFields {
		b, err := bindWritten(f)
		if err != nil {
			e.err = err
			e.probe.Close()
			e.probe = nil
			return
		}
		e.bound[f] = b
	}
	e.loop = childtest.StartLoop(e.probe.Run, e.handle)
}

func (e *env) stop() {
	if e.probe == nil {
		return
	}
	e.loop.Stop()
	e.probe.Close()
}

// requireLive fails under CI=true and skips otherwise when the probe is
// not running or the test is not root.
func requireLive(t testing.TB) {
	t.Helper()
	var why string
	switch {
	case live.err != nil:
		why = "BPF cannot be loaded: " + live.err.Error()
	case live.probe == nil:
		why = "probe not started"
	case os.Geteuid() != 0:
		why = "needs root"
	}
	if why != "" {
		childtest.SkipOrFail(t, "%s", why)
	}
}

// bindWritten binds a field as written in a rule: "proc.aname[2]",
// "evt.arg.flags".
func bindWritten(w string) (*fields.Bound, error) {
	name, arg := w, fields.Arg{}
	if i := strings.IndexByte(w, '['); i >= 0 && strings.HasSuffix(w, "]") {
		name, arg = w[:i], fields.Arg{Set: true, Text: w[i+1 : len(w)-1]}
	}
	return fields.Default.Bind(name, arg)
}

// record is one event of a watched process with its fields as a rule saw
// them when the event arrived.
type record struct {
	typ    event.Type
	tid    int64
	raw    []byte
	fields map[string]string // written field name → rendering; "<NA>" when not available
	// matched lists the watch's conditions that held on the event;
	// rules the names of the watch's rules that matched.
	matched []string
	rules   []string
}

// name is evt.type.
func (r *record) name() string { return r.typ.Name() }

// get returns a rendered field; fields that were not rendered read as "".
func (r *record) get(f string) string { return r.fields[f] }

func (r *record) String() string {
	return fmt.Sprintf("%s tid=%d %s", r.name(), r.tid, r.fields["evt.args"])
}

// watcher collects the events of one child and of the threads and
// processes it creates.
type watcher struct {
	childtest.Watch
	recs []*record
	opts watchOpts
}

// threadsExited reports whether every thread the watch has events of
// has its procexit among them.
func (w *watcher) threadsExited() bool {
	live.mu.Lock()
	defer live.mu.Unlock()
	running := map[int64]bool{}
	for _, r := range w.recs {
		if r.typ == event.ProcexitV1E {
			running[r.tid] = false
		} else if _, seen := running[r.tid]; !seen {
			running[r.tid] = true
		}
	}
	for _, alive := range running {
		if alive {
			return false
		}
	}
	return true
}

// watchOpts adds evaluations to a watch: compiled conditions and a
// ruleset, evaluated on each event of the child when it arrives.
type watchOpts struct {
	conds []*cond
	rules *rules.Ruleset
}

// cond is a compiled condition and its text.
type cond struct {
	text string
	f    *filter.Filter
}

// compile compiles conditions (no macros) against the field registry.
func compile(t testing.TB, texts ...string) []*cond {
	t.Helper()
	var out []*cond
	for _, s := range texts {
		expr, err := condition.Parse(s)
		if err != nil {
			t.Fatalf("condition %q: %v", s, err)
		}
		f, _, err := (&filter.Compiler{}).Compile(expr)
		if err != nil {
			t.Fatalf("condition %q: %v", s, err)
		}
		out = append(out, &cond{text: s, f: f})
	}
	return out
}

func (e *env) watch(pid int, opts watchOpts) *watcher {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tree.Watch(pid, &watcher{opts: opts})
}

func (e *env) unwatch(w *watcher) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tree.Unwatch(w)
}

// handle runs on the Run goroutine for every event of the machine: the
// state is updated with each, and the events of watched processes are
// recorded with their fields.
func (e *env) handle(ev *event.Event) {
	e.st.Update(ev)
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.tree.Route(ev)
	if !ok {
		return
	}
	rec := e.render(ev)
	for _, c := range w.opts.conds {
		if c.f.Match(&e.ctx) {
			rec.matched = append(rec.matched, c.text)
		}
	}
	if rs := w.opts.rules; rs != nil {
		for _, r := range rs.RulesFor(ev.Type()) {
			if r.Filter.Match(&e.ctx) {
				rec.rules = append(rec.rules, r.Name)
			}
		}
	}
	w.recs = append(w.recs, rec)
	w.NoteExit(ev)
}

// render evaluates the fields on ev against the state as it is now.
func (e *env) render(ev *event.Event) *record {
	e.ctx.Reset(ev)
	r := &record{typ: ev.Type(), tid: ev.Tid(), raw: bytes.Clone(ev.Raw()), fields: map[string]string{}}
	one := func(written string) {
		b := e.bound[written]
		if b == nil {
			var err error
			if b, err = bindWritten(written); err != nil {
				r.fields[written] = "bind error: " + err.Error()
				return
			}
			e.bound[written] = b
		}
		e.val = fields.Value{}
		if !b.Extract(&e.ctx, &e.val) {
			r.fields[written] = na
			return
		}
		r.fields[written] = string(b.AppendText(nil, &e.val))
	}
	for _, f := range renderedFields {
		one(f)
	}
	for _, p := range ev.Info().Params {
		one("evt.arg." + p.Name)
		one("evt.rawarg." + p.Name)
	}
	return r
}

// run is one finished child.
type run struct {
	name   string
	pid    int
	result childtest.Result // what the child printed
	recs   []*record        // every event of the child and its descendants
}

// runHelper starts the named workload in a child (this test binary
// re-executed), watches it before letting it start, waits for its exit and
// for its procexit event, and returns its events. The child must exit with
// status want.
func runHelper(t testing.TB, want int, name string, args ...string) *run {
	t.Helper()
	return runWatched(t, watchOpts{}, want, name, args...)
}

// runWatched is runHelper with conditions or rules evaluated on the
// child's events.
func runWatched(t testing.TB, opts watchOpts, want int, name string, args ...string) *run {
	t.Helper()
	requireLive(t)
	c := childtest.Start(t, name, workloads.Command(name, args...))
	w := live.watch(c.Pid(), opts)
	defer live.unwatch(w)
	c.Go()
	c.Finish(t, want, w.Exited(), 10*time.Second, dropReport)
	// The child was reaped, so every thread of it has exited; but the
	// procexit of a thread other than the root may still wait in another
	// CPU's ring when the root's arrives (CI saw one missing). Wait for
	// the procexit of every thread the watch saw (at most 2 s: a
	// descendant may outlive the child).
	for deadline := time.Now().Add(2 * time.Second); !w.threadsExited() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	// Rings are merged by timestamp, but a record another CPU was still
	// writing when the reader looked can come a little later than a
	// younger one: give the descendants' last events that moment.
	time.Sleep(20 * time.Millisecond)
	r := &run{name: name, pid: c.Pid(), result: c.Result(t)}
	live.mu.Lock()
	r.recs = w.recs
	live.mu.Unlock()
	return r
}

// dropReport says whether the kernel lost events, for failure messages.
func dropReport() string {
	st, err := live.probe.Stats()
	if err != nil {
		return "kernel counters unreadable: " + err.Error()
	}
	return fmt.Sprintf("kernel counters: %+v", st.Kernel)
}

// num returns a number the child reported.
func (r *run) num(t testing.TB, key string) int64 {
	t.Helper()
	return r.result.Num(t, key)
}

// str returns a string the child reported.
func (r *run) str(t testing.TB, key string) string {
	t.Helper()
	return r.result.Str(t, key)
}

// numStr is num rendered in decimal, as fields render numbers.
func (r *run) numStr(t testing.TB, key string) string {
	t.Helper()
	return strconv.FormatInt(r.num(t, key), 10)
}

// where selects records whose fields have the given renderings (pairs of
// field, value).
func where(kv ...string) func(*record) bool {
	return func(rec *record) bool {
		for i := 0; i+1 < len(kv); i += 2 {
			if rec.get(kv[i]) != kv[i+1] {
				return false
			}
		}
		return true
	}
}

// all returns the records named evt (an evt.type) from thread tid (any
// thread if tid is 0) that match.
func (r *run) all(evt string, tid int, match func(*record) bool) []*record {
	var out []*record
	for _, rec := range r.recs {
		if rec.name() == evt && (tid == 0 || rec.tid == int64(tid)) && (match == nil || match(rec)) {
			out = append(out, rec)
		}
	}
	return out
}

// one returns the only event named evt from the child's main thread that
// matches, failing otherwise.
func (r *run) one(t testing.TB, evt string, match func(*record) bool) *record {
	t.Helper()
	return r.oneOf(t, evt, r.pid, match)
}

// oneOf is one for thread tid.
func (r *run) oneOf(t testing.TB, evt string, tid int, match func(*record) bool) *record {
	t.Helper()
	got := r.all(evt, tid, match)
	if len(got) != 1 {
		var seen []string
		for _, rec := range r.all(evt, 0, nil) {
			seen = append(seen, rec.String())
		}
		t.Fatalf("%d %s events from tid %d match, want 1; all %s events of %s:\n  %s\n%s",
			len(got), evt, tid, evt, r.name, strings.Join(seen, "\n  "), dropReport())
	}
	return got[0]
}

// expect checks the renderings of fields on rec (pairs of field, value).
func expect(t testing.TB, rec *record, kv ...string) {
	t.Helper()
	if len(kv)%2 != 0 {
		t.Fatalf("expect: odd argument list %q", kv)
	}
	for i := 0; i < len(kv); i += 2 {
		if got := rec.get(kv[i]); got != kv[i+1] {
			t.Errorf("%s: %s = %q, want %q", rec.name(), kv[i], got, kv[i+1])
		}
	}
}

// expectAvailable checks that fields are available (not <NA>) on rec and
// returns their renderings.
func expectAvailable(t testing.TB, rec *record, names ...string) []string {
	t.Helper()
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = rec.get(n)
		if out[i] == na || out[i] == "" {
			t.Errorf("%s: %s = %q, want a value", rec.name(), n, out[i])
		}
	}
	return out
}

// names returns the sorted evt.type names among recs.
func names(recs []*record) []string {
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.name()] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// holds reports whether condition text held on rec.
func (r *record) holds(text string) bool {
	for _, m := range r.matched {
		if m == text {
			return true
		}
	}
	return false
}

// fired reports whether rule name matched rec.
func (r *record) fired(name string) bool {
	for _, m := range r.rules {
		if m == name {
			return true
		}
	}
	return false
}
