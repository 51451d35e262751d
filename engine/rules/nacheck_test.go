package rules

import (
	"strings"
	"testing"
)

// Falco's LOAD_UNSAFE_NA_CHECK concerns comparisons of the k8s audit
// plugin's ka.* / jevt.* fields with "<NA>". saker has no plugins, so
// those fields never exist here: a k8s_audit rule is skipped for its
// unknown source (LOAD_UNKNOWN_SOURCE, as Falco does without the plugin)
// and a syscall rule naming them is a compile error (unknown field), so
// the warning has nothing to apply to. <NA> comparisons of syscall fields
// (the legacy proc.name != "<NA>" guards) load without any warning, as in
// Falco.
func TestNACheckOnPluginFields(t *testing.T) {
	l := NewLoader(Config{})
	res := l.Load("audit.yaml", []byte(`
- rule: audit user unknown
  desc: x
  condition: ka.user.name = <NA>
  output: "%ka.user.name"
  priority: INFO
  source: k8s_audit
- rule: audit json value
  desc: x
  condition: jevt.value[/user/name] != "<NA>"
  output: x
  priority: INFO
  source: k8s_audit
- rule: syscall guard
  desc: x
  condition: evt.type = open and proc.name != "<NA>" and not proc.pname in ("<NA>", "N/A")
  output: x
  priority: INFO
`))
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	var codes []string
	for _, w := range res.Warnings {
		codes = append(codes, w.Code)
		if w.Code != WarnUnknownSource {
			t.Errorf("unexpected warning %s: %s", w.Code, w.Msg)
		}
	}
	if len(codes) != 2 {
		t.Errorf("warnings %v, want LOAD_UNKNOWN_SOURCE for each k8s_audit rule", codes)
	}
	if rs := l.Ruleset(); rs == nil || len(rs.Rules) != 1 || rs.Rules[0].Name != "syscall guard" {
		t.Errorf("loaded rules: %+v", rs)
	}

	for _, cond := range []string{"evt.type = open and ka.user.name = <NA>", "evt.type = open and jevt.value[/user/name] != <NA>"} {
		l := NewLoader(Config{})
		res := l.Load("syscall.yaml", []byte("- rule: r\n  desc: x\n  condition: "+cond+"\n  output: x\n  priority: INFO\n"))
		field := strings.Fields(cond)[4]
		if i := strings.IndexByte(field, '['); i > 0 {
			field = field[:i]
		}
		if len(res.Errors) != 1 || res.Errors[0].Code != ErrCompileCondition ||
			!strings.Contains(res.Errors[0].Msg, "filter_check called with nonexistent field "+field) {
			t.Errorf("%s: errors %+v", cond, res.Errors)
		}
		for _, w := range res.Warnings {
			if w.Code == WarnUnsafeNACheck {
				t.Errorf("%s: %s", cond, w.Code)
			}
		}
	}
}
