package scap

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/receiver/event"
)

// jaggedReader returns reads of random sizes (1 byte to 3 chunks' worth),
// so blocks are cut at every kind of place by chunk boundaries.
type jaggedReader struct {
	r   io.Reader
	rng *rand.Rand
}

func (j *jaggedReader) Read(p []byte) (int, error) {
	max := []int{1, 7, 300, 5000, 70000, 3 * chunkSize}[j.rng.IntN(6)]
	return j.r.Read(p[:min(len(p), 1+j.rng.IntN(max))])
}

// TestChunkBoundaries reads a capture whose events range from a few bytes
// to blocks larger than the headroom (joined across chunks) and larger
// than maxInPlace (copied), from sources that return reads of every size,
// plain and gzip, and checks every event against what was written.
func TestChunkBoundaries(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, sampleMetadata(), WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var want [][]byte
	var b event.Builder
	for i := 0; i < 3000; i++ {
		var raw []byte
		switch {
		case i%500 == 7:
			b.Begin(event.ContainerJsonV2E, uint64(i), 1)
			b.String(strings.Repeat("y", []int{headroom + 100, maxInPlace + 5000, 2*chunkSize + 1}[i/500%3]))
		default:
			b.Begin(event.SyscallReadX, uint64(i), int64(rng.IntN(50)+1))
			b.Int64(int64(i))
			b.Bytes(bytes.Repeat([]byte{byte(i)}, rng.IntN(3000)))
		}
		raw = bytes.Clone(b.Finish())
		if err := w.WriteRaw(raw, uint16(i%4), 0, i%3 == 0); err != nil {
			t.Fatal(err)
		}
		want = append(want, raw)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	var zbuf bytes.Buffer
	zw, err := NewWriter(&zbuf, sampleMetadata(), WriterOptions{Gzip: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, raw := range want {
		if err := zw.WriteRaw(raw, uint16(i%4), 0, i%3 == 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		src  func() io.Reader
	}{
		{"plain", func() io.Reader { return bytes.NewReader(plain) }},
		{"plain jagged", func() io.Reader { return &jaggedReader{bytes.NewReader(plain), rand.New(rand.NewPCG(3, 4))} }},
		{"gzip", func() io.Reader { return bytes.NewReader(zbuf.Bytes()) }},
		{"gzip jagged", func() io.Reader { return &jaggedReader{bytes.NewReader(zbuf.Bytes()), rand.New(rand.NewPCG(5, 6))} }},
	} {
		r, err := NewReader(c.src())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var e event.Event
		n := 0
		for ; ; n++ {
			err := r.Next(&e)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: event %d: %v", c.name, n, err)
			}
			if n >= len(want) || !bytes.Equal(e.Raw(), want[n]) || e.CPU != uint16(n%4) {
				t.Fatalf("%s: event %d differs (%d bytes, cpu %d)", c.name, n, len(e.Raw()), e.CPU)
			}
		}
		if n != len(want) {
			t.Errorf("%s: %d events, want %d", c.name, n, len(want))
		}
		r.Close()
	}
}

// TestCloseStopsPrefetch checks that closing a Reader mid-stream stops
// its read-ahead goroutine.
func TestCloseStopsPrefetch(t *testing.T) {
	raw := sampleCapture(t, sampleMetadata(), false)
	before := runtime.NumGoroutine()
	r, err := NewReader(io.MultiReader(bytes.NewReader(raw), &endless{}))
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			t.Fatalf("%d goroutines after Close, %d before the Reader", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// endless is a source that never ends.
type endless struct{}

func (*endless) Read(p []byte) (int, error) { return len(p), nil }
