package rules

import (
	"sort"

	"github.com/sakersec/saker/engine/alert"
)

// The collector keeps what the files define, in definition order, with
// Falco's index/visibility bookkeeping: index is the position of the
// first definition (it orders lists, macros and rules), visibility the
// sequence number of the latest definition or update (it decides which
// lists and macros an item can see).

type listInfo struct {
	ctx        ctx
	name       string
	items      []string
	index      int
	visibility int
}

type macroInfo struct {
	ctx        ctx
	condCtx    ctx
	condPos    Position
	name       string
	cond       string
	index      int
	visibility int
}

// exEntry is an exception fields/comps/values entry: a scalar, or a list.
type exEntry struct {
	isList bool
	item   string
	items  []exEntry
	set    bool
}

type exceptionInfo struct {
	ctx    ctx
	name   string
	fields exEntry
	comps  exEntry
	values []exEntry
	hasVal bool
}

type ruleInfo struct {
	ctx             ctx
	condCtx         ctx
	condPos         Position
	outputCtx       ctx
	name            string
	cond            string
	output          string
	desc            string
	source          string
	priority        alert.Priority
	enabled         bool
	tags            []string
	exceptions      []exceptionInfo
	warnEvttypes    bool
	skipUnknown     bool
	capture         bool
	captureDuration uint64
	index           int
	visibility      int
	unknownSource   bool
}

// ruleUpdate is an append or replace of an existing rule; nil pointers
// mean "not given".
type ruleUpdate struct {
	ctx             ctx
	condCtx         ctx
	condPos         Position
	name            string
	cond            *string
	output          *string
	desc            *string
	tags            []string
	tagsSet         bool
	exceptions      []exceptionInfo
	exceptionsSet   bool
	priority        *alert.Priority
	enabled         *bool
	warnEvttypes    *bool
	skipUnknown     *bool
	capture         *bool
	captureDuration *uint64
}

func (u *ruleUpdate) hasAny() bool {
	return u.cond != nil || u.output != nil || u.desc != nil || u.tagsSet || u.exceptionsSet || u.priority != nil ||
		u.enabled != nil || u.warnEvttypes != nil || u.skipUnknown != nil || u.capture != nil || u.captureDuration != nil
}

type pluginReq struct {
	Name         string      `json:"name"`
	Version      string      `json:"version"`
	Alternatives []pluginAlt `json:"alternatives,omitempty"`
}

type pluginAlt struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type collector struct {
	seq        int
	lists      []*listInfo
	listByName map[string]*listInfo
	macros     []*macroInfo
	macroByNm  map[string]*macroInfo
	rules      []*ruleInfo
	ruleByName map[string]*ruleInfo

	requiredEngine *semver
	plugins        []pluginReq
}

func newCollector() *collector {
	return &collector{listByName: map[string]*listInfo{}, macroByNm: map[string]*macroInfo{}, ruleByName: map[string]*ruleInfo{}}
}

func (c *collector) next() int {
	c.seq++
	return c.seq
}

func (c *collector) defineList(l *listInfo) {
	id := c.next()
	if prev := c.listByName[l.name]; prev != nil {
		l.index = prev.index
		l.visibility = id
		*prev = *l
		return
	}
	l.index, l.visibility = id, id
	c.lists = append(c.lists, l)
	c.listByName[l.name] = l
}

func (c *collector) appendList(l *listInfo) {
	prev := c.listByName[l.name]
	if prev == nil {
		throwf(ErrValidate, l.ctx, "List uses 'append' or 'override.items: append' but no list by that name already exists")
	}
	prev.items = append(prev.items, l.items...)
	prev.visibility = c.next()
}

func (c *collector) replaceList(l *listInfo) {
	prev := c.listByName[l.name]
	if prev == nil {
		throwf(ErrValidate, l.ctx, "An 'override.items: replace' to a list was requested but no list by that name already exists")
	}
	prev.items = l.items
	prev.visibility = c.next()
}

func (c *collector) defineMacro(m *macroInfo) {
	id := c.next()
	if prev := c.macroByNm[m.name]; prev != nil {
		m.index = prev.index
		m.visibility = id
		*prev = *m
		return
	}
	m.index, m.visibility = id, id
	c.macros = append(c.macros, m)
	c.macroByNm[m.name] = m
}

func (c *collector) appendMacro(m *macroInfo) {
	prev := c.macroByNm[m.name]
	if prev == nil {
		throwf(ErrValidate, m.ctx, "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists")
	}
	prev.cond += " " + m.cond
	prev.visibility = c.next()
}

func (c *collector) replaceMacro(m *macroInfo) {
	prev := c.macroByNm[m.name]
	if prev == nil {
		throwf(ErrValidate, m.ctx, "An 'override.condition: replace' to a macro was requested but no macro by that name already exists")
	}
	prev.cond = m.cond
	prev.condCtx = m.condCtx
	prev.condPos = m.condPos
	prev.visibility = c.next()
}

func (c *collector) defineRule(l *Loader, r *ruleInfo) {
	prev := c.ruleByName[r.name]
	if prev != nil && prev.source != r.source {
		throwf(ErrValidate, r.ctx, "Rule has been re-defined with a different source")
	}
	known := l.knownSource(r.source)
	if !known {
		r.unknownSource = true
		l.warn(WarnUnknownSource, r.ctx, "Unknown source "+r.source+", skipping")
	}
	seen := map[string]bool{}
	for i := range r.exceptions {
		ex := &r.exceptions[i]
		if seen[ex.name] {
			l.warn(WarnExceptionNotUnique, ex.ctx, "Multiple definitions of exception '"+ex.name+"' in the same rule")
		}
		seen[ex.name] = true
		if known {
			l.validateException(ex)
		}
	}
	id := c.next()
	if prev != nil {
		r.index = prev.index
		r.visibility = id
		*prev = *r
		return
	}
	r.index, r.visibility = id, id
	c.rules = append(c.rules, r)
	c.ruleByName[r.name] = r
}

func tagUnion(a, b []string) []string {
	set := map[string]bool{}
	for _, t := range a {
		set[t] = true
	}
	for _, t := range b {
		set[t] = true
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func (c *collector) appendRule(l *Loader, u *ruleUpdate) {
	prev := c.ruleByName[u.name]
	if prev == nil {
		throwf(ErrValidate, u.ctx, "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists")
	}
	if u.cond != nil && *u.cond != "" {
		prev.cond += " " + *u.cond
	}
	if u.output != nil && *u.output != "" {
		prev.output += " " + *u.output
	}
	if u.desc != nil && *u.desc != "" {
		prev.desc += " " + *u.desc
	}
	if u.tagsSet {
		prev.tags = tagUnion(prev.tags, u.tags)
	}
	if u.exceptionsSet {
		for _, ex := range u.exceptions {
			found := -1
			for i := range prev.exceptions {
				if prev.exceptions[i].name == ex.name {
					found = i
					break
				}
			}
			if found < 0 {
				if !ex.fields.set {
					throwf(ErrValidate, ex.ctx, "Rule exception must have fields property with a list of fields")
				}
				if len(ex.values) == 0 {
					throwf(ErrValidate, ex.ctx, "Rule exception must have values property with a list of values")
				}
				if !prev.unknownSource {
					l.validateException(&ex)
				}
				prev.exceptions = append(prev.exceptions, ex)
				continue
			}
			if ex.fields.set {
				throwf(ErrValidate, ex.ctx, "Can not append exception fields to existing exception, only values")
			}
			if ex.comps.set {
				throwf(ErrValidate, ex.ctx, "Can not append exception comps to existing exception, only values")
			}
			if len(ex.values) == 0 {
				l.warn(WarnAppendNoValues, ex.ctx, "Overriding/appending exception with no values")
			}
			prev.exceptions[found].values = append(prev.exceptions[found].values, ex.values...)
		}
	}
	prev.visibility = c.next()
}

func (c *collector) replaceRule(l *Loader, u *ruleUpdate) {
	prev := c.ruleByName[u.name]
	if prev == nil {
		throwf(ErrValidate, u.ctx, "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists")
	}
	if u.cond != nil {
		prev.cond = *u.cond
		prev.condCtx = u.condCtx
		prev.condPos = u.condPos
	}
	if u.output != nil {
		prev.output = *u.output
	}
	if u.desc != nil {
		prev.desc = *u.desc
	}
	if u.tagsSet {
		prev.tags = tagUnion(nil, u.tags)
	}
	if u.exceptionsSet {
		for i := range u.exceptions {
			if !prev.unknownSource {
				l.validateException(&u.exceptions[i])
			}
		}
		prev.exceptions = u.exceptions
	}
	if u.priority != nil {
		prev.priority = *u.priority
	}
	if u.enabled != nil {
		prev.enabled = *u.enabled
	}
	if u.warnEvttypes != nil {
		prev.warnEvttypes = *u.warnEvttypes
	}
	if u.skipUnknown != nil {
		prev.skipUnknown = *u.skipUnknown
	}
	if u.capture != nil {
		prev.capture = *u.capture
	}
	if u.captureDuration != nil {
		prev.captureDuration = *u.captureDuration
	}
	prev.visibility = c.next()
}

func (c *collector) enableRule(name string, enabled bool, cx ctx) {
	prev := c.ruleByName[name]
	if prev == nil {
		throwf(ErrValidate, cx, "Rule has 'enabled' key but no rule by that name already exists")
	}
	prev.enabled = enabled
}
