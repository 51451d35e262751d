// Package scaptest makes capture files for tests and benchmarks: a large
// capture built by repeating a real trace's events with shifted
// timestamps, so throughput is measured on real event mixes at a size
// where per-file costs vanish. The trace's events are repeated as they
// are (old traces: enter/exit pairs, old event versions) or, for
// ExitOnlyCapture, as a current driver would send them (converted once,
// managed enter events dropped).
package scaptest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// TracesDir returns shared/research/falco/traces (a sibling of the
// repository checkout).
func TracesDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "research", "falco", "traces")
}

// DefaultTrace is the trace LargeCapture repeats by default: a container
// workload whose events are mostly visible syscalls (4143 events).
func DefaultTrace() string {
	return filepath.Join(TracesDir(), "falco-test", "psp", "run_as_user_0_container.scap")
}

// LargeCapture writes to dst a capture with the metadata of the trace at
// src and its events repeated, each round shifted in time past the end of
// the previous one, until at least minEvents events are written. It
// returns the number of events written. The file is not compressed, so
// readers measure decoding rather than inflate.
func LargeCapture(dst, src string, minEvents int) (int, error) {
	return LargeCaptureOptions(dst, src, minEvents, scap.WriterOptions{})
}

// LargeCaptureOptions is LargeCapture with writer options (gzip).
func LargeCaptureOptions(dst, src string, minEvents int, opts scap.WriterOptions) (int, error) {
	return largeCapture(dst, src, minEvents, opts, false)
}

// ExitOnlyCapture is LargeCaptureOptions for what current drivers send
// and current Falco and saker captures hold: src's events are first
// converted as [scap.Converter] does (enter parameters merged into the
// exit event, exits upgraded to their newest version), and the enter
// events the converter manages are dropped; those events are repeated.
// Traces from old captures (enter/exit pairs) thus become captures
// that need no conversion.
func ExitOnlyCapture(dst, src string, minEvents int, opts scap.WriterOptions) (int, error) {
	return largeCapture(dst, src, minEvents, opts, true)
}

func largeCapture(dst, src string, minEvents int, opts scap.WriterOptions, exitOnly bool) (int, error) {
	r, err := scap.Open(src)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	type ev struct {
		raw   []byte
		cpu   uint16
		flags uint32
		hasF  bool
	}
	var evs []ev
	var e event.Event
	conv := scap.NewConverter()
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		f, hf := r.EventFlags()
		out := &e
		if exitOnly {
			out = conv.Convert(&e)
			if e.Dir() == event.Enter && e.Info().Flags&event.FlagConverterManaged != 0 {
				continue
			}
		}
		evs = append(evs, ev{bytes.Clone(out.Raw()), e.CPU, f, hf})
	}
	if len(evs) == 0 {
		return 0, fmt.Errorf("%s has no events", src)
	}
	first := evs[0].raw
	last := evs[len(evs)-1].raw
	span := binary.LittleEndian.Uint64(last) - binary.LittleEndian.Uint64(first) + 1000
	w, err := scap.Create(dst, r.Metadata(), opts)
	if err != nil {
		return 0, err
	}
	n := 0
	buf := make([]byte, 0, 64<<10)
	for round := uint64(0); n < minEvents; round++ {
		for _, x := range evs {
			buf = append(buf[:0], x.raw...)
			ts := binary.LittleEndian.Uint64(buf)
			binary.LittleEndian.PutUint64(buf, ts+round*span)
			if err := w.WriteRaw(buf, x.cpu, x.flags, x.hasF); err != nil {
				w.Close()
				return n, err
			}
			n++
		}
	}
	return n, w.Close()
}

// CachedLargeCapture returns a large capture of at least minEvents events
// built from src under os.TempDir(), reusing one built earlier by this
// or another test binary (keyed by source size and minEvents).
func CachedLargeCapture(src string, minEvents int) (string, int, error) {
	return CachedLargeCaptureOptions(src, minEvents, scap.WriterOptions{})
}

// CachedLargeCaptureOptions is CachedLargeCapture with writer options
// (a gzip capture is cached under its own name).
func CachedLargeCaptureOptions(src string, minEvents int, opts scap.WriterOptions) (string, int, error) {
	return cached(src, minEvents, opts, false)
}

// CachedExitOnlyCapture is CachedLargeCaptureOptions for [ExitOnlyCapture].
func CachedExitOnlyCapture(src string, minEvents int, opts scap.WriterOptions) (string, int, error) {
	return cached(src, minEvents, opts, true)
}

func cached(src string, minEvents int, opts scap.WriterOptions, exitOnly bool) (string, int, error) {
	st, err := os.Stat(src)
	if err != nil {
		return "", 0, err
	}
	dir := filepath.Join(os.TempDir(), "saker-scaptest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	base := fmt.Sprintf("%s-%d-%d", filepath.Base(src), st.Size(), minEvents)
	if exitOnly {
		base += "-exitonly"
	}
	if opts.Gzip {
		base += fmt.Sprintf("-gz%d", opts.GzipLevel)
	}
	path := filepath.Join(dir, base+".scap")
	countPath := path + ".count"
	if c, err := os.ReadFile(countPath); err == nil {
		var n int
		if _, err := fmt.Sscan(string(c), &n); err == nil && n >= minEvents {
			if _, err := os.Stat(path); err == nil {
				return path, n, nil
			}
		}
	}
	tmp := path + fmt.Sprintf(".%d.tmp", os.Getpid())
	n, err := largeCapture(tmp, src, minEvents, opts, exitOnly)
	if err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", 0, err
	}
	return path, n, os.WriteFile(countPath, []byte(fmt.Sprint(n)), 0o644)
}
