package fields_test

import (
	"path/filepath"
	"testing"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// evt.res, evt.args and evt.arg.res of a failed call against sysdig 0.29,
// for every errno value 1-139 and 500-539 (the named ones and their
// neighbours): the errno name where libs has one, the number where it has
// none.
func TestErrnoNamesMatchSysdig(t *testing.T) {
	bin := sysdigOracle(t)
	md := &scap.Metadata{Major: 1, Minor: 2, Machine: &scap.MachineInfo{NumCPUs: 1, Hostname: "h"},
		Processes: []scap.Process{{Tid: 300, Pid: 300, Ptid: 1, Comm: "app", Exe: "app", ExePath: "/usr/bin/app", Cwd: "/",
			Vtid: 300, Vpid: 300, LoginUID: ^uint32(0), FDLimit: 1024}},
	}
	path := filepath.Join(t.TempDir(), "errno.scap")
	w, err := scap.Create(path, md, scap.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*event.Event
	add := func(n int64) {
		var b event.Builder
		b.Begin(event.SyscallCloseX, uint64(ts0)+uint64(len(evs))*1000, 300)
		b.Int64(-n) // res only: sysdig 0.29's close has no fd parameter
		e, err := event.Parse(append([]byte(nil), b.Finish()...), 0)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
		if err := w.WriteEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	for n := int64(1); n < 140; n++ {
		add(n)
	}
	for n := int64(500); n < 540; n++ {
		add(n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	compareWithSysdig(t, bin, path, md, evs, []string{"evt.res", "evt.args", "evt.arg.res"})
}
