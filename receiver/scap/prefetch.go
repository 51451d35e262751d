package scap

import (
	"io"
	"sync"
)

// Read-ahead for gzip captures. The inflated stream is produced by a
// goroutine of its own into a few chunk buffers while the caller decodes
// the previous chunk: inflating (~130 ns per event of the benchmark
// capture, several times the decoding) then costs the decoding goroutine
// nothing but a channel receive per chunk when a second CPU is free. The
// decoding stays on the caller's goroutine and allocates nothing per
// event. Plain files are read directly: there the read is a copy out of
// the page cache (~7 ns per event), and handing chunks across CPUs cost
// more than that (measured +3-5 ns/event of CPU, no gain in wall time).
//
// Each chunk buffer has headroom in front of its data. When a block is
// cut by a chunk boundary, the consumer moves the block's first part (the
// unread tail of the previous chunk) into the headroom, so the block is
// contiguous without copying the chunk; a tail longer than the headroom
// (blocks over 64 KiB, rare) is joined with the next chunk in a separate
// buffer instead.

const (
	chunkSize = readBufferSize
	headroom  = 64 << 10
	nchunks   = 3 // one being decoded, one being read, one ready
	// maxChunks bounds the buffers one prefetcher can own (a [Pipeline]
	// adds buffers for the batches its consumer holds): the channels are
	// made this large, so releasing a buffer never blocks.
	maxChunks = 32
)

// chunk is data read by the prefetching goroutine: b[headroom:headroom+n],
// and the error the read ended with (io.EOF at the end of the source;
// no more chunks follow one with an error).
type chunk struct {
	b   []byte
	n   int
	err error
}

type prefetcher struct {
	full chan chunk
	free chan []byte
	stop chan struct{}
	once sync.Once
	// src is set in synchronous mode: there is no goroutine, and next
	// reads the chunk itself (a [Pipeline] over a plain file, whose
	// decoding goroutine is the second CPU's work already).
	src io.Reader
}

// startPrefetch starts reading src into the given buffers (each of
// headroom+chunkSize bytes), which the prefetcher then owns.
func startPrefetch(src io.Reader, bufs [][]byte) *prefetcher {
	p := newPrefetcher(bufs)
	go p.run(src)
	return p
}

// startSyncChunks makes a prefetcher without a goroutine: next reads
// from src into the given buffers.
func startSyncChunks(src io.Reader, bufs [][]byte) *prefetcher {
	p := newPrefetcher(bufs)
	p.src = src
	return p
}

func newPrefetcher(bufs [][]byte) *prefetcher {
	p := &prefetcher{
		full: make(chan chunk, maxChunks),
		free: make(chan []byte, maxChunks),
		stop: make(chan struct{}),
	}
	for _, b := range bufs {
		p.free <- b
	}
	return p
}

// addBuffers gives the prefetcher more buffers (at most maxChunks in all).
func (p *prefetcher) addBuffers(bufs [][]byte) {
	for _, b := range bufs {
		p.free <- b
	}
}

// next returns the next chunk, waiting for one. After shutdown it returns
// a chunk with no buffer and ErrClosed.
func (p *prefetcher) next() chunk {
	if p.src != nil {
		select {
		case b := <-p.free:
			// one read: a file's fills the chunk, and a pipe's data is
			// delivered as it comes
			n, err := readSome(p.src, b[headroom:])
			return chunk{b, n, err}
		case <-p.stop:
			return chunk{err: ErrClosed}
		}
	}
	select {
	case c := <-p.full:
		return c
	case <-p.stop:
		return chunk{err: ErrClosed}
	}
}

// fillChunk reads from src into b[headroom:] until it is full or the
// source ends or fails: inflate returns a few KiB per Read, and each
// handoff can cost a goroutine wake-up.
func fillChunk(src io.Reader, b []byte) chunk {
	n, err := 0, error(nil)
	for n < len(b)-headroom && err == nil {
		var k int
		k, err = readSome(src, b[headroom+n:])
		n += k
	}
	return chunk{b, n, err}
}

func (p *prefetcher) run(src io.Reader) {
	for {
		var b []byte
		select {
		case b = <-p.free:
		case <-p.stop:
			return
		}
		c := fillChunk(src, b)
		select {
		case p.full <- c:
		case <-p.stop:
			return
		}
		if c.err != nil {
			return
		}
	}
}

// shutdown stops the goroutine (at once if it waits for a buffer or for
// the consumer; after its current read otherwise). Idempotent.
func (p *prefetcher) shutdown() { p.once.Do(func() { close(p.stop) }) }

// readSome reads at least one byte into b, or fails: a source that keeps
// returning 0 bytes and no error fails with io.ErrNoProgress, as bufio's.
func readSome(src io.Reader, b []byte) (int, error) {
	for range 100 {
		n, err := src.Read(b)
		if n > 0 || err != nil {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}
