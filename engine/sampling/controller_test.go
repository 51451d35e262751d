package sampling

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// fakeKernel is the kernel side as the controller sees it: a ratio it is
// told and the pressure the test scripts.
type fakeKernel struct {
	ratio  uint32
	p      Pressure
	refuse bool
}

func (k *fakeKernel) SetSamplingRatio(r uint32) error {
	if k.refuse {
		return errors.New("map update failed")
	}
	k.ratio = r
	return nil
}

type rig struct {
	t    *testing.T
	k    *fakeKernel
	s    *Sampler
	c    *Controller
	now  time.Time
	logs *bytes.Buffer
}

func newRig(t *testing.T, cfg ControllerConfig, floor uint32) *rig {
	r := &rig{t: t, k: &fakeKernel{}, s: New(1), now: time.Unix(1000, 0), logs: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(r.logs, nil))
	c, err := NewController(cfg, floor, func() Pressure { return r.k.p }, log, r.k, r.s)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	if err := c.Apply(); err != nil {
		t.Fatal(err)
	}
	return r
}

// step advances the fake clock one interval with the given pressure and
// checks that kernel, engine and controller agree on want.
func (r *rig) step(fill float64, newDrops uint64, want uint32) {
	r.t.Helper()
	r.now = r.now.Add(time.Second)
	r.k.p.FillRatio = fill
	r.k.p.Drops += newDrops
	got := r.c.Step(r.now)
	if got != want || r.k.ratio != want || r.s.Ratio() != want || r.c.Ratio() != want {
		r.t.Fatalf("at %v fill %.2f +%d drops: controller %d kernel %d engine %d, want %d",
			r.now.Sub(time.Unix(1000, 0)), fill, newDrops, got, r.k.ratio, r.s.Ratio(), want)
	}
}

func testCfg() ControllerConfig {
	c := DefaultControllerConfig()
	c.CalmPeriod = 3 * time.Second
	return c
}

func TestControllerDoublesUnderPressureAndHalvesWhenCalm(t *testing.T) {
	r := newRig(t, testCfg(), 1)
	r.step(0.0, 0, 1) // primes the drop counter
	r.step(0.9, 0, 2) // fill above the high watermark
	r.step(0.2, 500, 4)
	r.step(0.2, 100, 8) // still dropping
	r.step(0.3, 0, 8)   // in the band: hold
	r.step(0.05, 0, 8)  // calm starts
	r.step(0.05, 0, 8)
	r.step(0.05, 0, 8)
	r.step(0.05, 0, 4) // 3 s of calm
	r.step(0.05, 0, 4)
	r.step(0.3, 0, 4) // band: the calm stretch restarts
	r.step(0.05, 0, 4)
	r.step(0.05, 0, 4)
	r.step(0.05, 0, 4)
	r.step(0.05, 0, 2)
	if r.c.Increases() != 3 || r.c.Decreases() != 2 {
		t.Errorf("increases %d decreases %d, want 3 and 2", r.c.Increases(), r.c.Decreases())
	}
	if n := strings.Count(r.logs.String(), "sampling ratio changed"); n != 5 {
		t.Errorf("%d change log lines, want 5:\n%s", n, r.logs)
	}
	if !strings.Contains(r.logs.String(), "from=4 to=8 reason=pressure") {
		t.Errorf("log lacks the 4→8 change:\n%s", r.logs)
	}
}

func TestControllerBounds(t *testing.T) {
	cfg := testCfg()
	cfg.MaxRatio = 8
	r := newRig(t, cfg, 2)
	if r.k.ratio != 2 || r.s.Ratio() != 2 {
		t.Fatalf("Apply did not set the floor: kernel %d engine %d", r.k.ratio, r.s.Ratio())
	}
	r.step(1, 10, 4)
	r.step(1, 10, 8)
	r.step(1, 10, 8) // capped
	for range 3 {
		r.step(0, 0, 8)
	}
	r.step(0, 0, 4)
	for range 3 {
		r.step(0, 0, 4)
	}
	r.step(0, 0, 2)
	for range 10 {
		r.step(0, 0, 2) // never below the floor
	}
}

func TestControllerDropsPerSecondThreshold(t *testing.T) {
	cfg := testCfg()
	cfg.DropsPerSecond = 100
	r := newRig(t, cfg, 1)
	r.step(0, 0, 1)
	r.step(0.2, 100, 1) // 100/s is not more than 100/s
	r.step(0.2, 101, 2)
}

// A decrease followed at once by pressure doubles the calm period needed
// for the next decrease: the ratio does not flap with the calm period.
func TestControllerBacksOffAfterPrematureDecrease(t *testing.T) {
	r := newRig(t, testCfg(), 1)
	r.step(0, 0, 1)
	r.step(1, 0, 2)
	for range 3 {
		r.step(0, 0, 2)
	}
	r.step(0, 0, 1) // decrease after 3 s calm
	r.step(1, 0, 2) // pressure right away: the calm period becomes 6 s
	for range 6 {
		r.step(0, 0, 2)
	}
	r.step(0, 0, 1) // only after 6 s
	for range 5 {
		r.step(0, 0, 1)
	}
	r.step(0, 0, 1) // the decrease stood 6 s: the calm period is 3 s again
	r.step(1, 0, 2)
	for range 3 {
		r.step(0, 0, 2)
	}
	r.step(0, 0, 1)
}

func TestControllerRollsBackWhenKernelRefuses(t *testing.T) {
	r := newRig(t, testCfg(), 1)
	r.step(0, 0, 1)
	r.k.refuse = true
	r.step(1, 5, 1)
	if r.c.Failures() != 1 || r.c.Increases() != 0 {
		t.Fatalf("failures %d increases %d", r.c.Failures(), r.c.Increases())
	}
	r.k.refuse = false
	r.step(1, 5, 2)
	if !strings.Contains(r.logs.String(), "sampling ratio change failed") {
		t.Errorf("failure not logged:\n%s", r.logs)
	}
}

func TestNewControllerRejects(t *testing.T) {
	read := func() Pressure { return Pressure{} }
	bad := DefaultControllerConfig()
	bad.LowWatermark = 0.9
	if _, err := NewController(bad, 1, read, nil); err == nil {
		t.Error("low watermark above high accepted")
	}
	cfg := DefaultControllerConfig()
	cfg.MaxRatio = 4
	if _, err := NewController(cfg, 8, read, nil); err == nil {
		t.Error("floor above max accepted")
	}
	if _, err := NewController(cfg, 3, read, nil); err == nil {
		t.Error("floor 3 accepted")
	}
	if _, err := NewController(cfg, 1, nil, nil); err == nil {
		t.Error("nil pressure func accepted")
	}
}
