package livetest

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
)

func init() {
	workloads.Add("statecalls", helperStateCalls)
	workloads.Add("statecalls-exec", helperStateCallsExec)
}

// Values the state-call helper uses.
const (
	scRangeLo      = 200    // dups of the eventfd at scRangeLo..scRangeLo+2
	scCloseRangeC  = 1 << 2 // CLOSE_RANGE_CLOEXEC
	scPlaceholders = 16
)

// scFDs are the result keys of the fds the state calls create, in the
// order the helper creates them.
var scFDs = []string{"eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd", "inotify", "inotify1", "epoll", "epoll1"}

// helperStateCalls: eventfd, eventfd2(EFD_CLOEXEC), signalfd,
// signalfd4(SFD_CLOEXEC), timerfd_create, inotify_init,
// inotify_init1(IN_CLOEXEC), epoll_create, epoll_create1(EPOLL_CLOEXEC),
// each followed by fcntl(F_GETFD) of the new fd; dup2 of the eventfd to
// 200..202, close_range(200, 201, 0) and fcntl(F_GETFD) of 200, 201 and
// 202; close_range(eventfd, eventfd, CLOSE_RANGE_CLOEXEC) and
// fcntl(F_GETFD) of the eventfd; setsid and fcntl(202, F_GETFL). Then it
// executes itself again ("statecalls-exec"), which asks F_GETFD of every
// fd again: the close-on-exec ones are gone.
//
// First it takes the lowest free fds with close-on-exec placeholders, so
// the fds the Go runtime of the second stage opens reuse those and not
// the numbers of the close-on-exec fds under test.
func helperStateCalls(args []string, out map[string]any) int {
	raw := func(key string, nr uintptr, a ...uintptr) int64 {
		r, e := childtest.Raw(nr, a...)
		return childtest.Must(out, key, r, e)
	}
	for i := 0; i < scPlaceholders; i++ {
		if r, e := childtest.Raw(unix.SYS_FCNTL, 0, unix.F_DUPFD_CLOEXEC, 0); e != 0 {
			out["placeholder_err"] = fmt.Sprint(r, e)
			return 2
		}
	}
	sid, _ := unix.Getsid(0)
	out["sid_before"] = sid
	getfd := func(key string, fd int64) { raw(key, unix.SYS_FCNTL, uintptr(fd), unix.F_GETFD) }
	fds := map[string]int64{}
	mask := uint64(1) << (unix.SIGUSR1 - 1)
	create := func(key string, nr uintptr, a ...uintptr) {
		fds[key] = raw(key, nr, a...)
		getfd(key+"_getfd", fds[key])
	}
	create("eventfd", unix.SYS_EVENTFD, 7)
	create("eventfd2", unix.SYS_EVENTFD2, 9, unix.EFD_CLOEXEC)
	create("signalfd", unix.SYS_SIGNALFD, ^uintptr(0), uintptr(unsafe.Pointer(&mask)), 8)
	create("signalfd4", unix.SYS_SIGNALFD4, ^uintptr(0), uintptr(unsafe.Pointer(&mask)), 8, unix.SFD_CLOEXEC)
	create("timerfd", unix.SYS_TIMERFD_CREATE, unix.CLOCK_MONOTONIC, 0)
	create("inotify", unix.SYS_INOTIFY_INIT)
	create("inotify1", unix.SYS_INOTIFY_INIT1, unix.IN_CLOEXEC)
	create("epoll", unix.SYS_EPOLL_CREATE, 5)
	create("epoll1", unix.SYS_EPOLL_CREATE1, unix.EPOLL_CLOEXEC)
	for _, k := range scFDs {
		if fds[k] < 0 {
			return 3
		}
	}
	efd := uintptr(fds["eventfd"])

	for i := uintptr(0); i < 3; i++ {
		raw("dup2_"+strconv.Itoa(int(scRangeLo+i)), unix.SYS_DUP2, efd, scRangeLo+i)
	}
	raw("close_range", unix.SYS_CLOSE_RANGE, scRangeLo, scRangeLo+1, 0)
	for i := int64(0); i < 3; i++ {
		getfd("getfd_"+strconv.Itoa(int(scRangeLo+i)), scRangeLo+i)
	}
	raw("close_range_cloexec", unix.SYS_CLOSE_RANGE, efd, efd, scCloseRangeC)
	getfd("eventfd_getfd_after", int64(efd))

	raw("setsid", unix.SYS_SETSID)
	raw("getfl_202", unix.SYS_FCNTL, scRangeLo+2, unix.F_GETFL)

	b, _ := json.Marshal(out)
	err := syscall.Exec(os.Args[0], []string{os.Args[0], string(b)}, workloads.StageEnv("statecalls-exec"))
	fmt.Fprintln(os.Stderr, "re-exec:", err)
	return 4
}

// helperStateCallsExec, the second stage of helperStateCalls: args[0] is
// the first stage's results; F_GETFD of each fd it created and of 202,
// under key+"_exec".
func helperStateCallsExec(args []string, out map[string]any) int {
	if len(args) != 1 || json.Unmarshal([]byte(args[0]), &out) != nil {
		fmt.Fprintln(os.Stderr, "statecalls-exec: bad arguments", args)
		return 5
	}
	for _, k := range append(scFDs, "dup2_202") {
		fd, ok := out[k].(float64)
		if !ok {
			return 6
		}
		r, e := childtest.Raw(unix.SYS_FCNTL, uintptr(fd), unix.F_GETFD)
		childtest.Must(out, k+"_exec", r, e)
	}
	return 0
}

// The state calls, end to end through the fields: each new fd's type and
// close-on-exec flag (the flag shows where execve closes the fd: a later
// event on it has no fd), close_range removing exactly the fds of its
// range, close_range(CLOSE_RANGE_CLOEXEC) marking the fd close-on-exec,
// and setsid making the process a session leader.
func TestStateCallsFields(t *testing.T) {
	// proc.is_sid_leader is not among the rendered fields: conditions on
	// it, evaluated on each event as it arrives.
	const leader, notLeader = "proc.is_sid_leader = true", "proc.is_sid_leader = false"
	r := runWatched(t, watchOpts{conds: compile(t, leader, notLeader)}, 0, "statecalls")
	sidLeader := func(rec *record, want bool) {
		t.Helper()
		if rec.holds(leader) != want || rec.holds(notLeader) == want {
			t.Errorf("%s: %q holds %v, %q holds %v; want proc.is_sid_leader %v",
				rec, leader, rec.holds(leader), notLeader, rec.holds(notLeader), want)
		}
	}
	pid := strconv.Itoa(r.pid)
	ok := func(key string) string {
		t.Helper()
		if _, bad := r.result[key+"_err"]; bad {
			t.Fatalf("%s failed: %v", key, r.result[key+"_err"])
		}
		return r.numStr(t, key)
	}

	// The records before and after the second stage's execve: the last
	// successful one (the exec that started the helper can be seen too,
	// its event having arrived after the watch began).
	var pre, post *run
	for i := len(r.recs) - 1; i >= 0; i-- {
		if rec := r.recs[i]; rec.name() == "execve" && rec.tid == int64(r.pid) && rec.get("evt.res") == "SUCCESS" {
			pre = &run{name: r.name, pid: r.pid, result: r.result, recs: r.recs[:i]}
			post = &run{name: r.name, pid: r.pid, result: r.result, recs: r.recs[i+1:]}
			break
		}
	}
	if pre == nil {
		t.Fatalf("no successful execve event of pid %d among %d events", r.pid, len(r.recs))
	}

	type kind struct {
		evt, typ, char, flags string // evt.type, fd.type, fd.typechar, evt.arg.flags
		cloexec               bool
	}
	kinds := map[string]kind{
		"eventfd":   {"eventfd", "event", "e", "0", false},
		"eventfd2":  {"eventfd2", "event", "e", "O_CLOEXEC", true},
		"signalfd":  {"signalfd", "signalfd", "s", "0", false},
		"signalfd4": {"signalfd4", "signalfd", "s", "O_CLOEXEC", true},
		"timerfd":   {"timerfd_create", "timerfd", "t", "0", false},
		"inotify":   {"inotify_init", "inotify", "i", "0", false},
		"inotify1":  {"inotify_init1", "inotify", "i", "O_CLOEXEC", true},
		"epoll":     {"epoll_create", "eventpoll", "l", "", false},
		"epoll1":    {"epoll_create1", "eventpoll", "l", "EPOLL_CLOEXEC", true},
	}
	// Before setsid the helper is in its parent's session.
	sid0 := r.numStr(t, "sid_before")
	if sid0 == pid {
		t.Fatalf("the helper leads its session (%s) before setsid", sid0)
	}
	for _, key := range scFDs {
		k := kinds[key]
		fd := ok(key)
		rec := pre.one(t, k.evt, where("evt.rawres", fd))
		expect(t, rec, "fd.num", fd, "fd.type", k.typ, "fd.typechar", k.char, "proc.sid", sid0)
		sidLeader(rec, false)
		if k.flags != "" {
			expect(t, rec, "evt.arg.flags", k.flags)
		}
		// The kernel's close-on-exec bit, and the fd known on a later event.
		wantGetfd := "0"
		if k.cloexec {
			wantGetfd = "1"
		}
		if got := ok(key + "_getfd"); got != wantGetfd {
			t.Fatalf("%s: F_GETFD = %s, want %s (the kernel's close-on-exec bit)", key, got, wantGetfd)
		}
		rec = pre.one(t, "fcntl", where("evt.rawarg.fd", fd, "evt.arg.cmd", "F_GETFD", "evt.rawres", wantGetfd))
		expect(t, rec, "fd.num", fd, "fd.type", k.typ, "fd.typechar", k.char)
	}

	// close_range(200, 201, 0) closes the eventfd's copies at 200 and 201:
	// F_GETFD fails on them and they have no fd; 202 is still the eventfd.
	for i := 0; i < 3; i++ {
		rec := pre.one(t, "dup2", where("evt.rawres", strconv.Itoa(scRangeLo+i)))
		expect(t, rec, "fd.type", "event", "evt.arg.newfd", "<e>")
	}
	rec := pre.one(t, "close_range", where("evt.rawarg.first", "200"))
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawarg.last", "201", "evt.rawarg.flags", "0")
	for _, fd := range []string{"200", "201"} {
		if got := r.numStr(t, "getfd_"+fd); got != "-9" {
			t.Fatalf("F_GETFD of %s after close_range = %s, want -9 (EBADF)", fd, got)
		}
		rec = pre.one(t, "fcntl", where("evt.rawarg.fd", fd))
		expect(t, rec, "evt.res", "EBADF", "fd.num", fd, "fd.type", na, "fd.name", "")
	}
	rec = pre.one(t, "fcntl", where("evt.rawarg.fd", "202", "evt.arg.cmd", "F_GETFD"))
	expect(t, rec, "evt.rawres", "0", "fd.num", "202", "fd.type", "event", "fd.typechar", "e")

	// close_range(eventfd, eventfd, CLOSE_RANGE_CLOEXEC) keeps the eventfd,
	// close-on-exec now.
	efd := ok("eventfd")
	rec = pre.one(t, "close_range", where("evt.rawarg.first", efd))
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawarg.last", efd, "evt.arg.flags", "CLOSE_RANGE_CLOEXEC")
	if got := ok("eventfd_getfd_after"); got != "1" {
		t.Fatalf("eventfd: F_GETFD after close_range(CLOSE_RANGE_CLOEXEC) = %s, want 1", got)
	}
	rec = pre.one(t, "fcntl", where("evt.rawarg.fd", efd, "evt.arg.cmd", "F_GETFD", "evt.rawres", "1"))
	expect(t, rec, "fd.type", "event", "fd.typechar", "e")

	// setsid: the process leads a new session from its exit event on.
	if got := ok("setsid"); got != pid {
		t.Fatalf("setsid returned %s, want the pid %s", got, pid)
	}
	rec = pre.one(t, "setsid", nil)
	expect(t, rec, "evt.rawres", pid, "proc.sid", pid)
	sidLeader(rec, true)
	rec = pre.one(t, "fcntl", where("evt.rawarg.fd", "202", "evt.arg.cmd", "F_GETFL"))
	expect(t, rec, "fd.type", "event", "proc.sid", pid)
	sidLeader(rec, true)

	// After execve: the close-on-exec fds (the eventfd since its
	// close_range) are closed and unknown; the others are still known.
	kinds["eventfd"] = kind{"eventfd", "event", "e", "", true}
	for _, key := range append(scFDs, "dup2_202") {
		k, known := kinds[key]
		if !known { // 202, the eventfd's dup2 copy
			k = kind{typ: "event", char: "e"}
		}
		fd := r.numStr(t, key)
		got := r.numStr(t, key+"_exec")
		rec := post.one(t, "fcntl", where("evt.rawarg.fd", fd))
		if k.cloexec {
			if got != "-9" {
				t.Fatalf("%s (fd %s): F_GETFD after execve = %s, want -9 (EBADF): the fd is open", key, fd, got)
			}
			expect(t, rec, "evt.res", "EBADF", "fd.num", fd, "fd.type", na, "fd.name", "")
		} else {
			if got != "0" {
				t.Fatalf("%s (fd %s): F_GETFD after execve = %s, want 0", key, fd, got)
			}
			expect(t, rec, "evt.res", "SUCCESS", "fd.num", fd, "fd.type", k.typ, "fd.typechar", k.char, "proc.sid", pid)
			sidLeader(rec, true)
		}
	}
}
