package state

import (
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// Live: the child's side of a clone whose parent saker never saw (a thread
// born after /proc was read, whose clone was not traced) reads the parent
// from /proc, so the child inherits its cwd and fds and has a parent to
// name. Found by the live tests (internal/livetest): children of the
// untraced test process had no proc.pname, proc.cwd or fds.
func TestLiveCloneChildOfUnknownParent(t *testing.T) {
	cmd, _, _, path := startSleeper(t)
	parent := int64(cmd.Process.Pid)
	s := New(Config{ProcFS: "/proc"})
	f := newFeeder(t, s)
	child := int64(1<<30 - 3) // not in /proc
	s = f.do(event.SyscallForkV20X, child, P{"res": 0, "exe": "sleep", "args": []string{"300"}, "tid": child, "pid": child,
		"ptid": parent, "comm": "sleep", "flags": 0, "uid": 0, "gid": 0, "vtid": child, "vpid": child})
	c := s.Thread(child)
	if c == nil || c.Ptid != parent {
		t.Fatalf("child = %+v", c)
	}
	p := s.Parent(c)
	if p == nil || p.Comm != "sleep" || p.Pid != parent {
		t.Fatalf("parent of the child = %+v, want sleep (%d) from /proc", p, parent)
	}
	if fd := c.FD(4); fd == nil || fd.Name != path {
		t.Fatalf("child fd 4 = %+v, want the parent's %s", fd, path)
	}
	if c.CWD() == "" || c.CWD() != p.CWD() {
		t.Fatalf("child cwd %q, parent's %q", c.CWD(), p.CWD())
	}
}

// The child's side of a clone3 that created a thread can carry garbage
// flags (read from the creator's memory after it was reused; seen live
// under load): a child whose tid differs from its pid is a thread of that
// process all the same, sharing its fd table. Found by the live tests.
func TestCloneChildThreadByIDs(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "java")
	s := f.do(event.SyscallClone3X, 101, P{"res": 0, "exe": "java", "args": []string{}, "tid": 101, "pid": 100,
		"ptid": 1, "comm": "java", "flags": 0, "uid": 0, "gid": 0, "vtid": 101, "vpid": 100})
	th := s.Thread(101)
	if th == nil || th.Pid != 100 || th.IsMain() {
		t.Fatalf("thread = %+v", th)
	}
	f.open(100, 7, "/tmp/shared", OpenRdonly)
	if fd := s.Thread(101).FD(7); fd == nil || fd.Name != "/tmp/shared" {
		t.Fatalf("the thread does not share its process's fds: %+v", fd)
	}
	if p := s.Parent(th); p == nil || p.Tid != 100 {
		t.Fatalf("parent of the thread = %+v, want its main thread", p)
	}
}
