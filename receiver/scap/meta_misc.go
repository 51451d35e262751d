package scap

import (
	"net/netip"
	"strings"
)

// decodeMI decodes a machine-info block body.
func decodeMI(c *cursor) (*MachineInfo, error) {
	m := &MachineInfo{}
	m.NumCPUs = c.u32("num_cpus")
	m.MemorySizeBytes = c.u64("memory_size_bytes")
	m.MaxPID = c.u64("max_pid")
	host := c.take(128, "hostname")
	if i := strings.IndexByte(string(host), 0); i >= 0 {
		host = host[:i]
	}
	m.Hostname = string(host)
	// Captures from before these fields existed end here.
	if c.remaining() >= 8 {
		m.BootTimeEpoch = c.u64("boot_ts_epoch")
	}
	if c.remaining() >= 8 {
		m.Flags = c.u64("flags")
	}
	if c.remaining() >= 8 {
		m.Reserved3 = c.u64("reserved3")
	}
	if c.remaining() >= 8 {
		m.Reserved4 = c.u64("reserved4")
	}
	return m, c.err
}

// decodeIL decodes an interface-list block body.
func decodeIL(c *cursor, v2 bool, dst []Interface) ([]Interface, error) {
	for c.err == nil && c.remaining() >= 4 {
		entry := c
		var sub cursor
		if v2 {
			// Unlike the other V2 lists, the length excludes its own 4 bytes.
			n := c.u32("interface entry length")
			sub = c.sub(int(n), "interface entry")
			entry = &sub
		}
		var it Interface
		start := entry.off()
		it.Type = InterfaceType(entry.u16("interface type"))
		namelen := int(entry.u16("interface name length"))
		switch it.Type {
		case IfIPv4, IfIPv4NoLinkSpeed:
			it.Addr = netip.AddrFrom4([4]byte(pad(entry.take(4, "address"), 4)))
			it.Netmask = netip.AddrFrom4([4]byte(pad(entry.take(4, "netmask"), 4)))
			it.Broadcast = netip.AddrFrom4([4]byte(pad(entry.take(4, "broadcast"), 4)))
		case IfIPv6, IfIPv6NoLinkSpeed:
			it.Addr = netip.AddrFrom16([16]byte(pad(entry.take(16, "address"), 16)))
			it.Netmask = netip.AddrFrom16([16]byte(pad(entry.take(16, "netmask"), 16)))
			it.Broadcast = netip.AddrFrom16([16]byte(pad(entry.take(16, "broadcast"), 16)))
		default:
			if entry.err == nil {
				return dst, formatErr(start, "unknown interface entry type %d", it.Type)
			}
		}
		if it.Type.HasLinkSpeed() {
			it.LinkSpeed = entry.u64("link speed")
		}
		it.Name = strings.Clone(string(entry.take(namelen, "interface name")))
		if entry.err != nil {
			return dst, entry.err
		}
		dst = append(dst, it)
	}
	return dst, c.err
}

// User list entry types.
const (
	ulUser  = 0
	ulGroup = 1
)

// decodeUL decodes a user/group-list block body.
func decodeUL(c *cursor, v2 bool, users []User, groups []Group) ([]User, []Group, error) {
	for c.err == nil && c.remaining() >= 4 {
		entry := c
		var sub cursor
		if v2 {
			n := c.u32("user entry length")
			// The length counts its own 4 bytes.
			if n < 4 {
				return users, groups, formatErr(c.off()-4, "user entry length %d < 4", n)
			}
			sub = c.sub(int(n)-4, "user entry")
			entry = &sub
		}
		start := entry.off()
		switch typ := entry.u8("user entry type"); typ {
		case ulUser:
			var u User
			u.UID = entry.u32("uid")
			u.GID = entry.u32("gid")
			u.Name = entry.str("user name")
			u.HomeDir = entry.str("home directory")
			u.Shell = entry.str("shell")
			if entry.err == nil {
				users = append(users, u)
			}
		case ulGroup:
			var g Group
			g.GID = entry.u32("gid")
			g.Name = entry.str("group name")
			if entry.err == nil {
				groups = append(groups, g)
			}
		default:
			if entry.err == nil {
				return users, groups, formatErr(start, "unknown user list entry type %d", typ)
			}
		}
		if entry.err != nil {
			return users, groups, entry.err
		}
	}
	return users, groups, c.err
}
