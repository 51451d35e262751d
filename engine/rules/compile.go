package rules

import (
	"sort"
	"strconv"
	"strings"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/filter"
	"github.com/sakersec/saker/engine/output"
)

// List is a compiled list: its items with references to earlier lists
// expanded.
type List struct {
	Name  string
	Items []string
	Used  bool
	Lists []string // lists it expanded
}

// Macro is a compiled macro.
type Macro struct {
	Name       string
	Condition  string         // as written (appends applied)
	AST        condition.Expr // lists substituted, macros expanded
	Used       bool
	Macros     []string // macros it references
	Lists      []string // lists substituted into it
	visibility int
	index      int
	info       *macroInfo
	// raw is the parsed condition before macro expansion.
	raw condition.Expr
}

// Rule is a compiled rule.
type Rule struct {
	Name        string
	Description string
	// Condition is the rule's condition as written (appends applied),
	// without exceptions.
	Condition string
	// Expanded is the condition text compiled: exceptions appended and
	// lists substituted, before macro expansion.
	Expanded string
	AST      condition.Expr // macros expanded
	Output   string
	Priority alert.Priority
	Source   string
	Tags     []string
	// Enabled is the rule's state after loading (enabled: key, overrides);
	// a Ruleset's selection (minimum priority, enable/disable by name or
	// tag) is kept separately.
	Enabled         bool
	Capture         bool
	CaptureDuration uint64

	Filter *filter.Filter
	Format *output.Format

	ExceptionFields    []string
	ExceptionNames     []string
	ExceptionOperators []string
	Macros             []string
	Lists              []string
	// Index is the rule's position among loaded rules (load order).
	Index int
}

// compile runs Falco's compile stages over everything collected so far.
func (l *Loader) compile() *Ruleset {
	col := l.col
	rs := &Ruleset{}
	l.sess = fields.NewSession(l.cfg.Fields)
	if col.requiredEngine != nil {
		rs.RequiredEngineVersion = col.requiredEngine.String()
	}
	rs.RequiredPlugins = append(rs.RequiredPlugins, col.plugins...)

	// Lists: expand references to lists compiled before this one.
	byName := map[string]*List{}
	for _, li := range col.lists {
		cl := &List{Name: li.name}
		for _, it := range li.items {
			if ref := byName[it]; ref != nil {
				if len(cl.Items)+len(ref.Items) > maxListItems {
					throwf(ErrValidate, li.ctx, "list too large after expanding the lists it references (more than "+strconv.Itoa(maxListItems)+" items)")
				}
				cl.Items = append(cl.Items, ref.Items...)
				ref.Used = true
				cl.Lists = append(cl.Lists, ref.Name)
				continue
			}
			cl.Items = append(cl.Items, it)
		}
		rs.Lists = append(rs.Lists, cl)
		byName[cl.Name] = cl
	}

	// Macros: substitute lists, parse, then expand macro references.
	macros := map[string]*Macro{}
	for _, mi := range col.macros {
		cond, used := l.substituteListsIn(mi.cond, rs.Lists, mi.condCtx)
		ast := l.parseCondition(cond, mi.condCtx, mi.condPos)
		m := &Macro{Name: mi.name, Condition: mi.cond, raw: ast, Lists: used, visibility: mi.visibility, index: mi.index, info: mi}
		rs.Macros = append(rs.Macros, m)
		macros[m.Name] = m
	}
	for _, m := range rs.Macros {
		m.AST, m.Macros = l.expandMacros(m.raw, m.visibility, macros, m.info.ctx, m.info.condPos, m.Condition)
	}

	// Rules.
	for _, ri := range col.rules {
		if ri.unknownSource {
			continue
		}
		if r := l.compileRule(ri, rs, macros); r != nil {
			r.Index = len(rs.Rules)
			rs.Rules = append(rs.Rules, r)
		}
	}

	for _, mi := range col.macros {
		if !macros[mi.name].Used {
			l.warn(WarnUnusedMacro, mi.ctx, "Macro not referred to by any other rule/macro")
		}
	}
	for i, li := range col.lists {
		if !rs.Lists[i].Used {
			l.warn(WarnUnusedList, li.ctx, "List not referred to by any other rule/macro")
		}
	}
	rs.index()
	return rs
}

// Bounds on what a rules file can make the loader build. Falco has none;
// they only stop hostile files (macros that double at each level, lists
// that expand into each other) from exhausting memory, far above anything
// real rulesets reach (HEAD's largest expanded rule has a few thousand
// nodes and a condition of a few tens of KiB).
const (
	maxExpandedNodes = 1 << 20
	maxConditionLen  = 16 << 20
	maxListItems     = 1 << 20
)

const listDelims = " \t\n\r(),="
const listBlanks = " \t\n\r"

// quoteItem quotes a list or exception value containing a space, unless
// it is quoted already.
func quoteItem(s string) string {
	if strings.Contains(s, " ") && !strings.HasPrefix(s, `"`) && !strings.HasPrefix(s, `'`) {
		return `"` + s + `"`
	}
	return s
}

// errConditionTooLong is raised by substituteLists and turned into a load
// error by its callers.
var errConditionTooLong = &loadError{code: ErrCompileCondition, msg: "condition too long after list substitution (more than 16 MiB)"}

// substituteLists replaces every delimited occurrence of a list name in
// cond by the list's items (Falco's textual resolve_list), list by list in
// definition order, and reports the lists it used. Each list is one pass
// over the text producing exactly what Falco's find-and-splice loop
// produces: blanks around the name are dropped, the items joined by ", "
// are written with one space on each side (none before them at the very
// start), and an empty list also removes a comma next to it.
func (l *Loader) substituteLists(cond string, lists []*List) (string, []string) {
	var used []string
	var out []byte
	for _, li := range lists {
		name := li.Name
		if name == "" || !strings.Contains(cond, name) {
			continue
		}
		var sub string
		hit := false
		out = out[:0]
		i := 0
		for {
			j := strings.Index(cond[i:], name)
			if j < 0 {
				out = append(out, cond[i:]...)
				break
			}
			p := i + j
			out = append(out, cond[i:p]...)
			end := p + len(name)
			before := len(out) == 0 || strings.IndexByte(listDelims, out[len(out)-1]) >= 0
			after := end >= len(cond) || strings.IndexByte(listDelims, cond[end]) >= 0
			if !before || !after {
				out = append(out, cond[p])
				i = p + 1
				continue
			}
			if !hit {
				items := make([]string, len(li.Items))
				for k, it := range li.Items {
					items[k] = quoteItem(it)
				}
				sub = strings.Join(items, ", ")
				hit = true
			}
			for len(out) > 0 && strings.IndexByte(listBlanks, out[len(out)-1]) >= 0 {
				out = out[:len(out)-1]
			}
			for end < len(cond) && strings.IndexByte(listBlanks, cond[end]) >= 0 {
				end++
			}
			if sub == "" {
				if len(out) > 0 && out[len(out)-1] == ',' {
					out = out[:len(out)-1]
				} else if end < len(cond) && cond[end] == ',' {
					end++
				}
			}
			if len(out) > 0 {
				out = append(out, ' ')
			}
			out = append(out, sub...)
			out = append(out, ' ')
			if len(out)+len(cond)-end > maxConditionLen {
				panic(errConditionTooLong)
			}
			i = end
		}
		if hit {
			cond = string(out)
			li.Used = true
			used = append(used, name)
		}
	}
	return cond, used
}

// condLocation is the "condition expression" frame of a message about a
// position inside a condition: named by the first characters of the
// condition, positioned at the YAML position plus the offset.
func condLocation(cond string, base Position, p condition.Pos) Location {
	name := cond
	if len(name) > 17 {
		name = name[:17] + "..."
	}
	pos := Position{Name: `"` + name + `"`, Line: base.Line + p.Line - 1, Offset: base.Offset + p.Offset}
	if p.Line <= 1 {
		pos.Column = base.Column + p.Col - 1
	} else {
		pos.Column = p.Col - 1
	}
	return Location{ItemType: "condition expression", Pos: pos}
}

func (l *Loader) parseCondition(cond string, c ctx, base Position) condition.Expr {
	ast, err := condition.Parse(cond)
	if err != nil {
		pe := err.(*condition.Error)
		cc := append(append(ctx{}, c...), condLocation(cond, base, pe.Pos))
		throwf(ErrCompileCondition, cc, pe.Msg)
	}
	return ast
}

// expandMacros replaces macro references by macro bodies. Only macros
// whose index is below visibility can be referenced (macros see the
// macros defined before them; rules see all). A macro that refers back to
// itself through other macros is an error.
func (l *Loader) expandMacros(e condition.Expr, visibility int, macros map[string]*Macro, c ctx, base Position, cond string) (condition.Expr, []string) {
	var used []string
	seen := map[string]bool{}
	var path []string
	nodes := 0
	var walk func(e condition.Expr) condition.Expr
	walk = func(e condition.Expr) condition.Expr {
		if nodes++; nodes > maxExpandedNodes {
			throwf(ErrCompileCondition, c, "condition too large after macro expansion (more than "+strconv.Itoa(maxExpandedNodes)+" nodes)")
		}
		switch x := e.(type) {
		case *condition.And:
			out := &condition.And{P: x.P, Children: make([]condition.Expr, len(x.Children))}
			for i, ch := range x.Children {
				out.Children[i] = walk(ch)
			}
			return out
		case *condition.Or:
			out := &condition.Or{P: x.P, Children: make([]condition.Expr, len(x.Children))}
			for i, ch := range x.Children {
				out.Children[i] = walk(ch)
			}
			return out
		case *condition.Not:
			return &condition.Not{P: x.P, Child: walk(x.Child)}
		case *condition.Ident:
			m := macros[x.Name]
			if m == nil || m.index >= visibility {
				cc := append(append(ctx{}, c...), condLocation(cond, base, x.P))
				throwf(ErrValidate, cc, "Undefined macro '"+x.Name+"' used in filter.")
			}
			for _, p := range path {
				if p == x.Name {
					cc := append(append(ctx{}, c...), condLocation(cond, base, x.P))
					throwf(ErrValidate, cc, "reference loop in macro '"+x.Name+"'")
				}
			}
			m.Used = true
			if !seen[x.Name] {
				seen[x.Name] = true
				used = append(used, x.Name)
			}
			path = append(path, x.Name)
			body := walk(m.raw)
			path = path[:len(path)-1]
			return body
		}
		return e
	}
	out := walk(e)
	sort.Strings(used)
	return out, used
}

// buildExceptions appends the rule's exceptions to its condition, as
// Falco's build_rule_exception_infos does.
func buildExceptions(ri *ruleInfo, r *Rule) string {
	cond := "(" + ri.cond + ")"
	fieldSet, opSet := map[string]bool{}, map[string]bool{}
	for _, ex := range ri.exceptions {
		r.ExceptionNames = append(r.ExceptionNames, ex.name)
		var icond string
		if !ex.fields.isList {
			for _, v := range ex.values {
				if v.isList {
					throwf(ErrValidate, ex.ctx, "Expected values array to contain a list of strings")
				}
				if icond == "" {
					icond = "(" + ex.fields.item + " " + ex.comps.item + " ("
				} else {
					icond += ", "
				}
				fieldSet[ex.fields.item] = true
				opSet[ex.comps.item] = true
				icond += quoteItem(v.item)
			}
			if icond != "" {
				icond += "))"
			}
		} else {
			icond = "("
			for _, vals := range ex.values {
				if len(ex.fields.items) != len(vals.items) {
					throwf(ErrValidate, ex.ctx, "Fields and values lists must have equal length")
				}
				if icond != "(" {
					icond += " or "
				}
				icond += "("
				for k, f := range ex.fields.items {
					if k > 0 {
						icond += " and "
					}
					var istr string
					if vals.items[k].isList {
						istr = "("
						for i, v := range vals.items[k].items {
							if i > 0 {
								istr += ", "
							}
							istr += quoteItem(v.item)
						}
						istr += ")"
					} else {
						istr = vals.items[k].item
						if isListOperator(ex.comps.items[k].item) {
							if !strings.HasPrefix(istr, "(") {
								istr = "(" + istr + ")"
							}
						} else {
							istr = quoteItem(istr)
						}
					}
					icond += " " + f.item + " " + ex.comps.items[k].item + " " + istr
					fieldSet[f.item] = true
					opSet[ex.comps.items[k].item] = true
				}
				icond += ")"
			}
			icond += ")"
			if icond == "()" {
				icond = ""
			}
		}
		if icond != "" {
			cond += " and not " + icond
		}
	}
	for f := range fieldSet {
		r.ExceptionFields = append(r.ExceptionFields, f)
	}
	for o := range opSet {
		r.ExceptionOperators = append(r.ExceptionOperators, o)
	}
	sort.Strings(r.ExceptionFields)
	sort.Strings(r.ExceptionOperators)
	return cond
}

// skippable reports whether a compile error is one that
// skip-if-unknown-filter turns into a warning.
func skippable(msg string) bool {
	for _, s := range []string{"nonexistent field", "invalid formatting token", "unknown event type", "unknown filter:"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func (l *Loader) compileRule(ri *ruleInfo, rs *Ruleset, macros map[string]*Macro) *Rule {
	r := &Rule{Name: ri.name, Description: ri.desc, Condition: ri.cond, Priority: ri.priority, Source: ri.source,
		Tags: append([]string{}, ri.tags...), Enabled: ri.enabled, Capture: ri.capture, CaptureDuration: ri.captureDuration}
	cond := ri.cond
	if len(ri.exceptions) > 0 {
		cond = buildExceptions(ri, r)
	}

	out := ri.output
	if strings.Contains(out, "%container.info") {
		l.warn(WarnDeprecatedItem, ri.outputCtx, "The %container.info output token is deprecated and is replaced by an empty string")
		out = strings.ReplaceAll(out, "%container.info", "")
	}
	r.Output = out
	f, err := output.CompileSession(out, l.sess)
	if err != nil {
		if ri.skipUnknown && skippable(err.Error()) {
			l.warn(WarnUnknownFilter, ri.outputCtx, err.Error())
			return nil
		}
		throwf(ErrCompileOutput, ri.outputCtx, err.Error())
	}
	r.Format = f

	cond, r.Lists = l.substituteListsIn(cond, rs.Lists, ri.condCtx)
	r.Expanded = cond
	ast := l.parseCondition(cond, ri.condCtx, ri.condPos)
	r.AST, r.Macros = l.expandMacros(ast, 1<<62, macros, ri.ctx, ri.condPos, cond)

	flt, warns, err := (&filter.Compiler{Fields: l.cfg.Fields, Session: l.sess}).Compile(r.AST)
	if err != nil {
		if ri.skipUnknown && skippable(err.Error()) {
			l.warn(WarnUnknownFilter, ri.condCtx, err.Error())
			return nil
		}
		throwf(ErrCompileCondition, ri.condCtx, err.Error())
	}
	r.Filter = flt
	seenWarn := map[string]bool{}
	for _, w := range warns {
		if seenWarn[w.Code+w.Msg] {
			continue
		}
		seenWarn[w.Code+w.Msg] = true
		if w.Field != "" {
			l.addMessage(&l.cur.Warnings, w.Code, ri.condCtx, w.Msg, w.Field)
		} else {
			l.warn(w.Code, ri.condCtx, w.Msg)
		}
	}
	if un := append(append([]string{}, flt.Unimplemented...), f.Unimplemented()...); len(un) > 0 {
		sort.Strings(un)
		un = dedup(un)
		l.warn(WarnUnimplementedField, ri.ctx, "Rule uses fields saker cannot extract yet (they read as <NA>): "+strings.Join(un, ", "))
	}
	if ri.source == "syscall" && ri.warnEvttypes && flt.Types.Len() > 100 {
		l.warn(WarnNoEvttype, ri.condCtx, "Rule matches too many evt.type values. This has a significant performance penalty.")
	}
	return r
}

func dedup(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// substituteListsIn is substituteLists reporting an oversized result as a
// load error in context c.
func (l *Loader) substituteListsIn(cond string, lists []*List, c ctx) (out string, used []string) {
	defer func() {
		if r := recover(); r != nil {
			if r != errConditionTooLong {
				panic(r)
			}
			throwf(ErrCompileCondition, c, errConditionTooLong.msg)
		}
	}()
	return l.substituteLists(cond, lists)
}
