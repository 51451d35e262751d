package condition

import (
	"strconv"
	"strings"
)

// MaxDepth is the nesting limit of a condition, as Falco configures libs'
// parser. Deeper input is rejected instead of recursing without bound.
const MaxDepth = 1000

// Error is a parse error: libs' message and the position it refers to.
type Error struct {
	Msg string
	Pos Pos
}

func (e *Error) Error() string {
	return e.Msg
}

// Parse parses a condition. Errors are *Error with libs' wording.
func Parse(input string) (expr Expr, err error) {
	p := &parser{in: input}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			expr, err = nil, pe
		}
	}()
	if len(input) == 0 {
		return nil, &Error{Msg: "filter input string is empty", Pos: Pos{0, 1, 1}}
	}
	e := p.parseOr()
	p.blank()
	if p.i != len(p.in) {
		p.fail("unexpected token after '" + p.last + "', expecting 'or', 'and'")
	}
	return e, nil
}

type parser struct {
	in    string
	i     int
	depth int
	last  string // last token lexed, for error messages
}

func (p *parser) fail(msg string) {
	panic(&Error{Msg: msg, Pos: p.pos(p.i)})
}

// pos computes line/column of an offset.
func (p *parser) pos(off int) Pos {
	line, col := 1, 1
	for i := 0; i < off && i < len(p.in); i++ {
		if p.in[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return Pos{Offset: off, Line: line, Col: col}
}

func (p *parser) push() {
	p.depth++
	if p.depth > MaxDepth {
		p.fail("exceeded max depth limit of " + strconv.Itoa(MaxDepth))
	}
}
func (p *parser) pop() { p.depth-- }

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n'
}

// blank skips blanks and reports whether there were any.
func (p *parser) blank() bool {
	s := p.i
	for p.i < len(p.in) && isBlank(p.in[p.i]) {
		p.i++
	}
	return p.i > s
}

func (p *parser) peek(s string) bool { return strings.HasPrefix(p.in[p.i:], s) }

// str consumes s if the input continues with it.
func (p *parser) str(s string) bool {
	if p.peek(s) {
		p.i += len(s)
		p.last = s
		return true
	}
	return false
}

// keyword consumes a logical keyword (and/or/not) only when it is followed
// by a blank or '(' (or, for "not", the end cannot follow). A word that
// merely starts with the keyword (e.g. a macro "notify_x") is not consumed.
func (p *parser) keyword(k string) bool {
	if !p.peek(k) {
		return false
	}
	j := p.i + len(k)
	if j < len(p.in) && (isBlank(p.in[j]) || p.in[j] == '(') {
		p.i = j
		p.last = k
		return true
	}
	if j < len(p.in) && isIdentChar(p.in[j]) {
		return false // an identifier that starts with the keyword
	}
	if j >= len(p.in) && k != "not" {
		// "a and" at the end: left unconsumed, so the caller reports an
		// unexpected token after the last complete check, as libs does.
		return false
	}
	p.i = j
	p.last = k
	p.fail("expected blank or '(' after '" + k + "'")
	return false
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '_'
}

// identAt returns the end of [a-zA-Z]+[a-zA-Z0-9_]* starting at i, or i.
func (p *parser) identAt(i int) int {
	j := i
	for j < len(p.in) && isAlpha(p.in[j]) {
		j++
	}
	if j == i {
		return i
	}
	for j < len(p.in) && isIdentChar(p.in[j]) {
		j++
	}
	return j
}

// fieldNameAt returns the end of a FieldName (identifier segments joined by
// dots, at least one dot) starting at i, or i.
func (p *parser) fieldNameAt(i int) int {
	j := p.identAt(i)
	if j == i {
		return i
	}
	segs := 0
	for j < len(p.in) && p.in[j] == '.' {
		k := p.identAt(j + 1)
		if k == j+1 {
			break
		}
		j = k
		segs++
	}
	if segs == 0 {
		return i
	}
	return j
}

func (p *parser) parseOr() Expr {
	p.push()
	defer p.pop()
	p.blank()
	start := p.i
	children := []Expr{p.parseAnd()}
	p.blank()
	for p.keyword("or") {
		children = append(children, p.parseAnd())
		p.blank()
	}
	if len(children) == 1 {
		return children[0]
	}
	return &Or{P: p.pos(start), Children: children}
}

func (p *parser) parseAnd() Expr {
	p.push()
	defer p.pop()
	p.blank()
	start := p.i
	children := []Expr{p.parseNot()}
	p.blank()
	for p.keyword("and") {
		children = append(children, p.parseNot())
		p.blank()
	}
	if len(children) == 1 {
		return children[0]
	}
	return &And{P: p.pos(start), Children: children}
}

func (p *parser) parseNot() Expr {
	p.push()
	defer p.pop()
	p.blank()
	start := p.i
	neg := 0
	for p.keyword("not") {
		neg++
		p.blank()
		p.push()
		defer p.pop()
	}
	e := p.parseCheck()
	for ; neg > 0; neg-- {
		e = &Not{P: p.pos(start), Child: e}
	}
	return e
}

var transformerNames = []string{"tolower", "toupper", "b64", "basename", "len", "join", "concat", "getopt"}

// transformerAt returns the transformer whose "name(" starts at p.i.
func (p *parser) transformerAt() string {
	for _, t := range transformerNames {
		if p.peek(t + "(") {
			return t
		}
	}
	return ""
}

func (p *parser) parseCheck() Expr {
	p.push()
	defer p.pop()
	p.blank()
	start := p.i
	if p.str("(") {
		e := p.parseOr()
		p.blank()
		if !p.str(")") {
			p.fail("expected a ')' token")
		}
		return e
	}
	if t := p.transformerAt(); t != "" {
		tr := p.parseTransform(t)
		return p.parseCondition(start, tr)
	}
	if j := p.fieldNameAt(p.i); j > p.i {
		f := p.parseField()
		return p.parseCondition(start, f)
	}
	if j := p.identAt(p.i); j > p.i {
		name := p.in[p.i:j]
		p.i = j
		p.last = name
		return &Ident{P: p.pos(start), Name: name}
	}
	p.fail("expected a '(' token, a field check, or an identifier")
	return nil
}

// parseField parses FieldName ('[' FieldArg ']')?.
func (p *parser) parseField() *Field {
	start := p.i
	j := p.fieldNameAt(p.i)
	f := &Field{P: p.pos(start), Name: p.in[p.i:j]}
	p.i = j
	p.last = f.Name
	if p.str("[") {
		f.Arg, f.HasArg = p.parseFieldArg(), true
	}
	return f
}

func (p *parser) parseFieldArg() string {
	var arg string
	if s, ok := p.quoted(); ok {
		arg = s
	} else {
		j := p.i
		for j < len(p.in) {
			c := p.in[j]
			if c == '[' || c == ']' || c == '"' || c == '\'' || isBlank(c) {
				break
			}
			j++
		}
		if j == p.i {
			p.fail("expected a valid field argument: a quoted string or a bare string")
		}
		arg = p.in[p.i:j]
		p.i = j
		p.last = arg
	}
	if !p.str("]") {
		p.fail("expected a ']' token")
	}
	return arg
}

// parseTransform parses name(arg, ...) ('[' FieldArg ']')? with p.i at name.
func (p *parser) parseTransform(name string) *Transform {
	p.push()
	defer p.pop()
	t := &Transform{P: p.pos(p.i), Name: name}
	p.i += len(name) + 1
	p.last = name + "("
	for {
		p.blank()
		t.Args = append(t.Args, p.parseTransformArg())
		p.blank()
		if p.str(",") {
			continue
		}
		if p.str(")") {
			break
		}
		p.fail("expected a ')' token")
	}
	if p.str("[") {
		t.Arg, t.HasArg = p.parseFieldArg(), true
	}
	return t
}

func (p *parser) parseTransformArg() Operand {
	start := p.i
	if t := p.transformerAt(); t != "" {
		return p.parseTransform(t)
	}
	if j := p.fieldNameAt(p.i); j > p.i {
		return p.parseField()
	}
	if s, ok := p.quoted(); ok {
		return &Literal{P: p.pos(start), Text: s}
	}
	p.fail("expected a field or a transformer")
	return nil
}

var unaryOps = []struct {
	s  string
	op Op
}{{"exists", OpExists}}

var numOps = []struct {
	s  string
	op Op
}{{"<=", OpLe}, {"<", OpLt}, {">=", OpGe}, {">", OpGt}}

var strOps = []struct {
	s  string
	op Op
}{
	{"==", OpEq}, {"=", OpEq}, {"!=", OpNe},
	{"glob ", OpGlob}, {"iglob ", OpIGlob}, {"contains ", OpContains}, {"icontains ", OpIContains},
	{"bcontains ", OpBContains}, {"startswith ", OpStartsWith}, {"bstartswith ", OpBStartsWith},
	{"endswith ", OpEndsWith}, {"regex ", OpRegex},
}

var listOps = []struct {
	s  string
	op Op
}{{"intersects", OpIntersects}, {"in", OpIn}, {"pmatch", OpPmatch}}

var opListText = func() string {
	var b strings.Builder
	n := 0
	for _, l := range [][]struct {
		s  string
		op Op
	}{unaryOps, numOps, strOps, listOps} {
		for _, o := range l {
			if n > 0 {
				b.WriteString(", ")
			}
			b.WriteString("'" + strings.TrimSpace(o.s) + "'")
			n++
		}
	}
	return b.String()
}()

func (p *parser) parseCondition(start int, left Operand) Expr {
	p.blank()
	opPos := p.pos(p.i)
	c := &Check{P: p.pos(start), Left: left, OpPos: opPos}
	for _, o := range unaryOps {
		if p.str(o.s) {
			c.Op = o.op
			return c
		}
	}
	for _, o := range numOps {
		if p.str(o.s) {
			c.Op = o.op
			p.blank()
			c.Value = p.parseNumValue()
			return c
		}
	}
	for _, o := range strOps {
		if p.str(o.s) {
			c.Op = o.op
			p.blank()
			for _, m := range []struct {
				s string
				m Modifier
			}{{"oneof ", ModOneOf}, {"anyof ", ModAnyOf}, {"allof ", ModAllOf}} {
				// The modifier word must be followed by a blank; a bare
				// value "oneof" alone stays a value.
				if p.peek(m.s) {
					p.i += len(m.s)
					p.last = m.s
					c.Mod = m.m
					p.blank()
					c.Value = p.parseListValue()
					return c
				}
			}
			c.Value = p.parseStrValue()
			return c
		}
	}
	for _, o := range listOps {
		if p.str(o.s) {
			c.Op = o.op
			p.blank()
			c.Value = p.parseListValue()
			return c
		}
	}
	p.fail("expected a valid check operator: one of " + opListText)
	return nil
}

// transformOrVal parses FieldTransformerOrVal when present.
func (p *parser) transformOrVal() Value {
	start := p.i
	if t := p.transformerAt(); t != "" {
		return &TransformValue{P: p.pos(start), Transform: p.parseTransform(t)}
	}
	if p.str("val(") {
		p.blank()
		if j := p.fieldNameAt(p.i); j == p.i {
			p.fail("expected a field name")
		}
		f := p.parseField()
		p.blank()
		if !p.str(")") {
			p.fail("expected a ')' token")
		}
		return &Val{P: p.pos(start), Field: f}
	}
	return nil
}

func (p *parser) parseNumValue() Value {
	if v := p.transformOrVal(); v != nil {
		return v
	}
	start := p.i
	j := p.numberAt(p.i)
	if j == p.i {
		p.fail("expected a number value")
	}
	s := p.in[p.i:j]
	p.i = j
	p.last = s
	return &Str{P: p.pos(start), Text: s}
}

// numberAt matches HexNumber | Number at i and returns its end (or i).
func (p *parser) numberAt(i int) int {
	in := p.in
	if i+2 < len(in) && in[i] == '0' && (in[i+1] == 'x' || in[i+1] == 'X') && isHex(in[i+2]) {
		j := i + 2
		for j < len(in) && isHex(in[j]) {
			j++
		}
		return j
	}
	j := i
	if j < len(in) && (in[j] == '+' || in[j] == '-') {
		j++
	}
	d := j
	for j < len(in) && isDigit(in[j]) {
		j++
	}
	if j == d {
		return i
	}
	if j < len(in) && in[j] == '.' {
		j++
	}
	for j < len(in) && isDigit(in[j]) {
		j++
	}
	if j+2 < len(in)+1 && j+1 < len(in) && (in[j] == 'e' || in[j] == 'E') && (in[j+1] == '+' || in[j+1] == '-') {
		k := j + 2
		for k < len(in) && isDigit(in[k]) {
			k++
		}
		if k > j+2 {
			j = k
		}
	}
	return j
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (p *parser) parseStrValue() Value {
	if v := p.transformOrVal(); v != nil {
		return v
	}
	return p.parseStr()
}

func isBareChar(c byte) bool {
	return !(c == '(' || c == ')' || c == '"' || c == '\'' || c == '=' || c == ',' || isBlank(c))
}

func (p *parser) parseStr() *Str {
	start := p.i
	if s, ok := p.quoted(); ok {
		return &Str{P: p.pos(start), Text: s, Quoted: true}
	}
	j := p.i
	for j < len(p.in) && isBareChar(p.in[j]) {
		j++
	}
	if j == p.i {
		p.fail("expected a string value")
	}
	s := p.in[p.i:j]
	p.i = j
	p.last = s
	return &Str{P: p.pos(start), Text: s}
}

func (p *parser) parseListValue() Value {
	start := p.i
	if p.str("(") {
		l := &List{P: p.pos(start), Items: []*Str{}}
		p.blank()
		if p.str(")") {
			return l
		}
		for {
			p.blank()
			l.Items = append(l.Items, p.parseStr())
			p.blank()
			if p.str(",") {
				continue
			}
			if p.str(")") {
				return l
			}
			p.fail("expected a ')' token")
		}
	}
	if v := p.transformOrVal(); v != nil {
		return v
	}
	if j := p.identAt(p.i); j > p.i && p.fieldNameAt(p.i) == p.i {
		name := p.in[p.i:j]
		p.i = j
		p.last = name
		return &ListRef{P: p.pos(start), Name: name}
	}
	p.fail("expected a list value")
	return nil
}

// quoted lexes a "..." or '...' string at p.i and returns it unescaped.
func (p *parser) quoted() (string, bool) {
	if p.i >= len(p.in) {
		return "", false
	}
	q := p.in[p.i]
	if q != '"' && q != '\'' {
		return "", false
	}
	var b strings.Builder
	for j := p.i + 1; j < len(p.in); j++ {
		c := p.in[j]
		if c == '\\' && j+1 < len(p.in) {
			j++
			switch e := p.in[j]; e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '\\', '"', '\'':
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		}
		if c == q {
			p.last = p.in[p.i : j+1]
			p.i = j + 1
			return b.String(), true
		}
		b.WriteByte(c)
	}
	return "", false
}

// ParseOperand parses a field ("proc.aname[2]") or a transformer
// expression ("tolower(proc.name)") at the start of s and returns it with
// the number of bytes consumed. It is how output format tokens that use
// transformers are read.
func ParseOperand(s string) (o Operand, n int, err error) {
	p := &parser{in: s}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			o, n, err = nil, 0, pe
		}
	}()
	if t := p.transformerAt(); t != "" {
		tr := p.parseTransform(t)
		return tr, p.i, nil
	}
	if j := p.fieldNameAt(0); j > 0 {
		f := p.parseField()
		return f, p.i, nil
	}
	p.fail("expected a field or a transformer")
	return nil, 0, nil
}

// IsTransformerStart reports whether s starts with "name(" of a transformer.
func IsTransformerStart(s string) bool {
	p := &parser{in: s}
	return p.transformerAt() != ""
}
