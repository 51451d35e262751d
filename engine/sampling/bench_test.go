package sampling

import (
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// The benchmarks measure ShouldDrop per event. Compare against Baseline,
// which does the same loop with only the event-type read a caller does
// anyway: the difference is the cost of sampling on the hot path.

var sink bool

func BenchmarkShouldDrop(b *testing.B) {
	read := mustEvent(b, event.SyscallReadX)
	execve := mustEvent(b, event.SyscallExecveV19X)
	b.Run("Baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = read.Type() == event.DropE
		}
	})
	b.Run("Off", func(b *testing.B) { // R 1, M 0: the default
		s := New(1)
		b.ReportAllocs()
		for b.Loop() {
			sink = s.ShouldDrop(read)
		}
	})
	b.Run("R4M1", func(b *testing.B) {
		s := New(1)
		_ = s.SetRatio(4)
		_ = s.SetMultiplier(1)
		b.ReportAllocs()
		for b.Loop() {
			sink = s.ShouldDrop(read)
		}
	})
	b.Run("R4M1StateEvent", func(b *testing.B) {
		s := New(1)
		_ = s.SetRatio(4)
		_ = s.SetMultiplier(1)
		b.ReportAllocs()
		for b.Loop() {
			sink = s.ShouldDrop(execve)
		}
	})
}
