package livetest

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/receiver/ebpf"
	"github.com/sakersec/saker/receiver/event"
)

// headStable is the upstream stable ruleset at HEAD, relative to this
// package (the repository is checked out beside shared/).
const headStable = "../../../shared/research/falco/rules/falcosecurity-rules/HEAD/falco_rules.yaml"

// loadHeadStable loads the HEAD stable ruleset with saker's loader.
func loadHeadStable(t testing.TB) *rules.Ruleset {
	t.Helper()
	if _, err := os.Stat(headStable); err != nil {
		t.Fatalf("HEAD stable ruleset: %v", err)
	}
	l := rules.NewLoader(rules.Config{})
	rs, ok := l.LoadFiles(headStable)
	if !ok || rs == nil {
		for _, r := range l.Results() {
			t.Log(r.Text(true))
		}
		t.Fatal("the HEAD stable ruleset does not load")
	}
	return rs
}

// referencedEventTypes returns the evt.type names the conditions of rs's
// rules can match, and the rules that set no event type at all (they
// would match every event; Falco warns about them).
func referencedEventTypes(rs *rules.Ruleset) (names, unrestricted []string) {
	seen := map[string]bool{}
	for _, r := range rs.Rules {
		var ts []string
		for et := event.Type(0); et < event.MaxType; et++ {
			if r.Filter.Types.Has(et) && !seen[et.Name()] {
				ts = append(ts, et.Name())
			}
		}
		if n := countTypes(r); n > event.MaxType/2 {
			unrestricted = append(unrestricted, r.Name)
			continue
		}
		for _, n := range ts {
			seen[n] = true
		}
	}
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, unrestricted
}

func countTypes(r *rules.Rule) int {
	n := 0
	for et := event.Type(0); et < event.MaxType; et++ {
		if r.Filter.Types.Has(et) {
			n++
		}
	}
	return n
}

// Every event type the HEAD stable ruleset's conditions reference is
// produced live: each is triggered from a child (in a container-style
// cgroup, so the container rules apply) and must arrive as an event of
// that name, of a type the rules are indexed under. The rules are
// evaluated on the live events too; those the triggers were written for
// must fire.
func TestHeadStableEventTypesLive(t *testing.T) {
	requireLive(t)
	rs := loadHeadStable(t)
	names, unrestricted := referencedEventTypes(rs)
	if len(unrestricted) > 0 {
		t.Errorf("rules without an event type (they would run on every event): %q", unrestricted)
	}
	if len(names) == 0 {
		t.Fatal("no event types referenced by the HEAD stable ruleset")
	}
	t.Logf("HEAD stable conditions reference %d event types: %s", len(names), strings.Join(names, " "))

	supported := map[string]bool{}
	for _, n := range ebpf.Supported() {
		supported[n] = true
	}
	for _, n := range names {
		if !supported[n] {
			t.Errorf("%s: no kernel program (receiver/ebpf.Supported); rules on it never fire live", n)
		}
	}

	cg, id := containerCgroup(t)
	dir := t.TempDir()
	r := runWatched(t, watchOpts{rules: rs}, 0, "triggers", append([]string{dir, cg}, names...)...)
	if missing, _ := r.result["no_trigger"].(string); missing != "" {
		t.Errorf("no trigger for %s: add one to triggers (helpers_test.go)", missing)
	}
	for _, n := range names {
		recs := r.all(n, 0, func(rec *record) bool { return rec.get("container.id") == id[:12] })
		if len(recs) == 0 {
			t.Errorf("%s: triggered (result %v %v) but no live %s event arrived from the helper; %s",
				n, r.result[n], r.result[n+"_err"], n, dropReport())
			continue
		}
		indexed := false
		for _, rec := range recs {
			indexed = indexed || len(rs.RulesFor(rec.typ)) > 0
		}
		if !indexed {
			t.Errorf("%s: the live events (%s) are not of a type the rules are indexed under", n, recs[0].typ)
		}
		t.Logf("%-13s %d live event(s), first %s, res %s", n, len(recs), recs[0].typ, recs[0].get("evt.res"))
	}

	// The rules the triggers were written for, and the event each fires on.
	want := map[string][]string{
		"Create Symlink Over Sensitive Files":                      {"symlink", "symlinkat"},
		"Create Hardlink Over Sensitive Files":                     {"link", "linkat"},
		"Packet socket created in container":                       {"socket"},
		"Redirect STDOUT/STDIN to Network Connection in Container": {"dup2", "dup3"},
		"Linux Kernel Module Injection Detected":                   {"init_module", "finit_module"},
		"PTRACE attached to process":                               {"ptrace"},
		"PTRACE anti-debug attempt":                                {"ptrace"},
		"Read sensitive file untrusted":                            {"open"},
		"Directory traversal monitored file read":                  {"openat"},
		"Fileless execution via memfd_create":                      {"execveat"},
	}
	fired := map[string]map[string]bool{}
	for _, rec := range r.recs {
		for _, name := range rec.rules {
			if fired[name] == nil {
				fired[name] = map[string]bool{}
			}
			fired[name][rec.name()] = true
		}
	}
	var firedNames []string
	for name := range fired {
		firedNames = append(firedNames, name)
	}
	sort.Strings(firedNames)
	t.Logf("rules that fired on the live events: %q", firedNames)
	for rule, evts := range want {
		if rs.Rule(rule) == nil {
			t.Errorf("rule %q is not in the HEAD stable ruleset", rule)
			continue
		}
		for _, e := range evts {
			if !fired[rule][e] {
				t.Errorf("rule %q did not fire on the live %s event", rule, e)
			}
		}
	}
}
