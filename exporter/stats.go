package exporter

import "sync/atomic"

// Reason is why an alert was not delivered by an output.
type Reason uint8

const (
	// ReasonQueueFull: the output's queue was full when the alert arrived
	// (the output is slower than the alert rate, or its peer is down and the
	// queue filled during retries).
	ReasonQueueFull Reason = iota
	// ReasonPermanentFailure: the output tried and failed for good (a write
	// error, a non-retryable status, retries exhausted, rejected by the peer).
	ReasonPermanentFailure
	// ReasonShutdownDeadline: still queued or being retried when the shutdown
	// deadline passed, or offered after shutdown began.
	ReasonShutdownDeadline
	// ReasonRateLimited: refused by the outputs.rate token bucket.
	ReasonRateLimited

	// NumReasons is the number of reasons, for arrays indexed by Reason.
	NumReasons = int(ReasonRateLimited) + 1
)

var reasonNames = [NumReasons]string{"queue_full", "permanent_failure", "shutdown_deadline", "rate_limited"}

// String returns the metric label value for r, e.g. "queue_full".
func (r Reason) String() string {
	if int(r) < NumReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Reasons lists every reason in index order, for metrics code that wants to
// emit a zero series for each.
func Reasons() [NumReasons]Reason {
	var rs [NumReasons]Reason
	for i := range rs {
		rs[i] = Reason(i)
	}
	return rs
}

// Stats is a point-in-time view of one output's counters. Counters only grow.
// Once the dispatcher is closed and quiet,
//
//	Received == Exported + sum(Dropped)
//
// and while it runs the difference is QueueLen + InFlight.
type Stats struct {
	// Output is the name the output was registered under ("otlp", "file", ...).
	Output string
	// Received counts every alert offered to this output, including those
	// dropped on arrival (queue full, rate limited, after shutdown).
	Received uint64
	// Exported counts alerts the output delivered.
	Exported uint64
	// Dropped counts undelivered alerts, indexed by [Reason].
	Dropped [NumReasons]uint64
	// QueueLen is the number of alerts waiting; QueueCap the queue's capacity.
	QueueLen, QueueCap int
	// InFlight is the number of alerts in the batches being sent right now.
	InFlight int
}

// DroppedTotal is the sum of Dropped over all reasons.
func (s *Stats) DroppedTotal() uint64 {
	var n uint64
	for _, v := range s.Dropped {
		n += v
	}
	return n
}

// counters are one output's live counters: plain atomics, so reading them
// for a scrape never waits on the output.
type counters struct {
	received atomic.Uint64
	exported atomic.Uint64
	dropped  [NumReasons]atomic.Uint64
}
