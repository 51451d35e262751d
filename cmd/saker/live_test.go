package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/internal/sysdigdiff"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// requireLive skips (or, under CI=true, fails) when live capture cannot
// run here: it needs root for BPF.
func requireLive(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("live capture test in -short mode")
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("live capture needs root under CI=true")
		}
		t.Skip("live capture needs root")
	}
}

// workload runs short commands until ctx ends, so a recording started at
// an unknown moment (loading the programs takes seconds) sees them.
func workload(ctx context.Context, dir string) {
	for i := 0; ctx.Err() == nil; i++ {
		f := filepath.Join(dir, "w"+strings.Repeat("x", i%3))
		_ = exec.Command("sh", "-c", "cat /etc/hostname > "+f+"; ls "+dir+" > /dev/null; rm -f "+f).Run()
		time.Sleep(50 * time.Millisecond)
	}
}

// fdParam matches a parameter rendered with an fd annotation:
// name=NUM(<type>name).
// PPM fcntl command codes (receiver/event's fcntl_commands table).
const (
	fcntlDupFD        = 0x1
	fcntlDupFDCloexec = 0x1a
)

var fdParam = regexp.MustCompile(`(\w+)=(-?\d+\(<[^>]*>[^)]*\))`)

// fdTag matches an fd annotation: "(<f>/etc/passwd)".
var fdTag = regexp.MustCompile(`\(<[^>]*>[^)]*\)`)

// paramName matches a parameter's name in a printed event, and
// annotation what sysdig appends to a value in parentheses.
var (
	paramName  = regexp.MustCompile(`(^| )[a-z_0-9]+=`)
	annotation = regexp.MustCompile(`\([^()]*\)`)
)

// paramValues returns a printed event's parameter values (what follows
// its type) as the kernel wrote them: without fd annotations, without the
// names of values (flag and errno names: sysdig 0.29's tables lack the
// newer ones, such as O_F_CREATED), without parameter names (some were
// renamed since: execve's pgid is vpgid now) and trailing spaces.
func paramValues(line string) string {
	f := strings.SplitN(line, " ", 8)
	if len(f) < 8 {
		return ""
	}
	v := annotation.ReplaceAllString(fdTag.ReplaceAllString(f[7], ""), "")
	return strings.TrimRight(paramName.ReplaceAllString(v, "$1="), " ")
}

// fdParams returns the fd-annotated parameters of a printed event by name.
func fdParams(line string) map[string]string {
	m := map[string]string{}
	for _, g := range fdParam.FindAllStringSubmatch(line, -1) {
		m[g[1]] = g[2]
	}
	return m
}

// A capture written by `saker record` is read by sysdig 0.29 exactly as
// saker reads it: the same events (number, type, thread, direction), the
// same fd names and, for the scripted workload, the same parameter
// values, event by event.
func TestRecordReadableBySysdig(t *testing.T) {
	requireLive(t)
	sysdig := oracle.Sysdig(t)
	dir := t.TempDir()
	capture := filepath.Join(dir, "rec.scap")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { workload(ctx, dir); close(done) }()
	_, errs, code := saker(t, "record", "-w", capture, "--duration", "6s", "-o", "syslog_output.enabled=false")
	cancel()
	<-done
	if code != 0 {
		t.Fatalf("record: exit %d: %s", code, errs)
	}

	ours, errs, code := saker(t, "replay", capture, "--print-events")
	if code != 0 {
		t.Fatalf("replay --print-events: exit %d: %s", code, errs)
	}
	theirs, err := sysdigdiff.RunSysdig(sysdig, capture)
	if err != nil {
		t.Fatal(err)
	}
	renumbered, workers := analyse(t, capture, dir)
	a, b := lines(ours), lines(string(theirs))
	if len(a) != len(b) {
		t.Fatalf("saker printed %d events, sysdig %d", len(a), len(b))
	}
	if len(a) < 100 {
		t.Fatalf("only %d events recorded", len(a))
	}
	var cats, fdNames, stale, params int
	for i := range a {
		fa, fb := strings.Fields(a[i]), strings.Fields(b[i])
		if len(fa) < 7 || len(fb) < 7 {
			t.Fatalf("event %d: short line\nsaker:  %s\nsysdig: %s", i, a[i], b[i])
		}
		// evt.num time cpu proc.name (tid) dir type
		for _, col := range []int{0, 1, 2, 4, 5, 6} {
			if fa[col] != fb[col] {
				t.Fatalf("event %d column %d differs\nsaker:  %s\nsysdig: %s", i, col, a[i], b[i])
			}
		}
		// Live events carry every parameter of the newest event version;
		// sysdig 0.29 prints only the parameters its older table lists (a
		// close exit shows res, not fd). Every fd parameter both print must
		// name the same fd.
		//
		// One difference is accepted, and only where it is explained: an
		// fd number that an event sysdig 0.29 cannot interpret gave a new
		// meaning. sysdig 0.29 does not know the dup2/dup3 event types
		// (363/365 are past its table), and its fcntl exit event has no
		// cmd (it took it from the enter event, which current captures do
		// not have), so it cannot see F_DUPFD. For such an fd its table is
		// stale and it names the fd as it was before.
		tid, _ := strconv.ParseInt(strings.Trim(fa[4], "()"), 10, 64)
		if !workers[tid] {
			// fd names are compared for the scripted workload's processes:
			// the rest of the machine runs programs whose fds were set up
			// before the capture in ways sysdig 0.29 cannot follow in an
			// exit-only capture (see below).
			continue
		}
		pa, pb := fdParams(a[i]), fdParams(b[i])
		if fa[6] == "fcntl" {
			// fcntl's return value is an fd only for F_DUPFD*; sysdig 0.29
			// types it as an fd and annotates it for every command.
			delete(pa, "res")
			delete(pb, "res")
		}
		for name, vb := range pb {
			va, ok := pa[name]
			fdNames++
			if ok && va == vb {
				continue
			}
			num, _ := strconv.ParseInt(vb[:strings.IndexByte(vb, '(')], 10, 64)
			if ok && renumbered[tid][num] {
				stale++
				continue
			}
			t.Fatalf("event %d: %s is %q in saker, %q in sysdig (not explained by a dup2/dup3)\nsaker:  %s\nsysdig: %s", i, name, va, vb, a[i], b[i])
		}
		if fa[3] == "cat" && fa[6] == "openat" && strings.Contains(a[i], "/etc/hostname") {
			cats++
		}
		// Every parameter value sysdig 0.29 prints, saker prints the same:
		// newer event versions only append parameters, so sysdig's values
		// are a prefix of saker's once the fd annotations (compared above)
		// and the names of values are set aside. Both read the same bytes:
		// this checks saker's decoding and rendering of live events (read,
		// write, mmap, brk, fstat, access, getdents64, prlimit, ... of cat
		// and ls) against sysdig's, beyond what the traces hold.
		sa, sb := paramValues(a[i]), paramValues(b[i])
		if !strings.HasPrefix(sa, sb) {
			t.Fatalf("event %d: sysdig prints parameters saker does not\nsaker:  %s\nsysdig: %s", i, a[i], b[i])
		}
		if sb != "" {
			params++
		}
	}
	if len(workers) == 0 {
		t.Fatal("the workload's processes are not in the capture")
	}
	if cats == 0 {
		t.Errorf("the workload's open of /etc/hostname by cat is not in the capture (%d events)", len(a))
	}
	if params == 0 {
		t.Error("no event of the workload had parameters to compare")
	}
	t.Logf("%d events, %d fd names (%d stale in sysdig after a dup2/dup3 it cannot read), %d of the workload's events with the same parameters as sysdig's, %d cat opens of /etc/hostname",
		len(a), fdNames, stale, params, cats)
}

// analyse reads the capture with saker and returns, per thread, the fd
// numbers that a dup2/dup3 or an fcntl F_DUPFD/F_DUPFD_CLOEXEC made point
// elsewhere in that thread or in an ancestor before it was cloned (a child
// inherits its parent's fd table), and the threads of the scripted
// workload: the shells whose command line names dir, and their
// descendants.
func analyse(t *testing.T, path, dir string) (map[int64]map[int64]bool, map[int64]bool) {
	t.Helper()
	r, err := scap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[int64]map[int64]bool{}
	workers := map[int64]bool{}
	inherit := func(child, parent int64) {
		if workers[parent] {
			workers[child] = true
		}
		for fd := range out[parent] {
			if out[child] == nil {
				out[child] = map[int64]bool{}
			}
			out[child][fd] = true
		}
	}
	var ev event.Event
	for {
		if err := r.Next(&ev); err != nil {
			if errors.Is(err, io.EOF) {
				return out, workers
			}
			t.Fatal(err)
		}
		tid := ev.Tid()
		switch ev.Type() {
		case event.SyscallDup2X, event.SyscallDup3X, event.SyscallFcntlX:
			if ev.Type() == event.SyscallFcntlX {
				cmd, _ := ev.Uint(ev.ParamIndex("cmd"))
				if cmd != fcntlDupFD && cmd != fcntlDupFDCloexec {
					continue
				}
			}
			if res, ok := ev.Int(0); ok && res >= 0 {
				if out[tid] == nil {
					out[tid] = map[int64]bool{}
				}
				out[tid][res] = true
			}
		case event.SyscallExecveV19X:
			for l := ev.Strings(ev.ParamIndex("args")); ; {
				a, ok := l.Next()
				if !ok {
					break
				}
				if strings.Contains(a, dir) {
					workers[tid] = true
				}
			}
		case event.SyscallCloneV20X, event.SyscallForkV20X, event.SyscallVforkV20X, event.SyscallClone3X:
			res, _ := ev.Int(0)
			if res > 0 {
				inherit(res, tid)
			} else if ptid, ok := ev.Int(ev.ParamIndex("ptid")); ok && res == 0 {
				inherit(tid, ptid)
			}
		}
	}
}

// `saker run` traces the syscalls its rules name even when they have no
// dedicated event type (truncate and ftruncate are generic events): the
// rule fires on a live truncate, and the alert reaches stdout before the
// run ends.
func TestRunDetectsGenericSyscall(t *testing.T) {
	requireLive(t)
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "r.yaml")
	target := filepath.Join(dir, "victim")
	rule := "- rule: truncate seen\n  desc: test\n  condition: evt.type in (truncate, ftruncate) and proc.cmdline contains " + filepath.Base(dir) + "\n" +
		"  output: truncated (type=%evt.type proc=%proc.name)\n  priority: WARNING\n"
	if err := os.WriteFile(rulesFile, []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	// saker does not trace its own process (this test binary): the
	// truncate runs in a child.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			_ = exec.Command("truncate", "-s", "0", target).Run()
			time.Sleep(100 * time.Millisecond)
		}
	}()
	out, errs, code := saker(t, "run", "-r", rulesFile, "--duration", "6s",
		"-o", "syslog_output.enabled=false", "-o", "webserver.enabled=false")
	cancel()
	<-done
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "Warning truncated (type=") || !strings.Contains(out, "proc=truncate)") {
		t.Fatalf("no alert for the child's truncate:\n%s\n%s", out, errs)
	}
}
