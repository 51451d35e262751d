package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/rules"
)

// validate is Falco's -V: every file is loaded in order into one loader (as
// Falco does, so later files may append to earlier ones), the results are
// printed — Falco's JSON with json_output or --json, text otherwise — and
// the exit code is 1 when any file is invalid.
func (a *app) validate() error {
	if err := a.loadConfig(); err != nil {
		return err
	}
	if len(a.o.validate) == 0 {
		return &exitError{code: 2, err: fmt.Errorf("nothing to validate: give rules files")}
	}
	l := rules.NewLoader(rules.Config{})
	for _, f := range a.o.validate {
		l.LoadFile(f)
	}
	ok := true
	for _, r := range l.Results() {
		ok = ok && r.Successful()
	}
	if a.cfg.JSONOutput || a.o.jsonResult {
		fmt.Fprintln(a.stdout, string(rules.ValidationJSON(l.Results(), nil)))
	} else {
		for _, r := range l.Results() {
			fmt.Fprint(a.stdout, r.Text(a.o.verbose))
		}
	}
	if !ok {
		return &exitError{code: 1}
	}
	return nil
}

// listRules is Falco's -L / -l RULE: a table of rules and descriptions, or
// Falco's describe JSON with json_output or --json.
func (a *app) listRules() error {
	if err := a.loadConfig(); err != nil {
		return err
	}
	rs, err := a.loadRules()
	if err != nil {
		return err
	}
	if a.cfg.JSONOutput || a.o.jsonResult {
		b, err := json.Marshal(rs.Describe(a.o.describe))
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, string(b))
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "Rule\tDescription")
	fmt.Fprintln(tw, "----\t-----------")
	for _, r := range rs.Rules {
		if a.o.describe != "" && r.Name != a.o.describe {
			continue
		}
		state := ""
		if !rs.IsEnabled(r) {
			state = " (disabled)"
		}
		fmt.Fprintf(tw, "%s%s\t%s\n", r.Name, state, oneLine(r.Description))
	}
	return tw.Flush()
}

// expandRules prints every enabled rule's condition with macros and lists
// expanded: one line "rule<TAB>condition". The conditions are in the
// filter language sysdig understands (for the benchmark against sysdig).
func (a *app) expandRules() error {
	if err := a.loadConfig(); err != nil {
		return err
	}
	rs, err := a.loadRules()
	if err != nil {
		return err
	}
	for _, r := range rs.Rules {
		if rs.IsEnabled(r) {
			fmt.Fprintf(a.stdout, "%s\t%s\n", r.Name, r.Expanded)
		}
	}
	return nil
}

// listFields is Falco's --list: every field saker supports, with its type
// and description; -N prints names only. Fields saker knows but cannot
// extract are marked.
func (a *app) listFields() error {
	all := fields.Default.All()
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	tw := tabwriter.NewWriter(a.stdout, 0, 8, 2, ' ', 0)
	for _, f := range all {
		if a.o.namesOnly {
			fmt.Fprintln(a.stdout, f.Name)
			continue
		}
		note := ""
		if !f.Implemented() {
			note = " (not extracted by saker: always <NA>)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\n", f.Name, strings.ToLower(f.Type.String()), oneLine(f.Desc), note)
	}
	return tw.Flush()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
