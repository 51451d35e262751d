package ebpf

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"slices"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

func init() {
	workloads.Add("statecalls", helperStateCalls)
}

// Values the state-call helper passes and the events must show.
const (
	scEventfdInit  = 7
	scEventfd2Init = 9
	scEpollSize    = 5
	// SIGUSR1, SIGUSR2 and signal 40: the events' u32 mask keeps the
	// first 32 signals.
	scSigmask     = uint64(1)<<(unix.SIGUSR1-1) | uint64(1)<<(unix.SIGUSR2-1) | uint64(1)<<(40-1)
	scBadClock    = 99
	scRangeLo     = 200 // dups of the eventfd at scRangeLo..scRangeLo+2
	scBadShutHow  = 9
	scSoRcvtimeo  = 20 // SO_RCVTIMEO(_OLD)
	scSoSndtimeoN = 67 // SO_SNDTIMEO_NEW
	scSoCookie    = 57
	scFailFill    = 0x12345678
	scCloseRangeU = 1 << 1 // CLOSE_RANGE_UNSHARE
	scCloseRangeC = 1 << 2 // CLOSE_RANGE_CLOEXEC
	scBadFD       = 9999
)

// helperStateCalls: every state-keeping call saker added programs for,
// with a failing call where the parameters of a failure differ: eventfd,
// eventfd2, signalfd, signalfd4, timerfd_create (and a bad clock),
// inotify_init, inotify_init1, epoll_create (and size 0), epoll_create1;
// dup2 of the eventfd to 200..202 and close_range(200, 201), close_range
// with CLOSE_RANGE_CLOEXEC on the eventfd, a failing close_range;
// setpgid to its own group, setsid, a failing setsid and setpgid;
// shutdown of a unix socket (and a bad how); getsockopt of int, timeout,
// cookie, error, struct and other-level options, and on a bad fd.
func helperStateCalls(args []string, out map[string]any) int {
	raw := func(key string, nr uintptr, a ...uintptr) int64 {
		r, e := childtest.Raw(nr, a...)
		return childtest.Must(out, key, r, e)
	}
	efd := raw("eventfd", unix.SYS_EVENTFD, scEventfdInit)
	raw("eventfd2", unix.SYS_EVENTFD2, scEventfd2Init, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK|unix.EFD_SEMAPHORE)
	mask := scSigmask
	raw("signalfd", unix.SYS_SIGNALFD, ^uintptr(0), uintptr(unsafe.Pointer(&mask)), 8)
	raw("signalfd4", unix.SYS_SIGNALFD4, ^uintptr(0), uintptr(unsafe.Pointer(&mask)), 8, unix.SFD_CLOEXEC)
	raw("timerfd", unix.SYS_TIMERFD_CREATE, unix.CLOCK_BOOTTIME, unix.TFD_CLOEXEC|unix.TFD_NONBLOCK)
	raw("timerfd_bad", unix.SYS_TIMERFD_CREATE, scBadClock, 0)
	raw("inotify", unix.SYS_INOTIFY_INIT)
	raw("inotify1", unix.SYS_INOTIFY_INIT1, unix.IN_NONBLOCK)
	raw("epoll", unix.SYS_EPOLL_CREATE, scEpollSize)
	raw("epoll_bad", unix.SYS_EPOLL_CREATE, 0)
	raw("epoll1", unix.SYS_EPOLL_CREATE1, unix.EPOLL_CLOEXEC)

	for i := uintptr(0); i < 3; i++ {
		raw("dup2", unix.SYS_DUP2, uintptr(efd), scRangeLo+i)
	}
	raw("close_range", unix.SYS_CLOSE_RANGE, scRangeLo, scRangeLo+1, 0)
	raw("close_range_cloexec", unix.SYS_CLOSE_RANGE, uintptr(efd), uintptr(efd), scCloseRangeC)
	raw("close_range_bad", unix.SYS_CLOSE_RANGE, 10, 5, scCloseRangeU|scCloseRangeC)

	out["pgrp"] = unix.Getpgrp()
	raw("setpgid", unix.SYS_SETPGID, 0, uintptr(unix.Getpgrp()))
	raw("setsid", unix.SYS_SETSID)
	raw("setsid_again", unix.SYS_SETSID)
	raw("setpgid_leader", unix.SYS_SETPGID, 0, 0)

	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		out["socketpair_err"] = err.Error()
		return 2
	}
	out["sv0"], out["sv1"] = sv[0], sv[1]
	raw("shutdown", unix.SYS_SHUTDOWN, uintptr(sv[0]), unix.SHUT_WR)
	raw("shutdown_bad", unix.SYS_SHUTDOWN, uintptr(sv[1]), scBadShutHow)

	getsockopt := func(key string, fd int, level, name uintptr, val []byte) {
		n := uint32(len(val))
		raw(key, unix.SYS_GETSOCKOPT, uintptr(fd), level, name, uintptr(unsafe.Pointer(&val[0])), uintptr(unsafe.Pointer(&n)))
		out[key+"_len"] = n
		out[key+"_val"] = hex.EncodeToString(val[:min(n, uint32(len(val)))])
	}
	getsockopt("so_type", sv[0], unix.SOL_SOCKET, unix.SO_TYPE, make([]byte, 4))
	unix.SetsockoptTimeval(sv[0], unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 2, Usec: 500000})
	getsockopt("so_rcvtimeo", sv[0], unix.SOL_SOCKET, scSoRcvtimeo, make([]byte, 16))
	unix.SetsockoptTimeval(sv[0], unix.SOL_SOCKET, unix.SO_SNDTIMEO, &unix.Timeval{Sec: 1, Usec: 250000})
	getsockopt("so_sndtimeo_new", sv[0], unix.SOL_SOCKET, scSoSndtimeoN, make([]byte, 16))
	getsockopt("so_cookie", sv[0], unix.SOL_SOCKET, scSoCookie, make([]byte, 8))
	getsockopt("so_peercred", sv[0], unix.SOL_SOCKET, unix.SO_PEERCRED, make([]byte, 12))
	fail := make([]byte, 4)
	binary.LittleEndian.PutUint32(fail, scFailFill)
	getsockopt("so_badfd", scBadFD, unix.SOL_SOCKET, unix.SO_TYPE, fail)

	// A refused non-blocking TCP connect leaves ECONNREFUSED for SO_ERROR.
	lst, _ := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	unix.Bind(lst, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
	out["lst"] = lst
	sa, _ := unix.Getsockname(lst) // x/sys asks for SO_PROTOCOL here
	cli, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		out["tcp_err"] = err.Error()
		return 3
	}
	out["tcp"] = cli
	if err := unix.Connect(cli, sa); err != nil {
		out["connect_err"] = err.Error()
	}
	pfd := []unix.PollFd{{Fd: int32(cli), Events: unix.POLLOUT}}
	unix.Poll(pfd, int((2 * time.Second).Milliseconds()))
	getsockopt("so_error", cli, unix.SOL_SOCKET, unix.SO_ERROR, make([]byte, 4))
	unix.SetsockoptInt(cli, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	getsockopt("tcp_nodelay", cli, unix.SOL_TCP, unix.TCP_NODELAY, make([]byte, 4))
	return 0
}

// PPM values of the state calls' parameters (bpf/doc.go).
const (
	pEPOLL_CLOEXEC            = 1
	pCLOSE_RANGE_UNSHARE      = 1 << 1
	pCLOSE_RANGE_CLOEXEC      = 1 << 2
	pSOCKOPT_LEVEL_SOL_SOCKET = 1
	pSOCKOPT_LEVEL_SOL_TCP    = 2
	pSOCKOPT_IDX_UNKNOWN      = 0
	pSOCKOPT_IDX_ERRNO        = 1
	pSOCKOPT_IDX_UINT32       = 2
	pSOCKOPT_IDX_UINT64       = 3
	pSOCKOPT_IDX_TIMEVAL      = 4
)

// resultBytes returns bytes the helper reported (hex).
func resultBytes(t testing.TB, r *helperRun, key string) []byte {
	t.Helper()
	b, err := hex.DecodeString(r.result.Str(t, key))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return b
}

// pdyn returns a PT_DYN parameter's index and value bytes.
func pdyn(t testing.TB, ev *event.Event, name string) (uint8, []byte) {
	t.Helper()
	idx, val, ok := ev.Dyn(paramIndex(t, ev, name))
	if !ok {
		t.Fatalf("%s: %s is empty", ev.Type(), name)
	}
	return idx, val
}

// Every parameter of the exit events of the state-keeping calls.
func TestStateCallEvents(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root to load BPF")
	}
	r := runHelper(t, 0, "statecalls")
	failed := func(key string, errno unix.Errno) int64 {
		t.Helper()
		v := r.num(t, key)
		if v != -int64(errno) {
			t.Fatalf("%s returned %d, want -%d (%v)", key, v, errno, errno)
		}
		return v
	}
	efd := r.ok(t, "eventfd")

	ev := r.one(t, event.SyscallEventfdX, byInt(t, "res", efd))
	eq(t, "eventfd initval", puint(t, ev, "initval"), scEventfdInit)
	eq(t, "eventfd flags (the call has none)", puint(t, ev, "flags"), 0)
	ev = r.one(t, event.SyscallEventfd2X, byInt(t, "res", r.ok(t, "eventfd2")))
	eq(t, "eventfd2 flags", puint(t, ev, "flags"), pO_CLOEXEC|pO_NONBLOCK) // EFD_SEMAPHORE has no file_flags bit
	eq(t, "eventfd2 initval", puint(t, ev, "initval"), scEventfd2Init)

	ev = r.one(t, event.SyscallSignalfdX, byInt(t, "res", r.ok(t, "signalfd")))
	eq(t, "signalfd fd", pint(t, ev, "fd"), -1)
	eq(t, "signalfd mask", puint(t, ev, "mask"), scSigmask&0xffffffff)
	eq(t, "signalfd flags (the call has none)", puint(t, ev, "flags"), 0)
	ev = r.one(t, event.SyscallSignalfd4X, byInt(t, "res", r.ok(t, "signalfd4")))
	eq(t, "signalfd4 flags", puint(t, ev, "flags"), pO_CLOEXEC)
	eq(t, "signalfd4 fd", pint(t, ev, "fd"), -1)
	eq(t, "signalfd4 mask", puint(t, ev, "mask"), scSigmask&0xffffffff)

	ev = r.one(t, event.SyscallTimerfdCreateX, byInt(t, "res", r.ok(t, "timerfd")))
	eq(t, "timerfd_create clockid", puint(t, ev, "clockid"), unix.CLOCK_BOOTTIME)
	eq(t, "timerfd_create flags (no u8 encoding: 0, as libs)", puint(t, ev, "flags"), 0)
	ev = r.one(t, event.SyscallTimerfdCreateX, byInt(t, "res", failed("timerfd_bad", unix.EINVAL)))
	eq(t, "failed timerfd_create clockid", puint(t, ev, "clockid"), scBadClock)

	ev = r.one(t, event.SyscallInotifyInitX, byInt(t, "res", r.ok(t, "inotify")))
	eq(t, "inotify_init flags", puint(t, ev, "flags"), 0)
	ev = r.one(t, event.SyscallInotifyInit1X, byInt(t, "res", r.ok(t, "inotify1")))
	eq(t, "inotify_init1 flags", puint(t, ev, "flags"), pO_NONBLOCK)

	ev = r.one(t, event.SyscallEpollCreateX, byInt(t, "res", r.ok(t, "epoll")))
	eq(t, "epoll_create size", pint(t, ev, "size"), scEpollSize)
	ev = r.one(t, event.SyscallEpollCreateX, byInt(t, "res", failed("epoll_bad", unix.EINVAL)))
	eq(t, "failed epoll_create size", pint(t, ev, "size"), 0)
	ev = r.one(t, event.SyscallEpollCreate1X, byInt(t, "res", r.ok(t, "epoll1")))
	eq(t, "epoll_create1 flags", puint(t, ev, "flags"), pEPOLL_CLOEXEC)

	ev = r.one(t, event.SyscallCloseRangeX, byInt(t, "first", scRangeLo))
	eq(t, "close_range res", pint(t, ev, "res"), r.ok(t, "close_range"))
	eq(t, "close_range last", puint(t, ev, "last"), scRangeLo+1)
	eq(t, "close_range flags", puint(t, ev, "flags"), 0)
	ev = r.one(t, event.SyscallCloseRangeX, byInt(t, "first", efd))
	eq(t, "close_range cloexec res", pint(t, ev, "res"), r.ok(t, "close_range_cloexec"))
	eq(t, "close_range cloexec last", pint(t, ev, "last"), efd)
	eq(t, "close_range cloexec flags", puint(t, ev, "flags"), pCLOSE_RANGE_CLOEXEC)
	ev = r.one(t, event.SyscallCloseRangeX, byInt(t, "first", 10))
	eq(t, "failed close_range res", pint(t, ev, "res"), failed("close_range_bad", unix.EINVAL))
	eq(t, "failed close_range last", puint(t, ev, "last"), 5)
	eq(t, "failed close_range flags", puint(t, ev, "flags"), pCLOSE_RANGE_UNSHARE|pCLOSE_RANGE_CLOEXEC)

	r.ok(t, "setpgid")
	ev = r.one(t, event.SyscallSetpgidX, byInt(t, "res", 0))
	eq(t, "setpgid pid", pint(t, ev, "pid"), 0)
	eq(t, "setpgid pgid", pint(t, ev, "pgid"), r.num(t, "pgrp"))
	ev = r.one(t, event.SyscallSetpgidX, byInt(t, "res", failed("setpgid_leader", unix.EPERM)))
	eq(t, "failed setpgid pid, pgid", [2]int64{pint(t, ev, "pid"), pint(t, ev, "pgid")}, [2]int64{0, 0})
	eq(t, "setsid returns the pid", r.ok(t, "setsid"), int64(r.pid))
	r.one(t, event.SyscallSetsidX, byInt(t, "res", int64(r.pid)))
	r.one(t, event.SyscallSetsidX, byInt(t, "res", failed("setsid_again", unix.EPERM)))

	sv0, sv1 := r.num(t, "sv0"), r.num(t, "sv1")
	ev = r.one(t, event.SocketShutdownX, byInt(t, "fd", sv0))
	eq(t, "shutdown res", pint(t, ev, "res"), r.ok(t, "shutdown"))
	eq(t, "shutdown how", puint(t, ev, "how"), unix.SHUT_WR) // PPM_SHUT_* = SHUT_*
	ev = r.one(t, event.SocketShutdownX, byInt(t, "fd", sv1))
	eq(t, "failed shutdown res", pint(t, ev, "res"), failed("shutdown_bad", unix.EINVAL))
	eq(t, "failed shutdown how (as passed)", puint(t, ev, "how"), scBadShutHow)

	// getsockopt: each call is told apart by its result key.
	type sockopt struct {
		key            string
		fd             int64
		level, optname uint64
		idx            uint8
	}
	tcp := r.num(t, "tcp")
	opts := []sockopt{
		{"so_type", sv0, pSOCKOPT_LEVEL_SOL_SOCKET, 3, pSOCKOPT_IDX_UINT32},
		{"so_rcvtimeo", sv0, pSOCKOPT_LEVEL_SOL_SOCKET, 20, pSOCKOPT_IDX_TIMEVAL},
		{"so_sndtimeo_new", sv0, pSOCKOPT_LEVEL_SOL_SOCKET, 21, pSOCKOPT_IDX_TIMEVAL}, // SO_SNDTIMEO_NEW is SO_SNDTIMEO
		{"so_cookie", sv0, pSOCKOPT_LEVEL_SOL_SOCKET, 53, pSOCKOPT_IDX_UINT64},
		{"so_peercred", sv0, pSOCKOPT_LEVEL_SOL_SOCKET, 17, pSOCKOPT_IDX_UNKNOWN},
		{"so_badfd", scBadFD, pSOCKOPT_LEVEL_SOL_SOCKET, 3, pSOCKOPT_IDX_UINT32},
		{"so_error", tcp, pSOCKOPT_LEVEL_SOL_SOCKET, 4, pSOCKOPT_IDX_ERRNO},
		{"tcp_nodelay", tcp, pSOCKOPT_LEVEL_SOL_TCP, 0, pSOCKOPT_IDX_UNKNOWN}, // other levels' options are UNKNOWN
	}
	var evs []*event.Event
	for _, ev := range r.of(event.SocketGetsockoptX, r.pid) {
		if pint(t, ev, "fd") != r.num(t, "lst") {
			evs = append(evs, ev)
		}
	}
	if len(evs) != len(opts) {
		for _, ev := range evs {
			t.Logf("getsockopt fd %d level %d optname %d", pint(t, ev, "fd"), puint(t, ev, "level"), puint(t, ev, "optname"))
		}
		t.Fatalf("%d getsockopt events, want %d", len(evs), len(opts))
	}
	for i, o := range opts {
		ev := evs[i] // in call order: one thread
		res := r.num(t, o.key)
		if o.key == "so_badfd" {
			failed(o.key, unix.EBADF)
		} else {
			r.ok(t, o.key)
		}
		eq(t, o.key+" res", pint(t, ev, "res"), res)
		eq(t, o.key+" fd", pint(t, ev, "fd"), o.fd)
		eq(t, o.key+" level", puint(t, ev, "level"), o.level)
		eq(t, o.key+" optname", puint(t, ev, "optname"), o.optname)
		eq(t, o.key+" optlen", puint(t, ev, "optlen"), uint64(r.num(t, o.key+"_len")))
		idx, val := pdyn(t, ev, "val")
		eq(t, o.key+" val index", idx, o.idx)
		got := resultBytes(t, r, o.key+"_val")
		switch o.key {
		case "so_type":
			eqBytes(t, "so_type val", val, binary.LittleEndian.AppendUint32(nil, unix.SOCK_STREAM))
		case "so_rcvtimeo", "so_sndtimeo_new":
			// the kernel keeps timeouts in jiffies: the value read back,
			// struct timeval {s64 sec, usec}, in ns
			ns := binary.LittleEndian.Uint64(got)*1e9 + binary.LittleEndian.Uint64(got[8:])*1e3
			if o.key == "so_rcvtimeo" {
				eq(t, "so_rcvtimeo read back (2.5 s is a whole number of jiffies)", ns, 2_500_000_000)
			}
			eqBytes(t, o.key+" val (ns)", val, binary.LittleEndian.AppendUint64(nil, ns))
		case "so_cookie", "so_peercred", "tcp_nodelay":
			eqBytes(t, o.key+" val", val, got)
		case "so_badfd":
			// a failed call's val is optval as the caller left it
			eqBytes(t, "so_badfd val", val, binary.LittleEndian.AppendUint32(nil, scFailFill))
		case "so_error":
			eq(t, "so_error reported by the helper", binary.LittleEndian.Uint32(got), uint32(unix.ECONNREFUSED))
			eqBytes(t, "so_error val (negated errno)", val, binary.LittleEndian.AppendUint64(nil, negErrno(unix.ECONNREFUSED)))
		}
	}
	eq(t, "so_peercred length", len(resultBytes(t, r, "so_peercred_val")), 12)
	eq(t, "tcp_nodelay value", binary.LittleEndian.Uint32(resultBytes(t, r, "tcp_nodelay_val")), 1)
}

// negErrno is -e as the u64 bits of an s64.
func negErrno(e unix.Errno) uint64 {
	v := -int64(e)
	return uint64(v)
}

// The state calls are in the default selection (their events modify
// state), and repair mode adds them where state needs them: the fd
// creators and close_range with any fd call, setsid always. setpgid is
// not flagged EF_MODIFIES_STATE (libs does not follow it either): only
// selectable by name.
func TestStateCallsSelected(t *testing.T) {
	stateCalls := []string{"eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create", "inotify_init",
		"inotify_init1", "epoll_create", "epoll_create1", "close_range", "setsid", "shutdown", "getsockopt"}
	def := SelectSyscalls(nil, BaseSyscalls{}).Names
	for _, n := range stateCalls {
		if !slices.Contains(StateSet(), n) || !slices.Contains(def, n) {
			t.Errorf("%s is not in the state set / default selection", n)
		}
	}
	if slices.Contains(StateSet(), "setpgid") {
		t.Errorf("setpgid is in the state set")
	}
	if sel := SelectSyscalls([]string{"setpgid"}, BaseSyscalls{}); !slices.Contains(sel.Names, "setpgid") || len(sel.Unsupported) > 0 {
		t.Errorf("setpgid is not selectable: %+v", sel)
	}
	repairFD := RepairSet([]string{"fchmod"})
	for _, n := range stateCalls[:10] {
		if !slices.Contains(repairFD, n) {
			t.Errorf("repair of an fd call lacks %s", n)
		}
	}
	if rp := RepairSet([]string{"kill"}); !slices.Contains(rp, "setsid") || slices.Contains(rp, "eventfd") {
		t.Errorf("repair of kill: want setsid and no fd calls, got %v", rp)
	}
}
