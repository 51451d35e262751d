package engine

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/output"
	"github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/receiver/event"
)

// Config holds the engine settings that mirror Falco's configuration keys.
type Config struct {
	// AllMatches is rule_matching: all (every matching rule alerts);
	// false is Falco's default "first" (one alert per event at most).
	AllMatches bool
	// ISO8601 is time_format_iso_8601: the output prefix uses
	// %evt.time.iso8601 instead of %evt.time.
	ISO8601 bool
	// Hostname goes into every alert and evt.hostname.
	Hostname string
	// Loc is the time zone of %evt.time (default time.Local).
	Loc *time.Location
	// AppendOutput is Falco's append_output list.
	AppendOutput []AppendOutput
	// StaticFields are Falco's static_fields: constants appended, as
	// static.<name>, to the alerts of rules an AppendOutput with
	// Suggested matches.
	StaticFields map[string]string
	// Fields is the registry extra fields compile against (default
	// fields.Default).
	Fields *fields.Registry
}

// AppendOutput is one append_output entry: when a rule matches all of
// Source, Tags (the rule has every tag) and Rule (name), ExtraOutput is
// appended to its text output and ExtraFields to its output fields.
type AppendOutput struct {
	Source      string
	Tags        []string
	Rule        string
	ExtraOutput string
	// ExtraFields are field names ("proc.pid") or, with Key set, a
	// key and a format ("my_key": "%proc.name %proc.pid").
	ExtraFields []ExtraField
	// Suggested is Falco's suggested_output: append name=%field for each
	// of SuggestedFields, then name=value for each static field.
	Suggested bool
}

// SuggestedFields are the fields suggested_output appends, in order: the
// container and pod context Falco's container plugin suggests, so an
// alert of a rule whose output does not name them (the current upstream
// rules' outputs do not) still says where it happened. In the text each
// is written name_with_underscores=value, as Falco writes them.
var SuggestedFields = []string{
	"container.id", "container.name", "container.image.repository", "container.image.tag",
	"k8s.pod.name", "k8s.ns.name",
}

// suggestedText is the output text suggested_output appends.
var suggestedText = func() string {
	var b strings.Builder
	for _, f := range SuggestedFields {
		b.WriteString(" " + strings.ReplaceAll(f, ".", "_") + "=%" + f)
	}
	return b.String()
}()

// staticSuffix is what suggested_output appends for the static fields:
// the text (" static_<name>=<value>", names sorted) and the output fields.
func staticSuffix(static map[string]string) (string, []alert.Field) {
	names := make([]string, 0, len(static))
	for n := range static {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	var fs []alert.Field
	for _, n := range names {
		b.WriteString(" static_" + n + "=" + static[n])
		fs = append(fs, alert.Field{Name: "static." + n, Value: static[n]})
	}
	return b.String(), fs
}

// ExtraField is an append_output extra field.
type ExtraField struct {
	Key    string // empty: Format is a bare field name, used as the key
	Format string
}

// ParseRuleMatching maps Falco's rule_matching value to Config.AllMatches.
func ParseRuleMatching(s string) (all bool, err error) {
	switch s {
	case "", "first":
		return false, nil
	case "all":
		return true, nil
	}
	return false, fmt.Errorf("invalid rule_matching value %q: want first or all", s)
}

// Engine evaluates a ruleset on events and turns matches into alerts. It
// is single-goroutine: Process must not be called concurrently, and the
// alerts it emits are the caller's (each is freshly allocated).
type Engine struct {
	cfg    Config
	rs     *rules.Ruleset
	ctx    fields.Ctx
	prefix *output.Format
	// per rule: its message format including extra output, and extra fields
	msgs   []*output.Format
	extras [][]extraField
	// statics[i]: rule i's alerts end with the static fields
	// (suggested_output)
	statics     []bool
	staticText  string
	staticField []alert.Field
	counts      []atomic.Uint64 // per rule; read by metrics scrapes on other goroutines
	byPrio      [alert.PriorityDebug + 1]atomic.Uint64
	total       atomic.Uint64
	events      atomic.Uint64

	emit    func(*alert.Alert)
	matchFn func(*rules.Rule)
	buf     []byte
}

type extraField struct {
	key string
	f   *output.Format
	raw bool // bare field: typed value
}

// New builds an engine over a loaded ruleset.
func New(rs *rules.Ruleset, cfg Config) (*Engine, error) {
	if cfg.Fields == nil {
		cfg.Fields = fields.Default
	}
	e := &Engine{cfg: cfg, rs: rs, counts: make([]atomic.Uint64, len(rs.Rules))}
	e.ctx.Hostname = cfg.Hostname
	e.ctx.Loc = cfg.Loc
	pf := "%evt.time"
	if cfg.ISO8601 {
		pf = "%evt.time.iso8601"
	}
	var err error
	if e.prefix, err = output.Compile(pf, cfg.Fields); err != nil {
		return nil, err
	}
	e.msgs = make([]*output.Format, len(rs.Rules))
	e.extras = make([][]extraField, len(rs.Rules))
	e.statics = make([]bool, len(rs.Rules))
	e.staticText, e.staticField = staticSuffix(cfg.StaticFields)
	for i, r := range rs.Rules {
		text := r.Output
		suggested := false // once per rule, however many entries ask
		for _, ao := range cfg.AppendOutput {
			if !ao.matches(r) {
				continue
			}
			if ao.ExtraOutput != "" {
				text += " " + ao.ExtraOutput
			}
			if ao.Suggested && !suggested {
				suggested = true
				text += suggestedText
				e.statics[i] = len(e.staticField) > 0
			}
			for _, xf := range ao.ExtraFields {
				src, key, raw := xf.Format, xf.Key, xf.Key == ""
				if raw {
					src, key = "%"+xf.Format, xf.Format
				}
				f, err := output.Compile(src, cfg.Fields)
				if err != nil {
					return nil, fmt.Errorf("append_output extra field %q: %w", key, err)
				}
				e.extras[i] = append(e.extras[i], extraField{key: key, f: f, raw: raw})
			}
		}
		if text == r.Output {
			e.msgs[i] = r.Format
		} else if e.msgs[i], err = output.Compile(text, cfg.Fields); err != nil {
			return nil, fmt.Errorf("rule %q with append_output: %w", r.Name, err)
		}
	}
	e.matchFn = e.onMatch
	return e, nil
}

func (ao *AppendOutput) matches(r *rules.Rule) bool {
	if ao.Source != "" && ao.Source != r.Source {
		return false
	}
	if ao.Rule != "" && ao.Rule != r.Name {
		return false
	}
	for _, t := range ao.Tags {
		found := false
		for _, rt := range r.Tags {
			if rt == t {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Ctx returns the extraction context the engine evaluates with. The state
// tracker sets its thread/fd views on it before each Process call.
func (e *Engine) Ctx() *fields.Ctx { return &e.ctx }

// Ruleset returns the engine's ruleset.
func (e *Engine) Ruleset() *rules.Ruleset { return e.rs }

// Process evaluates the rules indexed for ev's type and calls emit with an
// alert for each match (at most one unless AllMatches). It returns the
// number of matches. Without a match it allocates nothing.
func (e *Engine) Process(ev *event.Event, emit func(*alert.Alert)) int {
	e.events.Add(1)
	e.ctx.Reset(ev)
	e.emit = emit
	n := e.rs.Match(&e.ctx, e.cfg.AllMatches, e.matchFn)
	e.emit = nil
	return n
}

func (e *Engine) onMatch(r *rules.Rule) {
	e.counts[r.Index].Add(1)
	if r.Priority.Valid() {
		e.byPrio[r.Priority].Add(1)
	}
	e.total.Add(1)
	if e.emit != nil {
		e.emit(e.buildAlert(r))
	}
}

// buildAlert renders the alert of rule r for the current event.
func (e *Engine) buildAlert(r *rules.Rule) *alert.Alert {
	c := &e.ctx
	a := &alert.Alert{
		Time:     time.Unix(0, int64(c.Evt.Timestamp())),
		Rule:     r.Name,
		Priority: r.Priority,
		Tags:     r.Tags,
		Source:   alert.SourceSyscall,
		Hostname: e.cfg.Hostname,
	}
	if a.Tags == nil {
		a.Tags = []string{}
	}
	msg := e.msgs[r.Index]
	e.buf = msg.Append(e.buf[:0], c)
	if e.statics[r.Index] {
		e.buf = append(e.buf, e.staticText...)
	}
	a.Message = sanitize(e.buf)
	e.buf = e.prefix.Append(e.buf[:0], c)
	e.buf = append(e.buf, ": "...)
	e.buf = append(e.buf, r.Priority.String()...)
	e.buf = append(e.buf, ' ')
	a.Output = sanitize(e.buf) + a.Message
	a.Fields = e.prefix.Fields(c, nil)
	a.Fields = msg.Fields(c, a.Fields)
	if e.statics[r.Index] {
		a.Fields = append(a.Fields, e.staticField...)
	}
	for _, x := range e.extras[r.Index] {
		if x.raw {
			a.Fields = x.f.Fields(c, a.Fields)
			if len(a.Fields) > 0 {
				a.Fields[len(a.Fields)-1].Name = x.key
			}
			continue
		}
		a.Fields = append(a.Fields, alert.Field{Name: x.key, Value: sanitize(x.f.Append(nil, c))})
	}
	return a
}

// sanitize renders text the way Falco prints alert lines: control
// characters escaped as in JSON strings and invalid UTF-8 replaced by
// U+FFFD.
func sanitize(b []byte) string {
	clean := true
	for _, c := range b {
		if c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\n':
				sb.WriteString(`\n`)
			case c == '\r':
				sb.WriteString(`\r`)
			case c == '\t':
				sb.WriteString(`\t`)
			case c == '\b':
				sb.WriteString(`\b`)
			case c == '\f':
				sb.WriteString(`\f`)
			case c < 0x20 || c == 0x7f:
				fmt.Fprintf(&sb, `\u%04x`, c)
			default:
				sb.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteString("\ufffd")
		} else {
			sb.Write(b[i : i+size])
		}
		i += size
	}
	return sb.String()
}

// RuleCount is how many times a rule matched.
type RuleCount struct {
	Rule  *rules.Rule
	Count uint64
}

// Counts returns per-rule match counts (rules that matched at least once),
// in load order. It is safe to call from any goroutine (metrics scrapes)
// while Process runs.
func (e *Engine) Counts() []RuleCount {
	var out []RuleCount
	for i := range e.counts {
		if n := e.counts[i].Load(); n > 0 {
			out = append(out, RuleCount{Rule: e.rs.Rules[i], Count: n})
		}
	}
	return out
}

// Continue makes e's counters go on from prev's, for an engine that
// takes over from prev (a rules reload): the events and matches counted,
// the matches by priority, and the matches of every rule of e that prev
// had too (by name). Counts then stay those of the whole run, as the
// counters exported (saker_rules_matches_total) must: a counter that went
// back to zero would read as a restart. Call it from the goroutine that
// ran prev, once prev processes no more events and before e processes
// its first.
func (e *Engine) Continue(prev *Engine) {
	e.events.Add(prev.events.Load())
	e.total.Add(prev.total.Load())
	for p := range e.byPrio {
		e.byPrio[p].Add(prev.byPrio[p].Load())
	}
	byName := make(map[string]uint64)
	for i, r := range prev.rs.Rules {
		if n := prev.counts[i].Load(); n > 0 {
			byName[r.Name] = n
		}
	}
	for i, r := range e.rs.Rules {
		e.counts[i].Add(byName[r.Name])
	}
}

// Matches returns the total number of rule matches.
func (e *Engine) Matches() uint64 { return e.total.Load() }

// Events returns the number of events processed.
func (e *Engine) Events() uint64 { return e.events.Load() }

// Summary renders the statistics Falco prints at exit:
//
//	Events detected: 8
//	Rule counts by severity:
//	   WARNING: 8
//	Triggered rules by rule name:
//	   open_from_cat: 8
func (e *Engine) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Events detected: %d\n", e.total.Load())
	b.WriteString("Rule counts by severity:\n")
	for p := range e.byPrio {
		if n := e.byPrio[p].Load(); n > 0 {
			fmt.Fprintf(&b, "   %s: %d\n", strings.ToUpper(alert.Priority(p).String()), n)
		}
	}
	b.WriteString("Triggered rules by rule name:\n")
	cs := e.Counts()
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Rule.Index < cs[j].Rule.Index })
	for _, c := range cs {
		fmt.Fprintf(&b, "   %s: %d\n", c.Rule.Name, c.Count)
	}
	return b.String()
}
