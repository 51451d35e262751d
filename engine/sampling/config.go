package sampling

import (
	"fmt"
	"math"
	"time"
)

// Sampling modes.
const (
	ModeFixed    = "fixed"
	ModeAdaptive = "adaptive"
)

// Config is the `sampling` section of the configuration.
//
//	sampling:
//	  ratio: 1            # 1, 2, 4, ... 128; the fixed ratio, and the floor in adaptive mode
//	  multiplier: 0       # >= 0; 0 = the engine drops nothing beyond the kernel
//	  mode: fixed         # fixed | adaptive
//	  adaptive: {interval: 1s, high_watermark: 0.5, low_watermark: 0.1,
//	             drops_per_second: 0, calm_period: 30s, max_ratio: 128}
type Config struct {
	Ratio      uint32           `yaml:"ratio" koanf:"ratio"`
	Multiplier float64          `yaml:"multiplier" koanf:"multiplier"`
	Mode       string           `yaml:"mode" koanf:"mode"`
	Adaptive   ControllerConfig `yaml:"adaptive" koanf:"adaptive"`
}

// ControllerConfig are the adaptive controller's knobs.
type ControllerConfig struct {
	// Interval is how often the controller looks (and the "second" of
	// drops per second).
	Interval time.Duration `yaml:"interval" koanf:"interval"`
	// HighWatermark is the ring-buffer fill ratio (0–1) at or above which
	// the ratio is raised.
	HighWatermark float64 `yaml:"high_watermark" koanf:"high_watermark"`
	// LowWatermark is the fill ratio at or below which an interval counts
	// as calm. Between the two the ratio holds.
	LowWatermark float64 `yaml:"low_watermark" koanf:"low_watermark"`
	// DropsPerSecond: more kernel drops than this per second is pressure
	// (0: any drop is).
	DropsPerSecond float64 `yaml:"drops_per_second" koanf:"drops_per_second"`
	// CalmPeriod is how long it must stay calm before the ratio is halved.
	CalmPeriod time.Duration `yaml:"calm_period" koanf:"calm_period"`
	// MaxRatio caps the ratio (a power of two up to 128).
	MaxRatio uint32 `yaml:"max_ratio" koanf:"max_ratio"`
}

// DefaultConfig returns the defaults: fixed mode, ratio 1, multiplier 0 —
// nothing is sampled away.
func DefaultConfig() Config {
	return Config{Ratio: 1, Multiplier: 0, Mode: ModeFixed, Adaptive: DefaultControllerConfig()}
}

// DefaultControllerConfig returns the adaptive controller's defaults.
func DefaultControllerConfig() ControllerConfig {
	return ControllerConfig{
		Interval:       time.Second,
		HighWatermark:  0.5,
		LowWatermark:   0.1,
		DropsPerSecond: 0,
		CalmPeriod:     30 * time.Second,
		MaxRatio:       MaxRatio,
	}
}

// Validate checks the section; errors name the key and the value.
func (c *Config) Validate() error {
	if !ValidRatio(c.Ratio) {
		return fmt.Errorf("sampling.ratio: must be one of 1, 2, 4, 8, 16, 32, 64, 128, got %d", c.Ratio)
	}
	if c.Multiplier < 0 || math.IsNaN(c.Multiplier) || math.IsInf(c.Multiplier, 0) {
		return fmt.Errorf("sampling.multiplier: must be a finite number >= 0, got %v", c.Multiplier)
	}
	switch c.Mode {
	case ModeFixed:
		return nil
	case ModeAdaptive:
	default:
		return fmt.Errorf("sampling.mode: invalid value %q, want fixed or adaptive", c.Mode)
	}
	if err := c.Adaptive.Validate(); err != nil {
		return err
	}
	if c.Adaptive.MaxRatio < c.Ratio {
		return fmt.Errorf("sampling.adaptive.max_ratio: %d is below sampling.ratio %d", c.Adaptive.MaxRatio, c.Ratio)
	}
	return nil
}

// Validate checks the controller knobs; errors name the key and the value.
func (c *ControllerConfig) Validate() error {
	const p = "sampling.adaptive."
	if c.Interval <= 0 {
		return fmt.Errorf(p+"interval: must be > 0, got %v", c.Interval)
	}
	if !(c.HighWatermark > 0 && c.HighWatermark <= 1) {
		return fmt.Errorf(p+"high_watermark: must be in (0, 1], got %v", c.HighWatermark)
	}
	if !(c.LowWatermark >= 0 && c.LowWatermark < c.HighWatermark) {
		return fmt.Errorf(p+"low_watermark: must be >= 0 and below high_watermark %v, got %v", c.HighWatermark, c.LowWatermark)
	}
	if !(c.DropsPerSecond >= 0) || math.IsInf(c.DropsPerSecond, 0) {
		return fmt.Errorf(p+"drops_per_second: must be a finite number >= 0, got %v", c.DropsPerSecond)
	}
	if c.CalmPeriod < c.Interval {
		return fmt.Errorf(p+"calm_period: must be at least interval %v, got %v", c.Interval, c.CalmPeriod)
	}
	if !ValidRatio(c.MaxRatio) {
		return fmt.Errorf(p+"max_ratio: must be one of 1, 2, 4, 8, 16, 32, 64, 128, got %d", c.MaxRatio)
	}
	return nil
}
