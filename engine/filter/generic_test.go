package filter

import (
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

func genericEvent(t *testing.T, typ event.Type, name string) *event.Event {
	t.Helper()
	id := -1
	for i := 0; i < 1024; i++ {
		if fields.PPMSyscallName(uint64(i)) == name {
			id = i
			break
		}
	}
	if id < 0 {
		t.Fatalf("no PPM_SC code for %s", name)
	}
	var b event.Builder
	b.Begin(typ, 1470327477881781397, 42)
	b.Uint16(uint16(id))
	e, err := event.Parse(append([]byte(nil), b.Finish()...), 0)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A syscall without a dedicated event type is delivered as a generic
// event: evt.type names it, indexes the generic types (libs'
// names_to_event_set) and selects the generic events carrying it — also
// for PPM_SC names the x86_64 table lacks (sigreturn).
func TestGenericSyscallTypes(t *testing.T) {
	for _, c := range []struct {
		cond, syscall string
		want          bool
	}{
		{"evt.type = madvise", "madvise", true},
		{"evt.type = madvise", "clock_gettime", false},
		{"evt.type in (madvise, open)", "madvise", true},
		{"evt.type != madvise", "madvise", false},
		{"evt.type = sigreturn", "sigreturn", true},
		{"evt.type = clock_gettime and evt.dir = <", "clock_gettime", true},
	} {
		f, err := compile(t, c.cond)
		if err != nil {
			t.Errorf("%s: %v", c.cond, err)
			continue
		}
		if c.cond != "evt.type != madvise" && (!f.Types.Has(event.GenericE) || !f.Types.Has(event.GenericX) || f.Types.Has(event.SyscallOpenatV2X)) {
			t.Errorf("%s: types %v, want the generic events", c.cond, f.Types.Names())
		}
		for _, typ := range []event.Type{event.GenericE, event.GenericX} {
			ctx := &fields.Ctx{}
			ctx.Reset(genericEvent(t, typ, c.syscall))
			want := c.want && !(typ == event.GenericE && c.cond == "evt.type = clock_gettime and evt.dir = <")
			if got := f.Match(ctx); got != want {
				t.Errorf("%s on %s %s: %v, want %v", c.cond, typ, c.syscall, got, want)
			}
		}
	}
	if _, err := compile(t, "evt.type = no_such_syscall"); err == nil {
		t.Error("evt.type = no_such_syscall compiled")
	}
}
