package ebpf

import (
	"os"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/bpf"
	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

// highVolumeWait are the waits and sleeps the shared probe leaves out:
// every idle thread of the machine calls them. TestWaitSyscalls turns
// them on for itself.
var highVolumeWait = []string{"futex", "nanosleep", "poll", "ppoll", "select", "epoll_wait"}

func init() {
	workloads.Add("waits", helperWaits)
}

// Kernel values the helper passes (x86_64 uapi).
const (
	kFutexWait         = 0
	kFutexWake         = 1
	kFutexWaitBitset   = 9
	kFutexPrivate      = 128
	kFutexClockRealtim = 256
	kIPCNowait         = 0o4000
	kSemUndo           = 0x1000
	kSetval            = 16
	kGetval            = 12
	kQSync             = 0x800001
	kQQuotaon          = 0x800002
	kQSetquota         = 0x800008
	kQSetinfo          = 0x800006
	kQfmtVfsV0         = 2
	kQifBlimits        = 1
	kQifItime          = 32
	kIifBgrace         = 1
	kIifFlags          = 4
	waitNsleep         = 1_234_567 // ns: no Go runtime sleep asks for it
	waitSemKey         = 0x5a4b3c2d
	waitQuotaID        = 4321
)

// qcmd is the kernel's QCMD(subcmd, type).
func qcmd(sub, typ uintptr) uintptr { return sub<<8 | typ }

// helperWaits, in dir args[0]: futex WAKE|PRIVATE on fw (val 7) and a
// WAIT_BITSET|CLOCK_REALTIME on fx whose value differs (EAGAIN);
// nanosleep 1.234567 ms; poll of a pipe with data (POLLIN|POLLOUT asked
// on its read end, POLLOUT on its write end) and a bad fd, timeout 4321
// ms; ppoll of the read end with 5 s and a mask of SIGUSR1; select on
// nothing with a zero timeout; epoll_wait(maxevents 5, timeout 0);
// getcwd into 4096 bytes and into 1 (ERANGE); semget, semop of two
// sembufs and a failing one, semctl SETVAL/GETVAL/IPC_RMID; quotactl
// Q_SYNC, Q_SETQUOTA and Q_SETINFO on a missing device, Q_QUOTAON;
// setsockopt SO_RCVBUF, SO_RCVTIMEO and TCP_NODELAY; getsockname,
// getpeername; then setresgid/setresuid to distinct ids and the id getters.
func helperWaits(args []string, out map[string]any) int {
	var fw, fx uint32 = 0, 1
	out["fw"], out["fx"] = int64(uintptr(unsafe.Pointer(&fw))), int64(uintptr(unsafe.Pointer(&fx)))
	r, e := childtest.Raw(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&fw)), kFutexWake|kFutexPrivate, 7)
	childtest.Must(out, "futex_wake", r, e)
	r, e = childtest.Raw(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&fx)), kFutexWaitBitset|kFutexClockRealtim, 12345, 0, 0, 0xffffffff)
	childtest.Must(out, "futex_wait", r, e)

	ts := unix.Timespec{Sec: 0, Nsec: waitNsleep}
	r, e = childtest.Raw(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0)
	childtest.Must(out, "nanosleep", r, e)

	var p [2]int32
	childtest.Raw(unix.SYS_PIPE2, uintptr(unsafe.Pointer(&p[0])), 0)
	out["pr"], out["pw"] = p[0], p[1]
	childtest.Raw(unix.SYS_WRITE, uintptr(p[1]), uintptr(childtest.CStr("x")), 1)
	pfds := []unix.PollFd{{Fd: p[0], Events: unix.POLLIN | unix.POLLOUT}, {Fd: p[1], Events: unix.POLLOUT}, {Fd: 9999, Events: unix.POLLIN}}
	r, e = childtest.Raw(unix.SYS_POLL, uintptr(unsafe.Pointer(&pfds[0])), 3, 4321)
	childtest.Must(out, "poll", r, e)
	out["poll_rev0"], out["poll_rev1"], out["poll_rev2"] = pfds[0].Revents, pfds[1].Revents, pfds[2].Revents

	ppfd := []unix.PollFd{{Fd: p[0], Events: unix.POLLIN}}
	pts := unix.Timespec{Sec: 5}
	mask := uint64(1) << (unix.SIGUSR1 - 1)
	r, e = childtest.Raw(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&ppfd[0])), 1, uintptr(unsafe.Pointer(&pts)), uintptr(unsafe.Pointer(&mask)), 8)
	childtest.Must(out, "ppoll", r, e)
	out["ppoll_left"] = pts.Sec*1e9 + pts.Nsec // the kernel writes back the time left

	zero := unix.Timeval{}
	r, e = childtest.Raw(unix.SYS_SELECT, 0, 0, 0, 0, uintptr(unsafe.Pointer(&zero)))
	childtest.Must(out, "select", r, e)

	ep, e := childtest.Raw(unix.SYS_EPOLL_CREATE1, 0)
	childtest.Must(out, "epfd", ep, e)
	evs := make([]unix.EpollEvent, 5)
	r, e = childtest.Raw(unix.SYS_EPOLL_WAIT, uintptr(ep), uintptr(unsafe.Pointer(&evs[0])), 5, 0)
	childtest.Must(out, "epoll_wait", r, e)

	os.Chdir(args[0])
	buf := make([]byte, 4096)
	r, e = childtest.Raw(unix.SYS_GETCWD, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	childtest.Must(out, "getcwd", r, e)
	if r > 0 {
		out["cwd"] = string(buf[:r-1])
	}
	r, e = childtest.Raw(unix.SYS_GETCWD, uintptr(unsafe.Pointer(&buf[0])), 1)
	childtest.Must(out, "getcwd_short", r, e)

	semCalls(out)
	quotaCalls(out, args[0])
	sockCalls(out)

	// Distinct ids last: the thread loses its privileges.
	r, e = childtest.Raw(unix.SYS_SETRESGID, 2001, 2002, 2003)
	childtest.Must(out, "setresgid", r, e)
	r, e = childtest.Raw(unix.SYS_SETRESUID, 1001, 1002, 1003)
	childtest.Must(out, "setresuid", r, e)
	for _, c := range []struct {
		key string
		nr  uintptr
	}{{"getuid", unix.SYS_GETUID}, {"geteuid", unix.SYS_GETEUID}, {"getgid", unix.SYS_GETGID}, {"getegid", unix.SYS_GETEGID}} {
		r, e = childtest.Raw(c.nr)
		childtest.Must(out, c.key, r, e)
	}
	var ids [3]uint32
	r, e = childtest.Raw(unix.SYS_GETRESUID, uintptr(unsafe.Pointer(&ids[0])), uintptr(unsafe.Pointer(&ids[1])), uintptr(unsafe.Pointer(&ids[2])))
	childtest.Must(out, "getresuid", r, e)
	var gids [3]uint32
	r, e = childtest.Raw(unix.SYS_GETRESGID, uintptr(unsafe.Pointer(&gids[0])), uintptr(unsafe.Pointer(&gids[1])), uintptr(unsafe.Pointer(&gids[2])))
	childtest.Must(out, "getresgid", r, e)
	runtime.KeepAlive(pfds)
	runtime.KeepAlive(ppfd)
	runtime.KeepAlive(evs)
	return 0
}

// semCalls: a set of 2 semaphores (key waitSemKey), semop +3 NOWAIT on 0
// and +2 UNDO on 1, a semop -10 NOWAIT on 0 (EAGAIN), SETVAL 42 on 1,
// GETVAL of 0, IPC_RMID.
func semCalls(out map[string]any) {
	id, e := childtest.Raw(unix.SYS_SEMGET, waitSemKey, 2, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	childtest.Must(out, "semget", id, e)
	ops := []sembuf{{SemNum: 0, SemOp: 3, SemFlg: kIPCNowait}, {SemNum: 1, SemOp: 2, SemFlg: kSemUndo}}
	r, e := childtest.Raw(unix.SYS_SEMOP, uintptr(id), uintptr(unsafe.Pointer(&ops[0])), 2)
	childtest.Must(out, "semop", r, e)
	bad := []sembuf{{SemNum: 0, SemOp: -10, SemFlg: kIPCNowait}}
	r, e = childtest.Raw(unix.SYS_SEMOP, uintptr(id), uintptr(unsafe.Pointer(&bad[0])), 1)
	childtest.Must(out, "semop_again", r, e)
	r, e = childtest.Raw(unix.SYS_SEMCTL, uintptr(id), 1, kSetval, 42)
	childtest.Must(out, "semctl_setval", r, e)
	r, e = childtest.Raw(unix.SYS_SEMCTL, uintptr(id), 0, kGetval)
	childtest.Must(out, "semctl_getval", r, e)
	r, e = childtest.Raw(unix.SYS_SEMCTL, uintptr(id), 0, unix.IPC_RMID)
	childtest.Must(out, "semctl_rmid", r, e)
	runtime.KeepAlive(ops)
	runtime.KeepAlive(bad)
}

// sembuf is the kernel's struct sembuf.
type sembuf struct {
	SemNum uint16
	SemOp  int16
	SemFlg int16
}

// ifDqblk and ifDqinfo are the kernel's if_dqblk and if_dqinfo.
type ifDqblk struct {
	BHard, BSoft, CurSpace, IHard, ISoft, CurInodes, BTime, ITime uint64
	Valid                                                         uint32
	_                                                             uint32
}

type ifDqinfo struct {
	BGrace, IGrace uint64
	Flags, Valid   uint32
}

// quotaCalls: Q_SYNC of every filesystem; on the missing device
// dir/nodev: Q_SETQUOTA(USRQUOTA, id 4321) of block limits 1000/900 and
// an itime, every other field set but not valid; Q_SETINFO(GRPQUOTA) of a
// bgrace of 600 and flags 1 (V1_DQF_RSQUASH), igrace not valid;
// Q_QUOTAON(GRPQUOTA, QFMT_VFS_V0) of the file "/aquota.group".
func quotaCalls(out map[string]any, dir string) {
	r, e := childtest.Raw(unix.SYS_QUOTACTL, qcmd(kQSync, 0), 0, 0, 0)
	childtest.Must(out, "q_sync", r, e)
	dev := childtest.CStr(dir + "/nodev")
	dq := ifDqblk{BHard: 1000, BSoft: 900, CurSpace: 5, IHard: 70, ISoft: 60, BTime: 11, ITime: 22, Valid: kQifBlimits | kQifItime}
	r, e = childtest.Raw(unix.SYS_QUOTACTL, qcmd(kQSetquota, 0), uintptr(dev), waitQuotaID, uintptr(unsafe.Pointer(&dq)))
	childtest.Must(out, "q_setquota", r, e)
	di := ifDqinfo{BGrace: 600, IGrace: 700, Flags: 1, Valid: kIifBgrace | kIifFlags}
	r, e = childtest.Raw(unix.SYS_QUOTACTL, qcmd(kQSetinfo, 1), uintptr(dev), 0, uintptr(unsafe.Pointer(&di)))
	childtest.Must(out, "q_setinfo", r, e)
	r, e = childtest.Raw(unix.SYS_QUOTACTL, qcmd(kQQuotaon, 1), uintptr(dev), kQfmtVfsV0, uintptr(childtest.CStr("/aquota.group")))
	childtest.Must(out, "q_quotaon", r, e)
}

// sockCalls: on a TCP socket s, setsockopt SO_RCVBUF 4096, SO_RCVTIMEO
// {2 s, 500000 µs} and SOL_TCP TCP_NODELAY 1; getsockname and getpeername
// (ENOTCONN) of it.
func sockCalls(out map[string]any) {
	s, e := childtest.Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	childtest.Must(out, "sock", s, e)
	v := int32(4096)
	r, e := childtest.Raw(unix.SYS_SETSOCKOPT, uintptr(s), unix.SOL_SOCKET, unix.SO_RCVBUF, uintptr(unsafe.Pointer(&v)), 4)
	childtest.Must(out, "so_rcvbuf", r, e)
	tv := unix.Timeval{Sec: 2, Usec: 500000}
	r, e = childtest.Raw(unix.SYS_SETSOCKOPT, uintptr(s), unix.SOL_SOCKET, unix.SO_RCVTIMEO, uintptr(unsafe.Pointer(&tv)), unsafe.Sizeof(tv))
	childtest.Must(out, "so_rcvtimeo", r, e)
	one := int32(1)
	r, e = childtest.Raw(unix.SYS_SETSOCKOPT, uintptr(s), unix.SOL_TCP, unix.TCP_NODELAY, uintptr(unsafe.Pointer(&one)), 4)
	childtest.Must(out, "tcp_nodelay", r, e)
	var sa unix.RawSockaddrAny
	l := uint32(unsafe.Sizeof(sa))
	r, e = childtest.Raw(unix.SYS_GETSOCKNAME, uintptr(s), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&l)))
	childtest.Must(out, "getsockname", r, e)
	l = uint32(unsafe.Sizeof(sa))
	r, e = childtest.Raw(unix.SYS_GETPEERNAME, uintptr(s), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&l)))
	childtest.Must(out, "getpeername", r, e)
}

// ppmPoll converts kernel poll bits to PPM_POLL* (the test's own table:
// IN 1, PRI 2, OUT 4, RDHUP 8, ERR 16, HUP 32, NVAL 64, RDNORM 128,
// RDBAND 256, WRNORM 512, WRBAND 1024).
func ppmPoll(k int16) uint16 {
	pairs := []struct{ k, p uint16 }{{unix.POLLIN, 1}, {unix.POLLPRI, 2}, {unix.POLLOUT, 4}, {unix.POLLRDHUP, 8},
		{unix.POLLERR, 16}, {unix.POLLHUP, 32}, {unix.POLLNVAL, 64}, {0x40, 128}, {0x80, 256}, // RDNORM, RDBAND
		{0x100, 512}, {0x200, 1024}} // WRNORM, WRBAND
	var out uint16
	for _, p := range pairs {
		if uint16(k)&p.k != 0 {
			out |= p.p
		}
	}
	return out
}

// fdlist returns an FDLIST parameter as (fd, flags) pairs.
func fdlist(t *testing.T, ev *event.Event, name string) [][2]int64 {
	t.Helper()
	l := ev.FDList(paramIndex(t, ev, name))
	var out [][2]int64
	for i := 0; i < l.Len(); i++ {
		fd, fl := l.At(i)
		out = append(out, [2]int64{fd, int64(fl)})
	}
	return out
}

// The waits are samplable and in no default set: their events do not
// modify state.
func TestWaitSyscallsNotState(t *testing.T) {
	state := StateSet()
	for _, n := range append(slices.Clone(highVolumeWait), "getcwd", "getuid", "semop", "quotactl", "setsockopt", "getsockname") {
		s, ok := bpf.SyscallByName(n)
		if !ok {
			t.Errorf("%s: no program", n)
			continue
		}
		if s.NeverDrop || s.ModifiesState || slices.Contains(state, n) {
			t.Errorf("%s: never dropped %v, modifies state %v, in the state set %v", n, s.NeverDrop, s.ModifiesState, slices.Contains(state, n))
		}
	}
	sel := SelectSyscalls(nil, BaseSyscalls{})
	for _, n := range highVolumeWait {
		if slices.Contains(sel.Names, n) {
			t.Errorf("%s is selected without a rule on it", n)
		}
	}
}

// Every parameter of the new events against what the helper did.
func TestWaitSyscalls(t *testing.T) {
	p, _ := sharedProbe(t)
	if err := p.SetSyscalls(append(sharedSyscalls(), highVolumeWait...)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.SetSyscalls(sharedSyscalls()); err != nil {
			t.Error(err)
		}
	})
	dir := t.TempDir()
	r := runHelper(t, 0, "waits", dir)

	ev := r.one(t, event.SyscallFutexX, func(ev *event.Event) bool { return int64(puint(t, ev, "addr")) == r.num(t, "fw") })
	eq(t, "futex wake res", pint(t, ev, "res"), r.num(t, "futex_wake"))
	eq(t, "futex wake res (no waiter)", pint(t, ev, "res"), 0)
	eq(t, "futex wake op (FUTEX_WAKE|PRIVATE)", puint(t, ev, "op"), 1|128)
	eq(t, "futex wake val", puint(t, ev, "val"), 7)
	ev = r.one(t, event.SyscallFutexX, func(ev *event.Event) bool { return int64(puint(t, ev, "addr")) == r.num(t, "fx") })
	eq(t, "futex wait res", pint(t, ev, "res"), r.num(t, "futex_wait"))
	eq(t, "futex wait res", pint(t, ev, "res"), -int64(unix.EAGAIN))
	eq(t, "futex wait op (WAIT_BITSET|CLOCK_REALTIME)", puint(t, ev, "op"), 9|256)
	eq(t, "futex wait val", puint(t, ev, "val"), 12345)

	ev = r.one(t, event.SyscallNanosleepX, func(ev *event.Event) bool { return puint(t, ev, "interval") == waitNsleep })
	eq(t, "nanosleep res", pint(t, ev, "res"), r.ok(t, "nanosleep"))

	pr, pw := r.num(t, "pr"), r.num(t, "pw")
	ev = r.one(t, event.SyscallPollX, nil)
	eq(t, "poll res", pint(t, ev, "res"), r.ok(t, "poll"))
	eq(t, "poll res (3 fds with events)", pint(t, ev, "res"), 3)
	eq(t, "poll timeout", pint(t, ev, "timeout"), 4321)
	fds := fdlist(t, ev, "fds")
	want := [][2]int64{
		{pr, int64(ppmPoll(int16(r.num(t, "poll_rev0"))))},
		{pw, int64(ppmPoll(int16(r.num(t, "poll_rev1"))))},
		{9999, int64(ppmPoll(int16(r.num(t, "poll_rev2"))))},
	}
	eq(t, "poll fds", len(fds), 3)
	for i := range min(len(fds), 3) {
		eq(t, "poll fd and revents", fds[i], want[i])
	}
	// Read end: data to read (IN; the kernel reports only the events
	// asked); write end: room (OUT); bad fd: NVAL (64), always reported.
	eq(t, "poll revents as PPM values", [3]int64{want[0][1], want[1][1], want[2][1]}, [3]int64{1, 4, 64})

	ev = r.one(t, event.SyscallPpollX, nil)
	eq(t, "ppoll res", pint(t, ev, "res"), r.ok(t, "ppoll"))
	eq(t, "ppoll fds", fdlist(t, ev, "fds")[0], [2]int64{pr, 1})
	eq(t, "ppoll timeout (time left, as the kernel wrote it back)", int64(puint(t, ev, "timeout")), r.num(t, "ppoll_left"))
	if left := puint(t, ev, "timeout"); left > 5e9 || left < 4e9 {
		t.Errorf("ppoll timeout %d ns: not just under the 5 s asked", left)
	}
	eq(t, "ppoll sigmask (SIGUSR1)", puint(t, ev, "sigmask"), 1<<(unix.SIGUSR1-1))

	ev = r.one(t, event.SyscallSelectX, nil)
	eq(t, "select res", pint(t, ev, "res"), r.ok(t, "select"))

	ev = r.one(t, event.SyscallEpollwaitX, nil)
	eq(t, "epoll_wait res", pint(t, ev, "res"), r.ok(t, "epoll_wait"))
	eq(t, "epoll_wait maxevents", pint(t, ev, "maxevents"), 5)

	ev = r.one(t, event.SyscallGetcwdX, func(ev *event.Event) bool { return pint(t, ev, "res") > 0 })
	eq(t, "getcwd res", pint(t, ev, "res"), r.ok(t, "getcwd"))
	eq(t, "getcwd path", pstr(t, ev, "path"), r.result.Str(t, "cwd"))
	eq(t, "getcwd path is the helper's dir", pstr(t, ev, "path"), dir)
	ev = r.one(t, event.SyscallGetcwdX, func(ev *event.Event) bool { return pint(t, ev, "res") < 0 })
	eq(t, "short getcwd res", pint(t, ev, "res"), r.num(t, "getcwd_short"))
	eq(t, "short getcwd res", pint(t, ev, "res"), -int64(unix.ERANGE))
	pempty(t, ev, "path")

	checkSem(t, r)
	checkQuota(t, r, dir)
	checkSock(t, r)

	r.ok(t, "setresgid")
	r.ok(t, "setresuid")
	for _, c := range []struct {
		typ   event.Type
		param string
		want  uint64
	}{{event.SyscallGetuidX, "uid", 1001}, {event.SyscallGeteuidX, "euid", 1002}, {event.SyscallGetgidX, "gid", 2001}, {event.SyscallGetegidX, "egid", 2002}} {
		ev = r.one(t, c.typ, nil)
		eq(t, c.param, puint(t, ev, c.param), uint64(r.ok(t, c.typ.Name())))
		eq(t, c.param, puint(t, ev, c.param), c.want)
	}
	ev = r.one(t, event.SyscallGetresuidX, nil)
	eq(t, "getresuid res", pint(t, ev, "res"), r.ok(t, "getresuid"))
	eq(t, "getresuid ids", [3]uint64{puint(t, ev, "ruid"), puint(t, ev, "euid"), puint(t, ev, "suid")}, [3]uint64{1001, 1002, 1003})
	ev = r.one(t, event.SyscallGetresgidX, nil)
	eq(t, "getresgid res", pint(t, ev, "res"), r.ok(t, "getresgid"))
	eq(t, "getresgid ids", [3]uint64{puint(t, ev, "rgid"), puint(t, ev, "egid"), puint(t, ev, "sgid")}, [3]uint64{2001, 2002, 2003})
}

func checkSem(t *testing.T, r *helperRun) {
	t.Helper()
	id := r.ok(t, "semget")
	ev := r.one(t, event.SyscallSemgetX, nil)
	eq(t, "semget res", pint(t, ev, "res"), id)
	eq(t, "semget key", pint(t, ev, "key"), waitSemKey)
	eq(t, "semget nsems", pint(t, ev, "nsems"), 2)
	eq(t, "semget semflg (IPC_CREAT|IPC_EXCL; no mode)", puint(t, ev, "semflg"), 0x2000|0x4000)

	ev = r.one(t, event.SyscallSemopX, byInt(t, "res", 0))
	eq(t, "semop res", pint(t, ev, "res"), r.ok(t, "semop"))
	eq(t, "semop nsops", puint(t, ev, "nsops"), 2)
	eq(t, "semop sembuf 0", [3]int64{int64(puint(t, ev, "sem_num_0")), pint(t, ev, "sem_op_0"), int64(puint(t, ev, "sem_flg_0"))}, [3]int64{0, 3, 1})
	eq(t, "semop sembuf 1", [3]int64{int64(puint(t, ev, "sem_num_1")), pint(t, ev, "sem_op_1"), int64(puint(t, ev, "sem_flg_1"))}, [3]int64{1, 2, 2})
	eq(t, "semop semid", pint(t, ev, "semid"), id)
	ev = r.one(t, event.SyscallSemopX, func(ev *event.Event) bool { return pint(t, ev, "res") != 0 })
	eq(t, "failed semop res", pint(t, ev, "res"), r.num(t, "semop_again"))
	eq(t, "failed semop res", pint(t, ev, "res"), -int64(unix.EAGAIN))
	eq(t, "failed semop nsops", puint(t, ev, "nsops"), 1)
	eq(t, "failed semop: no sembuf", [2]int64{pint(t, ev, "sem_op_0"), int64(puint(t, ev, "sem_flg_0"))}, [2]int64{0, 0})
	eq(t, "failed semop semid", pint(t, ev, "semid"), id)

	sems := r.of(event.SyscallSemctlX, r.pid)
	if len(sems) != 3 {
		t.Fatalf("%d semctl events, want 3", len(sems))
	}
	for i, c := range []struct {
		key     string
		semnum  int64
		cmd     uint64
		val     int64
		wantRes int64
	}{{"semctl_setval", 1, 0x1000, 42, 0}, {"semctl_getval", 0, 0x200, 0, 3}, {"semctl_rmid", 0, 0x4, 0, 0}} {
		ev := sems[i]
		eq(t, c.key+" res", pint(t, ev, "res"), r.num(t, c.key))
		eq(t, c.key+" res", pint(t, ev, "res"), c.wantRes)
		eq(t, c.key+" semid", pint(t, ev, "semid"), id)
		eq(t, c.key+" semnum", pint(t, ev, "semnum"), c.semnum)
		eq(t, c.key+" cmd", puint(t, ev, "cmd"), c.cmd)
		eq(t, c.key+" val", pint(t, ev, "val"), c.val)
	}
}

func checkQuota(t *testing.T, r *helperRun, dir string) {
	t.Helper()
	qs := r.of(event.SyscallQuotactlX, r.pid)
	if len(qs) != 4 {
		t.Fatalf("%d quotactl events, want 4", len(qs))
	}
	type q struct {
		special, file                   string
		bhard, bsoft, cur, ihard, isoft uint64
		btime, itime, bgrace, igrace    uint64
		dqiFlags, fmtOut, typ, fmt      uint64
		cmd, id                         uint64
	}
	get := func(ev *event.Event) q {
		return q{pstr(t, ev, "special"), pstr(t, ev, "quotafilepath"),
			puint(t, ev, "dqb_bhardlimit"), puint(t, ev, "dqb_bsoftlimit"), puint(t, ev, "dqb_curspace"),
			puint(t, ev, "dqb_ihardlimit"), puint(t, ev, "dqb_isoftlimit"), puint(t, ev, "dqb_btime"),
			puint(t, ev, "dqb_itime"), puint(t, ev, "dqi_bgrace"), puint(t, ev, "dqi_igrace"),
			puint(t, ev, "dqi_flags"), puint(t, ev, "quota_fmt_out"), puint(t, ev, "type"), puint(t, ev, "quota_fmt"),
			puint(t, ev, "cmd"), puint(t, ev, "id")}
	}
	dev := dir + "/nodev"
	// PPM values: Q_SYNC 0x80, Q_SETQUOTA 0x40, Q_SETINFO 0x10, Q_QUOTAON 1;
	// USRQUOTA 1, GRPQUOTA 2; QFMT_NOT_USED 1, QFMT_VFS_V0 4;
	// V1_DQF_RSQUASH 2.
	wants := []struct {
		key string
		q   q
	}{
		{"q_sync", q{cmd: 0x80, typ: 1, fmtOut: 1, fmt: 1}},
		{"q_setquota", q{special: dev, bhard: 1000, bsoft: 900, itime: 22, cmd: 0x40, typ: 1, id: waitQuotaID, fmtOut: 1, fmt: 1}},
		{"q_setinfo", q{special: dev, bgrace: 600, dqiFlags: 2, cmd: 0x10, typ: 2, fmtOut: 1, fmt: 1}},
		{"q_quotaon", q{special: dev, file: "/aquota.group", cmd: 0x1, typ: 2, id: kQfmtVfsV0, fmtOut: 1, fmt: 4}},
	}
	for i, w := range wants {
		ev := qs[i]
		eq(t, w.key+" res", pint(t, ev, "res"), r.num(t, w.key))
		eq(t, w.key, get(ev), w.q)
	}
	// The missing device fails every call on it.
	eq(t, "q_setquota on a missing device", r.num(t, "q_setquota"), -int64(unix.ENOENT))
}

func checkSock(t *testing.T, r *helperRun) {
	t.Helper()
	s := r.ok(t, "sock")
	sets := r.of(event.SocketSetsockoptX, r.pid)
	if len(sets) != 3 {
		t.Fatalf("%d setsockopt events, want 3", len(sets))
	}
	for i, c := range []struct {
		key         string
		level, name uint64
		idx         uint8
		val         []byte
		optlen      uint64
	}{
		{"so_rcvbuf", pSOCKOPT_LEVEL_SOL_SOCKET, unix.SO_RCVBUF, pSOCKOPT_IDX_UINT32, []byte{0x00, 0x10, 0, 0}, 4},
		{"so_rcvtimeo", pSOCKOPT_LEVEL_SOL_SOCKET, 20, pSOCKOPT_IDX_TIMEVAL, le64(2_500_000_000), 16},
		{"tcp_nodelay", 2, 0, 0, []byte{1, 0, 0, 0}, 4}, // SOL_TCP, an option of no PPM name: raw bytes
	} {
		ev := sets[i]
		eq(t, c.key+" res", pint(t, ev, "res"), r.ok(t, c.key))
		eq(t, c.key+" fd", pint(t, ev, "fd"), s)
		eq(t, c.key+" level", puint(t, ev, "level"), c.level)
		eq(t, c.key+" optname", puint(t, ev, "optname"), c.name)
		idx, val := pdyn(t, ev, "val")
		eq(t, c.key+" val index", idx, c.idx)
		eqBytes(t, c.key+" val", val, c.val)
		eq(t, c.key+" optlen", puint(t, ev, "optlen"), c.optlen)
	}
	eq(t, "getsockname", r.ok(t, "getsockname"), 0)
	eq(t, "getpeername of an unconnected socket", r.num(t, "getpeername"), -int64(unix.ENOTCONN))
	for _, typ := range []event.Type{event.SocketGetsocknameX, event.SocketGetpeernameX} {
		ev := r.one(t, typ, nil)
		eq(t, typ.String()+" parameters", ev.NumParams(), 0)
	}
}

// le64 is v little-endian.
func le64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}
