package metrics

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/receiver/event"
)

// fakeKernel stands in for receiver/ebpf's counters; reads counts how often
// the metrics asked.
type fakeKernel struct {
	mu    sync.Mutex
	k     Kernel
	reads int
}

func (f *fakeKernel) read(k *Kernel) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	*k = f.k
	return true
}

func (f *fakeKernel) drop(n uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.k.NEvts += 10 * n
	f.k.NDropsBuffer += n
	f.k.NDropsBufferExit[drops.CatExecve] += n
	f.k.NDrops = f.k.Total()
}

type rig struct {
	kernel  *fakeKernel
	events  drops.EventCounters
	sampler *sampling.Sampler
	ctrl    *sampling.Controller
	mgr     *drops.Manager
	m       *Metrics
}

func newRig(t *testing.T, opts Options) *rig {
	t.Helper()
	r := &rig{kernel: &fakeKernel{}, sampler: sampling.New(1)}
	_ = r.sampler.SetRatio(4)
	_ = r.sampler.SetMultiplier(1)
	var err error
	r.ctrl, err = sampling.NewController(sampling.DefaultControllerConfig(), 1,
		func() sampling.Pressure { return sampling.Pressure{} }, nil, r.sampler)
	if err != nil {
		t.Fatal(err)
	}
	cfg := drops.DefaultConfig()
	cfg.SimulateDrops = true
	cfg.Actions = []string{"log", "alert"}
	r.mgr, err = drops.New(cfg, drops.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := Sources{
		Kernel:     r.kernel.read,
		Events:     r.events.Snapshot,
		Sampler:    r.sampler,
		Controller: r.ctrl,
		Drops:      r.mgr,
		Rules: func(dst []RuleMatch) []RuleMatch {
			return append(dst, RuleMatch{Rule: "Write below etc", Priority: alert.PriorityError, Count: 3},
				RuleMatch{Rule: "Terminal shell in container", Priority: alert.PriorityNotice, Count: 1})
		},
		RuleReloads: func() RuleReloads { return RuleReloads{Succeeded: 4, Failed: 1} },
		ContainerLookups: func() ContainerLookups {
			return ContainerLookups{Resolved: 11, NotFound: 3, Failed: 2, Dropped: 1}
		},
		Outputs: func(dst []exporter.Stats) []exporter.Stats {
			s := exporter.Stats{Output: "stdout", Received: 9, Exported: 7, QueueLen: 2, QueueCap: 1000}
			s.Dropped[exporter.ReasonQueueFull] = 1
			s.Dropped[exporter.ReasonRateLimited] = 1
			return append(dst, s)
		},
	}
	if opts.Build.Version == "" {
		opts.Build = BuildInfo{Version: "1.2.3", EngineVersion: "0.40.0"}
	}
	r.m, err = New(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.m.Shutdown(context.Background()) })
	return r
}

// scrape GETs a /metrics URL and returns series → value.
func scrape(t *testing.T, url string) (map[string]float64, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out, string(body)
}

func startServer(t *testing.T, ep Endpoints) *Server {
	t.Helper()
	cfg := DefaultWebserverConfig()
	cfg.ListenPort = 0
	s, err := NewServer(cfg, ep, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

func TestExposition(t *testing.T) {
	r := newRig(t, Options{})
	srv := startServer(t, Endpoints{Metrics: r.m.Handler()})
	url := "http://" + srv.Addr().String() + "/metrics"

	r.kernel.drop(5)
	r.kernel.k.Sampled = 40
	r.kernel.k.NDropsScratchMap = 2
	r.kernel.k.FillRatio = 0.25
	r.events.Received(drops.SourceEBPF, 100)
	r.events.DecodeError()
	for range 60 {
		r.events.Processed()
	}
	r.events.Flush()
	_ = r.mgr.ProcessEvent(uint64(time.Second))
	_ = r.mgr.ProcessEvent(uint64(3 * time.Second)) // one simulated occurrence
	for range 1000 {
		r.sampler.ShouldDropType(event.SyscallReadX)
	}
	r.sampler.Flush()

	got, body := scrape(t, url)
	want := map[string]float64{
		`saker_events_received_total{source="ebpf"}`:                         100,
		`saker_events_received_total{source="scap"}`:                         0,
		`saker_events_dropped_total{reason="ring_buffer_full"}`:              5,
		`saker_events_dropped_total{reason="scratch_map_full"}`:              2,
		`saker_events_dropped_total{reason="kernel_sampling"}`:               40,
		`saker_events_dropped_total{reason="engine_sampling"}`:               float64(r.sampler.Dropped()),
		`saker_events_dropped_total{reason="decode_error"}`:                  1,
		`saker_events_processed_total`:                                       60,
		`saker_kernel_events_total`:                                          50,
		`saker_kernel_buffer_drops_total{category="execve"}`:                 5,
		`saker_kernel_buffer_drops_total{category="open"}`:                   0,
		`saker_sampling_ratio`:                                               4,
		`saker_sampling_multiplier`:                                          1,
		`saker_sampling_ratio_changes_total{direction="up"}`:                 0,
		`saker_ring_buffer_fill_ratio`:                                       0.25,
		`saker_rules_matches_total{priority="Error",rule="Write below etc"}`: 3,
		`saker_alerts_exported_total{output="stdout"}`:                       7,
		`saker_alerts_dropped_total{output="stdout",reason="queue_full"}`:    1,
		`saker_alerts_dropped_total{output="stdout",reason="rate_limited"}`:  1,
		`saker_output_queue_length{output="stdout"}`:                         2,
		`saker_output_queue_capacity{output="stdout"}`:                       1000,
		`saker_drop_actions_total{action="alert"}`:                           1,
		`saker_drop_actions_total{action="log"}`:                             1,
		`saker_drop_actions_total{action="exit"}`:                            0,
		`saker_drop_occurrences_total`:                                       1,
		`saker_container_metadata_lookups_total{outcome="resolved"}`:         11,
		`saker_container_metadata_lookups_total{outcome="not_found"}`:        3,
		`saker_container_metadata_lookups_total{outcome="failed"}`:           2,
		`saker_container_metadata_dropped_total`:                             1,
		`saker_rules_reloads_total{outcome="succeeded"}`:                     4,
		`saker_rules_reloads_total{outcome="failed"}`:                        1,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if d := r.sampler.Dropped(); d < 600 || d > 900 {
		t.Errorf("engine sampling dropped %d of 1000 at R=4 M=1", d)
	}
	var build bool
	for k, v := range got {
		if strings.HasPrefix(k, "saker_build_info{") && strings.Contains(k, `version="1.2.3"`) && strings.Contains(k, `engine_version="0.40.0"`) && strings.Contains(k, `go_version="go`) && v == 1 {
			build = true
		}
		if strings.Contains(k, "otel_scope") || strings.HasPrefix(k, "target_info") {
			t.Errorf("scope/target info leaked: %s", k)
		}
	}
	if !build {
		t.Errorf("no saker_build_info series:\n%s", body)
	}
	for _, fam := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if _, ok := got[fam]; !ok {
			t.Errorf("runtime collector metric %s missing", fam)
		}
	}
	for _, typ := range []string{"# TYPE saker_events_dropped_total counter", "# TYPE saker_sampling_ratio gauge", "# TYPE saker_ring_buffer_fill_ratio gauge"} {
		if !strings.Contains(body, typ) {
			t.Errorf("missing %q", typ)
		}
	}

	// Kernel counters are read at scrape time, not on a timer: a change is
	// visible at the next scrape, and each scrape reads once.
	readsBefore := r.kernel.reads
	r.kernel.drop(7)
	got, _ = scrape(t, url)
	if v := got[`saker_events_dropped_total{reason="ring_buffer_full"}`]; v != 12 {
		t.Errorf("after 7 more drops: %v, want 12", v)
	}
	if r.kernel.reads != readsBefore+1 {
		t.Errorf("kernel read %d times for one scrape", r.kernel.reads-readsBefore)
	}
	time.Sleep(50 * time.Millisecond)
	if r.kernel.reads != readsBefore+1 {
		t.Error("kernel counters read outside a scrape")
	}
}

// With no kernel (replay), kernel series are absent rather than zero.
func TestReplayHasNoKernelSeries(t *testing.T) {
	var ev drops.EventCounters
	ev.Received(drops.SourceScap, 20)
	ev.Flush()
	m, err := New(Sources{Events: ev.Snapshot}, Options{NoRuntimeCollectors: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	srv := startServer(t, Endpoints{Metrics: m.Handler()})
	got, body := scrape(t, "http://"+srv.Addr().String()+"/metrics")
	if got[`saker_events_received_total{source="scap"}`] != 20 {
		t.Errorf("scap received: %v", got)
	}
	for k := range got {
		if strings.Contains(k, "ring_buffer") || strings.HasPrefix(k, "saker_kernel_") || strings.HasPrefix(k, "go_") {
			t.Errorf("unexpected series %s", k)
		}
	}
	if !strings.Contains(body, "saker_build_info") {
		t.Error("no build info")
	}
}
