package rules

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"gopkg.in/yaml.v3"
)

// research is the shared upstream data directory, found relative to this
// package (the repository is checked out next to shared/).
func research(t testing.TB, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "../../../shared/research/falco", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared research data missing: %v", err)
	}
	return p
}

// countRules counts syscall rules and enabled rules in files by Falco's
// semantics, independently of the loader: a rule item with any of
// condition/output/desc/priority (and no append/override) defines or
// redefines the rule; enabled: false disables it; an item with only
// enabled:, or override {enabled: replace}, toggles an existing rule.
// Rules of other sources are not counted.
func countRules(t testing.TB, paths ...string) (loaded, enabled int) {
	type st struct {
		enabled bool
		syscall bool
	}
	var order []string
	state := map[string]*st{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		if err := yaml.Unmarshal(data, &items); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, it := range items {
			name, ok := it["rule"].(string)
			if !ok {
				continue
			}
			_, hasOverride := it["override"]
			isAppend, _ := it["append"].(bool)
			_, c := it["condition"]
			_, o := it["output"]
			_, d := it["desc"]
			_, pr := it["priority"]
			en, hasEnabled := it["enabled"].(bool)
			switch {
			case hasOverride:
				ov, _ := it["override"].(map[string]any)
				if ov["enabled"] == "replace" && state[name] != nil {
					state[name].enabled = en
				}
			case isAppend:
			case !c && !o && !d && !pr:
				if state[name] != nil && hasEnabled {
					state[name].enabled = en
				}
			default:
				src, _ := it["source"].(string)
				s := &st{enabled: !hasEnabled || en, syscall: src == "" || src == "syscall"}
				if state[name] == nil {
					order = append(order, name)
				}
				state[name] = s
			}
		}
	}
	for _, n := range order {
		if state[n].syscall {
			loaded++
			if state[n].enabled {
				enabled++
			}
		}
	}
	return loaded, enabled
}

func TestUpstreamRulesetsLoad(t *testing.T) {
	sets := map[string][]string{
		"falco 0.14.0":      {"rules/falco-repo/0.14.0/falco_rules.yaml"},
		"falco 0.20.0":      {"rules/falco-repo/0.20.0/falco_rules.yaml"},
		"falco 0.26.0":      {"rules/falco-repo/0.26.0/falco_rules.yaml"},
		"falco 0.33.0":      {"rules/falco-repo/0.33.0/falco_rules.yaml"},
		"falco-rules 1.0.1": {"rules/falcosecurity-rules/falco-rules-1.0.1/falco_rules.yaml"},
		"falcosecurity/rules HEAD": {
			"rules/falcosecurity-rules/HEAD/falco_rules.yaml",
			"rules/falcosecurity-rules/HEAD/falco-incubating_rules.yaml",
			"rules/falcosecurity-rules/HEAD/falco-sandbox_rules.yaml",
		},
	}
	for name, files := range sets {
		t.Run(name, func(t *testing.T) {
			var paths []string
			for _, f := range files {
				paths = append(paths, research(t, f))
			}
			l := NewLoader(Config{})
			rs, ok := l.LoadFiles(paths...)
			for _, r := range l.Results() {
				for _, e := range r.Errors {
					t.Errorf("%s", e.String())
				}
			}
			if !ok || rs == nil {
				t.Fatal("load failed")
			}
			wantLoaded, wantEnabled := countRules(t, paths...)
			if wantLoaded == 0 {
				t.Fatal("counted no rules")
			}
			if len(rs.Rules) != wantLoaded || rs.EnabledCount() != wantEnabled {
				t.Errorf("loaded %d rules (%d enabled), want %d (%d enabled)", len(rs.Rules), rs.EnabledCount(), wantLoaded, wantEnabled)
			}
		})
	}
}
