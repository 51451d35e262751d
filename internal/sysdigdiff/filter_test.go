package sysdigdiff

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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
	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// divergence is a known, reviewed difference between saker and sysdig
// 0.29 for some fields: on the traces (all if none listed) and event types
// (all if none listed) it names, events are left out of the comparison of
// any filter that reads one of the fields. Each says why.
type divergence struct {
	fields []string
	traces []string
	types  []string
	// ops, when set: only filters using one of these operators.
	ops []string
	// when, when set: only events for which it holds.
	when   func(p evProps) bool
	reason string
}

// evProps are facts about an event saker's state knows, for divergences
// that concern some kinds of events only.
type evProps struct {
	fdKind   string // fd.type of the event's fd, "-server" appended for listening sockets; "" without one
	idsKnown bool   // the thread's uid and gid have names in the user and group tables
}

func unixFD(p evProps) bool { return p.fdKind == "unix" }
func inetFD(p evProps) bool { return strings.HasPrefix(p.fdKind, "ipv") }
func nonFileFD(p evProps) bool {
	return p.fdKind != "" && p.fdKind != "file" && p.fdKind != "directory"
}

var divergences = []divergence{
	{fields: []string{"fd."}, types: []string{"mmap"},
		reason: "current libs' event table flags mmap as using an fd (fd.* resolve on it); sysdig 0.29's does not"},
	{fields: []string{"proc.", "thread.", "user.", "group.", "fd.", "container."}, types: []string{"container"},
		reason: "sysdig 0.29 attributes container-metadata events to a made-up thread (container:<id>, tid -1); saker gives them no thread"},
	{fields: []string{"fd.l4proto"}, types: []string{"socket", "close", "connect", "sendto", "fcntl", "setsockopt", "getsockopt", "bind", "listen", "recvfrom", "write", "read", "poll"},
		reason: "saker's state takes a socket's transport from socket()'s arguments, as current libs does; sysdig 0.29 only from a connection tuple (same as print-events' l4-letter-before-connect)"},
	{fields: []string{"fd.name_changed"},
		reason: "sysdig 0.29 never matches fd.name_changed in filters (it prints true on fd-creating events)"},
	{fields: []string{"proc.pname", "proc.pcmdline", "proc.ppid", "proc.aname", "proc.apid"}, traces: []string{"libs/curl_google.scap"},
		reason: "the parent of a non-main thread: current libs (and saker's state) use the process's parent, sysdig 0.29 the thread that created it"},
	{fields: []string{"proc.fdopencount"}, traces: []string{"falco-test/psp/run_as_user_0_container.scap"},
		reason: "sysdig 0.29 keeps close-on-exec fds across execve (bash's fd 255, O_CLOEXEC, in the ls it execs); the kernel closes them and saker's state drops them (checked live: proc.fdopencount of an exec'd program equals its /proc/<pid>/fd count)"},
	{fields: []string{"proc.tty", "user.loginuid", "user.loginname", "proc.is_exe_writable", "group.gid", "group.name"}, traces: []string{"libs/sample.scap"},
		reason: "sysdig 0.29 misreads the end of process-list entries written by libs >= 0.10 (tty, loginuid); saker reads them right"},
	{fields: []string{"group.gid", "group.name"}, traces: []string{"falco-test/psp/run_as_user_0_container.scap"},
		reason: "sysdig 0.29 misreads the gid of this capture's process list (it prints 12884901888 for a 32-bit gid)"},
	{fields: []string{"thread.pfminor", "thread.pfmajor"}, traces: []string{"libs/curl_google.scap"},
		reason: "a new thread's page-fault counters until its first context switch: sysdig 0.29 copies its creator's, saker's state takes the child's clone exit (0, what the kernel counts for a new task), as current libs does"},
	{fields: []string{"proc.nchilds"},
		reason: "proc.nchilds changed meaning: live non-leader threads in current libs, a child count in sysdig 0.29"},
	{fields: []string{"fd."}, traces: []string{"libs/test_ipv6_client.scap"}, types: []string{"connect", "sendto", "recvfrom", "close"},
		reason: "a UDP socket that talks to another peer: saker's state renames it after every tuple and keeps an unspecified source as reported; sysdig 0.29 keeps its first name (print-events' udp-peer)"},
	{fields: []string{"fd.sip", "fd.sport", "fd.net", "fd.snet", "fd.ip", "fd.port", "fd.proto", "fd.sproto"}, traces: []string{"libs/single_ipv6_conn.scap"}, types: []string{"bind", "connect"},
		reason: "a client socket bound to a local address before connecting: saker's state records the bound address as the socket's own end, sysdig 0.29 shows no address until connected"},
	{fields: []string{"fd."}, traces: []string{"libs/curl_google.scap"}, types: []string{"close", "connect"},
		reason: "saker's state names a unix socket after a failed connect (print-events' failed-connect-named); sysdig 0.29 leaves it unnamed"},
	{fields: []string{"fd.dev", "fd.dev.major", "fd.dev.minor"}, when: nonFileFD,
		reason: "fd.dev of sockets, pipes and other non-file fds: sysdig 0.29 renders a stale device number (e.g. 555C on a socket); saker renders none"},
	{fields: []string{"fd.name", "fd.directory", "fd.containername", "fd.containerdirectory"}, traces: []string{"falco-test/psp/run_as_user_0_container.scap"}, when: unixFD,
		reason: "sysdig 0.29 keeps a trailing NUL in the names of unix sockets it loads from the capture's fd list (fd.name = path never matches, startswith does)"},
	{fields: []string{"fd.cport", "fd.cproto"}, when: func(p evProps) bool { return p.fdKind == "unix" || strings.HasSuffix(p.fdKind, "-server") },
		reason: "fd.cport of unix and listening sockets: sysdig 0.29 renders 0 for some (those of the capture's fd list, bound listeners), nothing for others; saker renders nothing (there is no client end)"},
	{fields: []string{"user.name", "group.name"}, when: func(p evProps) bool { return !p.idsKnown },
		reason: "threads whose uid/gid the user and group tables do not name: current libs renders \"<NA>\" as a value (user.name exists), sysdig 0.29 leaves the field unavailable"},
	{fields: []string{"evt.buflen"}, traces: []string{"falco-test/psp/run_as_user_0_container.scap"}, types: []string{"read"},
		reason: "the exit of a read whose enter precedes the capture (the first event of its thread): sysdig 0.29 gives the event no fd info, so no evt.buflen, though its fd.* fields name the fd; saker's state reads the fd from the exit event, as current libs does"},
}

// usesField reports whether a compiled filter reads a field matching one
// of the prefixes ("fd." is every fd field, "proc.aname" also
// proc.aname[2]).
func usesField(f *filter.Filter, prefixes []string) bool {
	for _, w := range f.Fields {
		for _, p := range prefixes {
			if strings.HasSuffix(p, ".") && strings.HasPrefix(w, p) || w == p || strings.HasPrefix(w, p+"[") || strings.HasPrefix(w, p+".") {
				return true
			}
		}
	}
	return false
}

// chisel prints "TAG EVTNUM" for every event its filter matches. sysdig
// runs one instance per filter, so a single pass over a trace evaluates
// every filter with sysdig's own filter engine and state.
const chisel = `description = "saker differential test: evt.num of the events matching a filter"
short_description = "evt.num per filter"
category = "misc"
args = {{name = "spec", description = "TAG|FILTER", argtype = "string"}}
local tag, flt, fnum
function on_set_arg(name, val)
	local i = string.find(val, "|", 1, true)
	tag = string.sub(val, 1, i - 1)
	flt = string.sub(val, i + 1)
	return true
end
function on_init()
	fnum = chisel.request_field("evt.num")
	chisel.set_filter(flt)
	return true
end
function on_event()
	print(tag .. " " .. evt.field(fnum))
	return true
end
`

type numSet map[uint64]bool

// sysdigSets runs every filter over path in one sysdig process.
func sysdigSets(bin, chiselPath, path string, filters []string) ([]numSet, error) {
	args := []string{}
	for i, f := range filters {
		if strings.Contains(f, "'") {
			return nil, fmt.Errorf("filter %q: single quotes cannot be passed to a chisel", f)
		}
		args = append(args, "-c", chiselPath, "'"+strconv.Itoa(i)+"|"+f+"'")
	}
	out, err := RunSysdig(bin, path, args...)
	if err != nil {
		// Name the filters sysdig refuses.
		var bad []string
		for _, f := range filters {
			if _, ferr := RunSysdig(bin, path, "-p", "%evt.num", f); ferr != nil && !IsUnreadable(ferr) {
				bad = append(bad, fmt.Sprintf("%q: %v", f, ferr))
			}
		}
		if len(bad) > 0 {
			return nil, fmt.Errorf("sysdig refuses filters:\n%s", strings.Join(bad, "\n"))
		}
		return nil, err
	}
	// Chisels also see the internal events sysdig does not print (process
	// info snapshots, ...): keep the events it prints.
	printed, err := RunSysdig(bin, path, "-p", "%evt.num")
	if err != nil {
		return nil, err
	}
	visible := numSet{}
	for _, l := range strings.Fields(string(printed)) {
		if n, err := strconv.ParseUint(l, 10, 64); err == nil {
			visible[n] = true
		}
	}
	sets := make([]numSet, len(filters))
	for i := range sets {
		sets[i] = numSet{}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		tag, num, ok := strings.Cut(sc.Text(), " ")
		i, err1 := strconv.Atoi(tag)
		n, err2 := strconv.ParseUint(num, 10, 64)
		if !ok || err1 != nil || err2 != nil || i < 0 || i >= len(sets) {
			return nil, fmt.Errorf("unexpected chisel output %q", sc.Text())
		}
		if visible[n] {
			sets[i][n] = true
		}
	}
	return sets, nil
}

// sysdigFieldValues prints fields for every event: evt.num → values.
func sysdigFieldValues(bin, path string, names []string) (map[uint64][]string, error) {
	const sep, end = "\x1f", "\x1e"
	format := "*%evt.num"
	for _, n := range names {
		format += sep + "%" + n
	}
	out, err := RunSysdig(bin, path, "-p", format+end)
	if err != nil {
		return nil, err
	}
	vals := map[uint64][]string{}
	for _, l := range strings.Split(string(out), end+"\n") {
		parts := strings.Split(l, sep)
		if len(parts) != len(names)+1 {
			continue
		}
		if n, err := strconv.ParseUint(parts[0], 10, 64); err == nil {
			vals[n] = parts[1:]
		}
	}
	return vals, nil
}

func compileFilter(t *testing.T, s string) *filter.Filter {
	t.Helper()
	ast, err := condition.Parse(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	f, _, err := (&filter.Compiler{Fields: fields.Default}).Compile(ast)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	if len(f.Unimplemented) > 0 {
		t.Fatalf("%s: uses fields saker does not implement: %v", s, f.Unimplemented)
	}
	return f
}

// traceResult is what one trace gives: saker's matches per filter and
// the event types by number.
type traceResult struct {
	name  string
	types map[uint64]string
	props map[uint64]evProps
	saker []numSet
	sd    []numSet
	vals  map[uint64][]string
	err   error
}

// TestFiltersMatchSysdig is the filter acceptance test: every filter of
// sysdigFilters, compiled by engine/filter against the field registry and
// evaluated on every event of every trace with the state, matches the
// same events as sysdig 0.29; every newerFilters entry matches its
// expectation. Known divergences (listed with reasons) leave out the
// events they concern, and the test prints how many.
func TestFiltersMatchSysdig(t *testing.T) {
	bin := oracle.Sysdig(t)
	chiselPath := filepath.Join(t.TempDir(), "saker_evnums.lua")
	if err := os.WriteFile(chiselPath, []byte(chisel), 0o644); err != nil {
		t.Fatal(err)
	}

	// What saker evaluates, and what sysdig evaluates.
	var exprs []string
	exprs = append(exprs, sysdigFilters...)
	for _, nf := range newerFilters {
		exprs = append(exprs, nf.expr)
	}
	compiled := make([]*filter.Filter, len(exprs))
	for i, s := range exprs {
		compiled[i] = compileFilter(t, s)
	}
	oracle := append([]string(nil), sysdigFilters...)
	oracleIdx := make([]int, len(newerFilters)) // index into oracle of same/superset
	var derivedFields []string
	for i, nf := range newerFilters {
		oracleIdx[i] = -1
		switch {
		case nf.same != "":
			oracleIdx[i] = len(oracle)
			oracle = append(oracle, nf.same)
		case nf.superset != "":
			oracleIdx[i] = len(oracle)
			oracle = append(oracle, nf.superset)
		case nf.pred != nil:
			for _, f := range nf.fields {
				if !slices.Contains(derivedFields, f) {
					derivedFields = append(derivedFields, f)
				}
			}
		default:
			t.Fatalf("%s: no expectation", nf.expr)
		}
	}
	t.Logf("%d filters compared with sysdig 0.29, %d newer filters checked against expectations", len(sysdigFilters), len(newerFilters))
	// the names fd.*ip.name filters compare with, resolved before the
	// first event as saker does at startup (other tests of this package
	// may have registered slow names with the same resolver: ask until
	// this test's names have answered)
	for deadline := time.Now().Add(60 * time.Second); ; {
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		fields.Names.Resolve(rctx)
		cancel()
		un := fields.Names.Unresolved()
		if !slices.Contains(un, "localhost") && !slices.Contains(un, "nonexistent.invalid") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("DNS names not answered: %v", un)
		}
	}

	traces := Traces(t)
	results := make([]traceResult, len(traces))
	// Compiled filters are not safe for concurrent use and some fields
	// keep state between events (evt.deltatime): each trace gets its own.
	perTrace := make([][]*filter.Filter, len(traces))
	for i := range traces {
		perTrace[i] = make([]*filter.Filter, len(exprs))
		for j, s := range exprs {
			perTrace[i][j] = compileFilter(t, s)
		}
	}
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = runTrace(traces[i], bin, chiselPath, perTrace[i], oracle, derivedFields)
			}
		}()
	}
	for i := range traces {
		work <- i
	}
	close(work)
	wg.Wait()

	excludedBy := map[int]int{} // divergence → events left out (summed over filters)
	mismatches := 0
	compared := 0
	for _, r := range results {
		if IsUnreadable(r.err) {
			t.Logf("%s: sysdig 0.29 cannot read it; not compared", r.name)
			continue
		}
		if r.err != nil {
			t.Fatalf("%s: %v", r.name, r.err)
		}
		check := func(expr string, f *filter.Filter, got, want numSet, superset bool) {
			compared++
			excluded := func(n uint64) bool {
				for di, d := range divergences {
					if len(d.traces) > 0 && !slices.Contains(d.traces, r.name) {
						continue
					}
					if len(d.types) > 0 && !slices.Contains(d.types, r.types[n]) {
						continue
					}
					if len(d.ops) > 0 && !slices.ContainsFunc(d.ops, func(op string) bool { return slices.Contains(f.Operators, op) }) {
						continue
					}
					if d.when != nil && !d.when(r.props[n]) {
						continue
					}
					if usesField(f, d.fields) {
						excludedBy[di]++
						return true
					}
				}
				return false
			}
			var extra, missing []uint64
			for n := range got {
				if !want[n] && !superset && !excluded(n) {
					extra = append(extra, n)
				}
			}
			for n := range want {
				if !got[n] && !excluded(n) {
					missing = append(missing, n)
				}
			}
			if len(extra)+len(missing) > 0 {
				mismatches++
				sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
				sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
				t.Errorf("%s: %q: saker matches %d events, the oracle %d; only saker: %v; only the oracle: %v",
					r.name, expr, len(got), len(want), head(extra, r.types), head(missing, r.types))
			}
		}
		for i, s := range sysdigFilters {
			check(s, compiled[i], r.saker[i], r.sd[i], false)
		}
		for j, nf := range newerFilters {
			i := len(sysdigFilters) + j
			switch {
			case nf.same != "":
				check(nf.expr+"  ≡  "+nf.same, compiled[i], r.saker[i], r.sd[oracleIdx[j]], false)
			case nf.superset != "":
				check(nf.expr+"  ⊇  "+nf.superset, compiled[i], r.saker[i], r.sd[oracleIdx[j]], true)
			default:
				want := numSet{}
				for n, vals := range r.vals {
					v := make([]string, len(nf.fields))
					for k, f := range nf.fields {
						v[k] = vals[slices.Index(derivedFields, f)]
					}
					if nf.pred(v) {
						want[n] = true
					}
				}
				check(nf.expr+"  (expectation on sysdig's values)", compiled[i], r.saker[i], want, false)
			}
		}
	}
	// A filter that matches nothing anywhere proves little: list them.
	var empty []string
	for i, s := range sysdigFilters {
		n := 0
		for _, r := range results {
			if r.err == nil {
				n += len(r.sd[i])
			}
		}
		if n == 0 {
			empty = append(empty, s)
		}
	}
	var sum strings.Builder
	fmt.Fprintf(&sum, "%d filter×trace comparisons, %d mismatching; %d of %d sysdig filters match no event on any trace: %q\n",
		compared, mismatches, len(empty), len(sysdigFilters), empty)
	if len(empty) > len(sysdigFilters)/10 {
		t.Errorf("%d filters match nothing anywhere: the comparison is too weak", len(empty))
	}
	for di, d := range divergences {
		fmt.Fprintf(&sum, "  divergence %v (traces %v, types %v): %d event comparisons left out — %s\n", d.fields, d.traces, d.types, excludedBy[di], d.reason)
	}
	t.Log(sum.String())
}

func propsOf(st *state.State) evProps {
	var p evProps
	if f, _ := st.EventFD(); f != nil {
		p.fdKind = f.Type.String()
		if f.Type == state.FDIPv4ServSock || f.Type == state.FDIPv6ServSock {
			p.fdKind += "-server"
		}
	}
	if t := st.EventThread(); t != nil {
		p.idsKnown = (t.UID == 0 || st.Users().User(t.UID) != nil) && (t.GID == 0 || st.Users().Group(t.GID) != nil)
	}
	return p
}

func head(ns []uint64, types map[uint64]string) string {
	var b strings.Builder
	for i, n := range ns {
		if i == 8 {
			fmt.Fprintf(&b, " …(%d more)", len(ns)-i)
			break
		}
		fmt.Fprintf(&b, "%d:%s ", n, types[n])
	}
	return strings.TrimSpace(b.String())
}

// runTrace evaluates every compiled filter on a replay of path, and the
// oracle filters (and fields) with sysdig.
func runTrace(path, bin, chiselPath string, compiled []*filter.Filter, oracle, derivedFields []string) traceResult {
	r := traceResult{name: Rel(path), types: map[uint64]string{}, props: map[uint64]evProps{}}
	r.saker = make([]numSet, len(compiled))
	for i := range r.saker {
		r.saker[i] = numSet{}
	}
	var c fields.Ctx
	err := Replay(path, func(s *Step) error {
		if s.Vis != scap.Visible || s.Orig.Num == 0 {
			return nil
		}
		r.types[s.Orig.Num] = s.Orig.Name()
		r.props[s.Orig.Num] = propsOf(s.State)
		c.State = s.State
		c.Reset(s.Conv)
		for i, f := range compiled {
			if f.Match(&c) {
				r.saker[i][s.Orig.Num] = true
			}
		}
		return nil
	})
	if err != nil {
		r.err = fmt.Errorf("replay: %w", err)
		return r
	}
	if r.sd, r.err = sysdigSets(bin, chiselPath, path, oracle); r.err != nil {
		return r
	}
	if len(derivedFields) > 0 {
		r.vals, r.err = sysdigFieldValues(bin, path, derivedFields)
	}
	return r
}

// TestChiselOracleMatchesCommandLine checks the oracle: a filter run as a
// chisel selects the same events as the same filter on sysdig's command
// line.
func TestChiselOracleMatchesCommandLine(t *testing.T) {
	bin := oracle.Sysdig(t)
	chiselPath := filepath.Join(t.TempDir(), "saker_evnums.lua")
	if err := os.WriteFile(chiselPath, []byte(chisel), 0o644); err != nil {
		t.Fatal(err)
	}
	filters := []string{"fd.name startswith /etc", "fd.typechar in (4, 6) or evt.type = execve", "not proc.aname = bash", "proc.aname = bash"}
	total := 0
	for _, trace := range []string{"falco-test/cat_write.scap", "libs/curl_google.scap"} {
		path := filepath.Join(TracesDir(), trace)
		sets, err := sysdigSets(bin, chiselPath, path, filters)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range filters {
			out, err := RunSysdig(bin, path, "-p", "%evt.num", f)
			if err != nil {
				t.Fatal(err)
			}
			want := numSet{}
			for _, l := range strings.Fields(string(out)) {
				n, _ := strconv.ParseUint(l, 10, 64)
				want[n] = true
			}
			total += len(want)
			if len(want) != len(sets[i]) {
				t.Errorf("%s %q: chisel %d events, command line %d", trace, f, len(sets[i]), len(want))
			}
			for n := range want {
				if !sets[i][n] {
					t.Errorf("%s %q: event %d missing from the chisel's", trace, f, n)
				}
			}
		}
	}
	if total == 0 {
		t.Error("the sample filters matched nothing: the check proves nothing")
	}
}
