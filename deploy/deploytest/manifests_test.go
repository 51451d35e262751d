package deploytest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite deploy/manifests from the chart")

// manifest is one file of deploy/manifests generated from the chart.
type manifest struct {
	file   string
	header string
	args   []string
}

var manifests = []manifest{
	{"saker-daemonset.yaml", `saker as a DaemonSet sending alerts to a collector agent on each node
# (http://<node IP>:4317; see otel-collector-agent.yaml). Apply after
# namespace.yaml; set the image to the one you built from deploy/image.`, nil},
	{"saker-sidecar.yaml", `saker as a DaemonSet with an OpenTelemetry Collector sidecar in each pod
# (saker exports to 127.0.0.1:4317; the sidecar forwards to
# OTLP_GATEWAY_ENDPOINT). Use instead of saker-daemonset.yaml, after
# namespace.yaml.`, []string{"--set", "sidecar.enabled=true"}},
	{"rbac.yaml", `Optional read-only API access for saker's service account. saker reads
# nothing from the Kubernetes API today, so this is not needed; if you apply
# it, also set automountServiceAccountToken: true on the ServiceAccount and
# the pod spec in saker-daemonset.yaml.`, []string{"--set", "rbac.create=true", "--show-only", "templates/rbac.yaml"}},
	{"servicemonitor.yaml", `A prometheus-operator ServiceMonitor for saker's /metrics (needs the
# saker-metrics Service of saker-daemonset.yaml).`, []string{"--set", "metrics.serviceMonitor.enabled=true", "--show-only", "templates/servicemonitor.yaml"}},
	{"prometheusrule.yaml", `A prometheus-operator PrometheusRule with saker's health alerts
# (deploy/prometheus/saker-rules.yaml).`, []string{"--set", "metrics.prometheusRule.enabled=true", "--show-only", "templates/prometheusrule.yaml"}},
}

// plain turns helm template output into a plain manifest: no Helm labels
// or source comments.
func plain(header string, args []string, text string) string {
	var b strings.Builder
	b.WriteString("# Generated from the chart: helm template saker deploy/helm/saker --namespace saker")
	for _, a := range args {
		b.WriteString(" " + a)
	}
	b.WriteString("\n# (by `go test ./deploy/deploytest -run TestManifests -update`); change the\n")
	b.WriteString("# chart, not this file.\n#\n# ")
	b.WriteString(header)
	b.WriteString("\n")
	first := true
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "# Source:"), strings.HasPrefix(t, "helm.sh/chart:"):
			continue
		case first && t == "---":
			first = false
			continue
		}
		line = strings.Replace(line, "app.kubernetes.io/managed-by: Helm", "app.kubernetes.io/managed-by: kubectl", 1)
		b.WriteString(line)
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// deploy/manifests are exactly what the chart renders, so users without
// Helm get the tested objects.
func TestManifestsMatchChart(t *testing.T) {
	dir := filepath.Join(deployDir(t), "manifests")
	for _, m := range manifests {
		r := mustRender(t, m.args...)
		want := plain(m.header, m.args, r.text)
		path := filepath.Join(dir, m.file)
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s is out of date with the chart: go test ./deploy/deploytest -run TestManifests -update", m.file)
		}
	}
}

func TestManifestsAreValidKubernetesObjects(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(deployDir(t), "manifests", "*.yaml"))
	if err != nil || len(files) < 6 {
		t.Fatalf("manifests: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		kubecheck(t, filepath.Base(f), string(b))
		if strings.Contains(string(b), "helm.sh/chart") || strings.Contains(string(b), ".Values") || strings.Contains(string(b), "include \"saker") {
			t.Errorf("%s still has Helm labels or template syntax", filepath.Base(f))
		}
	}
}
