package sampling

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/sakersec/saker/receiver/event"
)

// MaxRatio is the largest sampling ratio, as in the kernel's dropping mode.
const MaxRatio = 128

// keepAll is the keep threshold that keeps every event: draws are 53-bit
// integers, always below 1<<53.
const keepAll = 1 << 53

// ValidRatio reports whether r is a sampling ratio: a power of two from 1 to
// [MaxRatio].
func ValidRatio(r uint32) bool { return r >= 1 && r <= MaxRatio && r&(r-1) == 0 }

// RatioSetter is anything whose sampling ratio the [Controller] sets: the
// kernel side (receiver/ebpf) and the [Sampler].
type RatioSetter interface {
	SetSamplingRatio(ratio uint32) error
}

// Sampler is the engine's should_drop decision. The zero value is not
// usable; build one with [New].
type Sampler struct {
	// keepBelow: an eligible event is kept when its 53-bit draw is below it.
	keepBelow atomic.Uint64
	ratio     atomic.Uint32
	multBits  atomic.Uint64 // math.Float64bits(multiplier)
	follow    atomic.Bool
	// dropped is published from droppedLocal every 64 drops and by Flush,
	// so counting costs no atomic read-modify-write per event.
	dropped      atomic.Uint64
	droppedLocal uint64 // event loop only

	setMu sync.Mutex // makes ratio, multiplier and keepBelow change together
	rng   rand.PCG   // used by ShouldDrop only
}

// New returns a sampler with ratio 1 and multiplier 0 (never drops), whose
// draws come from a PCG generator seeded with seed. Production code passes
// a random seed (rand.Uint64()); tests pass a fixed one.
func New(seed uint64) *Sampler {
	s := &Sampler{}
	s.rng.Seed(seed, seed^0x9e3779b97f4a7c15)
	s.ratio.Store(1)
	s.keepBelow.Store(keepAll)
	return s
}

// SetRatio sets the sampling ratio; r must satisfy [ValidRatio].
func (s *Sampler) SetRatio(r uint32) error {
	if !ValidRatio(r) {
		return fmt.Errorf("sampling ratio must be a power of two from 1 to %d, got %d", MaxRatio, r)
	}
	s.setMu.Lock()
	defer s.setMu.Unlock()
	s.ratio.Store(r)
	s.update()
	return nil
}

// SetSamplingRatio is [Sampler.SetRatio], so that a Sampler is a [RatioSetter].
func (s *Sampler) SetSamplingRatio(r uint32) error { return s.SetRatio(r) }

// SetMultiplier sets the sampling multiplier, a finite number >= 0.
func (s *Sampler) SetMultiplier(m float64) error {
	if m < 0 || math.IsNaN(m) || math.IsInf(m, 0) {
		return fmt.Errorf("sampling multiplier must be a finite number >= 0, got %v", m)
	}
	s.setMu.Lock()
	defer s.setMu.Unlock()
	s.multBits.Store(math.Float64bits(m))
	s.update()
	return nil
}

// update recomputes keepBelow; setMu is held.
func (s *Sampler) update() {
	r, m := s.ratio.Load(), math.Float64frombits(s.multBits.Load())
	s.keepBelow.Store(keepThreshold(r, m))
}

// keepThreshold is ceil(p × 2^53) for the keep probability p = 1/(r×m):
// a 53-bit draw k, read as k/2^53 ∈ [0,1), is kept when k/2^53 < p, that is
// k < ceil(p × 2^53). p × 2^53 is exact in float64 (a power-of-two scale).
func keepThreshold(r uint32, m float64) uint64 {
	if m == 0 || r == 1 {
		return keepAll
	}
	p := 1 / (float64(r) * m)
	if p >= 1 {
		return keepAll
	}
	return uint64(math.Ceil(p * keepAll))
}

// Ratio returns the current sampling ratio.
func (s *Sampler) Ratio() uint32 { return s.ratio.Load() }

// Multiplier returns the current sampling multiplier.
func (s *Sampler) Multiplier() float64 { return math.Float64frombits(s.multBits.Load()) }

// KeepProbability returns the chance that a droppable event is kept now.
func (s *Sampler) KeepProbability() float64 { return float64(s.keepBelow.Load()) / keepAll }

// Dropped returns how many events ShouldDrop has dropped, as of the last
// publication: every 64 drops and at each [Sampler.Flush].
func (s *Sampler) Dropped() uint64 { return s.dropped.Load() }

// Flush publishes the drop count for Dropped. Call it from the event loop,
// with the pipeline counters' flush (after each batch, and at shutdown).
func (s *Sampler) Flush() { s.dropped.Store(s.droppedLocal) }

func (s *Sampler) countDrop() {
	if s.droppedLocal++; s.droppedLocal&63 == 0 {
		s.dropped.Store(s.droppedLocal)
	}
}

// FollowDropEvents makes ShouldDrop set the ratio from drop-enter/drop-exit
// events (replay). Live, the controller sets both sides itself and a late
// drop event from one CPU's buffer must not undo its latest change, so this
// is off by default.
func (s *Sampler) FollowDropEvents(on bool) { s.follow.Store(on) }

// ShouldDrop reports whether the engine should skip rule matching for ev.
// Call it after state tracking has seen ev. It is not safe for concurrent
// use: call it from the event loop only.
func (s *Sampler) ShouldDrop(ev *event.Event) bool {
	t := ev.Type()
	if (t == event.DropE || t == event.DropX) && s.follow.Load() {
		s.followDrop(ev)
		return false
	}
	kb := s.keepBelow.Load()
	if kb == keepAll || !Droppable(t) {
		return false
	}
	if s.rng.Uint64()>>11 < kb {
		return false
	}
	s.countDrop()
	return true
}

// ShouldDropType is ShouldDrop for a caller that has only the event type.
// It ignores drop-enter/drop-exit events.
func (s *Sampler) ShouldDropType(t event.Type) bool {
	kb := s.keepBelow.Load()
	if kb == keepAll || !Droppable(t) {
		return false
	}
	if s.rng.Uint64()>>11 < kb {
		return false
	}
	s.countDrop()
	return true
}

func (s *Sampler) followDrop(ev *event.Event) {
	p := ev.Param(0)
	if len(p) != 4 {
		return
	}
	// Both events carry the ratio in force (libs writes it on entering and
	// on leaving each second's dropping window).
	r := binary.LittleEndian.Uint32(p)
	if ValidRatio(r) && r != s.ratio.Load() {
		_ = s.SetRatio(r)
	}
}
