package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/scap/scaptest"
)

// `saker replay` maps a plain capture: a capture truncated while it is
// replayed ends the replay with an error that says so (not SIGBUS), after
// the summary of what was replayed.
func TestReplayTruncatedWhileMapped(t *testing.T) {
	src, _, err := scaptest.CachedExitOnlyCapture(scaptest.DefaultTrace(), 200_000, scap.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "c.scap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := false
	replayProgress = func(n int) {
		if n == 4096 {
			if err := os.Truncate(path, 64<<10); err != nil {
				t.Error(err)
			}
			truncated = true
		}
	}
	defer func() { replayProgress = nil }()
	out, errs, code := saker(t, "replay", path, "-o", "syslog_output.enabled=false")
	if !truncated {
		t.Fatalf("the replay never reached event 4096 (exit %d): %s", code, errs)
	}
	if code == 0 || !strings.Contains(errs, "capture file changed while it was being read") {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	if !strings.Contains(out, "Events detected:") {
		t.Errorf("no summary on stdout:\n%s", out)
	}
	t.Logf("exit %d: %s", code, strings.TrimSpace(errs))
}
