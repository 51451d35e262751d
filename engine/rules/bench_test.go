package rules

import (
	"os"
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

var headFiles = []string{
	"rules/falcosecurity-rules/HEAD/falco_rules.yaml",
	"rules/falcosecurity-rules/HEAD/falco-incubating_rules.yaml",
	"rules/falcosecurity-rules/HEAD/falco-sandbox_rules.yaml",
}

func loadHEAD(tb testing.TB) *Ruleset {
	tb.Helper()
	l := NewLoader(Config{})
	for _, f := range headFiles {
		data, err := os.ReadFile(research(tb, f))
		if err != nil {
			tb.Fatal(err)
		}
		if r := l.Load(f, data); !r.Successful() {
			tb.Fatal(r.Errors[0].String())
		}
	}
	return l.Ruleset()
}

// BenchmarkLoadHEAD measures reading, parsing and compiling the three HEAD
// rulesets (stable + incubating + sandbox) from memory.
func BenchmarkLoadHEAD(b *testing.B) {
	var contents [][]byte
	for _, f := range headFiles {
		data, err := os.ReadFile(research(b, f))
		if err != nil {
			b.Fatal(err)
		}
		contents = append(contents, data)
	}
	b.ReportAllocs()
	for b.Loop() {
		l := NewLoader(Config{})
		for i, c := range contents {
			if r := l.Load(headFiles[i], c); !r.Successful() {
				b.Fatal(r.Errors[0].String())
			}
		}
	}
}

// noMatchEvents are events no HEAD rule matches, of the types busy hosts
// see most, so most rules indexed for them are evaluated.
func noMatchEvents(tb testing.TB) []*event.Event {
	var out []*event.Event
	var b event.Builder
	add := func() {
		e, err := event.Parse(append([]byte(nil), b.Finish()...), 0)
		if err != nil {
			tb.Fatal(err)
		}
		e.Num = uint64(len(out) + 1)
		out = append(out, e)
	}
	b.Begin(event.SyscallOpenatV2X, 1_700_000_000_000_000_000, 100)
	b.Int64(3)
	b.Int64(-100)
	b.String("/home/user/notes.txt")
	b.Uint32(1)
	b.Uint32(0)
	b.Uint32(0)
	b.Uint64(0)
	add()
	b.Begin(event.SyscallExecveV19X, 1_700_000_000_000_000_100, 101)
	b.Int64(0)
	b.String("ls")
	b.Strings("-l")
	for range 27 {
		b.Empty()
	}
	add()
	return out
}

// BenchmarkEvalHEADNoMatch measures evaluating the HEAD rulesets on events
// no rule matches (rule_matching: all, the costlier mode). State-based
// fields without extractors yet read as not available, which shortens
// some conditions: the figure is a lower bound until they exist.
func BenchmarkEvalHEADNoMatch(b *testing.B) {
	rs := loadHEAD(b)
	evs := noMatchEvents(b)
	ctx := &fields.Ctx{}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		e := evs[n%len(evs)]
		n++
		ctx.Reset(e)
		rs.Match(ctx, true, func(*Rule) { b.Fatal("unexpected match") })
	}
}

// BenchmarkEvalBaselineOneRule is the baseline for BenchmarkEvalHEADNoMatch
// in the same run: the same events against one event-type rule, i.e. the
// fixed cost of indexing and one filter call. Report the HEAD figure as a
// ratio of it (the machine is shared, absolute times are noisy).
func BenchmarkEvalBaselineOneRule(b *testing.B) {
	l := NewLoader(Config{})
	r := l.Load("one.yaml", []byte("- rule: r\n  desc: d\n  condition: evt.type in (openat, execve) and evt.arg.name = /nonexistent\n  output: o\n  priority: INFO\n"))
	if !r.Successful() {
		b.Fatal(r.Errors[0].String())
	}
	rs := l.Ruleset()
	evs := noMatchEvents(b)
	ctx := &fields.Ctx{}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		e := evs[n%len(evs)]
		n++
		ctx.Reset(e)
		rs.Match(ctx, true, func(*Rule) { b.Fatal("unexpected match") })
	}
}

func TestEvalNoMatchAllocatesNothing(t *testing.T) {
	rs := loadHEAD(t)
	evs := noMatchEvents(t)
	ctx := &fields.Ctx{}
	matched := 0
	evaluated := 0
	for _, e := range evs {
		evaluated += len(rs.RulesFor(e.Type()))
	}
	if evaluated == 0 {
		t.Fatal("no rule indexed for the benchmark events")
	}
	allocs := testing.AllocsPerRun(200, func() {
		for _, e := range evs {
			ctx.Reset(e)
			rs.Match(ctx, true, func(*Rule) { matched++ })
		}
	})
	if matched != 0 {
		t.Errorf("%d matches on no-match events", matched)
	}
	if allocs != 0 {
		t.Errorf("%.1f allocations per evaluation, want 0", allocs)
	}
}
