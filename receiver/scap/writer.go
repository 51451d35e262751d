package scap

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sakersec/saker/receiver/event"
)

// WriterOptions configure a [Writer].
type WriterOptions struct {
	// Gzip compresses the capture, as sysdig and Falco write them.
	Gzip bool
	// GzipLevel is the compress/gzip level; 0 means gzip.BestSpeed.
	GzipLevel int
}

// Writer writes a capture in the layout of libscap's current dumper:
// SHB 1.2, MI, IL_V2, UL_V2, PL_V9, FDL_V2 (one block per thread), then
// EV_V2/EVF_V2 blocks (the _LARGE variants for EF_LARGE_PAYLOAD types).
// Close flushes it. A Writer is not safe for concurrent use.
type Writer struct {
	bw     *bufio.Writer
	gz     *gzip.Writer
	closer io.Closer
	buf    []byte // block being assembled, reused
	err    error
}

// Create creates (truncates) path and writes the header and metadata.
func Create(path string, md *Metadata, opts WriterOptions) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f, md, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.closer = f
	return w, nil
}

// NewWriter writes the section header and the metadata in md (which may be
// nil) to dst and returns a Writer for the events.
func NewWriter(dst io.Writer, md *Metadata, opts WriterOptions) (*Writer, error) {
	w := &Writer{}
	if opts.Gzip {
		lvl := opts.GzipLevel
		if lvl == 0 {
			lvl = gzip.BestSpeed
		}
		gz, err := gzip.NewWriterLevel(dst, lvl)
		if err != nil {
			return nil, err
		}
		w.gz = gz
		dst = gz
	}
	w.bw = bufio.NewWriterSize(dst, 256<<10)
	if md == nil {
		md = &Metadata{}
	}
	w.writeMetadata(md)
	return w, w.err
}

// begin starts a block of type t in w.buf.
func (w *Writer) begin(t uint32) {
	w.buf = binary.LittleEndian.AppendUint32(w.buf[:0], t)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, 0) // length, set by end
}

// end pads the block body to 4 bytes, fills in the lengths and writes it.
func (w *Writer) end() {
	for len(w.buf)%4 != 0 {
		w.buf = append(w.buf, 0)
	}
	total := uint32(len(w.buf) + blockTrailerSize)
	if total > MaxBlockSize && w.err == nil {
		w.err = fmt.Errorf("scap: block type %#x of %d bytes exceeds the %d-byte limit", binary.LittleEndian.Uint32(w.buf), total, MaxBlockSize)
	}
	binary.LittleEndian.PutUint32(w.buf[4:], total)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, total)
	if w.err == nil {
		_, w.err = w.bw.Write(w.buf)
	}
}

func (w *Writer) u8(v uint8)   { w.buf = append(w.buf, v) }
func (w *Writer) u16(v uint16) { w.buf = binary.LittleEndian.AppendUint16(w.buf, v) }
func (w *Writer) u32(v uint32) { w.buf = binary.LittleEndian.AppendUint32(w.buf, v) }
func (w *Writer) u64(v uint64) { w.buf = binary.LittleEndian.AppendUint64(w.buf, v) }

// str writes a u16-length string, truncated to what a u16 can say.
func (w *Writer) str(s string) {
	if len(s) > 0xffff {
		s = s[:0xffff]
	}
	w.u16(uint16(len(s)))
	w.buf = append(w.buf, s...)
}

// list writes a NUL-separated list (each element NUL-terminated) with a
// u16 length.
func (w *Writer) list(ss []string) {
	at := len(w.buf)
	w.u16(0)
	for _, s := range ss {
		if len(w.buf)-at-2+len(s)+1 > 0xffff {
			break
		}
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, 0)
	}
	binary.LittleEndian.PutUint16(w.buf[at:], uint16(len(w.buf)-at-2))
}

func (w *Writer) bool8(b bool) {
	if b {
		w.u8(1)
	} else {
		w.u8(0)
	}
}

func (w *Writer) addr(a interface{ AsSlice() []byte }, n int) {
	p := a.AsSlice()
	if len(p) != n {
		p = make([]byte, n)
	}
	w.buf = append(w.buf, p...)
}

func (w *Writer) writeMetadata(md *Metadata) {
	// SHB 1.2.
	w.begin(blockSHB)
	w.u32(shbMagic)
	w.u16(1)
	w.u16(2)
	w.u64(^uint64(0))
	w.end()

	if m := md.Machine; m != nil {
		w.begin(blockMI)
		w.u32(m.NumCPUs)
		w.u64(m.MemorySizeBytes)
		w.u64(m.MaxPID)
		var host [128]byte
		copy(host[:127], m.Hostname)
		w.buf = append(w.buf, host[:]...)
		w.u64(m.BootTimeEpoch)
		w.u64(m.Flags)
		w.u64(m.Reserved3)
		w.u64(m.Reserved4)
		w.end()
	}

	if len(md.Interfaces) > 0 {
		w.begin(blockILV2)
		for _, it := range md.Interfaces {
			at := len(w.buf)
			w.u32(0) // entry length, excluding itself
			w.u16(uint16(it.Type))
			name := it.Name
			if len(name) > 0xffff {
				name = name[:0xffff]
			}
			w.u16(uint16(len(name)))
			n := 4
			if it.Type.IPv6() {
				n = 16
			}
			w.addr(it.Addr, n)
			w.addr(it.Netmask, n)
			w.addr(it.Broadcast, n)
			if it.Type.HasLinkSpeed() {
				w.u64(it.LinkSpeed)
			}
			w.buf = append(w.buf, name...)
			binary.LittleEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at-4))
		}
		w.end()
	}

	if len(md.Users)+len(md.Groups) > 0 {
		w.begin(blockULV2)
		for _, u := range md.Users {
			at := len(w.buf)
			w.u32(0) // entry length, including itself
			w.u8(ulUser)
			w.u32(u.UID)
			w.u32(u.GID)
			w.str(u.Name)
			w.str(u.HomeDir)
			w.str(u.Shell)
			binary.LittleEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at))
		}
		for _, g := range md.Groups {
			at := len(w.buf)
			w.u32(0)
			w.u8(ulGroup)
			w.u32(g.GID)
			w.str(g.Name)
			binary.LittleEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at))
		}
		w.end()
	}

	if len(md.Processes) > 0 {
		w.begin(blockPLV9)
		for i := range md.Processes {
			w.process(&md.Processes[i])
		}
		w.end()
	}

	// One FDL block per thread, threads in order of first appearance.
	for i := 0; i < len(md.FDs); {
		tid := md.FDs[i].Tid
		w.begin(blockFDLV2)
		w.u64(uint64(tid))
		j := i
		for ; j < len(md.FDs) && md.FDs[j].Tid == tid; j++ {
			w.fd(&md.FDs[j])
		}
		w.end()
		i = j
	}
}

func (w *Writer) process(p *Process) {
	at := len(w.buf)
	w.u32(0) // entry length, including itself
	w.u64(uint64(p.Tid))
	w.u64(uint64(p.Pid))
	w.u64(uint64(p.Ptid))
	w.u64(uint64(p.Sid))
	w.u64(uint64(p.Vpgid))
	w.str(p.Comm)
	w.str(p.Exe)
	w.str(p.ExePath)
	w.list(p.Args)
	w.str(p.Cwd)
	w.u64(uint64(p.FDLimit))
	w.u32(p.Flags)
	w.u32(p.UID)
	w.u32(p.GID)
	w.u32(p.VMSizeKB)
	w.u32(p.VMRSSKB)
	w.u32(p.VMSwapKB)
	w.u64(p.PFMajor)
	w.u64(p.PFMinor)
	w.list(p.Env)
	w.u64(uint64(p.Vtid))
	w.u64(uint64(p.Vpid))
	w.list(p.Cgroups)
	w.str(p.Root)
	if legacyV9Tail(p) {
		// Nothing beyond the capability sets to say: write the pre-libs-0.10
		// tail, which both current libscap and sysdig 0.29 read right
		// (sysdig 0.29 misreads the longer, current tail: it expects
		// loginuid right after root).
		w.u32(p.LoginUID)
		w.bool8(p.ExeWritable)
		w.u64(p.CapInheritable)
		w.u64(p.CapPermitted)
		w.u64(p.CapEffective)
		binary.LittleEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at))
		return
	}
	w.u64(p.PidnsInitStartTs)
	w.u32(p.TTY)
	w.u32(p.LoginUID)
	w.bool8(p.ExeWritable)
	w.u64(p.CapInheritable)
	w.u64(p.CapPermitted)
	w.u64(p.CapEffective)
	w.bool8(p.ExeUpperLayer)
	w.u64(p.ExeIno)
	w.u64(p.ExeInoCtime)
	w.u64(p.ExeInoMtime)
	w.bool8(p.ExeFromMemfd)
	w.bool8(p.ExeLowerLayer)
	w.u64(uint64(p.Pgid))
	binary.LittleEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at))
}

// legacyV9Tail reports whether every PL V9 field that only the current
// layout can carry is zero.
func legacyV9Tail(p *Process) bool {
	return p.PidnsInitStartTs == 0 && p.TTY == 0 && !p.ExeUpperLayer && p.ExeIno == 0 &&
		p.ExeInoCtime == 0 && p.ExeInoMtime == 0 && !p.ExeFromMemfd && !p.ExeLowerLayer && p.Pgid == 0
}

func (w *Writer) fd(fd *FD) {
	at := len(w.buf)
	w.u32(0) // entry length, including itself
	w.u64(uint64(fd.FD))
	w.u64(fd.Ino)
	w.u8(uint8(fd.Type))
	switch fd.Type {
	case FDIPv4Sock:
		w.addr(fd.SrcAddr, 4)
		w.addr(fd.DstAddr, 4)
		w.u16(fd.SrcPort)
		w.u16(fd.DstPort)
		w.u8(fd.L4Proto)
	case FDIPv4Server:
		w.addr(fd.SrcAddr, 4)
		w.u16(fd.SrcPort)
		w.u8(fd.L4Proto)
	case FDIPv6Sock:
		w.addr(fd.SrcAddr, 16)
		w.addr(fd.DstAddr, 16)
		w.u16(fd.SrcPort)
		w.u16(fd.DstPort)
		w.u8(fd.L4Proto)
	case FDIPv6Server:
		w.addr(fd.SrcAddr, 16)
		w.u16(fd.SrcPort)
		w.u8(fd.L4Proto)
	case FDUnixSock:
		w.u64(fd.UnixSource)
		w.u64(fd.UnixDest)
		w.str(fd.Name)
	case FDFileV2:
		w.u32(fd.OpenFlags)
		w.str(fd.Name)
		w.u32(fd.Dev)
	default:
		if fd.Type < fdTypeCount {
			w.str(fd.Name)
		}
	}
	binary.LittleEndian.PutUint32(w.buf[at:], uint32(len(w.buf)-at))
}

// WriteEvent writes e in an EV_V2 block (EV_V2_LARGE for
// EF_LARGE_PAYLOAD types), with e.CPU as the block's CPU.
func (w *Writer) WriteEvent(e *event.Event) error {
	return w.WriteRaw(e.Raw(), e.CPU, 0, false)
}

// WriteEventFlags writes e in an EVF_V2 block with the given flags.
func (w *Writer) WriteEventFlags(e *event.Event, flags uint32) error {
	return w.WriteRaw(e.Raw(), e.CPU, flags, true)
}

// WriteRaw writes one event given as bytes in the 26-byte-header layout.
func (w *Writer) WriteRaw(raw []byte, cpu uint16, flags uint32, hasFlags bool) error {
	if w.err != nil {
		return w.err
	}
	if len(raw) < event.HeaderSize {
		return errors.New("scap: event shorter than its header")
	}
	large := false
	if t := event.Type(binary.LittleEndian.Uint16(raw[20:])); t.Valid() {
		large = t.Info().Flags&event.FlagLargePayload != 0
	}
	var bt uint32
	switch {
	case hasFlags && large:
		bt = blockEVFV2Large
	case hasFlags:
		bt = blockEVFV2
	case large:
		bt = blockEVV2Large
	default:
		bt = blockEVV2
	}
	w.begin(bt)
	w.u16(cpu)
	if hasFlags {
		w.u32(flags)
	}
	w.buf = append(w.buf, raw...)
	w.end()
	return w.err
}

// Close flushes buffered data and the gzip stream, and closes the file
// opened by [Create].
func (w *Writer) Close() error {
	err := w.err
	if err == nil {
		err = w.bw.Flush()
	}
	if w.gz != nil {
		if e := w.gz.Close(); err == nil {
			err = e
		}
	}
	if w.closer != nil {
		if e := w.closer.Close(); err == nil {
			err = e
		}
	}
	if w.err == nil {
		w.err = errors.New("scap: writer closed")
	}
	return err
}
