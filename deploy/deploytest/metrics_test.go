package deploytest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/exporter/metrics"
	"github.com/sakersec/saker/internal/testenv"
)

// liveMetrics is saker's real metrics pipeline (exporter/metrics) over
// sources that keep moving, so rates are not zero.
type liveMetrics struct {
	m *metrics.Metrics

	mu      sync.Mutex
	kernel  metrics.Kernel
	events  drops.EventCounters
	matches uint64
	stats   exporter.Stats
}

func newLiveMetrics(t testing.TB) *liveMetrics {
	t.Helper()
	l := &liveMetrics{}
	s := sampling.New(1)
	_ = s.SetRatio(4)
	_ = s.SetMultiplier(1)
	ctrl, err := sampling.NewController(sampling.DefaultControllerConfig(), 1,
		func() sampling.Pressure { return sampling.Pressure{} }, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	dcfg := drops.DefaultConfig()
	dcfg.SimulateDrops = true
	mgr, err := drops.New(dcfg, drops.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = mgr.ProcessEvent(uint64(time.Second))
	_ = mgr.ProcessEvent(uint64(3 * time.Second))
	l.stats = exporter.Stats{Output: "otlp", QueueCap: 10000}
	src := metrics.Sources{
		Kernel: func(k *metrics.Kernel) bool {
			l.mu.Lock()
			defer l.mu.Unlock()
			*k = l.kernel
			return true
		},
		Events:     func() drops.EventCounts { l.mu.Lock(); defer l.mu.Unlock(); return l.events.Snapshot() },
		Sampler:    s,
		Controller: ctrl,
		Drops:      mgr,
		Rules: func(dst []metrics.RuleMatch) []metrics.RuleMatch {
			l.mu.Lock()
			defer l.mu.Unlock()
			return append(dst, metrics.RuleMatch{Rule: "Write below etc", Priority: alert.PriorityError, Count: l.matches},
				metrics.RuleMatch{Rule: "Terminal shell in container", Priority: alert.PriorityNotice, Count: l.matches / 2})
		},
		Outputs: func(dst []exporter.Stats) []exporter.Stats {
			l.mu.Lock()
			defer l.mu.Unlock()
			return append(dst, l.stats)
		},
		RuleReloads: func() metrics.RuleReloads { return metrics.RuleReloads{Succeeded: 2} },
	}
	l.m, err = metrics.New(src, metrics.Options{Build: metrics.BuildInfo{Version: "test", EngineVersion: "0.40.0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.m.Shutdown(context.Background()) })
	l.tick()
	return l
}

// tick moves every counter forward.
func (l *liveMetrics) tick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := &l.kernel
	k.NEvts += 1000
	k.NDropsBuffer += 10
	k.NDropsBufferExit[drops.CatExecve] += 10
	k.NDropsScratchMap++
	k.NDrops = k.Total()
	k.Sampled += 300
	k.FillRatio = 0.4
	l.events.Received(drops.SourceEBPF, 990)
	l.events.DecodeError()
	for range 900 {
		l.events.Processed()
	}
	l.events.Flush()
	l.matches += 3
	l.stats.Received += 3
	l.stats.Exported += 2
	l.stats.Dropped[exporter.ReasonQueueFull]++
	l.stats.QueueLen = 40
}

// scrapeFamilies returns the metric families of a /metrics exposition with
// the label names each one carries.
func scrapeFamilies(t testing.TB, h http.Handler) map[string]map[string]bool {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	fams := map[string]map[string]bool{}
	sc := bufio.NewScanner(rec.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	labelName := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, _ := strings.Cut(line, "{")
		name = strings.Fields(name)[0]
		if fams[name] == nil {
			fams[name] = map[string]bool{}
		}
		if rest != "" {
			labels, _, _ := strings.Cut(rest, "}")
			for _, m := range labelName.FindAllStringSubmatch(labels, -1) {
				fams[name][m[1]] = true
			}
		}
	}
	return fams
}

// promExprs are the PromQL expressions of the dashboard and the Grafana
// alert rules, with where they come from.
type promExpr struct{ where, expr string }

func dashboard(t testing.TB) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir(t), "grafana", "dashboards", "saker.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func panelTargets(d map[string]any, dsType string) []promExpr {
	var out []promExpr
	var walk func(panels []any)
	walk = func(panels []any) {
		for _, p := range panels {
			walk(list(p, "panels"))
			for _, tg := range list(p, "targets") {
				typ := str(tg, "datasource", "type")
				if typ == "" {
					typ = str(p, "datasource", "type")
				}
				if typ == dsType && str(tg, "expr") != "" {
					out = append(out, promExpr{"dashboard panel " + str(p, "title"), str(tg, "expr")})
				}
			}
		}
	}
	walk(list(d, "panels"))
	return out
}

func grafanaAlertQueries(t testing.TB, dsUID string) []promExpr {
	t.Helper()
	m := readYAML(t, filepath.Join(deployDir(t), "grafana", "provisioning", "alerting", "saker-alerts.yaml"))
	var out []promExpr
	for _, g := range list(m, "groups") {
		for _, r := range list(g, "rules") {
			for _, q := range list(r, "data") {
				if str(q, "datasourceUid") == dsUID {
					out = append(out, promExpr{"grafana alert " + str(r, "title"), str(q, "model", "expr")})
				}
			}
		}
	}
	return out
}

// grafanaVars replaces Grafana's variables with values a plain Prometheus
// query accepts.
var grafanaVars = strings.NewReplacer("$__rate_interval", "15s", "$__range", "1m", "$__interval", "5s", "$job", ".*", "$instance", ".*")

var sakerName = regexp.MustCompile(`\bsaker_[a-z0-9_]+`)

// Every saker metric and label the rules, dashboard and Grafana alerts use
// is one saker really exports: renaming a metric breaks this test.
func TestMetricNamesExist(t *testing.T) {
	fams := scrapeFamilies(t, newLiveMetrics(t).m.Handler())
	if len(fams) < 15 {
		t.Fatalf("scrape found only %d families", len(fams))
	}
	targetLabels := map[string]bool{"job": true, "instance": true, "node": true, "namespace": true, "pod": true}
	type source struct{ name, text string }
	var sources []source
	for _, f := range []string{"prometheus/saker-rules.yaml", "prometheus/saker-rules_test.yaml", "grafana/dashboards/saker.json", "grafana/provisioning/alerting/saker-alerts.yaml"} {
		b, err := os.ReadFile(filepath.Join(deployDir(t), f))
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, source{f, string(b)})
	}
	selector := regexp.MustCompile(`\b(saker_[a-z0-9_]+)\{([^}]*)\}`)
	matcher := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)`)
	used := map[string]bool{}
	for _, s := range sources {
		for _, name := range sakerName.FindAllString(s.text, -1) {
			used[name] = true
			if fams[name] == nil {
				t.Errorf("%s uses %s, which saker does not export", s.name, name)
			}
		}
		for _, m := range selector.FindAllStringSubmatch(s.text, -1) {
			for _, lm := range matcher.FindAllStringSubmatch(m[2], -1) {
				if l := lm[1]; fams[m[1]] != nil && !fams[m[1]][l] && !targetLabels[l] {
					t.Errorf("%s: %s has no label %q (it has %v)", s.name, m[1], l, fams[m[1]])
				}
			}
		}
	}
	// The dashboard shows every saker family that describes the pipeline.
	var missing []string
	for name := range fams {
		if strings.HasPrefix(name, "saker_") && !used[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("exported but not used by any dashboard or rule: %v", missing)
	}
}

// Every PromQL expression of the dashboard and the Grafana alerts runs
// against a real Prometheus that scrapes saker's metrics endpoint: no
// parse or evaluation error, and a result.
func TestDashboardAndAlertQueriesOnRealPrometheus(t *testing.T) {
	live := newLiveMetrics(t)
	srv := httptest.NewServer(live.m.Handler())
	defer srv.Close()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(200 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				live.tick()
			}
		}
	}()
	defer func() { close(stop); <-done }()

	prom := testenv.StartPrometheus(t, time.Second, strings.TrimPrefix(srv.URL, "http://"))
	// Rates need a few scrapes.
	prom.WaitQuery(t, `count_over_time(saker_events_received_total[1m]) >= 4`, 60*time.Second, func(s []testenv.PromSample) bool { return len(s) > 0 })

	exprs := append(panelTargets(dashboard(t), "prometheus"), grafanaAlertQueries(t, "prometheus")...)
	if len(exprs) < 20 {
		t.Fatalf("only %d PromQL expressions found", len(exprs))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, e := range exprs {
		q := grafanaVars.Replace(e.expr)
		res, err := prom.Query(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", e.where, err)
			continue
		}
		if len(res) == 0 {
			t.Errorf("%s: no result for %s", e.where, q)
		}
	}
	// Template variables: label_values(selector, label).
	lv := regexp.MustCompile(`^label_values\((.*),\s*([a-z_]+)\)$`)
	for _, v := range list(dashboard(t), "templating", "list") {
		if str(v, "type") != "query" {
			continue
		}
		m := lv.FindStringSubmatch(str(v, "definition"))
		if m == nil {
			t.Errorf("variable %s: unexpected query %q", str(v, "name"), str(v, "definition"))
			continue
		}
		res, err := prom.Query(ctx, grafanaVars.Replace(m[1]))
		if err != nil || len(res) == 0 || res[0].Labels[m[2]] == "" {
			t.Errorf("variable %s: %s gives %v, %v (no %s label)", str(v, "name"), m[1], res, err, m[2])
		}
	}
}

// The recording and alerting rules run in a real Prometheus that scrapes
// saker's metrics endpoint and loads saker-rules.yaml: they evaluate
// without error, and the loss ratio is the one the live counters imply.
func TestRulesOnRealPrometheus(t *testing.T) {
	bin := lookTool(t, "prometheus")
	live := newLiveMetrics(t)
	srv := httptest.NewServer(live.m.Handler())
	defer srv.Close()
	dir := t.TempDir()
	rules, err := os.ReadFile(filepath.Join(deployDir(t), "prometheus", "saker-rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "saker-rules.yaml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := "global: {scrape_interval: 500ms, scrape_timeout: 500ms, evaluation_interval: 500ms}\n" +
		"rule_files: [saker-rules.yaml]\n" +
		"scrape_configs:\n  - job_name: saker\n    static_configs:\n      - targets: [\"" + strings.TrimPrefix(srv.URL, "http://") + "\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ports, err := testenv.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		testenv.Unavailable(t, "prometheus: %v", err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
			t.Logf("prometheus log:\n%s", b)
		}
	}()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(200 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				live.tick()
			}
		}
	}()
	defer func() { close(stop); <-done }()

	prom := &testenv.Prometheus{URL: "http://" + addr}
	res := prom.WaitQuery(t, "saker:events_lost:ratio5m", 60*time.Second, func(s []testenv.PromSample) bool { return len(s) == 1 })
	// Per tick: 10 ring buffer + 1 scratch map lost in the kernel, 1
	// undecodable, 990 received: (11+1)/(990+11).
	if v := res[0].Value; v < 0.0119 || v > 0.0121 {
		t.Errorf("saker:events_lost:ratio5m on live data = %v, want 12/1001", v)
	}
	if res[0].Labels["job"] != "saker" || res[0].Labels["instance"] == "" {
		t.Errorf("loss ratio labels %v", res[0].Labels)
	}
	// Every rule evaluated without error.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, prom.URL+"/api/v1/rules", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name, Health, LastError string
				}
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range body.Data.Groups {
		for _, r := range g.Rules {
			n++
			if r.Health != "ok" {
				t.Errorf("rule %s: health %q %s", r.Name, r.Health, r.LastError)
			}
		}
	}
	if n < 10 {
		t.Errorf("Prometheus loaded %d rules", n)
	}
	// The live source drops alerts (queue_full) all the time: the alert
	// is at least pending.
	prom.WaitQuery(t, `ALERTS{alertname="SakerAlertsDropped",output="otlp",reason="queue_full"}`, 30*time.Second, func(s []testenv.PromSample) bool { return len(s) == 1 })
}
