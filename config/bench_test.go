package config

import "testing"

// BenchmarkLoad is the cost of a full load (defaults, one small file, env,
// two -o, decode, validate); saker loads once at start.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(LoadOptions{Env: []string{"SAKER_PRIORITY=warning"}, Overrides: []string{"config_files=[]", "rules[].disable.rule=*"}}); err != nil {
			b.Fatal(err)
		}
	}
}
