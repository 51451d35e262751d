package scap

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
)

// writeSequence writes a capture with one thread and the named events, in
// order, and returns its path.
func writeSequence(t *testing.T, seq []string) string {
	t.Helper()
	md := &Metadata{Processes: []Process{{Tid: 100, Pid: 100, Ptid: 1, Comm: "cat", Exe: "cat", Vtid: 100, Vpid: 100, LoginUID: noLoginUID}}}
	path := filepath.Join(t.TempDir(), "seq.scap")
	w, err := Create(path, md, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	ts := uint64(1700000000000000000)
	for _, s := range seq {
		ts += 1000
		switch s {
		case "user":
			b.Begin(event.UserAddedE, ts, -1)
			b.Uint32(5)
			b.Uint32(5)
			b.String("bob")
			b.String("/home/bob")
			b.String("/bin/sh")
			b.String("")
		case "group":
			b.Begin(event.GroupAddedE, ts, -1)
			b.Uint32(5)
			b.String("bob")
			b.String("")
		case "container":
			b.Begin(event.ContainerJsonE, ts, -1)
			b.String(`{"container":{"id":"abc","type":0,"name":"x","image":"y"}}`)
		case "procinfo":
			b.Begin(event.ProcinfoE, ts, 100)
			b.Uint64(1)
			b.Uint64(1)
		case "close":
			b.Begin(event.SyscallCloseE, ts, 100)
			b.Int64(3)
		default:
			t.Fatalf("unknown event %q", s)
		}
		if err := w.WriteRaw(b.Finish(), 0, 0, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNumberingMatchesSysdig checks the numbering rules on synthetic
// captures against sysdig: initial-state events at the start are numbered
// but hidden, internal events numbered but hidden, event types sysdig 0.29
// does not know neither numbered nor shown.
func TestNumberingMatchesSysdig(t *testing.T) {
	oracle.Sysdig(t)
	for _, seq := range []string{
		"user,user,close,close,user,group,container,close",
		"container,user,container,close,procinfo,close",
		"procinfo,user,close,container",
		"close,user,close",
		"container,container",
	} {
		t.Run(seq, func(t *testing.T) {
			path := writeSequence(t, strings.Split(seq, ","))
			ours, _ := visibleViews(t, path)
			want := sysdigViews(t, path)
			if len(want) == 1 && want[0] == "" {
				want = nil
			}
			if strings.Join(ours, "\n") != strings.Join(want, "\n") {
				t.Errorf("saker:\n%s\nsysdig:\n%s", strings.Join(ours, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestNumberAll(t *testing.T) {
	path := writeSequence(t, []string{"container", "user", "close", "group", "close"})
	r, err := OpenOptions(path, Options{Numbering: NumberAll})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var e event.Event
	wantVis := []Visibility{HiddenInitialState, HiddenInitialState, Visible, Visible, Visible}
	for i := range wantVis {
		if err := r.Next(&e); err != nil {
			t.Fatal(err)
		}
		if e.Num != uint64(i+1) || r.Visibility() != wantVis[i] {
			t.Errorf("event %d (%v): num %d visibility %v, want %d %v", i, e.Type(), e.Num, r.Visibility(), i+1, wantVis[i])
		}
	}
}
