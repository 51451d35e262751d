package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/filter"
)

// Describe returns the `falco -L` JSON document (falco_describe_results)
// for every rule, macro and list, or only for the rule named name when
// name is not empty. Keys and shapes are Falco's describe_rule output; the
// value is ready for encoding/json (maps encode with sorted keys).
func (rs *Ruleset) Describe(name string) map[string]any {
	plugins := []any{}
	for _, p := range rs.RequiredPlugins {
		alts := []any{}
		for _, a := range p.Alternatives {
			alts = append(alts, map[string]any{"name": a.Name, "version": a.Version})
		}
		plugins = append(plugins, map[string]any{"name": p.Name, "version": p.Version, "alternatives": alts})
	}
	out := map[string]any{
		"required_engine_version":  rs.RequiredEngineVersion,
		"required_plugin_versions": plugins,
	}
	rulesOut := []any{}
	for _, r := range rs.Rules {
		if name != "" && r.Name != name {
			continue
		}
		rulesOut = append(rulesOut, rs.describeRule(r))
	}
	out["rules"] = rulesOut
	if name != "" {
		return out
	}
	macros := []any{}
	for _, m := range rs.Macros {
		f, ops := astFieldsOps(m.AST)
		details := map[string]any{
			"used": m.Used, "macros": nonNil(m.Macros), "lists": nonNil(m.Lists),
			"condition_operators": ops, "condition_fields": f, "events": eventNames(m.AST),
			"condition_compiled": astString(m.AST), "plugins": []string{},
		}
		macros = append(macros, map[string]any{"info": map[string]any{"name": m.Name, "condition": m.Condition}, "details": details})
	}
	out["macros"] = macros
	lists := []any{}
	for _, l := range rs.Lists {
		details := map[string]any{"used": l.Used, "lists": nonNil(l.Lists), "items_compiled": nonNil(l.Items), "plugins": []string{}}
		lists = append(lists, map[string]any{"info": map[string]any{"name": l.Name, "items": nonNil(l.Items)}, "details": details})
	}
	out["lists"] = lists
	return out
}

func (rs *Ruleset) describeRule(r *Rule) map[string]any {
	info := map[string]any{
		"name": r.Name, "condition": r.Condition, "priority": r.Priority.String(), "output": r.Output,
		"description": r.Description, "enabled": rs.IsEnabled(r), "source": r.Source, "capture": r.Capture,
		"capture_duration": r.CaptureDuration, "tags": nonNil(r.Tags),
	}
	f, ops := astFieldsOps(r.AST)
	details := map[string]any{
		"macros": nonNil(r.Macros), "lists": nonNil(r.Lists), "condition_operators": ops, "condition_fields": f,
		"exception_fields": nonNil(r.ExceptionFields), "exception_names": nonNil(r.ExceptionNames),
		"exception_operators": nonNil(r.ExceptionOperators), "output_fields": nonNil(r.Format.FieldNames()),
		"events": r.Filter.Types.Names(), "condition_compiled": astString(r.AST), "output_compiled": r.Output,
		"plugins": []string{}, "extra_output_formatted_fields": map[string]any{},
	}
	if details["events"] == nil {
		details["events"] = []string{}
	}
	return map[string]any{"info": info, "details": details}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func astString(e condition.Expr) string {
	if e == nil {
		return ""
	}
	return condition.String(e)
}

func eventNames(e condition.Expr) []string {
	if e == nil {
		return []string{}
	}
	return nonNil(filter.EventTypes(e).Names())
}

// astFieldsOps lists the fields and operators of an expression's checks.
func astFieldsOps(e condition.Expr) (fieldsOut, ops []string) {
	fs, os := map[string]bool{}, map[string]bool{}
	var operand func(o condition.Operand)
	operand = func(o condition.Operand) {
		switch x := o.(type) {
		case *condition.Field:
			fs[condition.OperandString(x)] = true
		case *condition.Transform:
			for _, a := range x.Args {
				operand(a)
			}
		}
	}
	condition.Walk(e, func(n condition.Expr) bool {
		if c, ok := n.(*condition.Check); ok {
			operand(c.Left)
			op := c.Op.String()
			if c.Mod != condition.ModNone {
				op += " " + c.Mod.String()
			}
			os[op] = true
			if v, ok := c.Value.(*condition.Val); ok {
				fs[condition.OperandString(v.Field)] = true
			}
			if v, ok := c.Value.(*condition.TransformValue); ok {
				operand(v.Transform)
			}
		}
		return true
	})
	fieldsOut, ops = []string{}, []string{}
	for f := range fs {
		fieldsOut = append(fieldsOut, f)
	}
	for o := range os {
		ops = append(ops, o)
	}
	sort.Strings(fieldsOut)
	sort.Strings(ops)
	return fieldsOut, ops
}

// DescribeText renders the rule list as `falco -L` prints it without JSON:
// a "Rule / Description" table with one line per rule.
func (rs *Ruleset) DescribeText(name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-50s %s\n", "Rule", "Description")
	fmt.Fprintf(&b, "%-50s %s\n", "----", "-----------")
	for _, r := range rs.Rules {
		if name != "" && r.Name != name {
			continue
		}
		desc := strings.Join(strings.Fields(r.Description), " ")
		fmt.Fprintf(&b, "%-50s %s\n", r.Name, desc)
	}
	return b.String()
}
