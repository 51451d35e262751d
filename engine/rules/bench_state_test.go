package rules

import (
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/output"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// benchState is a process tree for the no-match events: myapp (tid 100,
// the openat) and ls (tid 101, the execve), children of bash, child of
// sshd, child of systemd.
func benchState() *state.State {
	st := state.New(state.Config{})
	st.LoadCapture(&scap.Metadata{Processes: []scap.Process{
		{Tid: 1, Pid: 1, Comm: "systemd", Exe: "/sbin/init", ExePath: "/usr/lib/systemd/systemd", Cwd: "/", Vtid: 1, Vpid: 1, LoginUID: 0xffffffff},
		{Tid: 50, Pid: 50, Ptid: 1, Comm: "sshd", Exe: "/usr/sbin/sshd", ExePath: "/usr/sbin/sshd", Args: []string{"-D"}, Cwd: "/", Vtid: 50, Vpid: 50, LoginUID: 0xffffffff},
		{Tid: 60, Pid: 60, Ptid: 50, Comm: "bash", Exe: "-bash", ExePath: "/usr/bin/bash", Cwd: "/home/user", UID: 1000, GID: 1000, Vtid: 60, Vpid: 60, LoginUID: 1000, TTY: 34816},
		{Tid: 100, Pid: 100, Ptid: 60, Comm: "myapp", Exe: "./myapp", ExePath: "/home/user/bin/myapp", Args: []string{"--serve"}, Cwd: "/home/user", UID: 1000, GID: 1000, Vtid: 100, Vpid: 100, LoginUID: 1000},
		{Tid: 101, Pid: 101, Ptid: 60, Comm: "ls", Exe: "ls", ExePath: "/usr/bin/ls", Args: []string{"-l"}, Cwd: "/home/user", UID: 1000, GID: 1000, Vtid: 101, Vpid: 101, LoginUID: 1000},
	}})
	return st
}

// BenchmarkEvalHEADNoMatchWithState is BenchmarkEvalHEADNoMatch with a
// process tree, so that proc.*, user.* and fd.* checks run for real; each
// iteration includes the state update of the event.
func BenchmarkEvalHEADNoMatchWithState(b *testing.B) {
	rs := loadHEAD(b)
	evs := noMatchEvents(b)
	st := benchState()
	ctx := &fields.Ctx{State: st}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		e := evs[n%len(evs)]
		n++
		st.Update(e)
		ctx.Reset(e)
		rs.Match(ctx, true, func(r *Rule) { b.Fatalf("unexpected match of %s", r.Name) })
	}
}

func TestEvalNoMatchWithStateAllocatesNothing(t *testing.T) {
	rs := loadHEAD(t)
	evs := noMatchEvents(t)
	st := benchState()
	ctx := &fields.Ctx{State: st}
	var matched []string
	run := func() {
		for _, e := range evs {
			st.Update(e)
			ctx.Reset(e)
			rs.Match(ctx, true, func(r *Rule) { matched = append(matched, r.Name) })
		}
	}
	run() // warm up: state interns names, extractors size their buffers
	// The state really feeds the fields: render some for the first event.
	f, err := output.Compile("%proc.name %proc.pname %proc.aname[2] %fd.name %user.uid", nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Update(evs[0])
	ctx.Reset(evs[0])
	if got := string(f.Append(nil, ctx)); got != "myapp bash sshd /home/user/notes.txt 1000" {
		t.Errorf("state fields render %q", got)
	}
	allocs := testing.AllocsPerRun(200, run)
	if len(matched) != 0 {
		t.Errorf("matches on no-match events: %v", matched[:min(len(matched), 5)])
	}
	if allocs != 0 {
		t.Errorf("%.1f allocations per evaluation, want 0", allocs)
	}
}
