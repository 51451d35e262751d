package rules

import (
	"sort"
	"strings"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/filter"
	"github.com/sakersec/saker/receiver/event"
)

// Ruleset is the result of loading: compiled rules, macros and lists, and
// the selection of enabled rules indexed by event type.
//
// A Ruleset's filters and formats own scratch memory: evaluate it from one
// goroutine.
type Ruleset struct {
	Rules  []*Rule
	Macros []*Macro
	Lists  []*List

	// RequiredEngineVersion is the highest required_engine_version seen.
	RequiredEngineVersion string
	// RequiredPlugins lists required_plugin_versions entries.
	RequiredPlugins []pluginReq

	enabled []bool
	// byType[t] lists the enabled rules that can match events of type t,
	// in load order.
	byType [event.MaxType][]*Rule
}

// index builds the initial selection: every rule enabled by its file.
func (rs *Ruleset) index() {
	rs.enabled = make([]bool, len(rs.Rules))
	for i, r := range rs.Rules {
		rs.enabled[i] = r.Enabled
	}
	rs.reindex()
}

func (rs *Ruleset) reindex() {
	for t := range rs.byType {
		rs.byType[t] = rs.byType[t][:0]
	}
	for i, r := range rs.Rules {
		if !rs.enabled[i] {
			continue
		}
		for t := event.Type(0); t < event.MaxType; t++ {
			if r.Filter.Types.Has(t) {
				rs.byType[t] = append(rs.byType[t], r)
			}
		}
	}
}

// IsEnabled reports whether rule r is selected.
func (rs *Ruleset) IsEnabled(r *Rule) bool { return rs.enabled[r.Index] }

// EnabledCount returns the number of selected rules.
func (rs *Ruleset) EnabledCount() int {
	n := 0
	for _, e := range rs.enabled {
		if e {
			n++
		}
	}
	return n
}

// SetMinPriority disables the enabled rules less severe than min (Falco's
// "priority" setting).
func (rs *Ruleset) SetMinPriority(min alert.Priority) {
	for i, r := range rs.Rules {
		if rs.enabled[i] && !r.Priority.AtLeast(min) {
			rs.enabled[i] = false
		}
	}
	rs.reindex()
}

// SelectByName enables or disables the rules whose name matches pattern
// ('*' matches any run of characters, as in Falco's rules[].enable.rule;
// nothing else is special, so names with brackets or '?' match literally).
// It returns how many matched.
func (rs *Ruleset) SelectByName(pattern string, enable bool) int {
	n := 0
	for i, r := range rs.Rules {
		if wildcardMatch(pattern, r.Name) {
			rs.enabled[i] = enable
			n++
		}
	}
	rs.reindex()
	return n
}

// SelectByTag enables or disables the rules carrying tag.
func (rs *Ruleset) SelectByTag(tag string, enable bool) int {
	n := 0
	for i, r := range rs.Rules {
		for _, t := range r.Tags {
			if t == tag {
				rs.enabled[i] = enable
				n++
				break
			}
		}
	}
	rs.reindex()
	return n
}

// RulesFor returns the enabled rules that can match events of type t, in
// load order.
func (rs *Ruleset) RulesFor(t event.Type) []*Rule {
	if !t.Valid() {
		return nil
	}
	return rs.byType[t]
}

// EventTypes returns the event types some enabled rule can match.
func (rs *Ruleset) EventTypes() []event.Type {
	var out []event.Type
	for t := event.Type(0); t < event.MaxType; t++ {
		if len(rs.byType[t]) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// Match evaluates the enabled rules for the event in c and calls fn for
// each matching rule, in load order. With all=false (Falco's
// rule_matching: first) it stops at the first match. It allocates
// nothing.
func (rs *Ruleset) Match(c *fields.Ctx, all bool, fn func(*Rule)) int {
	n := 0
	for _, r := range rs.byType[c.Evt.Type()] {
		if r.Filter.Match(c) {
			n++
			fn(r)
			if !all {
				return n
			}
		}
	}
	return n
}

// Rule returns the rule named name, or nil.
func (rs *Ruleset) Rule(name string) *Rule {
	for _, r := range rs.Rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// wildcardMatch matches name against pattern where only '*' is special.
func wildcardMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return strings.HasSuffix(name, parts[len(parts)-1])
}

// Selection is one entry of Falco's `rules:` configuration list:
// {enable|disable: {rule: NAME-WITH-*} | {tag: TAG}}.
type Selection struct {
	Enable bool
	Rule   string // name pattern ('*' wildcard); empty when Tag is used
	Tag    string
}

// Apply applies selections in order (later entries win), as Falco applies
// its rules: list after loading. It returns, per entry, how many rules it
// touched.
func (rs *Ruleset) Apply(sel []Selection) []int {
	out := make([]int, len(sel))
	for i, s := range sel {
		if s.Tag != "" {
			out[i] = rs.SelectByTag(s.Tag, s.Enable)
		} else {
			out[i] = rs.SelectByName(s.Rule, s.Enable)
		}
	}
	return out
}

// GenericSyscalls returns the syscalls the enabled rules name with evt.type
// that have no dedicated event type (their events are generic events): a
// live source traces them by name. Sorted, without duplicates.
func (rs *Ruleset) GenericSyscalls() []string {
	seen := map[string]bool{}
	var out []string
	for i, r := range rs.Rules {
		if !rs.enabled[i] || r.AST == nil {
			continue
		}
		for _, n := range filter.GenericSyscalls(r.AST) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// DNSNames returns the DNS names the enabled rules compare the
// fd.*ip.name fields with (the values of those checks, macros and lists
// expanded), in rule order: what fields.Names must resolve for them
// ([fields.NameResolver.Want]). A disabled rule's names are left out;
// its condition registered them when it compiled.
func (rs *Ruleset) DNSNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs.Rules {
		if !rs.IsEnabled(r) || r.AST == nil {
			continue
		}
		condition.Walk(r.AST, func(e condition.Expr) bool {
			c, ok := e.(*condition.Check)
			if !ok {
				return true
			}
			if f, ok := c.Left.(*condition.Field); !ok || !fields.IsNameField(f.Name) {
				return true
			}
			var items []*condition.Str
			switch v := c.Value.(type) {
			case *condition.Str:
				items = []*condition.Str{v}
			case *condition.List:
				items = v.Items
			}
			for _, it := range items {
				if !seen[it.Text] {
					seen[it.Text] = true
					out = append(out, it.Text)
				}
			}
			return true
		})
	}
	return out
}
