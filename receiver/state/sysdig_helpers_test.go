package state

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// trace is a capture built by a test: metadata and events, written with
// package scap's writer so that sysdig 0.29 (the oracle for how libs
// keeps state) and saker replay the same bytes.
type trace struct {
	tb testing.TB
	md scap.Metadata
	ev [][]byte
	ts uint64
}

func newTrace(tb testing.TB) *trace {
	return &trace{tb: tb, md: scap.Metadata{Major: 1, Minor: 2}, ts: 1_700_000_000_000_000_000}
}

// proc adds a process-list entry (a main thread) with cwd /.
func (tr *trace) proc(pid, ppid int64, comm string, args ...string) *scap.Process {
	tr.md.Processes = append(tr.md.Processes, scap.Process{
		Tid: pid, Pid: pid, Ptid: ppid, Sid: pid, Vpgid: pid, Pgid: pid, Comm: comm, Exe: comm,
		ExePath: "/usr/bin/" + comm, Args: args, Cwd: "/", FDLimit: 1024, Vtid: pid, Vpid: pid, Root: "/",
		LoginUID: noID,
	})
	return &tr.md.Processes[len(tr.md.Processes)-1]
}

// add appends an event with the next timestamp.
func (tr *trace) add(typ event.Type, tid int64, p P) {
	tr.tb.Helper()
	tr.ts += 1000
	tr.ev = append(tr.ev, mk(tr.tb, typ, tr.ts, tid, p))
}

// addFirst appends an event written with only the first n parameters of
// its type (old captures have events with fewer parameters than the
// current table); p names some of them.
func (tr *trace) addFirst(typ event.Type, tid int64, n int, p P) {
	tr.tb.Helper()
	tr.ts += 1000
	var b event.Builder
	b.Begin(typ, tr.ts, tid)
	for _, pi := range typ.Info().Params[:n] {
		v, ok := p[pi.Name]
		if !ok {
			b.Empty()
			continue
		}
		if err := put(&b, pi.Type, v); err != nil {
			tr.tb.Fatalf("%v param %s: %v", typ, pi.Name, err)
		}
	}
	tr.ev = append(tr.ev, append([]byte(nil), b.Finish()...))
}

// write writes the capture to a temporary file and returns its path.
func (tr *trace) write() string {
	tr.tb.Helper()
	path := filepath.Join(tr.tb.TempDir(), "t.scap")
	w, err := scap.Create(path, &tr.md, scap.WriterOptions{})
	if err != nil {
		tr.tb.Fatal(err)
	}
	var e event.Event
	for _, raw := range tr.ev {
		if err := e.Reset(raw, 0); err != nil {
			tr.tb.Fatal(err)
		}
		if err := w.WriteEvent(&e); err != nil {
			tr.tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tr.tb.Fatal(err)
	}
	return path
}

// replay reads the written capture back as saker replays one (state from
// the metadata, every event converted, then applied) and calls fn after
// each event with the event's number (1-based, as sysdig's evt.num).
func (tr *trace) replay(path string, fn func(num int, s *State, e *event.Event)) *State {
	tr.tb.Helper()
	r, err := scap.Open(path)
	if err != nil {
		tr.tb.Fatal(err)
	}
	defer r.Close()
	s := New(Config{})
	s.LoadCapture(r.Metadata())
	cv := scap.NewConverter()
	var e event.Event
	for n := 1; ; n++ {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tr.tb.Fatal(err)
		}
		ce := cv.Convert(&e)
		s.Update(ce)
		if fn != nil {
			fn(n, s, ce)
		}
	}
	if err := s.checkInvariants(); err != nil {
		tr.tb.Fatal(err)
	}
	return s
}

// sysdigLines runs `sysdig -r path -p format [filter]` and returns its
// output lines. sysdig is required under CI=true; the test is skipped
// without it otherwise.
func sysdigLines(tb testing.TB, path, format string, filter ...string) []string {
	tb.Helper()
	bin := oracle.Sysdig(tb)
	cmd := exec.Command(bin, append([]string{"-r", path, "-p", format}, filter...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		tb.Fatalf("sysdig: %v: %s", err, errb.String())
	}
	s := strings.TrimRight(out.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
