package drops

import (
	"testing"

	"github.com/sakersec/saker/engine/sampling"
	"github.com/sakersec/saker/receiver/event"
)

// Per-event cost of drop monitoring and counting on the hot path, against a
// baseline loop that only advances the timestamp.

var sinkTS uint64

func BenchmarkHotPath(b *testing.B) {
	b.Run("Baseline", func(b *testing.B) {
		ts := uint64(1)
		b.ReportAllocs()
		for b.Loop() {
			ts += 1000
			sinkTS = ts
		}
	})
	b.Run("ProcessEvent", func(b *testing.B) { // 1 µs apart: a check every 1000 events
		k := &kernel{}
		m, _ := New(DefaultConfig(), Options{Counters: k.read})
		ts := uint64(1)
		b.ReportAllocs()
		for b.Loop() {
			ts += 1000
			if err := m.ProcessEvent(ts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ProcessEventAndCounters", func(b *testing.B) {
		k := &kernel{}
		m, _ := New(DefaultConfig(), Options{Counters: k.read})
		var c EventCounters
		ts, n := uint64(1), 0
		b.ReportAllocs()
		for b.Loop() {
			ts += 1000
			c.Received(SourceEBPF, 1)
			if err := m.ProcessEvent(ts); err != nil {
				b.Fatal(err)
			}
			c.Processed()
			if n++; n == 64 { // a flush per batch of 64 events
				c.Flush()
				n = 0
			}
		}
	})
}

// BenchmarkSamplingAndCounting is everything this package and
// engine/sampling add per event on the event loop — drop-manager check,
// should_drop, pipeline counters with a flush per 64 events — against a
// baseline that only reads the event's type and time. Default is sampling
// off (R 1, M 0); R4M1 drops three events in four.
func BenchmarkSamplingAndCounting(b *testing.B) {
	var bld event.Builder
	bld.Begin(event.SyscallReadX, 1, 1)
	ev, err := event.Parse(bld.Finish(), 0)
	if err != nil {
		b.Fatal(err)
	}
	var sinkBool bool
	b.Run("Baseline", func(b *testing.B) {
		ts := uint64(1)
		b.ReportAllocs()
		for b.Loop() {
			ts += 1000
			sinkTS = ts + ev.Timestamp()
			sinkBool = ev.Type() == event.DropE
		}
	})
	for _, tc := range []struct {
		name string
		r    uint32
		m    float64
	}{{"Default", 1, 0}, {"R4M1", 4, 1}} {
		b.Run(tc.name, func(b *testing.B) {
			k := &kernel{}
			m, _ := New(DefaultConfig(), Options{Counters: k.read})
			s := sampling.New(1)
			_ = s.SetRatio(tc.r)
			_ = s.SetMultiplier(tc.m)
			var c EventCounters
			ts, n := uint64(1), 0
			b.ReportAllocs()
			for b.Loop() {
				ts += 1000
				sinkTS = ts + ev.Timestamp()
				if err := m.ProcessEvent(ts); err != nil {
					b.Fatal(err)
				}
				if n++; n == 64 {
					c.Flush()
					s.Flush()
					n = 0
				}
				if sinkBool = s.ShouldDrop(ev); !sinkBool {
					c.Processed()
				}
			}
		})
	}
}
