package scap

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// addCaptureSeeds seeds a capture fuzzer with every trace, uncompressed
// (so the fuzzer mutates blocks rather than the gzip stream), as stored
// and in its exit-only form, each cut to its first 64 KiB (small enough
// to mutate usefully: the header, metadata and first events), and with a
// synthetic capture with every block type the writer emits.
func addCaptureSeeds(f *testing.F) {
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
		// and as current drivers write it, which the Pipeline's fast
		// path reads
		for _, seed := range [][]byte{raw, exitOnlyData(f, raw)} {
			if len(seed) > 64<<10 {
				seed = seed[:64<<10]
			}
			f.Add(seed)
		}
	}
	f.Add(sampleCapture(f, sampleMetadata(), false))
}

// FuzzReader feeds arbitrary bytes to the block reader: it must return an
// error or events, never panic, loop forever, or allocate by a corrupt
// length. Seeded by addCaptureSeeds.
func FuzzReader(f *testing.F) {
	addCaptureSeeds(f)
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

// FuzzMapped reads arbitrary bytes from a mapped file and from memory:
// the events, their numbering, flags and offsets, and the error that
// ends them must be the same (a mapped capture is one buffer that never
// refills, and its large blocks are decoded in place).
func FuzzMapped(f *testing.F) {
	addCaptureSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		path := tempCapture(t, raw)
		r, rerr := NewReader(bytes.NewReader(raw))
		m, merr := OpenOptions(path, Options{Map: true})
		if (rerr == nil) != (merr == nil) || rerr != nil && merr.Error() != path+": "+rerr.Error() {
			t.Fatalf("read: %v, mapped: %v", rerr, merr)
		}
		if rerr != nil {
			return
		}
		defer r.Close()
		defer m.Close()
		if m.Mapped() == (len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
			t.Fatalf("mapped %v for a capture starting %x", m.Mapped(), raw[:2])
		}
		var e, me event.Event
		err := m.Guard(func() error {
			for i := 0; i < 1<<16; i++ {
				err := r.Next(&e)
				merr := m.Next(&me)
				if (err == nil) != (merr == nil) || err != nil && err.Error() != merr.Error() {
					t.Fatalf("event %d: read err %v, mapped err %v", i, err, merr)
				}
				if err != nil {
					return nil
				}
				if !bytes.Equal(e.Raw(), me.Raw()) || e.CPU != me.CPU || e.Num != me.Num ||
					r.Visibility() != m.Visibility() || r.Offset() != m.Offset() || r.flags != m.flags || r.hasFlags != m.hasFlags {
					t.Fatalf("event %d differs: read %x cpu %d num %d off %d, mapped %x cpu %d num %d off %d",
						i, e.Raw(), e.CPU, e.Num, r.Offset(), me.Raw(), me.CPU, me.Num, m.Offset())
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
