package main

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/sakersec/saker/engine"
	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/receiver/cri"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// flushEvery is how many events the loop counts locally before it
// publishes its counters (drops.EventCounters, the sampler's drop count):
// per-event atomics would cost more than the rest of the bookkeeping.
const flushEvery = 256

// pipeline is the event loop's body: every event, live or replayed, goes
// through process on one goroutine, in this order:
//
//  1. counted as received;
//  2. state update — for every event, so state-keeping events are never
//     lost to sampling; live, a container the state has no metadata for
//     is asked of the CRI runtime (without waiting) and the answers that
//     came back are added to the state (containerMeta);
//  3. drop monitor — once a second of event time it reads the kernel's
//     counters and acts (log, internal alert, exit);
//  4. engine sampling — may drop the event before rule evaluation
//     (state-keeping events never);
//  5. rules — matches become alerts handed to emit, which enqueues them
//     for the outputs without waiting.
type pipeline struct {
	st       *state.State
	eng      *engine.Engine
	samp     *sampling.Sampler     // nil: no engine sampling
	mgr      *drops.Manager        // nil: no drop monitor
	timeouts *drops.TimeoutMonitor // nil: no consecutive-timeouts alert (replay)
	counters *drops.EventCounters
	source   drops.Source
	emit     func(*alert.Alert)
	// onExit is called once when the drop monitor's exit action fires.
	onExit func()
	// cri resolves live containers' metadata; nil: none (replay, or no
	// runtime).
	cri *cri.Resolver

	n      int
	exited bool

	// next is an engine a rules reload built, taken by the loop at its
	// next flush; cur is the engine in force, for other goroutines
	// (metrics).
	next, cur atomic.Pointer[engine.Engine]
}

// adopt hands eng to the event loop, which starts using it at its next
// flush. Safe from any goroutine.
func (p *pipeline) adopt(eng *engine.Engine) { p.next.Store(eng) }

// current returns the engine in force, from any goroutine: live stores
// the first engine in cur before the loop starts, and flush every later
// one.
func (p *pipeline) current() *engine.Engine { return p.cur.Load() }

func (p *pipeline) process(ev *event.Event) {
	p.counters.Received(p.source, 1)
	if p.timeouts != nil {
		p.timeouts.Event(ev.Timestamp())
	}
	p.st.Update(ev)
	if p.cri != nil {
		p.containerMeta(ev)
	}
	if p.mgr != nil && !p.exited {
		if err := p.mgr.ProcessEvent(ev.Timestamp()); errors.Is(err, drops.ErrExit) {
			p.exited = true
			if p.onExit != nil {
				p.onExit()
			}
		}
	}
	if p.n++; p.n == flushEvery {
		p.flush()
	}
	if p.samp != nil && p.samp.ShouldDrop(ev) {
		return
	}
	p.counters.Processed()
	p.eng.Process(ev, p.emit)
}

// containerMeta asks for the metadata of the event thread's container if
// the state has none (the resolver remembers what it asked, so this is a
// map lookup per event of such a container) and adds the answers that
// arrived, on this goroutine, which owns the state.
func (p *pipeline) containerMeta(ev *event.Event) {
	if t := p.st.EventThread(); t != nil {
		if id := t.ContainerID; id != "" && id != "host" && p.st.Container(id) == nil {
			p.cri.Want(id, int64(ev.Timestamp()))
		}
	}
	p.cri.Drain(p.st.AddContainer)
}

// idle is called by the live reader after a poll found no event: the
// counters are published (traffic may have stopped) and the empty poll is
// counted toward syscall_event_timeouts.
func (p *pipeline) idle() {
	p.flush()
	if p.timeouts != nil {
		p.timeouts.Timeout(time.Now())
	}
}

// flush publishes the locally counted events, and switches to the engine
// a reload built, if any, its counters going on from the old one's.
func (p *pipeline) flush() {
	if e := p.next.Swap(nil); e != nil {
		e.Continue(p.eng) // the counts are the run's
		p.eng = e
		p.cur.Store(e)
	}
	p.n = 0
	p.counters.Flush()
	if p.samp != nil {
		p.samp.Flush()
	}
}
