package metrics

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/sakersec/saker/internal/testenv"
)

// TestRealPrometheus has a real Prometheus (the Debian package) scrape
// saker's /metrics while the kernel counters drop 500 events per second,
// then asks it, in PromQL over its HTTP API, for the drop rate and the
// sampling ratio.
func TestRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus server")
	}
	r := newRig(t, Options{})
	srv := startServer(t, Endpoints{Metrics: r.m.Handler()})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // 50 drops every 100 ms: 500/s
		defer wg.Done()
		tk := time.NewTicker(100 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
				r.kernel.drop(50)
			}
		}
	}()
	defer func() { cancel(); wg.Wait() }()

	prom := testenv.StartPrometheus(t, time.Second, srv.Addr().String())
	prom.WaitQuery(t, `up{job="saker"}`, 20*time.Second, func(s []testenv.PromSample) bool {
		return len(s) == 1 && s[0].Value == 1
	})
	// rate() over a window holding fewer samples than it spans
	// under-extrapolates: wait until the 5 s window is full.
	prom.WaitQuery(t, `count_over_time(saker_events_dropped_total{reason="ring_buffer_full"}[5s])`, 30*time.Second,
		func(s []testenv.PromSample) bool { return len(s) == 1 && s[0].Value >= 5 })
	res := prom.WaitQuery(t, `rate(saker_events_dropped_total{reason="ring_buffer_full"}[5s])`, 10*time.Second,
		func(s []testenv.PromSample) bool { return len(s) == 1 && s[0].Value > 0 })
	t.Logf("PromQL drop rate: %.1f events/s", res[0].Value)
	if v := res[0].Value; math.Abs(v-500) > 150 {
		t.Errorf("drop rate %v/s, want about 500/s", v)
	}
	res = prom.WaitQuery(t, `saker_sampling_ratio`, 10*time.Second, func(s []testenv.PromSample) bool { return len(s) == 1 })
	if res[0].Value != 4 {
		t.Errorf("sampling ratio %v, want 4", res[0].Value)
	}
	// The drop ratio an alert rule would use: drops per kernel event.
	res = prom.WaitQuery(t, `sum(rate(saker_events_dropped_total{reason=~"ring_buffer_full|scratch_map_full"}[5s])) / sum(rate(saker_kernel_events_total[5s]))`,
		10*time.Second, func(s []testenv.PromSample) bool { return len(s) == 1 && !math.IsNaN(s[0].Value) })
	t.Logf("PromQL drop ratio: %.3f", res[0].Value)
	if v := res[0].Value; math.Abs(v-0.1) > 0.02 {
		t.Errorf("drop ratio %v, want 0.1", v)
	}
}
