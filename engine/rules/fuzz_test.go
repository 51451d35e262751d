package rules

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(research(f, "tests/testing-repo/rules"), "*.yaml"))
	for _, p := range seeds {
		if filepath.Base(p) == "falco_rules_v1.0.1_testing.yaml" || filepath.Base(p) == "engine_v4_k8s_audit_rules.yaml" {
			continue // large: slow per execution
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("- rule: r\n  desc: d\n  condition: evt.type=open and not proc.name in (a, b)\n  output: o %proc.name\n  priority: info\n  exceptions:\n  - name: e\n    fields: [proc.name, fd.name]\n    comps: [=, startswith]\n    values: [[a, /b]]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := NewLoader(Config{})
		r := l.Load("fuzz.yaml", data)
		for _, m := range append(r.Errors, r.Warnings...) {
			if m.Code == "" || len(m.Locations) == 0 {
				t.Fatalf("message without code or context: %+v", m)
			}
		}
		_ = ValidationJSON(l.Results(), nil)
		_ = r.Text(true)
	})
}
