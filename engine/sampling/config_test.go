package sampling

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	def := DefaultConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cases := []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Ratio = 3 }, "sampling.ratio: must be one of 1, 2, 4, 8, 16, 32, 64, 128, got 3"},
		{func(c *Config) { c.Ratio = 0 }, "sampling.ratio: must be one of"},
		{func(c *Config) { c.Ratio = 256 }, "got 256"},
		{func(c *Config) { c.Multiplier = -0.5 }, "sampling.multiplier: must be a finite number >= 0, got -0.5"},
		{func(c *Config) { c.Mode = "auto" }, `sampling.mode: invalid value "auto", want fixed or adaptive`},
		{func(c *Config) { c.Mode = ModeAdaptive; c.Adaptive.Interval = 0 }, "sampling.adaptive.interval: must be > 0"},
		{func(c *Config) { c.Mode = ModeAdaptive; c.Adaptive.HighWatermark = 1.5 }, "sampling.adaptive.high_watermark: must be in (0, 1], got 1.5"},
		{func(c *Config) { c.Mode = ModeAdaptive; c.Adaptive.LowWatermark = 0.5 }, "sampling.adaptive.low_watermark: must be >= 0 and below high_watermark 0.5, got 0.5"},
		{func(c *Config) { c.Mode = ModeAdaptive; c.Adaptive.DropsPerSecond = -1 }, "sampling.adaptive.drops_per_second"},
		{func(c *Config) { c.Mode = ModeAdaptive; c.Adaptive.CalmPeriod = 10 * time.Millisecond }, "sampling.adaptive.calm_period: must be at least interval 1s, got 10ms"},
		{func(c *Config) { c.Mode = ModeAdaptive; c.Adaptive.MaxRatio = 100 }, "sampling.adaptive.max_ratio: must be one of"},
		{func(c *Config) { c.Mode = ModeAdaptive; c.Ratio = 16; c.Adaptive.MaxRatio = 8 }, "sampling.adaptive.max_ratio: 8 is below sampling.ratio 16"},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
	// Fixed mode does not look at the adaptive knobs.
	c := DefaultConfig()
	c.Adaptive.Interval = 0
	if err := c.Validate(); err != nil {
		t.Errorf("fixed mode checked adaptive knobs: %v", err)
	}
}
