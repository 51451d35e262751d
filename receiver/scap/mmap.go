package scap

import (
	"errors"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Mapped captures. Reading a plain capture with read(2) copies every
// byte out of the page cache into the Reader's buffer before it is
// decoded: about a third of the decoding's cost (measured 7-10 ns of
// ~30 per event on the benchmark capture). With [Options.Map], [Open]
// maps a plain capture file instead, and events are views of the page
// cache itself.
//
// The price is how a file truncated while it is mapped fails: the pages
// past the new end are gone, and reading one raises SIGBUS, which kills a
// Go program unless the goroutine that reads asked for a panic instead
// (debug.SetPanicOnFault). So every goroutine that reads a mapped
// capture's bytes does: the Pipeline's own goroutine, and the caller's
// inside [Reader.Guard], which turns the fault into an error wrapping
// [ErrChanged] with the offset that faulted.

// ErrChanged is wrapped by the error a mapped capture ([Options.Map])
// gives when the file shrank while it was being read.
var ErrChanged = errors.New("capture file changed while it was being read (truncated?)")

// ErrReleased is wrapped by the error a mapped capture replayed through a
// [Pipeline] gives when event bytes are read after the Pipeline moved
// past them: their pages are unmapped as the replay goes.
var ErrReleased = errors.New("event data read after it was released")

// mapWindow bounds the offsets a Pipeline records into a mapped
// capture (u32 offsets into its current window; see rebase). A variable
// so tests can move windows without 4 GiB files.
var mapWindow = 1 << 30

// mapping is a mapped capture file.
type mapping struct {
	data []byte
	base uintptr // address of data[0]: kept to recognize faults after unmap
	size int
	// dropped is how much of the front of data is unmapped already: a
	// Pipeline unmaps what its consumer is done with as it goes (see
	// pipe.dropReleased). Written by the Pipeline's goroutine, read when
	// a fault is explained.
	dropped atomic.Int64
}

// mapFile maps f when it is a non-empty regular file that is not gzip
// compressed, or returns nil (the caller then reads it). Mapping is an
// optimization: any reason not to map is a reason to read instead.
func mapFile(f *os.File) *mapping {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < 2 || st.Size() > math.MaxInt {
		return nil
	}
	// (not syscall.Mmap: its Munmap unmaps only a whole mapping, and drop
	// unmaps it piece by piece)
	p, err := unix.MmapPtr(int(f.Fd()), 0, nil, uintptr(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil
	}
	data := unsafe.Slice((*byte)(p), int(st.Size()))
	m := &mapping{data: data, base: uintptr(p), size: len(data)}
	var gz bool
	if m.guard(func() error { gz = data[0] == 0x1f && data[1] == 0x8b; return nil }) != nil || gz {
		m.unmap()
		return nil
	}
	// the decoding walks the file once, front to back: read ahead
	// aggressively and let the pages behind go first
	_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	runtime.KeepAlive(f)
	return m
}

// unmap unmaps what is still mapped. Not the pages dropped already: by
// now their addresses may hold another mapping.
func (m *mapping) unmap() {
	if m.data != nil {
		from := m.dropped.Load()
		_ = unix.MunmapPtr(unsafe.Add(unsafe.Pointer(&m.data[0]), from), uintptr(int64(m.size)-from))
		m.data = nil
	}
}

// drop unmaps the whole pages of data before off, once there are at
// least dropMin bytes of them. Unmapping the whole file at Close cost the
// consumer 6-8 ms, 3-4 ns per event of the benchmark capture (35,000
// pages); dropped as the replay goes, by the Pipeline's goroutine, they
// leave Close 0.1 ms. Each unmap also flushes the TLB of the consumer's
// CPU (an interrupt, then misses), hence the bytes at a time. Measured
// (exit-only benchmark capture, state applied, 24 interleaved replays,
// median of the paired ratios of wall time to keeping the mapping):
// 1.008 dropping at every batch (about 600 KiB), 0.934 by 4 MiB, 0.959
// by 16 MiB. Called by one goroutine at a time (the Pipeline's, then
// none).
func (m *mapping) drop(off int64) {
	off &^= int64(pageSize - 1)
	from := m.dropped.Load()
	if m.data == nil || off-from < dropMin {
		return
	}
	if unix.MunmapPtr(unsafe.Add(unsafe.Pointer(&m.data[0]), from), uintptr(off-from)) == nil {
		m.dropped.Store(off)
	}
}

var pageSize = os.Getpagesize()

// dropMin is the least a mapping drops at a time (see drop); a variable
// for tests.
var dropMin int64 = 4 << 20

// guard runs fn with faults on this goroutine turned into panics, and a
// fault inside the mapping into an error wrapping ErrChanged. Other
// panics go on.
func (m *mapping) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			if e := m.faultError(v); e != nil {
				err = e
				return
			}
			panic(v)
		}
	}()
	return fn()
}

// faultError is the error for a recovered panic value that is a fault on
// an address in the mapping, nil for any other value.
func (m *mapping) faultError(v any) error {
	re, ok := v.(runtime.Error)
	if !ok {
		return nil
	}
	a, ok := re.(interface{ Addr() uintptr })
	if !ok {
		return nil
	}
	addr := a.Addr()
	if addr < m.base || addr-m.base >= uintptr(m.size) {
		return nil
	}
	off := int64(addr - m.base)
	if off < m.dropped.Load() {
		// not the file: its reader kept an event view past the Next that
		// released it
		return &FormatError{Offset: off, Msg: "an event view kept past Pipeline.Next", Err: ErrReleased}
	}
	return &FormatError{Offset: off, Msg: "reading the mapped file", Err: ErrChanged}
}

// openMapped makes a Reader over a mapped capture: the whole file is its
// buffer, read already.
func openMapped(m *mapping, opts Options) (*Reader, error) {
	r := &Reader{opts: opts, prefix: true, buf: m.data, wpos: len(m.data), srcErr: io.EOF, mapped: m}
	err := m.guard(func() error {
		if err := r.readHeader(); err != nil {
			return err
		}
		return r.readMetadata()
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Guard runs fn, which reads r's events (with [Reader.Next] or through a
// [Pipeline] over r), and returns its error. For a mapped capture
// ([Options.Map]) it makes a file truncated under fn an error rather
// than a crash: faults on the calling goroutine panic while fn runs
// (debug.SetPanicOnFault), and Guard returns a fault on the capture's
// pages as an error wrapping [ErrChanged]; whatever fn was doing is
// abandoned where it faulted. Other panics are not recovered. For a read
// capture Guard just calls fn.
func (r *Reader) Guard(fn func() error) error {
	if r.mapped == nil {
		return fn()
	}
	return r.mapped.guard(fn)
}

// Mapped reports whether the capture is mapped rather than read (see
// [Options.Map]).
func (r *Reader) Mapped() bool { return r.mapped != nil }

// rebase starts the buffer, and the chunk that Pipeline offsets are
// relative to, at the next unread byte of a mapped capture.
func (r *Reader) rebase() {
	r.buf = r.buf[r.rpos:]
	r.wpos -= r.rpos
	r.rpos = 0
	r.cur = r.buf
}
