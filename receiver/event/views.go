package event

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
)

// Socket families as encoded in SOCKADDR/SOCKTUPLE parameters (PPM_AF_*).
const (
	AFUnspec = 0
	AFUnix   = 1
	AFInet   = 2
	AFInet6  = 10
)

// StringList iterates a NUL-separated list (execve args/env, cgroups)
// without allocating:
//
//	for l := e.Strings(i); ; {
//		s, ok := l.Next()
//		if !ok { break }
//		...
//	}
//
// A trailing NUL does not produce an empty last element; empty elements in
// the middle are kept. Strings alias the event buffer.
type StringList []byte

// Next returns the next element and advances the list.
func (l *StringList) Next() (string, bool) {
	b := *l
	if len(b) == 0 {
		return "", false
	}
	// bytes.IndexByte (vectorized) rather than a byte loop: the
	// elements state tracking walks are cgroup paths and environment
	// strings, often 50-150 bytes.
	if i := bytes.IndexByte(b, 0); i >= 0 {
		*l = b[i+1:]
		return unsafeString(b[:i]), true
	}
	*l = nil
	return unsafeString(b), true
}

// Len counts the elements.
func (l StringList) Len() int {
	n := 0
	for {
		if _, ok := l.Next(); !ok {
			return n
		}
		n++
	}
}

// SockAddr is a PT_SOCKADDR value: u8 family, then for AF_INET u32 address
// (network byte order) and u16 port (host order), for AF_INET6 16 bytes and
// a u16 port, for AF_UNIX a path.
type SockAddr []byte

// Family returns the socket family, or AFUnspec for an empty value.
func (s SockAddr) Family() uint8 {
	if len(s) == 0 {
		return AFUnspec
	}
	return s[0]
}

// Addr returns the IP address and port of an AF_INET/AF_INET6 address.
func (s SockAddr) Addr() (netip.Addr, uint16, bool) {
	switch s.Family() {
	case AFInet:
		if len(s) >= 7 {
			return netip.AddrFrom4([4]byte(s[1:5])), binary.LittleEndian.Uint16(s[5:]), true
		}
	case AFInet6:
		if len(s) >= 19 {
			return netip.AddrFrom16([16]byte(s[1:17])), binary.LittleEndian.Uint16(s[17:]), true
		}
	}
	return netip.Addr{}, 0, false
}

// Path returns the path of an AF_UNIX address (aliased, up to the first NUL).
func (s SockAddr) Path() (string, bool) {
	if s.Family() != AFUnix {
		return "", false
	}
	return cString(s[1:]), true
}

// SockTuple is a PT_SOCKTUPLE value: u8 family, then for AF_INET
// u32 sip, u16 sport, u32 dip, u16 dport (13 bytes in all); for AF_INET6
// 16-byte addresses (37 bytes); for AF_UNIX u64 source, u64 dest, path.
type SockTuple []byte

// Family returns the socket family, or AFUnspec for an empty value.
func (s SockTuple) Family() uint8 {
	if len(s) == 0 {
		return AFUnspec
	}
	return s[0]
}

// Addrs returns source and destination address and port of an inet tuple.
func (s SockTuple) Addrs() (src netip.Addr, sport uint16, dst netip.Addr, dport uint16, ok bool) {
	switch s.Family() {
	case AFInet:
		if len(s) >= 13 {
			return netip.AddrFrom4([4]byte(s[1:5])), binary.LittleEndian.Uint16(s[5:]),
				netip.AddrFrom4([4]byte(s[7:11])), binary.LittleEndian.Uint16(s[11:]), true
		}
	case AFInet6:
		if len(s) >= 37 {
			return netip.AddrFrom16([16]byte(s[1:17])), binary.LittleEndian.Uint16(s[17:]),
				netip.AddrFrom16([16]byte(s[19:35])), binary.LittleEndian.Uint16(s[35:]), true
		}
	}
	return netip.Addr{}, 0, netip.Addr{}, 0, false
}

// Unix returns the kernel socket pointers and path of an AF_UNIX tuple.
func (s SockTuple) Unix() (src, dst uint64, path string, ok bool) {
	if s.Family() != AFUnix || len(s) < 17 {
		return 0, 0, "", false
	}
	return binary.LittleEndian.Uint64(s[1:]), binary.LittleEndian.Uint64(s[9:]), cString(s[17:]), true
}

// FDList is a PT_FDLIST value: u16 count, then count × (u64 fd, u16 flags).
type FDList []byte

// Len returns the number of entries that are actually present.
func (l FDList) Len() int {
	if len(l) < 2 {
		return 0
	}
	n := int(binary.LittleEndian.Uint16(l))
	if max := (len(l) - 2) / 10; n > max {
		n = max
	}
	return n
}

// At returns entry i.
func (l FDList) At(i int) (fd int64, flags uint16) {
	o := 2 + 10*i
	return int64(binary.LittleEndian.Uint64(l[o:])), binary.LittleEndian.Uint16(l[o+8:])
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return unsafeString(b[:i])
		}
	}
	return unsafeString(b)
}

// AppendIP appends a as inet_ntop(3) writes it, which is how libs prints
// addresses: netip's notation, but for an IPv4-compatible IPv6 address
// (96 zero bits, then an IPv4 address not below 0.1.0.0), which keeps its
// dotted tail: "::1.2.3.4", where netip writes "::102:304".
func AppendIP(buf []byte, a netip.Addr) []byte {
	if a.Is6() && !a.Is4In6() {
		b := a.As16()
		if b == [16]byte{12: b[12], 13: b[13], 14: b[14], 15: b[15]} && (b[12] != 0 || b[13] != 0) {
			buf = append(buf, "::"...)
			return netip.AddrFrom4([4]byte(b[12:])).AppendTo(buf)
		}
	}
	return a.AppendTo(buf)
}

// AppendEndpoint appends "ip:port" as libs prints a socket address: the
// address as AppendIP writes it, without brackets for IPv6.
func AppendEndpoint(buf []byte, a netip.Addr, port uint16) []byte {
	buf = AppendIP(buf, a)
	buf = append(buf, ':')
	return strconv.AppendUint(buf, uint64(port), 10)
}

// AppendConnection appends "src:sport->dst:dport" as libs prints an inet
// connection. (For an event's tuple, take its ends through IPv4Pair
// first.)
func AppendConnection(buf []byte, src netip.Addr, sport uint16, dst netip.Addr, dport uint16) []byte {
	buf = AppendEndpoint(buf, src, sport)
	buf = append(buf, "->"...)
	return AppendEndpoint(buf, dst, dport)
}

// IPv4Pair returns the two ends of an IPv6 connection as IPv4 addresses
// when libs takes the connection for an IPv4 one: when each end is an
// IPv4-mapped address (::ffff:a.b.c.d) or unspecified (::, which is then
// 0.0.0.0). ok tells whether it did.
func IPv4Pair(a, b netip.Addr) (a4, b4 netip.Addr, ok bool) {
	if mappedOrZero(a) && mappedOrZero(b) {
		return unmapZero(a), unmapZero(b), true
	}
	return a, b, false
}

func mappedOrZero(a netip.Addr) bool {
	return a.Is4In6() || (a.Is6() && a.IsUnspecified())
}

func unmapZero(a netip.Addr) netip.Addr {
	if a.IsUnspecified() {
		return netip.IPv4Unspecified()
	}
	return a.Unmap()
}
