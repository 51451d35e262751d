package state

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// TestSnapshotRoundTrip bootstraps from this machine's /proc, writes the
// state as a capture (PL/FDL/UL blocks) with saker's writer, and checks
// that saker reads the same state back and that sysdig reads it too.
func TestSnapshotRoundTrip(t *testing.T) {
	cmd, port, cport, path := startSleeper(t)
	pid := int64(cmd.Process.Pid)
	s := New(Config{})
	if err := s.LoadProc("/proc"); err != nil {
		t.Fatal(err)
	}
	if err := s.Users().LoadEtc("/"); err != nil {
		t.Fatal(err)
	}
	md := s.Snapshot(SnapshotOptions{})
	if len(md.Processes) != s.Len() || len(md.Users) != s.Users().NumUsers() || len(md.Groups) != s.Users().NumGroups() {
		t.Fatalf("snapshot sizes: %d/%d processes, %d users, %d groups", len(md.Processes), s.Len(), len(md.Users), len(md.Groups))
	}

	file := filepath.Join(t.TempDir(), "snap.scap")
	w, err := scap.Create(file, md, scap.WriterOptions{Gzip: true})
	if err != nil {
		t.Fatal(err)
	}
	// a read of fd 3, 4 and 5 by the sleeper: enter (which sysdig 0.29
	// takes the fd from) and exit
	var b event.Builder
	ts := uint64(1_700_000_000_000_000_000)
	write := func() {
		var e event.Event
		if err := e.Reset(b.Finish(), 0); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteEvent(&e); err != nil {
			t.Fatal(err)
		}
	}
	for _, fd := range []int64{3, 4, 5} {
		ts += 1000
		b.Begin(event.SyscallReadE, ts, pid)
		b.Int64(fd)
		b.Uint32(0)
		write()
		b.Begin(event.SyscallReadX, ts+1, pid)
		b.Int64(0)
		b.Bytes(nil)
		b.Int64(fd)
		b.Uint32(0)
		write()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// saker reads back the same state
	r, err := scap.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s2 := New(Config{})
	s2.LoadCapture(r.Metadata())
	if s2.Len() != s.Len() {
		t.Fatalf("threads: %d, want %d", s2.Len(), s.Len())
	}
	s.Threads(func(a *Thread) bool {
		b := s2.Thread(a.Tid)
		if b == nil {
			t.Errorf("thread %d lost", a.Tid)
			return true
		}
		// the PL format bounds args and env
		if a.Pid != b.Pid || a.Ptid != b.Ptid || a.Comm != b.Comm || a.Exe != b.Exe || a.ExePath != b.ExePath ||
			!slices.Equal(capList(a.Args, maxRecordList), b.Args) || !slices.Equal(capList(a.Env, maxRecordList), b.Env) || a.CWD() != b.CWD() || a.UID != b.UID ||
			a.LoginUID != b.LoginUID || a.CapEffective != b.CapEffective || a.ContainerID != b.ContainerID ||
			a.Vpid != b.Vpid || a.Sid != b.Sid || a.Vpgid != b.Vpgid || a.TTY != b.TTY || a.ExeIno != b.ExeIno ||
			a.PidnsInitStartTS != b.PidnsInitStartTS || a.FDLimit != b.FDLimit || !slices.Equal(a.Cgroups, b.Cgroups) {
			t.Errorf("thread %d differs:\n got %+v\nwant %+v", a.Tid, b, a)
			return true
		}
		if a.IsMain() {
			a.FDs().All(func(fa *FD) bool {
				fb := b.FD(fa.Num)
				// open flags and dev are in the FDL format only for files;
				// kinds sysdig 0.29 does not know are written as unsupported
				want := fa.Type
				if want > FDFileV2 {
					want = FDUnsupported
				}
				if fb == nil || fb.Type != want || fb.Name != fa.Name || fb.Ino != fa.Ino ||
					fa.Type == FDFileV2 && (fb.Flags != fa.Flags || fb.Dev != fa.Dev) ||
					fb.L4Proto != fa.L4Proto || fb.SIP != fa.SIP || fb.SPort != fa.SPort || fb.CIP != fa.CIP || fb.CPort != fa.CPort {
					t.Errorf("pid %d fd %d: got %+v, want %+v", a.Pid, fa.Num, fb, fa)
				}
				return true
			})
		}
		return true
	})
	if u := s2.Users(); u.NumUsers() != s.Users().NumUsers() || u.UserName(0) != s.Users().UserName(0) {
		t.Fatal("users differ")
	}

	// sysdig reads it: the sleeper's events with its process and fds
	sysdig := oracle.Sysdig(t)
	out, err := exec.Command(sysdig, "-r", file, "-p", "*%proc.name|%proc.cmdline|%proc.pname|%fd.num|%fd.type|%fd.name|%user.name").CombinedOutput()
	if err != nil {
		t.Fatalf("sysdig: %v\n%s", err, out)
	}
	var lines []string
	for i, l := range strings.Split(strings.TrimSpace(string(bytes.TrimSpace(out))), "\n") {
		if i%2 == 1 { // exit events
			lines = append(lines, l)
		}
	}
	parent := s.Parent(s.Thread(pid)).Comm
	user := s.Users().UserName(uint32(os.Geteuid()))
	want := []string{
		fmt.Sprintf("sleep|sleep 300|%s|3|ipv4|127.0.0.1:%d|%s", parent, port, user),
		fmt.Sprintf("sleep|sleep 300|%s|4|file|%s|%s", parent, path, user),
		fmt.Sprintf("sleep|sleep 300|%s|5|ipv4|127.0.0.1:%d->127.0.0.1:%d|%s", parent, cport, port, user),
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("sysdig prints\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
