package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sakersec/saker/config"
)

// markerRule is a rule that fires on an exec whose command line holds
// saker-reload-mark-<m>, with output "marker <m> seen".
func markerRule(m string) string {
	return `- rule: reload marker ` + m + `
  desc: test
  condition: evt.type = execve and proc.cmdline contains "saker-reload-mark-` + m + `"
  output: marker ` + m + ` seen (cmd=%proc.cmdline)
  priority: WARNING
`
}

// reloadRun is a live `saker run` whose alerts go to a file the test reads
// while it runs, with the rules reload hook turned into a channel.
type reloadRun struct {
	t        *testing.T
	rules    string
	alerts   string
	stats    string
	reloaded chan error
	done     chan struct{}
	out      string
	errs     string
	code     int
}

func startReloadRun(t *testing.T, watch bool, rules string, duration string) *reloadRun {
	t.Helper()
	dir := t.TempDir()
	r := &reloadRun{t: t, rules: filepath.Join(dir, "rules.yaml"), alerts: filepath.Join(dir, "alerts.txt"),
		stats: filepath.Join(dir, "stats.jsonl"), reloaded: make(chan error, 16), done: make(chan struct{})}
	if err := os.WriteFile(r.rules, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	savedPoll := reloadPoll
	reloadPoll = 100 * time.Millisecond
	rulesReloaded = func(err error) { r.reloaded <- err }
	t.Cleanup(func() { reloadPoll, rulesReloaded = savedPoll, nil })
	w := "false"
	if watch {
		w = "true"
	}
	go func() {
		defer close(r.done)
		r.out, r.errs, r.code = saker(t, "run", "-r", r.rules, "--duration", duration, "--stats-file", r.stats,
			"-o", "watch_config_files="+w, "-o", "file_output.enabled=true", "-o", "file_output.filename="+r.alerts,
			"-o", "stdout_output.enabled=false", "-o", "syslog_output.enabled=false", "-o", "webserver.enabled=false")
	}()
	return r
}

// count is how many alerts of marker m the file holds.
func (r *reloadRun) count(m string) int {
	b, _ := os.ReadFile(r.alerts)
	return strings.Count(string(b), "marker "+m+" seen")
}

// trigger execs a command line with marker m.
func trigger(m string) {
	_ = exec.Command("sh", "-c", "true saker-reload-mark-"+m).Run()
}

// waitAlert triggers marker m until its alerts exceed n, and returns
// their count; it fails the test after d.
func (r *reloadRun) waitAlert(m string, n int, d time.Duration) int {
	r.t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		trigger(m)
		if c := r.count(m); c > n {
			return c
		}
		select {
		case <-r.done:
			r.t.Fatalf("saker run ended (exit %d) before an alert for marker %s: %s", r.code, m, r.errs)
		default:
		}
	}
	r.t.Fatalf("no alert for marker %s within %v (%d so far); saker run is still running", m, d, r.count(m))
	return 0
}

// waitReload returns the error of the next reload attempt.
func (r *reloadRun) waitReload(d time.Duration) error {
	r.t.Helper()
	select {
	case err := <-r.reloaded:
		return err
	case <-time.After(d):
		r.t.Fatalf("no rules reload within %v", d)
		return nil
	}
}

func (r *reloadRun) write(rules string) {
	r.t.Helper()
	// a new file renamed over the old, as editors and falcoctl write
	tmp := r.rules + ".tmp"
	if err := os.WriteFile(tmp, []byte(rules), 0o644); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Rename(tmp, r.rules); err != nil {
		r.t.Fatal(err)
	}
}

func (r *reloadRun) wait() {
	r.t.Helper()
	<-r.done
	if r.code != 0 {
		r.t.Fatalf("run: exit %d: %s", r.code, r.errs)
	}
}

// With watch_config_files, a changed rules file is reloaded while saker
// runs: the new rule fires and the removed one no longer does, without a
// restart; a rules file that does not load leaves the rules in force.
func TestRunReloadsChangedRules(t *testing.T) {
	requireLive(t)
	r := startReloadRun(t, true, markerRule("a"), "14s")
	r.waitAlert("a", 0, 8*time.Second)

	r.write(markerRule("b"))
	if err := r.waitReload(5 * time.Second); err != nil {
		t.Fatalf("reload: %v", err)
	}
	nb := r.waitAlert("b", 0, 5*time.Second)
	// rule b exists only in the new engine: the loop has switched, and
	// execs of marker a from now on must not alert
	na := r.count("a")
	for range 3 {
		trigger("a")
	}
	nb = r.waitAlert("b", nb, 5*time.Second) // the loop is past those execs
	if c := r.count("a"); c != na {
		t.Errorf("the removed rule fired %d times after the reload", c-na)
	}

	r.write("- rule: broken\n  condition: evt.type = \n")
	if err := r.waitReload(5 * time.Second); err == nil {
		t.Fatal("a rules file that does not load was reloaded")
	}
	r.waitAlert("b", nb, 5*time.Second)
	r.wait()
	for _, want := range []string{"rules reloaded", "rules reload failed; the rules in force stay"} {
		if !strings.Contains(r.errs, want) {
			t.Errorf("no log %q in stderr:\n%s", want, r.errs)
		}
	}
	// the reloads are metrics
	last := lastStatsMetrics(t, r.stats)
	for k, want := range map[string]float64{`saker_rules_reloads_total{outcome="succeeded"}`: 1, `saker_rules_reloads_total{outcome="failed"}`: 1} {
		if v := last[k]; v != want {
			t.Errorf("%s = %v, want %v", k, v, want)
		}
	}
}

// Without watch_config_files a changed file waits for SIGHUP, which
// reloads it, as Falco's SIGHUP restart does. A rule the reload keeps
// keeps counting: its matches metric is the run's.
func TestRunReloadsOnSIGHUP(t *testing.T) {
	requireLive(t)
	r := startReloadRun(t, false, markerRule("a"), "8s")
	na := r.waitAlert("a", 0, 8*time.Second)
	r.write(markerRule("a") + markerRule("b"))
	time.Sleep(500 * time.Millisecond) // 5 polls, were it watching
	select {
	case err := <-r.reloaded:
		t.Fatalf("reloaded without watch_config_files (%v)", err)
	default:
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if err := r.waitReload(5 * time.Second); err != nil {
		t.Fatalf("reload on SIGHUP: %v", err)
	}
	r.waitAlert("b", 0, 5*time.Second)
	r.waitAlert("a", na, 5*time.Second) // after the switch (b fired)
	r.wait()
	last := lastStatsMetrics(t, r.stats)
	if k, n := `saker_rules_matches_total{priority="Warning",rule="reload marker a"}`, r.count("a"); last[k] != float64(n) {
		t.Errorf("%s = %v, want %d (the alerts of the whole run; %d before the reload)", k, last[k], n, na)
	}
}

// Every field a reload applies names a field of config.Config: a renamed
// field would otherwise be reported as waiting for a restart.
func TestReloadableNamesConfigFields(t *testing.T) {
	typ := reflect.TypeOf(config.Config{})
	for name := range reloadable {
		if _, ok := typ.FieldByName(name); !ok {
			t.Errorf("reloadable names %q, which config.Config does not have", name)
		}
	}
}
