package ebpf

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

func init() {
	workloads.Add("memcalls", helperMemCalls)
	workloads.Add("statcalls", helperStatCalls)
	workloads.Add("limitcalls", helperLimitCalls)
}

// memMapLen is the anonymous mapping helperMemCalls populates: large
// against the tolerance of the vm_size/vm_rss comparison, so the counters
// must follow the mapping to pass. The odd pages tell it from the Go
// runtime's own mappings.
const memMapLen = 32<<20 + 5*4096

// num records a number as a decimal string: JSON numbers are float64 and
// would round user-space addresses.
func num(out map[string]any, key string, v int64) {
	out[key] = strconv.FormatInt(v, 10)
}

// procVM returns VmSize, VmRSS and VmSwap (KiB) from an open
// /proc/self/status, read with pread into buf so that reading them maps
// nothing new.
func procVM(fd int, buf []byte) (size, rss, swap int64) {
	n, _ := unix.Pread(fd, buf, 0)
	for _, line := range strings.Split(string(buf[:max(n, 0)]), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmSize":
			size = kb
		case "VmRSS":
			rss = kb
		case "VmSwap":
			swap = kb
		}
	}
	return size, rss, swap
}

// helperMemCalls: an anonymous populated mmap of memMapLen, mprotect (one
// accepted, one refused with PROT_GROWSDOWN), mlock/munlock/mlock2,
// mlockall/munlockall, a file mmap at an offset, a failing mmap, munmap,
// and brk (query, grow, shrink back), in dir args[0]. After the calls that
// report memory counters, /proc/self/status is read at once (keys
// <call>_vm_size, _vm_rss, _vm_swap).
func helperMemCalls(args []string, out map[string]any) int {
	// No collection during the workload: the GC would map and unmap
	// between a call and the read of /proc that it is compared with.
	debug.SetGCPercent(-1)
	status, err := unix.Open("/proc/self/status", unix.O_RDONLY, 0)
	if err != nil {
		return 2
	}
	buf := make([]byte, 8192)
	vm := func(key string) {
		s, r, w := procVM(status, buf)
		num(out, key+"_vm_size", s)
		num(out, key+"_vm_rss", r)
		num(out, key+"_vm_swap", w)
	}

	addr, e := childtest.Raw(unix.SYS_MMAP, 0, memMapLen, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_POPULATE, ^uintptr(0), 0)
	vm("mmap")
	num(out, "mmap", addr)
	if e != 0 {
		return 3
	}
	a := uintptr(addr)

	r, e := childtest.Raw(unix.SYS_MPROTECT, a+4096, 8192, unix.PROT_READ|unix.PROT_EXEC)
	childtest.Must(out, "mprotect", r, e)
	r, e = childtest.Raw(unix.SYS_MPROTECT, a, 4096, unix.PROT_READ|unix.PROT_GROWSDOWN)
	childtest.Must(out, "mprotect_growsdown", r, e)

	r, e = childtest.Raw(unix.SYS_MLOCK, a+16*4096, 4*4096)
	childtest.Must(out, "mlock", r, e)
	r, e = childtest.Raw(unix.SYS_MUNLOCK, a+16*4096, 4*4096)
	childtest.Must(out, "munlock", r, e)
	r, e = childtest.Raw(unix.SYS_MLOCK2, a+32*4096, 4096, unix.MLOCK_ONFAULT)
	childtest.Must(out, "mlock2", r, e)
	r, e = childtest.Raw(unix.SYS_MLOCKALL, unix.MCL_FUTURE|unix.MCL_ONFAULT)
	childtest.Must(out, "mlockall", r, e)
	r, e = childtest.Raw(unix.SYS_MUNLOCKALL)
	childtest.Must(out, "munlockall", r, e)

	f, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(filepath.Join(args[0], "map.bin"))), unix.O_RDWR|unix.O_CREAT, 0o600)
	childtest.Must(out, "file_fd", f, e)
	unix.Ftruncate(int(f), 3*4096)
	fm, e := childtest.Raw(unix.SYS_MMAP, 0, 4096, unix.PROT_READ, unix.MAP_SHARED, uintptr(f), 2*4096)
	num(out, "mmap_file", fm)
	vm("mmap_file")
	r, e = childtest.Raw(unix.SYS_MMAP, 0, 4096, unix.PROT_READ, unix.MAP_PRIVATE, 9999, 0)
	childtest.Must(out, "mmap_badfd", r, e)

	r, e = childtest.Raw(unix.SYS_MUNMAP, a, memMapLen)
	vm("munmap")
	childtest.Must(out, "munmap", r, e)

	cur, _ := childtest.Raw(unix.SYS_BRK, 0)
	num(out, "brk0", cur)
	grown, _ := childtest.Raw(unix.SYS_BRK, uintptr(cur)+1<<20)
	vm("brk")
	num(out, "brk", grown)
	back, _ := childtest.Raw(unix.SYS_BRK, uintptr(cur))
	num(out, "brk_back", back)
	return 0
}

// helperStatCalls: access (granted, missing file), stat, lstat, fstat,
// newfstatat (relative to a dirfd, and AT_EMPTY_PATH), lseek (SEEK_SET and
// a negative SEEK_END), getdents64 and getdents, flock (exclusive
// non-blocking, unlock) and ioctl(FIONREAD), in dir args[0].
func helperStatCalls(args []string, out map[string]any) int {
	dir := args[0]
	name := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(name, []byte("0123456789"), 0o600); err != nil {
		return 2
	}
	if err := os.Symlink("f.txt", filepath.Join(dir, "l")); err != nil {
		return 2
	}
	var st unix.Stat_t
	r, e := childtest.Raw(unix.SYS_ACCESS, uintptr(childtest.CStr(name)), unix.R_OK|unix.W_OK)
	childtest.Must(out, "access", r, e)
	r, e = childtest.Raw(unix.SYS_ACCESS, uintptr(childtest.CStr(filepath.Join(dir, "missing"))), unix.F_OK)
	childtest.Must(out, "access_missing", r, e)
	r, e = childtest.Raw(unix.SYS_STAT, uintptr(childtest.CStr(name)), uintptr(unsafe.Pointer(&st)))
	childtest.Must(out, "stat", r, e)
	r, e = childtest.Raw(unix.SYS_LSTAT, uintptr(childtest.CStr(filepath.Join(dir, "l"))), uintptr(unsafe.Pointer(&st)))
	childtest.Must(out, "lstat", r, e)

	fd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(name)), unix.O_RDWR, 0)
	childtest.Must(out, "fd", fd, e)
	r, e = childtest.Raw(unix.SYS_FSTAT, uintptr(fd), uintptr(unsafe.Pointer(&st)))
	childtest.Must(out, "fstat", r, e)
	dfd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	childtest.Must(out, "dfd", dfd, e)
	r, e = childtest.Raw(unix.SYS_NEWFSTATAT, uintptr(dfd), uintptr(childtest.CStr("l")), uintptr(unsafe.Pointer(&st)), unix.AT_SYMLINK_NOFOLLOW)
	childtest.Must(out, "newfstatat", r, e)
	r, e = childtest.Raw(unix.SYS_NEWFSTATAT, uintptr(fd), uintptr(childtest.CStr("")), uintptr(unsafe.Pointer(&st)), unix.AT_EMPTY_PATH)
	childtest.Must(out, "newfstatat_empty", r, e)

	r, e = childtest.Raw(unix.SYS_LSEEK, uintptr(fd), 4, unix.SEEK_SET)
	childtest.Must(out, "lseek_set", r, e)
	minus2 := int64(-2)
	r, e = childtest.Raw(unix.SYS_LSEEK, uintptr(fd), uintptr(minus2), unix.SEEK_END)
	childtest.Must(out, "lseek_end", r, e)

	dents := make([]byte, 4096)
	r, e = childtest.Raw(unix.SYS_GETDENTS64, uintptr(dfd), uintptr(unsafe.Pointer(&dents[0])), uintptr(len(dents)))
	childtest.Must(out, "getdents64", r, e)
	dfd2, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	childtest.Must(out, "dfd2", dfd2, e)
	r, e = childtest.Raw(unix.SYS_GETDENTS, uintptr(dfd2), uintptr(unsafe.Pointer(&dents[0])), uintptr(len(dents)))
	childtest.Must(out, "getdents", r, e)

	r, e = childtest.Raw(unix.SYS_FLOCK, uintptr(fd), unix.LOCK_EX|unix.LOCK_NB)
	childtest.Must(out, "flock_ex", r, e)
	r, e = childtest.Raw(unix.SYS_FLOCK, uintptr(fd), unix.LOCK_UN)
	childtest.Must(out, "flock_un", r, e)

	avail := new(int32)
	p := unsafe.Pointer(avail)
	r, e = childtest.Raw(unix.SYS_IOCTL, uintptr(fd), 0x541B /* FIONREAD */, uintptr(p))
	childtest.Must(out, "ioctl", r, e)
	num(out, "ioctl_arg", int64(uintptr(p)))
	num(out, "ioctl_avail", int64(*avail))
	return 0
}

// helperLimitCalls: getrlimit/setrlimit/prlimit64 of RLIMIT_CORE (and a
// failing getrlimit and prlimit64), seccomp(GET_ACTION_AVAIL) with valid
// and invalid flags, delete_module of a module that is not loaded, keyctl
// (GET_KEYRING_ID: numbers; SEARCH: strings), io_uring_enter and
// io_uring_register on a fresh ring.
func helperLimitCalls(args []string, out map[string]any) int {
	var g unix.Rlimit
	r, e := childtest.Raw(unix.SYS_GETRLIMIT, unix.RLIMIT_CORE, uintptr(unsafe.Pointer(&g)))
	childtest.Must(out, "getrlimit", r, e)
	num(out, "core_cur", int64(g.Cur))
	num(out, "core_max", int64(g.Max))
	r, e = childtest.Raw(unix.SYS_GETRLIMIT, 99, uintptr(unsafe.Pointer(&g)))
	childtest.Must(out, "getrlimit_bad", r, e)
	coreMax := g.Max
	set := unix.Rlimit{Cur: min(4096, coreMax), Max: coreMax}
	num(out, "set_cur", int64(set.Cur))
	r, e = childtest.Raw(unix.SYS_SETRLIMIT, unix.RLIMIT_CORE, uintptr(unsafe.Pointer(&set)))
	childtest.Must(out, "setrlimit", r, e)
	nw := unix.Rlimit{Cur: min(8192, coreMax), Max: coreMax}
	num(out, "new_cur", int64(nw.Cur))
	var old unix.Rlimit
	r, e = childtest.Raw(unix.SYS_PRLIMIT64, 0, unix.RLIMIT_CORE, uintptr(unsafe.Pointer(&nw)), uintptr(unsafe.Pointer(&old)))
	childtest.Must(out, "prlimit", r, e)
	num(out, "prlimit_oldcur", int64(old.Cur))
	num(out, "prlimit_oldmax", int64(old.Max))
	r, e = childtest.Raw(unix.SYS_PRLIMIT64, 0x7ffffff0, unix.RLIMIT_NOFILE, 0, uintptr(unsafe.Pointer(&old)))
	childtest.Must(out, "prlimit_nopid", r, e)

	action := uint32(0x80000000) // SECCOMP_RET_KILL_PROCESS
	r, e = childtest.Raw(unix.SYS_SECCOMP, 2 /* SECCOMP_GET_ACTION_AVAIL */, 0, uintptr(unsafe.Pointer(&action)))
	childtest.Must(out, "seccomp", r, e)
	r, e = childtest.Raw(unix.SYS_SECCOMP, 2, 0x10, uintptr(unsafe.Pointer(&action)))
	childtest.Must(out, "seccomp_badflags", r, e)

	r, e = childtest.Raw(unix.SYS_DELETE_MODULE, uintptr(childtest.CStr("saker_nomod")), unix.O_NONBLOCK|unix.O_TRUNC)
	childtest.Must(out, "delete_module", r, e)

	session := int64(unix.KEY_SPEC_SESSION_KEYRING)
	r, e = childtest.Raw(unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, uintptr(session), 0)
	childtest.Must(out, "keyctl_id", r, e)
	r, e = childtest.Raw(unix.SYS_KEYCTL, unix.KEYCTL_SEARCH, uintptr(session), uintptr(childtest.CStr("user")), uintptr(childtest.CStr("saker-nokey")), 0)
	childtest.Must(out, "keyctl_search", r, e)

	var params [120]byte // struct io_uring_params, zeroed
	ring, e := childtest.Raw(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&params[0])))
	childtest.Must(out, "ring", ring, e)
	mask := new(uint64)
	sig := unsafe.Pointer(mask)
	r, e = childtest.Raw(unix.SYS_IO_URING_ENTER, uintptr(ring), 0, 0, 1 /* IORING_ENTER_GETEVENTS */, uintptr(sig), 8)
	childtest.Must(out, "io_uring_enter", r, e)
	num(out, "io_uring_enter_sig", int64(uintptr(sig)))
	probe := make([]byte, 16+4*8) // struct io_uring_probe with 4 ops, zeroed
	pp := unsafe.Pointer(&probe[0])
	r, e = childtest.Raw(unix.SYS_IO_URING_REGISTER, uintptr(ring), 8 /* IORING_REGISTER_PROBE */, uintptr(pp), 4)
	childtest.Must(out, "io_uring_register", r, e)
	num(out, "io_uring_register_arg", int64(uintptr(pp)))
	r, e = childtest.Raw(unix.SYS_IO_URING_REGISTER, uintptr(ring), 1 /* IORING_UNREGISTER_BUFFERS */, 0, 0)
	childtest.Must(out, "io_uring_unregister", r, e)
	return 0
}

// PPM values the memory tests expect (prot_flags, mmap_flags).
const (
	pPROT_READ      = 0x1
	pPROT_WRITE     = 0x2
	pPROT_EXEC      = 0x4
	pPROT_GROWSDOWN = 0x10
	pMAP_SHARED     = 0x1
	pMAP_PRIVATE    = 0x2
	pMAP_ANONYMOUS  = 0x8
	pMAP_POPULATE   = 0x80
)

// vmTolerance (KiB) bounds how far an event's vm_size/vm_rss/vm_swap may be
// from /proc/self/status read right after the call. They differ because
// the kernel keeps RSS in per-CPU counters: the program reads the shared
// count (as libs' probes do), which lags each CPU's pending delta by up to
// a batch of 32 pages per CPU and counter, while /proc sums them; and the
// Go runtime's other threads may fault in or map a little between the call
// and the read. It is far below memMapLen, so the counters must follow the
// 32 MiB mapping to pass.
const vmTolerance = 2048

// eqVM checks an event's memory counters against what /proc said after it.
func eqVM(t *testing.T, r *helperRun, ev *event.Event, key string) {
	t.Helper()
	for _, c := range []struct{ param, proc string }{
		{"vm_size", "_vm_size"}, {"vm_rss", "_vm_rss"}, {"vm_swap", "_vm_swap"},
	} {
		got, want := int64(puint(t, ev, c.param)), r.num(t, key+c.proc)
		if d := got - want; d < -vmTolerance || d > vmTolerance {
			t.Errorf("%s %s = %d KiB, /proc/self/status says %d KiB", key, c.param, got, want)
		}
	}
}

// byUint matches events whose parameter name is want.
func byUint(t testing.TB, name string, want uint64) func(*event.Event) bool {
	return func(ev *event.Event) bool { return puint(t, ev, name) == want }
}

func TestMemoryCalls(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root for mlock")
	}
	dir := t.TempDir()
	r := runHelper(t, 0, "memcalls", dir)
	addr := uint64(r.num(t, "mmap"))

	ev := r.one(t, event.SyscallMmapX, byUint(t, "length", memMapLen))
	eq(t, "mmap res", uint64(pint(t, ev, "res")), addr)
	eq(t, "mmap addr", puint(t, ev, "addr"), 0)
	eq(t, "mmap prot", puint(t, ev, "prot"), pPROT_READ|pPROT_WRITE)
	eq(t, "mmap flags", puint(t, ev, "flags"), pMAP_PRIVATE|pMAP_ANONYMOUS|pMAP_POPULATE)
	eq(t, "mmap fd", pint(t, ev, "fd"), -1)
	eq(t, "mmap offset", puint(t, ev, "offset"), 0)
	eqVM(t, r, ev, "mmap")
	mmapSize, mmapRSS := puint(t, ev, "vm_size"), puint(t, ev, "vm_rss")

	ev = r.one(t, event.SyscallMmapX, byInt(t, "fd", r.num(t, "file_fd")))
	eq(t, "file mmap res", pint(t, ev, "res"), r.num(t, "mmap_file"))
	eq(t, "file mmap addr", puint(t, ev, "addr"), 0)
	eq(t, "file mmap length", puint(t, ev, "length"), 4096)
	eq(t, "file mmap prot", puint(t, ev, "prot"), pPROT_READ)
	eq(t, "file mmap flags", puint(t, ev, "flags"), pMAP_SHARED)
	eq(t, "file mmap offset", puint(t, ev, "offset"), 2*4096)
	eqVM(t, r, ev, "mmap_file")

	ev = r.one(t, event.SyscallMmapX, byInt(t, "fd", 9999))
	eq(t, "bad mmap res", pint(t, ev, "res"), -int64(unix.EBADF))
	eq(t, "bad mmap res (helper)", pint(t, ev, "res"), r.num(t, "mmap_badfd"))
	eq(t, "bad mmap length", puint(t, ev, "length"), 4096)
	eq(t, "bad mmap prot", puint(t, ev, "prot"), pPROT_READ)
	eq(t, "bad mmap flags", puint(t, ev, "flags"), pMAP_PRIVATE)
	eq(t, "bad mmap addr/offset", [2]uint64{puint(t, ev, "addr"), puint(t, ev, "offset")}, [2]uint64{0, 0})

	ev = r.one(t, event.SyscallMunmapX, byUint(t, "addr", addr))
	eq(t, "munmap res", pint(t, ev, "res"), r.num(t, "munmap"))
	eq(t, "munmap res is 0", pint(t, ev, "res"), 0)
	eq(t, "munmap length", puint(t, ev, "length"), memMapLen)
	eqVM(t, r, ev, "munmap")
	// The mapping's 32 MiB, populated, were in vm_size and vm_rss at mmap
	// and are gone at munmap.
	if d := int64(mmapSize) - int64(puint(t, ev, "vm_size")); d < memMapLen>>10-vmTolerance || d > memMapLen>>10+vmTolerance {
		t.Errorf("vm_size fell by %d KiB from mmap to munmap, want about %d", d, memMapLen>>10)
	}
	if d := int64(mmapRSS) - int64(puint(t, ev, "vm_rss")); d < memMapLen>>10-vmTolerance {
		t.Errorf("vm_rss fell by %d KiB from mmap to munmap, want at least about %d", d, memMapLen>>10)
	}

	ev = r.one(t, event.SyscallMprotectX, byUint(t, "addr", addr+4096))
	eq(t, "mprotect res", pint(t, ev, "res"), r.num(t, "mprotect"))
	eq(t, "mprotect res is 0", pint(t, ev, "res"), 0)
	eq(t, "mprotect length", puint(t, ev, "length"), 8192)
	eq(t, "mprotect prot", puint(t, ev, "prot"), pPROT_READ|pPROT_EXEC)
	ev = r.one(t, event.SyscallMprotectX, byUint(t, "addr", addr))
	eq(t, "mprotect GROWSDOWN res", pint(t, ev, "res"), r.num(t, "mprotect_growsdown"))
	eq(t, "mprotect GROWSDOWN length", puint(t, ev, "length"), 4096)
	eq(t, "mprotect GROWSDOWN prot", puint(t, ev, "prot"), pPROT_READ|pPROT_GROWSDOWN)

	brk0, brk := uint64(r.num(t, "brk0")), uint64(r.num(t, "brk"))
	if brk != brk0+1<<20 {
		t.Errorf("brk did not grow: %#x -> %#x", brk0, brk)
	}
	// A C library linked into the test binary (cgo) asks brk(0) at start
	// too: the helper's query is the last one.
	var query *event.Event
	for _, e := range r.of(event.SyscallBrkV4X, r.pid) {
		if puint(t, e, "addr") == 0 {
			query = e
		}
	}
	if query == nil {
		t.Fatal("no brk(0) event")
	}
	eq(t, "brk(0) res", puint(t, query, "res"), brk0)
	ev = r.one(t, event.SyscallBrkV4X, byUint(t, "addr", brk0+1<<20))
	eq(t, "brk grow res", puint(t, ev, "res"), brk)
	eqVM(t, r, ev, "brk")
	ev = r.one(t, event.SyscallBrkV4X, byUint(t, "addr", brk0))
	eq(t, "brk shrink res", puint(t, ev, "res"), uint64(r.num(t, "brk_back")))

	ev = r.one(t, event.SyscallMlockX, nil)
	eq(t, "mlock", [3]uint64{uint64(pint(t, ev, "res")), puint(t, ev, "addr"), puint(t, ev, "len")}, [3]uint64{uint64(r.num(t, "mlock")), addr + 16*4096, 4 * 4096})
	eq(t, "mlock res is 0", pint(t, ev, "res"), 0)
	ev = r.one(t, event.SyscallMunlockX, byUint(t, "addr", addr+16*4096))
	eq(t, "munlock", [2]int64{pint(t, ev, "res"), int64(puint(t, ev, "len"))}, [2]int64{r.num(t, "munlock"), 4 * 4096})
	ev = r.one(t, event.SyscallMlock2X, nil)
	eq(t, "mlock2", [4]uint64{uint64(pint(t, ev, "res")), puint(t, ev, "addr"), puint(t, ev, "len"), puint(t, ev, "flags")},
		[4]uint64{uint64(r.num(t, "mlock2")), addr + 32*4096, 4096, 1 /* MLOCK_ONFAULT */})
	ev = r.one(t, event.SyscallMlockallX, nil)
	eq(t, "mlockall", [2]int64{pint(t, ev, "res"), int64(puint(t, ev, "flags"))}, [2]int64{r.num(t, "mlockall"), 2 | 4 /* MCL_FUTURE|MCL_ONFAULT */})
	eq(t, "mlockall res is 0", pint(t, ev, "res"), 0)
	ev = r.one(t, event.SyscallMunlockallX, nil)
	eq(t, "munlockall res", pint(t, ev, "res"), r.num(t, "munlockall"))
}

func TestStatCalls(t *testing.T) {
	dir := t.TempDir()
	r := runHelper(t, 0, "statcalls", dir)
	name := filepath.Join(dir, "f.txt")
	fd, dfd := r.num(t, "fd"), r.num(t, "dfd")

	ev := r.one(t, event.SyscallAccessX, byStr(t, "name", name))
	eq(t, "access res", pint(t, ev, "res"), r.num(t, "access"))
	eq(t, "access res is 0", pint(t, ev, "res"), 0)
	eq(t, "access mode", puint(t, ev, "mode"), 4|2) // R_OK|W_OK
	ev = r.one(t, event.SyscallAccessX, byStr(t, "name", filepath.Join(dir, "missing")))
	eq(t, "access missing res", pint(t, ev, "res"), -int64(unix.ENOENT))
	eq(t, "access missing mode", puint(t, ev, "mode"), 0) // F_OK

	ev = r.one(t, event.SyscallStatX, byStr(t, "path", name))
	eq(t, "stat res", pint(t, ev, "res"), r.num(t, "stat"))
	ev = r.one(t, event.SyscallLstatX, byStr(t, "path", filepath.Join(dir, "l")))
	eq(t, "lstat res", pint(t, ev, "res"), r.num(t, "lstat"))
	ev = r.one(t, event.SyscallFstatX, byInt(t, "fd", fd))
	eq(t, "fstat res", pint(t, ev, "res"), r.num(t, "fstat"))

	ev = r.one(t, event.SyscallNewfstatatX, byStr(t, "path", "l"))
	eq(t, "newfstatat res", pint(t, ev, "res"), r.num(t, "newfstatat"))
	eq(t, "newfstatat dirfd", pint(t, ev, "dirfd"), dfd)
	eq(t, "newfstatat flags", puint(t, ev, "flags"), 0x100) // AT_SYMLINK_NOFOLLOW
	ev = r.one(t, event.SyscallNewfstatatX, byInt(t, "dirfd", fd))
	eq(t, "newfstatat(EMPTY_PATH) res", pint(t, ev, "res"), r.num(t, "newfstatat_empty"))
	eq(t, "newfstatat(EMPTY_PATH) path", pstr(t, ev, "path"), "")
	eq(t, "newfstatat(EMPTY_PATH) flags", puint(t, ev, "flags"), 0x1000)

	ev = r.one(t, event.SyscallLseekX, byUint(t, "whence", 0))
	eq(t, "lseek SET", [3]int64{pint(t, ev, "res"), pint(t, ev, "fd"), int64(puint(t, ev, "offset"))}, [3]int64{4, fd, 4})
	ev = r.one(t, event.SyscallLseekX, byUint(t, "whence", 2))
	eq(t, "lseek END", [3]int64{pint(t, ev, "res"), pint(t, ev, "fd"), int64(puint(t, ev, "offset"))}, [3]int64{r.num(t, "lseek_end"), fd, -2})
	eq(t, "lseek END res", r.num(t, "lseek_end"), 8)

	ev = r.one(t, event.SyscallGetdents64X, nil)
	eq(t, "getdents64", [2]int64{pint(t, ev, "res"), pint(t, ev, "fd")}, [2]int64{r.num(t, "getdents64"), dfd})
	if r.num(t, "getdents64") <= 0 {
		t.Errorf("getdents64 returned %d", r.num(t, "getdents64"))
	}
	ev = r.one(t, event.SyscallGetdentsX, nil)
	eq(t, "getdents", [2]int64{pint(t, ev, "res"), pint(t, ev, "fd")}, [2]int64{r.num(t, "getdents"), r.num(t, "dfd2")})

	ev = r.one(t, event.SyscallFlockX, byUint(t, "operation", 2|4)) // LOCK_EX|LOCK_NB
	eq(t, "flock EX", [2]int64{pint(t, ev, "res"), pint(t, ev, "fd")}, [2]int64{r.num(t, "flock_ex"), fd})
	ev = r.one(t, event.SyscallFlockX, byUint(t, "operation", 8)) // LOCK_UN
	eq(t, "flock UN", [2]int64{pint(t, ev, "res"), pint(t, ev, "fd")}, [2]int64{r.num(t, "flock_un"), fd})

	ev = r.one(t, event.SyscallIoctlV3X, byInt(t, "fd", fd))
	eq(t, "ioctl res", pint(t, ev, "res"), r.num(t, "ioctl"))
	eq(t, "ioctl res is 0", pint(t, ev, "res"), 0)
	eq(t, "ioctl request", puint(t, ev, "request"), 0x541B)
	eq(t, "ioctl argument", puint(t, ev, "argument"), uint64(r.num(t, "ioctl_arg")))
}

// keyctlArg returns a keyctl PT_DYN parameter: its kind and value (a
// number, or a string without its NUL).
func keyctlArg(t *testing.T, ev *event.Event, name string) (uint8, any) {
	t.Helper()
	idx, val, ok := ev.Dyn(paramIndex(t, ev, name))
	if !ok {
		t.Fatalf("keyctl %s is absent", name)
	}
	switch idx {
	case 0:
		if len(val) != 8 {
			t.Fatalf("keyctl %s: number of %d bytes", name, len(val))
		}
		return idx, uint64(val[0]) | uint64(val[1])<<8 | uint64(val[2])<<16 | uint64(val[3])<<24 |
			uint64(val[4])<<32 | uint64(val[5])<<40 | uint64(val[6])<<48 | uint64(val[7])<<56
	case 1:
		s, ok := strings.CutSuffix(string(val), "\x00")
		if !ok {
			t.Errorf("keyctl %s: string %q without NUL", name, val)
		}
		return idx, s
	}
	t.Fatalf("keyctl %s: kind %d", name, idx)
	return 0, nil
}

func TestLimitsAndKernelCalls(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root for delete_module")
	}
	r := runHelper(t, 0, "limitcalls")
	const core, nofile = 4, 7 // RLIMIT_CORE, RLIMIT_NOFILE
	coreMax := r.num(t, "core_max")

	ev := r.one(t, event.SyscallGetrlimitX, byUint(t, "resource", core))
	eq(t, "getrlimit", [3]int64{pint(t, ev, "res"), pint(t, ev, "cur"), pint(t, ev, "max")}, [3]int64{0, r.num(t, "core_cur"), coreMax})
	eq(t, "getrlimit res", r.num(t, "getrlimit"), 0)
	ev = r.one(t, event.SyscallGetrlimitX, byUint(t, "resource", 0xff)) // RLIMIT_UNKNOWN
	eq(t, "bad getrlimit", [3]int64{pint(t, ev, "res"), pint(t, ev, "cur"), pint(t, ev, "max")}, [3]int64{r.num(t, "getrlimit_bad"), -1, -1})
	eq(t, "bad getrlimit res", r.num(t, "getrlimit_bad"), -int64(unix.EINVAL))

	ev = r.one(t, event.SyscallSetrlimitX, byUint(t, "resource", core))
	eq(t, "setrlimit", [3]int64{pint(t, ev, "res"), pint(t, ev, "cur"), pint(t, ev, "max")}, [3]int64{r.num(t, "setrlimit"), r.num(t, "set_cur"), coreMax})
	eq(t, "setrlimit res", r.num(t, "setrlimit"), 0)

	// (The Go runtime calls prlimit64 for RLIMIT_NOFILE itself.)
	ev = r.one(t, event.SyscallPrlimitX, func(ev *event.Event) bool { return pint(t, ev, "pid") == 0 && puint(t, ev, "resource") == core })
	eq(t, "prlimit res", pint(t, ev, "res"), r.num(t, "prlimit"))
	eq(t, "prlimit new", [2]int64{pint(t, ev, "newcur"), pint(t, ev, "newmax")}, [2]int64{r.num(t, "new_cur"), coreMax})
	eq(t, "prlimit old", [2]int64{pint(t, ev, "oldcur"), pint(t, ev, "oldmax")}, [2]int64{r.num(t, "prlimit_oldcur"), r.num(t, "prlimit_oldmax")})
	eq(t, "prlimit old is what setrlimit set", r.num(t, "prlimit_oldcur"), r.num(t, "set_cur"))
	eq(t, "prlimit resource", puint(t, ev, "resource"), core)
	ev = r.one(t, event.SyscallPrlimitX, byInt(t, "pid", 0x7ffffff0))
	eq(t, "prlimit(no pid) res", pint(t, ev, "res"), -int64(unix.ESRCH))
	eq(t, "prlimit(no pid) limits", [4]int64{pint(t, ev, "newcur"), pint(t, ev, "newmax"), pint(t, ev, "oldcur"), pint(t, ev, "oldmax")}, [4]int64{-1, -1, -1, -1})
	eq(t, "prlimit(no pid) resource", puint(t, ev, "resource"), nofile)

	ev = r.one(t, event.SyscallSeccompX, byUint(t, "flags", 0))
	eq(t, "seccomp", [2]int64{pint(t, ev, "res"), int64(puint(t, ev, "op"))}, [2]int64{r.num(t, "seccomp"), 2})
	eq(t, "seccomp res", r.num(t, "seccomp"), 0)
	ev = r.one(t, event.SyscallSeccompX, byUint(t, "flags", 0x10))
	eq(t, "seccomp bad flags", [2]int64{pint(t, ev, "res"), int64(puint(t, ev, "op"))}, [2]int64{r.num(t, "seccomp_badflags"), 2})

	ev = r.one(t, event.SyscallDeleteModuleX, nil)
	eq(t, "delete_module res", pint(t, ev, "res"), r.num(t, "delete_module"))
	eq(t, "delete_module name", pstr(t, ev, "name"), "saker_nomod")
	eq(t, "delete_module flags", puint(t, ev, "flags"), 1|2) // O_NONBLOCK|O_TRUNC

	session := uint64(0xfffffffffffffffd)                          // KEY_SPEC_SESSION_KEYRING (-3)
	ev = r.one(t, event.SyscallKeyctlX, byUint(t, "operation", 0)) // KEYCTL_GET_KEYRING_ID
	eq(t, "keyctl GET_KEYRING_ID res", pint(t, ev, "res"), r.num(t, "keyctl_id"))
	for i, want := range []uint64{session, 0, 0, 0} {
		k, v := keyctlArg(t, ev, "arg"+strconv.Itoa(i+2))
		eq(t, "keyctl GET_KEYRING_ID arg"+strconv.Itoa(i+2), [2]any{k, v}, [2]any{uint8(0), any(want)})
	}
	ev = r.one(t, event.SyscallKeyctlX, byUint(t, "operation", 10)) // KEYCTL_SEARCH
	eq(t, "keyctl SEARCH res", pint(t, ev, "res"), r.num(t, "keyctl_search"))
	for i, want := range []any{session, "user", "saker-nokey", uint64(0)} {
		wantKind := uint8(0)
		if _, ok := want.(string); ok {
			wantKind = 1
		}
		k, v := keyctlArg(t, ev, "arg"+strconv.Itoa(i+2))
		eq(t, "keyctl SEARCH arg"+strconv.Itoa(i+2), [2]any{k, v}, [2]any{wantKind, want})
	}

	ring := r.num(t, "ring")
	if ring < 0 {
		t.Fatalf("io_uring_setup failed: %d", ring)
	}
	ev = r.one(t, event.SyscallIoUringEnterX, nil)
	eq(t, "io_uring_enter res", pint(t, ev, "res"), r.num(t, "io_uring_enter"))
	eq(t, "io_uring_enter fd", pint(t, ev, "fd"), ring)
	eq(t, "io_uring_enter counts", [2]uint64{puint(t, ev, "to_submit"), puint(t, ev, "min_complete")}, [2]uint64{0, 0})
	eq(t, "io_uring_enter flags", puint(t, ev, "flags"), 1) // IORING_ENTER_GETEVENTS
	// sig is the low 32 bits of the pointer, as libs writes it.
	eq(t, "io_uring_enter sig", puint(t, ev, "sig"), uint64(uint32(r.num(t, "io_uring_enter_sig"))))
	ev = r.one(t, event.SyscallIoUringRegisterX, byUint(t, "opcode", 8)) // IORING_REGISTER_PROBE
	eq(t, "io_uring_register res", pint(t, ev, "res"), r.num(t, "io_uring_register"))
	eq(t, "io_uring_register res is 0", pint(t, ev, "res"), 0)
	eq(t, "io_uring_register", [3]int64{pint(t, ev, "fd"), int64(puint(t, ev, "arg")), int64(puint(t, ev, "nr_args"))}, [3]int64{ring, r.num(t, "io_uring_register_arg"), 4})
	ev = r.one(t, event.SyscallIoUringRegisterX, byUint(t, "opcode", 1)) // IORING_UNREGISTER_BUFFERS
	eq(t, "io_uring unregister", [4]int64{pint(t, ev, "res"), pint(t, ev, "fd"), int64(puint(t, ev, "arg")), int64(puint(t, ev, "nr_args"))}, [4]int64{r.num(t, "io_uring_unregister"), ring, 0, 0})
}
