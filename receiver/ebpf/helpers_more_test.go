package ebpf

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/ebpf/internal/rawclone"
)

// More helper workloads (see helpers_test.go): the syscalls added for the
// ways around the default rules, generic syscalls, clone3 threads,
// overlayfs layers and working directories.
func init() {
	workloads.Add("evasion", helperEvasion)
	workloads.Add("generic", helperGeneric)
	workloads.Add("clone3", helperClone3)
	workloads.Add("overlay", helperOverlay)
	workloads.Add("cwd", helperCwd)
	workloads.Add("forkexec", helperForkExec)
}

// helperEvasion, in dir args[0]: setreuid, setregid, process_vm_readv and
// process_vm_writev on itself, open_by_handle_at, fsopen + fsconfig
// (a good and a bad key, CMD_CREATE), mknod (a FIFO), mknodat (a character
// device), pidfd_open and pidfd_getfd of its own stdin.
func helperEvasion(args []string, out map[string]any) int {
	dir := args[0]
	r, e := childtest.Raw(unix.SYS_SETREUID, ^uintptr(0), 0)
	childtest.Must(out, "setreuid", r, e)
	r, e = childtest.Raw(unix.SYS_SETREGID, 0, 0)
	childtest.Must(out, "setregid", r, e)

	pid := uintptr(unix.Getpid())
	src := []byte("saker-vm-source")
	dst := make([]byte, 64)
	local := unix.Iovec{Base: &dst[0], Len: uint64(len(dst))}
	remote := unix.Iovec{Base: &src[0], Len: uint64(len(src))}
	r, e = childtest.Raw(unix.SYS_PROCESS_VM_READV, pid, uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0)
	childtest.Must(out, "vm_readv", r, e)
	wsrc := []byte("saker-vm-written")
	wdst := make([]byte, 64)
	local = unix.Iovec{Base: &wsrc[0], Len: uint64(len(wsrc))}
	remote = unix.Iovec{Base: &wdst[0], Len: uint64(len(wdst))}
	r, e = childtest.Raw(unix.SYS_PROCESS_VM_WRITEV, pid, uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0)
	childtest.Must(out, "vm_writev", r, e)

	file := filepath.Join(dir, "handle.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, file, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "name_to_handle_at:", err)
		return 3
	}
	mfd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	childtest.Must(out, "mount_fd", mfd, e)
	// struct file_handle: u32 handle_bytes, s32 handle_type, bytes.
	fh := make([]byte, 8+h.Size())
	*(*uint32)(unsafe.Pointer(&fh[0])) = uint32(h.Size())
	*(*int32)(unsafe.Pointer(&fh[4])) = int32(h.Type())
	copy(fh[8:], h.Bytes())
	r, e = childtest.Raw(unix.SYS_OPEN_BY_HANDLE_AT, uintptr(mfd), uintptr(unsafe.Pointer(&fh[0])), unix.O_RDONLY|unix.O_CLOEXEC)
	childtest.Must(out, "by_handle", r, e)
	var st unix.Stat_t
	unix.Fstat(int(r), &st)
	out["handle_ino"] = strconv.FormatUint(st.Ino, 10)
	out["handle_dev"] = strconv.FormatUint(st.Dev, 10)

	fsfd, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fsopen:", err)
		return 4
	}
	out["fsfd"] = fsfd
	r, e = childtest.Raw(unix.SYS_FSCONFIG, uintptr(fsfd), unix.FSCONFIG_SET_STRING, uintptr(childtest.CStr("size")), uintptr(childtest.CStr("1m")), 0)
	childtest.Must(out, "fsconfig_size", r, e)
	r, e = childtest.Raw(unix.SYS_FSCONFIG, uintptr(fsfd), unix.FSCONFIG_SET_STRING, uintptr(childtest.CStr("saker-nonesuch")), uintptr(childtest.CStr("x")), 0)
	childtest.Must(out, "fsconfig_bad", r, e)
	r, e = childtest.Raw(unix.SYS_FSCONFIG, uintptr(fsfd), unix.FSCONFIG_CMD_CREATE, 0, 0, 0)
	childtest.Must(out, "fsconfig_create", r, e)

	r, e = childtest.Raw(unix.SYS_MKNOD, uintptr(childtest.CStr(filepath.Join(dir, "fifo"))), unix.S_IFIFO|0o640, 0)
	childtest.Must(out, "mknod", r, e)
	dfd, _ := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	out["dfd"] = dfd
	r, e = childtest.Raw(unix.SYS_MKNODAT, uintptr(dfd), uintptr(childtest.CStr("null")), unix.S_IFCHR|0o600, uintptr(unix.Mkdev(1, 3)))
	childtest.Must(out, "mknodat", r, e)

	pfd, e := childtest.Raw(unix.SYS_PIDFD_OPEN, pid, unix.PIDFD_NONBLOCK)
	childtest.Must(out, "pidfd_open", pfd, e)
	r, e = childtest.Raw(unix.SYS_PIDFD_GETFD, uintptr(pfd), 0, 0)
	childtest.Must(out, "pidfd_getfd", r, e)
	return 0
}

// helperGeneric, in dir args[0]: syscalls without an event type of their
// own — truncate, ftruncate, setfsuid, setfsgid, fchmodat2,
// pidfd_send_signal (signal 0 to itself), fsopen and fsmount of a tmpfs.
func helperGeneric(args []string, out map[string]any) int {
	file := filepath.Join(args[0], "g.txt")
	if err := os.WriteFile(file, []byte("0123456789abcdef"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	r, e := childtest.Raw(unix.SYS_TRUNCATE, uintptr(childtest.CStr(file)), 10)
	childtest.Must(out, "truncate", r, e)
	fd, _ := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(file)), unix.O_RDWR, 0)
	r, e = childtest.Raw(unix.SYS_FTRUNCATE, uintptr(fd), 5)
	childtest.Must(out, "ftruncate", r, e)
	r, e = childtest.Raw(unix.SYS_SETFSUID, 0)
	childtest.Must(out, "setfsuid", r, e)
	r, e = childtest.Raw(unix.SYS_SETFSGID, 0)
	childtest.Must(out, "setfsgid", r, e)
	r, e = childtest.Raw(unix.SYS_FCHMODAT2, childtest.AtFDCWD, uintptr(childtest.CStr(file)), 0o600, 0)
	childtest.Must(out, "fchmodat2", r, e)
	var st unix.Stat_t
	unix.Stat(file, &st)
	out["mode"] = st.Mode & 0o7777
	pfd, _ := childtest.Raw(unix.SYS_PIDFD_OPEN, uintptr(unix.Getpid()), 0)
	r, e = childtest.Raw(unix.SYS_PIDFD_SEND_SIGNAL, uintptr(pfd), 0, 0, 0)
	childtest.Must(out, "pidfd_send_signal", r, e)
	fsfd, e := childtest.Raw(unix.SYS_FSOPEN, uintptr(childtest.CStr("tmpfs")), unix.FSOPEN_CLOEXEC)
	childtest.Must(out, "fsopen", fsfd, e)
	childtest.Raw(unix.SYS_FSCONFIG, uintptr(fsfd), unix.FSCONFIG_CMD_CREATE, 0, 0, 0)
	r, e = childtest.Raw(unix.SYS_FSMOUNT, uintptr(fsfd), unix.FSMOUNT_CLOEXEC, 0)
	childtest.Must(out, "fsmount", r, e)
	return 0
}

// clone_args flags of the thread helperClone3 creates.
const clone3ThreadFlags = unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND | unix.CLONE_THREAD |
	unix.CLONE_SYSVSEM | unix.CLONE_VFORK | unix.CLONE_CHILD_SETTID | unix.CLONE_CHILD_CLEARTID

// helperClone3: a thread made with clone3 (it exits at once, see
// internal/rawclone), and a process in new UTS and IPC namespaces.
func helperClone3(args []string, out map[string]any) int {
	var ctid int32
	tid, errno := rawclone.Thread(&rawclone.Args{Flags: clone3ThreadFlags, ChildTid: uint64(uintptr(unsafe.Pointer(&ctid)))})
	out["thread"] = tid
	if errno != 0 {
		out["thread_err"] = unix.Errno(errno).Error()
	}

	// struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls
	ca := [8]uint64{0: unix.CLONE_NEWUTS | unix.CLONE_NEWIPC, 4: uint64(unix.SIGCHLD)}
	r, _, e := unix.RawSyscall(unix.SYS_CLONE3, uintptr(unsafe.Pointer(&ca)), unsafe.Sizeof(ca), 0)
	if e == 0 && r == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	out["process"] = r
	if e != 0 {
		out["process_err"] = e.Error()
	}
	var ws unix.WaitStatus
	unix.Wait4(int(r), &ws, 0, nil)
	return 0
}

// helperOverlay: in a private mount namespace, mounts an overlay of
// args[0]/lower and args[0]/upper on args[0]/merged, then runs
// merged/lower-true (a lower-layer binary), merged/upper-true (an
// upper-layer one) and args[1] (not on an overlay), opens a lower file,
// an upper file and a lower file for writing (copied up), and creat()s a
// new file in the merged directory.
func helperOverlay(args []string, out map[string]any) int {
	dir := args[0]
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		fmt.Fprintln(os.Stderr, "unshare:", err)
		return 2
	}
	unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, "")
	merged := filepath.Join(dir, "merged")
	opts := fmt.Sprintf("lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work", dir, dir, dir)
	if err := unix.Mount("overlay", merged, "overlay", 0, opts); err != nil {
		fmt.Fprintln(os.Stderr, "mount overlay:", err)
		return 3
	}
	for _, bin := range []string{filepath.Join(merged, "lower-true"), filepath.Join(merged, "upper-true"), args[1]} {
		pid, err := syscall.ForkExec(bin, []string{bin}, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}})
		if err != nil {
			fmt.Fprintln(os.Stderr, bin, err)
			return 4
		}
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
	}
	m := func(n string) uintptr { return uintptr(childtest.CStr(filepath.Join(merged, n))) }
	r, e := childtest.Raw(unix.SYS_OPEN, m("lower.txt"), unix.O_RDONLY, 0)
	childtest.Must(out, "open_lower", r, e)
	r, e = childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, m("upper.txt"), unix.O_RDONLY, 0)
	childtest.Must(out, "open_upper", r, e)
	r, e = childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, m("copied.txt"), unix.O_WRONLY, 0)
	childtest.Must(out, "open_copied", r, e)
	r, e = childtest.Raw(unix.SYS_CREAT, m("new.txt"), 0o644)
	childtest.Must(out, "creat_new", r, e)
	r, e = childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(args[1])), unix.O_RDONLY, 0)
	childtest.Must(out, "open_plain", r, e)
	return 0
}

// helperCwd: chdir to args[0], fork (the child exits at once), then
// chroot to args[0], chdir to /sub, fork again.
func helperCwd(args []string, out map[string]any) int {
	r, e := childtest.Raw(unix.SYS_CHDIR, uintptr(childtest.CStr(args[0])))
	childtest.Must(out, "chdir", r, e)
	childtest.ForkExit(out, "fork_plain", 0)
	r, e = childtest.Raw(unix.SYS_CHROOT, uintptr(childtest.CStr(args[0])))
	childtest.Must(out, "chroot", r, e)
	r, e = childtest.Raw(unix.SYS_CHDIR, uintptr(childtest.CStr("/sub")))
	childtest.Must(out, "chdir_sub", r, e)
	childtest.ForkExit(out, "fork_chroot", 0)
	return 0
}

// helperForkExec: in directory args[0], args[1] raw forks whose children
// exit at once, then args[2] runs of args[3] (Go's clone + execve).
func helperForkExec(args []string, out map[string]any) int {
	if err := unix.Chdir(args[0]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	forks, _ := strconv.Atoi(args[1])
	execs, _ := strconv.Atoi(args[2])
	var ws unix.WaitStatus
	for i := 0; i < forks; i++ {
		r, _, e := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
		if e == 0 && r == 0 {
			unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
		}
		unix.Wait4(int(r), &ws, 0, nil)
	}
	for i := 0; i < execs; i++ {
		pid, err := syscall.ForkExec(args[3], []string{args[3]}, &syscall.ProcAttr{Files: []uintptr{0, 1, 2}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		unix.Wait4(pid, &ws, 0, nil)
	}
	out["forks"], out["execs"] = forks, execs
	return 0
}
