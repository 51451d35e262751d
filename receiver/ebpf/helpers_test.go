package ebpf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
)

// Helper workloads run in a child process: this test binary re-executed
// with SAKER_EBPF_HELPER=<name> (the child protocol of internal/childtest).
// Each performs its syscalls on the main thread — raw syscalls, so exactly
// those calls happen — and prints one JSON object of results.
var workloads = childtest.NewSet("SAKER_EBPF_HELPER", "", map[string]childtest.Func{
	"files-open":   helperOpen,
	"fds":          helperFDs,
	"net":          helperNet,
	"process":      helperProcess,
	"exec":         helperExec,
	"exec-memfd":   childtest.ExecMemfd,
	"ns":           helperNamespaces,
	"creds":        helperCreds,
	"files-meta":   helperFileMeta,
	"openloop":     helperOpenLoop,
	"cgroup-exec":  childtest.CgroupExec,
	"killloop":     helperKillLoop,
	"spin":         helperSpin,
	"exit":         helperExit,
	"sh":           helperShell,
	"noprivs-open": helperNoPrivsOpen,
})

// helperOpen: open, openat (created and failing), openat2, creat in dir args[0].
func helperOpen(args []string, out map[string]any) int {
	dir := args[0]
	a := filepath.Join(dir, "a.txt")
	fd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(a)), unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, 0o640)
	childtest.Must(out, "open_fd", fd, e)
	var st unix.Stat_t
	unix.Fstat(int(fd), &st)
	out["a_dev"], out["a_ino"] = strconv.FormatUint(st.Dev, 10), strconv.FormatUint(st.Ino, 10)
	unix.Close(int(fd))

	dfd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	childtest.Must(out, "dir_fd", dfd, e)
	fd, e = childtest.Raw(unix.SYS_OPENAT, uintptr(dfd), uintptr(childtest.CStr("b.txt")), unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
	childtest.Must(out, "openat_fd", fd, e)
	unix.Close(int(fd))
	fd, e = childtest.Raw(unix.SYS_OPENAT, uintptr(dfd), uintptr(childtest.CStr("missing")), unix.O_RDONLY, 0)
	childtest.Must(out, "openat_missing", fd, e)

	how := unix.OpenHow{Flags: unix.O_RDONLY, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS}
	fd, e = childtest.Raw(unix.SYS_OPENAT2, uintptr(dfd), uintptr(childtest.CStr("b.txt")), uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how))
	childtest.Must(out, "openat2_fd", fd, e)
	unix.Close(int(fd))

	fd, e = childtest.Raw(unix.SYS_CREAT, uintptr(childtest.CStr(filepath.Join(dir, "c.txt"))), 0o604)
	childtest.Must(out, "creat_fd", fd, e)
	unix.Close(int(fd))
	return 0
}

// helperFDs: dup, dup2, dup3, fcntl(F_DUPFD_CLOEXEC), pipe, pipe2, close,
// memfd_create, userfaultfd, io_uring_setup.
func helperFDs(args []string, out map[string]any) int {
	childtest.DupCalls(out)
	childtest.Pipes(out)
	r, e := childtest.Raw(unix.SYS_CLOSE, 100)
	childtest.Must(out, "close", r, e)
	r, e = childtest.Raw(unix.SYS_CLOSE, 9999)
	childtest.Must(out, "close_bad", r, e)
	childtest.AnonFDs(out)
	return 0
}

// helperNet: TCP socket/bind/listen/connect/accept4/sendto/recvfrom, UDP
// sendmsg/recvmsg, a refused connect, a unix socketpair.
func helperNet(args []string, out map[string]any) int {
	_, cli, acc := childtest.TCPPair(out, "", false, unix.SOCK_CLOEXEC)
	childtest.SendRecv(out, cli, acc)
	childtest.UDPExchange(out)
	childtest.RefusedConnect(out)
	childtest.SocketPair(out)
	return 0
}

// helperProcess: fork and clone3 children that exit at once (one with
// status 7, one killed by SIGKILL), and kill/tkill/tgkill of itself with
// signal 0. (vfork cannot be called safely from Go: see helperShell.)
func helperProcess(args []string, out map[string]any) int {
	pid := unix.Getpid()
	childtest.ForkExit(out, "fork", 7)
	childtest.Clone3Killed(out)
	k, e := childtest.Raw(unix.SYS_KILL, uintptr(pid), 0)
	childtest.Must(out, "kill", k, e)
	childtest.TkillTgkill(out, pid)
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

// helperNamespaces: unshare a network and a mount namespace, setns back
// into init's network namespace, mount and unmount a tmpfs on args[0] (in
// the private mount namespace), chdir, fchdir, chroot.
func helperNamespaces(args []string, out map[string]any) int {
	r, e := childtest.Raw(unix.SYS_UNSHARE, unix.CLONE_NEWNET)
	childtest.Must(out, "unshare", r, e)
	nsfd, e := childtest.Raw(unix.SYS_OPEN, uintptr(childtest.CStr("/proc/1/ns/net")), unix.O_RDONLY, 0)
	childtest.Must(out, "nsfd", nsfd, e)
	r, e = childtest.Raw(unix.SYS_SETNS, uintptr(nsfd), unix.CLONE_NEWNET)
	childtest.Must(out, "setns", r, e)

	r, e = childtest.Raw(unix.SYS_UNSHARE, unix.CLONE_NEWNS)
	childtest.Must(out, "unshare_ns", r, e)
	childtest.MountChroot(out, args[0], "/tmp")
	return 0
}

// helperCreds: setuid/setgid/setresuid/setresgid to what they are (root),
// capset to the current sets, prctl(PR_SET_NAME), ptrace attach/detach of a
// sleeping child, bpf(BPF_MAP_CREATE), init_module and finit_module (no
// module support here: they fail).
func helperCreds(args []string, out map[string]any) int {
	childtest.RootIDs(out)
	r, e := childtest.Raw(unix.SYS_SETRESUID, ^uintptr(0), 0, ^uintptr(0))
	childtest.Must(out, "setresuid", r, e)
	r, e = childtest.Raw(unix.SYS_SETRESGID, 0, 0, 0)
	childtest.Must(out, "setresgid", r, e)
	childtest.CapsetPrctl(out, nil)
	childtest.KernelCalls(out)
	return 0
}

// helperFileMeta: the directory-entry and metadata calls, in dir args[0].
func helperFileMeta(args []string, out map[string]any) int {
	return childtest.Meta(args[0], "f4", out)
}

// helperOpenLoop: args[0] times openat("/dev/null") and close, pinned to
// CPU args[1] if given.
func helperOpenLoop(args []string, out map[string]any) int {
	n, _ := strconv.Atoi(args[0])
	if len(args) > 1 {
		pin(args[1])
	}
	start := time.Now()
	path := childtest.CStr("/dev/null")
	for i := 0; i < n; i++ {
		fd, _, e := unix.RawSyscall6(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(path), unix.O_RDONLY, 0, 0, 0)
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
