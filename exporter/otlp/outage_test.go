package otlp

import (
	"context"
	"testing"
	"time"

	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/internal/testenv"
)

// The collector is stopped while alerts keep coming and started again 20 s
// later. Two outputs see the same alerts: "big" has room for the whole
// outage, so every alert must arrive exactly once; "small" has a queue far
// smaller than the burst, so some are dropped, and delivered + counted as
// dropped must equal produced, with nothing delivered twice.
func TestCollectorOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("20 s outage; skipped with -short")
	}
	const (
		before, during, after = 40, 1000, 100
		produced              = before + during + after
		outage                = 20 * time.Second
	)
	sink := testenv.StartLogSink(t)
	col := testenv.StartCollector(t, testenv.CollectorOptions{ForwardTo: sink.Endpoint})

	mk := func(name string, queue int) exporter.Destination {
		cfg := testConfig(col.GRPCEndpoint, "grpc")
		cfg.Queue.Size = queue
		cfg.Queue.NumConsumers = Default().Queue.NumConsumers // batches in flight side by side
		cfg.Batch.MaxSize = 100
		cfg.Retry.InitialInterval, cfg.Retry.MaxInterval = 200*time.Millisecond, time.Second
		cfg.Retry.MaxElapsedTime = 0 // ride out any outage; shutdown ends it
		cfg.Resource.Attributes = map[string]string{"test.output": name}
		e, err := New(cfg, Settings{})
		if err != nil {
			t.Fatal(err)
		}
		return exporter.Destination{Name: name, Output: e, Queue: e.QueueConfig()}
	}
	d, err := exporter.New(exporter.Options{}, mk("big", 5000), mk("small", 50))
	if err != nil {
		t.Fatal(err)
	}
	seq := 0
	// produce enqueues n alerts, spread evenly over spread in steps of 10.
	produce := func(n int, spread time.Duration) {
		start := time.Now()
		for i := range n {
			d.Enqueue(seqAlert("outage", seq))
			seq++
			if spread > 0 && i%10 == 9 {
				time.Sleep(time.Until(start.Add(spread * time.Duration(i+1) / time.Duration(n))))
			}
		}
	}

	produce(before, 0)
	if n := sink.WaitFor(2*before, 15*time.Second); n != 2*before {
		t.Fatalf("before the outage the sink got %d records, want %d", n, 2*before)
	}
	if err := col.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	produce(during, outage*9/10) // while the collector is down
	time.Sleep(time.Until(stopped.Add(outage)))
	if err := col.Start(); err != nil {
		t.Fatal(err)
	}
	produce(after, 0)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	stats := map[string]exporter.Stats{}
	for _, s := range d.Stats(nil) {
		stats[s.Output] = s
	}
	// Close returned once the collector accepted everything; give its
	// exporter a moment to forward to the sink.
	want := int(stats["big"].Exported + stats["small"].Exported)
	if n := sink.WaitFor(want, 30*time.Second); n != want {
		t.Fatalf("sink has %d records, outputs exported %d", n, want)
	}

	seen := map[string]map[int64]int{"big": {}, "small": {}}
	for _, r := range sink.Records() {
		out, _ := r.Resource.Attributes().Get("test.output")
		s, _ := r.Attributes().Get("seq")
		seen[out.Str()][s.Int()]++
	}
	for name, m := range seen {
		for s, n := range m {
			if n != 1 {
				t.Errorf("%s: alert %d delivered %d times", name, s, n)
			}
		}
		st := stats[name]
		t.Logf("%s: produced %d, delivered %d, dropped %v", name, produced, len(m), st.Dropped)
		if st.Received != produced {
			t.Errorf("%s: received %d, want %d", name, st.Received, produced)
		}
		if got := uint64(len(m)) + st.DroppedTotal(); got != produced {
			t.Errorf("%s: delivered %d + dropped %d = %d, want %d", name, len(m), st.DroppedTotal(), got, produced)
		}
		if uint64(len(m)) != st.Exported {
			t.Errorf("%s: sink saw %d distinct alerts, exporter counted %d exported", name, len(m), st.Exported)
		}
	}
	if len(seen["big"]) != produced {
		t.Errorf("big: %d of %d alerts arrived; the queue had room for all", len(seen["big"]), produced)
	}
	if s := stats["small"]; s.Dropped[exporter.ReasonQueueFull] == 0 {
		t.Errorf("small: nothing dropped for queue_full with a queue of 50 and a burst of %d", during)
	}
}
