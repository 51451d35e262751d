package rules

import (
	"errors"
	"io"
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// A rule on syscalls that have no dedicated event type (madvise,
// clock_gettime; sigreturn is a PPM_SC name only) loads, is indexed on the
// generic event types (as Falco maps them) and fires on exactly the
// generic events of the capture that carry those syscalls, enter and exit
// — an old capture's generic exit event has no nativeID, only the ID.
func TestRuleOnGenericSyscalls(t *testing.T) {
	l := NewLoader(Config{})
	res := l.Load("generic.yaml", []byte(`
- rule: generic syscalls
  desc: memory advice and clock reads
  condition: evt.type in (madvise, clock_gettime, sigreturn)
  output: "%evt.type by %proc.name"
  priority: NOTICE
`))
	if len(res.Errors) > 0 || len(res.Warnings) > 0 {
		t.Fatalf("load: errors %v warnings %v", res.Errors, res.Warnings)
	}
	rs := l.Ruleset()
	if rs == nil || len(rs.Rules) != 1 {
		t.Fatal("no ruleset")
	}
	r := rs.Rules[0]
	if got := rs.EventTypes(); len(got) != 2 || got[0] != event.GenericE || got[1] != event.GenericX {
		t.Fatalf("indexed on %v, want the generic events", got)
	}
	want := map[string]bool{"madvise": true, "clock_gettime": true, "sigreturn": true}
	total := 0
	for _, trace := range []string{"traces/falco-test/syscall.scap", "traces/libs/curl_google.scap", "traces/falco-test/psp/run_as_user_0_container.scap"} {
		f, err := scap.Open(research(t, trace))
		if err != nil {
			t.Fatal(err)
		}
		st := state.New(state.Config{})
		st.LoadCapture(f.Metadata())
		conv := scap.NewConverter()
		ctx := &fields.Ctx{State: st}
		var e event.Event
		matched, expected := 0, 0
		for {
			err := f.Next(&e)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			st.Update(conv.Convert(&e))
			if f.Visibility() != scap.Visible {
				continue
			}
			if t := e.Type(); t == event.GenericE || t == event.GenericX {
				id, _ := e.Uint(0)
				if want[fields.PPMSyscallName(id)] {
					expected++
				}
			}
			ctx.Reset(&e)
			rs.Match(ctx, true, func(m *Rule) {
				if m != r {
					t.Errorf("matched %s", m.Name)
				}
				matched++
			})
		}
		f.Close()
		if matched != expected {
			t.Errorf("%s: rule matched %d events, the capture has %d generic events of those syscalls", trace, matched, expected)
		}
		total += matched
	}
	if total == 0 {
		t.Error("no generic event of those syscalls on the traces: the test proves nothing")
	}
}
