package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/receiver/ebpf"
	"github.com/sakersec/saker/receiver/event"
	defaultrules "github.com/sakersec/saker/rules"
)

// -i prints the I/O events the live selection leaves out without -A, as
// Falco prints them, and exits 0 before loading rules or capturing,
// whatever else the command line says.
func TestPrintIgnoredIO(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", markerRule("a"))
	bad := writeFile(t, dir, "bad.yaml", "- rule: broken\n  condition: evt.type = \n")
	capture := research(t, "traces/falco-test/cat_write.scap")

	ignored := ebpf.IgnoredIO()
	want := "Ignored I/O syscall(s):\n"
	for _, n := range ignored {
		want += "- " + n + "\n"
	}
	want += "\n"
	// the set itself: sorted event names, which the live selection
	// leaves out; the well-known I/O calls in, the state-keeping ones out
	if !slices.IsSorted(ignored) {
		t.Errorf("not sorted: %v", ignored)
	}
	for _, n := range ignored {
		if event.TypesByName(n) == nil {
			t.Errorf("%q is not an event name", n)
		}
		if sel := ebpf.SelectSyscalls([]string{n}, ebpf.BaseSyscalls{}); !slices.Equal(sel.Ignored, []string{n}) {
			t.Errorf("%q: the live selection does not ignore it (ignored %v)", n, sel.Ignored)
		}
	}
	for _, n := range []string{"read", "write", "sendfile", "pread", "writev"} {
		if !strings.Contains(want, "\n- "+n+"\n") {
			t.Errorf("%s missing from the expected list:\n%s", n, want)
		}
	}
	for _, n := range []string{"close", "openat", "execve", "recvfrom", "pread64"} {
		if strings.Contains(want, "\n- "+n+"\n") {
			t.Errorf("%s in the expected list:\n%s", n, want)
		}
	}

	for _, args := range [][]string{
		{"-i", "-A", "-M", "1"},      // -M: were -i ignored, the run would not capture for long
		{"-r", bad, "-i", "-M", "1"}, // rules are not loaded
		{"-r", good, "-e", capture, "-i"},
		{"-i", "--support", "-M", "1"},
		{"-i"}, // last: were -i ignored, it would capture until stopped
	} {
		out, errs, code := saker(t, args...)
		if code != 0 || out != want || errs != "" {
			t.Fatalf("%v: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", args, code, out, want, errs)
		}
	}
}

// --support prints Falco's support JSON on one line: versions, uname, the
// command line, the config file's text and every rules file loaded, in
// load order, with its text. Configuration and rules load as for
// --dry-run, with the same errors.
func TestSupport(t *testing.T) {
	dir := t.TempDir()
	conf := writeFile(t, dir, "saker.yaml", "# support test\nsyslog_output:\n  enabled: false\npriority: debug\n")
	first := writeFile(t, dir, "z_first.yaml", markerRule("z"))
	second := writeFile(t, dir, "a_second.yaml", "# appended <&>\n- list: extra\n  items: [\"a > b\"]\n")
	rulesDir := filepath.Join(dir, "rules.d")
	if err := os.Mkdir(rulesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	inB := writeFile(t, rulesDir, "b.yaml", markerRule("b"))
	inA := writeFile(t, rulesDir, "a.yml", markerRule("c"))
	writeFile(t, rulesDir, "notes.txt", "not rules")

	builtin := []supportRules{}
	for _, f := range defaultrules.Default() {
		builtin = append(builtin, supportRules{Name: "builtin:" + f.Name, Variants: []supportVariant{{Content: string(f.Content)}}})
	}
	defaultConf := ""
	if f := config.ResolveFile(""); f != "" {
		defaultConf = readFile(t, f)
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	file := func(p string) supportRules {
		return supportRules{Name: p, Variants: []supportVariant{{Content: readFile(t, p)}}}
	}

	// -M: were --support ignored, the run would not capture for long
	cases := []struct {
		name   string
		args   []string
		config string
		rules  []supportRules
	}{
		{"config and two files", []string{"--support", "-c", conf, "-r", first, "-r", second, "-M", "1"}, readFile(t, conf), []supportRules{file(first), file(second)}},
		{"directory", []string{"-r", rulesDir, "--support", "-o", "syslog_output.enabled=false", "-M", "1"}, defaultConf, []supportRules{file(inA), file(inB)}},
		{"embedded defaults", []string{"--support", "-M", "1"}, defaultConf, builtin},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := saker(t, c.args...)
			if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Fatalf("exit %d, want 0 and one line\nstdout:\n%s\nstderr:\n%s", code, out, errs)
			}
			var got supportInfo
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out), &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"version", "system_info", "cmdline", "config", "rules_files", "plugins"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("key %q missing", k)
				}
			}
			if strings.Contains(out, `\u003c`) || strings.Contains(out, `\u0026`) {
				t.Errorf("rules text HTML-escaped (<, &), as Falco does not:\n%s", out)
			}
			if string(raw["plugins"]) != "[]" {
				t.Errorf("plugins: %s, want []", raw["plugins"])
			}
			wantVersion := supportVersion{Falco: config.Version, Engine: strings.Split(rules.EngineVersion, ".")[1], Semver: rules.EngineVersion}
			if got.Version != wantVersion {
				t.Errorf("version: %+v, want %+v", got.Version, wantVersion)
			}
			if got.SystemInfo.Machine != unix.ByteSliceToString(u.Machine[:]) || got.SystemInfo.Sysname != "Linux" ||
				got.SystemInfo.Release != unix.ByteSliceToString(u.Release[:]) || got.SystemInfo.Nodename != unix.ByteSliceToString(u.Nodename[:]) {
				t.Errorf("system_info: %+v", got.SystemInfo)
			}
			if want := os.Args[0] + " " + strings.Join(c.args, " "); got.Cmdline != want {
				t.Errorf("cmdline: %q, want %q", got.Cmdline, want)
			}
			if got.Config != c.config {
				t.Errorf("config: %q, want %q", got.Config, c.config)
			}
			if !slices.EqualFunc(got.RulesFiles, c.rules, func(g, w supportRules) bool {
				return g.Name == w.Name && slices.Equal(g.Variants, w.Variants)
			}) {
				t.Errorf("rules_files:\n%+v\nwant\n%+v", got.RulesFiles, c.rules)
			}
		})
	}

	// what fails to load fails as --dry-run fails, and prints no JSON
	bad := writeFile(t, dir, "bad.yaml", "- rule: broken\n  condition: evt.type = \n")
	for _, c := range []struct {
		name string
		args []string
		errs []string
	}{
		{"broken rules file", []string{"-r", first, "-r", bad}, []string{"bad.yaml", "LOAD_ERR_", "rules failed to load"}},
		{"missing rules file", []string{"-r", filepath.Join(dir, "none.yaml")}, []string{"none.yaml", "no such file"}},
		{"missing config file", []string{"-c", filepath.Join(dir, "none.yaml"), "-r", first}, []string{"invalid configuration", "none.yaml"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(c.args, "-o", "syslog_output.enabled=false")
			out, errs, code := saker(t, append(args, "--support")...)
			if code == 0 || out != "" {
				t.Fatalf("exit %d, want non-zero and no output; stdout:\n%s", code, out)
			}
			for _, e := range c.errs {
				if !strings.Contains(errs, e) {
					t.Errorf("stderr lacks %q:\n%s", e, errs)
				}
			}
			_, dryErrs, dryCode := saker(t, append(args, "--dry-run")...)
			if code != dryCode || errs != dryErrs {
				t.Errorf("exit %d, stderr:\n%s\n--dry-run: exit %d, stderr:\n%s", code, errs, dryCode, dryErrs)
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
