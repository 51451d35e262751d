package sysdigdiff

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakersec/saker/engine"
	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/scap/scaptest"
	"github.com/sakersec/saker/receiver/state"
)

// Benchmarks on a large capture (a real trace repeated with shifted
// timestamps to ≥ 2M events, receiver/scap/scaptest), each reported next
// to sysdig 0.29 doing the comparable work on the same file in the same
// run, as a ratio (the machine is shared: absolute figures are noisy,
// ratios less so).
//
//	go test ./internal/sysdigdiff -run '^$' -bench . -benchtime 1x
//
// BenchmarkDecodeState (issue 2): read, convert and apply every event to
// the state, against `sysdig -r FILE 'proc.name=no-such-proc'` (decode,
// parse, state, one filter that never matches). BenchmarkRulesHEAD (issue
// 6): the same plus the stable+incubating+sandbox HEAD rulesets through
// the engine (alerts built for matches), against `sysdig -r FILE F` with F
// the OR of every loaded rule condition (macros and lists expanded) that
// sysdig 0.29 can parse. BenchmarkRulesHEADNoAlerts measures the
// evaluation path alone (matches counted, no alert built) and reports
// engine-allocs/event: the allocations of rule evaluation, i.e. of the
// no-match path (target 0), apart from the state's own.

const benchEvents = 2_000_000

// benchTraces are the traces the large captures repeat: scaptest's
// default (a container workload, mostly scheduler and I/O events that
// few rules look at) and a process/file-heavy one (cat_write: execve,
// open, mmap, read/write) that exercises many more rules per event.
var benchTraces = []string{"", "falco-test/cat_write.scap"}

func benchCaptureOf(b *testing.B, trace string) (string, int) {
	src := scaptest.DefaultTrace()
	if trace != "" {
		src = filepath.Join(TracesDir(), trace)
	}
	path, n, err := scaptest.CachedLargeCapture(src, benchEvents)
	if err != nil {
		b.Fatal(err)
	}
	return path, n
}

// sysdigRate runs sysdig -r path args... once and returns events/s (n
// events in the file), or 0 if sysdig is missing outside CI.
func sysdigRate(b *testing.B, path string, n int, args ...string) float64 {
	bin, err := exec.LookPath("sysdig")
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("sysdig is required under CI=true: %v", err)
		}
		b.Logf("no sysdig baseline: %v", err)
		return 0
	}
	cmd := exec.Command(bin, append([]string{"-r", path}, args...)...)
	cmd.Stdout = io.Discard
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("sysdig: %v: %s", err, stderr.String())
	}
	return float64(n) / time.Since(start).Seconds()
}

// replayLoop feeds every event of path to the state (and to fn, if set,
// for visible events) and returns the number of events and the heap
// allocations made during the loop.
func replayLoop(b *testing.B, path string, st *state.State, fn func(e *event.Event)) (events, mallocs uint64, elapsed time.Duration) {
	r, err := scap.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	st.LoadCapture(r.Metadata())
	cv := scap.NewConverter()
	var e event.Event
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m0 := ms.Mallocs
	start := time.Now()
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		events++
		conv := cv.Convert(&e)
		st.Update(conv)
		if fn != nil && r.Visibility() == scap.Visible {
			fn(conv)
		}
	}
	elapsed = time.Since(start)
	runtime.ReadMemStats(&ms)
	return events, ms.Mallocs - m0, elapsed
}

func report(b *testing.B, events, mallocs uint64, elapsed time.Duration, sysdigEvps float64) {
	if events == 0 {
		return
	}
	evps := float64(events) / elapsed.Seconds()
	b.ReportMetric(evps, "events/s")
	b.ReportMetric(float64(mallocs)/float64(events), "allocs/event")
	if sysdigEvps > 0 {
		b.ReportMetric(sysdigEvps, "sysdig-events/s")
		b.ReportMetric(evps/sysdigEvps, "x-sysdig")
	}
}

// BenchmarkDecodeState: decode + convert + state update per event.
func BenchmarkDecodeState(b *testing.B) {
	for _, tr := range benchTraces {
		b.Run(benchName(tr), func(b *testing.B) { benchDecodeState(b, tr) })
	}
}

func benchName(trace string) string {
	if trace == "" {
		return "container"
	}
	return strings.TrimSuffix(filepath.Base(trace), ".scap")
}

func benchDecodeState(b *testing.B, trace string) {
	path, n := benchCaptureOf(b, trace)
	b.ReportAllocs()
	var events, mallocs uint64
	var elapsed time.Duration
	for b.Loop() {
		ev, m, el := replayLoop(b, path, state.New(state.Config{}), nil)
		events, mallocs, elapsed = events+ev, mallocs+m, elapsed+el
	}
	report(b, events, mallocs, elapsed, sysdigRate(b, path, n, "proc.name=no-such-proc"))
}

var headRules = []string{
	"rules/falcosecurity-rules/HEAD/falco_rules.yaml",
	"rules/falcosecurity-rules/HEAD/falco-incubating_rules.yaml",
	"rules/falcosecurity-rules/HEAD/falco-sandbox_rules.yaml",
}

func loadHEADRules(tb testing.TB) *rules.Ruleset {
	tb.Helper()
	l := rules.NewLoader(rules.Config{})
	for _, f := range headRules {
		p := filepath.Join(TracesDir(), "..", f)
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		if r := l.Load(filepath.Base(f), data); !r.Successful() {
			tb.Fatalf("%s: %s", f, r.Errors[0].String())
		}
	}
	return l.Ruleset()
}

// sysdigRuleFilter is the OR of the enabled rules' conditions (macros and
// lists expanded, in libs' canonical form) that sysdig 0.29 accepts, with
// how many rules were kept out of how many.
var sysdigRuleFilter struct {
	once        sync.Once
	filter      string
	kept, total int
}

func ruleFilterForSysdig(rs *rules.Ruleset) (string, int, int) {
	s := &sysdigRuleFilter
	s.once.Do(func() {
		bin, err := exec.LookPath("sysdig")
		if err != nil {
			return
		}
		empty := filepath.Join(TracesDir(), "falco-test", "empty.scap")
		var conds []string
		for _, r := range rs.Rules {
			if rs.IsEnabled(r) {
				conds = append(conds, condition.String(r.AST))
			}
		}
		s.total = len(conds)
		ok := make([]bool, len(conds))
		var wg sync.WaitGroup
		work := make(chan int)
		for w := 0; w < runtime.NumCPU(); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					_, err := RunSysdig(bin, empty, conds[i])
					ok[i] = err == nil
				}
			}()
		}
		for i := range conds {
			work <- i
		}
		close(work)
		wg.Wait()
		var kept []string
		for i, c := range conds {
			if ok[i] {
				kept = append(kept, c)
			}
		}
		s.kept = len(kept)
		s.filter = strings.Join(kept, " or ")
	})
	return s.filter, s.kept, s.total
}

func benchRules(b *testing.B, alerts bool) {
	rs := loadHEADRules(b)
	for _, tr := range benchTraces {
		b.Run(benchName(tr), func(b *testing.B) { benchRulesOn(b, rs, tr, alerts) })
	}
}

func benchRulesOn(b *testing.B, rs *rules.Ruleset, trace string, alerts bool) {
	path, n := benchCaptureOf(b, trace)
	b.ReportAllocs()
	var events, mallocs, matches uint64
	var elapsed time.Duration
	for b.Loop() {
		eng, err := engine.New(rs, engine.Config{Hostname: "bench", Loc: time.UTC})
		if err != nil {
			b.Fatal(err)
		}
		st := state.New(state.Config{})
		eng.Ctx().State = st
		var emit func(*alert.Alert)
		if alerts {
			emit = func(*alert.Alert) {}
		}
		var byType [event.MaxType]uint64
		ev, m, el := replayLoop(b, path, st, func(e *event.Event) {
			if !alerts {
				byType[e.Type()]++
			}
			matches += uint64(eng.Process(e, emit))
		})
		events, mallocs, elapsed = events+ev, mallocs+m, elapsed+el
		if !alerts {
			// How much rule evaluation the run did: rules indexed for the
			// events' types (the engine evaluates them in order, stopping
			// at the first match).
			var evaluated uint64
			for t, n := range byType {
				evaluated += n * uint64(len(rs.RulesFor(event.Type(t))))
			}
			b.ReportMetric(float64(evaluated)/float64(max(ev, 1)), "rules/event")
			// The engine's own allocations: this run's minus those of the
			// same replay without the engine (decode, convert, state).
			_, base, _ := replayLoop(b, path, state.New(state.Config{}), nil)
			b.ReportMetric(float64(int64(m)-int64(base))/float64(max(ev, 1)), "engine-allocs/event")
		}
	}
	b.ReportMetric(float64(matches)/float64(max(events, 1)), "matches/event")
	var sd float64
	if alerts {
		f, kept, total := ruleFilterForSysdig(rs)
		if total > 0 {
			b.Logf("sysdig baseline filter: %d of %d enabled rules (those sysdig 0.29 parses), %d bytes", kept, total, len(f))
			b.ReportMetric(float64(kept), "sysdig-rules")
			sd = sysdigRate(b, path, n, f)
		} else {
			sd = sysdigRate(b, path, n, "proc.name=no-such-proc") // fails under CI without sysdig
		}
	}
	report(b, events, mallocs, elapsed, sd)
}

// BenchmarkRulesHEAD: decode + state + HEAD rules through the engine,
// alerts built for matches, against sysdig filtering with the OR of the
// same rules.
func BenchmarkRulesHEAD(b *testing.B) { benchRules(b, true) }

// BenchmarkRulesHEADNoAlerts: the same without building alerts, for the
// allocations of the evaluation path.
func BenchmarkRulesHEADNoAlerts(b *testing.B) { benchRules(b, false) }

// TestRuleFilterForSysdigIsMeaningful checks the benchmark's baseline is
// not vacuous: most enabled HEAD rules survive sysdig 0.29's parser.
func TestRuleFilterForSysdigIsMeaningful(t *testing.T) {
	if testing.Short() {
		t.Skip("runs sysdig once per rule")
	}
	oracle.Sysdig(t)
	f, kept, total := ruleFilterForSysdig(loadHEADRules(t))
	t.Logf("%d of %d enabled rules parse in sysdig 0.29 (filter %d bytes)", kept, total, len(f))
	if total == 0 || kept*2 < total {
		t.Errorf("only %d of %d rules parse in sysdig 0.29", kept, total)
	}
}
