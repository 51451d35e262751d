package scap

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/klauspost/compress/gzip"

	"github.com/sakersec/saker/receiver/event"
)

// Reader reads a capture: [NewReader] consumes the header and metadata,
// [Reader.Next] delivers the events. A Reader is not safe for concurrent
// use.
type Reader struct {
	src    io.Reader // the plain stream: the file, or the gzip reader over it
	gz     *gzip.Reader
	closer io.Closer

	// buf[rpos:wpos] is read but not yet consumed; off is the offset of
	// buf[rpos] in the uncompressed stream. srcErr is the error (io.EOF
	// included) src returned; reading stops at it.
	buf        []byte
	rpos, wpos int
	off        int64
	srcErr     error
	// pf reads ahead (nil: src is read directly into buf); cur is the
	// chunk buffer buf is, or nil when buf is join, where a block longer
	// than the headroom is assembled across chunks.
	pf   *prefetcher
	cur  []byte
	join []byte
	// retire, when set (useChunks), takes chunk buffers the Reader has
	// moved past instead of the prefetcher's free list; refill is called
	// before the Reader waits for the next chunk.
	retire func([]byte)
	refill func()

	meta Metadata

	// block holds the current block; events alias it (v2) or ev1 (v1).
	block    []byte
	big      []byte // copy of the current block when it exceeds the read buffer
	blockOff int64
	ev1      []byte
	pending  bool // block holds an event block not yet delivered

	opts     Options
	num      uint64
	vis      Visibility
	prefix   bool // still in the run of initial-state events at the start
	flags    uint32
	hasFlags bool
	cpu      uint16
	skipped  uint64

	// mapped is the mapping of a mapped capture (Options.Map), which buf
	// is all of (or the end of, after rebase); nil when read.
	mapped *mapping

	generalOnly bool // tests: never take Next's fast path
}

// Options configure a [Reader].
type Options struct {
	// Numbering selects how events are numbered; the default follows
	// sysdig 0.29.
	Numbering Numbering
	// Map makes [OpenOptions] map a plain capture file rather than read
	// it: events are then views of the page cache, which saves copying
	// every byte (see mmap.go). A file that shrinks while it is mapped
	// makes reading it fault: read its events inside [Reader.Guard],
	// which turns that into an error. Compressed files, and files that
	// are not regular, are read whatever Map says ([Reader.Mapped]
	// tells). Close unmaps the file: event views end with it.
	Map bool
}

// readBufferSize is the size of the read buffer; blocks up to this size
// are decoded in place. It is refilled with one read of up to its size:
// 256 KiB keeps the data just read in the CPU's L2 cache while it is
// decoded (1 MiB measured slower), and makes the read syscalls' cost
// negligible.
const readBufferSize = 256 << 10

// Open opens a capture file. Close it when done.
func Open(path string) (*Reader, error) { return OpenOptions(path, Options{}) }

// OpenOptions is [Open] with options.
func OpenOptions(path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if opts.Map {
		if m := mapFile(f); m != nil {
			// the mapping outlives the descriptor
			f.Close()
			r, err := openMapped(m, opts)
			if err != nil {
				m.unmap()
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return r, nil
		}
	}
	r, err := NewReaderOptions(f, opts)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// NewReader reads the section header and the metadata blocks of the
// capture in src (gzip-compressed or plain) and stops at the first event.
func NewReader(src io.Reader) (*Reader, error) { return NewReaderOptions(src, Options{}) }

// NewReaderOptions is [NewReader] with options.
func NewReaderOptions(src io.Reader, opts Options) (*Reader, error) {
	r := &Reader{src: src, opts: opts, prefix: true, buf: make([]byte, readBufferSize)}
	r.fill(2)
	if r.wpos >= 2 && r.buf[0] == 0x1f && r.buf[1] == 0x8b {
		// gzip: what was read so far is the start of the compressed
		// stream; flate wants a ByteReader, so it reads through bufio.
		head := bytes.Clone(r.buf[:r.wpos])
		var rest io.Reader = src
		if r.srcErr != nil && r.srcErr != io.EOF {
			rest = errReader{r.srcErr}
		}
		in := io.MultiReader(bytes.NewReader(head), rest)
		gz, err := gzip.NewReader(bufio.NewReaderSize(in, 64<<10))
		if err != nil {
			return nil, &FormatError{Offset: 0, Msg: "gzip header", Err: err}
		}
		r.gz = gz
		r.src = gz
		r.rpos, r.wpos, r.srcErr = 0, 0, nil
		// inflating costs several times the decoding: it is done ahead
		// on another goroutine (see prefetch.go)
		bufs := make([][]byte, nchunks)
		for i := range bufs {
			bufs[i] = make([]byte, headroom+chunkSize)
		}
		r.pf = startPrefetch(gz, bufs)
		// a Reader dropped without Close must not leave the goroutine
		// waiting for a buffer forever
		runtime.AddCleanup(r, func(p *prefetcher) { p.shutdown() }, r.pf)
	}
	if err := r.readHeader(); err != nil {
		r.stopPrefetch()
		return nil, err
	}
	if err := r.readMetadata(); err != nil {
		r.stopPrefetch()
		return nil, err
	}
	return r, nil
}

func (r *Reader) stopPrefetch() {
	if r.pf != nil {
		r.pf.shutdown()
	}
}

// Close closes the file opened by [Open] (a no-op for [NewReader]), or
// unmaps a mapped capture. Event views end with it.
func (r *Reader) Close() error {
	r.stopPrefetch()
	if m := r.mapped; m != nil {
		r.buf, r.block, r.cur = nil, nil, nil
		r.rpos, r.wpos = 0, 0
		r.srcErr = ErrClosed
		m.unmap()
	}
	if r.closer != nil {
		c := r.closer
		r.closer = nil
		return c.Close()
	}
	return nil
}

// Compressed reports whether the capture is gzip-compressed (its inflating
// then runs on a goroutine of the Reader's own).
func (r *Reader) Compressed() bool { return r.gz != nil }

// Metadata returns the capture's header version and metadata records. The
// result is shared with the Reader: treat it as read-only.
func (r *Reader) Metadata() *Metadata { return &r.meta }

// EventFlags returns the flags word of the last event's block, and whether
// that block had one (EVF blocks; the flags are libscap's PPM_* event
// flags, e.g. whether the event was dropped by simple-consumer mode).
func (r *Reader) EventFlags() (uint32, bool) { return r.flags, r.hasFlags }

// Offset returns the offset, in the uncompressed stream, of the block the
// last event came from.
func (r *Reader) Offset() int64 { return r.blockOff }

// Skipped returns how many events were skipped because their type is
// beyond the event table (type >= event.MaxType), as libscap skips them.
func (r *Reader) Skipped() uint64 { return r.skipped }

// fill makes at least n bytes (n <= maxInPlace) buffered and contiguous,
// or stops at the end of the source or its error (r.srcErr). It moves the
// unconsumed bytes, which invalidates the previous block.
func (r *Reader) fill(n int) {
	if r.mapped != nil {
		return // the whole file is buffered
	}
	if r.pf != nil {
		for r.wpos-r.rpos < n && r.srcErr == nil {
			r.nextChunk()
		}
		return
	}
	if r.rpos > 0 {
		r.wpos = copy(r.buf, r.buf[r.rpos:r.wpos])
		r.rpos = 0
	}
	for r.wpos < n && r.srcErr == nil {
		k, err := readSome(r.src, r.buf[r.wpos:])
		r.wpos += k
		r.srcErr = err
	}
}

// nextChunk appends the prefetcher's next chunk to the unconsumed bytes.
func (r *Reader) nextChunk() {
	if r.refill != nil {
		r.refill()
	}
	c := r.pf.next()
	if c.b == nil { // closed
		r.srcErr = c.err
		return
	}
	left := r.buf[r.rpos:r.wpos]
	if len(left) <= headroom {
		start := headroom - len(left)
		copy(c.b[start:], left)
		r.releaseChunk()
		r.buf, r.cur = c.b, c.b
		r.rpos, r.wpos = start, headroom+c.n
	} else {
		// left may be in join already: append moves it to the front
		j := append(r.join[:0], left...)
		j = append(j, c.b[headroom:headroom+c.n]...)
		r.pf.free <- c.b
		r.releaseChunk()
		r.join = j
		r.buf = j
		r.rpos, r.wpos = 0, len(j)
	}
	r.srcErr = c.err
}

// releaseChunk gives the chunk buffer being decoded back to the
// prefetcher (there is room: it owns at most maxChunks buffers), or hands
// it to the retire hook, which releases it later.
func (r *Reader) releaseChunk() {
	if r.cur != nil {
		if r.retire != nil {
			r.retire(r.cur)
		} else {
			r.pf.free <- r.cur
		}
		r.cur = nil
	}
}

// useChunks makes the Reader read into chunk buffers that it hands to
// retire, instead of reusing them, once it has moved past them: events
// stay valid in their chunk until whoever retire gives it to calls
// r.pf.free <- chunk. refill is called before each wait for a chunk. bufs are added to the prefetcher's buffers (a plain
// file gets a synchronous one: reads happen in Next, on the caller's
// goroutine). The unread rest of a plain Reader's buffer moves into the
// first chunk; the event block already pending stays where it is, outside
// any chunk.
func (r *Reader) useChunks(bufs [][]byte, retire func([]byte), refill func()) {
	if r.mapped != nil {
		// the mapping is one chunk, never retired, and nothing is
		// waited for
		r.cur = r.buf
		return
	}
	if r.pf == nil {
		// (if the rest does not fit, it stays where it is, and its
		// events are outside any chunk)
		if first, left := bufs[0], r.buf[r.rpos:r.wpos]; len(left) <= len(first) {
			n := copy(first, left)
			r.buf, r.cur, r.rpos, r.wpos = first, first, 0, n
			bufs = bufs[1:]
		}
		r.pf = startSyncChunks(r.src, bufs)
	} else {
		r.pf.addBuffers(bufs)
	}
	r.retire, r.refill = retire, refill
}

// chunk returns the chunk buffer the last event's block lies in, or nil
// when it lies elsewhere (a joined or copied block, a v1 event).
func (r *Reader) chunk() []byte { return r.cur }

// maxInPlace is the largest block decoded where it lies in the buffer;
// larger ones are copied (copyBlock).
const maxInPlace = readBufferSize

// readBlock reads the next block and returns its type; r.block then holds
// the whole block (header, body and trailer). It returns io.EOF at a clean
// end of input.
//
// Blocks that fit the read buffer (all event blocks, in practice) are not
// copied: r.block aliases the buffer, and it is refilled (moving unread
// bytes) only when the next block is read, so the block stays valid until
// then. Larger blocks are copied incrementally: the copy grows only as
// data actually arrives, so a corrupt length in a short file costs an
// error, not the announced memory.
func (r *Reader) readBlock() (uint32, error) {
	if r.wpos-r.rpos < blockHeaderSize {
		r.fill(blockHeaderSize)
	}
	r.blockOff = r.off
	avail := r.buf[r.rpos:r.wpos]
	if len(avail) < blockHeaderSize {
		err := r.srcErr
		if len(avail) == 0 && err == io.EOF {
			return 0, io.EOF
		}
		if err == nil || err == io.EOF {
			err = ErrTruncated
		}
		return 0, &FormatError{Offset: r.off + int64(len(avail)), Msg: "block header", Err: err}
	}
	typ := binary.LittleEndian.Uint32(avail[0:])
	total := binary.LittleEndian.Uint32(avail[4:])
	if r.blockOff == 0 && typ != blockSHB {
		return 0, formatErr(0, "not a scap capture: first block type %#x, want section header %#x", typ, blockSHB)
	}
	if total < blockHeaderSize+blockTrailerSize || total > MaxBlockSize {
		return 0, formatErr(r.blockOff, "block type %#x: invalid total length %d", typ, total)
	}
	n := int(total)
	if n <= maxInPlace || r.mapped != nil {
		if len(avail) < n {
			r.fill(n)
			if got := r.wpos - r.rpos; got < n {
				return 0, r.truncated(typ, total, got, r.srcErr)
			}
		}
		r.block = r.buf[r.rpos : r.rpos+n : r.rpos+n]
		r.rpos += n
		r.off += int64(n)
	} else if err := r.copyBlock(typ, total); err != nil {
		return 0, err
	}
	if trailer := binary.LittleEndian.Uint32(r.block[n-4:]); trailer != total {
		return 0, formatErr(r.blockOff+int64(total)-4, "block type %#x at offset %d: wrong block total length (header %d, trailer %d)", typ, r.blockOff, total, trailer)
	}
	return typ, nil
}

// copyBlock reads a block larger than maxInPlace into r.big, appending
// data as it arrives: a corrupt length in a short input costs an error,
// not the announced memory.
func (r *Reader) copyBlock(typ, total uint32) error {
	buf := r.big[:0]
	for {
		take := min(int(total)-len(buf), r.wpos-r.rpos)
		buf = append(buf, r.buf[r.rpos:r.rpos+take]...)
		r.rpos += take
		r.off += int64(take)
		if len(buf) == int(total) {
			break
		}
		if r.srcErr != nil {
			r.big = buf
			return r.truncated(typ, total, len(buf), r.srcErr)
		}
		r.fill(1)
	}
	r.big = buf
	r.block = buf
	return nil
}

func (r *Reader) truncated(typ, total uint32, got int, err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = ErrTruncated
	}
	return &FormatError{Offset: r.blockOff + int64(got),
		Msg: fmt.Sprintf("block type %#x at offset %d (length %d): input ends after %d bytes of it", typ, r.blockOff, total, got), Err: err}
}

// body returns a cursor over the current block's body.
func (r *Reader) body() cursor {
	return cursor{b: r.block[blockHeaderSize : len(r.block)-blockTrailerSize], base: r.blockOff + blockHeaderSize}
}

func (r *Reader) readHeader() error {
	typ, err := r.readBlock()
	if err == io.EOF {
		return formatErr(0, "empty file: no section header block")
	}
	if err != nil {
		return err
	}
	if typ != blockSHB {
		return formatErr(0, "not a scap capture: first block type %#x, want section header %#x", typ, blockSHB)
	}
	c := r.body()
	magic := c.u32("section header magic")
	r.meta.Major = c.u16("major version")
	r.meta.Minor = c.u16("minor version")
	c.u64("section length")
	if c.err != nil {
		return c.err
	}
	if magic != shbMagic {
		return formatErr(8, "bad section header magic %#x (byte-swapped or not a capture)", magic)
	}
	if r.meta.Major > 1 {
		return formatErr(12, "unsupported capture version %d.%d", r.meta.Major, r.meta.Minor)
	}
	// pcapng-style options (comments, the writing application) may follow
	// the fixed fields; they are skipped with the rest of the block.
	return nil
}

// readMetadata decodes blocks until the first event block, which it keeps
// pending for Next.
func (r *Reader) readMetadata() error {
	for {
		typ, err := r.readBlock()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if eventBlockKind(typ).ok {
			r.pending = true
			return nil
		}
		if err := r.decodeMetadata(typ); err != nil {
			return err
		}
	}
}

func (r *Reader) decodeMetadata(typ uint32) error {
	c := r.body()
	var err error
	m := &r.meta
	switch {
	case typ == blockMI || typ == blockMIOld:
		m.Machine, err = decodeMI(&c)
	case plVersion(typ) > 0:
		m.Processes, err = decodePL(&c, plVersion(typ), m.Processes)
	case typ == blockFDL || typ == blockFDLOld:
		m.FDs, err = decodeFDL(&c, false, m.FDs)
	case typ == blockFDLV2:
		m.FDs, err = decodeFDL(&c, true, m.FDs)
	case typ == blockIL || typ == blockILOld:
		m.Interfaces, err = decodeIL(&c, false, m.Interfaces)
	case typ == blockILV2:
		m.Interfaces, err = decodeIL(&c, true, m.Interfaces)
	case typ == blockUL || typ == blockULOld:
		m.Users, m.Groups, err = decodeUL(&c, false, m.Users, m.Groups)
	case typ == blockULV2:
		m.Users, m.Groups, err = decodeUL(&c, true, m.Users, m.Groups)
	default:
		// Unknown block: skipped, as libscap does.
	}
	if err != nil {
		return fmt.Errorf("block type %#x at offset %d: %w", typ, r.blockOff, err)
	}
	return nil
}

// Next points e at the next event and returns io.EOF after the last one.
// e aliases a buffer the Reader reuses: it is valid until the next call.
//
// e.CPU is the CPU from the event block and e.Num the event's sequence
// number as sysdig numbers it (evt.num): every event libscap delivers
// counts, including internal meta events sysdig does not print (e.g.
// PPME_PROCINFO_E) and the initial-state events libsinsp consumes while
// opening the file; see [Numbering] for types sysdig 0.29 does not know.
// [Reader.Visibility] tells whether sysdig would show the event. Events
// with a type beyond the event table are skipped, as libscap skips them.
func (r *Reader) Next(e *event.Event) error {
	for {
		if !r.pending {
			if !r.generalOnly && r.nextBuffered(e) {
				return nil
			}
			typ, err := r.readBlock()
			if err != nil {
				return err
			}
			if !eventBlockKind(typ).ok {
				continue // metadata after the events, or unknown: skipped
			}
		}
		r.pending = false
		ok, err := r.decodeEvent(e)
		if err != nil {
			return err
		}
		if ok {
			r.number(e)
			return nil
		}
	}
}

// nextBuffered is Next's fast path: when the next block is a v2 event
// block that is whole in the buffer, well formed and of a known type, it
// delivers its event and returns true. Anything else (a refill, another
// block type, malformed input, a skipped type) is left to the general
// path, which reads the same block again and reports what is wrong.
func (r *Reader) nextBuffered(e *event.Event) bool {
	avail := r.buf[r.rpos:r.wpos]
	hdr, total, ok := frameEventBlock(avail)
	if !ok {
		return false
	}
	blk := avail[:total:total]
	l, _, ok := eventFits(blk, hdr, total)
	if !ok {
		return false
	}
	raw := blk[hdr : hdr+int(l)]
	cpu := binary.LittleEndian.Uint16(blk[blockHeaderSize:])
	if e.Reset(raw, cpu) != nil {
		return false
	}
	r.flags, r.hasFlags = 0, hdr > blockHeaderSize+2
	if r.hasFlags {
		r.flags = binary.LittleEndian.Uint32(blk[blockHeaderSize+2:])
	}
	r.cpu = cpu
	r.block = blk
	r.blockOff = r.off
	r.rpos += int(total)
	r.off += int64(total)
	r.number(e)
	return true
}

// number assigns e.Num and the visibility of e.
func (r *Reader) number(e *event.Event) { e.Num = r.numberType(e.Type()) }

// numberType numbers the next event, of type t (valid), sets its
// visibility and returns its number.
func (r *Reader) numberType(t event.Type) uint64 {
	c := typeClass[t]
	if c&classUnknownTo029 != 0 && r.opts.Numbering == NumberLikeSysdig {
		// sysdig 0.29's libscap skips it: no number, and it does not end
		// the initial-state run either.
		r.vis = HiddenUnknownType
		return 0
	}
	r.num++
	r.vis = Visible
	if r.prefix {
		if c&classInitialState != 0 {
			r.vis = HiddenInitialState
			return r.num
		}
		r.prefix = false
	}
	if c&classInternal != 0 {
		r.vis = HiddenInternal
	}
	return r.num
}

// nextFramed is the Pipeline's fast path: nextBuffered without decoding
// the event. When the next block is a v2 event block whole in the
// buffer, well framed, with an event of a known type that fits it, it
// consumes the block, numbers the event and returns its offset and
// length in r.buf; the event's parameters are not checked (whoever uses
// the event resets an event.Event over it, which checks them). Anything
// else returns false and is left to Next.
func (r *Reader) nextFramed() (pos, n int, num uint64, ok bool) {
	if r.pending || r.generalOnly {
		return 0, 0, 0, false
	}
	avail := r.buf[r.rpos:r.wpos]
	hdr, total, ok := frameEventBlock(avail)
	if !ok {
		return 0, 0, 0, false
	}
	blk := avail[:total:total]
	l, t, ok := eventFits(blk, hdr, total)
	if !ok {
		return 0, 0, 0, false
	}
	r.flags, r.hasFlags = 0, hdr > blockHeaderSize+2
	if r.hasFlags {
		r.flags = binary.LittleEndian.Uint32(blk[blockHeaderSize+2:])
	}
	r.cpu = binary.LittleEndian.Uint16(blk[blockHeaderSize:])
	r.block = blk
	r.blockOff = r.off
	pos = r.rpos + hdr
	r.rpos += int(total)
	r.off += int64(total)
	return pos, int(l), r.numberType(t), true
}

// frameEventBlock reports whether avail starts with a whole v2 event
// block (EV_V2, EVF_V2 or their _LARGE forms, trailer matching), and
// returns the size of its header (type, length, CPU and, for EVF, flags:
// where the event starts) and its total length. The fast paths
// (nextBuffered, nextFramed, Pipeline's frameRun) take the blocks it
// accepts, if their event's length and type are sane too (eventFits);
// anything else is left to the general path, which reports what is
// wrong. (Small enough to inline: it runs once per event.)
func frameEventBlock(avail []byte) (hdr int, total uint32, ok bool) {
	if len(avail) < minEventBlock {
		return
	}
	hdr = evHeader
	switch binary.LittleEndian.Uint32(avail) {
	case blockEVV2, blockEVV2Large:
	case blockEVFV2, blockEVFV2Large:
		hdr = evfHeader
	default:
		return
	}
	total = binary.LittleEndian.Uint32(avail[4:])
	return hdr, total, uint64(total) <= uint64(len(avail)) && total >= uint32(hdr+minEventBlock-evHeader) &&
		binary.LittleEndian.Uint32(avail[total-blockTrailerSize:]) == total
}

// eventFits reports whether the event of a block frameEventBlock
// accepted (header hdr, total length total) has a length that fits the
// block and a known type, and returns them.
func eventFits(blk []byte, hdr int, total uint32) (l uint32, t event.Type, ok bool) {
	l = binary.LittleEndian.Uint32(blk[hdr+16:])
	t = event.Type(binary.LittleEndian.Uint16(blk[hdr+20:]))
	return l, t, l >= event.HeaderSize && uint64(l) <= uint64(total)-uint64(hdr+blockTrailerSize) && t.Valid()
}

// minEventBlock is the smallest v2 event block: header, CPU, an event
// header and the trailer.
const minEventBlock = evHeader + event.HeaderSize + blockTrailerSize

// typeClass[t] has the bits number needs about type t, so numbering an
// event reads one byte rather than the type's table entry.
var typeClass = func() (c [event.MaxType]uint8) {
	for t := event.Type(0); t < event.MaxType; t++ {
		if t >= Sysdig029MaxType {
			c[t] |= classUnknownTo029
		}
		if initialStateType(t) {
			c[t] |= classInitialState
		}
		if t.Info().Category&event.CatInternal != 0 {
			c[t] |= classInternal
		}
	}
	return c
}()

const (
	classUnknownTo029 = 1 << iota
	classInitialState
	classInternal
)

// Visibility tells whether sysdig shows the last event delivered by Next
// to filters and outputs (and Falco to rules), and if not, why.
func (r *Reader) Visibility() Visibility { return r.vis }

// decodeEvent decodes the event in the current block into e. It returns
// false for events that are skipped.
func (r *Reader) decodeEvent(e *event.Event) (bool, error) {
	typ := binary.LittleEndian.Uint32(r.block)
	kind := eventBlockKind(typ)
	c := r.body()
	r.cpu = c.u16("event cpu")
	r.flags, r.hasFlags = 0, kind.flags
	if kind.flags {
		r.flags = c.u32("event flags")
	}
	if c.err != nil {
		return false, c.err
	}
	evOff := c.off()
	raw := c.b[c.pos:]
	hdr := event.HeaderSize
	if kind.v1 {
		hdr = event.HeaderSizeV1
	}
	if len(raw) < hdr {
		return false, formatErr(evOff, "event shorter than its %d-byte header (%d bytes)", hdr, len(raw))
	}
	l := binary.LittleEndian.Uint32(raw[16:])
	t := event.Type(binary.LittleEndian.Uint16(raw[20:]))
	if l < uint32(hdr) || uint64(l) > uint64(len(raw)) {
		return false, formatErr(evOff, "event length %d does not fit its block (%d bytes after the block header)", l, len(raw))
	}
	raw = raw[:l]
	if !t.Valid() {
		r.skipped++
		return false, nil
	}
	if kind.v1 {
		var err error
		raw, err = r.upgradeV1(raw, t)
		if err != nil {
			return false, &FormatError{Offset: evOff, Msg: "event (v1 header)", Err: err}
		}
	}
	if err := e.Reset(raw, r.cpu); err != nil {
		return false, eventError(evOff, t, err)
	}
	return true, nil
}

// eventError is the error for an event at offset off whose parameters do
// not decode (err from event.Event.Reset).
func eventError(off int64, t event.Type, err error) error {
	return &FormatError{Offset: off, Msg: fmt.Sprintf("event type %d", t), Err: err}
}

// errReader returns err from every Read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
