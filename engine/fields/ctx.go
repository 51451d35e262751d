package fields

import (
	"time"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// Ctx is what extractors read: the current event and the state views that
// go with it. The engine owns one Ctx per event loop, fills it before
// evaluating rules on an event and reuses it for the next event, so passing
// it costs nothing and nothing in it is allocated per event.
//
// Fields are added here as sources of data appear: the state tracker's
// thread and fd views (receiver/state) are set by the engine before rule
// evaluation, next to the event.
type Ctx struct {
	// Evt is the event being evaluated. Never nil while extractors run.
	Evt *event.Event

	// Hostname is the machine name (evt.hostname, alert hostname).
	Hostname string
	// Loc is the time zone evt.time renders in (Falco uses local time);
	// nil means time.Local.
	Loc *time.Location
	// FirstTs is the timestamp of the first event of the stream (ns), the
	// origin of evt.reltime.
	FirstTs uint64

	// State is the thread/fd/user state that proc.*, thread.*, fd.*,
	// user.*, group.* and container.* read: its current event's thread
	// and fd (State.EventThread, State.EventFD). Whoever feeds events
	// calls State.Update(e) before evaluating e, so this is set once, not
	// per event. nil: those fields are not available.
	State *state.State

	// gen counts Reset calls: memoized extractors compare it to know
	// whether their cached value belongs to the current event.
	gen uint64
}

// Reset points c at e for the next evaluation.
func (c *Ctx) Reset(e *event.Event) {
	c.Evt = e
	c.gen++
	if c.FirstTs == 0 && e != nil && len(e.Raw()) >= event.HeaderSize {
		c.FirstTs = e.Timestamp()
	}
}

func (c *Ctx) loc() *time.Location {
	if c.Loc != nil {
		return c.Loc
	}
	return time.Local
}

// Memo wraps an extractor so that it runs at most once per event (per
// Ctx.Reset): later calls for the same event copy the cached value. The
// copy shares the cached value's strings and slices, which callers only
// read. Use it for costly fields shared by many rules; a [Session] does
// so for fields flagged [Memoize].
func Memo(x Extractor) Extractor {
	var (
		owner *Ctx
		gen   uint64
		ok    bool
		val   Value
	)
	return func(c *Ctx, v *Value) bool {
		if c != owner || c.gen != gen || gen == 0 {
			owner, gen = c, c.gen
			ok = x(c, &val)
		}
		*v = val
		return ok
	}
}
