package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/condition"
)

func load(t *testing.T, files ...string) (*Loader, *Ruleset) {
	t.Helper()
	l := NewLoader(Config{})
	for i, c := range files {
		r := l.Load("f"+string(rune('0'+i))+".yaml", []byte(c))
		if !r.Successful() {
			t.Fatalf("file %d: %s", i, r.Errors[0].String())
		}
	}
	return l, l.Ruleset()
}

func TestExceptionsCompileAsFalco(t *testing.T) {
	_, rs := load(t, `
- rule: r
  desc: d
  condition: evt.type=open and proc.name=cat
  output: o
  priority: WARNING
  exceptions:
  - name: proc_name
    fields: [proc.name]
    values: [[not-cat]]
  - name: proc_name_cmdline
    fields: [proc.name, proc.cmdline]
    comps: [=, startswith]
    values:
    - [cat, "cat /dev/null"]
  - name: tuple_list
    fields: [proc.name, proc.cmdline]
    comps: [in, startswith]
    values:
    - [[cat, dog], x]
    - [bins, y]
  - name: single
    fields: proc.name
    comps: in
    values: [a, "b c"]
  - name: empty
    fields: [proc.name]
`)
	r := rs.Rules[0]
	want := `(evt.type=open and proc.name=cat) and not (( proc.name = not-cat)) and not (( proc.name = cat and  proc.cmdline startswith "cat /dev/null")) and not (( proc.name in (cat, dog) and  proc.cmdline startswith x) or ( proc.name in (bins) and  proc.cmdline startswith y)) and not (proc.name in (a, "b c"))`
	if r.Expanded != want {
		t.Errorf("expanded\n got %s\nwant %s", r.Expanded, want)
	}
	if strings.Join(r.ExceptionFields, ",") != "proc.cmdline,proc.name" {
		t.Errorf("exception fields %v", r.ExceptionFields)
	}
}

func TestListSubstitution(t *testing.T) {
	l := NewLoader(Config{})
	lists := []*List{{Name: "shells", Items: []string{"bash", "zsh"}}, {Name: "none"}, {Name: "spaced", Items: []string{"a b"}}}
	for in, want := range map[string]string{
		"proc.name in (shells)":           "proc.name in ( bash, zsh )",
		"proc.name in (x, none)":          "proc.name in (x  )",
		"proc.name in (none, x)":          "proc.name in (   x)",
		"proc.name=shells":                "proc.name= bash, zsh ",
		"proc.name in (myshells, shells)": "proc.name in (myshells, bash, zsh )",
		"proc.name in (spaced)":           `proc.name in ( "a b" )`,
	} {
		got, _ := l.substituteLists(in, lists)
		if got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestOverrideAndAppend(t *testing.T) {
	_, rs := load(t, `
- list: bins
  items: [cat]
- macro: m
  condition: proc.name in (bins)
- rule: r
  desc: d
  condition: evt.type=open and m
  output: o
  priority: WARNING
  tags: [b, a]
`, `
- list: bins
  items: [dog]
  override:
    items: append
- rule: r
  condition: and fd.num > 2
  output: "%fd.name"
  priority: ERROR
  tags: [c, a]
  override:
    condition: append
    output: append
    priority: replace
    tags: append
- rule: r
  enabled: false
  override:
    enabled: replace
`)
	r := rs.Rules[0]
	if r.Condition != "evt.type=open and m and fd.num > 2" || r.Output != "o %fd.name" || r.Priority != alert.PriorityError {
		t.Errorf("rule after overrides: cond %q output %q priority %v", r.Condition, r.Output, r.Priority)
	}
	if strings.Join(r.Tags, ",") != "a,b,c" || r.Enabled {
		t.Errorf("tags %v enabled %v", r.Tags, r.Enabled)
	}
	if rs.Lists[0].Items[1] != "dog" {
		t.Errorf("list %v", rs.Lists[0].Items)
	}
}

func TestOverrideErrors(t *testing.T) {
	base := "- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n"
	for name, c := range map[string]struct{ src, code, msg string }{
		"both":            {"- rule: r\n  condition: x\n  append: true\n  override:\n    condition: append\n", ErrYAMLValidate, "Keys 'override' and 'append: true' cannot be used together"},
		"bad op":          {"- rule: r\n  condition: x\n  override:\n    condition: merge\n", ErrYAMLValidate, "Invalid override operation for key 'condition': 'merge'. Allowed values are: append replace "},
		"no append":       {"- rule: r\n  priority: INFO\n  override:\n    priority: append\n", ErrYAMLValidate, "Key 'priority' cannot be appended to, use 'replace' instead"},
		"no key":          {"- rule: r\n  override:\n    condition: append\n", ErrYAMLValidate, "An append override for 'condition' was specified but 'condition' is not defined"},
		"unexpected":      {"- rule: r\n  condition: x\n  output: y\n  override:\n    condition: append\n", ErrYAMLValidate, "Unexpected key 'output': no corresponding entry under 'override' is defined."},
		"replace missing": {"- rule: q\n  desc: x\n  override:\n    desc: replace\n", ErrValidate, "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists"},
		"enable missing":  {"- rule: q\n  enabled: false\n", ErrValidate, "Rule has 'enabled' key but no rule by that name already exists"},
		"priority":        {"- rule: q\n  desc: x\n  condition: evt.type=open\n  output: o\n  priority: LOUD\n", ErrYAMLValidate, "Invalid priority"},
		"source":          {"- rule: r\n  desc: x\n  condition: evt.type=open\n  output: o\n  priority: INFO\n  source: k8s_audit\n", ErrValidate, "Rule has been re-defined with a different source"},
	} {
		t.Run(name, func(t *testing.T) {
			l := NewLoader(Config{})
			if r := l.Load("base.yaml", []byte(base)); !r.Successful() {
				t.Fatal(r.Errors[0].String())
			}
			r := l.Load("x.yaml", []byte(c.src))
			if r.Successful() {
				t.Fatalf("loaded, want %s", c.msg)
			}
			if e := r.Errors[0]; e.Code != c.code || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got %s %q", e.Code, e.Msg)
			}
		})
	}
}

func TestVisibility(t *testing.T) {
	// A macro redefined later sees macros defined before its redefinition;
	// a list expands only lists compiled before it.
	_, rs := load(t, `
- macro: a
  condition: evt.type=open
- macro: c
  condition: proc.name=x
- macro: b
  condition: a
- macro: a
  condition: c and evt.type=open
- list: l1
  items: [x, l2]
- list: l2
  items: [y, l1]
- rule: r
  desc: d
  condition: a and proc.name in (l2)
  output: o
  priority: INFO
`)
	if got := condition.String(rs.Rules[0].AST); got != "((proc.name = x and evt.type = open) and proc.name in (y, x, l2))" {
		t.Errorf("rule AST %s", got)
	}
	l := NewLoader(Config{})
	r := l.Load("loop.yaml", []byte("- macro: a\n  condition: b\n- macro: b\n  condition: a\n- rule: r\n  desc: d\n  condition: a\n  output: o\n  priority: INFO\n"))
	if r.Successful() || r.Errors[0].Msg != "Undefined macro 'b' used in filter." {
		t.Errorf("macro seeing a later macro: %+v", r.Errors)
	}
	if got := rs.Lists[1].Items; strings.Join(got, ",") != "y,x,l2" {
		t.Errorf("l2 items %v", got)
	}
}

func TestSelection(t *testing.T) {
	_, rs := load(t, `
- rule: a1
  desc: d
  condition: evt.type=open
  output: o
  priority: ERROR
  tags: [t1]
- rule: a2
  desc: d
  condition: evt.type=open
  output: o
  priority: DEBUG
  tags: [t2]
- rule: b1
  desc: d
  condition: evt.type=execve
  output: o
  priority: WARNING
  enabled: false
`)
	if rs.EnabledCount() != 2 {
		t.Fatalf("enabled %d", rs.EnabledCount())
	}
	rs.SetMinPriority(alert.PriorityWarning)
	if rs.EnabledCount() != 1 || !rs.IsEnabled(rs.Rule("a1")) {
		t.Errorf("min priority: %d enabled", rs.EnabledCount())
	}
	if n := rs.Apply([]Selection{{Rule: "*"}, {Enable: true, Tag: "t2"}}); n[0] != 3 || n[1] != 1 {
		t.Errorf("apply touched %v", n)
	}
	if rs.EnabledCount() != 1 || !rs.IsEnabled(rs.Rule("a2")) {
		t.Errorf("disable all then enable tag t2: %d enabled", rs.EnabledCount())
	}
	if !wildcardMatch("Write below *", "Write below /etc") || wildcardMatch("a*b", "ac") || !wildcardMatch("*", "") || wildcardMatch("x?", "xy") {
		t.Error("wildcardMatch")
	}
	rs.SelectByName("b*", true)
	if !rs.IsEnabled(rs.Rule("b1")) || len(rs.RulesFor(rs.Rule("b1").Filter.Types.Types()[0])) != 1 {
		t.Error("enable by glob")
	}
}

func TestValidationJSON(t *testing.T) {
	l := NewLoader(Config{})
	l.Load("r.yaml", []byte("- rule: some rule\n  desc: d\n  condition: evt.type=open and bar\n  output: o\n  priority: INFO\n"))
	out := ValidationJSON(l.Results(), nil)
	var doc struct {
		Results []struct {
			Name       string `json:"name"`
			Successful bool   `json:"successful"`
			Errors     []struct {
				Code     string `json:"code"`
				Codedesc string `json:"codedesc"`
				Message  string `json:"message"`
				Context  struct {
					Locations []struct {
						ItemName string `json:"item_name"`
						ItemType string `json:"item_type"`
						Position struct {
							Line, Column, Offset int
							Name                 string
						} `json:"position"`
					} `json:"locations"`
					Snippet string `json:"snippet"`
				} `json:"context"`
			} `json:"errors"`
			Warnings []json.RawMessage `json:"warnings"`
		} `json:"falco_load_results"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Results) != 1 || doc.Results[0].Successful || len(doc.Results[0].Errors) != 1 {
		t.Fatalf("%s", out)
	}
	e := doc.Results[0].Errors[0]
	if e.Code != ErrValidate || e.Codedesc != "Error validating rule/macro/list/exception objects" || e.Message != "Undefined macro 'bar' used in filter." {
		t.Errorf("%+v", e)
	}
	locs := e.Context.Locations
	if len(locs) < 2 || locs[0].ItemType != "rules content" || locs[1].ItemType != "rule" || locs[1].ItemName != "some rule" || locs[1].Position.Line != 0 || locs[1].Position.Column != 2 {
		t.Errorf("locations %+v", locs)
	}
	last := locs[len(locs)-1]
	// "bar" is at offset 18 of the condition, which starts at line 2 column 13 (0-based).
	if last.ItemType != "condition expression" || last.Position.Line != 2 || last.Position.Column != 13+18 {
		t.Errorf("condition location %+v", last)
	}
	if !strings.Contains(string(out), `"schema_valid":true`) || !strings.HasPrefix(string(out), `{"falco_load_results":[{"errors":[{"code":`) {
		t.Errorf("shape: %s", out)
	}
	if got := l.Results()[0].Summary(); got != "r.yaml: Invalid\n 1 errors: [LOAD_ERR_VALIDATE (Error validating rule/macro/list/exception objects)]" {
		t.Errorf("summary %q", got)
	}
}

func TestDescribe(t *testing.T) {
	_, rs := load(t, `
- list: cat_binaries
  items: [cat]
- macro: is_cat
  condition: evt.arg.name in (cat_binaries)
- rule: open_from_cat
  desc: A cat open
  condition: evt.type = open and is_cat
  output: "open (name=%evt.arg.name)"
  priority: WARNING
  tags: [b, a]
`)
	d := rs.Describe("")
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"condition_compiled":"(evt.type = open and evt.arg.name in (cat))"`,
		`"priority":"Warning"`, `"events":["open"]`, `"macros":["is_cat"]`, `"lists":["cat_binaries"]`,
		`"output_fields":["evt.arg.name"]`, `"tags":["a","b"]`, `"condition_fields":["evt.arg.name","evt.type"]`,
		`"items_compiled":["cat"]`, `"condition_compiled":"evt.arg.name in (cat)"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("describe JSON lacks %s:\n%s", want, s)
		}
	}
	if txt := rs.DescribeText(""); !strings.Contains(txt, "open_from_cat") || !strings.HasPrefix(txt, "Rule ") {
		t.Errorf("text:\n%s", txt)
	}
	if one := rs.Describe("open_from_cat"); len(one["rules"].([]any)) != 1 || one["macros"] != nil {
		t.Errorf("single rule describe: %v", one)
	}
}

func TestExpansionBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("- macro: m0\n  condition: evt.type=open\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "- macro: m%d\n  condition: m%d and m%d\n", i, i-1, i-1)
	}
	b.WriteString("- rule: r\n  desc: d\n  condition: m30\n  output: o\n  priority: INFO\n")
	l := NewLoader(Config{})
	r := l.Load("bomb.yaml", []byte(b.String()))
	if r.Successful() || !strings.Contains(r.Errors[0].Msg, "too large after macro expansion") {
		t.Errorf("macro bomb: %+v", r.Errors)
	}
	b.Reset()
	b.WriteString("- list: l0\n  items: [aaaaaaaa]\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "- list: l%d\n  items: [l%d, l%d]\n", 41-i, 42-i, 42-i)
	}
	b.WriteString("- rule: r\n  desc: d\n  condition: proc.name in (l1)\n  output: o\n  priority: INFO\n")
	r = NewLoader(Config{}).Load("lists.yaml", []byte(b.String()))
	if r.Successful() || !strings.Contains(r.Errors[0].Msg, "list too large") {
		t.Errorf("list bomb: %+v", r.Errors)
	}
	// Lists defined before the lists they name are not expanded at list
	// time but by text substitution into the condition.
	b.Reset()
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "- list: l%d\n  items: [l%d, l%d]\n", i, i+1, i+1)
	}
	b.WriteString("- list: l41\n  items: [aaaaaaaa]\n")
	b.WriteString("- rule: r\n  desc: d\n  condition: proc.name in (l1)\n  output: o\n  priority: INFO\n")
	r = NewLoader(Config{}).Load("lists2.yaml", []byte(b.String()))
	if r.Successful() || !strings.Contains(r.Errors[0].Msg, "too long after list substitution") {
		t.Errorf("text list bomb: %+v", r.Errors)
	}
}

func TestYAMLParseErrorPosition(t *testing.T) {
	r := NewLoader(Config{}).Load("bad.yaml", []byte("- rule: a\n  desc: b\n- list: x\n  items: [a\n- macro: m\n"))
	if r.Successful() || r.Errors[0].Code != ErrYAMLParse {
		t.Fatalf("%+v", r.Errors)
	}
	locs := r.Errors[0].Locations
	if last := locs[len(locs)-1]; last.Pos.Line < 2 {
		t.Errorf("parse error located at %+v", last.Pos)
	}
}

// DNSNames lists the names enabled rules compare fd.*ip.name with —
// through macros and lists, in "=", "!=" and "in" checks, once each — and
// none of a disabled rule or of a rule a selection disables.
func TestDNSNames(t *testing.T) {
	_, rs := load(t, `
- list: pools
  items: [pool.example, "quoted.example"]
- macro: to_api
  condition: fd.sip.name = api.example
- rule: uses a macro and a list
  desc: d
  condition: evt.type = connect and (to_api or fd.sip.name in (pools) or fd.rip.name != api.example)
  output: o
  priority: WARNING
- rule: disabled
  desc: d
  condition: evt.type = connect and fd.cip.name = disabled.example
  output: o
  priority: WARNING
  enabled: false
- rule: deselected later
  desc: d
  condition: evt.type = connect and fd.lip.name = tagged.example
  output: o
  priority: WARNING
  tags: [off]
- rule: no names
  desc: d
  condition: evt.type = connect and fd.name = api.example
  output: o
  priority: WARNING
`)
	want := []string{"api.example", "pool.example", "quoted.example", "tagged.example"}
	if got := rs.DNSNames(); !slices.Equal(got, want) {
		t.Errorf("DNSNames = %q, want %q", got, want)
	}
	rs.SelectByTag("off", false)
	if got := rs.DNSNames(); !slices.Equal(got, want[:3]) {
		t.Errorf("after disabling tag off: DNSNames = %q, want %q", got, want[:3])
	}
}
