package ebpf

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Helper workloads run in a child process (this test binary re-executed
// with SAKER_EBPF_HELPER=<name>). Each waits for a line on stdin (so the
// test can start watching its pid first), performs its syscalls on the
// main thread — raw syscalls, so exactly those calls happen — prints one
// JSON object of results and returns its exit status.
var helpers = map[string]func(args []string, out map[string]any) int{
	"files-open":   helperOpen,
	"fds":          helperFDs,
	"net":          helperNet,
	"process":      helperProcess,
	"exec":         helperExec,
	"exec-memfd":   helperExecMemfd,
	"ns":           helperNamespaces,
	"creds":        helperCreds,
	"files-meta":   helperFileMeta,
	"openloop":     helperOpenLoop,
	"cgroup-exec":  helperCgroupExec,
	"killloop":     helperKillLoop,
	"spin":         helperSpin,
	"exit":         helperExit,
	"sh":           helperShell,
	"noprivs-open": helperNoPrivsOpen,
}

func runHelperMain(name string, args []string) int {
	f := helpers[name]
	if f == nil {
		fmt.Fprintf(os.Stderr, "unknown helper %q\n", name)
		return 100
	}
	// Drop the test flags ("-test.run=..."); keep our own arguments.
	var own []string
	for _, a := range args {
		if len(a) > 6 && a[:6] == "-test." {
			continue
		}
		own = append(own, a)
	}
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, "helper: no go line:", err)
		return 101
	}
	out := map[string]any{}
	code := f(own, out)
	b, _ := json.Marshal(out)
	os.Stdout.Write(append(b, '\n'))
	return code
}

func cstr(s string) unsafe.Pointer {
	b := append([]byte(s), 0)
	return unsafe.Pointer(&b[0])
}

func raw(nr uintptr, a ...uintptr) (int64, unix.Errno) {
	var args [6]uintptr
	copy(args[:], a)
	r, _, e := unix.Syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
	if e != 0 {
		return -int64(e), e
	}
	return int64(r), 0
}

func must(out map[string]any, key string, v int64, e unix.Errno) int64 {
	out[key] = v
	if e != 0 {
		out[key+"_err"] = e.Error()
	}
	return v
}

// helperOpen: open, openat (created and failing), openat2, creat in dir args[0].
func helperOpen(args []string, out map[string]any) int {
	dir := args[0]
	a := filepath.Join(dir, "a.txt")
	fd, e := raw(unix.SYS_OPEN, uintptr(cstr(a)), unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, 0o640)
	must(out, "open_fd", fd, e)
	var st unix.Stat_t
	unix.Fstat(int(fd), &st)
	out["a_dev"], out["a_ino"] = strconv.FormatUint(st.Dev, 10), strconv.FormatUint(st.Ino, 10)
	unix.Close(int(fd))

	dfd, e := raw(unix.SYS_OPEN, uintptr(cstr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(out, "dir_fd", dfd, e)
	fd, e = raw(unix.SYS_OPENAT, uintptr(dfd), uintptr(cstr("b.txt")), unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
	must(out, "openat_fd", fd, e)
	unix.Close(int(fd))
	fd, e = raw(unix.SYS_OPENAT, uintptr(dfd), uintptr(cstr("missing")), unix.O_RDONLY, 0)
	must(out, "openat_missing", fd, e)

	how := unix.OpenHow{Flags: unix.O_RDONLY, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS}
	fd, e = raw(unix.SYS_OPENAT2, uintptr(dfd), uintptr(cstr("b.txt")), uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how))
	must(out, "openat2_fd", fd, e)
	unix.Close(int(fd))

	fd, e = raw(unix.SYS_CREAT, uintptr(cstr(filepath.Join(dir, "c.txt"))), 0o604)
	must(out, "creat_fd", fd, e)
	unix.Close(int(fd))
	return 0
}

// helperFDs: dup, dup2, dup3, fcntl(F_DUPFD_CLOEXEC), pipe, pipe2, close,
// memfd_create, userfaultfd, io_uring_setup.
func helperFDs(args []string, out map[string]any) int {
	fd, e := raw(unix.SYS_OPEN, uintptr(cstr("/dev/null")), unix.O_RDONLY, 0)
	must(out, "fd", fd, e)
	r, e := raw(unix.SYS_DUP, uintptr(fd))
	must(out, "dup", r, e)
	r, e = raw(unix.SYS_DUP2, uintptr(fd), 100)
	must(out, "dup2", r, e)
	r, e = raw(unix.SYS_DUP3, uintptr(fd), 101, unix.O_CLOEXEC)
	must(out, "dup3", r, e)
	r, e = raw(unix.SYS_FCNTL, uintptr(fd), unix.F_DUPFD_CLOEXEC, 200)
	must(out, "fcntl", r, e)

	var p [2]int32
	r, e = raw(unix.SYS_PIPE, uintptr(unsafe.Pointer(&p[0])))
	must(out, "pipe", r, e)
	out["pipe_fd1"], out["pipe_fd2"] = p[0], p[1]
	var st unix.Stat_t
	unix.Fstat(int(p[0]), &st)
	out["pipe_ino"] = strconv.FormatUint(st.Ino, 10)
	r, e = raw(unix.SYS_PIPE2, uintptr(unsafe.Pointer(&p[0])), unix.O_NONBLOCK|unix.O_CLOEXEC)
	must(out, "pipe2", r, e)
	out["pipe2_fd1"], out["pipe2_fd2"] = p[0], p[1]

	r, e = raw(unix.SYS_CLOSE, 100)
	must(out, "close", r, e)
	r, e = raw(unix.SYS_CLOSE, 9999)
	must(out, "close_bad", r, e)

	r, e = raw(unix.SYS_MEMFD_CREATE, uintptr(cstr("saker-memfd")), unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	must(out, "memfd", r, e)
	r, e = raw(unix.SYS_USERFAULTFD, unix.O_CLOEXEC|unix.O_NONBLOCK)
	must(out, "userfaultfd", r, e)
	var params [120]byte
	r, e = raw(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&params[0])))
	must(out, "io_uring", r, e)
	out["io_uring_sq"] = *(*uint32)(unsafe.Pointer(&params[0]))
	out["io_uring_cq"] = *(*uint32)(unsafe.Pointer(&params[4]))
	return 0
}

func sockaddr4(port uint16) unix.RawSockaddrInet4 {
	sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte{127, 0, 0, 1}}
	sa.Port = port<<8 | port>>8
	return sa
}

func localPort(fd int) int {
	sa, _ := unix.Getsockname(fd)
	if in, ok := sa.(*unix.SockaddrInet4); ok {
		return in.Port
	}
	return -1
}

// helperNet: TCP socket/bind/listen/connect/accept4/sendto/recvfrom, UDP
// sendmsg/recvmsg, a unix socketpair.
func helperNet(args []string, out map[string]any) int {
	srv, e := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	must(out, "srv", srv, e)
	sa := sockaddr4(0)
	r, e := raw(unix.SYS_BIND, uintptr(srv), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
	must(out, "bind", r, e)
	r, e = raw(unix.SYS_LISTEN, uintptr(srv), 5)
	must(out, "listen", r, e)
	sport := localPort(int(srv))
	out["sport"] = sport

	cli, e := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	must(out, "cli", cli, e)
	to := sockaddr4(uint16(sport))
	r, e = raw(unix.SYS_CONNECT, uintptr(cli), uintptr(unsafe.Pointer(&to)), unsafe.Sizeof(to))
	must(out, "connect", r, e)
	out["cport"] = localPort(int(cli))

	acc, e := raw(unix.SYS_ACCEPT4, uintptr(srv), 0, 0, unix.SOCK_CLOEXEC)
	must(out, "accept4", acc, e)
	msg := []byte("hello saker")
	r, e = raw(unix.SYS_SENDTO, uintptr(cli), uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)), 0, 0, 0)
	must(out, "sendto", r, e)
	buf := make([]byte, 64)
	r, e = raw(unix.SYS_RECVFROM, uintptr(acc), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
	must(out, "recvfrom", r, e)

	// UDP: sendmsg with an explicit destination, recvmsg with the source.
	u1, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	u2, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	any4 := sockaddr4(0)
	raw(unix.SYS_BIND, uintptr(u1), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	raw(unix.SYS_BIND, uintptr(u2), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	out["u1"], out["u2"] = u1, u2
	out["u1port"], out["u2port"] = localPort(int(u1)), localPort(int(u2))
	dst := sockaddr4(uint16(localPort(int(u1))))
	data := []byte("udp-data")
	iov := unix.Iovec{Base: &data[0], Len: uint64(len(data))}
	hdr := unix.Msghdr{Name: (*byte)(unsafe.Pointer(&dst)), Namelen: uint32(unsafe.Sizeof(dst)), Iov: &iov, Iovlen: 1}
	r, e = raw(unix.SYS_SENDMSG, uintptr(u2), uintptr(unsafe.Pointer(&hdr)), 0)
	must(out, "sendmsg", r, e)
	var from unix.RawSockaddrInet4
	rbuf := make([]byte, 64)
	riov := unix.Iovec{Base: &rbuf[0], Len: uint64(len(rbuf))}
	rhdr := unix.Msghdr{Name: (*byte)(unsafe.Pointer(&from)), Namelen: uint32(unsafe.Sizeof(from)), Iov: &riov, Iovlen: 1}
	r, e = raw(unix.SYS_RECVMSG, uintptr(u1), uintptr(unsafe.Pointer(&rhdr)), 0)
	must(out, "recvmsg", r, e)

	// A refused connection: to the port of a socket bound then closed.
	tmp, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	raw(unix.SYS_BIND, uintptr(tmp), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	dead := localPort(int(tmp))
	unix.Close(int(tmp))
	out["deadport"] = dead
	c2, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	out["c2"] = c2
	deadsa := sockaddr4(uint16(dead))
	r, e = raw(unix.SYS_CONNECT, uintptr(c2), uintptr(unsafe.Pointer(&deadsa)), unsafe.Sizeof(deadsa))
	must(out, "refused", r, e)

	var sv [2]int32
	r, e = raw(unix.SYS_SOCKETPAIR, unix.AF_UNIX, unix.SOCK_STREAM, 0, uintptr(unsafe.Pointer(&sv[0])))
	must(out, "socketpair", r, e)
	out["sv0"], out["sv1"] = sv[0], sv[1]
	return 0
}

// helperProcess: fork and clone3 children that exit at once (one with
// status 7, one killed by SIGKILL), and kill/tkill/tgkill of itself with
// signal 0. (vfork cannot be called safely from Go: see helperShell.)
func helperProcess(args []string, out map[string]any) int {
	pid := unix.Getpid()
	r, _, e := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if e == 0 && r == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 7, 0, 0)
	}
	out["fork"] = r
	var ws unix.WaitStatus
	unix.Wait4(int(r), &ws, 0, nil)

	// struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls
	ca := [8]uint64{4: uint64(unix.SIGCHLD)}
	r, _, e = unix.RawSyscall(unix.SYS_CLONE3, uintptr(unsafe.Pointer(&ca)), unsafe.Sizeof(ca), 0)
	if e == 0 && r == 0 {
		self, _, _ := unix.RawSyscall(unix.SYS_GETPID, 0, 0, 0)
		unix.RawSyscall(unix.SYS_KILL, self, uintptr(unix.SIGKILL), 0)
	}
	out["clone3"] = r
	unix.Wait4(int(r), &ws, 0, nil)

	k, e := raw(unix.SYS_KILL, uintptr(pid), 0)
	must(out, "kill", k, e)
	k, e = raw(unix.SYS_TKILL, uintptr(pid), 0)
	must(out, "tkill", k, e)
	k, e = raw(unix.SYS_TGKILL, uintptr(pid), uintptr(pid), 0)
	must(out, "tgkill", k, e)
	return 0
}

// helperExec: a failing execve, then execve of args[0] with args[1:] and a
// one-variable environment (the process becomes that program).
func helperExec(args []string, out map[string]any) int {
	argv := []string{"ghost", "--flag"}
	err := syscall.Exec("/nonexistent/ghost", argv, []string{"A=1"})
	fmt.Fprintln(os.Stderr, "expected failure:", err)
	err = syscall.Exec(args[0], args, []string{"SAKER_TEST=exec"})
	fmt.Fprintln(os.Stderr, "exec:", err)
	return 1
}

// helperExecMemfd: copies args[0] into a memfd and runs it with execveat(fd, "", AT_EMPTY_PATH).
func helperExecMemfd(args []string, out map[string]any) int {
	bin, err := os.ReadFile(args[0])
	if err != nil {
		return 2
	}
	fd, err := unix.MemfdCreate("saker-exe", 0)
	if err != nil {
		return 3
	}
	unix.Write(fd, bin)
	argv := []*byte{(*byte)(cstr("memfd-prog")), nil}
	envp := []*byte{nil}
	_, e := raw(unix.SYS_EXECVEAT, uintptr(fd), uintptr(cstr("")), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envp[0])), unix.AT_EMPTY_PATH)
	fmt.Fprintln(os.Stderr, "execveat:", e)
	return 4
}

// helperNamespaces: unshare a network and a mount namespace, setns back
// into init's network namespace, mount and unmount a tmpfs on args[0] (in
// the private mount namespace), chdir, fchdir, chroot.
func helperNamespaces(args []string, out map[string]any) int {
	r, e := raw(unix.SYS_UNSHARE, unix.CLONE_NEWNET)
	must(out, "unshare", r, e)
	nsfd, e := raw(unix.SYS_OPEN, uintptr(cstr("/proc/1/ns/net")), unix.O_RDONLY, 0)
	must(out, "nsfd", nsfd, e)
	r, e = raw(unix.SYS_SETNS, uintptr(nsfd), unix.CLONE_NEWNET)
	must(out, "setns", r, e)

	r, e = raw(unix.SYS_UNSHARE, unix.CLONE_NEWNS)
	must(out, "unshare_ns", r, e)
	raw(unix.SYS_MOUNT, 0, uintptr(cstr("/")), 0, unix.MS_REC|unix.MS_PRIVATE, 0)
	r, e = raw(unix.SYS_MOUNT, uintptr(cstr("saker-tmpfs")), uintptr(cstr(args[0])), uintptr(cstr("tmpfs")), unix.MS_NOSUID|unix.MS_NODEV, uintptr(cstr("size=1m")))
	must(out, "mount", r, e)
	r, e = raw(unix.SYS_UMOUNT2, uintptr(cstr(args[0])), unix.MNT_DETACH)
	must(out, "umount2", r, e)

	r, e = raw(unix.SYS_CHDIR, uintptr(cstr("/tmp")))
	must(out, "chdir", r, e)
	root, _ := raw(unix.SYS_OPEN, uintptr(cstr("/")), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	out["rootfd"] = root
	r, e = raw(unix.SYS_FCHDIR, uintptr(root))
	must(out, "fchdir", r, e)
	r, e = raw(unix.SYS_CHROOT, uintptr(cstr("/")))
	must(out, "chroot", r, e)
	return 0
}

// helperCreds: setuid/setgid/setresuid/setresgid to what they are (root),
// capset to the current sets, prctl(PR_SET_NAME), ptrace attach/detach of a
// sleeping child, bpf(BPF_MAP_CREATE), init_module and finit_module (no
// module support here: they fail).
func helperCreds(args []string, out map[string]any) int {
	r, e := raw(unix.SYS_SETUID, 0)
	must(out, "setuid", r, e)
	r, e = raw(unix.SYS_SETGID, 0)
	must(out, "setgid", r, e)
	r, e = raw(unix.SYS_SETRESUID, ^uintptr(0), 0, ^uintptr(0))
	must(out, "setresuid", r, e)
	r, e = raw(unix.SYS_SETRESGID, 0, 0, 0)
	must(out, "setresgid", r, e)

	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	unix.Capget(&hdr, &data[0])
	out["cap_eff"] = strconv.FormatUint(uint64(data[1].Effective)<<32|uint64(data[0].Effective), 10)
	r, e = raw(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])))
	must(out, "capset", r, e)

	r, e = raw(unix.SYS_PRCTL, unix.PR_SET_NAME, uintptr(cstr("saker-pr")))
	must(out, "prctl", r, e)

	child, _, _ := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if child == 0 {
		for {
			unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
		}
	}
	out["child"] = child
	r, e = raw(unix.SYS_PTRACE, unix.PTRACE_ATTACH, child, 0, 0)
	must(out, "ptrace_attach", r, e)
	var ws unix.WaitStatus
	unix.Wait4(int(child), &ws, 0, nil)
	r, e = raw(unix.SYS_PTRACE, unix.PTRACE_DETACH, child, 0, 0)
	must(out, "ptrace_detach", r, e)
	unix.Kill(int(child), unix.SIGKILL)
	unix.Wait4(int(child), &ws, 0, nil)

	attr := struct{ typ, key, value, max, flags uint32 }{typ: 2 /* BPF_MAP_TYPE_ARRAY */, key: 4, value: 4, max: 1}
	r, e = raw(unix.SYS_BPF, 0 /* BPF_MAP_CREATE */, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	must(out, "bpf", r, e)

	img := []byte("\x7fELF-not-a-module")
	r, e = raw(unix.SYS_INIT_MODULE, uintptr(unsafe.Pointer(&img[0])), uintptr(len(img)), uintptr(cstr("saker=1")))
	must(out, "init_module", r, e)
	null, _ := raw(unix.SYS_OPEN, uintptr(cstr("/dev/null")), unix.O_RDONLY, 0)
	out["null"] = null
	r, e = raw(unix.SYS_FINIT_MODULE, uintptr(null), uintptr(cstr("saker=2")), 2 /* IGNORE_VERMAGIC */)
	must(out, "finit_module", r, e)
	return 0
}

// helperFileMeta: the directory-entry and metadata calls, in dir args[0].
func helperFileMeta(args []string, out map[string]any) int {
	dir := args[0]
	p := func(n string) uintptr { return uintptr(cstr(filepath.Join(dir, n))) }
	rel := func(n string) uintptr { return uintptr(cstr(n)) }
	dfd, _ := raw(unix.SYS_OPEN, uintptr(cstr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	out["dfd"] = dfd
	steps := []struct {
		key string
		nr  uintptr
		a   []uintptr
	}{
		{"mkdir", unix.SYS_MKDIR, []uintptr{p("d1"), 0o750}},
		{"mkdirat", unix.SYS_MKDIRAT, []uintptr{uintptr(dfd), rel("d2"), 0o700}},
		{"rmdir", unix.SYS_RMDIR, []uintptr{p("d1")}},
		{"unlinkat_dir", unix.SYS_UNLINKAT, []uintptr{uintptr(dfd), rel("d2"), unix.AT_REMOVEDIR}},
		{"creat", unix.SYS_CREAT, []uintptr{p("f1"), 0o644}},
		{"rename", unix.SYS_RENAME, []uintptr{p("f1"), p("f2")}},
		{"renameat", unix.SYS_RENAMEAT, []uintptr{uintptr(dfd), rel("f2"), uintptr(dfd), rel("f3")}},
		{"renameat2", unix.SYS_RENAMEAT2, []uintptr{uintptr(dfd), rel("f3"), uintptr(dfd), rel("f4"), unix.RENAME_NOREPLACE}},
		{"link", unix.SYS_LINK, []uintptr{p("f4"), p("l1")}},
		{"linkat", unix.SYS_LINKAT, []uintptr{uintptr(dfd), rel("f4"), uintptr(dfd), rel("l2"), unix.AT_SYMLINK_FOLLOW}},
		{"symlink", unix.SYS_SYMLINK, []uintptr{rel("f4"), p("s1")}},
		{"symlinkat", unix.SYS_SYMLINKAT, []uintptr{rel("f4"), uintptr(dfd), rel("s2")}},
		{"chmod", unix.SYS_CHMOD, []uintptr{p("f4"), 0o4755}},
		{"fchmodat", unix.SYS_FCHMODAT, []uintptr{uintptr(dfd), rel("f4"), 0o600}},
		{"chown", unix.SYS_CHOWN, []uintptr{p("f4"), 1, 2}},
		{"lchown", unix.SYS_LCHOWN, []uintptr{p("s1"), 3, 4}},
		{"fchownat", unix.SYS_FCHOWNAT, []uintptr{uintptr(dfd), rel("s2"), 5, 6, unix.AT_SYMLINK_NOFOLLOW}},
		{"unlink", unix.SYS_UNLINK, []uintptr{p("l1")}},
		{"unlinkat", unix.SYS_UNLINKAT, []uintptr{uintptr(dfd), rel("l2"), 0}},
	}
	for _, s := range steps {
		r, e := raw(s.nr, s.a...)
		must(out, s.key, r, e)
		if s.key == "creat" {
			unix.Close(int(r))
		}
	}
	fd, _ := raw(unix.SYS_OPEN, p("f4"), unix.O_RDONLY, 0)
	out["f4fd"] = fd
	r, e := raw(unix.SYS_FCHMOD, uintptr(fd), 0o640)
	must(out, "fchmod", r, e)
	r, e = raw(unix.SYS_FCHOWN, uintptr(fd), 7, 8)
	must(out, "fchown", r, e)
	return 0
}

// helperOpenLoop: args[0] times openat("/dev/null") and close, pinned to
// CPU args[1] if given.
func helperOpenLoop(args []string, out map[string]any) int {
	n, _ := strconv.Atoi(args[0])
	if len(args) > 1 {
		pin(args[1])
	}
	start := time.Now()
	path := cstr("/dev/null")
	for i := 0; i < n; i++ {
		fd, _, e := unix.RawSyscall6(unix.SYS_OPENAT, atFDCWD, uintptr(path), unix.O_RDONLY, 0, 0, 0)
		if e != 0 {
			return 2
		}
		unix.RawSyscall(unix.SYS_CLOSE, fd, 0, 0)
	}
	out["n"] = n
	out["ns"] = time.Since(start).Nanoseconds()
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_THREAD, &ru)
	out["cpu_ns"] = ru.Utime.Nano() + ru.Stime.Nano()
	return 0
}

// helperCgroupExec: moves itself into the cgroup directory args[0], then
// executes args[1:].
func helperCgroupExec(args []string, out map[string]any) int {
	if err := os.WriteFile(filepath.Join(args[0], "cgroup.procs"), []byte("0"), 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	err := syscall.Exec(args[1], args[1:], nil)
	fmt.Fprintln(os.Stderr, err)
	return 3
}

// helperKillLoop: for args[0] (a duration), kill(self, 0) every args[1]
// (a duration, busy-waited so the rate is steady) and, every args[2]
// kill calls, runs /bin/true (fork + execve).
func helperKillLoop(args []string, out map[string]any) int {
	d, _ := time.ParseDuration(args[0])
	gap, _ := time.ParseDuration(args[1])
	every, _ := strconv.Atoi(args[2])
	pid := uintptr(unix.Getpid())
	kills, execs := 0, 0
	start := time.Now()
	next := start
	for time.Since(start) < d {
		for time.Now().Before(next) {
		}
		next = next.Add(gap)
		unix.RawSyscall(unix.SYS_KILL, pid, 0, 0)
		kills++
		if every > 0 && kills%every == 0 {
			pa := &syscall.ProcAttr{Files: []uintptr{0, 1, 2}}
			child, err := syscall.ForkExec("/bin/true", []string{"true"}, pa)
			if err == nil {
				var ws syscall.WaitStatus
				syscall.Wait4(child, &ws, 0, nil)
				execs++
			}
		}
	}
	out["kills"], out["execs"] = kills, execs
	return 0
}

// helperSpin: pinned to CPU args[2], args[0] times the raw syscall
// args[1] ("getppid", or "close" for close(-1): EBADF at once), timed.
func helperSpin(args []string, out map[string]any) int {
	n, _ := strconv.Atoi(args[0])
	nr := uintptr(unix.SYS_GETPPID)
	if args[1] == "close" {
		nr = unix.SYS_CLOSE
	}
	pin(args[2])
	var c0, c1 unix.Timespec
	start := time.Now()
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &c0)
	for i := 0; i < n; i++ {
		unix.RawSyscall(nr, ^uintptr(0), 0, 0)
	}
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &c1)
	out["ns"] = time.Since(start).Nanoseconds()
	out["cpu_ns"] = c1.Nano() - c0.Nano()
	return 0
}

// pin binds the calling thread to CPU cpu (a number), if given.
func pin(cpu string) {
	c, err := strconv.Atoi(cpu)
	if err != nil {
		return
	}
	var set unix.CPUSet
	set.Set(c)
	unix.SchedSetaffinity(0, &set)
}

// helperExit: exits with args[0].
func helperExit(args []string, out map[string]any) int {
	n, _ := strconv.Atoi(args[0])
	return n
}

var atFDCWD = func() uintptr { v := int64(unix.AT_FDCWD); return uintptr(v) }()

// helperShell: becomes /bin/sh -c args[0]; dash starts external commands
// with vfork.
func helperShell(args []string, out map[string]any) int {
	err := syscall.Exec("/bin/sh", []string{"sh", "-c", args[0]}, nil)
	fmt.Fprintln(os.Stderr, err)
	return 3
}

// helperNoPrivsOpen drops CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON from the
// main thread (where Open runs: it is locked there) and reports Open's error.
func helperNoPrivsOpen(args []string, out map[string]any) int {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	unix.Capget(&hdr, &data[0])
	data[capSysAdmin/32].Effective &^= 1 << (capSysAdmin % 32)
	data[capBPF/32].Effective &^= 1 << (capBPF % 32)
	data[capPerfmon/32].Effective &^= 1 << (capPerfmon % 32)
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		out["error"] = "capset: " + err.Error()
		return 0
	}
	p, err := Open(Config{Syscalls: []string{"openat"}})
	if err == nil {
		p.Close()
		out["error"] = ""
		return 0
	}
	var le *LoadError
	out["load_error"] = errors.As(err, &le)
	out["error"] = err.Error()
	return 0
}
