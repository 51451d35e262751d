package rules

import (
	"sort"

	"gopkg.in/yaml.v3"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine"
	"github.com/sakersec/saker/engine/condition"
	enginerules "github.com/sakersec/saker/engine/rules"
)

func TestDefaultFiles(t *testing.T) {
	files := Default()
	if len(files) == 0 {
		t.Fatal("no embedded rules files")
	}
	if !sort.SliceIsSorted(files, func(i, j int) bool { return files[i].Name < files[j].Name }) {
		t.Errorf("files not in name order")
	}
	l := enginerules.NewLoader(enginerules.Config{})
	for _, f := range files {
		r := l.Load("saker:"+f.Name, f.Content)
		if !r.Successful() {
			t.Fatalf("%s does not load:\n%s", f.Name, r.Text(true))
		}
		// No warning at all: no unused macro or list, no rule without an
		// event-type restriction, nothing deprecated.
		for i := range r.Warnings {
			t.Errorf("%s: warning %s", f.Name, r.Warnings[i].String())
		}
	}
}

// Every rule has a live test in rules_test.go, and every test names a rule.
func TestEveryRuleHasATest(t *testing.T) {
	rs, err := loadDefault()
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{}
	for _, c := range cases {
		if rs.Rule(c.rule) == nil {
			t.Errorf("test for %q: no such rule", c.rule)
		}
		if tested[c.rule] {
			t.Errorf("rule %q tested twice", c.rule)
		}
		tested[c.rule] = true
	}
	for _, r := range rs.Rules {
		if !tested[r.Name] {
			t.Errorf("rule %q has no test", r.Name)
		}
	}
}

// What an investigator needs is in every alert, every rule is enabled, and
// every rule is indexed on a few event types only.
func TestRuleShape(t *testing.T) {
	rs, err := loadDefault()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rs.Rules); n < 20 || n > 40 {
		t.Errorf("%d rules", n)
	}
	for _, r := range rs.Rules {
		if !r.Enabled || !rs.IsEnabled(r) {
			t.Errorf("%s: not enabled", r.Name)
		}
		if len(r.Description) < 40 {
			t.Errorf("%s: description too short: %q", r.Name, r.Description)
		}
		for _, f := range []string{"%user.name", "%user.loginuid", "%proc.name", "%proc.pid", "%proc.pname", "%proc.cmdline"} {
			if !strings.Contains(r.Output, f+" ") && !strings.Contains(r.Output, f+")") {
				t.Errorf("%s: output lacks %s", r.Name, f)
			}
		}
		// The container and pod context is appended to every alert by
		// suggested_output (on in the default configuration); naming it
		// in the output too would print it twice.
		for _, f := range engine.SuggestedFields {
			if strings.Contains(r.Output, "%"+f+" ") || strings.Contains(r.Output, "%"+f+")") {
				t.Errorf("%s: output names %s, which suggested_output appends", r.Name, f)
			}
		}
		var tactic, technique bool
		for _, tag := range r.Tags {
			tactic = tactic || strings.HasPrefix(tag, "mitre_")
			technique = technique || mitreTechnique.MatchString(tag)
		}
		if !tactic || !technique {
			t.Errorf("%s: tags %v lack a MITRE tactic or technique", r.Name, r.Tags)
		}
		// A field saker does not extract always reads <NA>: a rule built on
		// one could never fire, an output field would never say anything.
		if u := r.Filter.Unimplemented; len(u) > 0 {
			t.Errorf("%s: condition uses fields saker does not extract: %v", r.Name, u)
		}
		if u := r.Format.Unimplemented(); len(u) > 0 {
			t.Errorf("%s: output uses fields saker does not extract: %v", r.Name, u)
		}
		types := map[string]bool{}
		for _, typ := range r.Filter.Types.Types() {
			types[typ.Name()] = true
		}
		if len(types) == 0 || len(types) > 12 {
			t.Errorf("%s: indexed on %d syscalls %v", r.Name, len(types), types)
		}
	}
}

// The tuning examples of the README and of the rules file header load on
// top of the defaults and change what they should.
func TestTuning(t *testing.T) {
	tuning := `
- list: package_mgmt_binaries
  items: [my-installer]
  override:
    items: append

- macro: user_known_write_etc
  condition: (proc.name = confd and fd.name startswith /etc/myapp/)
  override:
    condition: replace

- rule: Read sensitive file by untrusted program
  exceptions:
    - name: backup
      fields: [proc.name, fd.name]
      values:
        - [restic, /etc/shadow]
  override:
    exceptions: append

- rule: Packet socket created
  priority: WARNING
  override:
    priority: replace
`
	l := enginerules.NewLoader(enginerules.Config{})
	for _, f := range Default() {
		if r := l.Load(f.Name, f.Content); !r.Successful() {
			t.Fatal(r.Text(true))
		}
	}
	if r := l.Load("tuning.yaml", []byte(tuning)); !r.Successful() || len(r.Warnings) > 0 {
		t.Fatalf("tuning file:\n%s", r.Text(true))
	}
	rs := l.Ruleset()
	if e := condition.String(rs.Rule("Write below etc").AST); !strings.Contains(e, "my-installer") || !strings.Contains(e, "confd") {
		t.Errorf("appended list item or replaced macro not in Write below etc: %s", e)
	}
	if e := rs.Rule("Read sensitive file by untrusted program").Expanded; !strings.Contains(e, "restic") {
		t.Errorf("exception not appended: %s", e)
	}
	if p := rs.Rule("Packet socket created").Priority.String(); p != "Warning" {
		t.Errorf("priority %s after replace", p)
	}
}

// proc.name is the kernel's comm, at most 15 characters: a longer name in a
// list of program names could never match.
func TestProgramListsFitComm(t *testing.T) {
	var items []struct {
		List  string   `yaml:"list"`
		Items []string `yaml:"items"`
	}
	for _, f := range Default() {
		if err := yaml.Unmarshal(f.Content, &items); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, it := range items {
			if !strings.HasSuffix(it.List, "_binaries") {
				continue
			}
			n++
			for _, name := range it.Items {
				if len(name) > 15 {
					t.Errorf("list %s: %q is longer than a process name can be", it.List, name)
				}
			}
		}
		if n < 10 {
			t.Errorf("%s: only %d program lists", f.Name, n)
		}
	}
}
