package childtest_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/internal/childtest"
	"github.com/sakersec/saker/receiver/event"
)

const (
	workloadEnv = "SAKER_CHILDTEST_WORKLOAD"
	noWaitEnv   = "SAKER_CHILDTEST_NOWAIT"
)

// workloads are this package's own children: they exercise the protocol
// and the syscall families the suites share.
var workloads = childtest.NewSet(workloadEnv, noWaitEnv, map[string]childtest.Func{
	"report": func(args []string, out map[string]any) int {
		out["args"] = args
		out["main_thread"] = unix.Gettid() == unix.Getpid()
		out["second_stage"] = os.Getenv(noWaitEnv) != ""
		return 0
	},
	"status": func(args []string, out map[string]any) int {
		n, _ := strconv.Atoi(args[0])
		return n
	},
	"fds": func(args []string, out map[string]any) int {
		childtest.DupCalls(out)
		childtest.Pipes(out)
		childtest.AnonFDs(out)
		return 0
	},
	"process": func(args []string, out map[string]any) int {
		childtest.ForkExit(out, "fork", 7)
		childtest.Clone3Killed(out)
		childtest.TkillTgkill(out, unix.Getpid())
		return 0
	},
	"creds": func(args []string, out map[string]any) int {
		if unix.Geteuid() == 0 {
			childtest.RootIDs(out)
		}
		childtest.CapsetPrctl(out, func(data *[2]unix.CapUserData) {
			out["cap_eff_seen"] = childtest.CapEff(data)
		})
		return 0
	},
	"net": func(args []string, out map[string]any) int {
		srv, cli, acc := childtest.TCPPair(out, "", false, unix.SOCK_CLOEXEC)
		out["srv_cloexec"] = fdCloexec(srv)
		childtest.SendRecv(out, cli, acc)
		childtest.TCPPair(out, "v6", true, 0)
		childtest.UDPExchange(out)
		childtest.RefusedConnect(out)
		childtest.SocketPair(out)
		return 0
	},
})

// stage executes the binary again as "report", without a second go line.
// It is added by init: a workload that refers to the Set cannot be in the
// Set's initializer.
func init() {
	workloads.Add("stage", func(args []string, out map[string]any) int {
		err := syscall.Exec(os.Args[0], append([]string{os.Args[0]}, args...), workloads.StageEnv("report"))
		out["error"] = err.Error()
		return 3
	})
}

func fdCloexec(fd int64) bool {
	f, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil && f&unix.FD_CLOEXEC != 0
}

func TestMain(m *testing.M) {
	workloads.Main()
	os.Exit(m.Run())
}

// run runs a workload to its end and returns what it printed.
func run(t *testing.T, want int, name string, args ...string) childtest.Result {
	t.Helper()
	c := childtest.Start(t, name, workloads.Command(name, args...))
	c.Go()
	c.Finish(t, want, nil, 0, nil)
	return c.Result(t)
}

func TestProtocol(t *testing.T) {
	r := run(t, 0, "report", "a", "-test.v=true", "b")
	if got, _ := r["args"].([]any); !slices.Equal(got, []any{"a", "b"}) {
		t.Errorf("args %v, want [a b] (test flags dropped)", r["args"])
	}
	if r["main_thread"] != true {
		t.Errorf("the workload did not run on the main thread")
	}
	if r["second_stage"] != false {
		t.Errorf("second_stage %v", r["second_stage"])
	}
}

func TestExitStatus(t *testing.T) {
	if r := run(t, 7, "status", "7"); len(r) != 0 {
		t.Errorf("result %v, want {}", r)
	}
}

func TestUnknownWorkload(t *testing.T) {
	r := run(t, childtest.ExitUnknown, "nonesuch")
	if len(r) != 0 {
		t.Errorf("result %v, want none", r)
	}
}

// A child whose stdin closes before the go line does not run its workload.
func TestNoGoLine(t *testing.T) {
	c := childtest.Start(t, "report", workloads.Command("report"))
	c.Finish(t, childtest.ExitNoGo, nil, 0, nil)
	if r := c.Result(t); len(r) != 0 {
		t.Errorf("result %v, want none", r)
	}
	if c.Stderr() == "" {
		t.Errorf("no reason on stderr")
	}
}

// A second stage started with the no-wait variable does not wait for a go
// line the first stage already read.
func TestSecondStage(t *testing.T) {
	r := run(t, 0, "stage", "x")
	if r["second_stage"] != true || r["main_thread"] != true {
		t.Errorf("result %v, want the second stage's report", r)
	}
	if got, _ := r["args"].([]any); !slices.Equal(got, []any{"x"}) {
		t.Errorf("args %v, want [x]", r["args"])
	}
}

// Environ drops the selection: a program a workload starts is not a
// workload, and a second stage's selection is the only one.
func TestEnviron(t *testing.T) {
	t.Setenv(workloadEnv, "report")
	t.Setenv(noWaitEnv, "1")
	env := workloads.Environ("X=1")
	if slices.Contains(env, workloadEnv+"=report") || slices.Contains(env, noWaitEnv+"=1") || env[len(env)-1] != "X=1" {
		t.Errorf("Environ kept the selection or lost the extra: %v", env)
	}
	n := 0
	for _, e := range workloads.StageEnv("fds") {
		if strings.HasPrefix(e, workloadEnv+"=") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("StageEnv has %d selections, want 1", n)
	}
}

func TestFinishWaitsForExited(t *testing.T) {
	exited := make(chan struct{})
	c := childtest.Start(t, "report", workloads.Command("report"))
	c.Go()
	go func() { time.Sleep(10 * time.Millisecond); close(exited) }()
	c.Finish(t, 0, exited, 10*time.Second, nil)
	select {
	case <-exited:
	default:
		t.Fatal("Finish returned before exited was closed")
	}
}

func TestResult(t *testing.T) {
	r := childtest.Result{"n": 3.0, "big": "18446744073709551", "s": "text"}
	if got := r.Num(t, "n"); got != 3 {
		t.Errorf("Num(n) = %d", got)
	}
	if got := r.Num(t, "big"); got != 18446744073709551 {
		t.Errorf("Num(big) = %d", got)
	}
	if got := r.Str(t, "s"); got != "text" {
		t.Errorf("Str(s) = %q", got)
	}
}

func TestRawAndMust(t *testing.T) {
	out := map[string]any{}
	r, e := childtest.Raw(unix.SYS_CLOSE, ^uintptr(0))
	childtest.Must(out, "close", r, e)
	if r != -int64(unix.EBADF) || e != unix.EBADF {
		t.Errorf("close(-1) = %d, %v; want -EBADF", r, e)
	}
	if out["close"] != r || out["close_err"] != unix.EBADF.Error() {
		t.Errorf("Must recorded %v", out)
	}
	if pid, e := childtest.Raw(unix.SYS_GETPID); pid != int64(os.Getpid()) || e != 0 {
		t.Errorf("getpid = %d, %v", pid, e)
	}
	out = map[string]any{}
	fd, e := childtest.Raw(unix.SYS_OPENAT, childtest.AtFDCWD, uintptr(childtest.CStr("/dev/null")), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	childtest.Must(out, "open", fd, e)
	if e != 0 || fd < 0 {
		t.Fatalf("openat(AT_FDCWD, /dev/null) = %d, %v", fd, e)
	}
	unix.Close(int(fd))
	if _, ok := out["open_err"]; ok {
		t.Errorf("Must recorded an error for a success: %v", out)
	}
}

func TestSockaddr(t *testing.T) {
	if sa := childtest.Sockaddr4(0x1234); sa.Port != 0x3412 || sa.Addr != [4]byte{127, 0, 0, 1} || sa.Family != unix.AF_INET {
		t.Errorf("Sockaddr4 = %+v", sa)
	}
	cli, srv, err := childtest.LoopbackPair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(cli)
	defer unix.Close(srv)
	unix.Write(cli, []byte("x"))
	buf := make([]byte, 1)
	if n, err := unix.Read(srv, buf); n != 1 || err != nil || buf[0] != 'x' {
		t.Errorf("read %d %q %v from the server end", n, buf, err)
	}
	if childtest.LocalPort(srv) <= 0 {
		t.Errorf("LocalPort of the server end = %d", childtest.LocalPort(srv))
	}
}

func TestFamilies(t *testing.T) {
	t.Run("fds", func(t *testing.T) {
		r := run(t, 0, "fds")
		for k, want := range map[string]int64{"dup2": 100, "dup3": 101, "pipe": 0, "pipe2": 0} {
			if got := r.Num(t, k); got != want {
				t.Errorf("%s = %d, want %d", k, got, want)
			}
		}
		if r.Num(t, "fcntl") < 200 || r.Num(t, "dup") < 0 || r.Num(t, "memfd") < 0 {
			t.Errorf("fcntl %v dup %v memfd %v", r["fcntl"], r["dup"], r["memfd"])
		}
		if r.Num(t, "pipe_ino") == 0 || r.Num(t, "pipe_r") == r.Num(t, "pipe_w") {
			t.Errorf("pipe %v", r)
		}
	})
	t.Run("process", func(t *testing.T) {
		r := run(t, 0, "process")
		if r.Num(t, "fork") <= 0 || r.Num(t, "clone3") <= 0 || r.Num(t, "tkill") != 0 || r.Num(t, "tgkill") != 0 {
			t.Errorf("result %v", r)
		}
	})
	t.Run("net", func(t *testing.T) {
		r := run(t, 0, "net")
		for _, k := range []string{"bind", "listen", "connect", "v6bind", "v6listen", "v6connect", "socketpair"} {
			if got := r.Num(t, k); got != 0 {
				t.Errorf("%s = %d (%v)", k, got, r[k+"_err"])
			}
		}
		if r["srv_cloexec"] != true {
			t.Errorf("the listener is not close-on-exec")
		}
		for _, k := range []string{"sendto", "recvfrom"} {
			if got := r.Num(t, k); got != int64(len("hello saker")) {
				t.Errorf("%s = %d", k, got)
			}
		}
		for _, k := range []string{"sendmsg", "recvmsg"} {
			if got := r.Num(t, k); got != int64(len("udp-data")) {
				t.Errorf("%s = %d", k, got)
			}
		}
		if got := r.Num(t, "refused"); got != -int64(unix.ECONNREFUSED) {
			t.Errorf("refused = %d", got)
		}
		if r.Num(t, "sport") <= 0 || r.Num(t, "cport") <= 0 || r.Num(t, "u1port") <= 0 {
			t.Errorf("ports %v", r)
		}
	})
	t.Run("creds", func(t *testing.T) {
		r := run(t, 0, "creds")
		keys := []string{"capset", "prctl"}
		if os.Geteuid() == 0 {
			keys = append(keys, "setuid", "setgid")
		}
		for _, k := range keys {
			if got := r.Num(t, k); got != 0 {
				t.Errorf("%s = %d (%v)", k, got, r[k+"_err"])
			}
		}
		if r.Str(t, "cap_eff") != r.Str(t, "cap_eff_seen") {
			t.Errorf("cap_eff %v, adjust saw %v", r["cap_eff"], r["cap_eff_seen"])
		}
	})
	t.Run("meta", func(t *testing.T) {
		dir := t.TempDir()
		out := map[string]any{}
		childtest.Meta(dir, "f4", out)
		for _, k := range []string{"mkdir", "mkdirat", "rmdir", "unlinkat_dir", "rename", "renameat", "renameat2",
			"link", "linkat", "symlink", "symlinkat", "chmod", "fchmodat", "unlink", "unlinkat", "fchmod"} {
			if got, _ := out[k].(int64); got != 0 {
				t.Errorf("%s = %d (%v)", k, got, out[k+"_err"])
			}
		}
		if target, err := os.Readlink(dir + "/s1"); err != nil || target != "f4" {
			t.Errorf("s1 -> %q, %v; want f4", target, err)
		}
	})
}

// clone builds a clone exit event of tid with the given res, pid and ptid.
func clone(t *testing.T, typ event.Type, tid, res, pid, ptid int64) *event.Event {
	t.Helper()
	var b event.Builder
	b.Begin(typ, 1, tid)
	for _, p := range typ.Info().Params {
		switch p.Name {
		case "res":
			b.Int64(res)
		case "pid":
			b.Int64(pid)
		case "ptid":
			b.Int64(ptid)
		case "tid":
			b.Int64(tid)
		default:
			b.Empty()
		}
	}
	ev, err := event.Parse(b.Finish(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func plain(t *testing.T, typ event.Type, tid int64) *event.Event {
	t.Helper()
	var b event.Builder
	b.Begin(typ, 1, tid)
	for range typ.Info().Params {
		b.Empty()
	}
	ev, err := event.Parse(b.Finish(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

type watcher struct {
	childtest.Watch
	name string
}

func TestTree(t *testing.T) {
	var tree childtest.Tree[*watcher]
	a := tree.Watch(100, &watcher{name: "a"})
	tree.Watch(500, &watcher{name: "b"})
	route := func(ev *event.Event) string {
		w, ok := tree.Route(ev)
		if !ok {
			return ""
		}
		return w.name
	}
	steps := []struct {
		what string
		ev   *event.Event
		want string
	}{
		{"the root", plain(t, event.SyscallOpenatV2X, 100), "a"},
		{"another process", plain(t, event.SyscallOpenatV2X, 999), ""},
		{"fork, parent's side", clone(t, event.SyscallForkV20X, 100, 101, 100, 1), "a"},
		{"the forked child", plain(t, event.SyscallOpenatV2X, 101), "a"},
		{"clone3, child's side first", clone(t, event.SyscallClone3X, 102, 0, 102, 100), "a"},
		{"the clone3 child", plain(t, event.SyscallOpenatV2X, 102), "a"},
		// A thread's ptid is its process's parent, watched by b here: the
		// thread still belongs to its process.
		{"a thread of 102, child's side", clone(t, event.SyscallCloneV20X, 103, 0, 102, 500), "a"},
		{"that thread", plain(t, event.SyscallOpenatV2X, 103), "a"},
		{"b's child, child's side", clone(t, event.SyscallVforkV20X, 501, 0, 501, 500), "b"},
		{"b's child, parent's side", clone(t, event.SyscallVforkV20X, 500, 501, 500, 1), "b"},
		{"an unwatched clone", clone(t, event.SyscallCloneV20X, 900, 0, 900, 899), ""},
		{"its child", plain(t, event.SyscallOpenatV2X, 900), ""},
	}
	for _, s := range steps {
		if got := route(s.ev); got != s.want {
			t.Errorf("%s: routed to %q, want %q", s.what, got, s.want)
		}
	}

	select {
	case <-a.Exited():
		t.Fatal("exited before the procexit")
	default:
	}
	a.NoteExit(plain(t, event.ProcexitV1E, 101)) // not the root
	a.NoteExit(plain(t, event.SyscallOpenatV2X, 100))
	select {
	case <-a.Exited():
		t.Fatal("exited at another thread's procexit or another event")
	default:
	}
	a.NoteExit(plain(t, event.ProcexitV1E, 100))
	a.NoteExit(plain(t, event.ProcexitV1E, 100)) // seen twice: no panic
	<-a.Exited()
	if a.Root() != 100 {
		t.Errorf("Root = %d", a.Root())
	}

	tree.Unwatch(a)
	for _, tid := range []int64{100, 101, 102, 103} {
		if got := route(plain(t, event.SyscallOpenatV2X, tid)); got != "" {
			t.Errorf("tid %d routed to %q after Unwatch", tid, got)
		}
	}
	if got := route(plain(t, event.SyscallOpenatV2X, 501)); got != "b" {
		t.Errorf("b's child routed to %q after a's Unwatch", got)
	}
}

func TestLoop(t *testing.T) {
	ev := plain(t, event.SyscallOpenatV2X, 1)
	seen := make(chan struct{}, 1)
	returned := false
	run := func(ctx context.Context, handle func(*event.Event)) error {
		handle(ev)
		<-ctx.Done()
		returned = true
		return ctx.Err()
	}
	l := childtest.StartLoop(run, func(*event.Event) {
		select {
		case seen <- struct{}{}:
		default:
		}
	})
	<-seen
	l.Stop()
	if !returned {
		t.Error("Stop returned before run did")
	}
}
