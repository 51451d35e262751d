package fields

import (
	"net/netip"
	"strconv"

	"github.com/sakersec/saker/receiver/event"
)

// Type is a field's value type: libs' PT_* parameter types (PT_CHARBUF,
// PT_UINT64, PT_IPNET, ...), shared with event parameters.
type Type = event.ParamType

// Flags describe how a field may be used. They mirror libs' EPF_* flags,
// plus saker's own argument and multiplicity flags.
type Flags uint32

const (
	// List: the field has several values per event (EPF_IS_LIST, e.g.
	// fd.types). "in" holds when every value is in the set, "intersects"
	// when any is; other operators are refused.
	List Flags = 1 << iota
	// AnyWithoutArg: written without an argument, the field stands for many
	// values and a check holds if it holds for any of them (proc.aname,
	// proc.apid: "some ancestor"). With an argument it is a single value.
	AnyWithoutArg
	// NoRHS: the field cannot be used in val() (EPF_NO_RHS).
	NoRHS
	// NoTransformer: transformers cannot be applied (EPF_NO_TRANSFORMER).
	NoTransformer
	// ArgRequired: the field needs an argument (EPF_ARG_REQUIRED).
	ArgRequired
	// ArgAllowed: the field takes an optional argument (EPF_ARG_ALLOWED).
	ArgAllowed
	// ArgIndex: the argument may be a non-negative number (evt.arg[0],
	// proc.aname[2]).
	ArgIndex
	// ArgKey: the argument may be a name (evt.arg[flags], proc.env[HOME]).
	ArgKey
	// DotArg: "name.X" is accepted as "name[X]" (evt.arg.flags).
	DotArg
	// Deprecated: using the field is a LOAD_DEPRECATED_ITEM warning.
	Deprecated
	// FilterOnly: usable in conditions, not in outputs (EPF_FILTER_ONLY).
	FilterOnly
	// PrintOnly: usable in outputs, not in conditions (EPF_PRINT_ONLY).
	PrintOnly
	// TableOnly: a sysdig-table field, hidden from listings (EPF_TABLE_ONLY).
	TableOnly
	// Memoize: extraction is costly (it builds a string, walks ancestors),
	// so a [Session] extracts it once per event and shares the value
	// between all the rules that use it (see [Memo]).
	Memoize
)

// Extractor reads one field from the event and state in c into v. It
// returns false when the field is not available for this event (Falco's
// <NA>: a check on it is false, an output renders "<NA>").
//
// It must not allocate in steady state: strings are views into the event
// or into a buffer the extractor owns (captured by its closure at bind time
// and reused), lists reuse v's slices (v.Strs = append(v.Strs[:0], ...)).
// What it returns is valid until the same extractor runs again or the
// event ends, whichever is first.
type Extractor func(c *Ctx, v *Value) bool

// Shape says how many values an extraction yields and how checks combine them.
type Shape uint8

const (
	Scalar Shape = iota // one value (Value.U / S / F / IP)
	Many                // a list (EPF_IS_LIST): Value.Strs / Nums / IPs; in = all, intersects = any
	Any                 // several candidates: a check holds if it holds for any (Value.Strs / Nums / IPs)
	// Either: the ends of a connection (fd.ip, fd.net, fd.port). Like Any
	// a check holds if it holds for either end, except != which holds when
	// no end equals the value: libs compares these fields with its own
	// code (compare_ip/net/port) where != is "neither end is X", whereas
	// proc.aname != X (Any) is "some ancestor is not X".
	Either
)

// Binding is a field resolved against its argument: what to call per event
// and what it yields.
type Binding struct {
	Extract Extractor
	// Type is the value type. For most fields it is the field's Type; it
	// differs for fields whose type depends on the argument (evt.rawarg.X).
	Type  Type
	Shape Shape
	// Text, when set, renders the value for outputs in place of the default
	// rendering of Type (evt.time formats a timestamp, evt.dir a char).
	Text func(buf []byte, v *Value) []byte
	// JSON, when set, gives the value of the field in an alert's
	// output_fields in place of the default for Type (evt.time* give the
	// timestamp as a number, as Falco does).
	JSON func(v *Value) any
	// Match, when set, compiles a comparison of the field with constant
	// values in place of comparing the extracted value: given the
	// operator ("=", "!=", "in", ...) and the values as written, it
	// returns the check, nil for the default comparison, or an error
	// for an operator the field does not take. The fd.*ip.name fields
	// use it: their checks resolve the names, not the address (see
	// dnsnames.go).
	Match func(op string, values []string) (func(c *Ctx) bool, error)
}

// Arg is a field argument as written: proc.aname[2] → {Set: true, Text:
// "2"}; evt.arg.flags → {Set: true, Text: "flags"}.
type Arg struct {
	Set  bool
	Text string
}

// Index returns the argument as a non-negative number, if it is one.
func (a Arg) Index() (int, bool) {
	if !a.Set || a.Text == "" {
		return 0, false
	}
	n, err := strconv.Atoi(a.Text)
	if err != nil || n < 0 || a.Text[0] == '+' {
		return 0, false
	}
	return n, true
}

// BindFunc resolves a field's argument and returns its binding. It is
// called once per occurrence of the field in conditions and outputs, at
// load time; each call should return a fresh extractor with its own
// buffers. Return an error (its text is shown to the user) for an argument
// the field cannot take.
type BindFunc func(a Arg) (Binding, error)

// Field describes one field: the registry's unit.
type Field struct {
	Name  string // "proc.name"
	Type  Type
	Flags Flags
	Desc  string // one line, saker's own words
	// Bind resolves the argument. nil means saker knows the field (it
	// type-checks and loads) but has no extractor yet: every extraction
	// reports "not available". See [Field.Implemented].
	Bind BindFunc
}

// Implemented reports whether the field has an extractor.
func (f *Field) Implemented() bool { return f.Bind != nil }

// Value is one extracted value. Which member is set depends on the
// binding's Type and Shape:
//
//   - integers of every width (signed ones as two's complement), PT_BOOL
//     (0/1), times and durations (ns), ports, uid/gid, flags, modes: U;
//   - PT_DOUBLE: F;
//   - PT_CHARBUF, PT_FSPATH, PT_FSRELPATH, PT_BYTEBUF: S (raw bytes for
//     buffers, possibly with NULs);
//   - addresses (PT_IPV4ADDR, PT_IPV6ADDR, PT_IPADDR) and the address an
//     IPNET field tests (fd.net gives the fd's IPs): IP;
//   - Many/Any/Either shapes: Strs for string types, Nums for numbers, IPs for
//     addresses.
type Value struct {
	U    uint64
	F    float64
	S    string
	IP   netip.Addr
	Strs []string
	Nums []uint64
	IPs  []netip.Addr
}

// Int returns U as a signed integer.
func (v *Value) Int() int64 { return int64(v.U) }

// Simple returns a BindFunc for a field without arguments whose extractor
// needs no per-binding state.
func Simple(x Extractor) BindFunc {
	return func(Arg) (Binding, error) { return Binding{Extract: x}, nil }
}
