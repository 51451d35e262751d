package fields_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// Helpers of the tests that compare saker's fields with sysdig 0.29's
// output on captures they write (abspath_sysdig_test.go,
// paramnames_sysdig_test.go).

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
