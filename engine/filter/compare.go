package filter

import (
	"encoding/hex"
	"math"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

// pred tests one scalar value.
type pred func(v *fields.Value) bool

// constCheck compiles a check against constant values.
func (st *compileState) constCheck(x *condition.Check, left *operand, items []*condition.Str) evalFn {
	for _, it := range items {
		st.warnFieldAsValue(it)
	}
	if f, ok := x.Left.(*condition.Field); ok && f.Name == "evt.type" && !f.HasArg &&
		(x.Op == condition.OpEq || x.Op == condition.OpNe || x.Op == condition.OpIn || x.Op == condition.OpIntersects) {
		for _, it := range items {
			if _, ok := TypesOfName(it.Text); !ok {
				fail(it.P, "unknown event type %s", it.Text)
			}
		}
	}
	if x.Op == condition.OpRegex && len(items) == 1 && !strings.ContainsAny(items[0].Text, `.[]()*+?{}|^$\`) {
		st.warns = append(st.warns, Warning{Code: "LOAD_COMPILE_CONDITION", Pos: items[0].P,
			Msg: "regex check with '" + items[0].Text + "' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'"})
	}
	if b := left.bound; b != nil && b.Match != nil {
		vals := make([]string, len(items))
		for i, it := range items {
			vals[i] = it.Text
		}
		m, err := b.Match(x.Op.String(), vals)
		if err != nil {
			fail(x.OpPos, "%s", err.Error())
		}
		if m != nil {
			return m
		}
	}
	var p pred
	if x.Op.IsListOp() {
		p = st.setPred(x, left, items)
	} else {
		p = st.scalarPred(x.Op, left, items[0])
	}
	return applyShape(x.Op, left, p)
}

// applyShape runs a scalar predicate over the operand's value(s).
func applyShape(op condition.Op, left *operand, p pred) evalFn {
	ex := left.extract
	var v, elem fields.Value
	switch left.shape {
	case fields.Scalar:
		return func(c *fields.Ctx) bool { return ex(c, &v) && p(&v) }
	case fields.Many:
		if op == condition.OpIn {
			notP := func(e *fields.Value) bool { return !p(e) }
			return func(c *fields.Ctx) bool {
				if !ex(c, &v) || len(v.Strs)+len(v.Nums)+len(v.IPs) == 0 {
					return false
				}
				return !forEach(&v, left.typ, &elem, notP)
			}
		}
		return func(c *fields.Ctx) bool { return ex(c, &v) && forEach(&v, left.typ, &elem, p) }
	case fields.Either:
		if op == condition.OpNe {
			// Neither end equals: every end passes the != predicate.
			notP := func(e *fields.Value) bool { return !p(e) }
			return func(c *fields.Ctx) bool {
				if !ex(c, &v) || len(v.Strs)+len(v.Nums)+len(v.IPs) == 0 {
					return false
				}
				return !forEach(&v, left.typ, &elem, notP)
			}
		}
		fallthrough
	default: // Any
		return func(c *fields.Ctx) bool {
			if !ex(c, &v) {
				return false
			}
			return forEach(&v, left.typ, &elem, p)
		}
	}
}

// forEach calls fn for each element of a multi-valued v (as a scalar in
// elem) until fn returns true; it reports whether fn did.
func forEach(v *fields.Value, t fields.Type, elem *fields.Value, fn func(*fields.Value) bool) bool {
	switch {
	case fields.IsString(t):
		for _, s := range v.Strs {
			elem.S = s
			if fn(elem) {
				return true
			}
		}
	case fields.IsIP(t):
		for _, ip := range v.IPs {
			elem.IP = ip
			if fn(elem) {
				return true
			}
		}
	default:
		for _, n := range v.Nums {
			elem.U = n
			if fn(elem) {
				return true
			}
		}
	}
	return false
}

// number parses a constant for a numeric field.
func number(t fields.Type, s *condition.Str) (u uint64, f float64) {
	txt := s.Text
	if t == event.PTDouble {
		x, err := strconv.ParseFloat(txt, 64)
		if err != nil {
			fail(s.P, "filter error: '%s' is not a valid number", txt)
		}
		return 0, x
	}
	if fields.IsSigned(t) {
		x, err := strconv.ParseInt(txt, 0, 64)
		if err != nil {
			if fl, ferr := strconv.ParseFloat(txt, 64); ferr == nil && fl == math.Trunc(fl) {
				return uint64(int64(fl)), 0
			}
			fail(s.P, "filter error: '%s' is not a valid number", txt)
		}
		return uint64(x), 0
	}
	if t == event.PTPort && txt != "" && (txt[0]|0x20 >= 'a' && txt[0]|0x20 <= 'z') {
		return servicePort(s), 0
	}
	x, err := strconv.ParseUint(txt, 0, 64)
	if err != nil {
		// Negative constants for unsigned fields compare as two's complement
		// (uid -1 is 4294967295 in libs for 32-bit fields).
		if n, ierr := strconv.ParseInt(txt, 0, 64); ierr == nil {
			return uint64(n), 0
		}
		fail(s.P, "filter error: '%s' is not a valid number", txt)
	}
	return x, 0
}

// servicePort resolves a service name written for a port (fd.sport =
// http), as libs does with getservbyname: from /etc/services (Go's
// resolver also knows a few common names without it), TCP first.
func servicePort(s *condition.Str) uint64 {
	for _, network := range []string{"tcp", "udp"} {
		if p, err := net.LookupPort(network, s.Text); err == nil {
			return uint64(p)
		}
	}
	fail(s.P, "filter error: unrecognized protocol %s", s.Text)
	return 0
}

func boolean(s *condition.Str) uint64 {
	switch s.Text {
	case "true":
		return 1
	case "false":
		return 0
	}
	fail(s.P, "filter error: '%s' is not a valid boolean (true or false)", s.Text)
	return 0
}

// ipConst parses an address or a CIDR network.
func ipConst(t fields.Type, s *condition.Str) netip.Prefix {
	if strings.Contains(s.Text, "/") {
		p, err := netip.ParsePrefix(s.Text)
		if err != nil {
			fail(s.P, "filter error: '%s' is not a valid network", s.Text)
		}
		return p.Masked()
	}
	a, err := netip.ParseAddr(s.Text)
	if err != nil {
		fail(s.P, "filter error: '%s' is not a valid IP address", s.Text)
	}
	return netip.PrefixFrom(a, a.BitLen())
}

func (st *compileState) scalarPred(op condition.Op, left *operand, s *condition.Str) pred {
	t := left.typ
	switch typeClass(t, fields.Scalar) {
	case "numeric":
		u, f := number(t, s)
		return numPred(op, t, u, f)
	case "bool":
		b := boolean(s)
		if op == condition.OpNe {
			return func(v *fields.Value) bool { return (v.U != 0) != (b != 0) }
		}
		return func(v *fields.Value) bool { return (v.U != 0) == (b != 0) }
	case "ip":
		p := ipConst(t, s)
		if op == condition.OpNe {
			return func(v *fields.Value) bool { return !p.Contains(v.IP.Unmap()) }
		}
		return func(v *fields.Value) bool { return p.Contains(v.IP.Unmap()) }
	case "buffer":
		if op == condition.OpBContains || op == condition.OpBStartsWith {
			b, err := hex.DecodeString(s.Text)
			if err != nil {
				fail(s.P, "filter error: bcontains and bstartswith operator support hex strings only")
			}
			needle := string(b)
			if op == condition.OpBContains {
				return func(v *fields.Value) bool { return strings.Contains(v.S, needle) }
			}
			return func(v *fields.Value) bool { return strings.HasPrefix(v.S, needle) }
		}
	}
	return strPred(op, s.Text, s.P)
}

func numPred(op condition.Op, t fields.Type, u uint64, f float64) pred {
	if t == event.PTDouble {
		switch op {
		case condition.OpEq:
			return func(v *fields.Value) bool { return v.F == f }
		case condition.OpNe:
			return func(v *fields.Value) bool { return v.F != f }
		case condition.OpLt:
			return func(v *fields.Value) bool { return v.F < f }
		case condition.OpLe:
			return func(v *fields.Value) bool { return v.F <= f }
		case condition.OpGt:
			return func(v *fields.Value) bool { return v.F > f }
		case condition.OpGe:
			return func(v *fields.Value) bool { return v.F >= f }
		}
	}
	if fields.IsSigned(t) {
		i := int64(u)
		switch op {
		case condition.OpLt:
			return func(v *fields.Value) bool { return int64(v.U) < i }
		case condition.OpLe:
			return func(v *fields.Value) bool { return int64(v.U) <= i }
		case condition.OpGt:
			return func(v *fields.Value) bool { return int64(v.U) > i }
		case condition.OpGe:
			return func(v *fields.Value) bool { return int64(v.U) >= i }
		}
	}
	switch op {
	case condition.OpEq:
		return func(v *fields.Value) bool { return v.U == u }
	case condition.OpNe:
		return func(v *fields.Value) bool { return v.U != u }
	case condition.OpLt:
		return func(v *fields.Value) bool { return v.U < u }
	case condition.OpLe:
		return func(v *fields.Value) bool { return v.U <= u }
	case condition.OpGt:
		return func(v *fields.Value) bool { return v.U > u }
	case condition.OpGe:
		return func(v *fields.Value) bool { return v.U >= u }
	}
	return func(*fields.Value) bool { return false }
}

// strPred compiles a string operator against constant s.
func strPred(op condition.Op, s string, p condition.Pos) pred {
	switch op {
	case condition.OpEq:
		return func(v *fields.Value) bool { return v.S == s }
	case condition.OpNe:
		return func(v *fields.Value) bool { return v.S != s }
	case condition.OpLt:
		return func(v *fields.Value) bool { return v.S < s }
	case condition.OpLe:
		return func(v *fields.Value) bool { return v.S <= s }
	case condition.OpGt:
		return func(v *fields.Value) bool { return v.S > s }
	case condition.OpGe:
		return func(v *fields.Value) bool { return v.S >= s }
	case condition.OpContains:
		return func(v *fields.Value) bool { return strings.Contains(v.S, s) }
	case condition.OpIContains:
		low := strings.ToLower(s)
		return func(v *fields.Value) bool { return containsFold(v.S, low) }
	case condition.OpStartsWith:
		return func(v *fields.Value) bool { return strings.HasPrefix(v.S, s) }
	case condition.OpEndsWith:
		return func(v *fields.Value) bool { return strings.HasSuffix(v.S, s) }
	case condition.OpGlob:
		return func(v *fields.Value) bool { return globMatch(s, v.S, false) }
	case condition.OpIGlob:
		return func(v *fields.Value) bool { return globMatch(s, v.S, true) }
	case condition.OpRegex:
		re, err := regexp.Compile(`^(?:` + s + `)$`)
		if err != nil {
			fail(p, "filter error: invalid regular expression '%s': %v", s, err)
		}
		return func(v *fields.Value) bool { return re.MatchString(v.S) }
	case condition.OpBContains, condition.OpBStartsWith:
		b, err := hex.DecodeString(s)
		if err != nil {
			fail(p, "filter error: bcontains and bstartswith operator support hex strings only")
		}
		needle := string(b)
		if op == condition.OpBContains {
			return func(v *fields.Value) bool { return strings.Contains(v.S, needle) }
		}
		return func(v *fields.Value) bool { return strings.HasPrefix(v.S, needle) }
	}
	fail(p, "filter error: operator '%s' cannot take a single value", op)
	return nil
}

// smallSet is the size up to which a linear scan beats a map lookup.
const smallSet = 8

// setPred compiles in / intersects / pmatch against a constant list.
func (st *compileState) setPred(x *condition.Check, left *operand, items []*condition.Str) pred {
	t := left.typ
	if x.Op == condition.OpPmatch {
		if !fields.IsString(t) {
			fail(x.OpPos, "'pmatch' operator not supported for %s filters", typeClass(t, left.shape))
		}
		pm := newPathSet(items)
		return func(v *fields.Value) bool { return pm.match(v.S) }
	}
	switch typeClass(t, fields.Scalar) {
	case "numeric":
		if t == event.PTDouble {
			fs := make([]float64, len(items))
			for i, it := range items {
				_, fs[i] = number(t, it)
			}
			return func(v *fields.Value) bool {
				for _, f := range fs {
					if v.F == f {
						return true
					}
				}
				return false
			}
		}
		us := make([]uint64, len(items))
		for i, it := range items {
			us[i], _ = number(t, it)
		}
		if len(us) <= smallSet {
			return func(v *fields.Value) bool {
				for _, u := range us {
					if v.U == u {
						return true
					}
				}
				return false
			}
		}
		m := make(map[uint64]struct{}, len(us))
		for _, u := range us {
			m[u] = struct{}{}
		}
		return func(v *fields.Value) bool { _, ok := m[v.U]; return ok }
	case "bool":
		var has [2]bool
		for _, it := range items {
			has[boolean(it)] = true
		}
		return func(v *fields.Value) bool { return has[v.U&1] }
	case "ip":
		ps := make([]netip.Prefix, len(items))
		for i, it := range items {
			ps[i] = ipConst(t, it)
		}
		return func(v *fields.Value) bool {
			a := v.IP.Unmap()
			for _, p := range ps {
				if p.Contains(a) {
					return true
				}
			}
			return false
		}
	}
	ss := make([]string, len(items))
	for i, it := range items {
		ss[i] = it.Text
	}
	if len(ss) <= smallSet {
		return func(v *fields.Value) bool {
			for _, s := range ss {
				if v.S == s {
					return true
				}
			}
			return false
		}
	}
	m := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		m[s] = struct{}{}
	}
	return func(v *fields.Value) bool { _, ok := m[v.S]; return ok }
}

// modifierCheck compiles "<strop> oneof|anyof|allof (list)".
func (st *compileState) modifierCheck(x *condition.Check, left *operand) evalFn {
	l, ok := x.Value.(*condition.List)
	if !ok {
		fail(x.Value.Pos(), "filter error: operator modifier '%s' needs a value list", x.Mod)
	}
	ps := make([]pred, len(l.Items))
	for i, it := range l.Items {
		st.warnFieldAsValue(it)
		ps[i] = st.scalarPred(x.Op, left, it)
	}
	mod := x.Mod
	p := func(v *fields.Value) bool {
		n := 0
		for _, p := range ps {
			if p(v) {
				n++
				if mod == condition.ModAnyOf {
					return true
				}
				if mod == condition.ModOneOf && n > 1 {
					return false
				}
			} else if mod == condition.ModAllOf {
				return false
			}
		}
		switch mod {
		case condition.ModOneOf:
			return n == 1
		case condition.ModAllOf:
			return len(ps) > 0
		}
		return false
	}
	return applyShape(condition.OpEq, left, p)
}

// fieldCheck compiles a comparison with a value computed per event
// (val(field) or a transformer on the right).
func (st *compileState) fieldCheck(x *condition.Check, left, right *operand) evalFn {
	if right.shape != fields.Scalar {
		fail(x.Value.Pos(), "filter error: the right-hand side of '%s' must be a single value", x.Op)
	}
	lex, rex := left.extract, right.extract
	var rv fields.Value
	op := x.Op
	if op.IsListOp() {
		op = condition.OpEq
	}
	t := left.typ
	class := typeClass(t, fields.Scalar)
	var cmp func(l, r *fields.Value) bool
	switch class {
	case "numeric", "bool":
		cmp = func(l, r *fields.Value) bool { return dynNum(op, t, l, r) }
	case "ip":
		cmp = func(l, r *fields.Value) bool {
			eq := l.IP.Unmap() == r.IP.Unmap()
			if op == condition.OpNe {
				return !eq
			}
			return eq
		}
	default:
		cmp = func(l, r *fields.Value) bool { return dynStr(op, l.S, r.S) }
	}
	p := func(v *fields.Value) bool { return cmp(v, &rv) }
	inner := applyShape(x.Op, left, p)
	_ = lex
	return func(c *fields.Ctx) bool {
		if !rex(c, &rv) {
			return false
		}
		return inner(c)
	}
}

func dynNum(op condition.Op, t fields.Type, l, r *fields.Value) bool {
	if t == event.PTDouble {
		return numPred(op, t, 0, r.F)(l)
	}
	a, b := l.U, r.U
	if fields.IsSigned(t) {
		x, y := int64(a), int64(b)
		switch op {
		case condition.OpLt:
			return x < y
		case condition.OpLe:
			return x <= y
		case condition.OpGt:
			return x > y
		case condition.OpGe:
			return x >= y
		}
	}
	switch op {
	case condition.OpEq:
		return a == b
	case condition.OpNe:
		return a != b
	case condition.OpLt:
		return a < b
	case condition.OpLe:
		return a <= b
	case condition.OpGt:
		return a > b
	case condition.OpGe:
		return a >= b
	}
	return false
}

func dynStr(op condition.Op, a, b string) bool {
	switch op {
	case condition.OpEq:
		return a == b
	case condition.OpNe:
		return a != b
	case condition.OpLt:
		return a < b
	case condition.OpLe:
		return a <= b
	case condition.OpGt:
		return a > b
	case condition.OpGe:
		return a >= b
	case condition.OpContains, condition.OpBContains:
		return strings.Contains(a, b)
	case condition.OpIContains:
		return containsFoldBoth(a, b)
	case condition.OpStartsWith, condition.OpBStartsWith:
		return strings.HasPrefix(a, b)
	case condition.OpEndsWith:
		return strings.HasSuffix(a, b)
	case condition.OpGlob:
		return globMatch(b, a, false)
	case condition.OpIGlob:
		return globMatch(b, a, true)
	case condition.OpRegex:
		// A per-event pattern cannot be precompiled; libs refuses it too.
		return false
	}
	return false
}
