package rules

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
)

// Helper workloads: this test binary re-executed with
// SAKER_RULES_HELPER=<name>. Each waits for a "go" line on stdin (so the
// test watches its pid first), performs the behaviour with raw syscalls on
// the main thread (or becomes a real program with execve), prints one JSON
// object of results and returns its exit status. A helper that cannot do
// what it was asked exits non-zero with the reason on stderr, so a test
// never mistakes a failed setup for a quiet rule.
//
// The helpers run on the main thread (childtest.NewSet locks it there):
// their syscalls come from the process's main thread, and per-thread state
// (namespaces, the controlling terminal) stays where the next syscall and
// exec happen. A helper started by another (a second stage) does not wait
// for the go line: SAKER_RULES_NOGO, set by the first stage.
var workloads = childtest.NewSet("SAKER_RULES_HELPER", "SAKER_RULES_NOGO", nil)

// The helpers are added by init: those that start a program refer to
// workloads (its environment), which its initializer cannot.
func init() {
	for name, f := range map[string]childtest.Func{
		"stage":         helperStage,
		"ops":           helperOps,
		"exec":          helperExec,
		"spawn":         helperSpawn,
		"pty-exec":      helperPtyExec,
		"revshell":      helperRevShell,
		"ptrace":        helperPtrace,
		"procmem":       helperProcMem,
		"packet":        helperPacket,
		"connect":       helperConnect,
		"memfd-exec":    helperMemfdExec,
		"setuid-root":   helperSetuidRoot,
		"module":        helperModule,
		"bpf":           helperBPF,
		"setns":         helperSetns,
		"unshare":       helperUnshare,
		"mount":         helperMount,
		"userfaultfd":   helperUserfaultfd,
		"io_uring":      helperIOUring,
		"kill":          helperKill,
		"pause":         helperPause,
		"release-agent": helperReleaseAgent,
		"private-etc":   helperPrivateEtc,
		"private-shm":   helperPrivateShm,
	} {
		workloads.Add(name, f)
	}
}

// fail reports a setup failure: exit status 3 and the reason on stderr.
func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	return 3
}

// helperStage: -cgroup DIR (join the cgroup), -loginuid N (set the audit
// login uid), then "--" TARGET HELPER ARGS...: execute TARGET (this
// binary or a symlink to it) as helper HELPER without a second go line.
func helperStage(args []string, out map[string]any) int {
	fs := flag.NewFlagSet("stage", flag.ContinueOnError)
	cg := fs.String("cgroup", "", "cgroup directory to join")
	loginuid := fs.String("loginuid", "", "audit login uid to set")
	if err := fs.Parse(args); err != nil {
		return fail("stage: %v", err)
	}
	rest := fs.Args()
	if len(rest) < 2 {
		return fail("stage: want TARGET HELPER ARGS...")
	}
	if *cg != "" {
		if err := os.WriteFile(filepath.Join(*cg, "cgroup.procs"), []byte("0"), 0); err != nil {
			return fail("join cgroup: %v", err)
		}
	}
	if *loginuid != "" {
		if err := os.WriteFile("/proc/self/loginuid", []byte(*loginuid), 0); err != nil {
			return fail("set loginuid: %v", err)
		}
	}
	target, helper := rest[0], rest[1]
	argv := append([]string{filepath.Base(target)}, rest[2:]...)
	err := syscall.Exec(target, argv, workloads.StageEnv(helper))
	return fail("exec %s: %v", target, err)
}

// helperOps performs file operations in order, each with raw syscalls:
//
//	open MODE PATH   MODE: r (read), w (write, create), t (write, truncate),
//	                 a (append, create); the fd is closed at once
//	creat PATH       creat(2)
//	write PATH TEXT  create or truncate PATH and write TEXT
//	unlink PATH      unlink(2)
//	rename OLD NEW   rename(2)
//	symlink TARGET LINKPATH, link OLD NEW, chmod PATH OCTAL
func helperOps(args []string, out map[string]any) int {
	for i := 0; i < len(args); {
		op := args[i]
		need := map[string]int{"open": 2, "creat": 1, "write": 2, "unlink": 1, "rename": 2, "symlink": 2, "link": 2, "chmod": 2}[op]
		if need == 0 || i+need >= len(args) {
			return fail("ops: bad operation %q at %d", op, i)
		}
		p := args[i+1 : i+1+need]
		i += 1 + need
		var r int64
		var e unix.Errno
		switch op {
		case "open":
			flags := map[string]int{"r": unix.O_RDONLY, "w": unix.O_WRONLY | unix.O_CREAT,
				"t": unix.O_WRONLY | unix.O_TRUNC, "a": unix.O_WRONLY | unix.O_APPEND | unix.O_CREAT}[p[0]]
			r, e = childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(p[1])), uintptr(flags|unix.O_CLOEXEC), 0o644)
			if e == 0 {
				unix.Close(int(r))
			}
		case "creat":
			r, e = childtest.Raw(unix.SYS_CREAT, uintptr(childtest.CStr(p[0])), 0o644)
			if e == 0 {
				unix.Close(int(r))
			}
		case "write":
			r, e = childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(p[0])), unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o644)
			if e == 0 {
				unix.Write(int(r), []byte(p[1]))
				unix.Close(int(r))
			}
		case "unlink":
			r, e = childtest.Raw(unix.SYS_UNLINK, uintptr(childtest.CStr(p[0])))
		case "rename":
			r, e = childtest.Raw(unix.SYS_RENAME, uintptr(childtest.CStr(p[0])), uintptr(childtest.CStr(p[1])))
		case "symlink":
			r, e = childtest.Raw(unix.SYS_SYMLINK, uintptr(childtest.CStr(p[0])), uintptr(childtest.CStr(p[1])))
		case "link":
			r, e = childtest.Raw(unix.SYS_LINK, uintptr(childtest.CStr(p[0])), uintptr(childtest.CStr(p[1])))
		case "chmod":
			mode, err := strconv.ParseUint(p[1], 8, 32)
			if err != nil {
				return fail("chmod mode %q: %v", p[1], err)
			}
			r, e = childtest.Raw(unix.SYS_CHMOD, uintptr(childtest.CStr(p[0])), uintptr(mode))
		}
		if e != 0 {
			return fail("%s %v: %v", op, p, e)
		}
		out[fmt.Sprintf("%s_%d", op, i)] = r
	}
	return 0
}

// helperExec becomes args[0] with argv args[1:] (argv[0] included).
func helperExec(args []string, out map[string]any) int {
	err := syscall.Exec(args[0], args[1:], workloads.Environ())
	return fail("exec %s: %v", args[0], err)
}

// helperSpawn runs args[0] with argv args[1:] as a child and waits for it.
func helperSpawn(args []string, out map[string]any) int {
	cmd := exec.Cmd{Path: args[0], Args: args[1:], Env: workloads.Environ(), Stderr: os.Stderr}
	err := cmd.Run()
	out["child_pid"] = cmd.Process.Pid
	if err != nil {
		return fail("spawn %s: %v", args[0], err)
	}
	return 0
}

// helperPtyExec gives itself a controlling terminal (a new session on a
// fresh pseudo-terminal), then becomes args[0] with argv args[1:].
func helperPtyExec(args []string, out map[string]any) int {
	master, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return fail("open ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(master, unix.TIOCSPTLCK, 0); err != nil {
		return fail("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(master, unix.TIOCGPTN)
	if err != nil {
		return fail("pty number: %v", err)
	}
	slave, err := unix.Open(fmt.Sprintf("/dev/pts/%d", n), unix.O_RDWR, 0)
	if err != nil {
		return fail("open pts: %v", err)
	}
	if _, err := unix.Setsid(); err != nil {
		return fail("setsid: %v", err)
	}
	if err := unix.IoctlSetInt(slave, unix.TIOCSCTTY, 0); err != nil {
		return fail("TIOCSCTTY: %v", err)
	}
	err = syscall.Exec(args[0], args[1:], workloads.Environ())
	return fail("exec %s: %v", args[0], err)
}

// helperRevShell builds what a reverse shell is: a TCP connection
// duplicated onto the standard streams, then a shell.
//
//	stdio   dup2(socket, 0), dup2(socket, 1), then /bin/sh -c true
//	high    dup2(socket, 10) (not a standard stream), then /bin/sh -c true
//	null    dup2(/dev/null, 0) (a file, not a socket), then /bin/sh -c true
func helperRevShell(args []string, out map[string]any) int {
	cli, srv, err := childtest.LoopbackPair()
	if err != nil {
		return fail("loopback connection: %v", err)
	}
	_ = srv // the peer stays open (close-on-exec) until the shell starts
	targets := map[string][]uintptr{"stdio": {0, 1}, "high": {10}, "null": {0}}[args[0]]
	from := uintptr(cli)
	if args[0] == "null" {
		n, err := unix.Open("/dev/null", unix.O_RDONLY, 0)
		if err != nil {
			return fail("open /dev/null: %v", err)
		}
		from = uintptr(n)
	}
	for _, fd := range targets {
		if _, e := childtest.Raw(unix.SYS_DUP2, from, fd); e != 0 {
			return fail("dup2: %v", e)
		}
	}
	err = syscall.Exec("/bin/sh", []string{"sh", "-c", "true"}, workloads.Environ())
	return fail("exec sh: %v", err)
}

// pauseChild forks a child that waits for signals.
func pauseChild() (int, error) {
	child, _, e := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	if child == 0 {
		for {
			unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
		}
	}
	return int(child), nil
}

func reap(pid int) {
	unix.Kill(pid, unix.SIGKILL)
	var ws unix.WaitStatus
	unix.Wait4(pid, &ws, 0, nil)
}

// pokeTarget is a word of this process that a forked child also has.
var pokeTarget uint64 = 0x5a4b4552

// helperPtrace: args[0] is
//
//	attach    PTRACE_ATTACH to a child, detach
//	seize     PTRACE_SEIZE a child, detach
//	poke      attach, read a word of the child and write it back (POKEDATA)
//	peek      attach, read a word (PEEKDATA), detach
//	traceme   a child asks to be traced by this process (PTRACE_TRACEME)
func helperPtrace(args []string, out map[string]any) int {
	if args[0] == "traceme" {
		child, _, e := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
		if e != 0 {
			return fail("fork: %v", e)
		}
		if child == 0 {
			unix.RawSyscall(unix.SYS_PTRACE, unix.PTRACE_TRACEME, 0, 0)
			unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
		}
		var ws unix.WaitStatus
		unix.Wait4(int(child), &ws, 0, nil)
		return 0
	}
	child, err := pauseChild()
	if err != nil {
		return fail("fork: %v", err)
	}
	defer reap(child)
	out["child"] = child
	req := uintptr(unix.PTRACE_ATTACH)
	if args[0] == "seize" {
		req = unix.PTRACE_SEIZE
	}
	if _, e := childtest.Raw(unix.SYS_PTRACE, req, uintptr(child), 0, 0); e != 0 {
		return fail("ptrace attach: %v", e)
	}
	if args[0] != "seize" {
		var ws unix.WaitStatus
		unix.Wait4(child, &ws, 0, nil)
	}
	addr := uintptr(unsafe.Pointer(&pokeTarget))
	switch args[0] {
	case "poke", "peek":
		var word uint64
		// The raw PEEKDATA syscall stores the word at the address in data.
		if _, e := childtest.Raw(unix.SYS_PTRACE, unix.PTRACE_PEEKDATA, uintptr(child), addr, uintptr(unsafe.Pointer(&word))); e != 0 {
			return fail("peekdata: %v", e)
		}
		if word != pokeTarget {
			return fail("peekdata read %#x, want %#x", word, pokeTarget)
		}
		if args[0] == "poke" {
			if _, e := childtest.Raw(unix.SYS_PTRACE, unix.PTRACE_POKEDATA, uintptr(child), addr, uintptr(word)); e != 0 {
				return fail("pokedata: %v", e)
			}
		}
	}
	if args[0] == "seize" {
		// A seized tracee runs on: stop it so that it can be detached.
		if _, e := childtest.Raw(unix.SYS_PTRACE, unix.PTRACE_INTERRUPT, uintptr(child), 0, 0); e != 0 {
			return fail("interrupt: %v", e)
		}
		var ws unix.WaitStatus
		unix.Wait4(child, &ws, 0, nil)
	}
	if _, e := childtest.Raw(unix.SYS_PTRACE, unix.PTRACE_DETACH, uintptr(child), 0, 0); e != 0 {
		return fail("detach: %v", e)
	}
	return 0
}

// helperProcMem opens /proc/<child>/<args[0]> (mem or status) of a child.
func helperProcMem(args []string, out map[string]any) int {
	child, err := pauseChild()
	if err != nil {
		return fail("fork: %v", err)
	}
	defer reap(child)
	path := fmt.Sprintf("/proc/%d/%s", child, args[0])
	out["path"] = path
	fd, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(path)), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if e != 0 {
		return fail("open %s: %v", path, e)
	}
	unix.Close(int(fd))
	return 0
}

// helperPacket creates, in a new network namespace, an AF_PACKET raw
// socket (args[0] "packet") or a UDP socket ("inet").
func helperPacket(args []string, out map[string]any) int {
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return fail("unshare net: %v", err)
	}
	var r int64
	var e unix.Errno
	if args[0] == "packet" {
		r, e = childtest.Raw(unix.SYS_SOCKET, unix.AF_PACKET, unix.SOCK_RAW, uintptr(childtest.Htons(unix.ETH_P_ALL)))
	} else {
		r, e = childtest.Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	}
	if e != 0 {
		return fail("socket: %v", e)
	}
	unix.Close(int(r))
	return 0
}

// helperConnect: in a new network namespace whose loopback also carries
// args[0] (an IPv4 address), connect to a listener on args[0]:args[1].
// Nothing leaves the namespace.
func helperConnect(args []string, out map[string]any) int {
	ip := parseIPv4(args[0])
	port, _ := strconv.Atoi(args[1])
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return fail("unshare net: %v", err)
	}
	if err := loopbackUp(ip); err != nil {
		return fail("loopback: %v", err)
	}
	l, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail("socket: %v", err)
	}
	if err := unix.Bind(l, &unix.SockaddrInet4{Addr: ip, Port: port}); err != nil {
		return fail("bind: %v", err)
	}
	unix.Listen(l, 1)
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail("socket: %v", err)
	}
	if err := unix.Connect(c, &unix.SockaddrInet4{Addr: ip, Port: port}); err != nil {
		return fail("connect: %v", err)
	}
	return 0
}

func parseIPv4(s string) [4]byte {
	var ip [4]byte
	for i, p := range strings.SplitN(s, ".", 4) {
		n, _ := strconv.Atoi(p)
		ip[i] = byte(n)
	}
	return ip
}

// loopbackUp brings lo up and adds ip/32 to it (rtnetlink RTM_NEWADDR).
func loopbackUp(ip [4]byte) error {
	s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(s)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	ifr.SetUint16(unix.IFF_UP | unix.IFF_LOOPBACK | unix.IFF_RUNNING)
	if err := unix.IoctlIfreq(s, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	if ip[0] == 127 {
		return nil
	}
	nl, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer unix.Close(nl)
	// nlmsghdr | ifaddrmsg | rtattr IFA_LOCAL | rtattr IFA_ADDRESS
	msg := make([]byte, 16+8+8+8)
	le := binary.LittleEndian
	le.PutUint32(msg[0:], uint32(len(msg)))
	le.PutUint16(msg[4:], unix.RTM_NEWADDR)
	le.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	le.PutUint32(msg[8:], 1)
	msg[16] = unix.AF_INET
	msg[17] = 32 // prefix length
	msg[19] = unix.RT_SCOPE_HOST
	le.PutUint32(msg[20:], 1) // lo is interface 1 in a new namespace
	for i, typ := range []uint16{unix.IFA_LOCAL, unix.IFA_ADDRESS} {
		o := 24 + 8*i
		le.PutUint16(msg[o:], 8)
		le.PutUint16(msg[o+2:], typ)
		copy(msg[o+4:], ip[:])
	}
	if err := unix.Sendto(nl, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(nl, buf, 0)
	if err != nil {
		return err
	}
	if n >= 20 && le.Uint16(buf[4:]) == unix.NLMSG_ERROR {
		if code := int32(le.Uint32(buf[16:])); code != 0 {
			return fmt.Errorf("RTM_NEWADDR: %w", unix.Errno(-code))
		}
	}
	return nil
}

// helperMemfdExec copies args[0] into a memfd and executes it with
// execveat(fd, "", AT_EMPTY_PATH), argv args[1:].
func helperMemfdExec(args []string, out map[string]any) int {
	bin, err := os.ReadFile(args[0])
	if err != nil {
		return fail("read %s: %v", args[0], err)
	}
	fd, err := unix.MemfdCreate("payload", unix.MFD_CLOEXEC)
	if err != nil {
		return fail("memfd_create: %v", err)
	}
	if _, err := unix.Write(fd, bin); err != nil {
		return fail("write memfd: %v", err)
	}
	argv := make([]*byte, 0, len(args))
	for _, a := range args[1:] {
		argv = append(argv, (*byte)(childtest.CStr(a)))
	}
	argv = append(argv, nil)
	envp := []*byte{nil}
	_, e := childtest.Raw(unix.SYS_EXECVEAT, uintptr(fd), uintptr(childtest.CStr("")), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envp[0])), unix.AT_EMPTY_PATH)
	return fail("execveat: %v", e)
}

// helperSetuidRoot behaves like a setuid-root program run by uid 1000:
// it drops to uid 1000 keeping root as the saved uid, then becomes root
// again: fully with setuid(0) (args[0] "setuid"), or only as effective
// uid with setresuid(-1, 0, -1) ("seteuid", what daemons do around work
// they perform as the user).
func helperSetuidRoot(args []string, out map[string]any) int {
	if _, e := childtest.Raw(unix.SYS_SETRESUID, 1000, 1000, 0); e != 0 {
		return fail("setresuid: %v", e)
	}
	unchanged := ^uintptr(0)
	if args[0] == "seteuid" {
		if _, e := childtest.Raw(unix.SYS_SETRESUID, unchanged, 0, unchanged); e != 0 {
			return fail("seteuid(0): %v", e)
		}
		return 0
	}
	if _, e := childtest.Raw(unix.SYS_SETUID, 0); e != 0 {
		return fail("setuid(0): %v", e)
	}
	return 0
}

// helperModule calls init_module with an image that is not a module and
// finit_module on /dev/null: both fail (or the kernel has no module
// support at all); the attempt is the behaviour.
func helperModule(args []string, out map[string]any) int {
	img := []byte("\x7fELF-not-a-kernel-module")
	r, _ := childtest.Raw(unix.SYS_INIT_MODULE, uintptr(unsafe.Pointer(&img[0])), uintptr(len(img)), uintptr(childtest.CStr("")))
	out["init_module"] = r
	null, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr("/dev/null")), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if e != 0 {
		return fail("open /dev/null: %v", e)
	}
	r, _ = childtest.Raw(unix.SYS_FINIT_MODULE, uintptr(null), uintptr(childtest.CStr("")), 0)
	out["finit_module"] = r
	if out["init_module"].(int64) >= 0 {
		return fail("init_module of garbage succeeded")
	}
	return 0
}

// helperBPF loads a two-instruction socket filter ("prog": r0 = 0; exit)
// or creates an array map ("map").
func helperBPF(args []string, out map[string]any) int {
	if args[0] == "map" {
		attr := struct{ typ, key, value, max, flags uint32 }{typ: 2 /* ARRAY */, key: 4, value: 4, max: 1}
		fd, e := childtest.Raw(unix.SYS_BPF, 0 /* BPF_MAP_CREATE */, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
		if e != 0 {
			return fail("BPF_MAP_CREATE: %v", e)
		}
		unix.Close(int(fd))
		return 0
	}
	insns := []uint64{
		0x00000000000000b7, // mov64 r0, 0
		0x0000000000000095, // exit
	}
	license := []byte("GPL\x00")
	// union bpf_attr for BPF_PROG_LOAD, up to log_buf.
	attr := struct {
		progType, insnCnt uint32
		insns, license    uint64
		logLevel, logSize uint32
		logBuf            uint64
		kernVersion       uint32
		progFlags         uint32
	}{progType: 1 /* SOCKET_FILTER */, insnCnt: uint32(len(insns)),
		insns: uint64(uintptr(unsafe.Pointer(&insns[0]))), license: uint64(uintptr(unsafe.Pointer(&license[0])))}
	fd, e := childtest.Raw(unix.SYS_BPF, 5 /* BPF_PROG_LOAD */, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if e != 0 {
		return fail("BPF_PROG_LOAD: %v", e)
	}
	out["prog_fd"] = fd
	unix.Close(int(fd))
	return 0
}

// helperSetns leaves for a new network namespace and comes back into the
// host's with setns on args[1] (/proc/<pid>/ns/net of a host process:
// "host"), or calls setns with a namespace type that does not match the
// fd ("mismatch": EINVAL).
func helperSetns(args []string, out map[string]any) int {
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return fail("unshare: %v", err)
	}
	fd, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(args[1])), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if e != 0 {
		return fail("open ns: %v", e)
	}
	nstype := uintptr(unix.CLONE_NEWNET)
	if args[0] == "mismatch" {
		nstype = unix.CLONE_NEWUTS
	}
	r, e := childtest.Raw(unix.SYS_SETNS, uintptr(fd), nstype)
	out["setns"] = r
	if (e == 0) != (args[0] == "host") {
		return fail("setns %s: %v", args[0], e)
	}
	return 0
}

// helperUnshare creates a new UTS namespace.
func helperUnshare(args []string, out map[string]any) int {
	if _, e := childtest.Raw(unix.SYS_UNSHARE, unix.CLONE_NEWUTS); e != 0 {
		return fail("unshare: %v", e)
	}
	return 0
}

// privateMountNS gives the calling thread its own mount namespace in which
// nothing propagates back to the host.
func privateMountNS() error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount ns: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	return nil
}

// helperMount mounts a file system of type args[0] on args[1] in a private
// mount namespace, then unmounts it.
func helperMount(args []string, out map[string]any) int {
	if err := privateMountNS(); err != nil {
		return fail("%v", err)
	}
	typ, dir := args[0], args[1]
	if _, e := childtest.Raw(unix.SYS_MOUNT, uintptr(childtest.CStr(typ)), uintptr(childtest.CStr(dir)), uintptr(childtest.CStr(typ)), unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, 0); e != 0 {
		return fail("mount %s: %v", typ, e)
	}
	if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
		return fail("umount: %v", err)
	}
	return 0
}

// helperUserfaultfd creates a userfaultfd.
func helperUserfaultfd(args []string, out map[string]any) int {
	fd, e := childtest.Raw(unix.SYS_USERFAULTFD, unix.O_CLOEXEC|unix.O_NONBLOCK)
	out["fd"] = fd
	if e != 0 {
		return fail("userfaultfd: %v", e)
	}
	unix.Close(int(fd))
	return 0
}

// helperIOUring creates an io_uring instance with 4 entries.
func helperIOUring(args []string, out map[string]any) int {
	var params [120]byte
	fd, e := childtest.Raw(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&params[0])))
	if e != 0 {
		return fail("io_uring_setup: %v", e)
	}
	unix.Close(int(fd))
	return 0
}

// helperKill sends signal args[1] (a number) to pid args[0].
func helperKill(args []string, out map[string]any) int {
	pid, _ := strconv.Atoi(args[0])
	sig, _ := strconv.Atoi(args[1])
	if _, e := childtest.Raw(unix.SYS_KILL, uintptr(pid), uintptr(sig)); e != 0 {
		return fail("kill: %v", e)
	}
	return 0
}

// helperPause signals itself with signal 0 (an event the test waits for,
// proving the probe has seen this process), then waits for stdin to close
// or a signal to end it.
func helperPause(args []string, out map[string]any) int {
	childtest.Raw(unix.SYS_KILL, uintptr(os.Getpid()), 0)
	buf := make([]byte, 1)
	for {
		if _, err := os.Stdin.Read(buf); err != nil {
			return 0
		}
	}
}

// helperReleaseAgent mounts a new, empty cgroup v1 hierarchy (named, no
// controllers) on args[1] in a private mount namespace and opens its
// release_agent for writing ("w") or reading ("r") without changing it.
// The hierarchy disappears with the mount.
func helperReleaseAgent(args []string, out map[string]any) int {
	if err := privateMountNS(); err != nil {
		return fail("%v", err)
	}
	dir := args[1]
	opts := fmt.Sprintf("none,name=saker%d", os.Getpid())
	if err := unix.Mount("cgroup", dir, "cgroup", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, opts); err != nil {
		return fail("mount cgroup v1 (%s): %v", opts, err)
	}
	defer unix.Unmount(dir, unix.MNT_DETACH)
	flags := uintptr(unix.O_RDONLY)
	if args[0] == "w" {
		flags = unix.O_WRONLY
	}
	fd, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(filepath.Join(dir, "release_agent"))), flags|unix.O_CLOEXEC, 0)
	if e != 0 {
		return fail("open release_agent: %v", e)
	}
	unix.Close(int(fd))
	return 0
}

// helperPrivateEtc: in a private mount namespace, a tmpfs holding an empty
// file args[1] is bind-mounted over /etc (args[2] is the mount point for
// the tmpfs), and /etc/<args[1]> is opened for writing with O_TRUNC
// (args[0] "w") or for reading ("r"). The host's /etc is never touched.
func helperPrivateEtc(args []string, out map[string]any) int {
	if err := privateMountNS(); err != nil {
		return fail("%v", err)
	}
	name, dir := args[1], args[2]
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=64k"); err != nil {
		return fail("mount tmpfs: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		return fail("create: %v", err)
	}
	if err := unix.Mount(dir, "/etc", "", unix.MS_BIND, ""); err != nil {
		return fail("bind over /etc: %v", err)
	}
	flags := uintptr(unix.O_RDONLY)
	if args[0] == "w" {
		flags = unix.O_WRONLY | unix.O_TRUNC
	}
	path := filepath.Join("/etc", name)
	fd, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr(path)), flags|unix.O_CLOEXEC, 0)
	if e != 0 {
		return fail("open %s: %v", path, e)
	}
	unix.Close(int(fd))
	return 0
}

// helperPrivateShm is for hosts whose /dev/shm forbids execution: in a
// private mount namespace it mounts an exec-allowed tmpfs on /dev/shm,
// copies args[0] to /dev/shm/<args[1]> and executes it with argv args[2:].
func helperPrivateShm(args []string, out map[string]any) int {
	if err := privateMountNS(); err != nil {
		return fail("%v", err)
	}
	if err := unix.Mount("tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=64m"); err != nil {
		return fail("mount tmpfs on /dev/shm: %v", err)
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return fail("%v", err)
	}
	bin := filepath.Join("/dev/shm", args[1])
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		return fail("%v", err)
	}
	err = syscall.Exec(bin, args[2:], workloads.Environ())
	return fail("exec %s: %v", bin, err)
}
