package exporter

import (
	"context"
	"testing"

	"github.com/sakersec/saker/engine/alert"
)

type discard struct{}

func (discard) Send(context.Context, []*alert.Alert) error { return nil }
func (discard) Close() error                               { return nil }

// BenchmarkEnqueue is the cost the engine pays per alert to hand it to
// three outputs, against the baseline of one bare non-blocking channel
// send per output (what the fan-out fundamentally does). It must not
// allocate.
func BenchmarkEnqueue(b *testing.B) {
	a := &alert.Alert{Rule: "r"}
	b.Run("baseline_chan", func(b *testing.B) {
		chs := []chan *alert.Alert{make(chan *alert.Alert, 1<<16), make(chan *alert.Alert, 1<<16), make(chan *alert.Alert, 1<<16)}
		for _, ch := range chs {
			go func() {
				for range ch {
				}
			}()
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, ch := range chs {
				select {
				case ch <- a:
				default:
				}
			}
		}
		for _, ch := range chs {
			close(ch)
		}
	})
	b.Run("dispatcher", func(b *testing.B) {
		q := QueueConfig{Capacity: 1 << 16}
		d, err := New(Options{}, Destination{Name: "a", Output: discard{}, Queue: q}, Destination{Name: "b", Output: discard{}, Queue: q}, Destination{Name: "c", Output: discard{}, Queue: q})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			d.Enqueue(a)
		}
		b.StopTimer()
		_ = d.Close(context.Background())
	})
}
