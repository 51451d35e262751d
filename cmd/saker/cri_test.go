package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/internal/testenv"
)

// `saker run` with a real containerd (--cri its socket) and the real
// probe: a rule on k8s.pod.name fires for an exec inside a pod's
// container, and the alert renders the namespace, pod and image
// repository the CRI gave — for a pod that ran before saker started
// (bootstrap) and for one started while it runs (looked up when its
// events arrive, without stopping the event loop); and when the runtime
// only answers after saker started.
func TestRunKubernetesMetadataFromCRI(t *testing.T) {
	requireLive(t)
	ctrd := testenv.StartContainerd(t)
	p := ctrd.RunPod(t, "saker-e2e-pod", "saker-e2e-ns", map[string]string{"app": "e2e"})

	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "k8s.yaml")
	rule := `- rule: exec in test pod
  desc: test
  condition: k8s.pod.name startswith "saker-e2e-pod" and evt.type = execve and proc.name = app
  output: exec in pod (ns=%k8s.ns.name pod=%k8s.pod.name image=%container.image.repository label=%k8s.pod.label[app] container=%container.name type=%container.type)
  priority: WARNING
`
	if err := os.WriteFile(rulesFile, []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	statsFile := filepath.Join(dir, "stats.jsonl")
	// saker runs on a goroutine; this one makes the pods and the execs
	// (testing's Fatal must stay on the test's goroutine).
	var out, errs string
	var code int
	done := make(chan struct{})
	go func() {
		defer close(done)
		out, errs, code = saker(t, "run", "-r", rulesFile, "--cri", ctrd.Socket, "--duration", "6s",
			"--stats-file", statsFile, "-o", "syslog_output.enabled=false", "-o", "webserver.enabled=false")
	}()
	var execErr error
	pods := []*testenv.Pod{p}
	for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		select {
		case <-done:
		default:
			if len(pods) == 1 && time.Since(start) > 2500*time.Millisecond {
				pods = append(pods, ctrd.RunPod(t, "saker-e2e-pod-late", "saker-e2e-ns", map[string]string{"app": "late"}))
			}
			for _, p := range pods {
				if err := ctrd.Exec(p, "probe"); err != nil {
					execErr = err
				}
			}
			continue
		}
		break
	}
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Warning exec in pod (ns=saker-e2e-ns pod=saker-e2e-pod image=saker.test/app label=e2e container=app type=containerd)",
		"Warning exec in pod (ns=saker-e2e-ns pod=saker-e2e-pod-late image=saker.test/app label=late container=app type=containerd)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no alert %q (exec error: %v)\nstdout:\n%s\nstderr:\n%s", want, execErr, out, errs)
		}
	}

	// The lookups are metrics: the late pod's containers were resolved
	// by lookups (the first pod's by the bootstrap listing).
	last := lastStatsMetrics(t, statsFile)
	if v := last[`saker_container_metadata_lookups_total{outcome="resolved"}`]; v < 1 {
		t.Errorf("saker_container_metadata_lookups_total{outcome=\"resolved\"} = %v, want ≥ 1; metrics: %v", v, last)
	}
	if _, ok := last["saker_container_metadata_dropped_total"]; !ok {
		t.Error("saker_container_metadata_dropped_total missing")
	}

	// The runtime appears after saker started (a node booting): --cri
	// names a socket that does not exist yet, then comes to lead to the
	// running containerd. saker says it waits, connects when the socket
	// answers, lists the pods and renders their metadata from then on.
	saved := criRedialEvery
	criRedialEvery = 300 * time.Millisecond
	waiting := make(chan struct{})
	criWaiting = func() { close(waiting) }
	defer func() { criRedialEvery, criWaiting = saved, nil }()
	late := filepath.Join(dir, "late.sock")
	done = make(chan struct{})
	go func() {
		defer close(done)
		out, errs, code = saker(t, "run", "-r", rulesFile, "--cri", late, "--duration", "5s",
			"-o", "syslog_output.enabled=false", "-o", "webserver.enabled=false")
	}()
	linked := false
	for ; ; time.Sleep(200 * time.Millisecond) {
		select {
		case <-done:
		default:
			select {
			case <-waiting:
				if !linked {
					if err := os.Symlink(ctrd.Socket, late); err != nil {
						t.Error(err)
					}
					linked = true
				}
			default:
			}
			if err := ctrd.Exec(p, "probe"); err != nil {
				execErr = err
			}
			continue
		}
		break
	}
	if code != 0 {
		t.Fatalf("run with a late runtime: exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Warning exec in pod (ns=saker-e2e-ns pod=saker-e2e-pod image=saker.test/app label=e2e container=app type=containerd)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("late runtime: no alert %q (exec error: %v)\nstdout:\n%s\nstderr:\n%s", want, execErr, out, errs)
		}
	}
	for _, want := range []string{"no CRI runtime yet", "container metadata from the CRI, the runtime answering now"} {
		if !strings.Contains(errs, want) {
			t.Errorf("late runtime: no log %q in stderr:\n%s", want, errs)
		}
	}
}
