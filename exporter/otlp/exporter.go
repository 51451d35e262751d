package otlp

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/exporter/otlpclient"
)

// Exporter sends alerts as OTLP log records. It implements exporter.Output
// and its Send is safe for concurrent use (queue.num_consumers workers):
// each call converts its batch once, and retries
// retryable failures with back-off until they succeed, the retry budget
// runs out, or the context is cancelled at shutdown.
type Exporter struct {
	cfg     Config
	conn    *otlpclient.Connection
	sender  sender
	conv    *converter
	log     *slog.Logger
	now     func() time.Time
	retries atomic.Uint64
	// failing is set while batches are being retried, to log an outage once.
	failing atomic.Bool
}

// QueueConfig is the dispatcher queue this exporter wants: queue.size
// alerts, batches of batch.max_size waiting up to batch.timeout, sent by
// queue.num_consumers workers.
func (e *Exporter) QueueConfig() exporter.QueueConfig {
	return exporter.QueueConfig{Capacity: e.cfg.Queue.Size, MaxBatch: e.cfg.Batch.MaxSize, BatchTimeout: e.cfg.Batch.Timeout, Workers: e.cfg.Queue.NumConsumers}
}

// Retries is the number of export attempts that were retried.
func (e *Exporter) Retries() uint64 { return e.retries.Load() }

// Send converts and exports one batch, retrying as configured.
func (e *Exporter) Send(ctx context.Context, batch []*alert.Alert) error {
	if len(batch) == 0 {
		return nil
	}
	req := plogotlp.NewExportRequestFromLogs(e.conv.build(batch, e.now()))
	start := time.Now()
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, e.conn.Timeout)
		rejected, msg, err := e.sender.export(actx, req)
		cancel()
		if err == nil {
			if e.failing.CompareAndSwap(true, false) {
				e.log.Info("export recovered", "attempts", attempt+1, "after", time.Since(start).Round(time.Millisecond))
			}
			if rejected > 0 {
				n := int(min(rejected, int64(len(batch))))
				return &exporter.PartialError{Failed: n, Err: fmt.Errorf("receiver rejected %d log records: %s", rejected, msg)}
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("export cancelled at shutdown: %w", err)
		}
		retryable, throttle := isRetryable(err)
		if !retryable || !e.cfg.Retry.Enabled {
			return err
		}
		delay := throttle
		if delay == 0 {
			delay = e.backoff(attempt)
		}
		if max := e.cfg.Retry.MaxElapsedTime; max > 0 && time.Since(start)+delay > max {
			return fmt.Errorf("giving up after %d attempts in %v: %w", attempt+1, time.Since(start).Round(time.Millisecond), err)
		}
		if e.failing.CompareAndSwap(false, true) {
			e.log.Warn("export failed, retrying", "error", err, "next_attempt_in", delay.Round(time.Millisecond))
		}
		e.retries.Add(1)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("export cancelled at shutdown while retrying: %w", err)
		}
	}
}

// backoff is the delay before retry number attempt+1: initial ×
// multiplier^attempt, capped, with ±50% jitter so that many agents do not
// retry in step.
func (e *Exporter) backoff(attempt int) time.Duration {
	r := e.cfg.Retry
	d := float64(r.InitialInterval)
	for i := 0; i < attempt && d < float64(r.MaxInterval); i++ {
		d *= r.Multiplier
	}
	d = min(d, float64(r.MaxInterval))
	d *= 0.5 + rand.Float64() // [0.5, 1.5)
	return time.Duration(d)
}

// Close releases the connection.
func (e *Exporter) Close() error {
	return e.sender.close()
}

var _ exporter.Output = (*Exporter)(nil)
