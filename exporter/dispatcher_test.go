package exporter

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
)

// recorder is a unit-test Output: it records what it was sent and can be
// made to block, fail, or fail partly.
type recorder struct {
	mu      sync.Mutex
	got     []*alert.Alert
	batches []int
	closed  bool

	gate     chan struct{} // when non-nil, Send waits for it (or ctx)
	ignore   bool          // with gate: ignore ctx too (a stuck output)
	failAll  error
	failPart int
	reopened atomic.Int32
}

func (r *recorder) Send(ctx context.Context, b []*alert.Alert) error {
	if r.gate != nil {
		if r.ignore {
			<-r.gate
		} else {
			select {
			case <-r.gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if r.failAll != nil {
		return r.failAll
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, len(b))
	if r.failPart > 0 {
		r.got = append(r.got, b[r.failPart:]...)
		return &PartialError{Failed: r.failPart, Err: errors.New("rejected")}
	}
	r.got = append(r.got, b...)
	return nil
}

func (r *recorder) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return nil
}

func (r *recorder) Reopen() { r.reopened.Add(1) }

func (r *recorder) snapshot() ([]*alert.Alert, []int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*alert.Alert(nil), r.got...), append([]int(nil), r.batches...), r.closed
}

func alerts(n int) []*alert.Alert {
	as := make([]*alert.Alert, n)
	for i := range as {
		as[i] = &alert.Alert{Rule: "r" + strconv.Itoa(i), Priority: alert.PriorityWarning, Output: "line " + strconv.Itoa(i), Source: alert.SourceSyscall}
	}
	return as
}

func mustNew(t *testing.T, opts Options, dests ...Destination) *Dispatcher {
	t.Helper()
	d, err := New(opts, dests...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func statsOf(d *Dispatcher, name string) Stats {
	for _, s := range d.Stats(nil) {
		if s.Output == name {
			return s
		}
	}
	return Stats{}
}

func checkBalanced(t *testing.T, s Stats, produced int) {
	t.Helper()
	if s.Received != uint64(produced) {
		t.Errorf("%s: received %d, want %d", s.Output, s.Received, produced)
	}
	if got := s.Exported + s.DroppedTotal(); got != uint64(produced) {
		t.Errorf("%s: exported %d + dropped %v = %d, want %d", s.Output, s.Exported, s.Dropped, got, produced)
	}
}

func TestFanOutDeliversEveryAlertInOrderToEachOutput(t *testing.T) {
	a, b := &recorder{}, &recorder{}
	d := mustNew(t, Options{}, Destination{Name: "a", Output: a}, Destination{Name: "b", Output: b, Queue: QueueConfig{MaxBatch: 7}})
	in := alerts(500)
	for _, x := range in {
		d.Enqueue(x)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*recorder{"a": a, "b": b} {
		got, batches, closed := r.snapshot()
		if len(got) != len(in) {
			t.Fatalf("%s got %d alerts, want %d", name, len(got), len(in))
		}
		for i := range got {
			if got[i] != in[i] {
				t.Fatalf("%s: alert %d out of order", name, i)
			}
		}
		if !closed {
			t.Errorf("%s not closed", name)
		}
		s := statsOf(d, name)
		if s.Exported != 500 || s.DroppedTotal() != 0 || s.QueueLen != 0 {
			t.Errorf("%s stats %+v", name, s)
		}
		if name == "b" {
			for _, n := range batches {
				if n > 7 {
					t.Errorf("batch of %d exceeds MaxBatch 7", n)
				}
			}
		}
	}
}

// A blocked output fills its queue; Enqueue keeps returning and counts the
// overflow, and the other output is unaffected.
func TestFullQueueDropsAndCountsWithoutBlocking(t *testing.T) {
	slow := &recorder{gate: make(chan struct{})}
	fast := &recorder{}
	d := mustNew(t, Options{},
		Destination{Name: "slow", Output: slow, Queue: QueueConfig{Capacity: 4, MaxBatch: 1}},
		Destination{Name: "fast", Output: fast})
	in := alerts(50)
	d.Enqueue(in[0])
	// Wait until the worker holds the first alert in Send, so the queue
	// accounting below is exact.
	for statsOf(d, "slow").InFlight != 1 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		for _, x := range in[1:] {
			d.Enqueue(x)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Enqueue blocked on a stuck output")
	}
	s := statsOf(d, "slow")
	if s.Dropped[ReasonQueueFull] != 50-1-4 || s.QueueLen != 4 || s.QueueCap != 4 {
		t.Errorf("slow stats %+v; want 45 queue_full, 4 queued", s)
	}
	close(slow.gate)
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s = statsOf(d, "slow")
	checkBalanced(t, s, 50)
	if s.Exported != 5 {
		t.Errorf("slow exported %d, want 5", s.Exported)
	}
	if f := statsOf(d, "fast"); f.Exported != 50 {
		t.Errorf("fast exported %d, want 50", f.Exported)
	}
}

func TestSendFailuresAreCountedAsPermanent(t *testing.T) {
	bad := &recorder{failAll: errors.New("disk full")}
	part := &recorder{failPart: 1}
	d := mustNew(t, Options{},
		Destination{Name: "bad", Output: bad},
		Destination{Name: "part", Output: part, Queue: QueueConfig{MaxBatch: 1}})
	for _, x := range alerts(10) {
		d.Enqueue(x)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := statsOf(d, "bad")
	checkBalanced(t, s, 10)
	if s.Dropped[ReasonPermanentFailure] != 10 {
		t.Errorf("bad: %+v", s)
	}
	// MaxBatch 1 and one rejected per batch: everything rejected.
	s = statsOf(d, "part")
	checkBalanced(t, s, 10)
	if s.Dropped[ReasonPermanentFailure] != 10 || s.Exported != 0 {
		t.Errorf("part: %+v", s)
	}
}

func TestRateLimitRefusesBeyondBurst(t *testing.T) {
	r := &recorder{}
	d := mustNew(t, Options{Rate: 0.0001, MaxBurst: 3}, Destination{Name: "r", Output: r})
	for _, x := range alerts(10) {
		d.Enqueue(x)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := statsOf(d, "r")
	checkBalanced(t, s, 10)
	if s.Exported != 3 || s.Dropped[ReasonRateLimited] != 7 {
		t.Errorf("stats %+v; want 3 exported, 7 rate_limited", s)
	}
}

func TestTokenBucketRefills(t *testing.T) {
	now := time.Unix(0, 0)
	b := newTokenBucket(2, 2, func() time.Time { return now })
	if !b.allow() || !b.allow() || b.allow() {
		t.Fatal("burst of 2 not honoured")
	}
	now = now.Add(500 * time.Millisecond) // one token at 2/s
	if !b.allow() || b.allow() {
		t.Fatal("refill of one token after 0.5s not honoured")
	}
	now = now.Add(time.Hour) // capped at burst
	if !b.allow() || !b.allow() || b.allow() {
		t.Fatal("refill not capped at burst")
	}
}

// Close sends everything queued before returning.
func TestCloseFlushesQueuedAlerts(t *testing.T) {
	gate := make(chan struct{})
	r := &recorder{gate: gate}
	d := mustNew(t, Options{}, Destination{Name: "r", Output: r, Queue: QueueConfig{Capacity: 2000, MaxBatch: 10}})
	for _, x := range alerts(1000) {
		d.Enqueue(x)
	}
	close(gate) // the output becomes able to send only now
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got, _, closed := r.snapshot()
	if len(got) != 1000 || !closed {
		t.Fatalf("flushed %d of 1000 (closed=%v)", len(got), closed)
	}
	checkBalanced(t, statsOf(d, "r"), 1000)
}

// When the deadline passes, what is left is counted as shutdown_deadline;
// an output that ignores cancellation is abandoned and reported.
func TestCloseDeadlineCountsTheRest(t *testing.T) {
	polite := &recorder{gate: make(chan struct{})}
	stuck := &recorder{gate: make(chan struct{}), ignore: true}
	defer close(stuck.gate)
	d := mustNew(t, Options{},
		Destination{Name: "polite", Output: polite, Queue: QueueConfig{Capacity: 100, MaxBatch: 5}},
		Destination{Name: "stuck", Output: stuck, Queue: QueueConfig{Capacity: 100, MaxBatch: 5}})
	for _, x := range alerts(60) {
		d.Enqueue(x)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := d.Close(ctx)
	if err == nil {
		t.Fatal("Close reported no stuck output")
	}
	t.Log(err)
	for _, name := range []string{"polite", "stuck"} {
		s := statsOf(d, name)
		checkBalanced(t, s, 60)
		if s.Dropped[ReasonShutdownDeadline] != 60 {
			t.Errorf("%s: %+v; want 60 shutdown_deadline", name, s)
		}
	}
	// Alerts offered after Close are counted too.
	d.Enqueue(alerts(1)[0])
	checkBalanced(t, statsOf(d, "polite"), 61)
}

func TestBatchTimeoutGroupsAlerts(t *testing.T) {
	r := &recorder{}
	d := mustNew(t, Options{}, Destination{Name: "r", Output: r, Queue: QueueConfig{MaxBatch: 10, BatchTimeout: time.Second}})
	for _, x := range alerts(3) {
		d.Enqueue(x)
		time.Sleep(10 * time.Millisecond) // arrive one by one, within the timeout
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, b, _ := r.snapshot(); len(b) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, b, _ := r.snapshot(); len(b) != 1 || b[0] != 3 {
		t.Fatalf("batches %v, want one batch of 3", b)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestStatsDoesNotAllocate(t *testing.T) {
	d := mustNew(t, Options{}, Destination{Name: "a", Output: &recorder{}}, Destination{Name: "b", Output: &recorder{}})
	defer d.Close(context.Background())
	buf := make([]Stats, 0, 2)
	if n := testing.AllocsPerRun(100, func() { buf = d.Stats(buf[:0]) }); n != 0 {
		t.Errorf("Stats allocates %v times", n)
	}
}

func TestReopenReachesReopeners(t *testing.T) {
	r := &recorder{}
	d := mustNew(t, Options{}, Destination{Name: "r", Output: r})
	defer d.Close(context.Background())
	d.Reopen()
	if r.reopened.Load() != 1 {
		t.Error("Reopen not forwarded")
	}
}

func TestNewRejectsBadSettings(t *testing.T) {
	for _, c := range []struct {
		opts  Options
		dests []Destination
	}{
		{Options{Rate: -1}, nil},
		{Options{Rate: 1, MaxBurst: 0}, nil},
		{Options{}, []Destination{{Name: "x", Output: &recorder{}}, {Name: "x", Output: &recorder{}}}},
		{Options{}, []Destination{{Name: "x", Output: &recorder{}, Queue: QueueConfig{Capacity: -1}}}},
		{Options{}, []Destination{{Name: "", Output: &recorder{}}}},
	} {
		if _, err := New(c.opts, c.dests...); err == nil {
			t.Errorf("New(%+v, %d dests) accepted", c.opts, len(c.dests))
		}
	}
}

// concurrent records batches from several workers and tracks how many
// Sends overlap.
type concurrent struct {
	recorder
	active, peak atomic.Int32
}

func (c *concurrent) Send(ctx context.Context, b []*alert.Alert) error {
	n := c.active.Add(1)
	defer c.active.Add(-1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return c.recorder.Send(ctx, b)
}

func TestWorkersSendConcurrentlyAndDeliverEachAlertOnce(t *testing.T) {
	gate := make(chan struct{})
	c := &concurrent{recorder: recorder{gate: gate}}
	d := mustNew(t, Options{}, Destination{Name: "c", Output: c, Queue: QueueConfig{MaxBatch: 10, Workers: 3}})
	in := alerts(300)
	for _, x := range in {
		d.Enqueue(x)
	}
	// All three workers get a batch and block in Send together.
	deadline := time.Now().Add(5 * time.Second)
	for c.active.Load() != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d Sends in progress, want 3", c.active.Load())
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _, closed := c.snapshot()
	seen := map[*alert.Alert]int{}
	for _, a := range got {
		seen[a]++
	}
	if len(got) != 300 || len(seen) != 300 || !closed {
		t.Fatalf("delivered %d (%d distinct), closed=%v", len(got), len(seen), closed)
	}
	if c.peak.Load() != 3 {
		t.Errorf("peak concurrency %d, want 3", c.peak.Load())
	}
	checkBalanced(t, statsOf(d, "c"), 300)
}

func TestAbandonCountsEveryStuckWorker(t *testing.T) {
	stuck := &recorder{gate: make(chan struct{}), ignore: true}
	defer close(stuck.gate)
	d := mustNew(t, Options{}, Destination{Name: "s", Output: stuck, Queue: QueueConfig{MaxBatch: 4, Workers: 2}})
	for _, x := range alerts(20) {
		d.Enqueue(x)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Close(ctx); err == nil {
		t.Fatal("no error for stuck workers")
	}
	s := statsOf(d, "s")
	checkBalanced(t, s, 20)
	if s.Dropped[ReasonShutdownDeadline] != 20 {
		t.Errorf("%+v", s)
	}
}
