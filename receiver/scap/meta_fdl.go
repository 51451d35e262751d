package scap

import (
	"fmt"
	"net/netip"
)

// decodeFDL decodes an FD-list block body: the thread id, then entries
// (each prefixed by its u32 length in V2).
func decodeFDL(c *cursor, v2 bool, dst []FD) ([]FD, error) {
	tid := int64(c.u64("fd list tid"))
	for c.err == nil && c.remaining() >= 4 {
		entry := c
		var sub cursor
		if v2 {
			n := c.u32("fd entry length")
			// The length counts its own 4 bytes.
			if n < 4 {
				return dst, formatErr(c.off()-4, "fd entry length %d < 4", n)
			}
			sub = c.sub(int(n)-4, "fd entry")
			entry = &sub
		}
		fd, err := decodeFD(entry, v2)
		if err != nil {
			return dst, err
		}
		fd.Tid = tid
		dst = append(dst, fd)
	}
	return dst, c.err
}

func decodeFD(c *cursor, v2 bool) (FD, error) {
	var fd FD
	start := c.off()
	fd.FD = int64(c.u64("fd"))
	fd.Ino = c.u64("ino")
	fd.Type = FDType(c.u8("fd type"))
	switch fd.Type {
	case FDIPv4Sock:
		fd.SrcAddr = netip.AddrFrom4([4]byte(pad(c.take(4, "source ip"), 4)))
		fd.DstAddr = netip.AddrFrom4([4]byte(pad(c.take(4, "dest ip"), 4)))
		fd.SrcPort = c.u16("source port")
		fd.DstPort = c.u16("dest port")
		fd.L4Proto = c.u8("l4proto")
	case FDIPv4Server:
		fd.SrcAddr = netip.AddrFrom4([4]byte(pad(c.take(4, "server ip"), 4)))
		fd.SrcPort = c.u16("server port")
		fd.L4Proto = c.u8("l4proto")
	case FDIPv6Sock:
		fd.SrcAddr = netip.AddrFrom16([16]byte(pad(c.take(16, "source ip"), 16)))
		fd.DstAddr = netip.AddrFrom16([16]byte(pad(c.take(16, "dest ip"), 16)))
		fd.SrcPort = c.u16("source port")
		fd.DstPort = c.u16("dest port")
		fd.L4Proto = c.u8("l4proto")
	case FDIPv6Server:
		fd.SrcAddr = netip.AddrFrom16([16]byte(pad(c.take(16, "server ip"), 16)))
		fd.SrcPort = c.u16("server port")
		fd.L4Proto = c.u8("l4proto")
	case FDUnixSock:
		fd.UnixSource = c.u64("unix source")
		fd.UnixDest = c.u64("unix dest")
		fd.Name = c.str("unix path")
	case FDFileV2:
		fd.OpenFlags = c.u32("open flags")
		fd.Name = c.str("name")
		if v2 && c.remaining() >= 4 {
			fd.Dev = c.u32("dev")
		}
	default:
		if fd.Type >= fdTypeCount {
			if !v2 {
				return fd, formatErr(start, "fd entry of unknown type %d", fd.Type)
			}
			fd.Name = fmt.Sprintf("unknown-type:[%d]", fd.Type)
			c.pos = len(c.b)
			break
		}
		fd.Name = c.str("name")
	}
	return fd, c.err
}

// pad returns p, or n zero bytes if p is short (the cursor has then
// recorded an error, so the value is never used).
func pad(p []byte, n int) []byte {
	if len(p) < n {
		return make([]byte, n)
	}
	return p
}
