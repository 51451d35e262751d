package fields

import (
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

func TestDefaultRegistryHasRuleFields(t *testing.T) {
	for _, n := range []string{"evt.type", "proc.name", "proc.aname", "fd.name", "user.name", "container.id", "k8s.ns.name", "evt.arg"} {
		if _, ok := Default.Get(n); !ok {
			t.Errorf("field %s not registered", n)
		}
	}
	f, _ := Default.Get("evt.type")
	if !f.Implemented() || f.Desc == "" {
		t.Errorf("evt.type: implemented=%v desc=%q", f.Implemented(), f.Desc)
	}
	if p, _ := Default.Get("proc.name"); p.Type != event.PTCharbuf {
		t.Errorf("proc.name type %v", p.Type)
	}
}

func TestBindArgumentForms(t *testing.T) {
	b, err := Default.Bind("evt.arg.flags", Arg{})
	if err != nil || b.Field.Name != "evt.arg" || b.Arg.Text != "flags" {
		t.Fatalf("evt.arg.flags: %v %+v", err, b)
	}
	if _, err := Default.Bind("proc.nobody", Arg{}); err == nil || err.Error() != "filter_check called with nonexistent field proc.nobody" {
		t.Fatalf("unknown field error: %v", err)
	}
	if _, err := Default.Bind("evt.arg", Arg{}); err == nil {
		t.Fatal("evt.arg without argument accepted")
	}
	if _, err := Default.Bind("proc.name", Arg{Set: true, Text: "x"}); err == nil {
		t.Fatal("argument on proc.name accepted")
	}
	b, err = Default.Bind("proc.aname", Arg{})
	if err != nil || b.Shape != Any {
		t.Fatalf("proc.aname shape %v err %v", b.Shape, err)
	}
	b, err = Default.Bind("proc.aname", Arg{Set: true, Text: "2"})
	if err != nil || b.Shape != Scalar {
		t.Fatalf("proc.aname[2] shape %v err %v", b.Shape, err)
	}
	if _, err := Default.Bind("proc.aname", Arg{Set: true, Text: "x"}); err == nil {
		t.Fatal("proc.aname[x] accepted")
	}
	b, err = Default.Bind("evt.rawarg.res", Arg{})
	if err != nil || b.Type != event.PTErrno {
		t.Fatalf("evt.rawarg.res: %v %v", b, err)
	}
}

func TestRegisterMergesKnownAndImplementation(t *testing.T) {
	r := NewRegistry()
	r.Register(Field{Name: "a.b", Type: event.PTUint64, Flags: ArgAllowed, Desc: "known"})
	r.Register(Field{Name: "a.b", Type: event.PTUint64, Bind: Simple(func(*Ctx, *Value) bool { return true })})
	f, _ := r.Get("a.b")
	if !f.Implemented() || f.Flags != ArgAllowed || f.Desc != "known" {
		t.Fatalf("merged %+v", f)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("type mismatch did not panic")
		}
	}()
	r.Register(Field{Name: "c.d", Type: event.PTUint64})
	r.Register(Field{Name: "c.d", Type: event.PTCharbuf, Bind: Simple(nil)})
}

func TestSessionMemoizes(t *testing.T) {
	r := NewRegistry()
	calls := 0
	r.Register(Field{Name: "x.costly", Type: event.PTCharbuf, Flags: Memoize, Bind: Simple(func(c *Ctx, v *Value) bool {
		calls++
		v.S = "v"
		return true
	})})
	s := NewSession(r)
	b1, _ := s.Bind("x.costly", Arg{})
	b2, _ := s.Bind("x.costly", Arg{})
	if b1 != b2 {
		t.Fatal("not shared")
	}
	c := &Ctx{}
	var e event.Event
	var v Value
	for ev := 0; ev < 3; ev++ {
		c.Reset(&e)
		for i := 0; i < 5; i++ {
			if !b1.Extract(c, &v) || v.S != "v" {
				t.Fatal("bad value")
			}
		}
	}
	if calls != 3 {
		t.Errorf("%d extractions for 3 events", calls)
	}
}
