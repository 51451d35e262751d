package ebpf

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/bpf"
	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

// The syscalls the default rules' author listed as ways around them, each
// with every parameter of its exit event.
func TestEvasionSyscalls(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root for open_by_handle_at, fsopen and mknod of a device")
	}
	dir := t.TempDir()
	r := runHelper(t, 0, "evasion", dir)
	pid := int64(r.pid)

	ev := r.one(t, event.SyscallSetreuidX, nil)
	eq(t, "setreuid", [3]int64{pint(t, ev, "res"), int64(puint(t, ev, "ruid")), int64(puint(t, ev, "euid"))}, [3]int64{r.ok(t, "setreuid"), 0xffffffff, 0})
	ev = r.one(t, event.SyscallSetregidX, nil)
	eq(t, "setregid", [3]int64{pint(t, ev, "res"), int64(puint(t, ev, "rgid")), int64(puint(t, ev, "egid"))}, [3]int64{r.ok(t, "setregid"), 0, 0})

	ev = r.one(t, event.SyscallProcessVmReadvX, nil)
	eq(t, "process_vm_readv res", pint(t, ev, "res"), r.ok(t, "vm_readv"))
	eq(t, "process_vm_readv res is the source length", pint(t, ev, "res"), int64(len("saker-vm-source")))
	eq(t, "process_vm_readv pid", pint(t, ev, "pid"), pid)
	eqBytes(t, "process_vm_readv data", pbytes(t, ev, "data"), []byte("saker-vm-source"))
	ev = r.one(t, event.SyscallProcessVmWritevX, nil)
	eq(t, "process_vm_writev res", pint(t, ev, "res"), r.ok(t, "vm_writev"))
	eq(t, "process_vm_writev pid", pint(t, ev, "pid"), pid)
	eqBytes(t, "process_vm_writev data", pbytes(t, ev, "data"), []byte("saker-vm-written"))

	ev = r.one(t, event.SyscallOpenByHandleAtX, nil)
	eq(t, "open_by_handle_at fd", pint(t, ev, "fd"), r.ok(t, "by_handle"))
	eq(t, "open_by_handle_at mountfd", pint(t, ev, "mountfd"), r.ok(t, "mount_fd"))
	eq(t, "open_by_handle_at flags", puint(t, ev, "flags"), pO_RDONLY|pO_CLOEXEC)
	real, _ := filepath.EvalSymlinks(filepath.Join(dir, "handle.txt"))
	eq(t, "open_by_handle_at path", pstr(t, ev, "path"), real)
	eq(t, "open_by_handle_at ino", puint(t, ev, "ino"), uint64(r.num(t, "handle_ino")))
	eq(t, "open_by_handle_at dev", puint(t, ev, "dev"), uint64(uint32(r.num(t, "handle_dev"))))

	fsfd := r.num(t, "fsfd")
	ev = r.one(t, event.SyscallFsconfigX, byStr(t, "key", "size"))
	eq(t, "fsconfig res", pint(t, ev, "res"), r.ok(t, "fsconfig_size"))
	eq(t, "fsconfig fd", pint(t, ev, "fd"), fsfd)
	eq(t, "fsconfig cmd", puint(t, ev, "cmd"), unix.FSCONFIG_SET_STRING)
	eq(t, "fsconfig value_charbuf", pstr(t, ev, "value_charbuf"), "1m")
	pempty(t, ev, "value_bytebuf")
	eq(t, "fsconfig aux", pint(t, ev, "aux"), 0)
	ev = r.one(t, event.SyscallFsconfigX, byInt(t, "res", r.num(t, "fsconfig_bad")))
	if pint(t, ev, "res") >= 0 {
		t.Errorf("fsconfig of an unknown key succeeded")
	}
	pempty(t, ev, "key") // a failed call carries no key or value, as libs writes it
	pempty(t, ev, "value_charbuf")
	ev = r.one(t, event.SyscallFsconfigX, func(ev *event.Event) bool { return puint(t, ev, "cmd") == unix.FSCONFIG_CMD_CREATE })
	eq(t, "fsconfig create res", pint(t, ev, "res"), r.ok(t, "fsconfig_create"))
	pempty(t, ev, "value_charbuf")

	ev = r.one(t, event.SyscallMknodX, nil)
	eq(t, "mknod res", pint(t, ev, "res"), r.ok(t, "mknod"))
	eq(t, "mknod path", pstr(t, ev, "path"), filepath.Join(dir, "fifo"))
	eq(t, "mknod mode", puint(t, ev, "mode"), unix.S_IFIFO|0o640)
	eq(t, "mknod dev", puint(t, ev, "dev"), 0)
	ev = r.one(t, event.SyscallMknodatX, nil)
	eq(t, "mknodat res", pint(t, ev, "res"), r.ok(t, "mknodat"))
	eq(t, "mknodat dirfd", pint(t, ev, "dirfd"), r.num(t, "dfd"))
	eq(t, "mknodat path", pstr(t, ev, "path"), "null")
	eq(t, "mknodat mode", puint(t, ev, "mode"), unix.S_IFCHR|0o600)
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(dir, "null"), &st); err != nil {
		t.Fatal(err)
	}
	eq(t, "mknodat dev is st_rdev", puint(t, ev, "dev"), st.Rdev)

	ev = r.one(t, event.SyscallPidfdOpenX, nil)
	eq(t, "pidfd_open fd", pint(t, ev, "fd"), r.ok(t, "pidfd_open"))
	eq(t, "pidfd_open pid", pint(t, ev, "pid"), pid)
	eq(t, "pidfd_open flags", puint(t, ev, "flags"), 1) // PPM PIDFD_NONBLOCK
	ev = r.one(t, event.SyscallPidfdGetfdX, nil)
	eq(t, "pidfd_getfd fd", pint(t, ev, "fd"), r.ok(t, "pidfd_getfd"))
	eq(t, "pidfd_getfd pid_fd", pint(t, ev, "pid_fd"), r.num(t, "pidfd_open"))
	eq(t, "pidfd_getfd target_fd", pint(t, ev, "target_fd"), 0)
	eq(t, "pidfd_getfd flags", puint(t, ev, "flags"), 0)
}

// Syscalls without an event type of their own arrive as PPME_GENERIC_X
// with their PPM_SC code and x86_64 number, when they are in the set.
func TestGenericEvents(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root for fsopen")
	}
	r := runHelper(t, 0, "generic", t.TempDir())
	eq(t, "fchmodat2 took effect", r.num(t, "mode"), 0o600)
	got := map[uint64]int{}
	for _, ev := range r.of(event.GenericX, r.pid) {
		id, _ := ev.Uint(0)
		nr, ok := ev.Uint(1)
		if !ok {
			t.Fatal("a generic event without nativeID")
		}
		g, known := genericByNr(nr)
		if !known {
			t.Errorf("generic event for syscall %d, which has a program of its own", nr)
			continue
		}
		eq(t, g.Name+" ID", id, uint64(g.PPMSC))
		got[nr]++
	}
	for _, name := range testGeneric {
		g, _ := bpf.GenericSyscallByName(name)
		if got[uint64(g.Nr)] != 1 {
			t.Errorf("%s: %d generic events from the helper, want 1", name, got[uint64(g.Nr)])
		}
		if v := r.num(t, name); v < 0 {
			t.Errorf("%s failed in the helper: %v", name, r.result[name+"_err"])
		}
	}
	// Generic syscalls outside the set are not written: getpid is generic
	// and the Go runtime calls it, but the shared probe does not trace it.
	if n := got[unix.SYS_GETPID]; n != 0 {
		t.Errorf("%d getpid events, not in the set", n)
	}
}

func genericByNr(nr uint64) (bpf.GenericSyscall, bool) {
	for _, g := range bpf.GenericSyscalls() {
		if uint64(g.Nr) == nr {
			return g, true
		}
	}
	return bpf.GenericSyscall{}, false
}

// The child's side of clone3 takes its flags from its own task (the
// creator's clone_args are in memory a new thread shares): a thread shows
// what it shares with its process, a process the namespaces it does not
// share with its parent.
func TestClone3ChildFlags(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root for new namespaces")
	}
	r := runHelper(t, 0, "clone3")
	thread := r.num(t, "thread")
	if thread <= 0 {
		t.Fatalf("clone3 of a thread failed: %v", r.result["thread_err"])
	}
	ev := r.one(t, event.SyscallClone3X, byInt(t, "res", thread))
	eq(t, "thread clone3 flags (parent, from clone_args)", puint(t, ev, "flags"),
		pCL_VM|pCL_FS|pCL_FILES|pCL_SIGHAND|pCL_THREAD|pCL_SYSVSEM|pCL_VFORK|pCL_CHILD_SETTID|pCL_CHILD_CLEARTID)
	cev := r.of(event.SyscallClone3X, int(thread))
	if len(cev) != 1 {
		t.Fatalf("%d clone3 events from the new thread, want 1", len(cev))
	}
	eq(t, "thread res", pint(t, cev[0], "res"), 0)
	eq(t, "thread tid/pid", [2]int64{pint(t, cev[0], "tid"), pint(t, cev[0], "pid")}, [2]int64{thread, int64(r.pid)})
	eq(t, "thread clone3 flags (child, from its task)", puint(t, cev[0], "flags"),
		pCL_VM|pCL_FS|pCL_FILES|pCL_SIGHAND|pCL_THREAD|pCL_SYSVSEM|pCL_VFORK|pCL_CHILD_SETTID|pCL_CHILD_CLEARTID)

	proc := r.num(t, "process")
	if proc <= 0 {
		t.Fatalf("clone3 of a process failed: %v", r.result["process_err"])
	}
	ev = r.one(t, event.SyscallClone3X, byInt(t, "res", proc))
	eq(t, "process clone3 flags (parent)", puint(t, ev, "flags"), pCL_NEWUTS|pCL_NEWIPC)
	cev = r.of(event.SyscallClone3X, int(proc))
	if len(cev) != 1 {
		t.Fatalf("%d clone3 events from the new process, want 1", len(cev))
	}
	eq(t, "process clone3 flags (child)", puint(t, cev[0], "flags"), pCL_NEWUTS|pCL_NEWIPC)
	eq(t, "process tid/pid/ptid", [3]int64{pint(t, cev[0], "tid"), pint(t, cev[0], "pid"), pint(t, cev[0], "ptid")}, [3]int64{proc, proc, int64(r.pid)})
}

// copyFile copies src to dst with mode 0755.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// Executables and files on an overlay mount carry the layer they come
// from: EXE_UPPER_LAYER / EXE_LOWER_LAYER in execve flags (what
// proc.is_exe_upper_layer reads: a binary added to a container), and
// FD_UPPER_LAYER / FD_LOWER_LAYER in open flags and creat_flags.
func TestOverlayLayers(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root to mount an overlay")
	}
	trueBin, err := exec.LookPath("true")
	if err != nil {
		childtest.SkipOrFail(t, "no true binary: %v", err)
	}
	trueBin, _ = filepath.EvalSymlinks(trueBin)
	dir := t.TempDir()
	for _, d := range []string{"lower", "upper", "work", "merged"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, trueBin, filepath.Join(dir, "lower", "lower-true"))
	copyFile(t, trueBin, filepath.Join(dir, "upper", "upper-true"))
	for f, layer := range map[string]string{"lower.txt": "lower", "copied.txt": "lower", "upper.txt": "upper"} {
		if err := os.WriteFile(filepath.Join(dir, layer, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runHelper(t, 0, "overlay", dir, trueBin)
	merged := filepath.Join(dir, "merged")

	execOf := func(path string) *event.Event {
		t.Helper()
		var got []*event.Event
		for _, ev := range r.of(event.SyscallExecveV19X, 0) {
			if pstr(t, ev, "filename") == path && pint(t, ev, "res") == 0 {
				got = append(got, ev)
			}
		}
		if len(got) != 1 {
			t.Fatalf("%d successful execve events of %s, want 1", len(got), path)
		}
		return got[0]
	}
	layers := uint64(pEXE_UPPER_LAYER | pEXE_LOWER_LAYER)
	eq(t, "lower binary layer", puint(t, execOf(filepath.Join(merged, "lower-true")), "flags")&layers, pEXE_LOWER_LAYER)
	eq(t, "upper binary layer", puint(t, execOf(filepath.Join(merged, "upper-true")), "flags")&layers, pEXE_UPPER_LAYER)
	eq(t, "plain binary layer", puint(t, execOf(trueBin), "flags")&layers, 0)
	if p := pstr(t, execOf(filepath.Join(merged, "upper-true")), "trusted_exepath"); p != filepath.Join(merged, "upper-true") {
		t.Errorf("trusted_exepath %q, want the merged path", p)
	}

	fdLayers := uint64(pFD_UPPER_LAYER | pFD_LOWER_LAYER)
	ev := r.one(t, event.SyscallOpenX, byStr(t, "name", filepath.Join(merged, "lower.txt")))
	eq(t, "open lower fd", pint(t, ev, "fd"), r.num(t, "open_lower"))
	eq(t, "open lower flags", puint(t, ev, "flags"), pO_RDONLY|pFD_LOWER_LAYER)
	ev = r.one(t, event.SyscallOpenatV2X, byStr(t, "name", filepath.Join(merged, "upper.txt")))
	eq(t, "openat upper flags", puint(t, ev, "flags")&fdLayers, pFD_UPPER_LAYER)
	ev = r.one(t, event.SyscallOpenatV2X, byStr(t, "name", filepath.Join(merged, "copied.txt")))
	eq(t, "openat for writing copies up", puint(t, ev, "flags"), pO_WRONLY|pFD_UPPER_LAYER)
	ev = r.one(t, event.SyscallCreatX, byStr(t, "name", filepath.Join(merged, "new.txt")))
	eq(t, "creat fd", pint(t, ev, "fd"), r.num(t, "creat_new"))
	eq(t, "creat_flags", puint(t, ev, "creat_flags"), 1) // PPM FD_UPPER_LAYER_CREAT
	ev = r.one(t, event.SyscallOpenX, byStr(t, "name", trueBin))
	eq(t, "open outside the overlay", puint(t, ev, "flags")&fdLayers, 0)
}

// cwd in clone and execve events is the working directory as the process
// sees it: relative to its root after a chroot.
func TestCwd(t *testing.T) {
	if os.Geteuid() != 0 {
		childtest.SkipOrFail(t, "needs root to chroot")
	}
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runHelper(t, 0, "cwd", dir)
	for key, want := range map[string]string{"fork_plain": dir, "fork_chroot": "/sub"} {
		child := r.num(t, key)
		for _, ev := range []*event.Event{r.one(t, event.SyscallForkV20X, byInt(t, "res", child))} {
			eq(t, key+" parent cwd", pstr(t, ev, "cwd"), want)
		}
		cev := r.of(event.SyscallForkV20X, int(child))
		if len(cev) != 1 {
			t.Fatalf("%s: %d fork events from child %d", key, len(cev), child)
		}
		eq(t, key+" child cwd", pstr(t, cev[0], "cwd"), want)
	}
}
