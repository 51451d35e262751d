package condition

import "strings"

// String renders an expression in libs' canonical form (the form of
// `condition_compiled` in `falco -L` JSON): n-ary and/or in parentheses,
// "not " prefixes, checks as "field op value", lists as "(a, b)".
func String(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writeExpr(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case *And:
		writeNary(b, x.Children, " and ")
	case *Or:
		writeNary(b, x.Children, " or ")
	case *Not:
		b.WriteString("not ")
		writeExpr(b, x.Child)
	case *Ident:
		b.WriteString(x.Name)
	case *Check:
		writeOperand(b, x.Left)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		if x.Mod != ModNone {
			b.WriteByte(' ')
			b.WriteString(x.Mod.String())
		}
		if x.Value != nil {
			b.WriteByte(' ')
			writeValue(b, x.Value)
		}
	}
}

func writeNary(b *strings.Builder, ch []Expr, sep string) {
	b.WriteByte('(')
	for i, c := range ch {
		if i > 0 {
			b.WriteString(sep)
		}
		writeExpr(b, c)
	}
	b.WriteByte(')')
}

// OperandString renders a field or transformer as written: "proc.aname[2]",
// "tolower(proc.name)".
func OperandString(o Operand) string {
	var b strings.Builder
	writeOperand(&b, o)
	return b.String()
}

func writeOperand(b *strings.Builder, o Operand) {
	switch x := o.(type) {
	case *Field:
		b.WriteString(x.Name)
		if x.HasArg {
			b.WriteByte('[')
			b.WriteString(x.Arg)
			b.WriteByte(']')
		}
	case *Transform:
		b.WriteString(x.Name)
		b.WriteByte('(')
		for i, a := range x.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeOperand(b, a)
		}
		b.WriteByte(')')
		if x.HasArg {
			b.WriteByte('[')
			b.WriteString(x.Arg)
			b.WriteByte(']')
		}
	case *Literal:
		writeQuoted(b, x.Text)
	}
}

func writeValue(b *strings.Builder, v Value) {
	switch x := v.(type) {
	case *Str:
		writeStr(b, x.Text)
	case *List:
		b.WriteByte('(')
		for i, s := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeStr(b, s.Text)
		}
		b.WriteByte(')')
	case *ListRef:
		b.WriteString(x.Name)
	case *Val:
		b.WriteString("val(")
		writeOperand(b, x.Field)
		b.WriteByte(')')
	case *TransformValue:
		writeOperand(b, x.Transform)
	}
}

// writeStr writes a value bare when it lexes back as the same bare string,
// quoted otherwise.
func writeStr(b *strings.Builder, s string) {
	bare := s != ""
	for i := 0; i < len(s) && bare; i++ {
		bare = isBareChar(s[i])
	}
	if bare {
		b.WriteString(s)
		return
	}
	writeQuoted(b, s)
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// Walk calls fn for e and every expression below it, depth first; fn
// returning false stops the descent into that node's children.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch x := e.(type) {
	case *And:
		for _, c := range x.Children {
			Walk(c, fn)
		}
	case *Or:
		for _, c := range x.Children {
			Walk(c, fn)
		}
	case *Not:
		Walk(x.Child, fn)
	}
}
