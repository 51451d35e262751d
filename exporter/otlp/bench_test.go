package otlp

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/internal/testenv"
)

// runThroughput pushes alerts through a dispatcher with one OTLP/gRPC output
// to endpoint for as long as the benchmark runs. The producer only waits
// when the queue is nearly full, so the rate measured is the export
// pipeline's (conversion, marshalling, gRPC, the receiver), and nothing is
// dropped. It returns the number of alerts and the wall time including the
// final flush.
func runThroughput(b *testing.B, endpoint string) (int, time.Duration) {
	cfg := testConfig(endpoint, "grpc")
	cfg.Compression = "none" // loopback: compression costs CPU, saves nothing
	cfg.Queue.Size = 1 << 16
	cfg.Batch.MaxSize = 1024
	cfg.Queue.NumConsumers = Default().Queue.NumConsumers
	dst, err := NewDestination(cfg, Settings{ServiceVersion: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	d, err := exporter.New(exporter.Options{}, dst)
	if err != nil {
		b.Fatal(err)
	}
	a := fileAlert()
	stats := make([]exporter.Stats, 0, 1)
	n := 0
	start := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if n%512 == 0 {
			for {
				stats = d.Stats(stats[:0])
				if stats[0].QueueLen < stats[0].QueueCap-1024 {
					break
				}
				time.Sleep(100 * time.Microsecond)
			}
		}
		d.Enqueue(a)
		n++
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	st := d.Stats(nil)[0]
	if st.Exported != uint64(n) || st.DroppedTotal() != 0 {
		b.Fatalf("produced %d, exported %d, dropped %v", n, st.Exported, st.Dropped)
	}
	return n, elapsed
}

// BenchmarkOTLPGRPC measures alerts/s and allocations per alert from
// Enqueue to an acknowledged OTLP/gRPC export. "collector" sends to the real
// collector (debug exporter, so the collector does little besides decoding)
// and checks through the collector's own metrics that it accepted every
// alert; "inprocess" sends to a receiver in this process, the baseline
// without the collector's cost on the shared CPUs. The target is ≥ 50k
// alerts/s into the collector (target_ratio ≥ 1).
func BenchmarkOTLPGRPC(b *testing.B) {
	b.Run("inprocess", func(b *testing.B) {
		sink := testenv.StartLogSink(b)
		sink.CountOnly.Store(true)
		n, el := runThroughput(b, sink.Endpoint)
		if got := sink.Count(); got != n {
			b.Fatalf("sink counted %d of %d", got, n)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "alerts/s")
	})
	b.Run("collector", func(b *testing.B) {
		col := testenv.StartCollector(b, testenv.CollectorOptions{Debug: true})
		base, _ := col.Metric("otelcol_receiver_accepted_log_records")
		n, el := runThroughput(b, col.GRPCEndpoint)
		accepted, err := col.Metric("otelcol_receiver_accepted_log_records")
		if err != nil {
			b.Fatal(err)
		}
		refused, _ := col.Metric("otelcol_receiver_refused_log_records")
		if int(accepted-base) != n || refused != 0 {
			b.Fatalf("collector accepted %v and refused %v of %d alerts", accepted-base, refused, n)
		}
		rate := float64(n) / el.Seconds()
		b.ReportMetric(rate, "alerts/s")
		b.ReportMetric(rate/50000, "target_ratio")
	})
}

// BenchmarkConvert is the alert → pdata conversion alone, in batches of 512.
func BenchmarkConvert(b *testing.B) {
	c := newConverter(ResourceConfig{}, "bench", "h")
	in := make([]*alert.Alert, 512)
	for i := range in {
		in[i] = fileAlert()
	}
	now := time.Now()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ReportAllocs()
	for b.Loop() {
		_ = c.build(in, now)
	}
	runtime.ReadMemStats(&ms1)
	alerts := float64(b.N * len(in))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/alerts, "ns/alert")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/alerts, "allocs/alert")
}
