package event

import (
	"encoding/binary"
	"math"
	"net/netip"
)

// Builder encodes events in the scap layout. It is how tests, the capture
// writer's tooling and the enter/exit converter make events; the kernel side
// writes the same bytes from C. A Builder reuses its buffers: the slice
// returned by Finish is valid until the next Begin.
//
//	var b event.Builder
//	b.Begin(event.SyscallOpenatV2X, ts, tid)
//	b.Int64(3)            // fd
//	b.Int64(-100)         // dirfd
//	b.String("/etc/passwd")
//	...
//	raw := b.Finish()
type Builder struct {
	typ    Type
	ts     uint64
	tid    int64
	lens   []uint32
	params []byte
	out    []byte
}

// Begin starts a new event, discarding any unfinished one.
func (b *Builder) Begin(t Type, ts uint64, tid int64) {
	b.typ, b.ts, b.tid = t, ts, tid
	b.lens = b.lens[:0]
	b.params = b.params[:0]
}

func (b *Builder) add(p []byte) {
	b.lens = append(b.lens, uint32(len(p)))
	b.params = append(b.params, p...)
}

// Empty appends an absent parameter (length 0).
func (b *Builder) Empty() { b.lens = append(b.lens, 0) }

// Uint8 appends a 1-byte parameter.
func (b *Builder) Uint8(v uint8) {
	b.lens = append(b.lens, 1)
	b.params = append(b.params, v)
}

// Uint16 appends a 2-byte parameter.
func (b *Builder) Uint16(v uint16) {
	b.lens = append(b.lens, 2)
	b.params = binary.LittleEndian.AppendUint16(b.params, v)
}

// Uint32 appends a 4-byte parameter.
func (b *Builder) Uint32(v uint32) {
	b.lens = append(b.lens, 4)
	b.params = binary.LittleEndian.AppendUint32(b.params, v)
}

// Uint64 appends an 8-byte parameter.
func (b *Builder) Uint64(v uint64) {
	b.lens = append(b.lens, 8)
	b.params = binary.LittleEndian.AppendUint64(b.params, v)
}

// Fixed appends v as a parameter of the fixed-size type t (its low
// t.FixedSize() bytes; an IPv6 address is v then zeros) and reports true;
// for a variable-size type it appends nothing and reports false.
func (b *Builder) Fixed(t ParamType, v uint64) bool {
	switch t.FixedSize() {
	case 1:
		b.Uint8(uint8(v))
	case 2:
		b.Uint16(uint16(v))
	case 4:
		b.Uint32(uint32(v))
	case 8:
		b.Uint64(v)
	case 16:
		var a [16]byte
		binary.LittleEndian.PutUint64(a[:], v)
		b.Bytes(a[:])
	default:
		return false
	}
	return true
}

// Int32 appends a 4-byte signed parameter (FD32, PID32, INT32).
func (b *Builder) Int32(v int32) { b.Uint32(uint32(v)) }

// Int64 appends an 8-byte signed parameter (ERRNO, FD, PID, INT64).
func (b *Builder) Int64(v int64) { b.Uint64(uint64(v)) }

// Double appends a PT_DOUBLE parameter.
func (b *Builder) Double(v float64) { b.Uint64(math.Float64bits(v)) }

// String appends a NUL-terminated string parameter (CHARBUF, FSPATH).
func (b *Builder) String(s string) {
	b.lens = append(b.lens, uint32(len(s)+1))
	b.params = append(b.params, s...)
	b.params = append(b.params, 0)
}

// Bytes appends a BYTEBUF parameter as is.
func (b *Builder) Bytes(p []byte) { b.add(p) }

// Strings appends a NUL-separated list (execve args/env, cgroups): every
// element followed by a NUL.
func (b *Builder) Strings(ss ...string) {
	n := 0
	for _, s := range ss {
		b.params = append(b.params, s...)
		b.params = append(b.params, 0)
		n += len(s) + 1
	}
	b.lens = append(b.lens, uint32(n))
}

// SockAddrInet appends an AF_INET/AF_INET6 PT_SOCKADDR.
func (b *Builder) SockAddrInet(a netip.Addr, port uint16) {
	p := appendFamilyAddr(nil, a)
	b.add(binary.LittleEndian.AppendUint16(p, port))
}

// SockAddrUnix appends an AF_UNIX PT_SOCKADDR.
func (b *Builder) SockAddrUnix(path string) {
	p := append([]byte{AFUnix}, path...)
	b.add(append(p, 0))
}

// SockTupleInet appends an AF_INET/AF_INET6 PT_SOCKTUPLE. Both addresses
// must be of the same family.
func (b *Builder) SockTupleInet(src netip.Addr, sport uint16, dst netip.Addr, dport uint16) {
	p := appendFamilyAddr(nil, src)
	p = binary.LittleEndian.AppendUint16(p, sport)
	p = append(p, dst.AsSlice()...)
	b.add(binary.LittleEndian.AppendUint16(p, dport))
}

// SockTupleUnix appends an AF_UNIX PT_SOCKTUPLE.
func (b *Builder) SockTupleUnix(src, dst uint64, path string) {
	p := []byte{AFUnix}
	p = binary.LittleEndian.AppendUint64(p, src)
	p = binary.LittleEndian.AppendUint64(p, dst)
	p = append(p, path...)
	b.add(append(p, 0))
}

func appendFamilyAddr(p []byte, a netip.Addr) []byte {
	if a.Is4() {
		p = append(p, AFInet)
	} else {
		p = append(p, AFInet6)
	}
	return append(p, a.AsSlice()...)
}

// Finish assembles the event: header, lengths (u32 for EF_LARGE_PAYLOAD
// types, u16 otherwise) and parameters.
func (b *Builder) Finish() []byte {
	lensz := 2
	if b.typ.Valid() && table[b.typ].Flags&FlagLargePayload != 0 {
		lensz = 4
	}
	n := HeaderSize + lensz*len(b.lens) + len(b.params)
	out := b.out[:0]
	out = binary.LittleEndian.AppendUint64(out, b.ts)
	out = binary.LittleEndian.AppendUint64(out, uint64(b.tid))
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	out = binary.LittleEndian.AppendUint16(out, uint16(b.typ))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(b.lens)))
	for _, l := range b.lens {
		if lensz == 2 {
			out = binary.LittleEndian.AppendUint16(out, uint16(l))
		} else {
			out = binary.LittleEndian.AppendUint32(out, l)
		}
	}
	out = append(out, b.params...)
	b.out = out
	return out
}
