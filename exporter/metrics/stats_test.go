package metrics

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStatsWriter(t *testing.T) {
	r := newRig(t, Options{NoRuntimeCollectors: true})
	r.kernel.drop(10) // 100 events, 10 drops
	path := filepath.Join(t.TempDir(), "stats.jsonl")
	w, err := StartStatsWriter(path, 40*time.Millisecond, r.m.Registry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	r.kernel.drop(30) // +300 events, +30 drops
	time.Sleep(100 * time.Millisecond)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []statsLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l statsLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) < 3 {
		t.Fatalf("%d lines in 200 ms at 40 ms, want several", len(lines))
	}
	var sumEvents, sumDrops uint64
	for i, l := range lines {
		if l.Sample != uint64(i+1) {
			t.Errorf("line %d has sample %d", i, l.Sample)
		}
		if _, err := time.Parse(time.RFC3339Nano, l.Time); err != nil {
			t.Errorf("line %d time %q: %v", i, l.Time, err)
		}
		sumEvents += l.Delta.Events
		sumDrops += l.Delta.Drops
		if l.Delta.Events > 0 && l.DropPct != float64(l.Delta.Drops)/float64(l.Delta.Events)*100 {
			t.Errorf("line %d drop_pct %v for %+v", i, l.DropPct, l.Delta)
		}
	}
	last := lines[len(lines)-1]
	if last.Cur.Events != 400 || last.Cur.Drops != 40 || sumEvents != 400 || sumDrops != 40 {
		t.Errorf("last cur %+v, delta sums %d/%d, want 400 events 40 drops", last.Cur, sumEvents, sumDrops)
	}
	if v := last.Metrics[`saker_events_dropped_total{reason="ring_buffer_full"}`]; v != 40 {
		t.Errorf("metrics map ring_buffer_full = %v, want 40 (map: %v)", v, last.Metrics)
	}
	if v := last.Metrics["saker_sampling_ratio"]; v != 4 {
		t.Errorf("metrics map sampling ratio = %v", v)
	}

	if _, err := StartStatsWriter(path, 0, r.m.Registry(), nil); err == nil {
		t.Error("interval 0 accepted")
	}
	if _, err := StartStatsWriter(filepath.Join(t.TempDir(), "no", "such", "dir"), time.Second, r.m.Registry(), nil); err == nil {
		t.Error("unwritable path accepted")
	}
}
