package scap

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"runtime"
	"sync"
	"unsafe"

	"github.com/sakersec/saker/receiver/event"
)

// Pipeline replays a capture on two goroutines: a goroutine of its own
// reads the blocks, frames and numbers the events and converts those
// the [Converter] changes, and hands them over in batches; the caller's
// goroutine takes them with [Pipeline.Next], which points an event view
// at each (the caller then runs state tracking and rules on it). The
// events, their numbers, visibility, CPU, flags, offsets and errors are
// exactly what [Reader.Next] followed by [Converter.Convert] gives. See
// the comments in pipeline.go for the batch layout.
//
// Use it where the consumer has work of its own (state, rules) and a
// second CPU is free: it moves the reading, framing and converting
// (20-30 ns per event) off the consumer's goroutine, at the price of
// more CPU in all (the batches cross from one CPU's cache to the
// other's). The read-ahead of a gzip capture is a third goroutine.
// Next then costs the consumer little beyond [event.Event.Reset]; what
// bounds a replay is the consumer's own work (measured: a state update
// alone costs more than everything the producer does for a current
// capture).
//
// Of a mapped capture ([Options.Map]) the Pipeline unmaps, as it goes,
// the pages of the batches its consumer has released: an event view
// kept past its Next may then fault (see [ErrReleased]).
//
// The Pipeline takes the Reader over: after [NewPipeline], use the
// Reader only for [Reader.Metadata] (which no longer changes). Close the
// Pipeline when done; that stops its goroutine and closes the Reader. A
// Pipeline is used by one goroutine (Next, the accessors and Close are
// not safe for concurrent use).
type Pipeline struct {
	p *pipe // shared with the producing goroutine, which never sees Pipeline

	b    *batch // the batch being consumed (none before the first)
	i    int    // index of the current event in b.recs
	acur int    // read position in b.arena
	num  uint64 // the last event number given
	// skipped counts the events of unknown types skipped so far
	skipped uint64

	// the current event: its record, where its original lies (in b.chunk,
	// or in b.arena after an arenaPrefix) and where its conversion lies
	// in b.arena (-1: not converted)
	cur      rec
	origPos  int
	convPos  int
	ev, orig event.Event
	origOK   bool // orig points at the current event's original
	has      bool // there is a current event
	err      error
	ended    bool
	closed   bool
	none     batch // the empty batch current before the first and after the last
	sink     byte  // see touchAhead
}

// PipelineOptions tune a [Pipeline]. The zero value is the default.
type PipelineOptions struct {
	// ChunkSize is the size of the buffers the capture is read into,
	// each the data of about one batch (default: the Reader's read size,
	// 256 KiB; at least 4 KiB).
	ChunkSize int
	// Batches is how many batches can be in flight: being filled, queued,
	// being consumed (default 4, at least 2). Memory is about Batches+2
	// chunks of ChunkSize + 64 KiB (2 MiB by default), plus each batch's
	// event records (8 bytes an event) and converted events.
	Batches int
}

// Batch layout. A batch is the events read from (about) one chunk of the
// capture: an 8-byte record per event, and an arena. Original events are
// not copied: a record gives the offset of the event in the chunk buffer
// the Reader read it into, which the batch keeps from reuse until it is
// released; the event's length is in its header, and its CPU, flags and
// block offset are read from its block header, which precedes it in the
// chunk. Converted events (the Converter's output, in its own reused
// buffer) are copied into the arena, in event order, as are the few
// originals that are not decoded in place (the block a chunk boundary
// cut, v1 events rewritten by the Reader, blocks larger than the read
// buffer or joined across chunks), each after an arenaPrefix with what
// its block header would give; the
// consumer walks the arena in step with the records. The records are
// kept small because they cross from one CPU's cache to the other's:
// with 40-byte records, writing them cost the producer 6 ns per event.
// The event number is not stored either: every delivered event has the
// next number except those of types sysdig 0.29 does not know, which
// have 0 (see Reader.numberType), and the record has the visibility that
// says which. Batches and chunk buffers cycle through free lists, so the
// steady state allocates nothing and memory is bounded by the number of
// batches.
//
// Sealing and chunk ownership: a batch is sealed and sent when the
// Reader is about to wait for its next chunk (so the events read so far
// are delivered even if the source stalls), when its records or arena
// are full, and at the end. The Reader hands a chunk to retire when it
// has moved past it (after copying the chunk's unfinished last block
// into the next chunk). Events recorded since that chunk became current
// may lie in it, in batches already sent; the batch being filled then
// takes the chunk over, and frees it when it is released: batches are
// released in order, so after every batch that may refer to the chunk. A
// chunk no recorded event lies in is freed at once. A batch owns at most
// two chunks (in practice one: the one before the chunk its events lie
// in), so the consumer holds at most Batches-1 of them and the producer
// always gets one: chunk buffers = Batches + 2 (plus the gzip
// read-ahead's own three).
type batch struct {
	recs  []rec
	arena []byte
	chunk []byte   // the chunk buffer in-chunk records are offsets into
	base  int64    // the stream offset of chunk[0]
	owned [][]byte // chunk buffers to free when the batch is released
	err   error    // on the last batch: io.EOF or the error reading ended with
}

// rec is one event of a batch.
type rec struct {
	pos  uint32 // offset of the event in the chunk (unless recInArena)
	vis  Visibility
	bits uint8
}

// blockHeader is how far before the event its block starts (for an
// event in the chunk: its block header, with the flags word if it had
// one).
func (x rec) blockHeader() int {
	if x.bits&recHasFlags != 0 {
		return evfHeader
	}
	return evHeader
}

// inChunk is the event of record x, which lies in the chunk, and the CPU
// its block header gives.
func (b *batch) inChunk(x rec) (raw []byte, cpu uint16) {
	pos := int(x.pos)
	return b.chunk[pos : pos+int(binary.LittleEndian.Uint32(b.chunk[pos+16:]))],
		binary.LittleEndian.Uint16(b.chunk[pos-x.blockHeader()+blockHeaderSize:])
}

const (
	recHasFlags  = 1 << iota // the block had a flags word
	recInArena               // the original is in the arena, after an arenaPrefix
	recConverted             // the converted event follows in the arena
	recSkip                  // not an event: pos events of unknown types were skipped here
)

// arenaPrefix precedes an original event in the arena: its block's
// offset (u64), flags (u32) and CPU (u16), what an event in a chunk has
// in its block header.
const arenaPrefix = 14

// touchAhead is how many events ahead Next touches the event bytes: they
// were written on the other CPU, and the dependent loads of decoding and
// state tracking leave the hardware no room to fetch them early
// (measured: 57-73 -> 31-35 ns/event for the old-capture replay; 4 to 32
// ahead made no difference).
const touchAhead = 16

// Where an event block's fields lie, from the event back (EV_V2 and
// EVF_V2 blocks, and their _LARGE forms).
const (
	evHeader  = blockHeaderSize + 2     // event after type, length, cpu
	evfHeader = blockHeaderSize + 2 + 4 // and flags
)

const (
	defaultBatches = 4
	// batchRecs caps the events of a batch: a 256 KiB chunk holds about
	// 4000 events of a typical capture.
	batchRecs = 8192
	// arenaSoftMax seals a batch whose arena has grown this large (the
	// events copied into it are the converted ones and rare large or old
	// ones; one event may still take it past this, up to MaxBlockSize,
	// and an arena grown past arenaKeepMax is dropped on release).
	arenaSoftMax = 512 << 10
	arenaKeepMax = 4 << 20
)

// pipe is the state the two goroutines share: channels, and the Reader
// and Converter, which only the producing goroutine uses.
type pipe struct {
	r    *Reader
	conv *Converter
	full chan *batch // sealed batches, in file order
	free chan *batch
	stop chan struct{}
	done chan struct{} // closed when the producing goroutine returns
	once sync.Once

	// producer-only
	b       *batch // being filled; nil once stopped
	used    bool   // an event recorded since r's current chunk became current lies in it
	skipped uint64 // r.skipped, as recorded

	// mapped captures (see dropReleased): where each batch sent lies in
	// the file (the first block it may read; noStart: none), in a ring
	// indexed by send order, how many were sent, and how many batches
	// were taken from free
	starts      []int64
	sent, taken int
}

// noStart is the start of a batch with no event in the mapping.
const noStart = math.MaxInt64

// NewPipeline starts replaying the events of r from where it stands (after
// NewReader: the first event). It converts them with a new [Converter].
func NewPipeline(r *Reader, opts PipelineOptions) *Pipeline {
	nb := opts.Batches
	if nb == 0 {
		nb = defaultBatches
	}
	nb = min(max(nb, 2), maxChunks-6)
	size := opts.ChunkSize
	if size == 0 {
		size = chunkSize
	}
	size = max(size, 4<<10)
	p := &pipe{
		r:    r,
		conv: NewConverter(),
		full: make(chan *batch, nb),
		free: make(chan *batch, nb),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range nb {
		p.free <- &batch{recs: make([]rec, 0, batchRecs), owned: make([][]byte, 0, 4)}
	}
	nbufs := nb + 2
	if r.pf != nil && r.pf.src == nil {
		nbufs = nb // the read-ahead has its own
	}
	if r.mapped != nil {
		nbufs = 0 // events lie in the mapping
	}
	bufs := make([][]byte, nbufs)
	for i := range bufs {
		bufs[i] = make([]byte, headroom+size)
	}
	r.useChunks(bufs, p.retire, p.refill)
	if r.mapped != nil {
		p.starts = make([]int64, nb+1)
	}
	pl := &Pipeline{p: p, i: -1, num: r.num}
	pl.b = &pl.none
	go p.run()
	// a Pipeline dropped without Close must not leave its goroutine
	// blocked forever
	runtime.AddCleanup(pl, func(p *pipe) { p.shutdown() }, p)
	return pl
}

// shutdown stops the producing goroutine wherever it waits. Idempotent,
// safe from any goroutine.
func (p *pipe) shutdown() {
	p.once.Do(func() { close(p.stop) })
	p.r.stopPrefetch()
}

// run is the producing goroutine.
//
// Most events take the Reader's nextFramed path: framed, numbered, and
// recorded where they lie, without decoding their parameters; the
// consumer's Reset does that once, and the Converter only looks at their
// header (Converter.passes). The consumer reports a parameter error as
// the Reader's Next would have, at the same event. Events the Converter
// changes are decoded here (it needs their parameters), and anything
// nextFramed does not take (a block cut by the end of a chunk, another
// block type, an error, a skipped type) goes through Reader.Next.
func (p *pipe) run() {
	defer close(p.done)
	if m := p.r.mapped; m != nil {
		// a mapped file that shrinks faults when read: end with that
		// error (the consumer may meet the fault too, in its Guard)
		if err := m.guard(func() error { p.produce(); return nil }); err != nil {
			if p.b != nil || p.newBatch() {
				p.end(err)
			}
		}
		return
	}
	p.produce()
}

// produce is run's loop.
func (p *pipe) produce() {
	if !p.newBatch() {
		return
	}
	r := p.r
	var e event.Event
	for {
		if r.mapped != nil && r.rpos >= mapWindow {
			// records hold u32 offsets into r.cur: move it on, in a
			// batch of its own
			if len(p.b.recs) > 0 && (!p.send() || !p.newBatch()) {
				return
			}
			r.rebase()
		}
		if p.frameRun() > 0 {
			// the batch may be full
		} else if pos, n, num, ok := r.nextFramed(); ok {
			raw := r.buf[pos : pos+n]
			if p.conv.passes(raw) {
				p.record(raw, pos, nil)
			} else {
				if err := e.Reset(raw, r.cpu); err != nil {
					t := event.Type(binary.LittleEndian.Uint16(raw[20:]))
					p.end(eventError(r.off-int64(r.rpos)+int64(pos), t, err))
					return
				}
				e.Num = num
				p.record(raw, pos, p.conv.convert(&e))
			}
		} else {
			err := r.Next(&e)
			if p.b == nil {
				return // stopped while Next handed over a chunk
			}
			if d := r.skipped - p.skipped; d > 0 {
				p.b.recs = append(p.b.recs, rec{pos: uint32(min(d, math.MaxUint32)), bits: recSkip})
				p.skipped += min(d, math.MaxUint32)
			}
			if err != nil {
				p.end(err)
				return
			}
			out := p.conv.Convert(&e)
			conv := out.Raw()
			if out == &e {
				conv = nil
			}
			p.record(e.Raw(), -1, conv)
		}
		if len(p.b.recs) >= cap(p.b.recs)-1 || len(p.b.arena) >= arenaSoftMax {
			if !p.send() || !p.newBatch() {
				return
			}
		}
	}
}

// frameRun is produce's fast path, for the events that make most of a
// capture: it records the events that follow one another in the chunk
// the batch points into, as long as each is a whole v2 event block that
// the Converter passes on its type and parameter count alone (it has
// stored no enter event), past the initial run of the capture, up to the
// batch's capacity. For those it does what nextFramed, passes and record
// do one call at a time, with the positions in registers, and moves the
// Reader past them; at any other event it stops, and nextFramed or Next
// takes that event. It returns how many events it recorded.
//
// Measured with Next's fast path (exit-only benchmark capture, mapped,
// state applied; median of 16 interleaved replays): 43.5 ns/event with
// neither fast path, 39.3 with this one, 33.2 with Next's, 32.7 with
// both.
func (p *pipe) frameRun() int {
	r, b := p.r, p.b
	c := r.cur
	if r.pending || r.generalOnly || r.prefix || c == nil || p.conv.stored {
		return 0
	}
	if b.chunk != nil && unsafe.SliceData(c) != unsafe.SliceData(b.chunk) {
		return 0
	}
	unknown := uint8(0) // the class bit of types neither numbered nor shown
	if r.opts.Numbering == NumberLikeSysdig {
		unknown = classUnknownTo029
	}
	buf := r.buf[:r.wpos] // r.buf is c (see record)
	startMax := len(buf)  // an event starting here or later is left
	if r.mapped != nil {
		startMax = min(startMax, mapWindow) // records hold u32 offsets
	}
	recs := b.recs
	first, numbered := len(recs), uint64(0)
	pos, last, vis := r.rpos, r.rpos, Visible
	for len(recs) < cap(recs)-1 && pos < startMax {
		blk := buf[pos:]
		hdr, total, ok := frameEventBlock(blk)
		if !ok {
			break
		}
		_, t, ok := eventFits(blk, hdr, total)
		if !ok || binary.LittleEndian.Uint32(blk[hdr+22:]) < passNeed[t] {
			break
		}
		bits := uint8(0)
		if hdr == evfHeader {
			bits = recHasFlags
		}
		// numbered as numberType numbers it (past the initial run)
		switch c := typeClass[t]; {
		case c&unknown != 0:
			vis = HiddenUnknownType
		case c&classInternal != 0:
			vis = HiddenInternal
			numbered++
		default:
			vis = Visible
			numbered++
		}
		recs = append(recs, rec{pos: uint32(pos + hdr), vis: vis, bits: bits})
		last = pos
		pos += int(total)
	}
	return p.ranTo(recs, first, last, pos, numbered, vis)
}

// ranTo ends frameRun: the batch keeps the records, and the Reader
// moves past them to pos, numbered events counted, its last block the
// one at last (dropReleased reads it). The Reader's flags, CPU and block
// for the current event are left as they were: nothing reads them under
// a Pipeline before nextFramed or Next sets them anew.
func (p *pipe) ranTo(recs []rec, first, last, pos int, numbered uint64, vis Visibility) int {
	n := len(recs) - first
	if n == 0 {
		return 0
	}
	r, b := p.r, p.b
	if b.chunk == nil {
		b.chunk, b.base = r.cur, r.off-int64(r.rpos)
	}
	b.recs = recs
	p.used = true
	r.blockOff = r.off + int64(last-r.rpos)
	r.off += int64(pos - r.rpos)
	r.rpos = pos
	r.num += numbered
	r.vis = vis
	return n
}

// end sends the last batch, which ends with err (io.EOF at the end).
func (p *pipe) end(err error) {
	p.b.err = err
	p.send()
}

// refill is called before the Reader waits for its next chunk: what was
// read so far goes to the consumer.
func (p *pipe) refill() {
	if p.b != nil && len(p.b.recs) > 0 && p.send() {
		p.newBatch()
	}
}

// retire takes a chunk buffer the Reader has moved past (see batch).
func (p *pipe) retire(c []byte) {
	if !p.used || p.b == nil {
		p.r.pf.free <- c
		return
	}
	p.used = false
	p.b.owned = append(p.b.owned, c)
}

// send seals p.b and queues it; false if the Pipeline was closed.
func (p *pipe) send() bool {
	b := p.b
	p.b = nil
	if p.starts != nil {
		start := int64(noStart)
		for _, x := range b.recs {
			if x.bits&(recInArena|recSkip) == 0 {
				// (at most evfHeader back: where its block starts)
				start = b.base + int64(x.pos) - evfHeader
				break
			}
		}
		p.starts[p.sent%len(p.starts)] = start
		p.sent++
	}
	select {
	case p.full <- b:
		return true
	case <-p.stop:
		return false
	}
}

// newBatch sets p.b to a free batch; false if the Pipeline was closed.
func (p *pipe) newBatch() bool {
	select {
	case p.b = <-p.free:
		if p.starts != nil {
			p.dropReleased()
		}
		return true
	case <-p.stop:
		return false
	}
}

// dropReleased unmaps the part of a mapped capture the consumer is done
// with, on this goroutine, as the replay goes (rather than all of it at
// Close, on the consumer's: see mapping.drop). The free list started with
// cap(free) batches, and the consumer releases batches in the order they
// were sent, so when the n-th batch is taken from it, the first
// n-cap(free) batches sent have been released: what lies before the next
// one sent (or, if it is not sent yet, before the block the Reader is
// at) is no longer read.
func (p *pipe) dropReleased() {
	p.taken++
	released := p.taken - cap(p.free)
	if released <= 0 {
		return
	}
	bound := p.r.blockOff
	if released < p.sent {
		s := p.starts[released%len(p.starts)]
		if s == noStart {
			return // (rare: all its events are in its arena)
		}
		bound = min(bound, s)
	}
	p.r.mapped.drop(bound)
}

// record records the event the Reader just delivered: raw, at pos in
// r.buf (-1: elsewhere), and its conversion (nil: none).
func (p *pipe) record(raw []byte, pos int, conv []byte) {
	b := p.b
	r := p.r
	x := rec{vis: r.vis}
	if r.hasFlags {
		x.bits |= recHasFlags
	}
	inChunk := false
	if c := r.cur; pos >= 0 && c != nil { // r.buf is c
		if b.chunk == nil {
			b.chunk, b.base = c, r.off-int64(r.rpos)
			inChunk = true
		} else {
			inChunk = unsafe.SliceData(c) == unsafe.SliceData(b.chunk)
		}
	}
	if inChunk {
		x.pos = uint32(pos)
		p.used = true
	} else {
		x.bits |= recInArena
		a := binary.LittleEndian.AppendUint64(b.arena, uint64(r.blockOff))
		a = binary.LittleEndian.AppendUint32(a, r.flags)
		a = binary.LittleEndian.AppendUint16(a, r.cpu)
		b.arena = append(a, raw...)
	}
	if conv != nil {
		x.bits |= recConverted
		b.arena = append(b.arena, conv...)
	}
	b.recs = append(b.recs, x)
}

// Next moves to the next event and returns true, or returns false at the
// end of the capture or on an error ([Pipeline.Err] tells which).
//
// The event views [Pipeline.Event] and [Pipeline.Original] return, and
// the bytes they point at, are valid until the next call to Next or
// Close: Next releases a batch (its chunk buffer and arena are then
// reused) when it moves past the batch's last event. Whoever keeps event
// data longer copies it, as with [Reader.Next].
func (p *Pipeline) Next() bool {
	// the common case on its own, where the compiler keeps it tight: the
	// next record of the batch is an event in the chunk that was not
	// converted and is numbered (see frameRun for what it gains)
	if i := p.i + 1; i < len(p.b.recs) && !p.ended {
		b := p.b
		if x := b.recs[i]; x.bits&^recHasFlags == 0 && x.vis != HiddenUnknownType {
			if p.ev.Reset(b.inChunk(x)) == nil {
				p.i, p.cur = i, x
				p.origPos, p.convPos = int(x.pos), -1
				p.num++
				p.ev.Num = p.num
				p.origOK, p.has = false, true
				return true
			}
		}
	}
	return p.next()
}

// next is Next for every record (the slow path); an event whose Reset
// failed on the fast path comes here again and gets its error.
func (p *Pipeline) next() bool {
	if p.ended {
		return false
	}
	var x rec
	for {
		p.i++
		for p.i >= len(p.b.recs) {
			if !p.nextBatch() {
				p.ended = true
				p.has = false
				return false
			}
		}
		x = p.b.recs[p.i]
		if x.bits&recSkip == 0 {
			break
		}
		p.skipped += uint64(x.pos)
	}
	b := p.b
	p.cur = x
	// touch the events ahead (the arena: 512 bytes ahead)
	if j := p.i + touchAhead; j < len(b.recs) {
		if y := b.recs[j]; y.bits&(recInArena|recSkip) == 0 {
			p.sink += b.chunk[y.pos]
			// and its next cache line: half the events (60-100 bytes)
			// straddle two. Measured (exit-only replay, 8 interleaved
			// runs): 26.8 -> 28.9 M events/s piped, old capture
			// 19.2 -> 20.2 M.
			if k := int(y.pos) + 63; k < len(b.chunk) {
				p.sink += b.chunk[k]
			}
		}
	}
	if j := p.acur + 8*64; j < len(b.arena) {
		p.sink += b.arena[j]
	}
	var raw []byte
	var cpu uint16
	if x.bits&recInArena == 0 {
		raw, cpu = b.inChunk(x)
		p.origPos = int(x.pos)
	} else {
		at := p.acur
		cpu = binary.LittleEndian.Uint16(b.arena[at+12:])
		at += arenaPrefix
		raw = b.arena[at : at+int(binary.LittleEndian.Uint32(b.arena[at+16:]))]
		p.origPos = at
		p.acur = at + len(raw)
	}
	p.convPos = -1
	if x.bits&recConverted != 0 {
		at := p.acur
		raw = b.arena[at : at+int(binary.LittleEndian.Uint32(b.arena[at+16:]))]
		p.convPos = at
		p.acur = at + len(raw)
	}
	if err := p.ev.Reset(raw, cpu); err != nil {
		// an event the producer framed but did not decode (see run): the
		// error Reader.Next gives for it
		p.has = true
		p.err = eventError(p.Offset()+int64(x.blockHeader()), event.Type(binary.LittleEndian.Uint16(raw[20:])), err)
		p.ended = true
		p.has = false
		return false
	}
	if x.vis != HiddenUnknownType {
		p.num++
		p.ev.Num = p.num
	} else {
		p.ev.Num = 0
	}
	p.origOK = false
	p.has = true
	return true
}

// nextBatch releases the current batch and takes the next one; false
// when there is none (p.err set unless the capture ended cleanly).
func (p *Pipeline) nextBatch() bool {
	b := p.b
	if b.err != nil {
		if !errors.Is(b.err, io.EOF) {
			p.err = b.err
		}
		return false
	}
	if b != &p.none {
		p.release(b)
	}
	p.b = &p.none // if none follows
	p.i, p.acur = 0, 0
	select {
	case nb := <-p.p.full:
		p.b = nb
		return true
	case <-p.p.done:
		// the goroutine sends its last batch before it returns: take it
		// if it is there; if not, it was stopped
		select {
		case nb := <-p.p.full:
			p.b = nb
			return true
		default:
		}
		p.err = ErrClosed
		return false
	}
}

// release gives a consumed batch and its chunk back to the producer.
func (p *Pipeline) release(b *batch) {
	for _, c := range b.owned {
		p.p.r.pf.free <- c
	}
	clear(b.owned)
	b.owned, b.chunk = b.owned[:0], nil
	b.recs = b.recs[:0]
	if cap(b.arena) > arenaKeepMax {
		b.arena = nil
	}
	b.arena = b.arena[:0]
	p.p.free <- b
}

// Err returns the error that ended the events, or nil if the capture
// ended cleanly (or Next has not returned false yet). Errors are the
// Reader's, with the byte offset of the fault.
func (p *Pipeline) Err() error { return p.err }

// Event returns the current event as state tracking and rules should see
// it: converted by the [Converter] (for an event it leaves alone, the
// original). Valid until the next call to Next.
func (p *Pipeline) Event() *event.Event {
	if !p.has {
		return nil
	}
	return &p.ev
}

// Original returns the current event as the capture holds it (what sysdig
// prints). It is the same view as [Pipeline.Event] when the Converter left
// the event alone. Valid until the next call to Next.
func (p *Pipeline) Original() *event.Event {
	if !p.has {
		return nil
	}
	if p.convPos < 0 {
		return &p.ev
	}
	if !p.origOK {
		buf := p.b.chunk
		if p.cur.bits&recInArena != 0 {
			buf = p.b.arena
		}
		at := p.origPos
		raw := buf[at : at+int(binary.LittleEndian.Uint32(buf[at+16:]))]
		if p.orig.Reset(raw, p.ev.CPU) != nil {
			return &p.ev // cannot happen: the producer decoded it
		}
		p.orig.Num = p.ev.Num
		p.origOK = true
	}
	return &p.orig
}

// Converted reports whether the Converter rewrote the current event
// (Event and Original then differ).
func (p *Pipeline) Converted() bool { return p.has && p.convPos >= 0 }

// Visibility is [Reader.Visibility] for the current event.
func (p *Pipeline) Visibility() Visibility {
	if !p.has {
		return Visible
	}
	return p.cur.vis
}

// Offset is [Reader.Offset] for the current event: the offset of its
// block in the uncompressed stream.
func (p *Pipeline) Offset() int64 {
	if !p.has {
		return 0
	}
	if p.cur.bits&recInArena != 0 {
		return int64(binary.LittleEndian.Uint64(p.b.arena[p.origPos-arenaPrefix:]))
	}
	return p.b.base + int64(p.origPos-p.cur.blockHeader())
}

// EventFlags is [Reader.EventFlags] for the current event.
func (p *Pipeline) EventFlags() (uint32, bool) {
	if !p.has || p.cur.bits&recHasFlags == 0 {
		return 0, false
	}
	if p.cur.bits&recInArena != 0 {
		return binary.LittleEndian.Uint32(p.b.arena[p.origPos-arenaPrefix+8:]), true
	}
	return binary.LittleEndian.Uint32(p.b.chunk[p.origPos-4:]), true
}

// Skipped is [Reader.Skipped]: how many events were skipped, up to the
// current one, because their type is beyond the event table.
func (p *Pipeline) Skipped() uint64 { return p.skipped }

// Close stops the producing goroutine and closes the Reader (and the
// file [Open] opened, which also ends a read of a pipe in progress), and
// returns once the goroutine has returned. A source given to [NewReader]
// that blocks in Read holds Close up until the read returns. The current
// event's views become invalid. Idempotent.
func (p *Pipeline) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	p.ended = true
	p.has = false
	p.p.shutdown()
	if p.p.r.mapped != nil {
		// the goroutine never blocks reading a mapping: let it stop
		// before the pages it may be reading go
		<-p.p.done
		return p.p.r.Close()
	}
	// the goroutine never touches the Reader's closer, and stopping the
	// read-ahead is safe from any goroutine
	err := p.p.r.Close()
	<-p.p.done
	return err
}
