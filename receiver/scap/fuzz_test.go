package scap

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// FuzzReader feeds arbitrary bytes to the block reader: it must return an
// error or events, never panic, loop forever, or allocate by a corrupt
// length. Seeded with every trace (uncompressed, so the fuzzer mutates
// blocks rather than the gzip stream) and a synthetic capture with every
// block type the writer emits.
func FuzzReader(f *testing.F) {
	for _, path := range traceFiles(f) {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
			if plain, err := io.ReadAll(zr); err == nil {
				raw = plain
			}
		}
		// Keep seeds small enough for the fuzzer to mutate usefully: the
		// header, metadata and first events.
		if len(raw) > 64<<10 {
			raw = raw[:64<<10]
		}
		f.Add(raw)
	}
	f.Add(sampleCapture(f, sampleMetadata(), false))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := NewReader(bytes.NewReader(raw))
		if err != nil {
			return
		}
		// the same input read by the general path only: Next's fast path
		// must deliver exactly what it would
		g, err := NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("second reader: %v", err)
		}
		g.generalOnly = true
		var e, ge event.Event
		for i := 0; i < 1<<16; i++ {
			err := r.Next(&e)
			gerr := g.Next(&ge)
			if (err == nil) != (gerr == nil) || err != nil && err.Error() != gerr.Error() {
				t.Fatalf("event %d: fast path err %v, general path err %v", i, err, gerr)
			}
			if err != nil {
				return
			}
			if !bytes.Equal(e.Raw(), ge.Raw()) || e.CPU != ge.CPU || e.Num != ge.Num ||
				r.Visibility() != g.Visibility() || r.Offset() != g.Offset() || r.flags != g.flags || r.hasFlags != g.hasFlags {
				t.Fatalf("event %d differs: fast %x cpu %d num %d off %d, general %x cpu %d num %d off %d",
					i, e.Raw(), e.CPU, e.Num, r.Offset(), ge.Raw(), ge.CPU, ge.Num, g.Offset())
			}
			for j := 0; j < e.NumParams(); j++ {
				e.Param(j)
			}
		}
	})
}
