package state

import (
	"slices"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

func cloneParent(pid int64, res int64, flags uint32, comm string) P {
	return P{"res": res, "exe": "/bin/" + comm, "args": []string{"-c", "x"}, "tid": pid, "pid": pid, "ptid": 1,
		"cwd": "", "fdlimit": 1024, "comm": comm, "flags": flags, "uid": 1000, "gid": 1000,
		"vtid": pid, "vpid": pid, "pidns_init_start_ts": 5}
}

func TestCloneParentThenChild(t *testing.T) {
	f := newFeeder(t, nil)
	bash := f.proc(100, 1, "bash")
	f.open(100, 3, "/etc/hosts", OpenRdonly)

	// parent side: fork → child 200 inherits comm, args, fds, cwd
	s := f.do(event.SyscallCloneV20X, 100, cloneParent(100, 200, 0, "bash"))
	c := s.Thread(200)
	if c == nil {
		t.Fatal("child not created by the parent's clone exit")
	}
	if c.Pid != 200 || c.Ptid != 100 || c.Comm != "bash" || c.CWD() != "/home/u/" || c.Vtid != 200 || c.Vpid != 200 {
		t.Fatalf("child = pid %d ptid %d comm %q cwd %q vtid %d vpid %d", c.Pid, c.Ptid, c.Comm, c.CWD(), c.Vtid, c.Vpid)
	}
	if fd := c.FD(3); fd == nil || fd.Name != "/etc/hosts" {
		t.Fatalf("child fd 3 = %+v, want a copy of the parent's", fd)
	}
	if c.FDs() == bash.FDs() {
		t.Fatal("a forked process must not share the parent's fd table")
	}
	if p := s.Parent(c); p != bash {
		t.Fatalf("parent = %v", p)
	}
	added := s.stats.AddedThreads

	// child side, arriving second: refines the same entry, no new thread
	f.do(event.SyscallCloneV20X, 200, P{"res": 0, "exe": "/bin/bash", "args": []string{"-c", "x"}, "tid": 200, "pid": 200,
		"ptid": 100, "comm": "bash", "flags": 0, "uid": 1000, "gid": 1000, "vtid": 7, "vpid": 7, "pidns_init_start_ts": 9})
	if s.Thread(200) != c || s.stats.AddedThreads != added {
		t.Fatal("the child's clone exit replaced the entry made by the parent's")
	}
	if c.Vtid != 7 || c.Vpid != 7 || c.PidnsInitStartTS != 9 {
		t.Fatalf("child ids not refined: vtid %d vpid %d pidns %d", c.Vtid, c.Vpid, c.PidnsInitStartTS)
	}
	if s.EventThread() != c {
		t.Fatal("event thread of the child's clone exit is not the child")
	}
}

func TestCloneChildFirstThenParent(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "bash")
	f.open(100, 4, "/tmp/x", OpenWronly)
	s := f.do(event.SyscallCloneV20X, 300, P{"res": 0, "exe": "/bin/bash", "args": []string{}, "tid": 300, "pid": 300,
		"ptid": 100, "comm": "bash", "flags": 0, "uid": 0, "gid": 0, "vtid": 300, "vpid": 300})
	c := s.Thread(300)
	if c == nil || c.Ptid != 100 || c.UID != 0 {
		t.Fatalf("child = %+v", c)
	}
	if c.FD(4) == nil || c.FD(4).Name != "/tmp/x" {
		t.Fatal("child did not get the parent's fds")
	}
	// the parent's report, arriving later, must not replace it
	f.open(300, 5, "/tmp/y", OpenRdonly)
	f.do(event.SyscallCloneV20X, 100, cloneParent(100, 300, 0, "bash"))
	if s.Thread(300) != c || c.FD(5) == nil {
		t.Fatal("the parent's late clone exit replaced the child")
	}
}

func TestCloneThreadSharesProcess(t *testing.T) {
	f := newFeeder(t, nil)
	m := f.proc(100, 1, "java")
	s := f.do(event.SyscallCloneV20X, 100, cloneParent(100, 101, CloneThread|CloneVM|CloneFiles|CloneSighand, "java"))
	th := s.Thread(101)
	// a thread's parent is its process's main thread, as libs makes it
	if th == nil || th.Pid != 100 || th.Ptid != 100 || th.IsMain() || th.Main() != m || th.Main().Ptid != 1 {
		t.Fatalf("thread = %+v", th)
	}
	if th.FDs() != m.FDs() {
		t.Fatal("threads must share the fd table")
	}
	f.open(101, 7, "/var/log/app.log", OpenWronly|OpenAppend)
	if m.FD(7) == nil {
		t.Fatal("fd opened by a thread not visible to the main thread")
	}
	f.do(event.SyscallChdirX, 101, P{"res": 0, "path": "/srv"})
	if m.CWD() != "/srv/" {
		t.Fatalf("cwd changed by a thread: main sees %q", m.CWD())
	}
	if m.NumThreads() != 2 {
		t.Fatalf("threads = %d", m.NumThreads())
	}
}

func TestExecveUpdatesProcess(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "bash")
	f.open(100, 3, "/etc/keep", OpenRdonly)
	f.open(100, 4, "/etc/drop", OpenRdonly|OpenCloexec)
	s := f.do(event.SyscallExecveV19X, 100, P{
		"res": 0, "exe": "cat", "args": []string{"/etc/passwd", "-n"}, "tid": 100, "pid": 100, "ptid": 1,
		"cwd": "", "fdlimit": 4096, "comm": "cat", "cgroups": []string{"cpuset=/", "memory=/user.slice"},
		"env": []string{"HOME=/root", "PATH=/bin"}, "tty": 34816, "vpgid": 100, "loginuid": 1000,
		"flags": ExeWritable | ExeUpperLayer, "cap_inheritable": 0, "cap_permitted": 0x1ff, "cap_effective": 0xff,
		"exe_ino": 77, "exe_ino_ctime": 11, "exe_ino_mtime": 12, "uid": 0, "trusted_exepath": "/usr/bin/cat",
		"pgid": 100, "gid": 0, "filename": "/bin/cat",
	})
	th := s.Thread(100)
	checks := []struct {
		name string
		ok   bool
	}{
		{"comm", th.Comm == "cat"},
		{"exe", th.Exe == "cat"},
		{"exepath", th.ExePath == "/usr/bin/cat"},
		{"args", slices.Equal(th.Args, []string{"/etc/passwd", "-n"})},
		{"cmdline", string(th.AppendCmdline(nil)) == "cat /etc/passwd -n"},
		{"env", slices.Equal(th.Env, []string{"HOME=/root", "PATH=/bin"})},
		{"getenv", func() bool { v, ok := th.Getenv("HOME"); return ok && v == "/root" }()},
		{"getenv missing", func() bool { _, ok := th.Getenv("HOM"); return !ok }()},
		{"tty", th.TTY == 34816},
		{"loginuid", th.LoginUID == 1000},
		{"uid/gid", th.UID == 0 && th.GID == 0},
		{"caps", th.CapPermitted == 0x1ff && th.CapEffective == 0xff},
		{"exe flags", th.ExeWritable && th.ExeUpperLayer && !th.ExeFromMemfd},
		{"exe ino", th.ExeIno == 77 && th.ExeInoCtime == 11 && th.ExeInoMtime == 12},
		{"fdlimit", th.FDLimit == 4096},
		{"cwd kept (empty param)", th.CWD() == "/home/u/"},
		{"lastexec", th.LastExecTS == f.ts},
		{"vpgid leader", th.IsVpgidLeader()},
		{"container", th.ContainerID == "host"},
		{"cloexec fd closed", th.FD(4) == nil},
		{"other fd kept", th.FD(3) != nil},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s wrong: %+v", c.name, th)
		}
	}

	// a failed execve changes nothing
	f.do(event.SyscallExecveV19X, 100, P{"res": -2, "exe": "nope", "comm": "nope"})
	if th.Comm != "cat" {
		t.Fatalf("failed execve changed comm to %q", th.Comm)
	}
}

func TestExecveOldVersions(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "bash")
	// EXECVE_8_X: no comm parameter → comm derived from exe; no
	// trusted_exepath → an absolute exe is the path; the cwd parameter is
	// not used (an exec does not change the cwd)
	s := f.do(event.SyscallExecveV8X, 100, P{"res": 0, "exe": "/usr/bin/python3", "args": []string{"x.py"},
		"tid": 100, "pid": 100, "ptid": 1, "cwd": "/opt", "fdlimit": 1024})
	th := s.Thread(100)
	if th.Comm != "python3" || th.ExePath != "/usr/bin/python3" || th.CWD() != "/home/u/" || !slices.Equal(th.Args, []string{"x.py"}) {
		t.Fatalf("old execve: comm %q exepath %q cwd %q args %v", th.Comm, th.ExePath, th.CWD(), th.Args)
	}
	// the exe path from the enter event's filename, made absolute
	f.do(event.SyscallExecveV19E, 100, P{"filename": "bin/tool"})
	f.do(event.SyscallExecveV19X, 100, P{"res": 0, "exe": "tool", "args": []string{}, "tid": 100, "pid": 100, "ptid": 1, "comm": "tool"})
	if th.ExePath != "/home/u/bin/tool" || th.Comm != "tool" {
		t.Fatalf("exepath from the enter filename: %q", th.ExePath)
	}
	// an event written with fewer parameters than its type lists
	var b event.Builder
	b.Begin(event.SyscallExecveV16X, f.ts+1, 100)
	b.Int64(0)
	b.String("sh")
	b.Strings("-c", "ls")
	raw := b.Finish()
	var e event.Event
	if err := e.Reset(raw, 0); err != nil {
		t.Fatal(err)
	}
	s.Update(&e)
	if th.Comm != "sh" || th.ExePath != "" || !slices.Equal(th.Args, []string{"-c", "ls"}) {
		t.Fatalf("short execve: comm %q exepath %q args %v", th.Comm, th.ExePath, th.Args)
	}
}

func TestPlaceholderFilledByExecve(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(50, 1, "sshd")
	failed := f.s.stats.FailedThreadLookups
	s := f.do(event.SyscallReadX, 77, P{"res": 10, "fd": 0, "size": 10})
	th := s.EventThread()
	if th == nil || !th.Invalid() || th.Comm != "<NA>" || th.Pid != 77 || th.Ptid != -1 {
		t.Fatalf("unknown thread: %+v", th)
	}
	if st := s.stats; st.FailedThreadLookups != failed+1 {
		t.Fatalf("failed lookups = %d, want %d", st.FailedThreadLookups, failed+1)
	}
	f.do(event.SyscallExecveV19X, 77, P{"res": 0, "exe": "/bin/ls", "tid": 77, "pid": 77, "ptid": 50, "comm": "ls"})
	th = s.Thread(77)
	if th.Invalid() || th.Pid != 77 || th.Ptid != 50 || th.Comm != "ls" || s.Parent(th).Comm != "sshd" {
		t.Fatalf("placeholder not filled: %+v", th)
	}
}

func TestProcexitRemovesAfterNextEvent(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "sh")
	s := f.do(event.ProcexitV1E, 100, P{"status": 0, "ret": 0, "sig": 0, "core": 0, "reaper_tid": 0})
	if s.EventThread() == nil || s.Thread(100) == nil {
		t.Fatal("the procexit event must still have its thread")
	}
	f.do(event.SyscallGetuidX, 1, P{})
	if s.Thread(100) != nil {
		t.Fatal("exited thread not removed after the next event")
	}
	if s.stats.RemovedThreads == 0 {
		t.Fatal("removal not counted")
	}
	// an old procexit (no params) works too
	f.proc(101, 1, "sh")
	f.do(event.ProcexitE, 101, P{})
	f.do(event.SyscallGetuidX, 1, P{})
	if s.Thread(101) != nil {
		t.Fatal("old procexit did not remove")
	}
}

func TestReparenting(t *testing.T) {
	exit := func(f *feeder, tid, reaper int64) {
		f.do(event.ProcexitV1E, tid, P{"status": 0, "ret": 0, "sig": 0, "core": 0, "reaper_tid": reaper})
		f.do(event.SyscallGetuidX, 1, P{})
	}
	t.Run("kernel reaper", func(t *testing.T) {
		f := newFeeder(t, nil)
		f.proc(1, 0, "init")
		f.proc(10, 1, "sub")
		f.proc(20, 10, "mid")
		c := f.proc(30, 20, "leaf")
		exit(f, 20, 10)
		if c.Ptid != 10 || f.s.Parent(c).Comm != "sub" {
			t.Fatalf("ptid = %d", c.Ptid)
		}
	})
	t.Run("subreaper ancestor", func(t *testing.T) {
		f := newFeeder(t, nil)
		f.proc(1, 0, "init")
		f.proc(10, 1, "containerd-shim")
		f.do(event.SyscallPrctlX, 10, P{"res": 0, "option": prSetChildSubreaper, "arg2_int": 1})
		f.proc(20, 10, "mid")
		f.proc(25, 20, "mid2")
		c := f.proc(30, 25, "leaf")
		exit(f, 25, 0)
		if c.Ptid != 10 {
			t.Fatalf("orphan went to %d, want the subreaper 10", c.Ptid)
		}
	})
	t.Run("init", func(t *testing.T) {
		f := newFeeder(t, nil)
		f.proc(1, 0, "init")
		f.proc(20, 1, "mid")
		c := f.proc(30, 20, "leaf")
		exit(f, 20, 0)
		if c.Ptid != 1 {
			t.Fatalf("orphan went to %d, want init", c.Ptid)
		}
	})
	t.Run("no reaper", func(t *testing.T) {
		f := newFeeder(t, nil)
		f.proc(20, 5, "mid")
		c := f.proc(30, 20, "leaf")
		exit(f, 20, 0)
		if c.Ptid != 0 {
			t.Fatalf("ptid = %d, want 0", c.Ptid)
		}
	})
	t.Run("thread of the same process", func(t *testing.T) {
		f := newFeeder(t, nil)
		f.proc(1, 0, "init")
		f.proc(20, 1, "server")
		f.do(event.SyscallCloneV20X, 20, cloneParent(20, 21, CloneThread, "server"))
		fork := cloneParent(20, 40, 0, "server") // thread 21 (of process 20) forks 40
		fork["tid"], fork["vtid"] = 21, 21
		f.do(event.SyscallCloneV20X, 21, fork)
		c := f.s.Thread(40)
		if c.Ptid != 21 {
			t.Fatalf("ptid = %d", c.Ptid)
		}
		exit(f, 21, 0)
		if c.Ptid != 20 {
			t.Fatalf("orphan went to %d, want the live main thread 20", c.Ptid)
		}
	})
}

func TestDeadMainThreadKeptForGroup(t *testing.T) {
	f := newFeeder(t, nil)
	m := f.proc(100, 1, "app")
	f.open(100, 3, "/data", OpenRdonly)
	f.do(event.SyscallCloneV20X, 100, cloneParent(100, 101, CloneThread, "app"))
	f.do(event.ProcexitV1E, 100, P{"status": 0, "ret": 0, "sig": 0, "core": 0, "reaper_tid": 0})
	s := f.do(event.SyscallReadX, 101, P{"res": 1, "fd": 3, "size": 1})
	if s.Thread(100) != m || !m.Dead() {
		t.Fatal("dead main thread must stay while the process has threads")
	}
	if fd, _ := s.EventFD(); fd == nil || fd.Name != "/data" {
		t.Fatal("thread lost the process's fds when the main thread exited")
	}
	fds := s.stats.FDs
	f.do(event.ProcexitV1E, 101, P{"status": 0, "ret": 0, "sig": 0, "core": 0, "reaper_tid": 0})
	f.do(event.SyscallGetuidX, 1, P{})
	if s.Thread(100) != nil || s.Thread(101) != nil {
		t.Fatal("process not removed with its last thread")
	}
	if s.stats.FDs != fds-1 {
		t.Fatalf("fd gauge %d, want %d", s.stats.FDs, fds-1)
	}
}

func TestCredsSessionGroup(t *testing.T) {
	f := newFeeder(t, nil)
	th := f.proc(100, 1, "su")
	f.do(event.SyscallSetuidX, 100, P{"res": 0, "uid": 0})
	f.do(event.SyscallSetgidX, 100, P{"res": 0, "gid": 0})
	if th.UID != 0 || th.GID != 0 {
		t.Fatalf("setuid/setgid: %d %d", th.UID, th.GID)
	}
	f.do(event.SyscallSetresuidX, 100, P{"res": 0, "ruid": 5, "euid": 33, "suid": -1})
	f.do(event.SyscallSetresgidX, 100, P{"res": 0, "rgid": 5, "egid": uint32(noID), "sgid": 6})
	if th.UID != 33 || th.GID != 0 {
		t.Fatalf("setresuid/setresgid: %d %d", th.UID, th.GID)
	}
	f.do(event.SyscallSetuidX, 100, P{"res": -1, "uid": 7})
	if th.UID != 33 {
		t.Fatal("failed setuid applied")
	}
	f.do(event.SyscallCapsetX, 100, P{"res": 0, "cap_inheritable": 1, "cap_permitted": 3, "cap_effective": 2})
	if th.CapInheritable != 1 || th.CapPermitted != 3 || th.CapEffective != 2 {
		t.Fatal("capset not applied")
	}
	c := f.proc(200, 100, "worker")
	f.do(event.SyscallChrootX, 200, P{"res": 0, "path": "jail"})
	if c.Root != "/home/u/jail" {
		t.Fatalf("chroot: %q", c.Root)
	}
}

func TestChdir(t *testing.T) {
	f := newFeeder(t, nil)
	th := f.proc(100, 1, "sh")
	for _, c := range []struct{ path, want string }{
		{"/var/log", "/var/log/"},
		{"..", "/var/"},
		{"lib/./apt//", "/var/lib/apt/"},
		{"../../..", "/"},
		{"../x", "/x/"},
	} {
		f.do(event.SyscallChdirX, 100, P{"res": 0, "path": c.path})
		if th.CWD() != c.want {
			t.Errorf("chdir %q: cwd %q, want %q", c.path, th.CWD(), c.want)
		}
	}
	f.do(event.SyscallChdirX, 100, P{"res": -2, "path": "/nope"})
	if th.CWD() != "/x/" {
		t.Fatal("failed chdir applied")
	}
	f.do(event.SyscallOpenatV2X, 100, P{"fd": 5, "dirfd": AtFDCWD, "name": "/etc", "flags": OpenRdonly | OpenDirectory})
	f.do(event.SyscallFchdirX, 100, P{"res": 0, "fd": 5})
	if th.CWD() != "/etc/" {
		t.Fatalf("fchdir: %q", th.CWD())
	}
}

func TestAncestors(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(1, 0, "systemd")
	f.proc(10, 1, "sshd")
	f.proc(20, 10, "bash")
	c := f.proc(30, 20, "vim")
	s := f.s
	want := []string{"bash", "sshd", "systemd"}
	var got []string
	s.Ancestors(c, func(d int, a *Thread) bool {
		if d != len(got)+1 {
			t.Fatalf("depth %d", d)
		}
		got = append(got, a.Comm)
		return true
	})
	if !slices.Equal(got, want) {
		t.Fatalf("ancestors %v, want %v", got, want)
	}
	if a := s.Ancestor(c, 2); a == nil || a.Comm != "sshd" {
		t.Fatalf("aname[2] = %v", a)
	}
	if s.Ancestor(c, 0) != c || s.Ancestor(c, 4) != nil {
		t.Fatal("ancestor bounds")
	}
	// a cycle in the parent chain ends the walk
	s.Thread(1).Ptid = 30
	n := 0
	s.Ancestors(c, func(int, *Thread) bool { n++; return true })
	if n > 4 {
		t.Fatalf("walked %d ancestors through a cycle", n)
	}
}

func TestThreadTableLimit(t *testing.T) {
	f := newFeeder(t, New(Config{MaxThreads: 3}))
	f.proc(1, 0, "a")
	f.proc(2, 1, "b")
	f.proc(3, 1, "c")
	f.do(event.SyscallCloneV20X, 1, cloneParent(1, 4, 0, "a"))
	if f.s.Thread(4) != nil || f.s.stats.DropsFullThreadTable != 1 {
		t.Fatalf("table over its bound: len %d drops %d", f.s.Len(), f.s.stats.DropsFullThreadTable)
	}
	f.s.PublishStats()
	if st := f.s.Stats(); st.Threads != 3 || st.DropsFullThreadTable != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPurgeInactiveThreads(t *testing.T) {
	// advance event time by 20 s with events from thread 1 only
	idle20s := func(s *State) {
		f := newFeeder(t, s)
		f.proc(1, 0, "busy")
		f.proc(2, 1, "idle")
		for i := 0; i < 20; i++ {
			f.ts += 1_000_000_000
			f.do(event.SyscallGetuidX, 1, P{})
		}
	}
	s := New(Config{PurgeInterval: 10_000_000_000, ThreadTimeout: 5_000_000_000})
	idle20s(s)
	if s.Thread(2) != nil {
		t.Fatal("idle thread not purged")
	}
	if s.Thread(1) == nil {
		t.Fatal("busy thread purged")
	}
	if s.stats.PurgedThreads != 1 {
		t.Fatalf("purged = %d", s.stats.PurgedThreads)
	}

	// a negative interval disables purging
	s = New(Config{PurgeInterval: -1, ThreadTimeout: 5_000_000_000})
	idle20s(s)
	if s.Thread(2) == nil || s.stats.PurgedThreads != 0 {
		t.Fatalf("purged with purging disabled: %d", s.stats.PurgedThreads)
	}
}
