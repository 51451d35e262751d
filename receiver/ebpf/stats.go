package ebpf

import (
	"fmt"

	"github.com/sakersec/saker/bpf"
)

// Counters are the kernel's per-CPU event counters (struct counters in
// c/maps.h), summed over CPUs in Stats.Kernel.
type Counters struct {
	// Events the programs tried to write (written or lost; not sampled).
	Events uint64
	// DropsBuffer: lost because the ring was full, total and by category
	// (indexed by bpf.DropCategory; Falco's n_drops_buffer_*_exit).
	DropsBuffer           uint64
	DropsBufferByCategory [bpf.NumDropCategories]uint64
	// DropsScratch: lost because no scratch buffer or ring existed for the
	// CPU (Falco's n_drops_scratch_map).
	DropsScratch uint64
	// DropsMaxEventSize: lost because the event outgrew 64 KiB.
	DropsMaxEventSize uint64
	// Sampled: dropped by kernel sampling, total and by category. Not
	// counted in Events.
	Sampled           uint64
	SampledByCategory [bpf.NumDropCategories]uint64
	// ReadErrors: parameters written empty because reading the process'
	// memory failed (the event itself was written).
	ReadErrors uint64
}

// Drops is every event lost in the kernel: ring full, scratch, size.
func (c *Counters) Drops() uint64 { return c.DropsBuffer + c.DropsScratch + c.DropsMaxEventSize }

func (c *Counters) add(k *bpf.ProbeCounters) {
	c.Events += k.N_evts
	c.DropsBuffer += k.N_dropsBuffer
	for i := range c.DropsBufferByCategory {
		c.DropsBufferByCategory[i] += k.N_dropsBufferCat[i]
		c.SampledByCategory[i] += k.N_sampledCat[i]
	}
	c.DropsScratch += k.N_dropsScratchMap
	c.DropsMaxEventSize += k.N_dropsMaxEventSize
	c.Sampled += k.N_sampled
	c.ReadErrors += k.N_readErrors
}

// Stats is a snapshot of the probe's counters.
type Stats struct {
	// Kernel sums the per-CPU kernel counters; PerCPU has them by CPU.
	Kernel Counters
	PerCPU []Counters
	// Received counts events Run delivered; DecodeErrors the records it
	// skipped because they did not decode as events.
	Received     uint64
	DecodeErrors uint64
}

// Stats reads the kernel counters now (one map lookup; cheap enough to
// call at every metrics scrape).
func (p *Probe) Stats() (Stats, error) {
	var per []bpf.ProbeCounters
	if err := p.objs.CountersMap.Lookup(uint32(0), &per); err != nil {
		return Stats{}, fmt.Errorf("read kernel counters: %w", err)
	}
	s := Stats{PerCPU: make([]Counters, len(per))}
	for i := range per {
		s.PerCPU[i].add(&per[i])
		s.Kernel.add(&per[i])
	}
	s.Received = p.received.Load()
	s.DecodeErrors = p.decodeErrors.Load()
	return s, nil
}

// RingFill returns, for each CPU's ring, the fraction of it holding events
// not yet handed back to the kernel (0 to 1): the input of an adaptive
// sampling controller. Nil once the probe is closed.
func (p *Probe) RingFill() []float64 {
	p.mapMu.RLock()
	defer p.mapMu.RUnlock()
	if p.rings == nil {
		return nil
	}
	out := make([]float64, len(p.rings))
	for i, r := range p.rings {
		out[i] = r.fill()
	}
	return out
}

// MaxRingFill is the fill of the fullest ring.
func (p *Probe) MaxRingFill() float64 {
	m := 0.0
	for _, f := range p.RingFill() {
		m = max(m, f)
	}
	return m
}
