package metrics

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/drops"
	"github.com/sakersec/saker/exporter"
)

// BenchmarkScrape measures one collection of saker's metrics (Gather, the
// work of a /metrics scrape before text encoding) with 100 rules and 6
// outputs:
//
//   - OTelBridge: the design in use, OTel SDK instruments read by the
//     Prometheus exporter bridge;
//   - ClientGolang: the baseline, a hand-written client_golang Collector
//     emitting the same series as const metrics.
//
// The ratio is the price of defining the metrics once for both Prometheus
// and OTLP. It is paid per scrape (every 15 s or so), never per event.
func BenchmarkScrape(b *testing.B) {
	k := &fakeKernel{}
	k.drop(1000)
	var ev drops.EventCounters
	ev.Received(drops.SourceEBPF, 1e6)
	ev.Flush()
	rules := make([]RuleMatch, 100)
	for i := range rules {
		rules[i] = RuleMatch{Rule: fmt.Sprintf("rule number %d", i), Priority: alert.Priority(i % 8), Count: uint64(i)}
	}
	outs := make([]exporter.Stats, 6)
	for i := range outs {
		outs[i] = exporter.Stats{Output: fmt.Sprintf("out%d", i), Exported: 10, QueueLen: 1, QueueCap: 100}
	}
	src := Sources{
		Kernel:  k.read,
		Events:  ev.Snapshot,
		Rules:   func(dst []RuleMatch) []RuleMatch { return append(dst, rules...) },
		Outputs: func(dst []exporter.Stats) []exporter.Stats { return append(dst, outs...) },
	}

	b.Run("OTelBridge", func(b *testing.B) {
		m, err := New(src, Options{NoRuntimeCollectors: true})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Registry().Gather(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ClientGolang", func(b *testing.B) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(&baselineCollector{src: src})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := reg.Gather(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// baselineCollector emits the same series as the OTel definitions, the
// client_golang way.
type baselineCollector struct {
	src   Sources
	rules []RuleMatch
	outs  []exporter.Stats
}

var (
	bReceived   = prometheus.NewDesc("saker_events_received_total", "h", []string{"source"}, nil)
	bDropped    = prometheus.NewDesc("saker_events_dropped_total", "h", []string{"reason"}, nil)
	bProcessed  = prometheus.NewDesc("saker_events_processed_total", "h", nil, nil)
	bKernelEvts = prometheus.NewDesc("saker_kernel_events_total", "h", nil, nil)
	bCat        = prometheus.NewDesc("saker_kernel_buffer_drops_total", "h", []string{"category"}, nil)
	bFill       = prometheus.NewDesc("saker_ring_buffer_fill_ratio", "h", nil, nil)
	bRules      = prometheus.NewDesc("saker_rules_matches_total", "h", []string{"rule", "priority"}, nil)
	bExported   = prometheus.NewDesc("saker_alerts_exported_total", "h", []string{"output"}, nil)
	bADropped   = prometheus.NewDesc("saker_alerts_dropped_total", "h", []string{"output", "reason"}, nil)
	bQLen       = prometheus.NewDesc("saker_output_queue_length", "h", []string{"output"}, nil)
	bQCap       = prometheus.NewDesc("saker_output_queue_capacity", "h", []string{"output"}, nil)
	bBuild      = prometheus.NewDesc("saker_build_info", "h", []string{"version"}, nil)
)

func (c *baselineCollector) Describe(ch chan<- *prometheus.Desc) {
	prometheus.DescribeByCollect(c, ch)
}

func (c *baselineCollector) Collect(ch chan<- prometheus.Metric) {
	cm := func(d *prometheus.Desc, t prometheus.ValueType, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, t, v, l...)
	}
	cm(bBuild, prometheus.GaugeValue, 1, "x")
	var k Kernel
	c.src.Kernel(&k)
	cm(bDropped, prometheus.CounterValue, float64(k.NDropsBuffer), ReasonRingBufferFull)
	cm(bDropped, prometheus.CounterValue, float64(k.NDropsScratchMap), ReasonScratchMap)
	cm(bDropped, prometheus.CounterValue, float64(k.NDropsMaxEventSize), ReasonEventTooLarge)
	cm(bDropped, prometheus.CounterValue, float64(k.Sampled), ReasonKernelSampling)
	cm(bKernelEvts, prometheus.CounterValue, float64(k.NEvts))
	for i := range drops.NumBufferCategories {
		cm(bCat, prometheus.CounterValue, float64(k.NDropsBufferExit[i]), drops.BufferCategory(i).String())
	}
	cm(bFill, prometheus.GaugeValue, k.FillRatio)
	e := c.src.Events()
	for i := range drops.NumSources {
		cm(bReceived, prometheus.CounterValue, float64(e.Received[i]), drops.Source(i).String())
	}
	cm(bDropped, prometheus.CounterValue, float64(e.DecodeErrors), ReasonDecodeError)
	cm(bProcessed, prometheus.CounterValue, float64(e.Processed))
	c.rules = c.src.Rules(c.rules[:0])
	for _, r := range c.rules {
		cm(bRules, prometheus.CounterValue, float64(r.Count), r.Rule, r.Priority.String())
	}
	c.outs = c.src.Outputs(c.outs[:0])
	for _, s := range c.outs {
		cm(bExported, prometheus.CounterValue, float64(s.Exported), s.Output)
		for _, r := range exporter.Reasons() {
			cm(bADropped, prometheus.CounterValue, float64(s.Dropped[r]), s.Output, r.String())
		}
		cm(bQLen, prometheus.GaugeValue, float64(s.QueueLen), s.Output)
		cm(bQCap, prometheus.GaugeValue, float64(s.QueueCap), s.Output)
	}
}
