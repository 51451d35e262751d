package filter

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

// Filter is a compiled condition.
type Filter struct {
	eval evalFn
	// Types is the set of event types the condition can match.
	Types TypeSet
	// Fields are the fields the condition reads, as written (sorted, unique).
	Fields []string
	// Operators are the comparison operators used (sorted, unique).
	Operators []string
	// Unimplemented lists fields used that have no extractor yet.
	Unimplemented []string
}

// Match evaluates the filter on the event in c.
func (f *Filter) Match(c *fields.Ctx) bool { return f.eval(c) }

type evalFn func(c *fields.Ctx) bool

// Warning is a non-fatal finding of the compiler, with the Falco load
// warning code it maps to.
type Warning struct {
	Code string // LOAD_COMPILE_CONDITION, LOAD_DEPRECATED_ITEM
	Msg  string
	Pos  condition.Pos
	// Field is set for deprecated-field warnings (Falco's deprecated_field).
	Field string
}

// Error is a compile error at a position of the condition.
type Error struct {
	Msg string
	Pos condition.Pos
}

func (e *Error) Error() string { return e.Msg }

// Compiler compiles conditions against a field registry.
type Compiler struct {
	Fields *fields.Registry
	// Session, when set, binds fields instead of Fields, sharing costly
	// extractions between everything compiled with it (one ruleset).
	Session *fields.Session
}

// Compile compiles a condition whose macros have been expanded (an
// *Ident left in it is an error: "Undefined macro"). It returns the filter
// and the compiler's warnings, or an *Error.
func (cp *Compiler) Compile(e condition.Expr) (f *Filter, warns []Warning, err error) {
	reg := cp.Fields
	if reg == nil {
		reg = fields.Default
	}
	st := &compileState{reg: reg, sess: cp.Session, fields: map[string]bool{}, ops: map[string]bool{}, unimpl: map[string]bool{}}
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			f, warns, err = nil, nil, ce
		}
	}()
	ev := st.expr(e)
	f = &Filter{eval: ev, Types: EventTypes(e)}
	f.Fields = sortedKeys(st.fields)
	f.Operators = sortedKeys(st.ops)
	f.Unimplemented = sortedKeys(st.unimpl)
	return f, st.warns, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type compileState struct {
	reg    *fields.Registry
	sess   *fields.Session
	warns  []Warning
	fields map[string]bool
	ops    map[string]bool
	unimpl map[string]bool
}

func fail(p condition.Pos, format string, a ...any) {
	panic(&Error{Msg: fmt.Sprintf(format, a...), Pos: p})
}

func (st *compileState) expr(e condition.Expr) evalFn {
	switch x := e.(type) {
	case *condition.And:
		ch := make([]evalFn, len(x.Children))
		for i, c := range x.Children {
			ch[i] = st.expr(c)
		}
		if len(ch) == 2 {
			a, b := ch[0], ch[1]
			return func(c *fields.Ctx) bool { return a(c) && b(c) }
		}
		return func(c *fields.Ctx) bool {
			for _, f := range ch {
				if !f(c) {
					return false
				}
			}
			return true
		}
	case *condition.Or:
		ch := make([]evalFn, len(x.Children))
		for i, c := range x.Children {
			ch[i] = st.expr(c)
		}
		if len(ch) == 2 {
			a, b := ch[0], ch[1]
			return func(c *fields.Ctx) bool { return a(c) || b(c) }
		}
		return func(c *fields.Ctx) bool {
			for _, f := range ch {
				if f(c) {
					return true
				}
			}
			return false
		}
	case *condition.Not:
		in := st.expr(x.Child)
		return func(c *fields.Ctx) bool { return !in(c) }
	case *condition.Ident:
		fail(x.P, "Undefined macro '%s' used in filter.", x.Name)
	case *condition.Check:
		return st.check(x)
	}
	fail(e.Pos(), "unsupported expression")
	return nil
}

// operand is a compiled left or right side: something that extracts a
// typed value from the event.
type operand struct {
	name    string // as written
	extract fields.Extractor
	typ     fields.Type
	shape   fields.Shape
	flags   fields.Flags
	bound   *fields.Bound // nil for transformers
}

func (st *compileState) field(f *condition.Field) *operand {
	var b *fields.Bound
	var err error
	if st.sess != nil {
		b, err = st.sess.Bind(f.Name, fields.Arg{Set: f.HasArg, Text: f.Arg})
	} else {
		b, err = st.reg.Bind(f.Name, fields.Arg{Set: f.HasArg, Text: f.Arg})
	}
	if err != nil {
		fail(f.P, "%s", err.Error())
	}
	name := condition.OperandString(f)
	st.fields[name] = true
	if !b.Field.Implemented() {
		st.unimpl[b.Field.Name] = true
	}
	if b.Field.Flags&fields.Deprecated != 0 {
		st.warns = append(st.warns, Warning{Code: "LOAD_DEPRECATED_ITEM", Pos: f.P, Field: b.Field.Name,
			Msg: "field '" + b.Field.Name + "' is deprecated"})
	}
	return &operand{name: name, extract: b.Extract, typ: b.Type, shape: b.Shape, flags: b.Field.Flags, bound: b}
}

func (st *compileState) operand(o condition.Operand) *operand {
	switch x := o.(type) {
	case *condition.Field:
		return st.field(x)
	case *condition.Transform:
		return st.transform(x)
	case *condition.Literal:
		s := x.Text
		return &operand{name: condition.OperandString(x), typ: event.PTCharbuf,
			extract: func(c *fields.Ctx, v *fields.Value) bool { v.S = s; return true }}
	}
	fail(o.Pos(), "unsupported operand")
	return nil
}

func typeClass(t fields.Type, shape fields.Shape) string {
	switch {
	case shape == fields.Many:
		return "list"
	case t == event.PTBytebuf:
		return "buffer"
	case fields.IsString(t):
		return "string"
	case fields.IsIP(t):
		return "ip"
	case t == event.PTBool:
		return "bool"
	case t == event.PTDouble:
		return "numeric"
	}
	return "numeric"
}

// opAllowed implements libs' flt_is_comparable.
func opAllowed(op condition.Op, class string) bool {
	O := condition.Op(0)
	_ = O
	switch class {
	case "list":
		return op == condition.OpIn || op == condition.OpIntersects || op == condition.OpExists
	case "numeric":
		switch op {
		case condition.OpEq, condition.OpNe, condition.OpLt, condition.OpLe, condition.OpGt, condition.OpGe,
			condition.OpIn, condition.OpIntersects, condition.OpExists:
			return true
		}
	case "bool", "ip":
		switch op {
		case condition.OpEq, condition.OpNe, condition.OpIn, condition.OpIntersects, condition.OpExists:
			return true
		}
	case "buffer":
		switch op {
		case condition.OpEq, condition.OpNe, condition.OpContains, condition.OpBContains, condition.OpStartsWith,
			condition.OpBStartsWith, condition.OpEndsWith, condition.OpIn, condition.OpIntersects, condition.OpExists:
			return true
		}
	case "string":
		return op != condition.OpBContains && op != condition.OpBStartsWith
	}
	return false
}

func (st *compileState) check(x *condition.Check) evalFn {
	left := st.operand(x.Left)
	st.ops[x.Op.String()] = true
	if x.Mod != condition.ModNone {
		st.ops[x.Op.String()+" "+x.Mod.String()] = true
	}
	class := typeClass(left.typ, left.shape)
	if left.flags&fields.PrintOnly != 0 {
		fail(x.P, "filter error: field '%s' can be used only in outputs", left.name)
	}
	if !opAllowed(x.Op, class) {
		fail(x.OpPos, "'%s' operator not supported for %s filters", x.Op, class)
	}
	if x.Op == condition.OpExists {
		ex := left.extract
		var v fields.Value
		return func(c *fields.Ctx) bool { return ex(c, &v) }
	}
	if x.Mod != condition.ModNone {
		return st.modifierCheck(x, left)
	}
	switch rv := x.Value.(type) {
	case *condition.Val:
		return st.fieldCheck(x, left, st.rhsField(rv.Field, left))
	case *condition.TransformValue:
		r := st.transform(rv.Transform)
		if typeClass(r.typ, r.shape) != class && !(class == "string" && fields.IsString(r.typ)) {
			fail(rv.P, "filter error: transformer on the right-hand side of '%s' has an incompatible type", left.name)
		}
		return st.fieldCheck(x, left, r)
	case *condition.ListRef:
		fail(rv.P, "filter error: unknown list '%s'", rv.Name)
	case *condition.Str:
		if x.Op.IsListOp() {
			// libs accepts "in x" only with a list; a single string
			// behaves as a one-element list.
			return st.constCheck(x, left, []*condition.Str{rv})
		}
		return st.constCheck(x, left, []*condition.Str{rv})
	case *condition.List:
		if !x.Op.IsListOp() {
			fail(rv.P, "filter error: operator '%s' takes a single value", x.Op)
		}
		return st.constCheck(x, left, rv.Items)
	}
	fail(x.P, "filter error: missing value")
	return nil
}

func (st *compileState) rhsField(f *condition.Field, left *operand) *operand {
	r := st.field(f)
	if r.flags&fields.NoRHS != 0 {
		fail(f.P, "filter error: field '%s' cannot be used on the right-hand side (val)", r.name)
	}
	lc, rc := typeClass(left.typ, left.shape), typeClass(r.typ, r.shape)
	if lc != rc {
		fail(f.P, "filter error: cannot compare %s field '%s' with %s field '%s'", lc, left.name, rc, r.name)
	}
	return r
}

// warnFieldAsValue emits libs' hint when a constant looks like a field.
func (st *compileState) warnFieldAsValue(s *condition.Str) {
	if s.Quoted || !strings.Contains(s.Text, ".") {
		return
	}
	if _, _, ok := st.reg.Lookup(s.Text, fields.Arg{}); ok {
		st.warns = append(st.warns, Warning{Code: "LOAD_COMPILE_CONDITION", Pos: s.P,
			Msg: "'" + s.Text + "' may be a valid field misused as a const string value"})
	}
}
