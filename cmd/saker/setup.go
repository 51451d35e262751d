package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/engine"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/rules"
	defaultrules "github.com/sakersec/saker/rules"
)

// app is one invocation: its options, configuration and streams.
type app struct {
	o      *options
	cfg    *config.Config
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer

	loadedConfig string      // the config file loadConfig read; "" for the built-in defaults
	loadedRules  []rulesFile // the rules files loadRules loaded, in load order
}

// rulesFile is a rules file as it was loaded: the name messages give it
// and its text.
type rulesFile struct {
	name    string
	content []byte
}

// loadConfig loads the configuration: built-in defaults, the file (-c, or
// /etc/saker/saker.yaml when present), the environment, then the command
// line. Config warnings are logged.
func (a *app) loadConfig() error {
	file := config.ResolveFile(a.o.configFile)
	cfg, err := config.Load(config.LoadOptions{File: file, CommandLine: &a.o.cl})
	if err != nil {
		return err
	}
	a.cfg = cfg
	a.loadedConfig = file
	a.log = newLogger(cfg, a.o.verbose, a.stderr)
	for _, w := range cfg.Warnings() {
		a.log.Warn("configuration: " + w.String())
	}
	return nil
}

func newLogger(cfg *config.Config, verbose bool, stderr io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(cfg.LogLevel) {
	case "debug":
		level = slog.LevelDebug
	case "warning", "warn", "notice":
		level = slog.LevelWarn
	case "error", "critical", "alert", "emergency", "fatal":
		level = slog.LevelError
	}
	if verbose {
		level = slog.LevelDebug
	}
	w := stderr
	if !cfg.LogStderr {
		w = io.Discard
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// BuiltinRules is the rules_files entry that names saker's built-in
// ruleset, so it can be loaded together with local files
// (rules_files: [builtin, /etc/saker/rules.d]).
const BuiltinRules = "builtin"

// rulesFiles expands rules_files: directories become their *.yaml/*.yml
// files in name order, as Falco loads them; "builtin" stays as it is.
func rulesFiles(entries []string) ([]string, error) {
	var out []string
	for _, e := range entries {
		if e == BuiltinRules {
			out = append(out, e)
			continue
		}
		st, err := os.Stat(e)
		if err != nil {
			return nil, fmt.Errorf("rules file %s: %w", e, errors.Unwrap(err))
		}
		if !st.IsDir() {
			out = append(out, e)
			continue
		}
		ents, err := os.ReadDir(e)
		if err != nil {
			return nil, fmt.Errorf("rules directory %s: %w", e, err)
		}
		var names []string
		for _, d := range ents {
			if !d.IsDir() && (strings.HasSuffix(d.Name(), ".yaml") || strings.HasSuffix(d.Name(), ".yml")) {
				names = append(names, filepath.Join(e, d.Name()))
			}
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}

// loadRules loads the configured rules files (or the built-in ruleset),
// reports warnings, and applies the selection settings in Falco's order:
// minimum priority, the rules: enable/disable list, then -D, -T and -t.
func (a *app) loadRules() (*rules.Ruleset, error) {
	paths, err := rulesFiles(rulesEntries(a.cfg))
	if err != nil {
		return nil, err
	}
	l := rules.NewLoader(rules.Config{})
	ok := true
	var loaded []rulesFile
load:
	for _, p := range paths {
		files, err := readRules(p)
		if err != nil {
			l.LoadFile(p) // the loader reports the read error (LOAD_ERR_FILE_READ)
			ok = false
			break
		}
		for _, f := range files {
			if ok = l.Load(f.name, f.content).Successful(); !ok {
				break load // Falco stops at the first file that fails
			}
			loaded = append(loaded, f)
		}
	}
	for _, r := range l.Results() {
		if !r.Successful() {
			fmt.Fprint(a.stderr, r.Text(true))
			continue
		}
		for i := range r.Warnings {
			a.log.Debug("rules: " + r.Warnings[i].String())
		}
	}
	if !ok {
		return nil, &exitError{code: 1, err: errors.New("rules failed to load")}
	}
	rs := l.Ruleset()
	if rs == nil {
		return nil, &exitError{code: 1, err: errors.New("no rules loaded")}
	}
	a.loadedRules = loaded
	rs.SetMinPriority(a.cfg.MinPriority())
	for _, t := range a.cfg.Rules {
		switch {
		case t.Enable != nil && t.Enable.Rule != "":
			rs.SelectByName(t.Enable.Rule, true)
		case t.Enable != nil && t.Enable.Tag != "":
			rs.SelectByTag(t.Enable.Tag, true)
		case t.Disable != nil && t.Disable.Rule != "":
			rs.SelectByName(t.Disable.Rule, false)
		case t.Disable != nil && t.Disable.Tag != "":
			rs.SelectByTag(t.Disable.Tag, false)
		}
	}
	for _, s := range a.o.disableSubs {
		rs.SelectByName("*"+s+"*", false)
	}
	for _, t := range a.o.disableTags {
		rs.SelectByTag(t, false)
	}
	if len(a.o.onlyTags) > 0 {
		rs.SelectByName("*", false)
		for _, t := range a.o.onlyTags {
			rs.SelectByTag(t, true)
		}
	}
	a.log.Debug("rules loaded", "rules", len(rs.Rules), "enabled", rs.EnabledCount())
	return rs, nil
}

// readRules returns the files of one expanded rules_files entry with
// their text: for "builtin", the embedded default rules, named
// builtin:FILE; else the file itself.
func readRules(path string) ([]rulesFile, error) {
	if path == BuiltinRules {
		var out []rulesFile
		for _, f := range defaultrules.Default() {
			out = append(out, rulesFile{name: "builtin:" + f.Name, content: f.Content})
		}
		return out, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return []rulesFile{{name: path, content: b}}, nil
}

// rulesEntries are the rules files and directories configured:
// rules_files, else Falco's older rules_file, else saker's built-in rules.
func rulesEntries(cfg *config.Config) []string {
	entries := cfg.RulesFiles
	if len(entries) == 0 {
		entries = cfg.RulesFile
	}
	if len(entries) == 0 {
		entries = []string{BuiltinRules}
	}
	return entries
}

// loadEngine loads the rules (loadRules) and builds the engine over them
// (newEngine).
func (a *app) loadEngine() (*rules.Ruleset, *engine.Engine, error) {
	rs, err := a.loadRules()
	if err != nil {
		return nil, nil, err
	}
	eng, err := a.newEngine(rs)
	if err != nil {
		return nil, nil, err
	}
	return rs, eng, nil
}

// newEngine builds the rule engine over rs with the alert settings of the
// configuration (rule_matching, time_format_iso_8601, append_output, -p).
func (a *app) newEngine(rs *rules.Ruleset) (*engine.Engine, error) {
	host, err := a.cfg.AlertHostname()
	if err != nil {
		return nil, fmt.Errorf("host name: %w", err)
	}
	ec := engine.Config{AllMatches: a.cfg.MatchAll(), ISO8601: a.cfg.TimeFormatISO8601, Hostname: host,
		StaticFields: a.cfg.StaticFields}
	for _, ao := range a.cfg.AppendOutput {
		e := engine.AppendOutput{Source: ao.Match.Source, Tags: ao.Match.Tags, Rule: ao.Match.Rule,
			ExtraOutput: ao.ExtraOutput, Suggested: ao.SuggestedOutput}
		for _, xf := range ao.ExtraFields {
			if xf.Field != "" {
				e.ExtraFields = append(e.ExtraFields, engine.ExtraField{Format: xf.Field})
			} else {
				e.ExtraFields = append(e.ExtraFields, engine.ExtraField{Key: xf.Name, Format: xf.Format})
			}
		}
		ec.AppendOutput = append(ec.AppendOutput, e)
	}
	if a.o.outputFormat != "" {
		ec.AppendOutput = append(ec.AppendOutput, engine.AppendOutput{ExtraOutput: a.o.outputFormat})
	}
	eng, err := engine.New(rs, ec)
	if err != nil {
		return nil, err
	}
	a.resolveRuleNames(rs)
	return eng, nil
}

// How long startup waits for the names rules compare fd.*ip.name with,
// and how often live detection resolves them again.
const (
	nameResolveTimeout  = 2 * time.Second
	nameRefreshInterval = 30 * time.Second
)

// resolveRuleNames resolves the DNS names the enabled rules of rs
// compare fd.*ip.name with (engine/fields/dnsnames.go) before the first
// event, within nameResolveTimeout: a name that has not answered by then
// matches nothing until it does (live, the refreshes keep trying). The
// names of disabled rules are not looked up.
func (a *app) resolveRuleNames(rs *rules.Ruleset) {
	names := rs.DNSNames()
	fields.Names.Want(names)
	if len(names) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), nameResolveTimeout)
	defer cancel()
	start := time.Now()
	fields.Names.Resolve(ctx)
	took := time.Since(start).Round(time.Millisecond)
	if un := fields.Names.Unresolved(); len(un) > 0 {
		a.log.Warn("rules: DNS names not answered in time; fd.*ip.name checks on them match nothing until they are",
			"names", len(names), "unanswered", strings.Join(un, ","), "took", took)
		return
	}
	a.log.Debug("rules: DNS names resolved", "names", len(names), "took", took)
}

// writePidFile writes the process id to -P/--pidfile, as Falco does, and
// returns what removes it at exit (a no-op without the flag).
func (a *app) writePidFile() (func(), error) {
	path := a.o.pidFile
	if path == "" {
		return func() {}, nil
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return nil, &exitError{code: 1, err: fmt.Errorf("pid file: %w", err)}
	}
	return func() { _ = os.Remove(path) }, nil
}
