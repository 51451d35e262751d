package state

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// startSleeper starts `sleep 300` in a temp dir with a known environment
// and these fds besides stdio: 3 a listening TCP socket, 4 an open file,
// 5 the accepted end of a TCP connection, 6 the read end of a pipe, 7 a
// UDP socket. It returns the process, the listener's port, the client's
// port and the file path.
func startSleeper(t *testing.T) (cmd *exec.Cmd, port, cport int, path string) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port = ln.Addr().(*net.TCPAddr).Port
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	cport = client.LocalAddr().(*net.TCPAddr).Port
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()

	dir := t.TempDir()
	path = filepath.Join(dir, "held-open.txt")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	t.Cleanup(func() { pw.Close() })

	lf, _ := ln.(*net.TCPListener).File()
	defer lf.Close()
	sf, _ := srv.(*net.TCPConn).File()
	defer sf.Close()
	uf, _ := udp.(*net.UDPConn).File()
	defer uf.Close()

	cmd = exec.Command("sleep", "300")
	cmd.Dir = dir
	cmd.Env = []string{"SAKER_STATE_TEST=proc-bootstrap", "PATH=/usr/bin:/bin"}
	cmd.ExtraFiles = []*os.File{lf, f, sf, pr, uf}
	if err := cmd.Start(); err != nil {
		skipOrFail(t, "cannot start sleep: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, port, cport, path
}

func TestLoadProcSleeper(t *testing.T) {
	cmd, port, cport, path := startSleeper(t)
	pid := int64(cmd.Process.Pid)

	s := New(Config{})
	if err := s.LoadProc("/proc"); err != nil {
		t.Fatal(err)
	}
	th := s.Thread(pid)
	if th == nil {
		t.Fatalf("sleep (pid %d) not loaded; %d threads", pid, s.Len())
	}
	if err := s.checkInvariants(); err != nil {
		t.Fatal(err)
	}
	exepath, _ := filepath.EvalSymlinks(mustLookPath(t, "sleep"))
	checks := []struct {
		what string
		ok   bool
	}{
		{"pid/tid", th.Pid == pid && th.Tid == pid && th.IsMain()},
		{"ppid", th.Ptid == int64(os.Getpid())},
		{"parent", s.Parent(th) != nil && s.Parent(th).Pid == int64(os.Getpid())},
		{"comm", th.Comm == "sleep"},
		{"exe (argv0)", th.Exe == "sleep"},
		{"args", slices.Equal(th.Args, []string{"300"})},
		{"cmdline", string(th.AppendCmdline(nil)) == "sleep 300"},
		{"exepath", th.ExePath == exepath},
		{"cwd", th.CWD() == filepath.Dir(path)+"/"},
		{"env", slices.Equal(th.Env, []string{"SAKER_STATE_TEST=proc-bootstrap", "PATH=/usr/bin:/bin"})},
		{"uid", th.UID == uint32(os.Geteuid()) && th.GID == uint32(os.Getegid())},
		{"vpid", th.Vpid == pid && th.Vtid == pid},
		{"clone ts", th.CloneTS > 0},
		{"fdlimit", th.FDLimit > 0},
		{"exe inode", th.ExeIno != 0 && th.ExeInoMtime != 0},
		{"container", th.ContainerID != ""},
		{"caps", th.CapEffective == capEff(t, pid)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s wrong: %+v", c.what, th)
		}
	}

	fds := map[int64]struct {
		typ  FDType
		name string
	}{
		3: {FDIPv4ServSock, fmt.Sprintf("127.0.0.1:%d", port)},
		4: {FDFileV2, path},
		5: {FDIPv4Sock, fmt.Sprintf("127.0.0.1:%d->127.0.0.1:%d", cport, port)},
	}
	for num, want := range fds {
		f := th.FD(num)
		if f == nil {
			t.Errorf("fd %d missing", num)
			continue
		}
		if f.Type != want.typ || f.Name != want.name {
			t.Errorf("fd %d = %v %q, want %v %q", num, f.Type, f.Name, want.typ, want.name)
		}
	}
	if f := th.FD(3); f != nil && (f.L4Proto != L4TCP || f.Role != RoleServer || f.SPort != uint16(port)) {
		t.Errorf("listening socket: %+v", f)
	}
	if f := th.FD(5); f != nil && (f.Role != RoleServer || f.L4Proto != L4TCP) {
		t.Errorf("accepted socket: %+v", f)
	}
	if f := th.FD(4); f != nil && (f.Flags&OpenRdwr != OpenRdonly || f.Ino == 0) {
		t.Errorf("file flags/ino: %+v", f)
	}
	if f := th.FD(6); f == nil || f.Type != FDFifo || !strings.HasPrefix(f.Name, "pipe:[") || f.Ino == 0 {
		t.Errorf("pipe: %+v", f)
	}
	if f := th.FD(7); f == nil || f.Type != FDIPv4ServSock || f.L4Proto != L4UDP {
		t.Errorf("udp socket: %+v", f)
	}
	for _, n := range []int64{0, 1, 2} {
		if th.FD(n) == nil {
			t.Errorf("stdio fd %d missing", n)
		}
	}

	// this test process: several threads sharing one fd table
	me := s.Thread(int64(os.Getpid()))
	if me == nil || me.NumThreads() < 2 {
		t.Fatalf("test process threads: %+v", me)
	}
	n := 0
	s.Threads(func(x *Thread) bool {
		if x.Pid == me.Pid {
			n++
			if x.FDs() != me.FDs() || x.Main() != me {
				t.Errorf("thread %d does not share its process", x.Tid)
			}
		}
		return true
	})
	if n != me.NumThreads() {
		t.Errorf("%d threads found, group says %d", n, me.NumThreads())
	}
	s.PublishStats()
	if st := s.Stats(); st.Threads != uint64(s.Len()) || st.FDs == 0 {
		t.Fatalf("stats %+v", st)
	}
	// pid 1 is the root of every parent chain
	depth := 0
	s.Ancestors(th, func(d int, a *Thread) bool { depth = d; return true })
	if depth == 0 {
		t.Fatal("no ancestors")
	}
}

func TestLiveMissingThreadFromProc(t *testing.T) {
	cmd, port, _, _ := startSleeper(t)
	pid := int64(cmd.Process.Pid)
	s := New(Config{ProcFS: "/proc"})
	f := newFeeder(t, s)
	s = f.do(event.SyscallReadX, pid, P{"res": 0, "fd": 3, "size": 1})
	th := s.EventThread()
	if th == nil || th.Invalid() || th.Comm != "sleep" || th.Pid != pid {
		t.Fatalf("live lookup of an unknown thread: %+v", th)
	}
	if fd, _ := s.EventFD(); fd == nil || fd.Name != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Fatalf("its fds: %+v", fd)
	}
	// a tid that does not exist becomes a placeholder
	s = f.do(event.SyscallReadX, 1<<30, P{"res": 0, "fd": 3, "size": 1})
	if th := s.EventThread(); th == nil || !th.Invalid() {
		t.Fatalf("nonexistent tid: %+v", th)
	}
}

func TestLivePurgeKeepsAliveThreads(t *testing.T) {
	cmd, _, _, _ := startSleeper(t)
	pid := int64(cmd.Process.Pid)
	s := New(Config{ProcFS: "/proc", PurgeInterval: 10_000_000_000, ThreadTimeout: 1_000_000_000})
	f := newFeeder(t, s)
	f.do(event.SyscallGetuidX, pid, P{})
	f.proc(1<<30-1, 1, "gone") // not in /proc
	for i := 0; i < 15; i++ {
		f.ts += 1_000_000_000
		f.do(event.SyscallGetuidX, 1<<30-2, P{})
	}
	if s.Thread(pid) == nil {
		t.Fatal("a live thread was purged")
	}
	if s.Thread(1<<30-1) != nil {
		t.Fatal("a thread gone from /proc was not purged")
	}
}

func mustLookPath(t *testing.T, name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, "%v", err)
	}
	return p
}

// skipOrFail skips a test that lacks something from the machine, except
// under CI=true, where that is a failure.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

func capEff(t *testing.T, pid int64) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	return statusHex(b, "CapEff:")
}

func TestProcParsers(t *testing.T) {
	comm, f, err := parseStat([]byte("42 (a (weird) name) S 1 42 42 34816 42 4194560 10 0 3 0 0 0 0 0 20 0 1 0 12345 1000 10"))
	if err != nil || comm != "a (weird) name" || fieldInt(f, 1) != 1 || fieldInt(f, 4) != 34816 || fieldInt(f, 19) != 12345 {
		t.Fatalf("stat: %q %v", comm, err)
	}
	if _, _, err := parseStat([]byte("garbage")); err == nil {
		t.Fatal("malformed stat accepted")
	}
	cg := parseProcCgroup([]byte("12:cpu,cpuacct:/docker/" + id64 + "\n1:name=systemd:/x\n0::/system.slice/docker-" + id64 + ".scope\n"))
	want := []Cgroup{{"cpu", "/docker/" + id64}, {"cpuacct", "/docker/" + id64}, {"systemd", "/x"}, {"", "/system.slice/docker-" + id64 + ".scope"}}
	if !slices.Equal(cg, want) {
		t.Fatalf("cgroup: %+v", cg)
	}
	if n := parseLimitsNofile([]byte("Limit Soft Hard Units\nMax open files            1024                 524288               files\n")); n != 1024 {
		t.Fatalf("limits: %d", n)
	}
	ip, port, ok := parseHexAddr("0100007F:1F90", false)
	if !ok || ip.String() != "127.0.0.1" || port != 8080 {
		t.Fatalf("ipv4 hex: %v %d", ip, port)
	}
	ip, port, ok = parseHexAddr("00000000000000000000000001000000:0016", true)
	if !ok || ip.String() != "::1" || port != 22 {
		t.Fatalf("ipv6 hex: %v %d", ip, port)
	}
	for _, bad := range []string{"", "zz:1", "0100007F", "0100007F:zzzzz", "0100:1"} {
		if _, _, ok := parseHexAddr(bad, false); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	m := map[uint64]*FD{}
	parseInetSockets([]byte(`  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0 20 4 30 10 -1
   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0 20 4 30 10 -1
   3: garbage
`), false, L4TCP, m)
	if f := m[111]; f == nil || f.Type != FDIPv4ServSock || f.Name != "127.0.0.1:8080" {
		t.Fatalf("listen row: %+v", f)
	}
	if f := m[222]; f == nil || f.Role != RoleServer || f.Name != "127.0.0.1:50000->127.0.0.1:8080" {
		t.Fatalf("accepted row: %+v", f)
	}
	if f := m[333]; f == nil || f.Role != RoleClient || f.Name != "127.0.0.1:50000->127.0.0.1:8080" {
		t.Fatalf("client row: %+v", f)
	}
	u := map[uint64]*FD{}
	parseUnixSockets([]byte("Num       RefCount Protocol Flags    Type St Inode Path\nffff9b0d01234000: 00000002 00000000 00010000 0001 01 4444 /run/dbus/system_bus_socket\nffff9b0d01234400: 00000003 00000000 00000000 0001 03 5555\n"), u)
	if f := u[4444]; f == nil || f.Type != FDUnixSock || f.Name != "/run/dbus/system_bus_socket" || f.UnixSrc != 0xffff9b0d01234000 {
		t.Fatalf("unix: %+v", f)
	}
	if f := u[5555]; f == nil || f.Name != "" {
		t.Fatalf("unnamed unix: %+v", f)
	}
	if got := openFlagsFromLinux(syscall.O_RDWR | syscall.O_APPEND | syscall.O_CLOEXEC | syscall.O_NONBLOCK); got != OpenRdwr|OpenAppend|OpenCloexec|OpenNonblock {
		t.Fatalf("flags %#x", got)
	}
	for kind, want := range map[string]FDType{"[eventfd]": FDEvent, "inotify": FDInotify, "[eventpoll]": FDEventpoll,
		"[signalfd]": FDSignalfd, "[timerfd]": FDTimerfd, "bpf-map": FDBPF, "bpf-prog": FDBPF, "[io_uring]": FDIOUring,
		"[pidfd]": FDPidfd, "[userfaultfd]": FDUserfaultfd, "[perf_event]": FDUnsupported} {
		if got := anonInodeType(kind); got != want {
			t.Errorf("anon_inode:%s = %v, want %v", kind, got, want)
		}
	}
}
