package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFilesDirectoryInNameOrder(t *testing.T) {
	dir := t.TempDir()
	main := writeFile(t, dir, "saker.yaml", `config_files: [conf.d]
priority: error
rules_files: [/main.yaml]
webserver:
  listen_port: 9000
`)
	writeFile(t, dir, "conf.d/20-b.yaml", "priority: notice\nrules_files: [/b.yaml]\n")
	writeFile(t, dir, "conf.d/10-a.yml", "priority: warning\nwebserver: {listen_address: 0.0.0.0}\nrules_files: [/a.yaml]\n")
	writeFile(t, dir, "conf.d/30-c.txt", "priority: [not, read]\n")
	writeFile(t, dir, "conf.d/sub/40.yaml", "priority: [not, read]\n")

	c := mustLoad(t, LoadOptions{File: main})
	eq(t, "last file wins", c.Priority, "notice")
	eq(t, "append strategy appends lists", c.RulesFiles, []string{"/main.yaml", "/a.yaml", "/b.yaml"})
	eq(t, "mappings merge", c.Webserver.ListenPort, 9000)
	eq(t, "mappings merge", c.Webserver.ListenAddress, "0.0.0.0")
	eq(t, "files", c.Files(), []string{builtinName, main, filepath.Join(dir, "conf.d/10-a.yml"), filepath.Join(dir, "conf.d/20-b.yaml")})
	eq(t, "origin of an appended element", c.Origin("rules_files[2]"), filepath.Join(dir, "conf.d/20-b.yaml")+":2:15")

	// Environment and -o still rank above included files, and may name the
	// includes themselves.
	c = mustLoad(t, LoadOptions{File: main, Env: []string{"SAKER_PRIORITY=debug"}})
	eq(t, "env over includes", c.Priority, "debug")
	c = mustLoad(t, LoadOptions{File: main, Overrides: []string{"config_files=[]"}})
	eq(t, "-o config_files=[] loads no includes", c.Priority, "error")
	eq(t, "files", len(c.Files()), 2)
	other := writeFile(t, t.TempDir(), "x.yaml", "priority: critical\n")
	c = mustLoad(t, LoadOptions{File: main, Env: []string{"SAKER_CONFIG_FILES=" + other}})
	eq(t, "env names the include", c.Priority, "critical")
}

func TestConfigFilesStrategies(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "inc.yaml", `priority: warning
rules_files: [/inc.yaml]
json_output: true
static_fields: {b: "2"}
`)
	for _, tc := range []struct {
		strategy   string
		priority   string
		rulesFiles []string
		json       bool
		static     map[string]string
	}{
		{"append", "warning", []string{"/main.yaml", "/inc.yaml"}, true, map[string]string{"a": "1", "b": "2"}},
		{"override", "warning", []string{"/inc.yaml"}, true, map[string]string{"a": "1", "b": "2"}},
		// add-only: keys the main file set stay; json_output still holds
		// its default, so the include may set it.
		{"add-only", "error", []string{"/main.yaml"}, true, map[string]string{"a": "1", "b": "2"}},
	} {
		t.Run(tc.strategy, func(t *testing.T) {
			main := writeFile(t, dir, "main-"+tc.strategy+".yaml", `config_files:
  - path: inc.yaml
    strategy: `+tc.strategy+`
priority: error
rules_files: [/main.yaml]
static_fields: {a: "1"}
`)
			c := mustLoad(t, LoadOptions{File: main})
			eq(t, "priority", c.Priority, tc.priority)
			eq(t, "rules_files", c.RulesFiles, tc.rulesFiles)
			eq(t, "json_output", c.JSONOutput, tc.json)
			eq(t, "static_fields", c.StaticFields, tc.static)
		})
	}
	main := writeFile(t, dir, "bad.yaml", "config_files: [{path: inc.yaml, strategy: merge}]\n")
	ce := loadErr(t, LoadOptions{File: main})
	if p, ok := findProblem(ce.Problems, "config_files[0].strategy", `invalid value "merge", want append, override or add-only`); !ok || p.Origin != main+":1:43" {
		t.Errorf("bad strategy: %v", ce)
	}
}

func TestConfigFilesMissingAndNested(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "inc.yaml", "config_files: [/elsewhere]\npriority: warning\n")
	main := writeFile(t, dir, "main.yaml", "config_files: [inc.yaml, missing.d]\n")
	c := mustLoad(t, LoadOptions{File: main})
	eq(t, "include loaded", c.Priority, "warning")
	var msgs []string
	for _, w := range c.Warnings() {
		msgs = append(msgs, w.String())
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, main+":1:26: config_files[1]: "+filepath.Join(dir, "missing.d")+" is skipped: no such file or directory") {
		t.Errorf("no warning for a missing include:\n%s", all)
	}
	if !strings.Contains(all, "config_files: ignored in an included file") {
		t.Errorf("no warning for config_files in an include:\n%s", all)
	}
	// The default /etc/saker/config.d is skipped silently when missing.
	c = mustLoad(t, LoadOptions{Overrides: []string{"config_files=[/nonexistent/saker.d]"}})
	if len(c.Warnings()) != 1 {
		t.Errorf("-o include: %v", c.Warnings())
	}
}

func TestMainFileErrors(t *testing.T) {
	dir := t.TempDir()
	ce := loadErr(t, LoadOptions{File: filepath.Join(dir, "nope.yaml")})
	if !strings.Contains(ce.Error(), "nope.yaml: cannot read config file: no such file or directory") {
		t.Errorf("missing file: %v", ce)
	}
	ce = loadErr(t, LoadOptions{File: dir})
	if !strings.Contains(ce.Error(), "it is a directory") {
		t.Errorf("directory: %v", ce)
	}
	if got := ResolveFile("/x.yaml"); got != "/x.yaml" {
		t.Errorf("ResolveFile(-c) = %q", got)
	}
}
