package deploytest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrometheusRulesWithPromtool(t *testing.T) {
	promtool := lookTool(t, "promtool")
	dir := filepath.Join(deployDir(t), "prometheus")
	out := run(t, dir, promtool, "check", "rules", "saker-rules.yaml")
	if !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool check rules:\n%s", out)
	}
	tests, err := filepath.Glob(filepath.Join(dir, "*_test.yaml"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule unit tests in %s", dir)
	}
	for _, f := range tests {
		out := run(t, dir, promtool, "test", "rules", filepath.Base(f))
		if !strings.Contains(out, "SUCCESS") {
			t.Fatalf("promtool test rules %s:\n%s", filepath.Base(f), out)
		}
	}
}

// promtool must be able to fail these checks: a rule test with a wrong
// expectation fails.
func TestPromtoolCatchesAWrongExpectation(t *testing.T) {
	promtool := lookTool(t, "promtool")
	dir := t.TempDir()
	rules, err := os.ReadFile(filepath.Join(deployDir(t), "prometheus", "saker-rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "saker-rules.yaml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := `rule_files: [saker-rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'saker_sampling_ratio{job="saker",instance="n"}'
        values: '1x60'
    alert_rule_test:
      - eval_time: 40m
        alertname: SakerSampling
        exp_alerts:
          - exp_labels: {severity: warning, job: saker, instance: n}
`
	if err := os.WriteFile(filepath.Join(dir, "bad_test.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := execIn(dir, promtool, "test", "rules", "bad_test.yaml")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("promtool accepted a wrong expectation:\n%s", out)
	}
}

// The example scrape config. Debian's Prometheus is built without
// Kubernetes service discovery, so promtool here does not know
// kubernetes_sd_configs: the check swaps it for static targets and checks
// the rest (relabelling, rule_files) for real.
func TestScrapeConfigWithPromtool(t *testing.T) {
	promtool := lookTool(t, "promtool")
	src := filepath.Join(deployDir(t), "prometheus")
	b, err := os.ReadFile(filepath.Join(src, "scrape-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const k8s = "    kubernetes_sd_configs:\n      - role: pod\n"
	if !strings.Contains(string(b), k8s) {
		t.Fatal("scrape-config.yaml has no kubernetes_sd_configs block to swap")
	}
	text := strings.ReplaceAll(string(b), k8s, "    static_configs:\n      - targets: [\"127.0.0.1:8765\"]\n")
	dir := t.TempDir()
	rules, err := os.ReadFile(filepath.Join(src, "saker-rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "saker-rules.yaml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := run(t, dir, promtool, "check", "config", "prometheus.yml")
	if !strings.Contains(out, "SUCCESS: 1 rule files found") {
		t.Fatalf("promtool check config:\n%s", out)
	}
}
