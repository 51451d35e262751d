package drops

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
)

const sec = uint64(time.Second)

func TestConfigErrorsAreFalcos(t *testing.T) {
	cases := []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Threshold = -1 }, "syscall event drops threshold must be a double in the range [0, 1]"},
		{func(c *Config) { c.Threshold = 1.1 }, "syscall event drops threshold must be a double in the range [0, 1]"},
		{func(c *Config) { c.Actions = []string{"ignore", "log"} }, `syscall event drop action "log" does not make sense with the "ignore" action`},
		{func(c *Config) { c.Actions = []string{"alert", "ignore"} }, `syscall event drop action "alert" does not make sense with the "ignore" action`},
		{func(c *Config) { c.Actions = []string{"log", "page"} }, `available actions for syscall event drops are "ignore", "log", "alert", and "exit"`},
		{func(c *Config) { c.Actions = []string{"LOG"} }, `available actions for syscall event drops are`},
		{func(c *Config) { c.Rate = 0 }, "syscall event drop rate should be a positive number"},
		{func(c *Config) { c.MaxBurst = -2 }, "syscall event drop max burst should be a positive number"},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || err.Error() != tc.want && !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", c, err, tc.want)
		}
		if _, err := New(c, Options{}); err == nil {
			t.Errorf("New accepted %+v", c)
		}
	}
	for _, ok := range [][]string{nil, {}, {"ignore"}, {"exit", "ignore"}, {"exit", "alert", "log", "alert"}, {"log"}} {
		c := DefaultConfig()
		c.Actions = ok
		if err := c.Validate(); err != nil {
			t.Errorf("actions %q: %v", ok, err)
		}
	}
	c := DefaultConfig()
	c.Actions = []string{"exit", "alert", "log", "alert"}
	got, _ := c.ParseActions()
	if want := []Action{ActionLog, ActionAlert, ActionExit}; !equal(got, want) {
		t.Errorf("actions order %v, want %v", got, want)
	}
	c.Actions = nil
	if got, _ := c.ParseActions(); !equal(got, []Action{ActionIgnore}) {
		t.Errorf("empty actions = %v, want [ignore]", got)
	}
	tc := TimeoutsConfig{}
	if err := tc.Validate(); err == nil || err.Error() != "syscall event timeout max consecutives should be a positive number" {
		t.Errorf("max_consecutives 0: %v", err)
	}
}

func equal(a, b []Action) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTokenBucket(t *testing.T) {
	b := NewTokenBucket(0.5, 3) // one token per 2 s, burst 3
	t0 := 1000 * sec
	for i := range 3 {
		if !b.Claim(t0) {
			t.Fatalf("burst: claim %d refused", i)
		}
	}
	if b.Claim(t0) {
		t.Fatal("a 4th claim within the same instant succeeded")
	}
	if b.Claim(t0 + sec) {
		t.Fatal("half a token after 1 s was enough")
	}
	if !b.Claim(t0 + 2*sec) {
		t.Fatal("no token after 2 s")
	}
	// A long pause refills only up to the burst.
	t1 := t0 + 1000*sec
	for i := range 3 {
		if !b.Claim(t1) {
			t.Fatalf("after a pause: claim %d refused", i)
		}
	}
	if b.Claim(t1) {
		t.Fatal("refill exceeded max_burst")
	}
	// Time going backwards adds nothing and does not panic.
	if b.Claim(t0) {
		t.Fatal("backwards time granted a token")
	}
	if !b.Claim(t1 + 2*sec) {
		t.Fatal("clock lost after backwards time")
	}
}

// kernel is a scripted counter source.
type kernel struct{ c Counters }

func (k *kernel) read(c *Counters) { *c = k.c }

func (k *kernel) add(evts, bufferDrops uint64) {
	k.c.NEvts += evts
	k.c.NDropsBuffer += bufferDrops
	k.c.NDropsBufferExit[CatOpen] += bufferDrops
	k.c.NDrops = k.c.Total()
}

type harness struct {
	k      *kernel
	m      *Manager
	alerts []*alert.Alert
	logs   bytes.Buffer
}

func newHarness(t *testing.T, cfg Config) *harness {
	h := &harness{k: &kernel{}}
	var err error
	h.m, err = New(cfg, Options{
		Counters: h.k.read,
		Alert:    func(a *alert.Alert) { h.alerts = append(h.alerts, a) },
		Logger:   slog.New(slog.NewTextHandler(&h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Hostname: "node-1",
		EBPF:     true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestThresholdAndDeltas(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Threshold = 0.1
	cfg.Actions = []string{"alert"}
	h := newHarness(t, cfg)
	t0 := 5000 * sec
	step := func(ts uint64) {
		if err := h.m.ProcessEvent(ts); err != nil {
			t.Fatal(err)
		}
	}
	step(t0) // arms the first check at t0+1s
	h.k.add(1000, 100)
	step(t0 + sec) // not past the check time (ts must be > next)
	if h.m.Checks() != 0 {
		t.Fatal("checked at exactly next_check")
	}
	step(t0 + sec + 1) // check: delta 1000 evts 100 drops = 0.1, not > 0.1
	if h.m.Checks() != 1 || h.m.Occurrences() != 0 {
		t.Fatalf("checks %d occurrences %d, want 1 and 0", h.m.Checks(), h.m.Occurrences())
	}
	h.k.add(1000, 101) // 0.101 > 0.1
	step(t0 + 2*sec)   // before next check (t0+2s+1)
	step(t0 + 2*sec + 2)
	if h.m.Occurrences() != 1 || len(h.alerts) != 1 {
		t.Fatalf("occurrences %d alerts %d, want 1 and 1", h.m.Occurrences(), len(h.alerts))
	}
	a := h.alerts[0]
	want := map[string]string{
		"n_evts": "1000", "n_drops": "101", "n_drops_buffer_total": "101", "n_drops_buffer_open_exit": "101",
		"n_drops_buffer_execve_exit": "0", "n_drops_scratch_map": "0", "ebpf_enabled": "1",
		"n_drops_page_faults": "0", "n_drops_bug": "0",
	}
	for k, v := range want {
		if got, ok := a.Lookup(k); !ok || got != v {
			t.Errorf("field %s = %v (%v), want %q", k, got, ok, v)
		}
	}
	if len(a.Fields) != 7+NumBufferCategories {
		t.Errorf("%d fields, want %d", len(a.Fields), 7+NumBufferCategories)
	}
	if a.Rule != "Falco internal: syscall event drop" || a.Priority != alert.PriorityDebug ||
		a.Source != alert.SourceInternal || a.Hostname != "node-1" || len(a.Tags) != 0 {
		t.Errorf("alert header: %+v", a)
	}
	if a.Message != "Falco internal: syscall event drop. 101 system calls dropped in last second." {
		t.Errorf("message %q", a.Message)
	}
	if !a.Time.Equal(time.Unix(0, int64(t0+2*sec+2))) {
		t.Errorf("time %v, want the event's", a.Time)
	}
	wantOut := ": Debug Falco internal: syscall event drop. 101 system calls dropped in last second. (ebpf_enabled=1 n_drops=101 n_drops_buffer_clone_fork_exit=0 "
	if !strings.Contains(a.Output, wantOut) || !strings.HasSuffix(a.Output, " n_evts=1000)") {
		t.Errorf("output %q", a.Output)
	}
	// Drops without events after that: ratio +Inf.
	h.k.add(0, 1)
	step(t0 + 4*sec)
	if h.m.Occurrences() != 2 {
		t.Errorf("occurrences %d, want 2", h.m.Occurrences())
	}
	// No drops: nothing, however many events.
	h.k.add(1e6, 0)
	step(t0 + 6*sec)
	if h.m.Occurrences() != 2 || h.m.Checks() != 4 {
		t.Errorf("occurrences %d checks %d, want 2 and 4", h.m.Occurrences(), h.m.Checks())
	}
}

func TestTokenBucketLimitsActions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Actions = []string{"log", "alert"}
	cfg.Rate = 0.25 // one action per 4 s
	cfg.MaxBurst = 2
	cfg.SimulateDrops = true
	h := newHarness(t, cfg)
	t0 := 100 * sec
	for i := range uint64(12) {
		_ = h.m.ProcessEvent(t0 + i*sec + i) // one check per event after the first
	}
	// 11 checks, each an occurrence; tokens: 2 at the start, +1 every 4 s.
	if h.m.Occurrences() != 11 {
		t.Fatalf("occurrences %d, want 11", h.m.Occurrences())
	}
	if got := h.m.ActionsTaken(); got != 4 {
		t.Fatalf("actions taken %d, want 4 (burst 2, then one per 4 s over 11 s)", got)
	}
	if h.m.ActionCount(ActionLog) != 4 || h.m.ActionCount(ActionAlert) != 4 || len(h.alerts) != 4 {
		t.Errorf("log %d alert %d alerts %d", h.m.ActionCount(ActionLog), h.m.ActionCount(ActionAlert), len(h.alerts))
	}
	logs := h.logs.String()
	if n := strings.Count(logs, "level=ERROR msg=\"Falco internal: syscall event drop. 1 system calls dropped in last second.\""); n != 4 {
		t.Errorf("%d log action lines, want 4:\n%s", n, logs)
	}
	if n := strings.Count(logs, "token bucket depleted"); n != 7 {
		t.Errorf("%d depleted notes, want 7", n)
	}
	var sum bytes.Buffer
	_ = h.m.WriteSummary(&sum)
	if want := "Syscall event drop monitoring:\n   - event drop detected: 11 occurrences\n   - num times actions taken: 4\n"; sum.String() != want {
		t.Errorf("summary %q, want %q", sum.String(), want)
	}
}

func TestExitAction(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Actions = []string{"exit", "alert"}
	cfg.SimulateDrops = true
	h := newHarness(t, cfg)
	if err := h.m.ProcessEvent(sec); err != nil {
		t.Fatal(err)
	}
	err := h.m.ProcessEvent(2*sec + 1)
	if !errors.Is(err, ErrExit) {
		t.Fatalf("got %v, want ErrExit", err)
	}
	if len(h.alerts) != 1 {
		t.Errorf("the alert action did not run before exit")
	}
	if !strings.Contains(h.logs.String(), `msg=Exiting.`) {
		t.Errorf("no Exiting. line:\n%s", h.logs.String())
	}
}

func TestIgnoreCountsButDoesNothing(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Actions = []string{"ignore"}
	cfg.SimulateDrops = true
	h := newHarness(t, cfg)
	for i := range uint64(4) {
		_ = h.m.ProcessEvent((i + 1) * 2 * sec)
	}
	if h.m.Occurrences() != 3 || h.m.ActionsTaken() != 3 || h.m.ActionCount(ActionIgnore) != 3 || len(h.alerts) != 0 {
		t.Errorf("occ %d taken %d ignore %d alerts %d", h.m.Occurrences(), h.m.ActionsTaken(), h.m.ActionCount(ActionIgnore), len(h.alerts))
	}
}

func TestJSONOutputAndISOTime(t *testing.T) {
	o := Options{JSONOutput: true}
	a := o.internalAlert(time.Unix(1, 5), "r", "msg", []alert.Field{{Name: "b", Value: "2"}, {Name: "a", Value: "1"}})
	if a.Output != "msg" || a.Fields[0].Name != "a" {
		t.Errorf("json form: %q %v", a.Output, a.Fields)
	}
	o = Options{ISO8601: true}
	a = o.internalAlert(time.Unix(1553620427, 557282636), "r", "msg", nil)
	if a.Output != "2019-03-26T17:13:47.557282636+0000: Debug msg ()" {
		t.Errorf("iso form: %q", a.Output)
	}
}

func TestTimeoutMonitor(t *testing.T) {
	var got []*alert.Alert
	m, err := NewTimeoutMonitor(TimeoutsConfig{MaxConsecutives: 3}, Options{Alert: func(a *alert.Alert) { got = append(got, a) }, JSONOutput: true})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(2000, 0)
	for range 3 {
		m.Timeout(now)
	}
	if len(got) != 0 {
		t.Fatal("notified at max_consecutives; Falco waits until it is exceeded")
	}
	m.Timeout(now)
	if len(got) != 1 {
		t.Fatalf("%d notifications, want 1", len(got))
	}
	a := got[0]
	if a.Rule != "Falco internal: timeouts notification" || a.Message != "Falco internal: timeouts notification. 3 consecutive timeouts without event." ||
		a.Priority != alert.PriorityDebug || !a.Time.Equal(now) {
		t.Errorf("alert %+v", a)
	}
	if v, _ := a.Lookup("last_event_time"); v != "none" {
		t.Errorf("last_event_time %v, want none", v)
	}
	ts := uint64(time.Date(2020, 1, 2, 3, 4, 5, 6, time.Local).UnixNano())
	m.Event(ts)
	for range 3 {
		m.Timeout(now)
	}
	m.Event(ts) // an event resets the count
	for range 4 {
		m.Timeout(now)
	}
	if len(got) != 2 || m.Notifications() != 2 {
		t.Fatalf("%d notifications, want 2", len(got))
	}
	if v, _ := got[1].Lookup("last_event_time"); v != "03:04:05.000000006" {
		t.Errorf("last_event_time %v", v)
	}
}

func TestEventCounters(t *testing.T) {
	var c EventCounters
	c.Received(SourceEBPF, 3)
	c.Received(SourceScap, 1)
	c.DecodeError()
	c.Processed()
	c.Processed()
	if s := c.Snapshot(); s != (EventCounts{}) {
		t.Errorf("counts visible before Flush: %+v", s)
	}
	c.Flush()
	s := c.Snapshot()
	if s.Received != [NumSources]uint64{3, 1} || s.DecodeErrors != 1 || s.Processed != 2 {
		t.Errorf("%+v", s)
	}
	if SourceEBPF.String() != "ebpf" || CatDirFile.String() != "dir_file" || ActionExit.String() != "exit" {
		t.Error("names")
	}
}
