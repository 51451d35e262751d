package deploytest

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/exporter/otlp"
	"github.com/sakersec/saker/internal/testenv"
)

// lokiNames is what Loki (>= 3, OTLP ingestion) makes of a record: its
// resource and log attribute keys with "." turned into "_" (index labels
// and structured metadata), plus the fields Loki adds itself.
func lokiNames(recs []testenv.Record) map[string]bool {
	names := map[string]bool{
		"severity_number": true, "severity_text": true, "detected_level": true,
		"scope_name": true, "observed_timestamp": true,
	}
	for _, r := range recs {
		for k := range r.Resource.Attributes().AsRaw() {
			names[strings.ReplaceAll(k, ".", "_")] = true
		}
		for k := range r.Attributes().AsRaw() {
			names[strings.ReplaceAll(k, ".", "_")] = true
		}
	}
	return names
}

// logqlLabels returns the label names a LogQL query refers to: stream
// selector matchers, label filters after a pipe, and by/without groupings.
func logqlLabels(q string) []string {
	var out []string
	for _, sel := range regexp.MustCompile(`\{([^}]*)\}`).FindAllStringSubmatch(q, -1) {
		for _, m := range regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)`).FindAllStringSubmatch(sel[1], -1) {
			out = append(out, m[1])
		}
	}
	for _, m := range regexp.MustCompile(`\|\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(>=|<=|==|!=|=~|!~|=|>|<)`).FindAllStringSubmatch(q, -1) {
		out = append(out, m[1])
	}
	for _, m := range regexp.MustCompile(`\b(?:by|without)\s*\(([^)]*)\)`).FindAllStringSubmatch(q, -1) {
		for _, l := range strings.Split(m[1], ",") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}

// The LogQL of the Grafana alert rules and the dashboard uses labels that
// exist on the records saker's OTLP exporter really sends, and the
// severity thresholds match saker's severity numbers.
func TestLogQLMatchesSakerRecords(t *testing.T) {
	sink := testenv.StartLogSink(t)
	cfg := otlp.Default()
	cfg.Enabled = true
	cfg.Endpoint = "http://" + sink.Endpoint
	cfg.Resource.Attributes = map[string]string{"k8s.node.name": "node-7", "service.instance.id": "uid"}
	exp, err := otlp.New(cfg, otlp.Settings{ServiceVersion: "test", Hostname: "node-7"})
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	warn := sampleAlert("node-7")
	warn.Priority = alert.PriorityWarning
	internal := &alert.Alert{Time: time.Unix(1_700_000_001, 0), Rule: drops.RuleSyscallEventDrop, Priority: alert.PriorityDebug,
		Output: "drops", Message: "drops", Source: "internal", Hostname: "node-7",
		Fields: []alert.Field{{Name: "n_drops", Value: uint64(3)}, {Name: "n_evts", Value: uint64(100)}}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := exp.Send(ctx, []*alert.Alert{sampleAlert("node-7"), warn, internal}); err != nil {
		t.Fatal(err)
	}
	recs := sink.Records()
	if len(recs) != 3 {
		t.Fatalf("sink got %d records", len(recs))
	}
	// What the queries' thresholds assume.
	for i, want := range []struct {
		sev  plog.SeverityNumber
		text string
	}{{17, "Error"}, {13, "Warning"}} {
		if recs[i].SeverityNumber() != want.sev || recs[i].SeverityText() != want.text {
			t.Errorf("record %d: severity %d %q, want %d %q", i, recs[i].SeverityNumber(), recs[i].SeverityText(), want.sev, want.text)
		}
	}
	if got, _ := recs[2].Attributes().Get("security_rule.name"); got.AsString() != drops.RuleSyscallEventDrop {
		t.Errorf("internal alert rule name %q", got.AsString())
	}
	if recs[2].SeverityNumber() >= 13 {
		t.Errorf("internal drop alert severity %d: the Warning query would count it twice", recs[2].SeverityNumber())
	}
	names := lokiNames(recs)
	if !names["service_name"] || !names["security_rule_name"] || !names["host_name"] {
		t.Fatalf("Loki names from saker's records lack service_name/security_rule_name/host_name: %v", names)
	}

	var queries []promExpr
	queries = append(queries, grafanaAlertQueries(t, "loki")...)
	queries = append(queries, panelTargets(dashboard(t), "loki")...)
	if len(queries) < 4 {
		t.Fatalf("only %d LogQL queries found", len(queries))
	}
	for _, q := range queries {
		if !strings.Contains(q.expr, `service_name="saker"`) {
			t.Errorf("%s: query does not select service_name=\"saker\": %s", q.where, q.expr)
		}
		for _, l := range logqlLabels(q.expr) {
			if !names[l] {
				t.Errorf("%s: label %q is not on saker's records in Loki", q.where, l)
			}
		}
	}
	if got := strings.Join(logqlLabels(`sum by (a, b) (count_over_time({x="y"} | sev >= 17 [5m]))`), ","); got != "x,sev,a,b" {
		t.Errorf("logqlLabels = %s", got)
	}

	// Annotations use only labels the query groups by.
	m := readYAML(t, filepath.Join(deployDir(t), "grafana", "provisioning", "alerting", "saker-alerts.yaml"))
	ref := regexp.MustCompile(`\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)`)
	for _, g := range list(m, "groups") {
		for _, r := range list(g, "rules") {
			var by []string
			refIDs := map[string]bool{}
			for _, q := range list(r, "data") {
				refIDs[str(q, "refId")] = true
				by = append(by, logqlLabels(str(q, "model", "expr"))...)
			}
			if !refIDs[str(r, "condition")] {
				t.Errorf("rule %s: condition %q is not a query refId", str(r, "title"), str(r, "condition"))
			}
			for _, a := range []string{"summary", "description"} {
				for _, mm := range ref.FindAllStringSubmatch(str(r, "annotations", a), -1) {
					if !contains(by, mm[1]) {
						t.Errorf("rule %s: annotation uses $labels.%s, not a label of its query", str(r, "title"), mm[1])
					}
				}
			}
		}
	}
}
