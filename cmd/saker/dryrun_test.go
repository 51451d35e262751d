package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// --dry-run loads the configuration and rules and exits without
// capturing (no BPF needed) or replaying: 0 for good rules, 1 with the
// errors for bad ones, in saker's form and Falco's.
func TestDryRun(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte(markerRule("a")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("- rule: broken\n  condition: evt.type = \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	capture := research(t, "traces/falco-test/cat_write.scap")
	for _, args := range [][]string{
		{"run", "--dry-run", "-r", good},
		{"--dry-run", "-r", good},
		{"replay", capture, "--dry-run", "-r", good},
		{"-e", capture, "--dry-run", "-r", good},
	} {
		out, errs, code := saker(t, append(args, "-o", "syslog_output.enabled=false")...)
		if code != 0 || !strings.Contains(errs, "dry run: configuration and rules loaded") || strings.Contains(out, "Events detected") {
			t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errs)
		}
	}
	_, errs, code := saker(t, "run", "--dry-run", "-r", bad, "-o", "syslog_output.enabled=false")
	if code != 1 || !strings.Contains(errs, "bad.yaml") {
		t.Errorf("bad rules: exit %d\n%s", code, errs)
	}
}

// -P/--pidfile holds saker's process id while it runs and is removed at
// exit.
func TestPidFile(t *testing.T) {
	pid := filepath.Join(t.TempDir(), "saker.pid")
	capture := research(t, "traces/falco-test/cat_write.scap")
	var during string
	replayProgress = func(n int) {
		if n == 0 {
			b, _ := os.ReadFile(pid)
			during = string(b)
		}
	}
	defer func() { replayProgress = nil }()
	_, errs, code := saker(t, "replay", capture, "--pidfile", pid, "-o", "syslog_output.enabled=false")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if want := strconv.Itoa(os.Getpid()) + "\n"; during != want {
		t.Errorf("pid file during the replay: %q, want %q", during, want)
	}
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Errorf("pid file left after exit (%v)", err)
	}
	_, _, code = saker(t, "replay", capture, "-P", filepath.Join(t.TempDir(), "no", "such", "dir", "p"), "-o", "syslog_output.enabled=false")
	if code != 1 {
		t.Errorf("unwritable pid file: exit %d", code)
	}
}
