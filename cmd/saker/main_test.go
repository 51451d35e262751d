package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// research returns a path under shared/research/falco, which sits beside
// the repository checkout.
func research(t testing.TB, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "research", "falco", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("test data: %v", err)
	}
	return p
}

// saker runs the command line in-process and returns stdout, stderr and
// the exit code.
func saker(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return out.String(), errb.String(), code
}

func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// lastStatsMetrics returns the metrics of the last line of a
// --stats-file, failing the test if there is none.
func lastStatsMetrics(t *testing.T, path string) map[string]float64 {
	t.Helper()
	stats := readLines(t, path)
	var last struct {
		Metrics map[string]float64 `json:"metrics"`
	}
	if len(stats) == 0 || json.Unmarshal([]byte(stats[len(stats)-1]), &last) != nil {
		t.Fatalf("stats file: %q", stats)
	}
	return last.Metrics
}

func readLines(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return lines(string(b))
}

// Falco's own regression test: single_rule.yaml on cat_write.scap gives
// eight alerts, byte for byte in text and key for key in JSON.
func TestReplayReproducesFalcoGoldenOutputs(t *testing.T) {
	rulesFile := research(t, "tests/falco-0.34.1/rules/single_rule_with_tags.yaml")
	capture := research(t, "traces/falco-test/cat_write.scap")
	// Falco 0.34's configuration had no append_output (saker's default
	// appends the suggested container and pod fields)
	common := []string{"-r", rulesFile, "-e", capture, "-o", "time_format_iso_8601=true", "-o", "syslog_output.enabled=false", "-o", "stdout_output.enabled=true",
		"-o", "append_output=[]"}

	out, errs, code := saker(t, common...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := readLines(t, research(t, "tests/falco-0.34.1/output_files/single_rule_with_cat_write.txt"))
	got := lines(out)
	if len(got) < len(want) || !reflect.DeepEqual(got[:len(want)], want) {
		t.Fatalf("text alerts differ:\ngot  %q\nwant %q", got, want)
	}
	if !strings.Contains(out, "Events detected: 8") || !strings.Contains(out, "open_from_cat: 8") {
		t.Errorf("summary missing from output:\n%s", out)
	}

	t.Setenv("FALCO_HOSTNAME", "test-falco-hostname")
	out, errs, code = saker(t, append(common, "-o", "json_output=true")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantJSON := readLines(t, research(t, "tests/falco-0.34.1/output_files/single_rule_with_cat_write.json"))
	gotJSON := lines(out)
	if len(gotJSON) < len(wantJSON) {
		t.Fatalf("%d JSON lines, want %d:\n%s", len(gotJSON), len(wantJSON), out)
	}
	for i := range wantJSON {
		var g, w map[string]any
		if err := json.Unmarshal([]byte(gotJSON[i]), &g); err != nil {
			t.Fatalf("line %d not JSON: %v: %s", i, err, gotJSON[i])
		}
		if err := json.Unmarshal([]byte(wantJSON[i]), &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("JSON line %d:\ngot  %s\nwant %s", i, gotJSON[i], wantJSON[i])
		}
	}
}

func TestValidateExitCodesAndJSON(t *testing.T) {
	good := research(t, "tests/falco-0.34.1/rules/single_rule.yaml")
	bad := research(t, "tests/falco-0.34.1/rules/invalid_not_yaml.yaml")

	out, errs, code := saker(t, "-V", good)
	if code != 0 || !strings.Contains(out, "single_rule.yaml: Ok") {
		t.Fatalf("valid file: exit %d, out %q, err %q", code, out, errs)
	}
	out, _, code = saker(t, "-o", "json_output=true", "-V", bad)
	if code != 1 {
		t.Fatalf("invalid file: exit %d, want 1", code)
	}
	var doc struct {
		Results []struct {
			Name       string `json:"name"`
			Successful bool   `json:"successful"`
			Errors     []struct {
				Code string `json:"code"`
			} `json:"errors"`
		} `json:"falco_load_results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("-V JSON: %v\n%s", err, out)
	}
	if len(doc.Results) != 1 || doc.Results[0].Successful || len(doc.Results[0].Errors) == 0 || !strings.HasPrefix(doc.Results[0].Errors[0].Code, "LOAD_ERR_") {
		t.Fatalf("-V JSON result: %+v", doc)
	}
	if _, _, code := saker(t, "rules", "validate", good); code != 0 {
		t.Fatalf("saker rules validate: exit %d", code)
	}
}

func TestListRulesAndFields(t *testing.T) {
	rulesFile := research(t, "tests/falco-0.34.1/rules/tagged_rules.yaml")
	out, errs, code := saker(t, "-r", rulesFile, "-L")
	if code != 0 {
		t.Fatalf("-L: exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "Rule") || len(lines(out)) < 4 {
		t.Fatalf("-L output:\n%s", out)
	}
	out, _, code = saker(t, "-r", rulesFile, "-L", "--json")
	var d map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || d["rules"] == nil {
		t.Fatalf("-L --json: exit %d: %s", code, out)
	}
	out, _, code = saker(t, "--list")
	if code != 0 || !strings.Contains(out, "proc.name") || !strings.Contains(out, "fd.name") || !strings.Contains(out, "evt.type") {
		t.Fatalf("--list: exit %d", code)
	}
	names, _, _ := saker(t, "fields", "-N")
	for _, l := range lines(names) {
		if strings.ContainsAny(l, " \t") {
			t.Fatalf("-N printed more than a name: %q", l)
		}
	}
}

func TestBadInvocationsGiveClearErrors(t *testing.T) {
	_, errs, code := saker(t, "replay")
	if code != 2 || !strings.Contains(errs, "capture file") {
		t.Errorf("replay without file: exit %d, %q", code, errs)
	}
	_, errs, code = saker(t, "replay", "/no/such/file.scap")
	if code != 1 || !strings.Contains(errs, "no/such/file.scap") {
		t.Errorf("replay missing file: exit %d, %q", code, errs)
	}
	_, errs, code = saker(t, "-o", "priority=loud", "-V", research(t, "tests/falco-0.34.1/rules/single_rule.yaml"))
	if code != 1 || !strings.Contains(errs, "priority") {
		t.Errorf("bad priority: exit %d, %q", code, errs)
	}
	_, errs, code = saker(t, "nonsense")
	if code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errs)
	}
}

// Falco's drop-monitor regression configs replayed on ping_sendto.scap:
// with simulate_drops every one-second check sees a drop, so the counts
// follow from the trace's length (9 checks) and the token bucket (burst 10).
func TestReplayDropMonitorConfigs(t *testing.T) {
	rulesFile := research(t, "tests/falco-0.34.1/rules/single_rule.yaml")
	capture := research(t, "traces/falco-test/ping_sendto.scap")
	cases := []struct {
		conf        string
		code        int
		occurrences int
		actions     int
		stdout      string // substring expected in stdout
		stderr      string // substring expected in stderr
		alerts      int    // internal drop alerts on stdout
	}{
		{conf: "drops_alert.yaml", occurrences: 9, actions: 9, alerts: 9},
		{conf: "drops_log.yaml", occurrences: 9, actions: 9, stderr: "system calls dropped in last second"},
		{conf: "drops_ignore.yaml", occurrences: 9, actions: 9},
		{conf: "drops_none.yaml", occurrences: 0, actions: 0},
		{conf: "drops_exit.yaml", code: 1, occurrences: 1, actions: 1, stderr: "Exiting."},
		{conf: "drops_ignore_log.yaml", code: 1, occurrences: -1, stderr: `syscall event drop action "log" does not make sense with the "ignore" action`},
		{conf: "drops_threshold_neg.yaml", code: 1, occurrences: -1, stderr: "syscall event drops threshold must be a double in the range [0, 1]"},
		{conf: "drops_threshold_oor.yaml", code: 1, occurrences: -1, stderr: "syscall event drops threshold must be a double in the range [0, 1]"},
	}
	for _, c := range cases {
		t.Run(c.conf, func(t *testing.T) {
			out, errs, code := saker(t, "-r", rulesFile, "-e", capture, "-c", research(t, "tests/falco-0.34.1/confs/"+c.conf), "-o", "syslog_output.enabled=false")
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, c.code, errs)
			}
			if c.occurrences >= 0 {
				want := "   - event drop detected: " + strconv.Itoa(c.occurrences) + " occurrences\n   - num times actions taken: " + strconv.Itoa(c.actions)
				if !strings.Contains(errs, "Syscall event drop monitoring:\n"+want) {
					t.Errorf("summary missing %q in stderr:\n%s", want, errs)
				}
			}
			if c.stderr != "" && !strings.Contains(errs, c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, errs)
			}
			if n := strings.Count(out, "Falco internal: syscall event drop"); n != c.alerts {
				t.Errorf("%d drop alerts on stdout, want %d", n, c.alerts)
			}
		})
	}
}
