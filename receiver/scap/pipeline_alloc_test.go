package scap_test

import (
	"runtime"
	"testing"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/scap/scaptest"
)

// TestPipelineAllocatesNothing replays 200k-event captures (old: enter
// and exit events, a fourth of them converted; exit-only: nothing to
// convert), plain and gzip, through a Pipeline and checks that the
// steady state allocates nothing per event: it may allocate a few
// hundred times per file (batches growing to their size) more than
// Reader + Converter on the same file (the Converter's first buffer per
// thread; the gzip inflater allocates per deflate block).
func TestPipelineAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 200k-event captures")
	}
	for _, exitOnly := range []bool{false, true} {
		for _, gz := range []bool{false, true} {
			capture := scaptest.CachedLargeCaptureOptions
			if exitOnly {
				capture = scaptest.CachedExitOnlyCapture
			}
			path, n, err := capture(scaptest.DefaultTrace(), 200_000, scap.WriterOptions{Gzip: gz})
			if err != nil {
				t.Fatal(err)
			}
			serial := serialMallocs(t, path)
			r, err := scap.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			m0 := ms.Mallocs
			p := scap.NewPipeline(r, scap.PipelineOptions{})
			events, converted := 0, 0
			for p.Next() {
				events++
				if p.Converted() {
					converted++
				}
			}
			if err := p.Err(); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&ms)
			mallocs := ms.Mallocs - m0
			p.Close()
			if events != n {
				t.Fatalf("exit-only %v gzip %v: %d events, the capture has %d", exitOnly, gz, events, n)
			}
			if exitOnly != (converted == 0) {
				t.Fatalf("exit-only %v: %d events converted", exitOnly, converted)
			}
			t.Logf("exit-only %v gzip %v: %d events (%d converted), %d allocations (Reader + Converter: %d)", exitOnly, gz, events, converted, mallocs, serial)
			if mallocs > serial+400 {
				t.Errorf("exit-only %v gzip %v: %d allocations for %d events, Reader + Converter %d", exitOnly, gz, mallocs, events, serial)
			}
		}
	}
}

// serialMallocs counts the allocations of the reading path, Reader.Next
// and Converter.Convert, from the first event.
func serialMallocs(t *testing.T, path string) uint64 {
	r, err := scap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := scap.NewConverter()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m0 := ms.Mallocs
	var e event.Event
	for r.Next(&e) == nil {
		c.Convert(&e)
	}
	runtime.ReadMemStats(&ms)
	return ms.Mallocs - m0
}
