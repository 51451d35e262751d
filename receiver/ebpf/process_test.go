package ebpf

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

// procexitOf returns the procexit event of thread tid.
func procexitOf(t testing.TB, r *helperRun, tid int64) *event.Event {
	t.Helper()
	evs := r.of(event.ProcexitV1E, int(tid))
	if len(evs) != 1 {
		t.Fatalf("%d procexit events for tid %d, want 1", len(evs), tid)
	}
	return evs[0]
}

func TestProcessFamily(t *testing.T) {
	r := runHelper(t, 0, "process")
	pid := int64(r.pid)

	// fork: the parent's event carries the child's tid, the child's event 0.
	child := r.num(t, "fork")
	ev := r.one(t, event.SyscallForkV20X, nil)
	eq(t, "fork res", pint(t, ev, "res"), child)
	eq(t, "fork tid/pid", [2]int64{pint(t, ev, "tid"), pint(t, ev, "pid")}, [2]int64{pid, pid})
	eq(t, "fork flags", puint(t, ev, "flags"), 0)
	eq(t, "fork comm", pstr(t, ev, "comm"), filepath.Base(os.Args[0])[:min(15, len(filepath.Base(os.Args[0])))])
	cev := r.of(event.SyscallForkV20X, int(child))
	if len(cev) != 1 {
		t.Fatalf("%d fork events from the child %d, want 1", len(cev), child)
	}
	eq(t, "child fork res", pint(t, cev[0], "res"), 0)
	eq(t, "child fork tid/pid/ptid", [3]int64{pint(t, cev[0], "tid"), pint(t, cev[0], "pid"), pint(t, cev[0], "ptid")}, [3]int64{child, child, pid})
	eq(t, "child vtid", pint(t, cev[0], "vtid"), child)
	ex := procexitOf(t, r, child)
	eq(t, "exit(7) status", pint(t, ex, "status"), 7<<8)
	eq(t, "exit(7) ret", pint(t, ex, "ret"), 7)
	eq(t, "exit(7) sig", puint(t, ex, "sig"), 0)

	// clone3: the child kills itself with SIGKILL.
	child = r.num(t, "clone3")
	// matched by res: a cgo-linked test binary (receiver/state brings in
	// net) starts its runtime threads with clone3 too
	ev = r.one(t, event.SyscallClone3X, byInt(t, "res", child))
	cev = r.of(event.SyscallClone3X, int(child))
	if len(cev) != 1 {
		t.Fatalf("%d clone3 events from the child, want 1", len(cev))
	}
	eq(t, "child clone3 ptid", pint(t, cev[0], "ptid"), pid)
	ex = procexitOf(t, r, child)
	eq(t, "SIGKILL sig", puint(t, ex, "sig"), uint64(unix.SIGKILL))
	eq(t, "SIGKILL status", pint(t, ex, "status"), int64(unix.SIGKILL))

	ev = r.one(t, event.SyscallKillX, byInt(t, "pid", pid))
	eq(t, "kill res/sig", [2]int64{pint(t, ev, "res"), int64(puint(t, ev, "sig"))}, [2]int64{0, 0})
	ev = r.one(t, event.SyscallTkillX, byInt(t, "tid", pid))
	eq(t, "tkill res", pint(t, ev, "res"), 0)
	ev = r.one(t, event.SyscallTgkillX, byInt(t, "tid", pid))
	eq(t, "tgkill pid", pint(t, ev, "pid"), pid)

	// The helper's own exit: status 0, and it had no children left.
	ex = procexitOf(t, r, pid)
	eq(t, "helper exit status", pint(t, ex, "status"), 0)
	eq(t, "helper reaper", pint(t, ex, "reaper_tid"), 0)
}

func TestVfork(t *testing.T) {
	// dash runs the first command with vfork + execve.
	r := runHelper(t, 0, "sh", "/bin/true; exit 0")
	var parent *event.Event
	for _, ev := range r.of(event.SyscallVforkV20X, r.pid) {
		if pint(t, ev, "res") > 0 {
			parent = ev
		}
	}
	if parent == nil {
		t.Fatal("no vfork event from the shell")
	}
	eq(t, "vfork flags", puint(t, parent, "flags"), pCL_VM|pCL_VFORK)
	child := pint(t, parent, "res")
	cev := r.of(event.SyscallVforkV20X, int(child))
	if len(cev) != 1 {
		t.Fatalf("%d vfork events from the child %d, want 1", len(cev), child)
	}
	eq(t, "child vfork res", pint(t, cev[0], "res"), 0)
	eq(t, "child vfork ptid", pint(t, cev[0], "ptid"), int64(r.pid))
	ex := r.of(event.SyscallExecveV19X, int(child))
	if len(ex) != 1 || pstr(t, ex[0], "filename") != "/bin/true" {
		t.Fatalf("child %d: want one execve of /bin/true, got %d execve events", child, len(ex))
	}
	eq(t, "child execve ptid", pint(t, ex[0], "ptid"), int64(r.pid))
}

func TestProcexitStatus(t *testing.T) {
	r := runHelper(t, 5, "exit", "5")
	ex := procexitOf(t, r, int64(r.pid))
	eq(t, "status", pint(t, ex, "status"), 5<<8)
	eq(t, "ret", pint(t, ex, "ret"), 5)
	eq(t, "core", puint(t, ex, "core"), 0)
}

// threadOfSelf reports whether tid is a thread of this test process.
func threadOfSelf(tid int64) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
	return err == nil
}

func TestExecve(t *testing.T) {
	bin := "/bin/echo"
	real, err := filepath.EvalSymlinks(bin)
	if err != nil {
		t.Skip(err)
	}
	var st unix.Stat_t
	if err := unix.Stat(bin, &st); err != nil {
		t.Fatal(err)
	}
	r := runHelper(t, 0, "exec", bin, "hello", "saker world")
	pid := int64(r.pid)

	// The failed attempt: everything from the arguments.
	ev := r.one(t, event.SyscallExecveV19X, byInt(t, "res", -int64(unix.ENOENT)))
	eq(t, "failed exe", pstr(t, ev, "exe"), "ghost")
	eq(t, "failed args", strings.Join(plist(t, ev, "args"), "|"), "--flag")
	eq(t, "failed env", strings.Join(plist(t, ev, "env"), "|"), "A=1")
	eq(t, "failed filename", pstr(t, ev, "filename"), "/nonexistent/ghost")

	ev = r.one(t, event.SyscallExecveV19X, byStr(t, "filename", bin))
	eq(t, "res", pint(t, ev, "res"), 0)
	eq(t, "exe", pstr(t, ev, "exe"), bin)
	eq(t, "args", strings.Join(plist(t, ev, "args"), "|"), "hello|saker world")
	eq(t, "tid/pid", [2]int64{pint(t, ev, "tid"), pint(t, ev, "pid")}, [2]int64{pid, pid})
	if ptid := pint(t, ev, "ptid"); !threadOfSelf(ptid) {
		t.Errorf("ptid %d is not a thread of the test process %d", ptid, os.Getpid())
	}
	wd, _ := os.Getwd()
	wd, _ = filepath.EvalSymlinks(wd)
	eq(t, "cwd", pstr(t, ev, "cwd"), wd) // the helper runs in the test's directory
	var rl unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
	eq(t, "fdlimit", puint(t, ev, "fdlimit"), rl.Cur)
	eq(t, "comm", pstr(t, ev, "comm"), "echo")
	eq(t, "env", strings.Join(plist(t, ev, "env"), "|"), "SAKER_TEST=exec")
	eq(t, "filename", pstr(t, ev, "filename"), bin)
	eq(t, "trusted_exepath", pstr(t, ev, "trusted_exepath"), real)
	eq(t, "exe_ino", puint(t, ev, "exe_ino"), st.Ino)
	eq(t, "exe_ino_mtime", puint(t, ev, "exe_ino_mtime"), uint64(st.Mtim.Nano()))
	eq(t, "exe_ino_ctime", puint(t, ev, "exe_ino_ctime"), uint64(st.Ctim.Nano()))
	eq(t, "uid", puint(t, ev, "uid"), uint64(os.Geteuid()))
	eq(t, "gid", puint(t, ev, "gid"), uint64(os.Getegid()))
	pgid, _ := unix.Getpgid(0)
	eq(t, "pgid", pint(t, ev, "pgid"), int64(pgid)) // the helper inherits our process group
	eq(t, "vpgid", pint(t, ev, "vpgid"), int64(pgid))
	if b, err := os.ReadFile("/proc/self/loginuid"); err == nil {
		n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
		eq(t, "loginuid", puint(t, ev, "loginuid"), n)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var caps [2]unix.CapUserData
	unix.Capget(&hdr, &caps[0])
	eq(t, "cap_effective", puint(t, ev, "cap_effective"), uint64(caps[1].Effective)<<32|uint64(caps[0].Effective))
	if os.Geteuid() == 0 && puint(t, ev, "flags")&pEXE_WRITABLE == 0 {
		t.Errorf("flags %#x: root can write %s, want EXE_WRITABLE", puint(t, ev, "flags"), real)
	}
	// cgroups: one entry per controller, the same paths as /proc/<pid>/cgroup shows for us.
	got := plist(t, ev, "cgroups")
	for _, want := range selfCgroups(t) {
		if !slices.Contains(got, want) {
			t.Errorf("cgroups %q lacks %q", got, want)
		}
	}
}

// selfCgroups returns "controller=path" for the v1 controllers of this
// process that the kernel names like /proc shows them (memory, pids, cpu).
func selfCgroups(t testing.TB) []string {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "memory" || c == "pids" || c == "cpu" {
				out = append(out, c+"="+parts[2])
			}
		}
	}
	return out
}

func TestExecveatFromMemfd(t *testing.T) {
	r := runHelper(t, 0, "exec-memfd", "/bin/true")
	ev := r.one(t, event.SyscallExecveatX, byInt(t, "res", 0))
	eq(t, "exe", pstr(t, ev, "exe"), "memfd-prog")
	if f := puint(t, ev, "flags"); f&pEXE_FROM_MEMFD == 0 {
		t.Errorf("flags %#x lack EXE_FROM_MEMFD", f)
	}
	if p := pstr(t, ev, "trusted_exepath"); !strings.Contains(p, "memfd:saker-exe") {
		t.Errorf("trusted_exepath %q does not name the memfd", p)
	}
	eq(t, "params", ev.NumParams(), 30)
}

func TestContainerCgroup(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root to create a cgroup")
	}
	base := "/sys/fs/cgroup/pids"
	if _, err := os.Stat(filepath.Join(base, "cgroup.procs")); err != nil {
		base = "/sys/fs/cgroup/unified"
		if _, err := os.Stat(filepath.Join(base, "cgroup.procs")); err != nil {
			t.Skip("no writable cgroup hierarchy")
		}
	}
	id := strings.Repeat("0123456789abcdef", 4)
	parent := filepath.Join(base, fmt.Sprintf("saker-test-%d", os.Getpid()))
	dir := filepath.Join(parent, "docker-"+id+".scope")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Remove(dir)
		os.Remove(parent)
	})
	r := runHelper(t, 0, "cgroup-exec", dir, "/bin/true")
	ev := r.one(t, event.SyscallExecveV19X, byStr(t, "filename", "/bin/true"))
	rel := strings.TrimPrefix(dir, base)
	found := false
	for _, e := range plist(t, ev, "cgroups") {
		if strings.HasSuffix(e, "="+rel) {
			found = true
		}
	}
	if !found {
		t.Errorf("cgroups %q has no entry for %s", plist(t, ev, "cgroups"), rel)
	}
}
