package ebpf

import "fmt"

func checkRatio(r uint32) error {
	if r == 0 || r > 128 || r&(r-1) != 0 {
		return fmt.Errorf("sampling ratio %d: must be one of 1, 2, 4, 8, 16, 32, 64, 128", r)
	}
	return nil
}

// SetSamplingRatio sets the kernel sampling ratio R (1, 2, 4, … 128). At
// R > 1 the programs drop every event that is not state-keeping during the
// last (R-1)/R of each second of boot time, so about 1/R of them is kept;
// each drop window opens with a PPME_DROP_E and closes with a PPME_DROP_X
// event carrying the ratio. Setting 1 stops sampling (an open window is
// closed with PPME_DROP_X(1) at the next traced syscall).
func (p *Probe) SetSamplingRatio(r uint32) error {
	if err := checkRatio(r); err != nil {
		return err
	}
	return p.setRatio(r)
}

func (p *Probe) setRatio(r uint32) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ratio = r
	return p.writeSettings()
}

// SamplingRatio returns the ratio last set.
func (p *Probe) SamplingRatio() uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ratio
}
