package filter

import (
	"encoding/base64"
	"strings"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

// Transformers turn operands into new values. Each compiled transformer
// owns its scratch buffers (reused per event), like extractors do.

func (st *compileState) transform(t *condition.Transform) *operand {
	args := make([]*operand, len(t.Args))
	for i, a := range t.Args {
		args[i] = st.operand(a)
		if args[i].flags&fields.NoTransformer != 0 {
			fail(a.Pos(), "filter error: field '%s' does not support transformers", args[i].name)
		}
	}
	name := condition.OperandString(t)
	one := func() *operand {
		if len(args) != 1 {
			fail(t.P, "filter error: transformer '%s' takes exactly one argument", t.Name)
		}
		return args[0]
	}
	strOnly := func(a *operand) {
		if !fields.IsString(a.typ) || a.shape != fields.Scalar {
			fail(t.P, "filter error: transformer '%s' requires a string field, '%s' is not", t.Name, a.name)
		}
	}
	if t.HasArg && t.Name != "getopt" {
		fail(t.P, "filter error: transformer '%s' takes no [argument]", t.Name)
	}
	out := &operand{name: name, typ: event.PTCharbuf}
	switch t.Name {
	case "tolower", "toupper":
		a := one()
		strOnly(a)
		upper := t.Name == "toupper"
		var in fields.Value
		var buf []byte
		ex := a.extract
		out.extract = func(c *fields.Ctx, v *fields.Value) bool {
			if !ex(c, &in) {
				return false
			}
			buf = buf[:0]
			for i := 0; i < len(in.S); i++ {
				ch := in.S[i]
				if upper && ch >= 'a' && ch <= 'z' {
					ch -= 'a' - 'A'
				} else if !upper && ch >= 'A' && ch <= 'Z' {
					ch += 'a' - 'A'
				}
				buf = append(buf, ch)
			}
			v.S = bytesView(buf)
			return true
		}
	case "b64":
		a := one()
		strOnly(a)
		var in fields.Value
		var buf []byte
		ex := a.extract
		out.extract = func(c *fields.Ctx, v *fields.Value) bool {
			if !ex(c, &in) {
				return false
			}
			n := base64.StdEncoding.DecodedLen(len(in.S))
			if cap(buf) < n {
				buf = make([]byte, n)
			}
			m, err := base64.StdEncoding.Decode(buf[:n], stringBytes(in.S))
			if err != nil {
				return false
			}
			v.S = bytesView(buf[:m])
			return true
		}
	case "basename":
		a := one()
		strOnly(a)
		var in fields.Value
		ex := a.extract
		out.extract = func(c *fields.Ctx, v *fields.Value) bool {
			if !ex(c, &in) {
				return false
			}
			s := in.S
			if i := strings.LastIndexByte(s, '/'); i >= 0 {
				s = s[i+1:]
			}
			v.S = s
			return true
		}
	case "len":
		a := one()
		out.typ = event.PTUint64
		var in fields.Value
		ex := a.extract
		switch {
		case a.shape != fields.Scalar:
			out.extract = func(c *fields.Ctx, v *fields.Value) bool {
				if !ex(c, &in) {
					return false
				}
				v.U = uint64(len(in.Strs) + len(in.Nums) + len(in.IPs))
				return true
			}
		case fields.IsString(a.typ):
			out.extract = func(c *fields.Ctx, v *fields.Value) bool {
				if !ex(c, &in) {
					return false
				}
				v.U = uint64(len(in.S))
				return true
			}
		default:
			fail(t.P, "filter error: transformer 'len' requires a string or list field, '%s' is not", a.name)
		}
	case "concat":
		if len(args) < 2 {
			fail(t.P, "filter error: transformer 'concat' takes at least two arguments")
		}
		for _, a := range args {
			strOnly(a)
		}
		ins := make([]fields.Value, len(args))
		var buf []byte
		out.extract = func(c *fields.Ctx, v *fields.Value) bool {
			buf = buf[:0]
			for i, a := range args {
				if !a.extract(c, &ins[i]) {
					return false
				}
				buf = append(buf, ins[i].S...)
			}
			v.S = bytesView(buf)
			return true
		}
	case "join":
		if len(args) != 2 {
			fail(t.P, "filter error: transformer 'join' takes a separator and a list field")
		}
		sepOp, list := args[0], args[1]
		if _, ok := t.Args[0].(*condition.Literal); !ok {
			fail(t.P, "filter error: the first argument of 'join' must be a quoted separator")
		}
		var sepV, in fields.Value
		sepOp.extract(nil, &sepV)
		sep := sepV.S
		var buf []byte
		ex := list.extract
		out.extract = func(c *fields.Ctx, v *fields.Value) bool {
			if !ex(c, &in) {
				return false
			}
			buf = buf[:0]
			if list.shape == fields.Scalar {
				buf = append(buf, in.S...)
			} else {
				for i, s := range in.Strs {
					if i > 0 {
						buf = append(buf, sep...)
					}
					buf = append(buf, s...)
				}
			}
			v.S = bytesView(buf)
			return true
		}
	case "getopt":
		a := one()
		if !t.HasArg || len(t.Arg) == 0 {
			fail(t.P, "filter error: transformer 'getopt' needs an option argument, e.g. getopt(proc.args)[c]")
		}
		opt := t.Arg
		var in fields.Value
		ex := a.extract
		out.extract = func(c *fields.Ctx, v *fields.Value) bool {
			if !ex(c, &in) {
				return false
			}
			s, ok := getopt(in, a.shape, opt)
			v.S = s
			return ok
		}
	default:
		fail(t.P, "filter error: unknown transformer '%s'", t.Name)
	}
	st.ops[t.Name+"()"] = true
	delete(st.ops, t.Name+"()") // transformers are not operators; kept out of describe output
	return out
}

// getopt finds option -opt in an argument list (a list value, or a
// space-separated string) and returns its value: "-cVAL" or "-c VAL".
func getopt(in fields.Value, shape fields.Shape, opt string) (string, bool) {
	flag := "-" + opt
	next := false
	check := func(arg string) (string, bool, bool) {
		if next {
			return arg, true, true
		}
		if arg == flag {
			next = true
			return "", false, false
		}
		if strings.HasPrefix(arg, flag) && len(arg) > len(flag) {
			return arg[len(flag):], true, true
		}
		return "", false, false
	}
	if shape != fields.Scalar {
		for _, a := range in.Strs {
			if v, ok, done := check(a); done {
				return v, ok
			}
		}
		return "", false
	}
	s := in.S
	for len(s) > 0 {
		i := strings.IndexByte(s, ' ')
		var a string
		if i < 0 {
			a, s = s, ""
		} else {
			a, s = s[:i], s[i+1:]
		}
		if a == "" {
			continue
		}
		if v, ok, done := check(a); done {
			return v, ok
		}
	}
	return "", false
}
