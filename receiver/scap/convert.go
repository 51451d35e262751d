package scap

import (
	"encoding/binary"
	"math"

	"github.com/sakersec/saker/receiver/event"
)

// Converter turns events of old captures into what a current driver sends,
// as libs' savefile converter does: the parameters of a managed enter
// event are kept per thread and merged into the matching exit event, and
// an exit event of an old version is rewritten as the newest exit version
// of its syscall, parameters matched by name (missing ones empty). Enter
// events are still delivered unchanged (Falco evaluates rules on them) and
// every other event passes through.
//
// The caller keeps the original too: Convert never modifies its input, and
// its result is either the input itself or a view over the Converter's own
// buffer, valid until the next call. Steady state allocates nothing; a new
// thread id costs one small buffer.
type Converter struct {
	enters map[int64]*[]byte // last managed enter event per thread
	// stored is set once an enter event has been stored: until then no
	// thread has one, and whether an event passes depends on its type and
	// parameter count alone (see passNeed)
	stored bool
	// a direct-mapped cache of enters: the threads of a stream are few
	// and interleave, and a map lookup costs several cache misses
	cache [slotCacheSize]slotEntry

	enter event.Event
	out   event.Event
	buf   []byte
	src   [event.MaxParams][]byte
	ctx   [event.MaxParams][8]byte
}

const slotCacheSize = 64

type slotEntry struct {
	tid  int64
	slot *[]byte
}

// NewConverter returns a Converter with no stored enter events.
func NewConverter() *Converter {
	return &Converter{enters: make(map[int64]*[]byte)}
}

// newestExit[t] is the newest exit type with t's name, for exit types.
var newestExit = func() [event.MaxType]event.Type {
	var n [event.MaxType]event.Type
	latest := map[string]event.Type{}
	for t := event.Type(0); t < event.MaxType; t++ {
		info := t.Info()
		if info.Dir == event.Exit && info.Flags&(event.FlagUnused|event.FlagOldVersion) == 0 {
			latest[info.Name] = t
		}
	}
	for t := event.Type(0); t < event.MaxType; t++ {
		n[t] = t
		if info := t.Info(); info.Dir == event.Exit {
			if l, ok := latest[info.Name]; ok && len(l.Info().Params) >= len(info.Params) {
				n[t] = l
			}
		}
	}
	return n
}()

// convKind[t] says what Convert does with type t.
const (
	convPass  = iota // not managed by the converter
	convEnter        // managed enter event: stored for its exit
	convExit         // managed exit event
)

var convKind = func() (k [event.MaxType]uint8) {
	for t := event.Type(0); t < event.MaxType; t++ {
		info := t.Info()
		switch {
		case info.Flags&event.FlagConverterManaged == 0:
		case info.Dir == event.Enter:
			k[t] = convEnter
		default:
			k[t] = convExit
		}
	}
	return k
}()

// convPlan says, for a managed exit type, where each parameter of its
// newest version comes from: the parameter of the same name in the exit
// event, else in its enter event (type exit-1), else empty. Resolved once
// by name so converting compares no names.
type convPlan struct {
	target event.Type
	params []convParam
}

type convParam struct {
	exit, enter int8 // parameter index in the exit / enter type, or -1
	want        uint8
	signed      bool
}

var convPlans = func() (p [event.MaxType]*convPlan) {
	index := func(t event.Type, name string) int8 {
		if !t.Valid() {
			return -1
		}
		for i, pi := range t.Info().Params {
			if pi.Name == name {
				return int8(i)
			}
		}
		return -1
	}
	for t := event.Type(0); t < event.MaxType; t++ {
		if convKind[t] != convExit {
			continue
		}
		target := newestExit[t]
		plan := &convPlan{target: target}
		for _, pi := range target.Info().Params {
			enter := int8(-1)
			if t > 0 {
				enter = index(t-1, pi.Name)
			}
			plan.params = append(plan.params, convParam{
				exit: index(t, pi.Name), enter: enter,
				want: uint8(pi.Type.FixedSize()), signed: pi.Type.Signed(),
			})
		}
		p[t] = plan
	}
	return p
}()

// slot returns the enter-event buffer of thread tid, making it if make is
// set (else nil when the thread has none). Slots are never removed, so a
// cached one stays right.
func (c *Converter) slot(tid int64, make bool) *[]byte {
	ce := &c.cache[uint64(tid)%slotCacheSize]
	if ce.tid == tid && ce.slot != nil {
		return ce.slot
	}
	p := c.enters[tid]
	if p == nil {
		if !make {
			return nil
		}
		p = new([]byte)
		c.enters[tid] = p
	}
	ce.tid, ce.slot = tid, p
	return p
}

// passes reports, from the header of the event in raw (at least
// event.HeaderSize bytes, type valid), whether Convert would return the
// event itself: an event of a type the converter does not manage, an
// exit of the newest version with all its parameters and no stored enter
// event, or a managed enter event, which it stores as Convert does. The
// Pipeline decodes only the other events. (An enter event stored
// undecoded is decoded with its exit; were it malformed, its consumer
// would stop at its error, before the exit.)
func (c *Converter) passes(raw []byte) bool {
	t := event.Type(binary.LittleEndian.Uint16(raw[20:]))
	switch convKind[t] {
	case convPass:
		return true
	case convEnter:
		p := c.slot(int64(binary.LittleEndian.Uint64(raw[8:])), true)
		*p = append((*p)[:0], raw...)
		c.stored = true
		return true
	}
	if p := c.slot(int64(binary.LittleEndian.Uint64(raw[8:])), false); p != nil && len(*p) > 0 {
		return false
	}
	plan := convPlans[t]
	return plan.target == t && binary.LittleEndian.Uint32(raw[22:]) >= uint32(len(plan.params))
}

// passNeed[t] is, for a Converter that has stored no enter event, the
// least parameter count with which an event of type t passes (see
// passes): 0 for types the converter does not manage, the newest
// version's count for managed exits of that version, and noPass for the
// rest (managed enter events, which are stored, and older exits, which
// are rewritten).
var passNeed = func() (n [event.MaxType]uint32) {
	for t := event.Type(0); t < event.MaxType; t++ {
		switch convKind[t] {
		case convPass:
		case convExit:
			if plan := convPlans[t]; plan.target == t {
				n[t] = uint32(len(plan.params))
				continue
			}
			n[t] = noPass
		default:
			n[t] = noPass
		}
	}
	return n
}()

// noPass is above any parameter count (event.MaxParams).
const noPass = math.MaxUint32

// Convert returns the event state tracking and rules should see for e.
func (c *Converter) Convert(e *event.Event) *event.Event {
	raw := c.convert(e)
	if raw == nil {
		return e
	}
	if c.out.Reset(raw, e.CPU) != nil {
		return e
	}
	c.out.Num = e.Num
	return &c.out
}

// convert is Convert returning the converted event's bytes (in c.buf), or
// nil when the result is e itself. The bytes are a well-formed event
// (header, lengths and parameters agree).
func (c *Converter) convert(e *event.Event) []byte {
	t := e.Type()
	switch convKind[t] {
	case convPass:
		return nil
	case convEnter:
		p := c.slot(e.Tid(), true)
		*p = append((*p)[:0], e.Raw()...)
		c.stored = true
		return nil
	}
	tid := e.Tid()
	enter := &c.enter
	hasEnter := false
	if p := c.slot(tid, false); p != nil && len(*p) > 0 {
		hasEnter = enter.Reset(*p, e.CPU) == nil && enter.Type()+1 == t
		*p = (*p)[:0] // an enter event pairs with one exit event
	}
	plan := convPlans[t]
	if plan.target == t && !hasEnter && e.NumParams() >= len(plan.params) {
		return nil // already complete
	}
	// gather the parameters, then write header, lengths and data at once
	size := 0
	for i := range plan.params {
		pp := &plan.params[i]
		var p []byte
		if pp.exit >= 0 {
			p = e.Param(int(pp.exit))
		}
		if len(p) == 0 && hasEnter && pp.enter >= 0 {
			p = enter.Param(int(pp.enter))
		}
		if len(p) == 0 {
			p = nil
		} else if w := int(pp.want); w != 0 && w != 16 && len(p) != w && len(p) <= 8 {
			p = fitTo(p, w, pp.signed, &c.ctx[i])
		}
		c.src[i] = p
		size += len(p)
	}
	n := len(plan.params)
	lensz := 2
	if plan.target.Info().Flags&event.FlagLargePayload != 0 {
		lensz = 4
	} else {
		for _, p := range c.src[:n] {
			if len(p) > math.MaxUint16 {
				// cannot be written with u16 lengths (an enter parameter
				// with a u32 length; no pair in the table has one): the
				// event is left as it is
				return nil
			}
		}
	}
	total := event.HeaderSize + lensz*n + size
	if cap(c.buf) < total {
		c.buf = make([]byte, total, max(total, 2*cap(c.buf), 256))
	}
	b := c.buf[:total]
	copy(b[:16], e.Raw()[:16]) // ts, tid
	binary.LittleEndian.PutUint32(b[16:], uint32(total))
	binary.LittleEndian.PutUint16(b[20:], uint16(plan.target))
	binary.LittleEndian.PutUint32(b[22:], uint32(n))
	pos := event.HeaderSize + lensz*n
	for i, p := range c.src[:n] {
		if lensz == 2 {
			binary.LittleEndian.PutUint16(b[event.HeaderSize+2*i:], uint16(len(p)))
		} else {
			binary.LittleEndian.PutUint32(b[event.HeaderSize+4*i:], uint32(len(p)))
		}
		pos += copy(b[pos:], p)
	}
	return b
}

// fitTo converts an integer parameter of 1, 2, 4 or 8 bytes to width w
// (old versions used e.g. 64-bit fds where new ones use 32 bits), in
// scratch. Other lengths become empty.
func fitTo(p []byte, w int, signed bool, scratch *[8]byte) []byte {
	var v uint64
	switch len(p) {
	case 1:
		v = uint64(p[0])
	case 2:
		v = uint64(binary.LittleEndian.Uint16(p))
	case 4:
		v = uint64(binary.LittleEndian.Uint32(p))
		if signed {
			v = uint64(int64(int32(v)))
		}
	case 8:
		v = binary.LittleEndian.Uint64(p)
	default:
		return nil
	}
	binary.LittleEndian.PutUint64(scratch[:], v)
	return scratch[:w]
}

// paramByName returns the bytes of e's parameter named name, or nil if e
// has none (absent and empty are the same to the converter).
func paramByName(e *event.Event, name string) []byte {
	ps := e.Info().Params
	for i := range ps {
		if ps[i].Name == name {
			if p := e.Param(i); len(p) > 0 {
				return p
			}
			return nil
		}
	}
	return nil
}
