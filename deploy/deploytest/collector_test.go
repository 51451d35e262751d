package deploytest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sakersec/saker/internal/testenv"
)

// validateCollectorConfig runs `otelcol validate` of the collector built
// from deploy/collector/builder-config.yaml on a config text.
func validateCollectorConfig(t testing.TB, name, text string) {
	t.Helper()
	bin, _, err := testenv.CollectorBinary()
	if err != nil {
		testenv.Unavailable(t, "collector: %v", err)
	}
	f := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "validate", "--config", f).CombinedOutput()
	if err != nil {
		t.Errorf("%s: otelcol validate: %v\n%s", name, err, out)
	}
}

// pipelineProblems checks a collector config's graph without a collector:
// every component a pipeline names is defined, every defined component is
// used, a connector is an exporter of one pipeline and a receiver of
// another, routing tables name existing pipelines, and every pipeline has
// a receiver and an exporter.
func pipelineProblems(cfg map[string]any) []string {
	var problems []string
	defined := map[string]map[string]bool{}
	for _, kind := range []string{"receivers", "processors", "exporters", "connectors", "extensions"} {
		defined[kind] = map[string]bool{}
		if m, ok := cfg[kind].(map[string]any); ok {
			for id := range m {
				defined[kind][id] = true
			}
		}
	}
	pipelines, _ := dig(cfg, "service", "pipelines").(map[string]any)
	if len(pipelines) == 0 {
		return []string{"no service.pipelines"}
	}
	used := map[string]map[string]bool{"receivers": {}, "processors": {}, "exporters": {}, "connectors": {}}
	connIn, connOut := map[string]bool{}, map[string]bool{}
	for name, p := range pipelines {
		for _, role := range []string{"receivers", "processors", "exporters"} {
			ids := strs(list(p, role))
			if role != "processors" && len(ids) == 0 {
				problems = append(problems, fmt.Sprintf("pipeline %s has no %s", name, role))
			}
			for _, id := range ids {
				switch {
				case role != "processors" && defined["connectors"][id]:
					used["connectors"][id] = true
					if role == "receivers" {
						connIn[id] = true
					} else {
						connOut[id] = true
					}
				case defined[role][id]:
					used[role][id] = true
				default:
					problems = append(problems, fmt.Sprintf("pipeline %s: %s %q is not defined", name, role, id))
				}
			}
		}
	}
	for kind, ids := range defined {
		if kind == "extensions" {
			continue
		}
		for id := range ids {
			if !used[kind][id] {
				problems = append(problems, fmt.Sprintf("%s %q is defined but not used", kind, id))
			}
		}
	}
	for id := range defined["connectors"] {
		if connIn[id] != connOut[id] {
			problems = append(problems, fmt.Sprintf("connector %q must be both an exporter and a receiver", id))
		}
		c := dig(cfg, "connectors", id)
		var routes []string
		routes = append(routes, strs(list(c, "default_pipelines"))...)
		for _, row := range list(c, "table") {
			routes = append(routes, strs(list(row, "pipelines"))...)
			if str(row, "condition") == "" && str(row, "statement") == "" {
				problems = append(problems, fmt.Sprintf("connector %q: a route without condition or statement", id))
			}
		}
		for _, r := range routes {
			p, ok := pipelines[r]
			if !ok {
				problems = append(problems, fmt.Sprintf("connector %q routes to undefined pipeline %q", id, r))
			} else if !contains(strs(list(p, "receivers")), id) {
				problems = append(problems, fmt.Sprintf("connector %q routes to pipeline %q, which does not receive from it", id, r))
			}
		}
	}
	if ids, ok := dig(cfg, "service", "extensions").([]any); ok {
		for _, id := range strs(ids) {
			if !defined["extensions"][id] {
				problems = append(problems, fmt.Sprintf("extension %q is not defined", id))
			}
		}
	}
	sort.Strings(problems)
	return problems
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

// Component types the test collector has; configs using only these are
// validated with it.
var coreTypes = map[string]bool{"otlp": true, "batch": true, "debug": true, "otlp_grpc": true, "otlp_http": true}

func usesOnlyCore(cfg map[string]any) bool {
	for _, kind := range []string{"receivers", "processors", "exporters", "connectors", "extensions"} {
		m, _ := cfg[kind].(map[string]any)
		for id := range m {
			typ, _, _ := strings.Cut(id, "/")
			if !coreTypes[typ] {
				return false
			}
		}
	}
	return true
}

func TestCollectorConfigs(t *testing.T) {
	dir := filepath.Join(deployDir(t), "collector-configs")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) < 3 {
		t.Fatalf("collector configs: %v %v", files, err)
	}
	validated := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cfg map[string]any
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range pipelineProblems(cfg) {
			t.Errorf("%s: %s", filepath.Base(f), p)
		}
		if dig(cfg, "service", "pipelines", "logs") == nil && dig(cfg, "service", "pipelines", "logs/in") == nil {
			t.Errorf("%s: no logs pipeline for saker's alerts", filepath.Base(f))
		}
		if usesOnlyCore(cfg) {
			validateCollectorConfig(t, filepath.Base(f), string(b))
			validated++
		} else {
			t.Logf("%s uses contrib components: checked structurally only", filepath.Base(f))
		}
	}
	if validated < 2 {
		t.Errorf("only %d configs validated with a real collector", validated)
	}
}

// The node-local agent manifest carries collector-configs/agent.yaml.
func TestAgentManifestCarriesAgentConfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(deployDir(t), "manifests", "otel-collector-agent.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := yamlDocs(b)
	if err != nil {
		t.Fatal(err)
	}
	want := readYAML(t, filepath.Join(deployDir(t), "collector-configs", "agent.yaml"))
	var cmFound, hostPort bool
	for _, d := range docs {
		switch dig(d, "kind") {
		case "ConfigMap":
			var got map[string]any
			if err := yaml.Unmarshal([]byte(str(d, "data", "config.yaml")), &got); err != nil {
				t.Fatal(err)
			}
			cmFound = true
			if !reflect.DeepEqual(got, want) {
				t.Error("the agent ConfigMap differs from collector-configs/agent.yaml")
			}
		case "DaemonSet":
			for _, c := range list(d, "spec", "template", "spec", "containers") {
				for _, p := range list(c, "ports") {
					if dig(p, "hostPort") == 4317 && dig(p, "containerPort") == 4317 {
						hostPort = true
					}
				}
			}
		}
	}
	if !cmFound || !hostPort {
		t.Errorf("agent manifest: ConfigMap %v, hostPort 4317 %v", cmFound, hostPort)
	}
}

func TestPipelineProblemsCatchesMistakes(t *testing.T) {
	var cfg map[string]any
	err := yaml.Unmarshal([]byte(`
receivers: {otlp: {}}
exporters: {debug: {}, otlp_http/unused: {}}
connectors: {routing: {table: [{condition: "true", pipelines: [logs/nowhere]}]}}
service:
  pipelines:
    logs: {receivers: [otlp], processors: [batch], exporters: [debug, routing]}
`), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(pipelineProblems(cfg), "\n")
	for _, want := range []string{`processors "batch" is not defined`, `"otlp_http/unused" is defined but not used`, `routes to undefined pipeline "logs/nowhere"`, `connector "routing" must be both`} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not mention %q:\n%s", want, got)
		}
	}
}
