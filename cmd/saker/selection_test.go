package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/filter"
	"github.com/sakersec/saker/receiver/ebpf"
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

// `saker record --filter`: a filter on event types records those and the
// state they need; a filter any event type can match records everything,
// as no filter does, and warns about nothing.
func TestRecordSyscalls(t *testing.T) {
	var logs strings.Builder
	a := &app{cfg: &config.Config{}, log: slog.New(slog.NewTextHandler(&logs, nil))}
	compile := func(src string) (*filter.Filter, []string) {
		t.Helper()
		expr, err := condition.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		cp := &filter.Compiler{Fields: fields.Default}
		f, _, err := cp.Compile(expr)
		if err != nil {
			t.Fatal(err)
		}
		return f, filter.GenericSyscalls(expr)
	}
	all := ebpf.SelectSyscalls(nil, ebpf.BaseSyscalls{All: true}).Names
	if got := a.recordSyscalls(nil, nil); !slices.Equal(got, all) {
		t.Errorf("no filter: %d syscalls, want all %d", len(got), len(all))
	}
	if got := a.recordSyscalls(compile("proc.name=nginx")); !slices.Equal(got, all) || logs.Len() != 0 {
		t.Errorf("proc.name filter: %d syscalls (want all %d), logged:\n%s", len(got), len(all), logs.String())
	}
	got := a.recordSyscalls(compile("evt.type=mprotect and proc.name=nginx"))
	if !slices.Contains(got, "mprotect") || !slices.Contains(got, "execve") || slices.Contains(got, "read") || len(got) >= len(all) {
		t.Errorf("evt.type filter: %v, want mprotect and the state set only", got)
	}
	logs.Reset()
	got = a.recordSyscalls(compile("evt.type=read"))
	if slices.Contains(got, "read") || !strings.Contains(logs.String(), "ignored by default") {
		t.Errorf("evt.type=read without -A: %v, logged:\n%s", got, logs.String())
	}
	a.cfg.BaseSyscalls.All = true
	if got := a.recordSyscalls(compile("evt.type=read")); !slices.Equal(got, all) {
		t.Errorf("-A: %d syscalls, want all %d", len(got), len(all))
	}
}
