package filter

import (
	"math/bits"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

// TypeSet is a set of event types.
type TypeSet [(event.MaxType + 63) / 64]uint64

// AllTypes returns the set of every event type.
func AllTypes() TypeSet {
	var s TypeSet
	for t := event.Type(0); t < event.MaxType; t++ {
		s.Add(t)
	}
	return s
}

func (s *TypeSet) Add(t event.Type)      { s[t/64] |= 1 << (t % 64) }
func (s *TypeSet) Has(t event.Type) bool { return s[t/64]&(1<<(t%64)) != 0 }
func (s TypeSet) Len() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

func (s TypeSet) union(o TypeSet) TypeSet {
	for i := range s {
		s[i] |= o[i]
	}
	return s
}

func (s TypeSet) intersect(o TypeSet) TypeSet {
	for i := range s {
		s[i] &= o[i]
	}
	return s
}

func (s TypeSet) complement() TypeSet {
	all := AllTypes()
	for i := range s {
		s[i] = all[i] &^ s[i]
	}
	return s
}

// Types returns the members in ascending order.
func (s TypeSet) Types() []event.Type {
	var out []event.Type
	for t := event.Type(0); t < event.MaxType; t++ {
		if s.Has(t) {
			out = append(out, t)
		}
	}
	return out
}

// Names returns the distinct event names of the set, in type order.
func (s TypeSet) Names() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range s.Types() {
		n := t.Name()
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// TypesOfName returns the event types a name in an evt.type comparison
// stands for: every enter and exit type of every version with that name,
// or the generic events for a syscall without a dedicated type (libs'
// names_to_event_set) — a name of the kernel's syscall table or of the
// PPM_SC codes generic events carry (sigreturn, the 32-bit stat64). ok is
// false for an unknown name.
func TypesOfName(name string) (s TypeSet, ok bool) {
	ts := event.TypesByName(name)
	if len(ts) == 0 && (event.IsSyscallName(name) || fields.IsPPMSyscallName(name)) {
		ts = []event.Type{event.GenericE, event.GenericX}
	}
	for _, t := range ts {
		s.Add(t)
	}
	return s, len(ts) > 0
}

// EventTypes computes the event types for which e can be true, as libs'
// ppm_event_codes does: evt.type =/in/!= constrain the set, any other check
// allows every type, and/or intersect/unite, and not is handled by De
// Morgan (tracking the types for which a subtree can be false), so
// "not evt.type = open" is every type but open while "not proc.name = x"
// stays every type. An empty result means the condition can never match.
func EventTypes(e condition.Expr) TypeSet {
	t, _ := evtTypes(e)
	return t
}

// evtTypes returns (types where e may be true, types where e may be false).
func evtTypes(e condition.Expr) (TypeSet, TypeSet) {
	switch x := e.(type) {
	case *condition.And:
		mayT, mayF := AllTypes(), TypeSet{}
		for _, c := range x.Children {
			t, f := evtTypes(c)
			mayT = mayT.intersect(t)
			mayF = mayF.union(f)
		}
		return mayT, mayF
	case *condition.Or:
		mayT, mayF := TypeSet{}, AllTypes()
		for _, c := range x.Children {
			t, f := evtTypes(c)
			mayT = mayT.union(t)
			mayF = mayF.intersect(f)
		}
		return mayT, mayF
	case *condition.Not:
		t, f := evtTypes(x.Child)
		return f, t
	case *condition.Check:
		if s, neg, ok := evtTypeCheck(x); ok {
			if neg {
				return s.complement(), s
			}
			return s, s.complement()
		}
	}
	return AllTypes(), AllTypes()
}

// evtTypeCheck recognises evt.type = X, evt.type in (X, Y), evt.type != X.
func evtTypeCheck(c *condition.Check) (s TypeSet, negated, ok bool) {
	f, isField := c.Left.(*condition.Field)
	if !isField || f.Name != "evt.type" || f.HasArg || c.Mod != condition.ModNone {
		return s, false, false
	}
	var names []string
	switch v := c.Value.(type) {
	case *condition.Str:
		if c.Op != condition.OpEq && c.Op != condition.OpNe {
			return s, false, false
		}
		names = []string{v.Text}
	case *condition.List:
		if c.Op != condition.OpIn && c.Op != condition.OpIntersects {
			return s, false, false
		}
		for _, it := range v.Items {
			names = append(names, it.Text)
		}
	default:
		return s, false, false
	}
	for _, n := range names {
		ts, _ := TypesOfName(n)
		s = s.union(ts)
	}
	return s, c.Op == condition.OpNe, true
}

// GenericSyscalls returns the syscall names that e compares evt.type with
// (=, in, intersects; negated or not) and that have no dedicated event type:
// events of these syscalls are generic events (GenericE/GenericX), so a
// live source must be told the names themselves to capture them. Sorted,
// without duplicates.
func GenericSyscalls(e condition.Expr) []string {
	seen := map[string]bool{}
	var walk func(condition.Expr)
	walk = func(e condition.Expr) {
		switch x := e.(type) {
		case *condition.And:
			for _, c := range x.Children {
				walk(c)
			}
		case *condition.Or:
			for _, c := range x.Children {
				walk(c)
			}
		case *condition.Not:
			walk(x.Child)
		case *condition.Check:
			f, isField := x.Left.(*condition.Field)
			if !isField || f.Name != "evt.type" || f.HasArg {
				return
			}
			var names []string
			switch v := x.Value.(type) {
			case *condition.Str:
				names = []string{v.Text}
			case *condition.List:
				for _, it := range v.Items {
					names = append(names, it.Text)
				}
			}
			for _, n := range names {
				if len(event.TypesByName(n)) == 0 && (event.IsSyscallName(n) || fields.IsPPMSyscallName(n)) {
					seen[n] = true
				}
			}
		}
	}
	walk(e)
	return sortedKeys(seen)
}
