package scap

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/event"
)

// step is what a replay sees of one event: the original and converted
// bytes and everything the Reader says about the event.
type step struct {
	orig, conv []byte
	converted  bool
	num        uint64
	cpu        uint16
	vis        Visibility
	off        int64
	flags      uint32
	hasFlags   bool
}

func (s step) String() string {
	return fmt.Sprintf("num %d cpu %d vis %v off %d flags %#x/%v converted %v orig %x conv %x",
		s.num, s.cpu, s.vis, s.off, s.flags, s.hasFlags, s.converted, s.orig, s.conv)
}

// trail is a whole replay: the steps, how it ended and the skip count.
type trail struct {
	steps   []step
	err     string
	skipped uint64
}

// serialTrail replays src the single-goroutine way: Reader.Next, then
// Converter.Convert.
func serialTrail(t *testing.T, src io.Reader) trail {
	t.Helper()
	r, err := NewReader(src)
	if err != nil {
		return trail{err: err.Error()}
	}
	defer r.Close()
	return readerTrail(t, r)
}

// readerTrail replays r with Reader.Next, then Converter.Convert.
func readerTrail(t *testing.T, r *Reader) trail {
	t.Helper()
	c := NewConverter()
	var tr trail
	var e event.Event
	for {
		err := r.Next(&e)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				tr.err = err.Error()
			}
			tr.skipped = r.Skipped()
			return tr
		}
		out := c.Convert(&e)
		f, hf := r.EventFlags()
		if out.Num != e.Num || out.CPU != e.CPU {
			t.Fatalf("converted event has num/cpu %d/%d, original %d/%d", out.Num, out.CPU, e.Num, e.CPU)
		}
		tr.steps = append(tr.steps, step{
			orig: bytes.Clone(e.Raw()), conv: bytes.Clone(out.Raw()), converted: out != &e,
			num: e.Num, cpu: e.CPU, vis: r.Visibility(), off: r.Offset(), flags: f, hasFlags: hf,
		})
	}
}

// pipelineTrail replays src through a Pipeline.
func pipelineTrail(t *testing.T, src io.Reader, opts PipelineOptions) trail {
	t.Helper()
	r, err := NewReader(src)
	if err != nil {
		return trail{err: err.Error()}
	}
	return pipelineTrailOf(t, r, opts)
}

// pipelineTrailOf replays r through a Pipeline, and closes it.
func pipelineTrailOf(t *testing.T, r *Reader, opts PipelineOptions) trail {
	t.Helper()
	p := NewPipeline(r, opts)
	defer p.Close()
	var tr trail
	for p.Next() {
		e, o := p.Event(), p.Original()
		if e.Num != o.Num || e.CPU != o.CPU {
			t.Fatalf("event num/cpu %d/%d, original %d/%d", e.Num, e.CPU, o.Num, o.CPU)
		}
		if p.Converted() == (e == o) {
			t.Fatalf("Converted() %v but Event and Original same view: %v", p.Converted(), e == o)
		}
		f, hf := p.EventFlags()
		tr.steps = append(tr.steps, step{
			orig: bytes.Clone(o.Raw()), conv: bytes.Clone(e.Raw()), converted: p.Converted(),
			num: e.Num, cpu: e.CPU, vis: p.Visibility(), off: p.Offset(), flags: f, hasFlags: hf,
		})
	}
	if p.Event() != nil || p.Original() != nil || p.Next() {
		t.Fatal("events after Next returned false")
	}
	if err := p.Err(); err != nil {
		tr.err = err.Error()
	}
	tr.skipped = p.Skipped()
	return tr
}

func compareTrails(t *testing.T, name string, want, got trail) {
	t.Helper()
	n := min(len(want.steps), len(got.steps))
	for i := 0; i < n; i++ {
		w, g := want.steps[i], got.steps[i]
		if !bytes.Equal(w.orig, g.orig) || !bytes.Equal(w.conv, g.conv) || w.converted != g.converted ||
			w.num != g.num || w.cpu != g.cpu || w.vis != g.vis || w.off != g.off || w.flags != g.flags || w.hasFlags != g.hasFlags {
			t.Fatalf("%s: event %d differs:\nreader:   %v\npipeline: %v", name, i, w, g)
		}
	}
	if len(want.steps) != len(got.steps) {
		t.Fatalf("%s: pipeline gave %d events, reader %d", name, len(got.steps), len(want.steps))
	}
	if want.err != got.err {
		t.Fatalf("%s: pipeline ended with %q, reader with %q", name, got.err, want.err)
	}
	if want.skipped != got.skipped {
		t.Fatalf("%s: pipeline skipped %d, reader %d", name, got.skipped, want.skipped)
	}
}

// pipelineOptionSets are the shapes tested: the default, and chunks so
// small that blocks are cut by chunk boundaries all the time, many are
// joined across chunks and batches are sealed on every kind of boundary.
var pipelineOptionSets = []PipelineOptions{
	{},
	{ChunkSize: 4 << 10, Batches: 2},
	{ChunkSize: 16 << 10, Batches: 3},
}

// TestPipelineMatchesReader replays every trace (as stored, and
// re-encoded plain or gzip the other way) through a Pipeline and through
// Reader + Converter and checks the replays are identical: original and
// converted bytes, numbering, visibility, CPU, flags, offsets, skip count
// and how they end.
func TestPipelineMatchesReader(t *testing.T) {
	for _, path := range traceFiles(t) {
		name, _ := filepath.Rel(tracesDir(t), path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		other := flipCompression(t, data)
		if r, err := NewReader(bytes.NewReader(data)); err == nil {
			if r.Compressed() != (data[0] == 0x1f) {
				t.Errorf("%s: Compressed() %v", name, r.Compressed())
			}
			r.Close()
		}
		for _, in := range []struct {
			kind string
			data []byte
		}{{"stored", data}, {"recoded", other}} {
			want := serialTrail(t, bytes.NewReader(in.data))
			for _, o := range pipelineOptionSets {
				got := pipelineTrail(t, bytes.NewReader(in.data), o)
				compareTrails(t, fmt.Sprintf("%s (%s, %+v)", name, in.kind, o), want, got)
			}
		}
	}
}

// flipCompression returns data gzip-compressed if it is plain, inflated
// if it is gzip.
func flipCompression(t *testing.T, data []byte) []byte {
	t.Helper()
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// TestPipelineChunkBoundaries replays the capture of TestChunkBoundaries
// (events from a few bytes to blocks larger than the headroom, the read
// buffer and two chunks) from sources that return reads of every size.
func TestPipelineChunkBoundaries(t *testing.T) {
	plain, gz := boundaryCaptures(t)
	for _, c := range []struct {
		name string
		src  func() io.Reader
	}{
		{"plain", func() io.Reader { return bytes.NewReader(plain) }},
		{"plain jagged", func() io.Reader { return &jaggedReader{bytes.NewReader(plain), rand.New(rand.NewPCG(3, 4))} }},
		{"gzip", func() io.Reader { return bytes.NewReader(gz) }},
		{"gzip jagged", func() io.Reader { return &jaggedReader{bytes.NewReader(gz), rand.New(rand.NewPCG(5, 6))} }},
	} {
		want := serialTrail(t, c.src())
		if len(want.steps) != 3000 || want.err != "" || want.skipped != 31 {
			t.Fatalf("%s: reader gave %d events (%d skipped), %q", c.name, len(want.steps), want.skipped, want.err)
		}
		for _, o := range pipelineOptionSets {
			compareTrails(t, fmt.Sprintf("%s %+v", c.name, o), want, pipelineTrail(t, c.src(), o))
		}
	}
}

// boundaryCaptures writes the TestChunkBoundaries capture, plain and gzip.
func boundaryCaptures(t *testing.T) ([]byte, []byte) {
	t.Helper()
	var out [2][]byte
	for k, gz := range []bool{false, true} {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, sampleMetadata(), WriterOptions{Gzip: gz})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		var b event.Builder
		for i := 0; i < 3000; i++ {
			switch {
			case i%500 == 7:
				b.Begin(event.ContainerJsonV2E, uint64(i), 1)
				b.String(strings.Repeat("y", []int{headroom + 100, maxInPlace + 5000, 2*chunkSize + 1}[i/500%3]))
			case i%3 == 1:
				// an enter/exit pair: the exit is converted
				b.Begin(event.SyscallOpenE, uint64(i), int64(i%7+1))
				b.String("/etc/passwd")
				b.Uint32(1)
				b.Uint32(0o644)
			case i%3 == 2:
				b.Begin(event.SyscallOpenX, uint64(i), int64((i-1)%7+1))
				b.Int64(3)
				b.String("/etc/passwd")
			default:
				b.Begin(event.SyscallReadX, uint64(i), int64(rng.IntN(50)+1))
				b.Int64(int64(i))
				b.Bytes(bytes.Repeat([]byte{byte(i)}, rng.IntN(3000)))
			}
			if err := w.WriteRaw(bytes.Clone(b.Finish()), uint16(i%4), 0, i%3 == 0); err != nil {
				t.Fatal(err)
			}
			if i%97 == 5 {
				// a type beyond the table: skipped and counted
				raw := bytes.Clone(b.Finish())
				binary.LittleEndian.PutUint16(raw[20:], uint16(event.MaxType)+3)
				if err := w.WriteRaw(raw, 0, 0, false); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out[k] = buf.Bytes()
	}
	return out[0], out[1]
}

// TestPipelineBadInput replays damaged captures (cut at many places,
// bytes overwritten) through both paths: the events before the fault and
// the error, with its offset, must be the same.
func TestPipelineBadInput(t *testing.T) {
	// a capture with v2 event blocks (the Pipeline's fast path)
	path := filepath.Join(tracesDir(t), "falco-test", "psp", "run_as_user_0_container.scap")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	plain := flipCompression(t, data)
	if plain[0] == 0x1f {
		plain = data
	}
	// the offsets of the events' first parameter lengths, to damage
	var lens []int
	{
		r, err := NewReader(bytes.NewReader(plain))
		if err != nil {
			t.Fatal(err)
		}
		var e event.Event
		for r.Next(&e) == nil {
			if e.NumParams() > 0 && r.Offset() > 0 {
				hdr := int64(evHeader)
				if _, ok := r.EventFlags(); ok {
					hdr = evfHeader
				}
				lens = append(lens, int(r.Offset()+hdr+event.HeaderSize))
			}
		}
		r.Close()
	}
	rng := rand.New(rand.NewPCG(7, 8))
	errs, paramErrs := 0, 0
	for i := 0; i < 80; i++ {
		bad := bytes.Clone(plain)
		switch i % 4 {
		case 3:
			// a parameter length beyond the event: the Pipeline's
			// producer frames such an event without decoding it, and the
			// consumer must report it as Reader.Next does
			at := lens[rng.IntN(len(lens))]
			copy(bad[at:], []byte{0xf0, 0xff})
		case 0:
			bad = bad[:rng.IntN(len(bad))]
		case 1:
			for range 4 {
				bad[rng.IntN(len(bad))] = byte(rng.IntN(256))
			}
		case 2:
			at := rng.IntN(len(bad) - 4)
			copy(bad[at:], []byte{0xff, 0xff, 0xff, 0x7f})
		}
		want := serialTrail(t, bytes.NewReader(bad))
		if want.err != "" {
			errs++
		}
		if strings.Contains(want.err, "parameter lengths overflow") {
			paramErrs++
		}
		for _, o := range pipelineOptionSets {
			compareTrails(t, fmt.Sprintf("damage %d %+v", i, o), want, pipelineTrail(t, bytes.NewReader(bad), o))
		}
	}
	if errs < 30 || paramErrs < 15 {
		t.Fatalf("only %d of 80 damaged captures failed to read, %d on parameter lengths: the damage is too mild to test errors", errs, paramErrs)
	}
}

// producerRunning reports whether a Pipeline goroutine or a read-ahead
// goroutine is alive.
func producerRunning() bool {
	buf := make([]byte, 1<<20)
	s := string(buf[:runtime.Stack(buf, true)])
	return strings.Contains(s, "scap.(*pipe).run") || strings.Contains(s, "scap.(*prefetcher).run")
}

func waitNoProducer(t *testing.T, what string) {
	t.Helper()
	for i := 0; producerRunning(); i++ {
		if i == 200 {
			t.Fatalf("%s: the pipeline's goroutines still run", what)
		}
		if i%10 == 0 {
			runtime.GC()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPipelineClose checks that Close stops the goroutines wherever they
// are: before the first event, with the producer blocked on a consumer
// holding every batch, reading an endless source, after the end; plain
// and gzip; and that a Pipeline dropped without Close is stopped by the
// garbage collector.
func TestPipelineClose(t *testing.T) {
	waitNoProducer(t, "before the test")
	for _, gz := range []bool{false, true} {
		raw := sampleCapture(t, sampleMetadata(), gz)
		// an endless source: the capture's events, then ever more blocks
		// of a type Next skips, so the producer never ends by itself
		endlessSrc := func() io.Reader {
			return io.MultiReader(bytes.NewReader(raw), skippedBlocks{})
		}
		cases := []struct {
			name string
			src  func() io.Reader
			next int // events to take before Close (-1: all)
		}{
			{"before Next", endlessSrc, 0},
			{"mid-stream", endlessSrc, 2},
			{"at the end", func() io.Reader { return bytes.NewReader(raw) }, -1},
		}
		for _, c := range cases {
			name := fmt.Sprintf("gzip %v, %s", gz, c.name)
			r, err := NewReader(c.src())
			if err != nil {
				t.Fatal(err)
			}
			p := NewPipeline(r, PipelineOptions{ChunkSize: 4 << 10, Batches: 2})
			for i := 0; c.next < 0 || i < c.next; i++ {
				if !p.Next() {
					break
				}
			}
			time.Sleep(20 * time.Millisecond) // let the producer fill every batch and block
			if err := p.Close(); err != nil {
				t.Fatalf("%s: Close: %v", name, err)
			}
			if p.Next() || p.Event() != nil {
				t.Fatalf("%s: an event after Close", name)
			}
			if err := p.Close(); err != nil {
				t.Fatalf("%s: second Close: %v", name, err)
			}
			waitNoProducer(t, name)
		}
		// dropped without Close
		func() {
			r, err := NewReader(endlessSrc())
			if err != nil {
				t.Fatal(err)
			}
			p := NewPipeline(r, PipelineOptions{ChunkSize: 4 << 10, Batches: 2})
			p.Next()
		}()
		waitNoProducer(t, fmt.Sprintf("gzip %v, dropped", gz))
	}
}

// skippedBlocks is an endless stream of unknown blocks (which Next skips).
type skippedBlocks struct{}

func (skippedBlocks) Read(p []byte) (int, error) {
	blk := []byte{0x77, 0, 0, 0, 12, 0, 0, 0, 12, 0, 0, 0}
	n := 0
	for n+len(blk) <= len(p) {
		n += copy(p[n:], blk)
	}
	if n == 0 {
		return 0, errors.New("read buffer too small for a block")
	}
	return n, nil
}

// TestPipelineCloseStalledSource closes Pipelines whose source stops
// delivering data without ending: a FIFO opened with Open (plain: the
// producing goroutine itself waits in read, which closing the file ends)
// and a pipe behind NewReader (gzip: the producer waits for the
// read-ahead goroutine). Close must return and, once the stalled read
// returns, every goroutine must end.
func TestPipelineCloseStalledSource(t *testing.T) {
	waitNoProducer(t, "before the test")
	long := func() []byte {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, sampleMetadata(), WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var b event.Builder
		for i := 0; i < 20000; i++ {
			b.Begin(event.SyscallReadX, uint64(i), 7)
			b.Int64(int64(i))
			b.Bytes(bytes.Repeat([]byte{byte(i)}, 100))
			w.WriteRaw(b.Finish(), 0, 0, false)
		}
		w.Close()
		return buf.Bytes()
	}
	closeWithin := func(name string, p *Pipeline) {
		done := make(chan error, 1)
		go func() { done <- p.Close() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Close did not return", name)
		}
	}

	// plain, from a FIFO: part of the data, and a writer that stays open
	fifo := filepath.Join(t.TempDir(), "capture.fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	data := long()
	stalled := make(chan *os.File, 1)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			stalled <- nil
			return
		}
		stalled <- w
		w.Write(data[:len(data)/20]) // ends when the reading end is closed
	}()
	r, err := Open(fifo)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(r, PipelineOptions{})
	n := 0
	w := <-stalled
	for n < 100 && p.Next() {
		n++
	}
	if n != 100 || w == nil {
		t.Fatalf("plain fifo: %d events before the stall, writer %v", n, w)
	}
	time.Sleep(20 * time.Millisecond) // the producer is now waiting in read
	closeWithin("plain fifo", p)
	waitNoProducer(t, "plain fifo")
	w.Close()

	// gzip, from a pipe: the read-ahead waits in Read, the producer on
	// it. The stream stops after a chunk and a half (the read-ahead
	// inflates whole chunks).
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write(data[:chunkSize*3/2])
	zw.Flush()
	pr, pw := io.Pipe()
	go pw.Write(zbuf.Bytes())
	r, err = NewReader(pr)
	if err != nil {
		t.Fatal(err)
	}
	p = NewPipeline(r, PipelineOptions{})
	for n = 0; n < 100 && p.Next(); n++ {
	}
	time.Sleep(20 * time.Millisecond)
	closeWithin("gzip pipe", p)
	pw.CloseWithError(errors.New("test over")) // ends the read-ahead's read
	waitNoProducer(t, "gzip pipe")
}

// FuzzPipeline feeds arbitrary bytes to a Pipeline (chunks small enough
// that blocks are cut by them all the time) and to Reader + Converter:
// the replays must be identical, errors included, whatever the input.
// Seeded as FuzzReader (addCaptureSeeds).
func FuzzPipeline(f *testing.F) {
	addCaptureSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		want := serialTrail(t, bytes.NewReader(raw))
		got := pipelineTrail(t, bytes.NewReader(raw), PipelineOptions{ChunkSize: 4 << 10, Batches: 2})
		compareTrails(t, "fuzz", want, got)
	})
}

// exitOnlyData returns the capture in data as current drivers write it:
// every event converted, the enter events the converter manages dropped
// (what scaptest.ExitOnlyCapture does to a trace), plain. Replaying it, a
// Pipeline's producer takes its fast path (frameRun) for nearly every
// event.
func exitOnlyData(t testing.TB, data []byte) []byte {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out bytes.Buffer
	w, err := NewWriter(&out, r.Metadata(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewConverter()
	var e event.Event
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		conv := c.Convert(&e)
		if e.Dir() == event.Enter && e.Info().Flags&event.FlagConverterManaged != 0 {
			continue
		}
		f, hf := r.EventFlags()
		if err := w.WriteRaw(conv.Raw(), e.CPU, f, hf); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestPipelineExitOnly replays the exit-only form of every trace (read
// with every option set, and mapped) through Pipelines and checks each
// replay is the Reader's.
func TestPipelineExitOnly(t *testing.T) {
	for _, path := range traceFiles(t) {
		name, _ := filepath.Rel(tracesDir(t), path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		exitOnly := exitOnlyData(t, data)
		want := serialTrail(t, bytes.NewReader(exitOnly))
		for _, o := range pipelineOptionSets {
			got := pipelineTrail(t, bytes.NewReader(exitOnly), o)
			compareTrails(t, fmt.Sprintf("%s (exit-only, %+v)", name, o), want, got)
		}
		mappedTrails(t, name+" (exit-only)", exitOnly)
	}
}

// TestPipelineFastPathBreaks replays captures in which the events the
// producer's fast path takes alternate with every kind it leaves to the
// general path — internal events, types sysdig 0.29 does not know, EVF
// blocks with flags, managed enter events (after which the Converter
// holds one and the fast path is off), exits of old versions (rewritten),
// and a damaged event — under both numberings, read and mapped, and
// checks each replay is the Reader's.
func TestPipelineFastPathBreaks(t *testing.T) {
	var unknown029 event.Type
	for typ := event.Type(Sysdig029MaxType); typ < event.MaxType; typ++ {
		if convKind[typ] == convPass && typ.Info().Category&event.CatInternal == 0 && len(typ.Info().Params) == 0 {
			unknown029 = typ
			break
		}
	}
	if unknown029 == 0 {
		t.Fatal("no parameterless type unknown to sysdig 0.29")
	}
	var b event.Builder
	ts := uint64(1700000000000000000)
	ev := func(kind string) []byte {
		ts += 1000
		switch kind {
		case "close": // the newest close exit: the fast path
			b.Begin(event.SyscallCloseX, ts, 100)
			b.Int64(0)
			b.Int64(3)
		case "getuid": // not managed: the fast path
			b.Begin(event.SyscallGetuidX, ts, 100)
			b.Int64(0)
		case "procinfo": // internal
			b.Begin(event.ProcinfoE, ts, 100)
			b.Uint64(1)
			b.Uint64(1)
		case "unknown029":
			b.Begin(unknown029, ts, 100)
		case "oldclose": // an old close exit (no fd): rewritten
			b.Begin(event.SyscallCloseX-2, ts, 100)
			b.Int64(0)
		case "enter": // a managed enter: stored, the fast path ends
			b.Begin(event.SyscallCloseE, ts, 100)
			b.Int64(3)
		case "short": // a close exit missing its fd: rewritten
			b.Begin(event.SyscallCloseX, ts, 100)
			b.Int64(0)
		}
		return b.Finish()
	}
	md := &Metadata{Processes: []Process{{Tid: 100, Pid: 100, Ptid: 1, Comm: "cat", Exe: "cat", Vtid: 100, Vpid: 100, LoginUID: noLoginUID}}}
	for _, seq := range []string{
		"close,getuid,procinfo,close,unknown029,getuid,close,flags:close,flags:getuid,close",
		"getuid,close,oldclose,close,short,getuid,close",
		"close,getuid,close,enter,close,getuid,close",
		"close,getuid,close,damaged,close",
	} {
		var out bytes.Buffer
		w, err := NewWriter(&out, md, WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 300; round++ { // several chunks of small option sets
			for _, kind := range strings.Split(seq, ",") {
				flags, hasFlags := uint32(0), false
				if k, ok := strings.CutPrefix(kind, "flags:"); ok {
					kind, flags, hasFlags = k, 0x5a, true
				}
				raw := ev(kind)
				if kind == "damaged" {
					if round < 299 {
						continue
					}
					raw = ev("close")
					binary.LittleEndian.PutUint16(raw[event.HeaderSize:], 200) // a length past the end
				}
				if err := w.WriteRaw(raw, uint16(round%4), flags, hasFlags); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		data := out.Bytes()
		for _, numbering := range []Numbering{NumberLikeSysdig, NumberAll} {
			name := fmt.Sprintf("%s (numbering %d)", seq, numbering)
			r, err := NewReaderOptions(bytes.NewReader(data), Options{Numbering: numbering})
			if err != nil {
				t.Fatal(err)
			}
			want := readerTrail(t, r)
			r.Close()
			if len(want.steps) < 300 {
				t.Fatalf("%s: %d events", name, len(want.steps))
			}
			for _, o := range pipelineOptionSets {
				r, err := NewReaderOptions(bytes.NewReader(data), Options{Numbering: numbering})
				if err != nil {
					t.Fatal(err)
				}
				compareTrails(t, fmt.Sprintf("%s %+v", name, o), want, pipelineTrailOf(t, r, o))
			}
		}
		mappedTrails(t, seq, data)
	}
}
