package scap

import (
	"unsafe"

	"bytes"
	"errors"
	"fmt"
	"golang.org/x/sys/unix"
	"os"
	"path/filepath"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// tempCapture writes data to a file of its own and returns its path.
func tempCapture(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.scap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mappedTrails replays the capture in data (plain) from a file mapped,
// with Reader.Next and through Pipelines, and compares each replay with
// the read one.
func mappedTrails(t *testing.T, name string, data []byte) {
	t.Helper()
	path := tempCapture(t, data)
	want := serialTrail(t, bytes.NewReader(data))
	open := func() *Reader {
		r, err := OpenOptions(path, Options{Map: true})
		if err != nil {
			if want.err == "" || len(want.steps) > 0 {
				t.Fatalf("%s: %v", name, err)
			}
			return nil
		}
		if !r.Mapped() {
			t.Fatalf("%s: not mapped", name)
		}
		return r
	}
	if r := open(); r != nil {
		var got trail
		if err := r.Guard(func() error { got = readerTrail(t, r); return nil }); err != nil {
			t.Fatal(err)
		}
		r.Close()
		compareTrails(t, name+" (mapped, Next)", want, got)
	}
	for _, o := range pipelineOptionSets[:2] {
		if r := open(); r != nil {
			var got trail
			if err := r.Guard(func() error { got = pipelineTrailOf(t, r, o); return nil }); err != nil {
				t.Fatal(err)
			}
			compareTrails(t, fmt.Sprintf("%s (mapped, %+v)", name, o), want, got)
		}
	}
}

// TestMappedMatchesRead replays every trace, the chunk-boundary capture
// (blocks larger than the read buffer) and damaged captures from a mapped
// file: each replay must be the one the read file gives, errors and
// their offsets included.
func TestMappedMatchesRead(t *testing.T) {
	for _, path := range traceFiles(t) {
		name, _ := filepath.Rel(tracesDir(t), path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if data[0] == 0x1f {
			data = flipCompression(t, data)
		}
		mappedTrails(t, name, data)
	}
	plain, _ := boundaryCaptures(t)
	mappedTrails(t, "boundaries", plain)
	for _, cut := range []int{7, 100, len(plain) / 3, len(plain) - 1} {
		mappedTrails(t, fmt.Sprintf("boundaries cut at %d", cut), plain[:cut])
	}
	bad := bytes.Clone(plain)
	binary := len(bad) / 2
	copy(bad[binary:], bytes.Repeat([]byte{0xff}, 64))
	mappedTrails(t, "boundaries overwritten", bad)
}

// TestMappedWindows moves the Pipeline's window over a mapped file every
// few KiB (as it does every GiB): the replay must not change.
func TestMappedWindows(t *testing.T) {
	saved := mapWindow
	mapWindow = 8 << 10
	defer func() { mapWindow = saved }()
	plain, _ := boundaryCaptures(t)
	mappedTrails(t, "boundaries, small windows", plain)
	data, err := os.ReadFile(filepath.Join(tracesDir(t), "falco-test", "psp", "run_as_user_0_container.scap"))
	if err != nil {
		t.Fatal(err)
	}
	if data[0] == 0x1f {
		data = flipCompression(t, data)
	}
	mappedTrails(t, "run_as_user_0_container, small windows", data)
	exitOnly := exitOnlyData(t, data)
	mappedTrails(t, "run_as_user_0_container exit-only, small windows", exitOnly)

	// every event recorded in a batch starts inside its window
	r, err := OpenOptions(tempCapture(t, exitOnly), Options{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(r, PipelineOptions{})
	defer p.Close()
	n := 0
	for p.Next() {
		if p.cur.bits&recInArena == 0 && int(p.cur.pos)-evfHeader >= mapWindow {
			t.Fatalf("event %d recorded at %d in a window of %d", p.Event().Num, p.cur.pos, mapWindow)
		}
		n++
	}
	if p.Err() != nil || n < 1000 {
		t.Fatalf("%d events, %v", n, p.Err())
	}
}

// TestMappedTruncated truncates a mapped capture while it is being
// replayed (its pages past the new end then fault when read): the replay
// must end with an error wrapping ErrChanged, with Next and through a
// Pipeline, and the program must go on.
func TestMappedTruncated(t *testing.T) {
	plain, _ := boundaryCaptures(t)
	for _, how := range []string{"next", "pipeline"} {
		path := tempCapture(t, plain)
		r, err := OpenOptions(path, Options{Map: true})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		// counts an event read; the file shrinks after the 10th
		read := func() {
			if n++; n == 10 {
				if err := os.Truncate(path, 4096); err != nil {
					t.Fatal(err)
				}
			}
		}
		err = r.Guard(func() error {
			if how == "next" {
				var e event.Event
				for {
					if err := r.Next(&e); err != nil {
						return err
					}
					read()
				}
			}
			p := NewPipeline(r, PipelineOptions{})
			defer p.Close()
			for p.Next() {
				read()
			}
			return p.Err()
		})
		r.Close()
		var fe *FormatError
		if !errors.Is(err, ErrChanged) || !errors.As(err, &fe) || fe.Offset < 4096 || fe.Offset >= int64(len(plain)) {
			t.Fatalf("%s: replay of a capture truncated under it ended after %d events with %v", how, n, err)
		}
		t.Logf("%s: %d events, then %v", how, n, err)
	}
}

// TestMapFallsBack checks that a gzip capture, which cannot be mapped,
// is read whatever Options.Map says, and read right.
func TestMapFallsBack(t *testing.T) {
	plain, gz := boundaryCaptures(t)
	path := filepath.Join(t.TempDir(), "c.scap.gz")
	if err := os.WriteFile(path, gz, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := OpenOptions(path, Options{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Mapped() || !r.Compressed() {
		t.Fatalf("gzip capture: mapped %v, compressed %v", r.Mapped(), r.Compressed())
	}
	compareTrails(t, "gzip, Map", serialTrail(t, bytes.NewReader(plain)), readerTrail(t, r))
	r.Close()
}

// repeatedCapture writes a plain capture of the exit-only form of the
// default trace repeated to at least size bytes, and returns its path
// and event count.
func repeatedCapture(t *testing.T, size int) (string, int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tracesDir(t), "falco-test", "psp", "run_as_user_0_container.scap"))
	if err != nil {
		t.Fatal(err)
	}
	if data[0] == 0x1f {
		data = flipCompression(t, data)
	}
	r, err := NewReader(bytes.NewReader(exitOnlyData(t, data)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	type ev struct {
		raw []byte
		cpu uint16
	}
	var evs []ev
	var e event.Event
	for r.Next(&e) == nil {
		evs = append(evs, ev{bytes.Clone(e.Raw()), e.CPU})
	}
	path := filepath.Join(t.TempDir(), "big.scap")
	w, err := Create(path, r.Metadata(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, written := 0, 0
	for written < size {
		for _, x := range evs {
			if err := w.WriteRaw(x.raw, x.cpu, 0, false); err != nil {
				t.Fatal(err)
			}
			n++
			written += len(x.raw) + 16
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path, n
}

// TestPipelineDropsReleased replays a mapped capture through a Pipeline:
// the pages its consumer is done with are unmapped as it goes (all but
// the last few batches' by the end), every event is delivered, and an
// event view kept past its Next, read once its pages are gone, is an
// error wrapping ErrReleased rather than a crash or stale bytes.
func TestPipelineDropsReleased(t *testing.T) {
	saved := dropMin
	dropMin = 1 << 20
	defer func() { dropMin = saved }()
	path, n := repeatedCapture(t, 24<<20)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}

	r, err := OpenOptions(path, Options{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(r, PipelineOptions{})
	got := 0
	var maxDropped int64
	err = r.Guard(func() error {
		for p.Next() {
			got++
			// every view of the current event is readable
			if raw := p.Event().Raw(); raw[len(raw)-1] == 0 && raw[0] == 0 && raw[1] == 0 {
				return fmt.Errorf("event %d: zero timestamp bytes", got)
			}
			maxDropped = max(maxDropped, r.mapped.dropped.Load())
		}
		return p.Err()
	})
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("%d events, %d written", got, n)
	}
	// the producer is at most Batches batches (of at most 8192 events,
	// about 600 KiB here) ahead of the consumer, plus dropMin
	if lag := st.Size() - maxDropped; lag > 8<<20 {
		t.Fatalf("%d of %d bytes dropped by the end (lag %d)", maxDropped, st.Size(), lag)
	}
	t.Logf("%d events; %d of %d bytes unmapped before Close", got, maxDropped, st.Size())

	// a view kept too long
	r, err = OpenOptions(path, Options{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p = NewPipeline(r, PipelineOptions{})
	defer p.Close()
	var kept []byte
	i := 0
	err = r.Guard(func() error {
		for p.Next() {
			if i++; i == 1000 {
				kept = p.Event().Raw()
			}
			if kept != nil && r.mapped.dropped.Load() > 2<<20 {
				return fmt.Errorf("read a dropped page: %d", kept[0])
			}
		}
		return fmt.Errorf("nothing dropped: %v", p.Err())
	})
	var fe *FormatError
	if !errors.Is(err, ErrReleased) || errors.Is(err, ErrChanged) || !errors.As(err, &fe) || fe.Offset >= 1<<20 {
		t.Fatalf("reading a released view: %v", err)
	}
	t.Log(err)
}

// Pages a Pipeline dropped are no longer saker's: once something else is
// mapped at their addresses, closing the capture must leave it mapped.
func TestCloseLeavesDroppedRangeAlone(t *testing.T) {
	saved := dropMin
	dropMin = 1 << 20
	defer func() { dropMin = saved }()
	path, _ := repeatedCapture(t, 8<<20)
	r, err := OpenOptions(path, Options{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(r, PipelineOptions{})
	base := unsafe.Pointer(unsafe.SliceData(r.mapped.data))
	var other []byte
	err = r.Guard(func() error {
		for p.Next() {
			if other == nil && r.mapped.dropped.Load() >= 1<<20 {
				// another mapping where the capture's first pages were
				b, err := unix.MmapPtr(-1, 0, base, uintptr(pageSize), unix.PROT_READ|unix.PROT_WRITE,
					unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED_NOREPLACE)
				if err != nil {
					return fmt.Errorf("mapping the dropped range: %v", err)
				}
				other = unsafe.Slice((*byte)(b), pageSize)
				other[0] = 42
			}
		}
		return p.Err()
	})
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	if other == nil {
		t.Fatal("nothing dropped")
	}
	defer unix.MunmapPtr(unsafe.Pointer(&other[0]), uintptr(pageSize))
	if err := r.mapped.guard(func() error {
		if other[0] != 42 {
			return errors.New("changed")
		}
		return nil
	}); err != nil {
		t.Fatalf("the other mapping after Close: %v", err)
	}
}

// v1 event blocks are upgraded into a batch's arena, so a run of them
// makes batches that hold nothing of the mapping: dropping then waits for
// the next batch that does, and the replay is still the Reader's.
func TestPipelineDropsAroundArenaBatches(t *testing.T) {
	saved := dropMin
	dropMin = 64 << 10
	defer func() { dropMin = saved }()
	var b event.Builder
	raw := sampleCapture(t, &Metadata{}, false)[:28]
	for i := range 60000 {
		b.Begin(event.SyscallCloseX, uint64(1000+i), 9)
		b.Int64(0)
		b.Int64(int64(i % 100))
		v2 := b.Finish()
		if i >= 10000 && i < 40000 { // the old 22-byte header
			raw = append(raw, testEventBlock(blockEV, 1, v1Event(v2))...)
		} else {
			raw = append(raw, testEventBlock(blockEVV2, 1, v2)...)
		}
	}
	mappedTrails(t, "v1 run between v2 runs", raw)

	r, err := OpenOptions(tempCapture(t, raw), Options{Map: true})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(r, PipelineOptions{})
	n := 0
	for p.Next() {
		n++
	}
	dropped := r.mapped.dropped.Load()
	p.Close()
	if p.Err() != nil || n != 60000 || dropped < int64(len(raw))/2 {
		t.Fatalf("%d events (%v); %d of %d bytes dropped", n, p.Err(), dropped, len(raw))
	}
}
