package state

import (
	"net"
	"net/netip"

	"github.com/sakersec/saker/receiver/scap"
)

// The machine's network addresses. libs decides which end of an inet
// connection is the local one, and whether the fd is the server end
// (fd.is_server, fd.lip/rip, fd.lport/rport, fd.lnet/rnet), by whether
// the server address is one of the machine's — the capture's interface
// list (IL block) in replay, the live interfaces otherwise — not by who
// called connect or accept: a client of a server on the same machine is
// "the server" for libs, and so for saker.

// SetInterfaces replaces the machine's interface list (the capture's IL
// block in replay, the live interfaces in live mode).
func (s *State) SetInterfaces(ifs []scap.Interface) {
	s.ifaces = append(s.ifaces[:0], ifs...)
}

// Interfaces returns the machine's interface list. The slice is the
// state's; do not modify it.
func (s *State) Interfaces() []scap.Interface { return s.ifaces }

// LoadInterfaces reads the live machine's interface addresses
// (net.Interfaces) into the interface list, as libscap lists them for a
// live capture.
func (s *State) LoadInterfaces() error {
	ifs, err := net.Interfaces()
	if err != nil {
		return err
	}
	var out []scap.Interface
	for _, ifc := range ifs {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			mask, _ := netip.AddrFromSlice(net.IP(ipn.Mask))
			it := scap.Interface{Name: ifc.Name, Addr: ip, Netmask: mask.Unmap()}
			if ip.Is4() {
				it.Type = scap.IfIPv4NoLinkSpeed
				if ifc.Flags&net.FlagBroadcast != 0 {
					b := ip.As4()
					m := mask.Unmap().As4()
					for i := range b {
						b[i] |= ^m[i]
					}
					it.Broadcast = netip.AddrFrom4(b)
				}
			} else {
				it.Type = scap.IfIPv6NoLinkSpeed
			}
			out = append(out, it)
		}
	}
	s.SetInterfaces(out)
	return nil
}

// IsLocalAddr reports whether ip is an address of the machine as t sees
// it, as libs' is_ipv4addr_in_local_machine/is_ipv6addr_in_local_machine
// decide: for a thread in a container whose IP the container metadata
// gives, that IP counts too; IPv6 addresses are never local to a
// container's thread (libs does not model container IPv6 networking);
// for others an IPv6 address is local when its first 64 bits are those of
// one of the machine's (libs' subnet test). It allocates nothing.
func (s *State) IsLocalAddr(t *Thread, ip netip.Addr) bool {
	ip = ip.Unmap()
	inContainer := t != nil && t.InContainer() && t.ContainerID != ""
	if ip.Is4() {
		if inContainer {
			if c := s.containers[t.ContainerID]; c != nil && c.IP.IsValid() && c.IP == ip {
				return true
			}
		}
		for i := range s.ifaces {
			if !s.ifaces[i].Type.IPv6() && s.ifaces[i].Addr == ip {
				return true
			}
		}
		return false
	}
	if inContainer {
		return false
	}
	// libs compares IPv6 addresses by their first 64 bits (its subnet
	// test assumes /64 networks): an address in the /64 of one of the
	// machine's IPv6 addresses is local — with ::1 listed, so is every
	// address whose first 64 bits are zero, the unspecified address of
	// a fresh socket included
	a := ip.As16()
	for i := range s.ifaces {
		if s.ifaces[i].Type.IPv6() {
			b := s.ifaces[i].Addr.As16()
			if [8]byte(a[:8]) == [8]byte(b[:8]) {
				return true
			}
		}
	}
	return false
}

// ServerIsLocal is libs' fd.is_server: true for a listening socket, and
// for a connected IPv4/IPv6 socket whose server address is the machine's
// (IsLocalAddr; so a client of a server on the same machine counts, and
// so does a fresh IPv6 socket when ::1 is listed); false for other fds.
func (s *State) ServerIsLocal(t *Thread, f *FD) bool {
	if f == nil {
		return false
	}
	switch f.Type {
	case FDIPv4ServSock, FDIPv6ServSock:
		return true
	case FDIPv4Sock, FDIPv6Sock:
		return s.IsLocalAddr(t, orUnspecified(f.SIP, f.Type == FDIPv6Sock))
	}
	return false
}

// ClientIsLocal reports which end of f's connection libs takes as the
// local one for fd.lip/rip, fd.lport/rport, fd.lnet/rnet and
// fd.lproto/rproto: the client end when the client address is the
// machine's (IsLocalAddr), else the server end. (A client of a server on
// the same machine is the local end; an accepted connection from another
// machine has the server end local.)
func (s *State) ClientIsLocal(t *Thread, f *FD) bool {
	if f == nil || f.Type != FDIPv4Sock && f.Type != FDIPv6Sock {
		return false
	}
	return s.IsLocalAddr(t, orUnspecified(f.CIP, f.Type == FDIPv6Sock))
}

func orUnspecified(a netip.Addr, v6 bool) netip.Addr {
	if a.IsValid() {
		return a
	}
	return zeroAddr(v6)
}
