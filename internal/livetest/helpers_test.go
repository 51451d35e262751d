package livetest

import (
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

	"github.com/sakersec/saker/internal/childtest"
)

// Workloads run in a child: this test binary re-executed with
// SAKER_LIVETEST_HELPER=<name> (the child protocol of internal/childtest).
// Each performs raw system calls on the main thread — exactly those calls,
// nothing the Go runtime adds — and prints one JSON object of results.
var workloads = childtest.NewSet("SAKER_LIVETEST_HELPER", "SAKER_LIVETEST_NOWAIT", map[string]childtest.Func{
	"files":       helperFiles,
	"fds":         helperFDs,
	"net":         helperNet,
	"exec":        helperExec,
	"exec-memfd":  childtest.ExecMemfd,
	"exec-tty":    helperExecTTY,
	"process":     helperProcess,
	"netns":       helperNetns,
	"mountns":     helperMountns,
	"creds":       helperCreds,
	"kernel":      helperKernel,
	"meta":        helperMeta,
	"cgroup-exec": helperCgroupExec,
})

// triggers refers to workloads (a second stage): it cannot be in the
// Set's initializer.
func init() { workloads.Add("triggers", helperTriggers) }

// helperFiles: the open family in directory args[0] and close.
func helperFiles(args []string, out map[string]any) int {
	dir := args[0]
	w := filepath.Join(dir, "w.txt")
	fd, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(w)), unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, 0o640)
	childtest.Must(out, "w_fd", fd, e)
	r, e := childtest.Raw(unix.SYS_CLOSE, uintptr(fd))
	childtest.Must(out, "close", r, e)

	fd, e = childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(w)), unix.O_RDONLY, 0)
	childtest.Must(out, "r_fd", fd, e)

	dfd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	childtest.Must(out, "dir_fd", dfd, e)
	fd, e = childtest.Raw(unix.SYS_OPENAT, uintptr(dfd), uintptr(childtest.CStr("x.sh")), unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o755)
	childtest.Must(out, "x_fd", fd, e)
	fd, e = childtest.Raw(unix.SYS_OPENAT, uintptr(dfd), uintptr(childtest.CStr("missing")), unix.O_RDONLY, 0)
	childtest.Must(out, "missing", fd, e)

	how := unix.OpenHow{Flags: unix.O_RDONLY, Resolve: unix.RESOLVE_BENEATH}
	fd, e = childtest.Raw(unix.SYS_OPENAT2, uintptr(dfd), uintptr(childtest.CStr("w.txt")), uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how))
	childtest.Must(out, "openat2_fd", fd, e)

	fd, e = childtest.Raw(unix.SYS_CREAT, uintptr(childtest.CStr(filepath.Join(dir, "c.txt"))), 0o604)
	childtest.Must(out, "creat_fd", fd, e)
	return 0
}

// helperFDs: dup, dup2, dup3, fcntl(F_DUPFD_CLOEXEC), close of a dup, pipe,
// pipe2, memfd_create, userfaultfd, io_uring_setup.
func helperFDs(args []string, out map[string]any) int {
	fd := childtest.DupCalls(out)
	// The dup2 copy outlives the original: close the original first.
	r, e := childtest.Raw(unix.SYS_CLOSE, uintptr(fd))
	childtest.Must(out, "close_orig", r, e)
	r, e = childtest.Raw(unix.SYS_CLOSE, 100)
	childtest.Must(out, "close_dup2", r, e)
	r, e = childtest.Raw(unix.SYS_CLOSE, 9999)
	childtest.Must(out, "close_bad", r, e)
	childtest.Pipes(out)
	childtest.AnonFDs(out)
	return 0
}

// helperNet: TCP over IPv4 (socket, bind, listen, connect, accept4,
// accept, sendto, recvfrom) and IPv6, UDP sendmsg/recvmsg, a refused
// connect, a unix socketpair.
func helperNet(args []string, out map[string]any) int {
	srv, cli, acc := childtest.TCPPair(out, "", false, 0)
	childtest.SendRecv(out, cli, acc)

	// A second client, taken with plain accept.
	cli2, _ := childtest.Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	out["cli2"] = cli2
	to := childtest.Sockaddr4(uint16(childtest.LocalPort(int(srv))))
	childtest.Raw(unix.SYS_CONNECT, uintptr(cli2), uintptr(unsafe.Pointer(&to)), unsafe.Sizeof(to))
	out["cport2"] = childtest.LocalPort(int(cli2))
	r, e := childtest.Raw(unix.SYS_ACCEPT, uintptr(srv), 0, 0)
	childtest.Must(out, "accept", r, e)

	childtest.TCPPair(out, "v6", true, 0)

	dst := childtest.UDPExchange(out)

	// An unbound UDP socket sending to u1: the state follows its peer.
	data := []byte("udp-data")
	u3, _ := childtest.Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	out["u3"] = u3
	r, e = childtest.Raw(unix.SYS_SENDTO, uintptr(u3), uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), 0, uintptr(unsafe.Pointer(&dst)), unsafe.Sizeof(dst))
	childtest.Must(out, "sendto_udp", r, e)
	out["u3port"] = childtest.LocalPort(int(u3))

	childtest.RefusedConnect(out)
	childtest.SocketPair(out)
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
	childtest.ForkExit(out, "fork", 7)

	// clone(SIGCHLD, no stack): a fork by another name.
	r, _, e := unix.RawSyscall6(unix.SYS_CLONE, uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0)
	if e == 0 && r == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 9, 0, 0)
	}
	out["clone"] = r
	unix.Wait4(int(r), &ws, 0, nil)

	childtest.Clone3Killed(out)

	r, _, e = unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if e == 0 && r == 0 {
		for {
			unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
		}
	}
	out["paused"] = r
	k, e := childtest.Raw(unix.SYS_KILL, r, uintptr(unix.SIGKILL))
	childtest.Must(out, "kill", k, e)
	unix.Wait4(int(r), &ws, 0, nil)
	childtest.TkillTgkill(out, pid)

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
	nsfd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr("/proc/self/ns/net")), unix.O_RDONLY, 0)
	childtest.Must(out, "nsfd", nsfd, e)
	r, e := childtest.Raw(unix.SYS_UNSHARE, unix.CLONE_NEWNET)
	childtest.Must(out, "unshare", r, e)
	var after unix.Stat_t
	unix.Stat("/proc/self/ns/net", &after)
	out["new_netns"] = before.Ino != after.Ino
	if err := loopbackUp(); err != nil {
		out["lo_err"] = err.Error()
	}
	childtest.TCPPair(out, "ns", false, 0)
	r, e = childtest.Raw(unix.SYS_SETNS, uintptr(nsfd), unix.CLONE_NEWNET)
	childtest.Must(out, "setns", r, e)
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
	r, e := childtest.Raw(unix.SYS_UNSHARE, unix.CLONE_NEWNS)
	childtest.Must(out, "unshare", r, e)
	childtest.MountChroot(out, args[0], args[1])
	return 0
}

// helperCreds: setuid and setgid to what they are (root), capset
// dropping CAP_SYS_MODULE and prctl(PR_SET_NAME) in the helper; then a
// child drops to uid/gid args[0] with setresgid, setgid, setuid,
// setresuid and opens /dev/null as that user.
func helperCreds(args []string, out map[string]any) int {
	childtest.RootIDs(out)
	childtest.CapsetPrctl(out, func(data *[2]unix.CapUserData) {
		// Drop CAP_SYS_MODULE (16) from the effective set.
		data[0].Effective &^= 1 << 16
		out["cap_eff_after"] = childtest.CapEff(data)
	})

	id, _ := strconv.Atoi(args[0])
	path := childtest.CStr("/dev/null")
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
		unix.RawSyscall6(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(path), unix.O_RDONLY, 0, 0, 0)
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
	childtest.KernelCalls(out)
	return 0
}

// helperMeta: the directory-entry and metadata calls, in directory args[0].
func helperMeta(args []string, out map[string]any) int {
	return childtest.Meta(args[0], "/etc/shadow", out)
}

// helperCgroupExec: opens /dev/null (an event from the host), moves
// itself into the cgroup directory args[0], then executes args[1:].
func helperCgroupExec(args []string, out map[string]any) int {
	fd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr("/dev/null")), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	childtest.Must(out, "null", fd, e)
	return childtest.CgroupExec(args, out)
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
		return childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr("/etc/shadow")), unix.O_RDONLY, 0)
	},
	"openat": func(dir string, _ map[string]any) (int64, unix.Errno) {
		// fd.name /etc/passwd, fd.nameraw with ../ in it
		return childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(dir+"/../../../../../../../etc/passwd")), unix.O_RDONLY, 0)
	},
	"openat2": func(dir string, _ map[string]any) (int64, unix.Errno) {
		how := unix.OpenHow{Flags: unix.O_RDONLY}
		return childtest.Raw(unix.SYS_OPENAT2, childtest.AtFDCWD, uintptr(childtest.CStr("/etc/hostname")), uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how))
	},
	"creat": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return childtest.Raw(unix.SYS_CREAT, uintptr(childtest.CStr(filepath.Join(dir, "creat"))), 0o600)
	},
	"connect": func(dir string, out map[string]any) (int64, unix.Errno) {
		return connectedSocket(out), 0
	},
	"sendto": func(dir string, out map[string]any) (int64, unix.Errno) {
		u, _ := childtest.Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
		dst := childtest.Sockaddr4(9) // discard: nobody listens, UDP does not care
		msg := []byte("x")
		return childtest.Raw(unix.SYS_SENDTO, uintptr(u), uintptr(unsafe.Pointer(&msg[0])), 1, 0, uintptr(unsafe.Pointer(&dst)), unsafe.Sizeof(dst))
	},
	"sendmsg": func(dir string, out map[string]any) (int64, unix.Errno) {
		u, _ := childtest.Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
		dst := childtest.Sockaddr4(9)
		data := []byte("x")
		iov := unix.Iovec{Base: &data[0], Len: 1}
		hdr := unix.Msghdr{Name: (*byte)(unsafe.Pointer(&dst)), Namelen: uint32(unsafe.Sizeof(dst)), Iov: &iov, Iovlen: 1}
		return childtest.Raw(unix.SYS_SENDMSG, uintptr(u), uintptr(unsafe.Pointer(&hdr)), 0)
	},
	"socket": func(dir string, out map[string]any) (int64, unix.Errno) {
		return childtest.Raw(unix.SYS_SOCKET, unix.AF_PACKET, unix.SOCK_RAW, uintptr(childtest.Htons(unix.ETH_P_ALL)))
	},
	"dup": func(dir string, _ map[string]any) (int64, unix.Errno) { return childtest.Raw(unix.SYS_DUP, 1) },
	"dup2": func(dir string, out map[string]any) (int64, unix.Errno) {
		return childtest.Raw(unix.SYS_DUP2, uintptr(connectedSocket(out)), 0)
	},
	"dup3": func(dir string, out map[string]any) (int64, unix.Errno) {
		return childtest.Raw(unix.SYS_DUP3, uintptr(connectedSocket(out)), 0, unix.O_CLOEXEC)
	},
	"execve": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return forkExec(unix.SYS_EXECVE, childtest.AtFDCWD, "/bin/true", 0)
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
		return childtest.Raw(unix.SYS_INIT_MODULE, uintptr(unsafe.Pointer(&img[0])), uintptr(len(img)), uintptr(childtest.CStr("")))
	},
	"finit_module": func(dir string, _ map[string]any) (int64, unix.Errno) {
		null, _ := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr("/dev/null")), unix.O_RDONLY, 0)
		return childtest.Raw(unix.SYS_FINIT_MODULE, uintptr(null), uintptr(childtest.CStr("")), 0)
	},
	"link": func(dir string, _ map[string]any) (int64, unix.Errno) {
		// fails (no such directory) after naming /etc/shadow
		return childtest.Raw(unix.SYS_LINK, uintptr(childtest.CStr("/etc/shadow")), uintptr(childtest.CStr(filepath.Join(dir, "missing", "link"))))
	},
	"linkat": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return childtest.Raw(unix.SYS_LINKAT, childtest.AtFDCWD, uintptr(childtest.CStr("/etc/shadow")), childtest.AtFDCWD, uintptr(childtest.CStr(filepath.Join(dir, "missing", "linkat"))), 0)
	},
	"symlink": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return childtest.Raw(unix.SYS_SYMLINK, uintptr(childtest.CStr("/etc/shadow")), uintptr(childtest.CStr(filepath.Join(dir, "symlink"))))
	},
	"symlinkat": func(dir string, _ map[string]any) (int64, unix.Errno) {
		return childtest.Raw(unix.SYS_SYMLINKAT, uintptr(childtest.CStr("/etc/shadow")), childtest.AtFDCWD, uintptr(childtest.CStr(filepath.Join(dir, "symlinkat"))))
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
		r, e := childtest.Raw(unix.SYS_PTRACE, unix.PTRACE_ATTACH, child, 0, 0)
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
	_, cli, _ := childtest.TCPPair(out, "trigger_", false, 0)
	out["connected_socket"] = cli
	return cli
}

// forkExec runs path (relative to dirfd for execveat) in a forked child
// with raw system calls only (the forked child of a Go program may not
// allocate), waits for it and returns the child's pid, or the errno of
// the exec as the child's exit status.
func forkExec(nr, dirfd uintptr, path string, flags uintptr) (int64, unix.Errno) {
	p := childtest.CStr(path)
	argv := []*byte{(*byte)(childtest.CStr("true")), nil}
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
		err := syscall.Exec(os.Args[0], argv, workloads.StageEnv("triggers"))
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
		childtest.Must(out, name, r, e)
	}
	sort.Strings(missing)
	out["no_trigger"] = strings.Join(missing, ",")
	return 0
}
