package output

import (
	"fmt"
	"strings"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/filter"
)

// NA is what a field that cannot be extracted renders as.
const NA = "<NA>"

// Format is a compiled output format string.
type Format struct {
	src   string
	parts []part
	toks  []*token
}

type part struct {
	text string
	tok  *token
}

type token struct {
	name  string // as written, e.g. "proc.aname[2]", "tolower(proc.name)"
	width int    // %Nfield: pad/truncate to N bytes (0 = as is)
	op    *filter.Operand
	v     fields.Value
	buf   []byte
}

// Compile parses a format string: literal text with %field tokens
// (%proc.name, %proc.aname[2], %evt.arg.flags, %tolower(proc.name),
// %12container.id). An unknown field is an error with libs' text
// "invalid formatting token <rest>", which the rules loader reports as
// LOAD_ERR_COMPILE_OUTPUT.
func Compile(s string, reg *fields.Registry) (*Format, error) {
	if reg == nil {
		reg = fields.Default
	}
	return compile(s, reg, &filter.Compiler{Fields: reg})
}

// CompileSession is Compile binding fields through a session, so that the
// format shares costly extractions with the ruleset compiled with it.
func CompileSession(s string, sess *fields.Session) (*Format, error) {
	return compile(s, sess.Registry, &filter.Compiler{Fields: sess.Registry, Session: sess})
}

func compile(s string, reg *fields.Registry, cp *filter.Compiler) (*Format, error) {
	f := &Format{src: s}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			lit.WriteByte(s[i])
			continue
		}
		if i == len(s)-1 {
			return nil, fmt.Errorf("invalid formatting syntax: formatting cannot end with a %%")
		}
		j := i + 1
		width := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			width = width*10 + int(s[j]-'0')
			if width > 1<<16 {
				width = 1 << 16
			}
			j++
		}
		if j >= len(s) {
			return nil, fmt.Errorf("invalid formatting syntax: formatting cannot end with a number")
		}
		o, n, err := parseToken(s[j:], reg)
		if err != nil {
			return nil, err
		}
		op, err := cp.CompileOperand(o)
		if err != nil {
			return nil, fmt.Errorf("invalid formatting token %s: %v", s[j:], err)
		}
		if op.Bound != nil && op.Bound.Field.Flags&fields.FilterOnly != 0 {
			return nil, fmt.Errorf("invalid formatting token %s: field %s cannot be used in outputs", s[j:], op.Bound.Field.Name)
		}
		if lit.Len() > 0 {
			f.parts = append(f.parts, part{text: lit.String()})
			lit.Reset()
		}
		t := &token{name: condition.OperandString(o), width: width, op: op}
		if b, ok := o.(*condition.Field); ok && !b.HasArg && op.Bound != nil && op.Bound.Arg.Set {
			t.name = b.Name // keep the dotted form as written: evt.arg.flags
		}
		f.parts = append(f.parts, part{tok: t})
		f.toks = append(f.toks, t)
		i = j + n - 1
	}
	if lit.Len() > 0 {
		f.parts = append(f.parts, part{text: lit.String()})
	}
	return f, nil
}

// parseToken reads the field or transformer at the start of s. A plain
// field is the longest registered name that prefixes s (so "%proc.name)"
// and "%proc.names" read proc.name), followed by ".arg" for fields that
// take dotted arguments and by "[arg]" for fields that take arguments.
func parseToken(s string, reg *fields.Registry) (condition.Operand, int, error) {
	if condition.IsTransformerStart(s) {
		o, n, err := condition.ParseOperand(s)
		if err != nil {
			return nil, 0, fmt.Errorf("invalid formatting token %s", s)
		}
		return o, n, nil
	}
	end := 0
	for end < len(s) && (isWord(s[end]) || s[end] == '.') {
		end++
	}
	for l := end; l > 0; l-- {
		f, ok := reg.Get(s[:l])
		if !ok {
			continue
		}
		fl := &condition.Field{Name: f.Name}
		n := l
		if f.Flags&fields.DotArg != 0 && n < len(s) && s[n] == '.' {
			k := n + 1
			for k < len(s) && isWord(s[k]) {
				k++
			}
			if k > n+1 {
				fl.Name = s[:k]
				n = k
			}
		}
		if f.Flags&(fields.ArgAllowed|fields.ArgRequired|fields.DotArg) != 0 && fl.Name == f.Name && n < len(s) && s[n] == '[' {
			k := strings.IndexByte(s[n:], ']')
			if k < 0 {
				return nil, 0, fmt.Errorf("invalid formatting token %s", s)
			}
			fl.Arg, fl.HasArg = s[n+1:n+k], true
			n += k + 1
		}
		return fl, n, nil
	}
	return nil, 0, fmt.Errorf("invalid formatting token %s", s)
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// String returns the source format.
func (f *Format) String() string { return f.src }

// FieldNames returns the names of the format's fields as written, in order
// of first appearance, without duplicates.
func (f *Format) FieldNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range f.toks {
		if !seen[t.name] {
			seen[t.name] = true
			out = append(out, t.name)
		}
	}
	return out
}

// Unimplemented reports whether the format uses fields that have no
// extractor yet.
func (f *Format) Unimplemented() []string {
	var out []string
	for _, t := range f.toks {
		if t.op.Unimplemented {
			out = append(out, t.name)
		}
	}
	return out
}

// Append renders the format for the event in c and appends it to buf.
// Missing values render as <NA>. Not safe for concurrent use.
func (f *Format) Append(buf []byte, c *fields.Ctx) []byte {
	for _, p := range f.parts {
		if p.tok == nil {
			buf = append(buf, p.text...)
			continue
		}
		t := p.tok
		t.buf = t.buf[:0]
		if t.op.Extract(c, &t.v) {
			t.buf = t.op.AppendText(t.buf, &t.v)
		} else {
			t.buf = append(t.buf, NA...)
		}
		val := t.buf
		if t.width > 0 {
			if len(val) > t.width {
				val = val[:t.width]
			}
			buf = append(buf, val...)
			for k := len(val); k < t.width; k++ {
				buf = append(buf, ' ')
			}
			continue
		}
		buf = append(buf, val...)
	}
	return buf
}

// Fields appends the typed value of every field of the format (once per
// name) to dst, for an alert's output_fields: nil when not available.
// Values are copied, so the result outlives the event.
func (f *Format) Fields(c *fields.Ctx, dst []alert.Field) []alert.Field {
	seen := 0
	for i, t := range f.toks {
		dup := false
		for _, u := range f.toks[:i] {
			if u.name == t.name {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		seen++
		var val any
		if t.op.Extract(c, &t.v) {
			val = t.op.JSONValue(&t.v)
			if s, ok := val.(string); ok {
				val = strings.Clone(s)
			}
		}
		dst = append(dst, alert.Field{Name: t.name, Value: val})
	}
	return dst
}
