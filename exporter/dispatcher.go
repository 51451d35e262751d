package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sakersec/saker/engine/alert"
)

// Default queue settings, used where a [QueueConfig] field is zero.
const (
	DefaultQueueCapacity = 10000
	DefaultMaxBatch      = 256
)

// QueueConfig sizes one output's queue and batches.
type QueueConfig struct {
	// Capacity is the most alerts waiting for this output; beyond it new
	// alerts are dropped and counted (queue_full). 0 means DefaultQueueCapacity.
	Capacity int
	// MaxBatch is the most alerts handed to one Send. 0 means DefaultMaxBatch.
	MaxBatch int
	// BatchTimeout is how long to wait for a batch to fill up to MaxBatch
	// after its first alert arrived. 0 sends whatever is queued at once,
	// which suits line outputs; OTLP uses its batch.timeout.
	BatchTimeout time.Duration
	// Workers is how many goroutines call Send at once. 0 or 1 means one,
	// which keeps alerts in order; more is only for outputs whose Send is
	// safe for concurrent use and whose peer benefits from requests in
	// flight side by side (OTLP: one batch is converted while another is
	// on the wire). Order between batches is then not kept.
	Workers int
}

// Validate checks the settings, naming the key that is wrong.
func (c QueueConfig) Validate() error {
	switch {
	case c.Capacity < 0:
		return fmt.Errorf("queue capacity must be >= 0, got %d", c.Capacity)
	case c.MaxBatch < 0:
		return fmt.Errorf("max batch must be >= 0, got %d", c.MaxBatch)
	case c.BatchTimeout < 0:
		return fmt.Errorf("batch timeout must be >= 0, got %v", c.BatchTimeout)
	case c.Workers < 0:
		return fmt.Errorf("workers must be >= 0, got %d", c.Workers)
	}
	return nil
}

// Destination is one output with its name and queue settings.
type Destination struct {
	// Name identifies the output in stats, logs and metric labels
	// ("otlp", "stdout", "file", "syslog", "program", "http").
	Name   string
	Output Output
	Queue  QueueConfig
}

// Options are the settings shared by all outputs.
type Options struct {
	// Rate and MaxBurst are Falco's outputs.rate and outputs.max_burst: a
	// token bucket in front of every output, in alerts per second. Rate 0
	// disables it.
	Rate     float64
	MaxBurst int
	// Logger receives delivery failures (at most one line per output per
	// LogInterval). nil means slog.Default().
	Logger      *slog.Logger
	LogInterval time.Duration
}

// Dispatcher fans alerts out to outputs. Each output has a bounded queue and
// a goroutine of its own; [Dispatcher.Enqueue] never blocks. See the package
// documentation for the lifecycle.
type Dispatcher struct {
	queues  []*queue
	limiter *tokenBucket
	log     *slog.Logger

	// mu orders Enqueue against Close: Enqueue holds it shared, Close
	// exclusively while it marks the dispatcher closed, so no alert is put
	// into a queue after its worker has been told to drain.
	mu     sync.RWMutex
	closed bool

	closeOnce sync.Once
	closeErr  error
}

// New starts one worker per destination. The destinations are fixed for the
// Dispatcher's life. Names must be unique.
func New(opts Options, dests ...Destination) (*Dispatcher, error) {
	d := &Dispatcher{log: opts.Logger}
	if d.log == nil {
		d.log = slog.Default()
	}
	if opts.Rate < 0 {
		return nil, fmt.Errorf("outputs.rate must be >= 0, got %v", opts.Rate)
	}
	if opts.Rate > 0 {
		if opts.MaxBurst < 1 {
			return nil, fmt.Errorf("outputs.max_burst must be >= 1 when outputs.rate is set, got %d", opts.MaxBurst)
		}
		d.limiter = newTokenBucket(opts.Rate, opts.MaxBurst, nil)
	}
	interval := opts.LogInterval
	if interval == 0 {
		interval = 10 * time.Second
	}
	seen := map[string]bool{}
	for _, dst := range dests {
		if dst.Name == "" || dst.Output == nil {
			return nil, errors.New("exporter: destination needs a name and an output")
		}
		if seen[dst.Name] {
			return nil, fmt.Errorf("exporter: output %q registered twice", dst.Name)
		}
		seen[dst.Name] = true
		if err := dst.Queue.Validate(); err != nil {
			return nil, fmt.Errorf("exporter: output %q: %w", dst.Name, err)
		}
		d.queues = append(d.queues, newQueue(dst, d.log, interval))
	}
	for _, q := range d.queues {
		q.start()
	}
	return d, nil
}

// Enqueue offers an alert to every output. It never blocks: an output whose
// queue is full drops the alert and counts it. The alert must not be
// modified afterwards; the outputs read it concurrently. Enqueue may be
// called from several goroutines.
func (d *Dispatcher) Enqueue(a *alert.Alert) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		for _, q := range d.queues {
			q.c.received.Add(1)
			q.c.dropped[ReasonShutdownDeadline].Add(1)
		}
		return
	}
	if d.limiter != nil && !d.limiter.allow() {
		for _, q := range d.queues {
			q.c.received.Add(1)
			q.c.dropped[ReasonRateLimited].Add(1)
		}
		return
	}
	for _, q := range d.queues {
		q.c.received.Add(1)
		select {
		case q.ch <- a:
		default:
			q.c.dropped[ReasonQueueFull].Add(1)
		}
	}
}

// Reopen asks every output that writes a named file to reopen it before its
// next write (SIGHUP after log rotation). Safe from any goroutine.
func (d *Dispatcher) Reopen() {
	for _, q := range d.queues {
		if r, ok := q.out.(Reopener); ok {
			r.Reopen()
		}
	}
}

// Len is the number of outputs.
func (d *Dispatcher) Len() int { return len(d.queues) }

// Stats appends a snapshot of every output's counters to dst and returns it;
// with a dst of sufficient capacity it does not allocate. It takes no lock
// and never waits on an output, so metrics code can call it at every scrape.
func (d *Dispatcher) Stats(dst []Stats) []Stats {
	for _, q := range d.queues {
		dst = append(dst, q.stats())
	}
	return dst
}

// graceAfterDeadline is how long Close waits, after its context is done, for
// outputs to notice the cancellation before it gives up on them.
const graceAfterDeadline = 500 * time.Millisecond

// Close stops accepting alerts, lets every output send what it has queued,
// and closes the outputs. It returns when all queues are empty, or when ctx
// is done: outputs are then cancelled and everything still queued or in
// flight is counted as shutdown_deadline. An output that does not return
// from Send shortly after cancellation is abandoned (its goroutine exits
// when Send finally returns) and reported in the error. Close is idempotent.
func (d *Dispatcher) Close(ctx context.Context) error {
	d.closeOnce.Do(func() { d.closeErr = d.close(ctx) })
	return d.closeErr
}

func (d *Dispatcher) close(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	for _, q := range d.queues {
		q.drain(ctx)
	}
	var errs []error
	for _, q := range d.queues {
		select {
		case <-q.done:
		case <-ctx.Done():
			select {
			case <-q.done:
			case <-time.After(graceAfterDeadline):
				q.abandon()
				errs = append(errs, fmt.Errorf("exporter: output %q did not stop by the shutdown deadline", q.name))
				continue
			}
		}
		if q.closeErr != nil {
			errs = append(errs, fmt.Errorf("exporter: closing output %q: %w", q.name, q.closeErr))
		}
	}
	return errors.Join(errs...)
}

// queue is one output's bounded queue and the worker that feeds it.
type queue struct {
	name string
	out  Output
	cfg  QueueConfig
	ch   chan *alert.Alert
	c    counters

	// ctx is what Send sees: cancelled when the shutdown deadline passes.
	ctx    context.Context
	cancel context.CancelFunc
	// draining is closed when Close begins: send what is queued, then stop.
	draining  chan struct{}
	drainOnce sync.Once
	// done is closed when every worker has stopped and the output is
	// closed (closeErr set).
	done      chan struct{}
	workers   []*worker
	abandoned atomic.Bool
	closeErr  error

	log         *slog.Logger
	logInterval time.Duration
	logMu       sync.Mutex
	lastLog     time.Time
	suppressed  int
}

func newQueue(dst Destination, log *slog.Logger, logInterval time.Duration) *queue {
	cfg := dst.Queue
	if cfg.Capacity == 0 {
		cfg.Capacity = DefaultQueueCapacity
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.Workers == 0 {
		cfg.Workers = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &queue{
		name: dst.Name, out: dst.Output, cfg: cfg,
		ch:  make(chan *alert.Alert, cfg.Capacity),
		ctx: ctx, cancel: cancel,
		draining: make(chan struct{}), done: make(chan struct{}),
		log: log.With("output", dst.Name), logInterval: logInterval,
	}
}

func (q *queue) stats() Stats {
	s := Stats{
		Output:   q.name,
		Received: q.c.received.Load(),
		Exported: q.c.exported.Load(),
		QueueLen: len(q.ch),
		QueueCap: cap(q.ch),
	}
	for i := range s.Dropped {
		s.Dropped[i] = q.c.dropped[i].Load()
	}
	for _, w := range q.workers {
		if n := w.inflight.Load(); n > 0 {
			s.InFlight += int(n)
		}
	}
	return s
}

// drain switches the worker to shutdown: empty the queue, then stop. When
// ctx is done, Sends are cancelled.
func (q *queue) drain(ctx context.Context) {
	q.drainOnce.Do(func() {
		context.AfterFunc(ctx, q.cancel)
		close(q.draining)
	})
}

// abandon is Close giving up on workers stuck in Send: it counts the stuck
// batches and everything queued, so that nothing goes uncounted.
func (q *queue) abandon() {
	q.abandoned.Store(true)
	for _, w := range q.workers {
		if n := w.inflight.Swap(-1); n > 0 {
			q.c.dropped[ReasonShutdownDeadline].Add(uint64(n))
		}
	}
	q.dropQueued()
}

func (q *queue) dropQueued() {
	for {
		select {
		case <-q.ch:
			q.c.dropped[ReasonShutdownDeadline].Add(1)
		default:
			return
		}
	}
}

// worker is one goroutine feeding the output.
type worker struct {
	// inflight is the size of the batch in Send; -1 once Close has given up
	// on a stuck output and counted that batch itself (see queue.send).
	inflight atomic.Int64
}

// start launches the workers and the closer that closes the output once
// they have all stopped.
func (q *queue) start() {
	var wg sync.WaitGroup
	for range q.cfg.Workers {
		w := &worker{}
		q.workers = append(q.workers, w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.run(w)
		}()
	}
	go func() {
		wg.Wait()
		if !q.abandoned.Load() {
			q.dropQueued()
		}
		q.closeErr = q.out.Close()
		close(q.done)
	}()
}

func (q *queue) run(w *worker) {
	batch := make([]*alert.Alert, 0, q.cfg.MaxBatch)
	var timer *time.Timer
	if q.cfg.BatchTimeout > 0 {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
	}
	for {
		var first *alert.Alert
		select {
		case first = <-q.ch:
		case <-q.draining:
		}
		if first == nil {
			break
		}
		batch = append(batch, first)
		batch = q.fill(batch, timer)
		q.send(w, batch)
		clear(batch)
		batch = batch[:0]
		if q.abandoned.Load() {
			return
		}
	}
	// Shutdown: send what is left, in batches, until the queue is empty or
	// the deadline cancels the context.
	for q.ctx.Err() == nil && !q.abandoned.Load() {
		batch = q.take(batch)
		if len(batch) == 0 {
			break
		}
		q.send(w, batch)
		clear(batch)
		batch = batch[:0]
	}
}

// take moves whatever is queued, up to MaxBatch, into batch without waiting.
func (q *queue) take(batch []*alert.Alert) []*alert.Alert {
	for len(batch) < q.cfg.MaxBatch {
		select {
		case a := <-q.ch:
			batch = append(batch, a)
		default:
			return batch
		}
	}
	return batch
}

// fill tops the batch up: first with what is already queued, then, with a
// batch timeout, by waiting up to that long for more.
func (q *queue) fill(batch []*alert.Alert, timer *time.Timer) []*alert.Alert {
	batch = q.take(batch)
	if timer == nil || len(batch) >= q.cfg.MaxBatch {
		return batch
	}
	timer.Reset(q.cfg.BatchTimeout)
	defer timer.Stop()
	for len(batch) < q.cfg.MaxBatch {
		select {
		case a := <-q.ch:
			batch = append(batch, a)
		case <-timer.C:
			return batch
		case <-q.draining:
			return q.take(batch)
		}
	}
	return batch
}

func (q *queue) send(w *worker, batch []*alert.Alert) {
	n := int64(len(batch))
	if !w.inflight.CompareAndSwap(0, n) {
		// Abandoned: Close counted what was queued and in flight, but this
		// batch had already left the queue.
		q.c.dropped[ReasonShutdownDeadline].Add(uint64(n))
		return
	}
	err := q.out.Send(q.ctx, batch)
	if !w.inflight.CompareAndSwap(n, 0) {
		return // abandoned while sending: Close counted this batch
	}
	failed := failedCount(err, len(batch))
	q.c.exported.Add(uint64(len(batch) - failed))
	if failed == 0 {
		return
	}
	reason := ReasonPermanentFailure
	if q.ctx.Err() != nil {
		reason = ReasonShutdownDeadline
	}
	q.c.dropped[reason].Add(uint64(failed))
	q.logFailure(err, failed, reason)
}

func (q *queue) logFailure(err error, failed int, reason Reason) {
	q.logMu.Lock()
	defer q.logMu.Unlock()
	now := time.Now()
	if !q.lastLog.IsZero() && now.Sub(q.lastLog) < q.logInterval {
		q.suppressed++
		return
	}
	q.log.Warn("alerts not delivered", "count", failed, "reason", reason.String(), "error", err, "similar_failures_not_logged", q.suppressed)
	q.lastLog, q.suppressed = now, 0
}
