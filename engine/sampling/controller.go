package sampling

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Pressure is what the controller reads from the kernel side each interval.
type Pressure struct {
	// FillRatio is how full the ring buffer is, 0–1 (the fullest one when
	// there are several).
	FillRatio float64
	// Drops is the cumulative number of events the kernel lost for lack of
	// room (buffer full, scratch space); not the events sampled away.
	Drops uint64
}

// PressureFunc reads the current [Pressure]. It is called from the
// controller's goroutine.
type PressureFunc func() Pressure

// Controller is the adaptive sampling policy. Build it with
// [NewController]; drive it with [Controller.Run], or call
// [Controller.Step] with a fake clock in tests.
type Controller struct {
	cfg     ControllerConfig
	floor   uint32
	read    PressureFunc
	setters []RatioSetter
	log     *slog.Logger

	mu           sync.Mutex // serialises Step and Run's initial apply
	ratio        uint32
	primed       bool
	prevDrops    uint64
	prevAt       time.Time
	calmSince    time.Time // zero: not in a calm stretch
	calmNeeded   time.Duration
	lastDecrease time.Time

	cur       atomic.Uint32
	increases atomic.Uint64
	decreases atomic.Uint64
	failures  atomic.Uint64
}

// NewController returns a controller that keeps the ratio between floor
// (the configured sampling.ratio) and cfg.MaxRatio, applying each change to
// setters in order: the kernel side first, then the engine's [Sampler], so
// the engine never samples at a ratio the kernel has not taken. It does not
// touch the setters until [Controller.Run] or [Controller.Apply].
func NewController(cfg ControllerConfig, floor uint32, read PressureFunc, log *slog.Logger, setters ...RatioSetter) (*Controller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !ValidRatio(floor) || floor > cfg.MaxRatio {
		return nil, fmt.Errorf("sampling: controller floor %d must be a ratio no larger than max_ratio %d", floor, cfg.MaxRatio)
	}
	if read == nil {
		return nil, errors.New("sampling: controller needs a pressure source")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Controller{cfg: cfg, floor: floor, read: read, setters: setters, log: log,
		ratio: floor, calmNeeded: cfg.CalmPeriod}
	c.cur.Store(floor)
	return c, nil
}

// Ratio returns the ratio the controller last applied.
func (c *Controller) Ratio() uint32 { return c.cur.Load() }

// Increases and Decreases count the ratio changes made; Failures counts
// changes a setter refused (the change was rolled back).
func (c *Controller) Increases() uint64 { return c.increases.Load() }
func (c *Controller) Decreases() uint64 { return c.decreases.Load() }
func (c *Controller) Failures() uint64  { return c.failures.Load() }

// Apply sets every setter to the controller's current ratio (the floor
// before any change). Run calls it first.
func (c *Controller) Apply() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.setters {
		if err := s.SetSamplingRatio(c.ratio); err != nil {
			return fmt.Errorf("sampling: setting ratio %d: %w", c.ratio, err)
		}
	}
	return nil
}

// Run applies the floor, then steps every interval until ctx ends.
func (c *Controller) Run(ctx context.Context) error {
	if err := c.Apply(); err != nil {
		return err
	}
	t := time.NewTicker(c.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			c.Step(now)
		}
	}
}

// Step reads the pressure once and changes the ratio if the policy says
// so. It returns the ratio in force afterwards.
func (c *Controller) Step(now time.Time) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.read()
	var dropped uint64
	var dps float64
	if c.primed && p.Drops > c.prevDrops {
		dropped = p.Drops - c.prevDrops
		if dt := now.Sub(c.prevAt).Seconds(); dt > 0 {
			dps = float64(dropped) / dt
		} else {
			dps = float64(dropped)
		}
	}
	c.primed, c.prevDrops, c.prevAt = true, p.Drops, now

	pressure := (dropped > 0 && dps > c.cfg.DropsPerSecond) || p.FillRatio >= c.cfg.HighWatermark
	calm := dropped == 0 && p.FillRatio <= c.cfg.LowWatermark
	switch {
	case pressure:
		c.calmSince = time.Time{}
		if !c.lastDecrease.IsZero() && now.Sub(c.lastDecrease) < c.calmNeeded {
			// The last decrease brought the pressure back: wait longer
			// before the next one.
			c.calmNeeded = min(2*c.calmNeeded, 16*c.cfg.CalmPeriod)
			c.lastDecrease = time.Time{}
		}
		if c.ratio < c.cfg.MaxRatio {
			c.change(c.ratio*2, "pressure", p.FillRatio, dps)
		}
	case calm:
		if !c.lastDecrease.IsZero() && now.Sub(c.lastDecrease) >= c.calmNeeded {
			// The last decrease has stood for a whole calm period.
			c.calmNeeded, c.lastDecrease = c.cfg.CalmPeriod, time.Time{}
		}
		if c.calmSince.IsZero() {
			c.calmSince = now
		} else if now.Sub(c.calmSince) >= c.calmNeeded && c.ratio > c.floor {
			if c.change(c.ratio/2, "calm", p.FillRatio, dps) {
				c.lastDecrease = now
			}
			c.calmSince = time.Time{} // the next stretch starts with the next calm interval
		}
	default:
		c.calmSince = time.Time{} // in the band: hold, and the calm stretch restarts
	}
	return c.ratio
}

// change applies r to every setter, rolling back on failure. mu is held.
func (c *Controller) change(r uint32, reason string, fill, dps float64) bool {
	for i, s := range c.setters {
		if err := s.SetSamplingRatio(r); err != nil {
			for _, done := range c.setters[:i] {
				_ = done.SetSamplingRatio(c.ratio)
			}
			c.failures.Add(1)
			c.log.Error("sampling ratio change failed", "from", c.ratio, "to", r, "err", err)
			return false
		}
	}
	c.log.Info("sampling ratio changed", "from", c.ratio, "to", r, "reason", reason,
		"fill_ratio", fill, "drops_per_second", dps)
	if r > c.ratio {
		c.increases.Add(1)
	} else {
		c.decreases.Add(1)
	}
	c.ratio = r
	c.cur.Store(r)
	return true
}
