package livetest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Workloads run in a child (this test binary re-executed with
// SAKER_LIVETEST_HELPER=<name>). Each waits for a line on stdin (so the
// test watches its pid first), performs raw system calls on the main
// thread — exactly those calls, nothing the Go runtime adds — prints one
// JSON object of results and returns its exit status.
var helpers = map[string]func(args []string, out map[string]any) int{
	"files":       helperFiles,
	"fds":         helperFDs,
	"net":         helperNet,
	"exec":        helperExec,
	"exec-memfd":  helperExecMemfd,
	"exec-tty":    helperExecTTY,
	"process":     helperProcess,
	"netns":       helperNetns,
	"mountns":     helperMountns,
	"creds":       helperCreds,
	"kernel":      helperKernel,
	"meta":        helperMeta,
	"cgroup-exec": helperCgroupExec,
	"triggers":    helperTriggers,
}

// noWaitEnv set tells a helper that executed itself again not to wait for
// the go line a second time.
const noWaitEnv = "SAKER_LIVETEST_NOWAIT"

func runHelperMain(name string, args []string) int {
	f := helpers[name]
	if f == nil {
		fmt.Fprintf(os.Stderr, "unknown helper %q\n", name)
		return 100
	}
	if os.Getenv(noWaitEnv) == "" {
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			fmt.Fprintln(os.Stderr, "helper: no go line:", err)
			return 101
		}
	}
	out := map[string]any{}
	code := f(args, out)
	b, _ := json.Marshal(out)
	os.Stdout.Write(append(b, '\n'))
	return code
}

// cstr returns a NUL-terminated copy of s. The Go heap does not move, and
// the pointer is kept alive by the uintptr conversion in the call
// expression (raw's arguments), as unix.Syscall documents.
func cstr(s string) unsafe.Pointer {
	b := append([]byte(s), 0)
	return unsafe.Pointer(&b[0])
}

// raw performs a system call and returns its result, negative errno on
// failure, as the event's res parameter shows it.
func raw(nr uintptr, a ...uintptr) (int64, unix.Errno) {
	var args [6]uintptr
	copy(args[:], a)
	r, _, e := unix.Syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
	if e != 0 {
		return -int64(e), e
	}
	return int64(r), 0
}

// must records a result under key (and its error text under key_err).
func must(out map[string]any, key string, v int64, e unix.Errno) int64 {
	out[key] = v
	if e != 0 {
		out[key+"_err"] = e.Error()
	}
	return v
}

var atFDCWD = func() uintptr { v := int64(unix.AT_FDCWD); return uintptr(v) }()

// helperFiles: the open family in directory args[0] and close.
func helperFiles(args []string, out map[string]any) int {
	dir := args[0]
	w := filepath.Join(dir, "w.txt")
	fd, e := raw(unix.SYS_OPENAT, atFDCWD, uintptr(cstr(w)), unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, 0o640)
	must(out, "w_fd", fd, e)
	r, e := raw(unix.SYS_CLOSE, uintptr(fd))
	must(out, "close", r, e)

	fd, e = raw(unix.SYS_OPEN, uintptr(cstr(w)), unix.O_RDONLY, 0)
	must(out, "r_fd", fd, e)

	dfd, e := raw(unix.SYS_OPEN, uintptr(cstr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(out, "dir_fd", dfd, e)
	fd, e = raw(unix.SYS_OPENAT, uintptr(dfd), uintptr(cstr("x.sh")), unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o755)
	must(out, "x_fd", fd, e)
	fd, e = raw(unix.SYS_OPENAT, uintptr(dfd), uintptr(cstr("missing")), unix.O_RDONLY, 0)
	must(out, "missing", fd, e)

	how := unix.OpenHow{Flags: unix.O_RDONLY, Resolve: unix.RESOLVE_BENEATH}
	fd, e = raw(unix.SYS_OPENAT2, uintptr(dfd), uintptr(cstr("w.txt")), uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how))
	must(out, "openat2_fd", fd, e)

	fd, e = raw(unix.SYS_CREAT, uintptr(cstr(filepath.Join(dir, "c.txt"))), 0o604)
	must(out, "creat_fd", fd, e)
	return 0
}

// helperFDs: dup, dup2, dup3, fcntl(F_DUPFD_CLOEXEC), close of a dup, pipe,
// pipe2, memfd_create, userfaultfd, io_uring_setup.
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
	// The dup2 copy outlives the original: close the original first.
	r, e = raw(unix.SYS_CLOSE, uintptr(fd))
	must(out, "close_orig", r, e)
	r, e = raw(unix.SYS_CLOSE, 100)
	must(out, "close_dup2", r, e)
	r, e = raw(unix.SYS_CLOSE, 9999)
	must(out, "close_bad", r, e)

	var p [2]int32
	r, e = raw(unix.SYS_PIPE, uintptr(unsafe.Pointer(&p[0])))
	must(out, "pipe", r, e)
	out["pipe_r"], out["pipe_w"] = p[0], p[1]
	var st unix.Stat_t
	unix.Fstat(int(p[0]), &st)
	out["pipe_ino"] = strconv.FormatUint(st.Ino, 10)
	r, e = raw(unix.SYS_PIPE2, uintptr(unsafe.Pointer(&p[0])), unix.O_NONBLOCK|unix.O_CLOEXEC)
	must(out, "pipe2", r, e)
	out["pipe2_r"], out["pipe2_w"] = p[0], p[1]

	r, e = raw(unix.SYS_MEMFD_CREATE, uintptr(cstr("saker-memfd")), unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	must(out, "memfd", r, e)
	r, e = raw(unix.SYS_USERFAULTFD, unix.O_CLOEXEC|unix.O_NONBLOCK)
	must(out, "userfaultfd", r, e)
	var params [120]byte
	r, e = raw(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&params[0])))
	must(out, "io_uring", r, e)
	return 0
}

func sockaddr4(port uint16) unix.RawSockaddrInet4 {
	sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte{127, 0, 0, 1}}
	sa.Port = port<<8 | port>>8
	return sa
}

func sockaddr6(port uint16) unix.RawSockaddrInet6 {
	sa := unix.RawSockaddrInet6{Family: unix.AF_INET6}
	sa.Addr[15] = 1 // ::1
	sa.Port = port<<8 | port>>8
	return sa
}

func localPort(fd int) int {
	sa, _ := unix.Getsockname(fd)
	switch in := sa.(type) {
	case *unix.SockaddrInet4:
		return in.Port
	case *unix.SockaddrInet6:
		return in.Port
	}
	return -1
}

// tcpPair makes a listener on 127.0.0.1 (or ::1 when v6), connects to it
// and accepts with accept4, recording fds and ports under prefix.
func tcpPair(out map[string]any, prefix string, v6 bool) (srv, cli, acc int64) {
	fam := uintptr(unix.AF_INET)
	if v6 {
		fam = unix.AF_INET6
	}
	srv, e := raw(unix.SYS_SOCKET, fam, unix.SOCK_STREAM, 0)
	must(out, prefix+"srv", srv, e)
	var r int64
	if v6 {
		sa := sockaddr6(0)
		r, e = raw(unix.SYS_BIND, uintptr(srv), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
	} else {
		sa := sockaddr4(0)
		r, e = raw(unix.SYS_BIND, uintptr(srv), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
	}
	must(out, prefix+"bind", r, e)
	r, e = raw(unix.SYS_LISTEN, uintptr(srv), 5)
	must(out, prefix+"listen", r, e)
	sport := localPort(int(srv))
	out[prefix+"sport"] = sport
	cli, e = raw(unix.SYS_SOCKET, fam, unix.SOCK_STREAM, 0)
	must(out, prefix+"cli", cli, e)
	if v6 {
		to := sockaddr6(uint16(sport))
		r, e = raw(unix.SYS_CONNECT, uintptr(cli), uintptr(unsafe.Pointer(&to)), unsafe.Sizeof(to))
	} else {
		to := sockaddr4(uint16(sport))
		r, e = raw(unix.SYS_CONNECT, uintptr(cli), uintptr(unsafe.Pointer(&to)), unsafe.Sizeof(to))
	}
	must(out, prefix+"connect", r, e)
	out[prefix+"cport"] = localPort(int(cli))
	acc, e = raw(unix.SYS_ACCEPT4, uintptr(srv), 0, 0, unix.SOCK_CLOEXEC)
	must(out, prefix+"accept4", acc, e)
	return srv, cli, acc
}

// helperNet: TCP over IPv4 (socket, bind, listen, connect, accept4,
// accept, sendto, recvfrom) and IPv6, UDP sendmsg/recvmsg, a refused
// connect, a unix socketpair.
func helperNet(args []string, out map[string]any) int {
	srv, cli, acc := tcpPair(out, "", false)
	msg := []byte("hello saker")
	r, e := raw(unix.SYS_SENDTO, uintptr(cli), uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)), 0, 0, 0)
	must(out, "sendto", r, e)
	buf := make([]byte, 64)
	r, e = raw(unix.SYS_RECVFROM, uintptr(acc), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
	must(out, "recvfrom", r, e)

	// A second client, taken with plain accept.
	cli2, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	out["cli2"] = cli2
	to := sockaddr4(uint16(localPort(int(srv))))
	raw(unix.SYS_CONNECT, uintptr(cli2), uintptr(unsafe.Pointer(&to)), unsafe.Sizeof(to))
	out["cport2"] = localPort(int(cli2))
	r, e = raw(unix.SYS_ACCEPT, uintptr(srv), 0, 0)
	must(out, "accept", r, e)

	tcpPair(out, "v6", true)

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

	// An unbound UDP socket sending to u1: the state follows its peer.
	u3, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	out["u3"] = u3
	r, e = raw(unix.SYS_SENDTO, uintptr(u3), uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), 0, uintptr(unsafe.Pointer(&dst)), unsafe.Sizeof(dst))
	must(out, "sendto_udp", r, e)
	out["u3port"] = localPort(int(u3))

	// A refused connection: to the port of a socket bound then closed.
	tmp, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	raw(unix.SYS_BIND, uintptr(tmp), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	dead := localPort(int(tmp))
	unix.Close(int(tmp))
	out["deadport"] = dead
	c3, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	out["c3"] = c3
	deadsa := sockaddr4(uint16(dead))
	r, e = raw(unix.SYS_CONNECT, uintptr(c3), uintptr(unsafe.Pointer(&deadsa)), unsafe.Sizeof(deadsa))
	must(out, "refused", r, e)

	var sv [2]int32
	r, e = raw(unix.SYS_SOCKETPAIR, unix.AF_UNIX, unix.SOCK_STREAM, 0, uintptr(unsafe.Pointer(&sv[0])))
	must(out, "socketpair", r, e)
	out["sv0"], out["sv1"] = sv[0], sv[1]
	return 0
}

// helperExec: a failing execve, then execve of /bin/sh running args[0]
// (the process becomes the shell, whose commands are its children).
func helperExec(args []string, out map[string]any) int {
	err := syscall.Exec("/nonexistent/ghost", []string{"ghost", "--flag"}, []string{"A=1"})
	fmt.Fprintln(os.Stderr, "expected failure:", err)
	err = syscall.Exec("/bin/sh", []string{"sh", "-c", args[0]}, []string{"SAKER_TEST=exec"})
	fmt.Fprintln(os.Stderr, "exec:", err)
	return 1
}

// helperExecMemfd: copies args[0] into a memfd and runs it with
// execveat(fd, "", AT_EMPTY_PATH).
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

// helperExecTTY: becomes a session leader with a new pseudo-terminal as
// its controlling terminal, reports the terminal's number as
// /proc/self/stat shows it (tty_nr), then executes args.
func helperExecTTY(args []string, out map[string]any) int {
	// The master stays open across the exec (no O_CLOEXEC): closing it
	// would hang up the terminal and SIGHUP the new program.
	ptm, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	n, err := unix.IoctlGetInt(ptm, unix.TIOCGPTN)
	if err != nil {
		return 3
	}
	if err := unix.IoctlSetPointerInt(ptm, unix.TIOCSPTLCK, 0); err != nil {
		return 4
	}
	if _, err := unix.Setsid(); err != nil {
		fmt.Fprintln(os.Stderr, "setsid:", err)
		return 5
	}
	pts, err := unix.Open("/dev/pts/"+strconv.Itoa(n), unix.O_RDWR, 0)
	if err != nil {
		return 6
	}
	if err := unix.IoctlSetInt(pts, unix.TIOCSCTTY, 0); err != nil {
		fmt.Fprintln(os.Stderr, "TIOCSCTTY:", err)
		return 7
	}
	stat, _ := os.ReadFile("/proc/self/stat")
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	out["tty_nr"] = f[4] // state, ppid, pgrp, session, tty_nr
	out["pts"] = "/dev/pts/" + strconv.Itoa(n)
	b, _ := json.Marshal(out)
	os.Stdout.Write(append(b, '\n'))
	err = syscall.Exec(args[0], args, nil)
	fmt.Fprintln(os.Stderr, "exec:", err)
	return 8
}

// helperProcess: fork, clone and clone3 children (exiting with status 7,
// 9 and by SIGKILL), kill(SIGKILL) of a paused child (an uncatchable
// signal: the Go signal handler a forked child inherits would catch and
// re-raise another), tkill and tgkill of itself with signal 0, then
// threads (tids under "threads").
func helperProcess(args []string, out map[string]any) int {
	pid := unix.Getpid()
	var ws unix.WaitStatus
	r, _, e := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if e == 0 && r == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 7, 0, 0)
	}
	out["fork"] = r
	unix.Wait4(int(r), &ws, 0, nil)

	// clone(SIGCHLD, no stack): a fork by another name.
	r, _, e = unix.RawSyscall6(unix.SYS_CLONE, uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0)
	if e == 0 && r == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 9, 0, 0)
	}
	out["clone"] = r
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

	r, _, e = unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if e == 0 && r == 0 {
		for {
			unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
		}
	}
	out["paused"] = r
	k, e := raw(unix.SYS_KILL, r, uintptr(unix.SIGKILL))
	must(out, "kill", k, e)
	unix.Wait4(int(r), &ws, 0, nil)

	k, e = raw(unix.SYS_TKILL, uintptr(pid), 0)
	must(out, "tkill", k, e)
	k, e = raw(unix.SYS_TGKILL, uintptr(pid), uintptr(pid), 0)
	must(out, "tgkill", k, e)

	// Threads: goroutines locked to their OS threads and blocked at the
	// same time need threads of their own, more than the runtime starts
	// with; each thread ends when its locked goroutine returns.
	const n = 8
	var p [2]int
	unix.Pipe2(p[:], unix.O_CLOEXEC)
	tids := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			tids <- unix.Gettid()
			var b [1]byte
			unix.Read(p[0], b[:])
		}()
	}
	var all []int
	for i := 0; i < n; i++ {
		all = append(all, <-tids)
	}
	unix.Close(p[1])
	wg.Wait()
	out["threads"] = all
	return 0
}

// helperNetns: unshare(CLONE_NEWNET), brings the new namespace's loopback
// up, makes a TCP connection inside it, then setns back into the original
// network namespace through an fd opened on it before.
func helperNetns(args []string, out map[string]any) int {
	var before unix.Stat_t
	unix.Stat("/proc/self/ns/net", &before)
	nsfd, e := raw(unix.SYS_OPEN, uintptr(cstr("/proc/self/ns/net")), unix.O_RDONLY, 0)
	must(out, "nsfd", nsfd, e)
	r, e := raw(unix.SYS_UNSHARE, unix.CLONE_NEWNET)
	must(out, "unshare", r, e)
	var after unix.Stat_t
	unix.Stat("/proc/self/ns/net", &after)
	out["new_netns"] = before.Ino != after.Ino
	if err := loopbackUp(); err != nil {
		out["lo_err"] = err.Error()
	}
	tcpPair(out, "ns", false)
	r, e = raw(unix.SYS_SETNS, uintptr(nsfd), unix.CLONE_NEWNET)
	must(out, "setns", r, e)
	var back unix.Stat_t
	unix.Stat("/proc/self/ns/net", &back)
	out["back_in_netns"] = back.Ino == before.Ino
	return 0
}

// loopbackUp sets IFF_UP on "lo" in the current network namespace.
func loopbackUp() error {
	s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(s)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(s, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(s, unix.SIOCSIFFLAGS, ifr)
}

// helperMountns: in a private mount namespace, mounts a tmpfs on args[0]
// and unmounts it; then chdir, fchdir and chroot.
func helperMountns(args []string, out map[string]any) int {
	r, e := raw(unix.SYS_UNSHARE, unix.CLONE_NEWNS)
	must(out, "unshare", r, e)
	raw(unix.SYS_MOUNT, 0, uintptr(cstr("/")), 0, unix.MS_REC|unix.MS_PRIVATE, 0)
	r, e = raw(unix.SYS_MOUNT, uintptr(cstr("saker-tmpfs")), uintptr(cstr(args[0])), uintptr(cstr("tmpfs")), unix.MS_NOSUID|unix.MS_NODEV, uintptr(cstr("size=1m")))
	must(out, "mount", r, e)
	r, e = raw(unix.SYS_UMOUNT2, uintptr(cstr(args[0])), unix.MNT_DETACH)
	must(out, "umount2", r, e)

	r, e = raw(unix.SYS_CHDIR, uintptr(cstr(args[1])))
	must(out, "chdir", r, e)
	root, _ := raw(unix.SYS_OPEN, uintptr(cstr("/")), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	out["rootfd"] = root
	r, e = raw(unix.SYS_FCHDIR, uintptr(root))
	must(out, "fchdir", r, e)
	r, e = raw(unix.SYS_CHROOT, uintptr(cstr("/")))
	must(out, "chroot", r, e)
	return 0
}

// helperCreds: setuid and setgid to what they are (root), capset
// dropping CAP_SYS_MODULE and prctl(PR_SET_NAME) in the helper; then a
// child drops to uid/gid args[0] with setresgid, setgid, setuid,
// setresuid and opens /dev/null as that user.
func helperCreds(args []string, out map[string]any) int {
	r, e := raw(unix.SYS_SETUID, 0)
	must(out, "setuid", r, e)
	r, e = raw(unix.SYS_SETGID, 0)
	must(out, "setgid", r, e)

	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	unix.Capget(&hdr, &data[0])
	out["cap_eff"] = strconv.FormatUint(uint64(data[1].Effective)<<32|uint64(data[0].Effective), 10)
	// Drop CAP_SYS_MODULE (16) from the effective set.
	data[0].Effective &^= 1 << 16
	out["cap_eff_after"] = strconv.FormatUint(uint64(data[1].Effective)<<32|uint64(data[0].Effective), 10)
	r, e = raw(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])))
	must(out, "capset", r, e)

	r, e = raw(unix.SYS_PRCTL, unix.PR_SET_NAME, uintptr(cstr("saker-pr")))
	must(out, "prctl", r, e)

	id, _ := strconv.Atoi(args[0])
	path := cstr("/dev/null")
	child, _, _ := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if child == 0 {
		u := uintptr(id)
		keep := ^uintptr(0)
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, keep, u, keep); e != 0 {
			unix.RawSyscall(unix.SYS_EXIT_GROUP, 10, 0, 0)
		}
		if _, _, e := unix.RawSyscall(unix.SYS_SETGID, u, 0, 0); e != 0 {
			unix.RawSyscall(unix.SYS_EXIT_GROUP, 11, 0, 0)
		}
		// As root, setuid sets every uid; then setresuid to the same
		// effective uid is allowed.
		if _, _, e := unix.RawSyscall(unix.SYS_SETUID, u, 0, 0); e != 0 {
			unix.RawSyscall(unix.SYS_EXIT_GROUP, 12, 0, 0)
		}
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, keep, u, keep); e != 0 {
			unix.RawSyscall(unix.SYS_EXIT_GROUP, 13, 0, 0)
		}
		unix.RawSyscall6(unix.SYS_OPENAT, atFDCWD, uintptr(path), unix.O_RDONLY, 0, 0, 0)
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	out["child"] = child
	var ws unix.WaitStatus
	unix.Wait4(int(child), &ws, 0, nil)
	out["child_status"] = ws.ExitStatus()
	return 0
}

// helperKernel: ptrace attach/detach of a paused child, bpf(BPF_MAP_CREATE),
// init_module and finit_module (no module is loaded: they fail).
func helperKernel(args []string, out map[string]any) int {
	child, _, _ := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if child == 0 {
		for {
			unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
		}
	}
	out["child"] = child
	r, e := raw(unix.SYS_PTRACE, unix.PTRACE_ATTACH, child, 0, 0)
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
	r, e = raw(unix.SYS_FINIT_MODULE, uintptr(null), uintptr(cstr("saker=2")), 2 /* MODULE_INIT_IGNORE_VERMAGIC */)
	must(out, "finit_module", r, e)
	return 0
}

// helperMeta: the directory-entry and metadata calls, in directory args[0].
func helperMeta(args []string, out map[string]any) int {
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
		{"symlink", unix.SYS_SYMLINK, []uintptr{uintptr(cstr("/etc/shadow")), p("s1")}},
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

// helperCgroupExec: opens /dev/null (an event from the host), moves
// itself into the cgroup directory args[0], then executes args[1:].
func helperCgroupExec(args []string, out map[string]any) int {
	fd, e := raw(unix.SYS_OPEN, uintptr(cstr("/dev/null")), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	must(out, "null", fd, e)
	if err := os.WriteFile(filepath.Join(args[0], "cgroup.procs"), []byte("0"), 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	err := syscall.Exec(args[1], args[1:], nil)
	fmt.Fprintln(os.Stderr, err)
	return 3
}

// trigger performs one system call named by its evt.type in directory dir.
type trigger func(dir string, out map[string]any) (int64, unix.Errno)

// triggers produce an event of each name (an evt.type) from the calling
// process or a child it waits for. TestHeadStableEventTypesLive fails for a
// name the rules reference that has no entry here. Where a HEAD stable
// rule watches the call, the trigger does what the rule looks for, without
// harm: a read-only open of /etc/shadow, a hard link from /etc/shadow that
// fails, symlinks to it in dir, standard input replaced by a socket, a
// program run from a memfd.
var triggers = map[string]trigger{
	"open": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return raw(unix.SYS_OPEN, uintptr(cstr("/etc/shadow")), unix.O_RDONLY, 0)
	},
	"openat": func(dir string, _ map[string]any) (int64, unix.Errno) {
		// fd.name /etc/passwd, fd.nameraw with ../ in it
		return raw(unix.SYS_OPENAT, atFDCWD, uintptr(cstr(dir+"/../../../../../../../etc/passwd")), unix.O_RDONLY, 0)
	},
	"openat2": func(dir string, _ map[string]any) (int64, unix.Errno) {
		how := unix.OpenHow{Flags: unix.O_RDONLY}
		return raw(unix.SYS_OPENAT2, atFDCWD, uintptr(cstr("/etc/hostname")), uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how))
	},
	"creat": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return raw(unix.SYS_CREAT, uintptr(cstr(filepath.Join(dir, "creat"))), 0o600)
	},
	"connect": func(dir string, out map[string]any) (int64, unix.Errno) {
		return connectedSocket(out), 0
	},
	"sendto": func(dir string, out map[string]any) (int64, unix.Errno) {
		u, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
		dst := sockaddr4(9) // discard: nobody listens, UDP does not care
		msg := []byte("x")
		return raw(unix.SYS_SENDTO, uintptr(u), uintptr(unsafe.Pointer(&msg[0])), 1, 0, uintptr(unsafe.Pointer(&dst)), unsafe.Sizeof(dst))
	},
	"sendmsg": func(dir string, out map[string]any) (int64, unix.Errno) {
		u, _ := raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
		dst := sockaddr4(9)
		data := []byte("x")
		iov := unix.Iovec{Base: &data[0], Len: 1}
		hdr := unix.Msghdr{Name: (*byte)(unsafe.Pointer(&dst)), Namelen: uint32(unsafe.Sizeof(dst)), Iov: &iov, Iovlen: 1}
		return raw(unix.SYS_SENDMSG, uintptr(u), uintptr(unsafe.Pointer(&hdr)), 0)
	},
	"socket": func(dir string, out map[string]any) (int64, unix.Errno) {
		return raw(unix.SYS_SOCKET, unix.AF_PACKET, unix.SOCK_RAW, uintptr(htons(unix.ETH_P_ALL)))
	},
	"dup": func(dir string, _ map[string]any) (int64, unix.Errno) { return raw(unix.SYS_DUP, 1) },
	"dup2": func(dir string, out map[string]any) (int64, unix.Errno) {
		return raw(unix.SYS_DUP2, uintptr(connectedSocket(out)), 0)
	},
	"dup3": func(dir string, out map[string]any) (int64, unix.Errno) {
		return raw(unix.SYS_DUP3, uintptr(connectedSocket(out)), 0, unix.O_CLOEXEC)
	},
	"execve": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return forkExec(unix.SYS_EXECVE, atFDCWD, "/bin/true", 0)
	},
	"execveat": func(dir string, out map[string]any) (int64, unix.Errno) {
		bin, err := os.ReadFile("/bin/true")
		if err != nil {
			return -1, unix.ENOENT
		}
		fd, err := unix.MemfdCreate("saker-trigger", unix.MFD_CLOEXEC)
		if err != nil {
			return -1, err.(unix.Errno)
		}
		defer unix.Close(fd)
		unix.Write(fd, bin)
		return forkExec(unix.SYS_EXECVEAT, uintptr(fd), "", unix.AT_EMPTY_PATH)
	},
	"init_module": func(dir string, _ map[string]any) (int64, unix.Errno) {
		img := []byte("\x7fELF")
		return raw(unix.SYS_INIT_MODULE, uintptr(unsafe.Pointer(&img[0])), uintptr(len(img)), uintptr(cstr("")))
	},
	"finit_module": func(dir string, _ map[string]any) (int64, unix.Errno) {
		null, _ := raw(unix.SYS_OPEN, uintptr(cstr("/dev/null")), unix.O_RDONLY, 0)
		return raw(unix.SYS_FINIT_MODULE, uintptr(null), uintptr(cstr("")), 0)
	},
	"link": func(dir string, _ map[string]any) (int64, unix.Errno) {
		// fails (no such directory) after naming /etc/shadow
		return raw(unix.SYS_LINK, uintptr(cstr("/etc/shadow")), uintptr(cstr(filepath.Join(dir, "missing", "link"))))
	},
	"linkat": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return raw(unix.SYS_LINKAT, atFDCWD, uintptr(cstr("/etc/shadow")), atFDCWD, uintptr(cstr(filepath.Join(dir, "missing", "linkat"))), 0)
	},
	"symlink": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return raw(unix.SYS_SYMLINK, uintptr(cstr("/etc/shadow")), uintptr(cstr(filepath.Join(dir, "symlink"))))
	},
	"symlinkat": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return raw(unix.SYS_SYMLINKAT, uintptr(cstr("/etc/shadow")), atFDCWD, uintptr(cstr(filepath.Join(dir, "symlinkat"))))
	},
	"ptrace": func(dir string, out map[string]any) (int64, unix.Errno) {
		// A child asks to be traced and exits ...
		child, _, _ := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
		if child == 0 {
			unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_TRACEME, 0, 0, 0, 0, 0)
			unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
		}
		var ws unix.WaitStatus
		unix.Wait4(int(child), &ws, 0, nil)
		// ... another is attached to.
		child, _, _ = unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
		if child == 0 {
			for {
				unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
			}
		}
		r, e := raw(unix.SYS_PTRACE, unix.PTRACE_ATTACH, child, 0, 0)
		unix.Wait4(int(child), &ws, 0, nil)
		unix.Kill(int(child), unix.SIGKILL)
		unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_DETACH, child, 0, 0, 0, 0)
		unix.Wait4(int(child), &ws, 0, nil)
		return r, e
	},
}

// connectedSocket returns a TCP socket connected over loopback, made at
// the first call.
func connectedSocket(out map[string]any) int64 {
	if c, ok := out["connected_socket"].(int64); ok {
		return c
	}
	_, cli, _ := tcpPair(out, "trigger_", false)
	out["connected_socket"] = cli
	return cli
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// forkExec runs path (relative to dirfd for execveat) in a forked child
// with raw system calls only (the forked child of a Go program may not
// allocate), waits for it and returns the child's pid, or the errno of
// the exec as the child's exit status.
func forkExec(nr, dirfd uintptr, path string, flags uintptr) (int64, unix.Errno) {
	p := cstr(path)
	argv := []*byte{(*byte)(cstr("true")), nil}
	envp := []*byte{nil}
	child, _, e := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if e != 0 {
		return -int64(e), e
	}
	if child == 0 {
		var e unix.Errno
		if nr == unix.SYS_EXECVE {
			_, _, e = unix.RawSyscall(unix.SYS_EXECVE, uintptr(p), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envp[0])))
		} else {
			_, _, e = unix.RawSyscall6(unix.SYS_EXECVEAT, dirfd, uintptr(p), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envp[0])), flags, 0)
		}
		unix.RawSyscall(unix.SYS_EXIT_GROUP, uintptr(e), 0, 0)
	}
	var ws unix.WaitStatus
	unix.Wait4(int(child), &ws, 0, nil)
	if ws.ExitStatus() != 0 {
		return -int64(ws.ExitStatus()), unix.Errno(ws.ExitStatus())
	}
	return int64(child), 0
}

// helperTriggers: args[0] is a directory, args[1] a cgroup directory to
// move into first ("-": stay), args[2:] evt.type names; each is triggered
// in order. Names without a trigger are reported under "no_trigger".
//
// A process's cgroups reach the state with its clone and execve events
// (as in libs), so after moving into the cgroup the helper executes
// itself again, without waiting for a go line, to be seen in it.
func helperTriggers(args []string, out map[string]any) int {
	dir := args[0]
	if args[1] != "-" {
		if err := os.WriteFile(filepath.Join(args[1], "cgroup.procs"), []byte("0"), 0); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		argv := append([]string{os.Args[0], dir, "-"}, args[2:]...)
		err := syscall.Exec(os.Args[0], argv, append(os.Environ(), noWaitEnv+"=1"))
		fmt.Fprintln(os.Stderr, "re-exec:", err)
		return 3
	}
	var missing []string
	for _, name := range args[2:] {
		f := triggers[name]
		if f == nil {
			missing = append(missing, name)
			continue
		}
		r, e := f(dir, out)
		must(out, name, r, e)
	}
	sort.Strings(missing)
	out["no_trigger"] = strings.Join(missing, ",")
	return 0
}
