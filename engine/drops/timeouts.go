package drops

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sakersec/saker/engine/alert"
)

// TimeoutMonitor sends Falco's "timeouts notification" internal alert when
// a live source has returned no event for more than max_consecutives polls
// in a row. The event loop calls [TimeoutMonitor.Event] for each event and
// [TimeoutMonitor.Timeout] for each empty poll.
type TimeoutMonitor struct {
	max       uint64
	n         uint64
	lastEvent uint64
	opts      Options
	notified  atomic.Uint64
}

// NewTimeoutMonitor validates cfg and returns a monitor.
func NewTimeoutMonitor(cfg TimeoutsConfig, opts Options) (*TimeoutMonitor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &TimeoutMonitor{max: uint64(cfg.MaxConsecutives), opts: opts}, nil
}

// Event resets the count; ts is the event's time (ns).
func (t *TimeoutMonitor) Event(ts uint64) {
	t.n = 0
	t.lastEvent = ts
}

// Timeout counts one empty poll at wall time now. Past the maximum it sends
// the notification and starts counting again.
func (t *TimeoutMonitor) Timeout(now time.Time) {
	t.n++
	if t.n <= t.max {
		return
	}
	t.n = 0
	t.notified.Add(1)
	if t.opts.Alert == nil {
		return
	}
	last := "none"
	if t.lastEvent > 0 {
		last = clockTime(t.lastEvent)
	}
	msg := RuleTimeoutsNotification + ". " + strconv.FormatUint(t.max, 10) + " consecutive timeouts without event."
	t.opts.Alert(t.opts.internalAlert(now, RuleTimeoutsNotification, msg,
		[]alert.Field{{Name: "last_event_time", Value: last}}))
}

// Notifications is how many notifications were sent.
func (t *TimeoutMonitor) Notifications() uint64 { return t.notified.Load() }
