package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A rule on the I/O syscalls Falco ignores by default makes saker warn at
// start, naming them and -A; with -A, or with custom_set naming them, it
// does not.
func TestWarnsIgnoredIO(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "io.yaml")
	rule := `- rule: reads shadow
  desc: test
  condition: evt.type in (read, pread) and fd.name = /etc/shadow
  output: shadow read (fd=%fd.name)
  priority: WARNING
`
	if err := os.WriteFile(rules, []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	const warning = "ignored by default"
	base := []string{"run", "--dry-run", "-r", rules, "-o", "syslog_output.enabled=false"}

	_, errs, code := saker(t, base...)
	if code != 0 || strings.Count(errs, warning) != 1 || !strings.Contains(errs, "pread,read") || !strings.Contains(errs, "-A") {
		t.Errorf("default: exit %d, want one warning naming pread,read and -A:\n%s", code, errs)
	}
	_, errs, code = saker(t, append(base, "-A")...)
	if code != 0 || strings.Contains(errs, warning) {
		t.Errorf("-A: exit %d, want no warning:\n%s", code, errs)
	}
	_, errs, code = saker(t, append(base, "-o", "base_syscalls.custom_set[]=read", "-o", "base_syscalls.custom_set[]=pread64")...)
	if code != 0 || strings.Contains(errs, warning) {
		t.Errorf("custom_set: exit %d, want no warning:\n%s", code, errs)
	}
}
