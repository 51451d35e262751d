package deploytest

import (
	"context"
	defaultrules "github.com/sakersec/saker/rules"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/exporter/otlp"
	"github.com/sakersec/saker/internal/testenv"
)

// podFacts are what the kubelet would fill fieldRefs with.
var podFacts = map[string]string{
	"status.hostIP":      "10.1.2.3",
	"spec.nodeName":      "node-7",
	"metadata.uid":       "0b6f3c2e-uid",
	"status.podIP":       "10.244.0.9",
	"metadata.name":      "saker-abcde",
	"metadata.namespace": "saker",
}

func TestHelmLint(t *testing.T) {
	helm := helmBinary(t)
	out := run(t, deployDir(t), helm, "lint", "--strict", chartDir(t))
	if !strings.Contains(out, "0 chart(s) failed") {
		t.Fatalf("helm lint:\n%s", out)
	}
	run(t, deployDir(t), helm, "lint", "--strict", chartDir(t), "--set", "sidecar.enabled=true,rbac.create=true,metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true")
}

func sakerContainer(t testing.TB, ds obj) obj {
	t.Helper()
	c := named(list(ds, "spec", "template", "spec", "containers"), "saker")
	if c == nil {
		t.Fatal("DaemonSet has no saker container")
	}
	return c
}

func TestChartDefaultDaemonSet(t *testing.T) {
	r := mustRender(t)
	kubecheck(t, "default.yaml", r.text)
	ds := r.find(t, "DaemonSet", "saker")
	pod := dig(ds, "spec", "template", "spec")

	if dig(pod, "hostPID") != true {
		t.Error("hostPID is not true: /proc would not show the host's processes")
	}
	if dig(pod, "hostNetwork") == true {
		t.Error("hostNetwork is set; saker does not need it")
	}
	c := sakerContainer(t, ds)
	sc := dig(c, "securityContext")
	if dig(sc, "privileged") != false || dig(sc, "allowPrivilegeEscalation") != false {
		t.Errorf("securityContext = %v, want unprivileged without escalation", sc)
	}
	add := strs(list(sc, "capabilities", "add"))
	for _, capName := range []string{"BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE", "DAC_READ_SEARCH"} {
		if !slices.Contains(add, capName) {
			t.Errorf("capability %s not added (got %v)", capName, add)
		}
	}
	if slices.Contains(add, "SYS_ADMIN") {
		t.Error("SYS_ADMIN added by default")
	}
	if drop := strs(list(sc, "capabilities", "drop")); !slices.Equal(drop, []string{"ALL"}) {
		t.Errorf("capabilities.drop = %v, want [ALL]", drop)
	}
	if dig(sc, "readOnlyRootFilesystem") != true || dig(sc, "runAsUser") != 0 {
		t.Errorf("want a read-only root filesystem and uid 0 (capabilities are not ambient): %v", sc)
	}

	// Mounts: each names a volume, host paths are read-only.
	vols := list(pod, "volumes")
	wantMounts := map[string]string{ // mountPath -> host path ("" for ConfigMaps)
		"/etc/saker/saker.yaml": "", "/etc/saker/rules.d": "",
		"/host/etc": "/etc", "/sys/kernel/btf": "/sys/kernel/btf", "/host/sys/fs/cgroup": "/sys/fs/cgroup",
		// the CRI sockets' directories, where container_engines.cri.sockets
		// are found under HOST_ROOT
		"/host/run/containerd": "/run/containerd", "/host/run/crio": "/run/crio", "/host/run/k3s/containerd": "/run/k3s/containerd",
	}
	for _, m := range list(c, "volumeMounts") {
		path := str(m, "mountPath")
		v := named(vols, str(m, "name"))
		if v == nil {
			t.Errorf("mount %s names volume %q, which does not exist", path, str(m, "name"))
			continue
		}
		host, want := wantMounts[path]
		if !want {
			continue
		}
		delete(wantMounts, path)
		if got := str(v, "hostPath", "path"); got != host {
			t.Errorf("mount %s: host path %q, want %q", path, got, host)
		}
		if dig(m, "readOnly") != true {
			t.Errorf("mount %s is writable", path)
		}
	}
	for p := range wantMounts {
		t.Errorf("no mount at %s", p)
	}
	for _, v := range vols {
		if cm := str(v, "configMap", "name"); cm != "" && !r.has("ConfigMap", cm) {
			t.Errorf("volume %s: ConfigMap %s is not rendered", str(v, "name"), cm)
		}
	}

	// Environment: the node-local collector on the host IP.
	env, err := resolveEnv(c, podFacts)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://10.1.2.3:4317",
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"FALCO_HOSTNAME":              "node-7",
		"OTEL_RESOURCE_ATTRIBUTES":    "k8s.node.name=node-7,service.instance.id=0b6f3c2e-uid",
	} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}

	// Scheduling: every node, a priority class that is rendered too.
	tolerateAll := false
	for _, tol := range list(pod, "tolerations") {
		if str(tol, "operator") == "Exists" && str(tol, "key") == "" && str(tol, "effect") == "" {
			tolerateAll = true
		}
	}
	if !tolerateAll {
		t.Errorf("tolerations %v do not tolerate every taint", list(pod, "tolerations"))
	}
	pc := r.find(t, "PriorityClass", "saker")
	if str(pod, "priorityClassName") != str(pc, "metadata", "name") {
		t.Errorf("priorityClassName %q, PriorityClass %q", str(pod, "priorityClassName"), str(pc, "metadata", "name"))
	}
	sa := r.find(t, "ServiceAccount", "saker")
	if str(pod, "serviceAccountName") != str(sa, "metadata", "name") {
		t.Errorf("serviceAccountName %q, ServiceAccount %q", str(pod, "serviceAccountName"), str(sa, "metadata", "name"))
	}
	if dig(sa, "automountServiceAccountToken") != false || dig(pod, "automountServiceAccountToken") != false {
		t.Error("a service account token is mounted although saker reads no Kubernetes API")
	}
	if r.count("ClusterRole")+r.count("Role") != 0 {
		t.Error("RBAC rendered by default")
	}
	if dig(c, "resources", "limits", "memory") == nil || dig(c, "resources", "requests", "cpu") == nil {
		t.Errorf("resources = %v, want requests and a memory limit", dig(c, "resources"))
	}

	// Metrics: the port saker listens on, probes on it, a Service selecting the pods.
	cfg := renderedConfig(t, r)
	port := dig(cfg, "webserver", "listen_port")
	if p := named(list(c, "ports"), "metrics"); p == nil || dig(p, "containerPort") != port {
		t.Errorf("metrics port %v, webserver.listen_port %v", p, port)
	}
	if a := dig(cfg, "webserver", "listen_address"); a != "0.0.0.0" {
		t.Errorf("webserver.listen_address = %v: Prometheus could not reach the pod IP", a)
	}
	for _, probe := range []string{"livenessProbe", "readinessProbe"} {
		if str(c, probe, "httpGet", "path") != "/healthz" || str(c, probe, "httpGet", "port") != "metrics" {
			t.Errorf("%s = %v", probe, dig(c, probe))
		}
	}
	if got := str(ds, "spec", "template", "metadata", "annotations", "prometheus.io/port"); got != "8765" {
		t.Errorf("prometheus.io/port annotation = %q", got)
	}
	svc := r.find(t, "Service", "metrics")
	labels, _ := dig(ds, "spec", "template", "metadata", "labels").(map[string]any)
	for k, v := range dig(svc, "spec", "selector").(map[string]any) {
		if labels[k] != v {
			t.Errorf("Service selector %s=%v does not match the pods' labels %v", k, v, labels)
		}
	}
	if sp := named(list(svc, "spec", "ports"), "metrics"); sp == nil || str(sp, "targetPort") != "metrics" {
		t.Errorf("Service ports %v", list(svc, "spec", "ports"))
	}
}

// renderedConfig returns the saker.yaml of the chart's ConfigMap, parsed.
func renderedConfig(t testing.TB, r rendered) obj {
	t.Helper()
	var m obj
	if err := yaml.Unmarshal([]byte(renderedConfigText(t, r)), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func renderedConfigText(t testing.TB, r rendered) string {
	t.Helper()
	cm := r.find(t, "ConfigMap", "saker")
	s := str(cm, "data", "saker.yaml")
	if s == "" {
		t.Fatal("ConfigMap has no saker.yaml")
	}
	return s
}

// loadRenderedConfig loads the chart's saker.yaml with saker's config
// loader and the DaemonSet's resolved environment.
func loadRenderedConfig(t testing.TB, r rendered) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "saker.yaml")
	if err := os.WriteFile(path, []byte(renderedConfigText(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}
	env, err := resolveEnv(sakerContainer(t, r.find(t, "DaemonSet", "saker")), podFacts)
	if err != nil {
		t.Fatal(err)
	}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	cfg, err := config.Load(config.LoadOptions{File: path, Env: environ})
	if err != nil {
		t.Fatalf("saker rejects the chart's config: %v", err)
	}
	for _, w := range cfg.Warnings() {
		t.Errorf("config warning: %v", w)
	}
	return cfg
}

// The chart's config is one saker accepts, and with the DaemonSet's
// environment it sends alerts and metrics to the node's collector.
func TestChartConfigLoadsInSaker(t *testing.T) {
	cfg := loadRenderedConfig(t, mustRender(t))
	if !cfg.OTLP.Enabled || cfg.OTLP.Endpoint != "http://10.1.2.3:4317" || cfg.OTLP.Protocol != "grpc" {
		t.Errorf("otlp_output = enabled %v endpoint %q protocol %q", cfg.OTLP.Enabled, cfg.OTLP.Endpoint, cfg.OTLP.Protocol)
	}
	if e := cfg.Metrics.OTLP.Enabled; e == nil || !*e {
		t.Error("metrics.otlp is not enabled")
	}
	if cfg.Webserver.ListenAddress != "0.0.0.0" || cfg.Webserver.ListenPort != 8765 || !cfg.Webserver.Enabled {
		t.Errorf("webserver = %+v", cfg.Webserver)
	}
	if cfg.Syslog.Enabled {
		t.Error("syslog output on, but a container has no /dev/log")
	}
	if cfg.Hostname != "node-7" {
		t.Errorf("hostname = %q, want the node name", cfg.Hostname)
	}
	if got := cfg.OTLP.Resource.Attributes["k8s.node.name"]; got != "node-7" {
		t.Errorf("resource attributes %v", cfg.OTLP.Resource.Attributes)
	}
	if len(cfg.RulesFiles) != 0 {
		t.Errorf("rules_files = %v without customRules, want the built-in ruleset", cfg.RulesFiles)
	}
}

// An alert sent by saker's OTLP exporter, configured from the chart, carries
// the resource the chart promises (node, pod UID, host name).
func TestChartConfigAlertResource(t *testing.T) {
	cfg := loadRenderedConfig(t, mustRender(t))
	sink := testenv.StartLogSink(t)
	oc := cfg.OTLP
	oc.Endpoint = "http://" + sink.Endpoint
	exp, err := otlp.New(oc, otlp.Settings{ServiceVersion: "test", Hostname: cfg.Hostname})
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	a := sampleAlert(cfg.Hostname)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := exp.Send(ctx, []*alert.Alert{a}); err != nil {
		t.Fatal(err)
	}
	recs := sink.Records()
	if len(recs) != 1 {
		t.Fatalf("sink got %d records", len(recs))
	}
	res := recs[0].Resource.Attributes().AsRaw()
	for k, want := range map[string]any{"service.name": "saker", "host.name": "node-7", "k8s.node.name": "node-7", "service.instance.id": "0b6f3c2e-uid"} {
		if res[k] != want {
			t.Errorf("resource %s = %v, want %v (resource %v)", k, res[k], want, res)
		}
	}
	if _, ok := res["k8s.pod.name"]; ok {
		t.Error("saker's own pod in the resource: Loki would index it as the alert's pod")
	}
}

func sampleAlert(host string) *alert.Alert {
	return &alert.Alert{
		Time:     time.Unix(1_700_000_000, 0),
		Rule:     "Write below etc",
		Priority: alert.PriorityError,
		Output:   "10:00:00.000000000: Error File below /etc opened for writing (file=/etc/x)",
		Message:  "File below /etc opened for writing (file=/etc/x)",
		Fields: []alert.Field{
			{Name: "fd.name", Value: "/etc/x"},
			{Name: "proc.cmdline", Value: "touch /etc/x"},
			{Name: "user.name", Value: "root"},
			{Name: "container.id", Value: "host"},
		},
		Tags:     []string{"filesystem", "mitre_persistence"},
		Source:   "syscall",
		Hostname: host,
	}
}

const customRule = `- rule: Shell in a saker test namespace
  desc: test rule appended by the chart test
  condition: spawned_process and proc.name in (shell_binaries)
  output: Shell started (command=%proc.cmdline)
  priority: WARNING
  tags: [shell]
`

// customRules: the built-in ruleset ("builtin") then rules.d; the result
// loads in the rules engine with the default macros visible to custom rules.
func TestChartCustomRules(t *testing.T) {
	r := mustRender(t, "--set-string", "customRules.zz_custom\\.yaml="+customRule)
	kubecheck(t, "custom.yaml", r.text)
	cfg := loadRenderedConfig(t, r)
	want := []string{"builtin", "/etc/saker/rules.d"}
	if !slices.Equal(cfg.RulesFiles, want) {
		t.Fatalf("rules_files = %v, want %v", cfg.RulesFiles, want)
	}
	cm := r.find(t, "ConfigMap", "rules")
	got := str(cm, "data", "zz_custom.yaml")
	if strings.TrimSpace(got) != strings.TrimSpace(customRule) {
		t.Fatalf("rules ConfigMap holds %q", got)
	}
	// "builtin" is the ruleset embedded in the binary; load it, then the
	// custom file, as saker does.
	l := rules.NewLoader(rules.Config{})
	ok := true
	for _, f := range defaultrules.Default() {
		ok = ok && l.Load("builtin:"+f.Name, f.Content).Successful()
	}
	ok = ok && l.Load("zz_custom.yaml", []byte(got)).Successful()
	rs := l.Ruleset()
	if !ok || rs == nil {
		for _, res := range l.Results() {
			t.Log(res.Text(true))
		}
		t.Fatal("default + custom rules do not load")
	}
	found := false
	for _, rule := range rs.Rules {
		if rule.Name == "Shell in a saker test namespace" {
			found = true
		}
	}
	if !found {
		t.Error("custom rule missing from the ruleset")
	}
}

func TestChartSidecarMode(t *testing.T) {
	r := mustRender(t, "--set", "sidecar.enabled=true")
	kubecheck(t, "sidecar.yaml", r.text)
	ds := r.find(t, "DaemonSet", "saker")
	containers := list(ds, "spec", "template", "spec", "containers")
	if len(containers) != 2 {
		t.Fatalf("%d containers, want saker and the collector", len(containers))
	}
	env, err := resolveEnv(sakerContainer(t, ds), podFacts)
	if err != nil {
		t.Fatal(err)
	}
	if env["OTEL_EXPORTER_OTLP_ENDPOINT"] != "http://127.0.0.1:4317" {
		t.Errorf("saker exports to %q, want the sidecar on loopback", env["OTEL_EXPORTER_OTLP_ENDPOINT"])
	}
	col := named(containers, "otel-collector")
	if col == nil {
		t.Fatal("no otel-collector container")
	}
	if caps := strs(list(col, "securityContext", "capabilities", "add")); len(caps) != 0 || dig(col, "securityContext", "runAsNonRoot") != true {
		t.Errorf("collector securityContext %v: it needs no privileges", dig(col, "securityContext"))
	}
	if named(list(col, "volumeMounts"), "collector-config") == nil {
		t.Error("collector config not mounted")
	}
	cm := r.find(t, "ConfigMap", "collector")
	var got obj
	if err := yaml.Unmarshal([]byte(str(cm, "data", "config.yaml")), &got); err != nil {
		t.Fatal(err)
	}
	want := readYAML(t, filepath.Join(deployDir(t), "collector-configs", "sidecar.yaml"))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chart sidecar config differs from collector-configs/sidecar.yaml:\n got %v\nwant %v", got, want)
	}
	if ep := str(got, "receivers", "otlp", "protocols", "grpc", "endpoint"); ep != "127.0.0.1:4317" {
		t.Errorf("sidecar receiver listens on %q, want loopback 4317", ep)
	}
	// The rendered text is what the container reads: validate that.
	validateCollectorConfig(t, "sidecar (chart)", str(cm, "data", "config.yaml"))
}

func TestChartOTLPTargets(t *testing.T) {
	r := mustRender(t, "--set", "otlp.target=endpoint,otlp.endpoint=https://gw.example:4317,otlp.pushMetrics=false", "--set-string", "otlp.resourceAttributes.k8s\\.cluster\\.name=prod")
	c := sakerContainer(t, r.find(t, "DaemonSet", "saker"))
	env, err := resolveEnv(c, podFacts)
	if err != nil {
		t.Fatal(err)
	}
	if env["OTEL_EXPORTER_OTLP_ENDPOINT"] != "https://gw.example:4317" {
		t.Errorf("endpoint %q", env["OTEL_EXPORTER_OTLP_ENDPOINT"])
	}
	if !strings.Contains(env["OTEL_RESOURCE_ATTRIBUTES"], "k8s.cluster.name=prod") {
		t.Errorf("OTEL_RESOURCE_ATTRIBUTES = %q", env["OTEL_RESOURCE_ATTRIBUTES"])
	}
	if dig(renderedConfig(t, r), "metrics", "otlp") != nil {
		t.Error("metrics.otlp set although otlp.pushMetrics=false")
	}
	for _, bad := range [][]string{
		{"--set", "otlp.target=endpoint"},
		{"--set", "otlp.target=nowhere"},
		{"--set", "metrics.serviceMonitor.enabled=true,metrics.service.enabled=false"},
	} {
		if _, err := helmTemplate(t, bad...); err == nil {
			t.Errorf("helm template %v succeeded, want an error", bad)
		}
	}
}

func TestChartPrivilegedAndOptionalObjects(t *testing.T) {
	r := mustRender(t, "--set", "privileged=true,rbac.create=true,metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true,appArmorProfile=Unconfined,priorityClass.create=false,priorityClass.name=system-node-critical")
	kubecheck(t, "all.yaml", r.text)
	ds := r.find(t, "DaemonSet", "saker")
	sc := dig(sakerContainer(t, ds), "securityContext")
	if dig(sc, "privileged") != true || dig(sc, "capabilities") != nil {
		t.Errorf("privileged mode securityContext = %v", sc)
	}
	if str(sc, "appArmorProfile", "type") != "Unconfined" {
		t.Errorf("appArmorProfile = %v", dig(sc, "appArmorProfile"))
	}
	if r.count("PriorityClass") != 0 || str(ds, "spec", "template", "spec", "priorityClassName") != "system-node-critical" {
		t.Error("an existing priority class is not used as given")
	}
	sa := r.find(t, "ServiceAccount", "saker")
	crb := r.find(t, "ClusterRoleBinding", "saker")
	subj := list(crb, "subjects")
	if len(subj) != 1 || str(subj[0], "name") != str(sa, "metadata", "name") || str(subj[0], "namespace") != "saker" {
		t.Errorf("binding subjects %v", subj)
	}
	for _, rule := range list(r.find(t, "ClusterRole", "saker"), "rules") {
		for _, verb := range strs(list(rule, "verbs")) {
			if verb != "get" && verb != "list" && verb != "watch" {
				t.Errorf("ClusterRole grants %q", verb)
			}
		}
	}
	if dig(sa, "automountServiceAccountToken") != true {
		t.Error("rbac.create without a token")
	}
	sm := r.find(t, "ServiceMonitor", "saker")
	svc := r.find(t, "Service", "metrics")
	svcLabels, _ := dig(svc, "metadata", "labels").(map[string]any)
	for k, v := range dig(sm, "spec", "selector", "matchLabels").(map[string]any) {
		if svcLabels[k] != v {
			t.Errorf("ServiceMonitor selects %s=%v; the Service has %v", k, v, svcLabels)
		}
	}
	if ep := list(sm, "spec", "endpoints"); len(ep) != 1 || str(ep[0], "port") != "metrics" || str(ep[0], "path") != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %v", ep)
	}
	pr := r.find(t, "PrometheusRule", "saker")
	want := readYAML(t, filepath.Join(deployDir(t), "prometheus", "saker-rules.yaml"))
	if !reflect.DeepEqual(dig(pr, "spec"), any(want)) {
		t.Error("PrometheusRule spec differs from deploy/prometheus/saker-rules.yaml")
	}
}

// The chart's copy of the rules (Helm reads files only inside the chart)
// is byte-for-byte the tested file.
func TestChartRulesCopyIsCurrent(t *testing.T) {
	a, err := os.ReadFile(filepath.Join(deployDir(t), "prometheus", "saker-rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(chartDir(t), "files", "saker-rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatal("deploy/helm/saker/files/saker-rules.yaml differs from deploy/prometheus/saker-rules.yaml: cp deploy/prometheus/saker-rules.yaml deploy/helm/saker/files/")
	}
}
