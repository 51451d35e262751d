package scap_test

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/scap/scaptest"
)

// benchEvents is the size of the benchmark capture.
const benchEvents = 2_000_000

// sysdigBaselines caches sysdig's events/s per file for the run.
var sysdigBaselines = map[string]float64{}

// sysdigEventsPerSecond times `sysdig -r FILE 'proc.name=no-such-proc'`
// (which decodes and parses every event and prints none) once per file
// and run.
func sysdigEventsPerSecond(b *testing.B, path string, events int) float64 {
	if r, ok := sysdigBaselines[path]; ok {
		return r
	}
	bin, err := exec.LookPath("sysdig")
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("sysdig baseline: %v", err)
		}
		b.Logf("no sysdig baseline: %v", err)
		return 0
	}
	start := time.Now()
	out, err := exec.Command(bin, "-r", path, "proc.name=no-such-proc").CombinedOutput()
	if err != nil {
		b.Fatalf("sysdig baseline: %v %s", err, out)
	}
	r := float64(events) / time.Since(start).Seconds()
	sysdigBaselines[path] = r
	return r
}

// BenchmarkDecode reads a ≥2M-event capture (a real trace repeated with
// shifted timestamps) with Reader.Next and reports events/s, CPU
// ns/event, allocations per event on the decode path (from the first
// event on), and the ratio to sysdig's events/s on the same file
// measured in the same run.
func BenchmarkDecode(b *testing.B) { benchDecode(b, scap.WriterOptions{}) }

// BenchmarkDecodeGzip is BenchmarkDecode on the capture gzip-compressed.
func BenchmarkDecodeGzip(b *testing.B) { benchDecode(b, scap.WriterOptions{Gzip: true}) }

func benchDecode(b *testing.B, opts scap.WriterOptions) {
	path, n, err := scaptest.CachedLargeCaptureOptions(scaptest.DefaultTrace(), benchEvents, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var events, mallocs uint64
	var elapsed, cpu time.Duration
	var e event.Event
	var ms runtime.MemStats
	for b.Loop() {
		start, cpu0 := time.Now(), cpuTime()
		r, err := scap.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&ms)
		m0 := ms.Mallocs
		for {
			err := r.Next(&e)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			events++
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		runtime.ReadMemStats(&ms)
		mallocs += ms.Mallocs - m0
		r.Close()
	}
	if events == 0 {
		return
	}
	evps := float64(events) / elapsed.Seconds()
	b.ReportMetric(evps, "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(events), "cpu-ns/event")
	b.ReportMetric(float64(mallocs)/float64(events), "allocs/event")
	if s := sysdigEventsPerSecond(b, path, n); s > 0 {
		b.ReportMetric(s, "sysdig-events/s")
		b.ReportMetric(evps/s, "x-sysdig")
	}
}

// cpuTime is this process's user+system CPU time: on a shared, loaded
// machine it is a steadier cost measure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
