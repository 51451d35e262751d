package drops

import "sync/atomic"

// BufferCategory is the syscall class Falco's kernel counters split ring
// buffer drops by (the *_exit counters; enter events are no longer sent).
type BufferCategory uint8

const (
	CatCloneFork BufferCategory = iota
	CatExecve
	CatConnect
	CatOpen
	CatDirFile
	CatOtherInterest
	CatClose
	CatProc

	// NumBufferCategories is the number of categories.
	NumBufferCategories = int(CatProc) + 1
)

var categoryNames = [NumBufferCategories]string{"clone_fork", "execve", "connect", "open", "dir_file", "other_interest", "close", "proc"}

// String returns Falco's name ("clone_fork"), as in n_drops_buffer_clone_fork_exit.
func (c BufferCategory) String() string {
	if int(c) < NumBufferCategories {
		return categoryNames[c]
	}
	return "unknown"
}

// Counters are the kernel's cumulative capture counters, under Falco's
// scap_stats names. The live receiver fills them by summing its per-CPU
// counters; a capture has none (all zero).
type Counters struct {
	// NEvts counts the events the kernel tried to send, dropped ones
	// included (not those sampled away on purpose).
	NEvts uint64
	// NDrops is every event lost: NDropsBuffer + NDropsScratchMap +
	// NDropsMaxEventSize + NDropsPageFaults + NDropsBug (see [Counters.Total]).
	NDrops uint64
	// NDropsBuffer counts events lost because the ring buffer was full.
	NDropsBuffer uint64
	// NDropsBufferExit splits NDropsBuffer by syscall category; not every
	// syscall has one, so the sum may be lower.
	NDropsBufferExit [NumBufferCategories]uint64
	// NDropsScratchMap counts events lost because the per-CPU scratch space
	// could not hold them (too large).
	NDropsScratchMap uint64
	// NDropsMaxEventSize counts events lost because they outgrew the
	// largest event the kernel side writes (Falco's n_drops_max_event_size).
	NDropsMaxEventSize uint64
	// NDropsPageFaults and NDropsBug are kmod counters; eBPF leaves them 0.
	NDropsPageFaults uint64
	NDropsBug        uint64
}

// Total returns the sum of the loss counters, the value NDrops must hold.
func (c *Counters) Total() uint64 {
	return c.NDropsBuffer + c.NDropsScratchMap + c.NDropsMaxEventSize + c.NDropsPageFaults + c.NDropsBug
}

// sub returns c - prev field by field, 0 where a counter went backwards
// (a restarted source).
func (c *Counters) sub(prev *Counters) Counters {
	d := func(a, b uint64) uint64 {
		if a < b {
			return 0
		}
		return a - b
	}
	out := Counters{
		NEvts:              d(c.NEvts, prev.NEvts),
		NDrops:             d(c.NDrops, prev.NDrops),
		NDropsBuffer:       d(c.NDropsBuffer, prev.NDropsBuffer),
		NDropsScratchMap:   d(c.NDropsScratchMap, prev.NDropsScratchMap),
		NDropsMaxEventSize: d(c.NDropsMaxEventSize, prev.NDropsMaxEventSize),
		NDropsPageFaults:   d(c.NDropsPageFaults, prev.NDropsPageFaults),
		NDropsBug:          d(c.NDropsBug, prev.NDropsBug),
	}
	for i := range out.NDropsBufferExit {
		out.NDropsBufferExit[i] = d(c.NDropsBufferExit[i], prev.NDropsBufferExit[i])
	}
	return out
}

// Source is where events come from: the live eBPF capture or a capture file.
type Source uint8

const (
	SourceEBPF Source = iota
	SourceScap

	// NumSources is the number of sources.
	NumSources = int(SourceScap) + 1
)

var sourceNames = [NumSources]string{"ebpf", "scap"}

// String returns the metric label value ("ebpf", "scap").
func (s Source) String() string {
	if int(s) < NumSources {
		return sourceNames[s]
	}
	return "unknown"
}

// EventCounters are the pipeline's counts. The event loop bumps them with
// plain increments (no atomic instruction per event) and publishes them with
// [EventCounters.Flush] after each batch it reads (and at shutdown); the
// metrics read the published values with [EventCounters.Snapshot] from any
// goroutine. A scrape therefore sees the counts as of the last flush.
type EventCounters struct {
	local EventCounts // event loop only
	pub   struct {
		received     [NumSources]atomic.Uint64
		decodeErrors atomic.Uint64
		processed    atomic.Uint64
	}
}

// Received counts n events read from src (before decoding).
func (c *EventCounters) Received(src Source, n uint64) { c.local.Received[src] += n }

// DecodeError counts an event that could not be decoded and was skipped.
func (c *EventCounters) DecodeError() { c.local.DecodeErrors++ }

// Processed counts an event that reached rule matching.
func (c *EventCounters) Processed() { c.local.Processed++ }

// Flush publishes the counts for Snapshot. Call it from the event loop.
func (c *EventCounters) Flush() {
	for i := range c.local.Received {
		c.pub.received[i].Store(c.local.Received[i])
	}
	c.pub.decodeErrors.Store(c.local.DecodeErrors)
	c.pub.processed.Store(c.local.Processed)
}

// EventCounts is a snapshot of [EventCounters].
type EventCounts struct {
	Received     [NumSources]uint64
	DecodeErrors uint64
	Processed    uint64
}

// Snapshot returns the counts as of the last Flush.
func (c *EventCounters) Snapshot() EventCounts {
	var s EventCounts
	for i := range s.Received {
		s.Received[i] = c.pub.received[i].Load()
	}
	s.DecodeErrors = c.pub.decodeErrors.Load()
	s.Processed = c.pub.processed.Load()
	return s
}
