package fields_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// evt.abspath against sysdig 0.29: the shared traces have no event it
// applies to, so the test writes a capture (receiver/scap) with one event
// of each kind — paths relative to the cwd, to a known dirfd and to an
// unknown one, absolute paths to clean — and compares, event by event,
// what sysdig prints for evt.abspath, .src and .dst with saker's values.
func TestAbspathMatchesSysdig(t *testing.T) {
	bin := oracle.Sysdig(t)
	md := oracleProcess("/home/alice/")
	md.FDs = []scap.FD{{Tid: 300, FD: 6, Type: scap.FDDirectory, Name: "/srv/data"}}
	c := newOracleCapture(t, md)
	emit := c.emit
	rename := func(typ event.Type, od int64, op string, nd int64, np string) {
		emit(typ, func(b *event.Builder) {
			b.Int64(0)
			b.Int64(od)
			b.String(op)
			b.Int64(nd)
			b.String(np)
			if typ == event.SyscallRenameat2X {
				b.Uint32(0)
			}
		})
	}
	rename(event.SyscallRenameatX, -100, "a/../b", 6, "c")
	rename(event.SyscallRenameatX, 42, "x", -100, "/tmp//y/")
	rename(event.SyscallRenameat2X, 6, "./p", 6, "q/r")
	emit(event.SyscallMkdiratX, func(b *event.Builder) { b.Int64(0); b.Int64(6); b.String("d"); b.Uint32(0o755) })
	emit(event.SyscallSymlinkatX, func(b *event.Builder) { b.Int64(0); b.String("/t"); b.Int64(-100); b.String("l") })
	emit(event.SyscallUnlinkatV2X, func(b *event.Builder) { b.Int64(0); b.Int64(6); b.String("u"); b.Uint32(0) })
	emit(event.SyscallLinkatV2X, func(b *event.Builder) {
		b.Int64(0)
		b.Int64(6)
		b.String("o")
		b.Int64(-100)
		b.String("n")
		b.Uint32(0)
	})
	emit(event.SyscallFchmodatX, func(b *event.Builder) { b.Int64(0); b.Int64(6); b.String("m"); b.Uint32(0o644) })
	emit(event.SyscallOpenatV2X, func(b *event.Builder) {
		b.Int64(7)
		b.Int64(6)
		b.String("f")
		b.Uint32(1)
		b.Uint32(0)
		b.Uint32(0)
		b.Uint64(0)
	})
	emit(event.SyscallReadE, func(b *event.Builder) { b.Int64(7); b.Uint32(10) })
	path, evs := c.close()

	names := []string{"evt.abspath", "evt.abspath.src", "evt.abspath.dst"}
	resolved := compareWithSysdig(t, bin, path, md, evs, names)
	if resolved == 0 {
		t.Error("no evt.abspath value on any event: the comparison proves nothing")
	}
}

// compareWithSysdig prints names (-p "*%a|%b...") with sysdig for every
// event of the capture at path (metadata md, events evs) and requires
// saker's values, <NA> where a field has none, to be the same, event by
// event. It returns how many values saker resolved.
func compareWithSysdig(t *testing.T, bin, path string, md *scap.Metadata, evs []*event.Event, names []string) (resolved int) {
	t.Helper()
	lines := sysdigPrint(t, bin, path, names, len(evs))
	for i, got := range sakerValues(t, md, evs, names) {
		for _, v := range got {
			if v != "<NA>" {
				resolved++
			}
		}
		if g := strings.Join(got, "|"); g != lines[i] {
			t.Errorf("%s: saker %q, sysdig %q", evs[i].Name(), g, lines[i])
		}
	}
	return resolved
}

// sakerValues replays evs (after metadata md) through state and gives
// the values of names ("evt.res", "evt.arg.uid", "evt.arg[0]") for each
// as outputs print them (sysdig -p's rendering), <NA> where a field has
// none.
func sakerValues(t *testing.T, md *scap.Metadata, evs []*event.Event, names []string) [][]string {
	t.Helper()
	st := state.New(state.Config{})
	st.LoadCapture(md)
	ctx := &fields.Ctx{State: st}
	bs := make([]*fields.Bound, len(names))
	for i, n := range names {
		var a fields.Arg
		if j := strings.IndexByte(n, '['); j > 0 && strings.HasSuffix(n, "]") {
			n, a = n[:j], fields.Arg{Set: true, Text: n[j+1 : len(n)-1]}
		}
		var err error
		if bs[i], err = fields.Default.Bind(n, a); err != nil {
			t.Fatal(err)
		}
	}
	out := make([][]string, len(evs))
	for i, e := range evs {
		st.Update(e)
		ctx.Reset(e)
		out[i] = make([]string, len(bs))
		for j, b := range bs {
			var v fields.Value
			out[i][j] = "<NA>"
			if b.Extract(ctx, &v) {
				out[i][j] = string(b.AppendText(nil, &v)) // as outputs print it
			}
		}
	}
	return out
}

// sysdigPrint is what sysdig prints for names (-p "*%a|%b...") on each of
// the n events of the capture at path, a line an event.
func sysdigPrint(t *testing.T, bin, path string, names []string, n int) []string {
	t.Helper()
	cmd := exec.Command(bin, "-r", path, "-p", "*%"+strings.Join(names, "|%"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sysdig: %v: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("sysdig printed %d lines for %d events:\n%s", len(lines), n, out)
	}
	return lines
}

// oracleCapture is a capture written for sysdig to read: metadata, then
// events built one by one, kept for saker to replay the same.
type oracleCapture struct {
	t    *testing.T
	path string
	w    *scap.Writer
	evs  []*event.Event
}

func newOracleCapture(t *testing.T, md *scap.Metadata) *oracleCapture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "oracle.scap")
	w, err := scap.Create(path, md, scap.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &oracleCapture{t: t, path: path, w: w}
}

// emit writes an event of type typ by thread 300, 1 µs after the last,
// its parameters written by f.
func (c *oracleCapture) emit(typ event.Type, f func(b *event.Builder)) {
	var b event.Builder
	b.Begin(typ, uint64(ts0)+uint64(len(c.evs)+1)*1000, 300)
	f(&b)
	e, err := event.Parse(append([]byte(nil), b.Finish()...), 0)
	if err != nil {
		c.t.Fatal(err)
	}
	c.evs = append(c.evs, e)
	if err := c.w.WriteEvent(e); err != nil {
		c.t.Fatal(err)
	}
}

// close ends the capture: its path and its events.
func (c *oracleCapture) close() (string, []*event.Event) {
	if err := c.w.Close(); err != nil {
		c.t.Fatal(err)
	}
	return c.path, c.evs
}

// oracleProcess is the metadata of a capture with one process, app
// (tid 300, cwd cwd).
func oracleProcess(cwd string) *scap.Metadata {
	return &scap.Metadata{Major: 1, Minor: 2, Machine: &scap.MachineInfo{NumCPUs: 1, Hostname: "h"},
		Processes: []scap.Process{{Tid: 300, Pid: 300, Ptid: 1, Comm: "app", Exe: "app", ExePath: "/usr/bin/app", Cwd: cwd,
			Vtid: 300, Vpid: 300, LoginUID: ^uint32(0), FDLimit: 1024}},
	}
}
