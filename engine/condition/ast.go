package condition

// Pos is a position in a condition string: a byte offset and the 1-based
// line and column it falls on (columns count bytes, as libs' parser does).
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// Expr is a node of a parsed condition: *And, *Or, *Not, *Check or *Ident.
type Expr interface {
	Pos() Pos
	expr()
}

// And is a conjunction; evaluation short-circuits left to right.
type And struct {
	P        Pos
	Children []Expr
}

// Or is a disjunction; evaluation short-circuits left to right.
type Or struct {
	P        Pos
	Children []Expr
}

// Not negates its child.
type Not struct {
	P     Pos
	Child Expr
}

// Ident is a bare identifier used as a check: a macro reference, replaced by
// the macro's condition before compilation.
type Ident struct {
	P    Pos
	Name string
}

// Check is "lhs op value": a field (or transformer) compared with a value.
// For the unary operator exists, Value is nil.
type Check struct {
	P     Pos
	Left  Operand // *Field or *Transform
	Op    Op
	Mod   Modifier // oneof/anyof/allof, or ModNone
	Value Value    // nil for exists
	OpPos Pos
}

func (e *And) Pos() Pos   { return e.P }
func (e *Or) Pos() Pos    { return e.P }
func (e *Not) Pos() Pos   { return e.P }
func (e *Ident) Pos() Pos { return e.P }
func (e *Check) Pos() Pos { return e.P }
func (*And) expr()        {}
func (*Or) expr()         {}
func (*Not) expr()        {}
func (*Ident) expr()      {}
func (*Check) expr()      {}

// Operand is something that yields a value from an event: a *Field, a
// *Transform over operands, or (only inside transformer arguments) a *Literal.
type Operand interface {
	Pos() Pos
	operand()
}

// Field is a field reference: "proc.name", "proc.aname[2]", "evt.arg.flags"
// (the dotted argument is kept in Name; the field registry splits it).
type Field struct {
	P      Pos
	Name   string
	Arg    string
	HasArg bool
}

// Transform is a transformer applied to operands: tolower(proc.name),
// join(",", proc.args), getopt(proc.args)[c]. Arg is the optional trailing
// [arg].
type Transform struct {
	P      Pos
	Name   string
	Args   []Operand
	Arg    string
	HasArg bool
}

// Literal is a quoted string passed as a transformer argument.
type Literal struct {
	P    Pos
	Text string
}

func (o *Field) Pos() Pos     { return o.P }
func (o *Transform) Pos() Pos { return o.P }
func (o *Literal) Pos() Pos   { return o.P }
func (*Field) operand()       {}
func (*Transform) operand()   {}
func (*Literal) operand()     {}

// Value is the right-hand side of a check: *Str, *List, *ListRef, *Val
// (val(field)) or *TransformValue.
type Value interface {
	Pos() Pos
	value()
}

// Str is a single literal value (bare or quoted; Quoted tells which).
type Str struct {
	P      Pos
	Text   string
	Quoted bool
}

// List is a parenthesised value list "(a, b, c)"; it may be empty.
type List struct {
	P     Pos
	Items []*Str
}

// ListRef is a bare identifier in list position ("proc.name in shells")
// that was not substituted by a list of the rules file.
type ListRef struct {
	P    Pos
	Name string
}

// Val is a field-to-field comparison: val(proc.name).
type Val struct {
	P     Pos
	Field *Field
}

// TransformValue is a transformer on the right-hand side.
type TransformValue struct {
	P         Pos
	Transform *Transform
}

func (v *Str) Pos() Pos            { return v.P }
func (v *List) Pos() Pos           { return v.P }
func (v *ListRef) Pos() Pos        { return v.P }
func (v *Val) Pos() Pos            { return v.P }
func (v *TransformValue) Pos() Pos { return v.P }
func (*Str) value()                {}
func (*List) value()               {}
func (*ListRef) value()            {}
func (*Val) value()                {}
func (*TransformValue) value()     {}

// Op is a comparison operator.
type Op uint8

const (
	OpInvalid Op = iota
	OpExists
	OpEq // "=" and "=="
	OpNe // "!="
	OpLt // "<"
	OpLe // "<="
	OpGt // ">"
	OpGe // ">="
	OpContains
	OpIContains
	OpBContains
	OpStartsWith
	OpBStartsWith
	OpEndsWith
	OpGlob
	OpIGlob
	OpRegex
	OpIn
	OpIntersects
	OpPmatch
)

var opNames = [...]string{
	OpInvalid: "?", OpExists: "exists", OpEq: "=", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=",
	OpContains: "contains", OpIContains: "icontains", OpBContains: "bcontains", OpStartsWith: "startswith",
	OpBStartsWith: "bstartswith", OpEndsWith: "endswith", OpGlob: "glob", OpIGlob: "iglob", OpRegex: "regex",
	OpIn: "in", OpIntersects: "intersects", OpPmatch: "pmatch",
}

// String returns the operator as written in conditions ("=" for both = and ==).
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "?"
}

// ParseOp returns the operator named s ("=", "==", "startswith", ...).
func ParseOp(s string) (Op, bool) {
	if s == "==" {
		return OpEq, true
	}
	for i, n := range opNames {
		if i != 0 && n == s {
			return Op(i), true
		}
	}
	return OpInvalid, false
}

// IsListOp reports whether o takes a value list (in, intersects, pmatch).
func (o Op) IsListOp() bool { return o == OpIn || o == OpIntersects || o == OpPmatch }

// IsStrOp reports whether o may carry a oneof/anyof/allof modifier.
func (o Op) IsStrOp() bool {
	switch o {
	case OpEq, OpNe, OpContains, OpIContains, OpBContains, OpStartsWith, OpBStartsWith, OpEndsWith, OpGlob, OpIGlob, OpRegex:
		return true
	}
	return false
}

// Modifier is Falco 0.44's list modifier of string operators.
type Modifier uint8

const (
	ModNone  Modifier = iota
	ModOneOf          // exactly one element of the list matches
	ModAnyOf          // at least one element matches
	ModAllOf          // every element matches
)

func (m Modifier) String() string {
	switch m {
	case ModOneOf:
		return "oneof"
	case ModAnyOf:
		return "anyof"
	case ModAllOf:
		return "allof"
	}
	return ""
}
