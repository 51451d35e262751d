package fields

import (
	"net/netip"
	"strconv"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// fd.*: the file descriptor the event is about (receiver/state decides
// which one: the fd created, used or closed). Like libs, fd fields exist
// only for events that create, use or destroy an fd, of a known thread;
// fd.num renders -1 on the enter event of an fd-creating call. When the
// fd itself is unknown (a failed open, an fd older than the capture),
// open-family exit events still give the path they named as fd.name
// (libs' "null fd" extraction), and fd.typechar is 'f' for them.

// fdRef is what fd extractors work from.
type fdRef struct {
	t   *state.Thread
	f   *state.FD // nil when the fd is unknown
	num int64     // -1 when the event has none
}

const fdEventFlags = event.FlagCreatesFd | event.FlagUsesFd | event.FlagDestroysFd

// evFD returns the event's fd reference, or ok=false when fd fields do
// not apply (no thread, or not an fd event).
func evFD(c *Ctx) (r fdRef, ok bool) {
	t := evThread(c)
	if t == nil || c.Evt.Info().Flags&fdEventFlags == 0 {
		return r, false
	}
	r.t = t
	r.f, r.num = c.State.EventFD()
	return r, true
}

// fdField registers a field read from a known fd.
func fdField(name string, t Type, flags Flags, desc string, x func(c *Ctx, r fdRef, v *Value) bool) {
	Register(Field{Name: name, Type: t, Flags: flags, Desc: desc, Bind: Simple(func(c *Ctx, v *Value) bool {
		r, ok := evFD(c)
		if !ok || r.f == nil {
			return false
		}
		return x(c, r, v)
	})})
}

// fdBufField registers a string field built into a per-binding buffer;
// x also runs when the fd is unknown (r.f == nil) so it can fall back on
// the event's path.
func fdBufField(name, desc string, x func(c *Ctx, r fdRef, buf []byte) ([]byte, bool)) {
	Register(Field{Name: name, Type: event.PTCharbuf, Flags: Memoize, Desc: desc, Bind: func(Arg) (Binding, error) {
		var buf []byte
		return Binding{Extract: func(c *Ctx, v *Value) bool {
			r, ok := evFD(c)
			if !ok {
				return false
			}
			buf, ok = x(c, r, buf[:0])
			v.S = unsafeString(buf)
			return ok
		}}, nil
	}})
}

func init() {
	Register(Field{Name: "fd.num", Type: event.PTInt64, Desc: "number of the event's fd (-1 on the enter event of a call that creates one)",
		Bind: Simple(func(c *Ctx, v *Value) bool {
			r, ok := evFD(c)
			if !ok {
				return false
			}
			v.U = uint64(r.num)
			return true
		})})
	fdField("fd.type", event.PTCharbuf, 0, "kind of fd: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink, memfd, ...", func(_ *Ctx, r fdRef, v *Value) bool {
		v.S = r.f.Type.String()
		return true
	})
	Register(Field{Name: "fd.typechar", Type: event.PTCharbuf, Desc: "kind of fd as one character: f file, d directory, 4/6 IPv4/IPv6 socket, u unix, p pipe, e eventfd, s signalfd, l eventpoll, i inotify, t timerfd, n netlink, m memfd, ...",
		Bind: Simple(func(c *Ctx, v *Value) bool {
			r, ok := evFD(c)
			if !ok {
				return false
			}
			if r.f == nil {
				v.S = nullFDTypeChar(c.Evt)
				return true
			}
			v.S = typeCharStrings[r.f.Type.Char()]
			return true
		})})
	fdBufField("fd.name", "name of the fd: the absolute path of a file, 'cip:cport->sip:sport' of a connection, the path of a unix socket, ...", func(c *Ctx, r fdRef, buf []byte) ([]byte, bool) {
		if r.f == nil {
			return appendNullFDPath(buf, c, r)
		}
		return append(buf, r.f.Name...), true
	})
	fdBufField("fd.nameraw", "the path as the syscall received it (files only; not made absolute)", func(c *Ctx, r fdRef, buf []byte) ([]byte, bool) {
		if r.f == nil {
			if c.Evt.Dir() != event.Exit {
				return buf, false
			}
			if !isOpenFamily(c.Evt) {
				return buf, true // "" as libs
			}
			s, _ := c.Evt.String(c.Evt.ParamIndex("name"))
			return append(buf, s...), true
		}
		if r.f.NameRaw != "" {
			return append(buf, r.f.NameRaw...), true
		}
		return append(buf, r.f.Name...), true
	})
	fdBufField("fd.directory", "directory of a file fd (the fd itself for a directory)", func(c *Ctx, r fdRef, buf []byte) ([]byte, bool) {
		var ok bool
		if r.f == nil {
			if buf, ok = appendNullFDPath(buf, c, r); !ok {
				return buf, false
			}
		} else {
			if !r.f.Type.IsFile() && r.f.Type != state.FDDirectory {
				return buf, false
			}
			buf = append(buf, r.f.Name...)
			if r.f.Type == state.FDDirectory {
				return buf, true
			}
		}
		return dirPart(buf), true
	})
	fdBufField("fd.filename", "file name of a file fd, without its directory", func(c *Ctx, r fdRef, buf []byte) ([]byte, bool) {
		// Only for known file fds: not for directories, nor for an
		// unknown fd even after a failed open (as libs).
		if r.f == nil || !r.f.Type.IsFile() {
			return buf, false
		}
		buf = append(buf, r.f.Name...)
		return basePart(buf), true
	})
	fdBufField("fd.uid", "unique id of the fd: thread id followed by fd number", func(c *Ctx, r fdRef, buf []byte) ([]byte, bool) {
		buf = strconv.AppendInt(buf, r.t.Tid, 10)
		return strconv.AppendInt(buf, r.num, 10), true
	})
	fdBufField("fd.containername", "container id and fd name joined by ':' (the id is empty for host processes)", func(c *Ctx, r fdRef, buf []byte) ([]byte, bool) {
		if r.t.ContainerID != hostID {
			buf = append(buf, r.t.ContainerID...)
		}
		buf = append(buf, ':')
		if r.f == nil {
			return appendNullFDPath(buf, c, r)
		}
		return append(buf, r.f.Name...), true
	})
	fdBufField("fd.containerdirectory", "container id and fd directory joined by ':' (the id is empty for host processes)", func(c *Ctx, r fdRef, buf []byte) ([]byte, bool) {
		if r.t.ContainerID != hostID {
			buf = append(buf, r.t.ContainerID...)
		}
		buf = append(buf, ':')
		n := len(buf)
		if r.f == nil {
			var ok bool
			if buf, ok = appendNullFDPath(buf, c, r); !ok {
				return buf, false
			}
		} else {
			if !r.f.Type.IsFile() && r.f.Type != state.FDDirectory {
				return buf, false
			}
			buf = append(buf, r.f.Name...)
			if r.f.Type == state.FDDirectory {
				return buf, true
			}
		}
		d := dirPart(buf[n:])
		return buf[:n+len(d)], true
	})
	fdField("fd.ino", event.PTInt64, 0, "inode number of the file", func(_ *Ctx, r fdRef, v *Value) bool {
		v.U = r.f.Ino
		return true
	})
	fdField("fd.dev", event.PTInt32, 0, "device number of the file (major << 20 | minor)", func(_ *Ctx, r fdRef, v *Value) bool {
		v.U = uint64(r.f.Dev)
		return r.f.Type.IsFile() || r.f.Type == state.FDDirectory
	})
	fdField("fd.dev.major", event.PTInt32, 0, "major device number of the file", func(_ *Ctx, r fdRef, v *Value) bool {
		v.U = uint64(r.f.Dev >> 20)
		return r.f.Type.IsFile() || r.f.Type == state.FDDirectory
	})
	fdField("fd.dev.minor", event.PTInt32, 0, "minor device number of the file", func(_ *Ctx, r fdRef, v *Value) bool {
		v.U = uint64(r.f.Dev & (1<<20 - 1))
		return r.f.Type.IsFile() || r.f.Type == state.FDDirectory
	})
	fdField("fd.is_upper_layer", event.PTBool, 0, "true if the file is in an overlayfs upper layer", func(_ *Ctx, r fdRef, v *Value) bool {
		v.U = b2u(r.f.Flags&state.OpenFDUpperLayer != 0)
		return true
	})
	fdField("fd.is_lower_layer", event.PTBool, 0, "true if the file is in an overlayfs lower layer", func(_ *Ctx, r fdRef, v *Value) bool {
		v.U = b2u(r.f.Flags&state.OpenFDLowerLayer != 0)
		return true
	})
	fdField("fd.name_changed", event.PTBool, 0, "true if the event changed the fd's name (a UDP socket's peer, for instance)", func(c *Ctx, _ fdRef, v *Value) bool {
		v.U = b2u(c.State.FDNameChanged())
		return true
	})

	// Sockets.
	fdField("fd.l4proto", event.PTCharbuf, 0, "transport protocol of a socket: tcp, udp, icmp, raw", func(_ *Ctx, r fdRef, v *Value) bool {
		if !r.f.Type.IsInet() {
			v.S = "<NA>"
			return true
		}
		v.S = r.f.L4Proto.String()
		return true
	})
	fdField("fd.sockfamily", event.PTCharbuf, 0, "socket family: 'ip' or 'unix'", func(_ *Ctx, r fdRef, v *Value) bool {
		switch {
		case r.f.Type.IsInet():
			v.S = "ip"
		case r.f.Type == state.FDUnixSock:
			v.S = "unix"
		default:
			return false
		}
		return true
	})
	fdField("fd.is_server", event.PTBool, 0, "true if the fd is a listening socket or a connection whose server address is this machine's (libs' test)", func(c *Ctx, r fdRef, v *Value) bool {
		v.U = b2u(c.State.ServerIsLocal(r.t, r.f))
		return true
	})
	fdField("fd.connected", event.PTBool, 0, "true if the socket is connected", func(_ *Ctx, r fdRef, v *Value) bool {
		v.U = b2u(r.f.State == state.SocketConnected)
		return true
	})

	// Addresses. A connection's client and server ends (Falco's
	// orientation), this end and the peer (local/remote: the client end
	// is the local one when its address is the machine's, else the
	// server end, as libs decides, see state.ClientIsLocal), and "either
	// end" forms for filters.
	ipField := func(name, desc string, get func(c *Ctx, r fdRef) (netip.Addr, bool)) {
		fdField(name, event.PTIpaddr, 0, desc, func(c *Ctx, r fdRef, v *Value) bool {
			a, ok := get(c, r)
			v.IP = a
			return ok
		})
	}
	ipField("fd.cip", "client IP address of the connection", clientIP)
	ipField("fd.sip", "server IP address of the connection", serverIP)
	ipField("fd.lip", "local IP address of the connection", localIP)
	ipField("fd.rip", "remote IP address of the connection", remoteIP)
	nameField("fd.cip.name", "DNS name of the client IP address: of the names rules compare it with, the first that resolves to it", clientIP)
	nameField("fd.sip.name", "DNS name of the server IP address: of the names rules compare it with, the first that resolves to it", serverIP)
	nameField("fd.lip.name", "DNS name of the local IP address: of the names rules compare it with, the first that resolves to it", localIP)
	nameField("fd.rip.name", "DNS name of the remote IP address: of the names rules compare it with, the first that resolves to it", remoteIP)
	portField := func(name, desc string, get func(c *Ctx, r fdRef) (uint16, bool)) {
		fdField(name, event.PTPort, 0, desc, func(c *Ctx, r fdRef, v *Value) bool {
			p, ok := get(c, r)
			v.U = uint64(p)
			return ok
		})
	}
	portField("fd.cport", "client port of a TCP/UDP connection", clientPort)
	portField("fd.sport", "server port of a TCP/UDP connection", serverPort)
	portField("fd.lport", "local port of a TCP/UDP connection", localPort)
	portField("fd.rport", "remote port of a TCP/UDP connection", remotePort)
	// fd.*proto: the port as text. libs names it after its service when
	// hostname and port resolution is on, which Falco never turns on (and
	// sysdig 0.29 prints numbers too), so it is the number.
	protoField := func(name, desc string, get func(c *Ctx, r fdRef) (uint16, bool)) {
		Register(Field{Name: name, Type: event.PTCharbuf, Desc: desc, Bind: func(Arg) (Binding, error) {
			var buf []byte
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				r, ok := evFD(c)
				if !ok || r.f == nil {
					return false
				}
				p, ok := get(c, r)
				if !ok {
					return false
				}
				buf = strconv.AppendUint(buf[:0], uint64(p), 10)
				v.S = unsafeString(buf)
				return true
			}}, nil
		}})
	}
	protoField("fd.cproto", "client port of a TCP/UDP connection, as text", clientPort)
	protoField("fd.sproto", "server port of a TCP/UDP connection, as text", serverPort)
	protoField("fd.lproto", "local port of a TCP/UDP connection, as text", localPort)
	protoField("fd.rproto", "remote port of a TCP/UDP connection, as text", remotePort)

	netField := func(name, desc string, get func(c *Ctx, r fdRef) (netip.Addr, bool)) {
		Register(Field{Name: name, Type: event.PTIpnet, Flags: FilterOnly | NoRHS | NoTransformer, Desc: desc,
			Bind: Simple(func(c *Ctx, v *Value) bool {
				r, ok := evFD(c)
				if !ok || r.f == nil {
					return false
				}
				a, ok := get(c, r)
				v.IP = a
				return ok
			})})
	}
	netField("fd.cnet", "client IP network of the connection (CIDR match)", clientIP)
	netField("fd.snet", "server IP network of the connection (CIDR match)", serverIP)
	netField("fd.lnet", "local IP network of the connection (CIDR match)", localIP)
	netField("fd.rnet", "remote IP network of the connection (CIDR match)", remoteIP)

	// Either end: a check holds if it holds for the client or the server,
	// but != holds when neither end equals (Shape Either, libs'
	// compare_ip/compare_net/compare_port).
	eitherIP := func(name, desc string, t Type) {
		Register(Field{Name: name, Type: t, Flags: FilterOnly | NoRHS | NoTransformer, Desc: desc,
			Bind: func(Arg) (Binding, error) {
				return Binding{Shape: Either, Extract: func(c *Ctx, v *Value) bool {
					r, ok := evFD(c)
					if !ok || r.f == nil || !r.f.Type.IsInet() {
						return false
					}
					v.IPs = appendEnds(v.IPs[:0], r.f)
					return len(v.IPs) > 0
				}}, nil
			}})
	}
	eitherIP("fd.ip", "IP address of either end of the connection (filters only)", event.PTIpaddr)
	eitherIP("fd.net", "IP network of either end of the connection (filters only, CIDR match)", event.PTIpnet)
	// fd.proto is fd.port under another name: libs compares both with
	// compare_port (sysdig 0.29 matches the same events for each), the
	// name recalling that the value may be a service name (fd.proto = http).
	eitherPort := func(name, desc string) {
		Register(Field{Name: name, Type: event.PTPort, Flags: FilterOnly | NoRHS | NoTransformer, Desc: desc,
			Bind: bindEitherPort})
	}
	eitherPort("fd.port", "port of either end of the connection (filters only)")
	eitherPort("fd.proto", "port of either end of the connection, by number or service name (filters only)")

	Register(Field{Name: "fd.types", Type: event.PTCharbuf, Flags: List | ArgAllowed | ArgIndex | NoRHS,
		Desc: "kinds of the process's open fds (unique, sorted); fd.types[N] is the kind of fd N",
		Bind: func(a Arg) (Binding, error) {
			if a.Set {
				n, ok := a.Index()
				if !ok {
					return Binding{}, errNeedIndex("fd.types", a)
				}
				return Binding{Extract: func(c *Ctx, v *Value) bool {
					t := evThread(c)
					if t == nil {
						return false
					}
					v.Strs = v.Strs[:0]
					if f := t.FD(int64(n)); f != nil {
						v.Strs = append(v.Strs, f.Type.String())
					}
					return true
				}}, nil
			}
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				t := evThread(c)
				if t == nil {
					return false
				}
				v.Strs = v.Strs[:0]
				t.FDs().All(func(f *state.FD) bool {
					v.Strs = insertSorted(v.Strs, f.Type.String())
					return true
				})
				return true
			}}, nil
		}})
}

// typeCharStrings maps fd.typechar bytes to one-character strings without
// allocating.
var typeCharStrings = func() (t [256]string) {
	for i := range t {
		t[i] = string(rune(i))
	}
	return
}()

// insertSorted adds s to the sorted, duplicate-free list l.
func insertSorted(l []string, s string) []string {
	i := 0
	for i < len(l) && l[i] < s {
		i++
	}
	if i < len(l) && l[i] == s {
		return l
	}
	l = append(l, "")
	copy(l[i+1:], l[i:])
	l[i] = s
	return l
}

// appendEnds appends the addresses fd.ip and fd.net test: a listening
// socket's own, else both ends of the connection — for a socket without
// one yet, the unspecified address of its family, as libs compares them.
func appendEnds(ips []netip.Addr, f *state.FD) []netip.Addr {
	if isServSock(f) {
		return append(ips, orUnspecified(f.SIP, f))
	}
	return append(ips, orUnspecified(f.CIP, f), orUnspecified(f.SIP, f))
}

func orUnspecified(a netip.Addr, f *state.FD) netip.Addr {
	if a.IsValid() {
		return a
	}
	if f.Type == state.FDIPv6Sock || f.Type == state.FDIPv6ServSock {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

func isServSock(f *state.FD) bool {
	return f.Type == state.FDIPv4ServSock || f.Type == state.FDIPv6ServSock
}

// connection reports whether f is an inet socket with a connection tuple
// (a fresh socket has no ends yet: its address fields are not available).
func connection(f *state.FD) bool {
	return f.Type.IsInet() && !isServSock(f) && f.Role != state.RoleNone
}

func clientIP(_ *Ctx, r fdRef) (netip.Addr, bool) {
	if !connection(r.f) {
		return netip.Addr{}, false
	}
	return r.f.CIP, r.f.CIP.IsValid()
}

func serverIP(_ *Ctx, r fdRef) (netip.Addr, bool) {
	if !connection(r.f) && !isServSock(r.f) {
		return netip.Addr{}, false
	}
	return r.f.SIP, r.f.SIP.IsValid()
}

// localIP is the client address when it is the machine's, else the
// server address (libs' fd.lip); remoteIP the other one.
func localIP(c *Ctx, r fdRef) (netip.Addr, bool) {
	if !connection(r.f) {
		return netip.Addr{}, false
	}
	a := r.f.SIP
	if c.State.ClientIsLocal(r.t, r.f) {
		a = r.f.CIP
	}
	return a, a.IsValid()
}

func remoteIP(c *Ctx, r fdRef) (netip.Addr, bool) {
	if !connection(r.f) {
		return netip.Addr{}, false
	}
	a := r.f.CIP
	if c.State.ClientIsLocal(r.t, r.f) {
		a = r.f.SIP
	}
	return a, a.IsValid()
}

func clientPort(_ *Ctx, r fdRef) (uint16, bool) {
	if !connection(r.f) {
		return 0, false
	}
	return r.f.CPort, true
}

func serverPort(_ *Ctx, r fdRef) (uint16, bool) {
	if !connection(r.f) && !isServSock(r.f) {
		return 0, false
	}
	return r.f.SPort, true
}

func localPort(c *Ctx, r fdRef) (uint16, bool) {
	if !connection(r.f) {
		return 0, false
	}
	if c.State.ClientIsLocal(r.t, r.f) {
		return r.f.CPort, true
	}
	return r.f.SPort, true
}

func remotePort(c *Ctx, r fdRef) (uint16, bool) {
	if !connection(r.f) {
		return 0, false
	}
	if c.State.ClientIsLocal(r.t, r.f) {
		return r.f.SPort, true
	}
	return r.f.CPort, true
}

// nullFDTypeChar is fd.typechar for an fd event whose fd is unknown:
// libs guesses it from the call (sockets always count as IPv4), 'o'
// otherwise.
func nullFDTypeChar(e *event.Event) string {
	switch e.Name() {
	case "open", "openat", "openat2", "creat", "open_by_handle_at":
		return "f"
	case "socket", "accept", "accept4":
		return "4"
	case "pipe", "pipe2":
		return "p"
	case "eventfd", "eventfd2":
		return "e"
	case "signalfd", "signalfd4":
		return "s"
	case "timerfd_create":
		return "t"
	case "inotify_init", "inotify_init1":
		return "i"
	}
	return "o"
}

// isOpenFamily reports whether e is an open, openat, openat2, creat or
// open_by_handle_at event (either direction).
func isOpenFamily(e *event.Event) bool {
	switch e.Name() {
	case "open", "openat", "openat2", "creat", "open_by_handle_at":
		return true
	}
	return false
}

// appendNullFDPath appends fd.name for an fd event whose fd is unknown,
// as libs derives it: on an exit event of the open family, the path the
// call named, made absolute against the thread's cwd (or the dirfd's
// path) — a failed open still names its file; on any other exit event,
// the empty name; on enter events, nothing (ok=false).
func appendNullFDPath(buf []byte, c *Ctx, r fdRef) ([]byte, bool) {
	e := c.Evt
	if e.Dir() != event.Exit {
		return buf, false
	}
	if !isOpenFamily(e) {
		return buf, true
	}
	name, ok := e.String(e.ParamIndex("name"))
	if !ok {
		return buf, false
	}
	dir := r.t.CWD()
	if di := e.ParamIndex("dirfd"); di >= 0 {
		if d, ok := e.Int(di); ok && d != state.AtFDCWD {
			if f := r.t.FD(d); f != nil {
				dir = f.Name
			} else if len(name) == 0 || name[0] != '/' {
				return buf, false
			}
		}
	}
	return state.AppendJoinClean(buf, dir, name), true
}

// dirPart cuts a file path to its directory, as libs' fd.directory does:
// "/etc/passwd" → "/etc", "/passwd" and "passwd" → "/".
func dirPart(p []byte) []byte {
	i := len(p) - 1
	for i >= 0 && p[i] != '/' {
		i--
	}
	if i <= 0 {
		return append(p[:0], '/')
	}
	if i < len(p)-1 {
		return p[:i]
	}
	return p
}

// basePart cuts a file path to its last element, as libs' fd.filename.
func basePart(p []byte) []byte {
	i := len(p) - 1
	for i >= 0 && p[i] != '/' {
		i--
	}
	if i < 0 {
		return append(p[:0], '/')
	}
	if i < len(p)-1 {
		return append(p[:0], p[i+1:]...)
	}
	return p
}

// bindEitherPort binds fd.port and fd.proto: the ports of both ends (one
// for a listening socket).
func bindEitherPort(Arg) (Binding, error) {
	return Binding{Shape: Either, Extract: func(c *Ctx, v *Value) bool {
		r, ok := evFD(c)
		if !ok || r.f == nil || !r.f.Type.IsInet() {
			return false
		}
		f := r.f
		if isServSock(f) {
			v.Nums = append(v.Nums[:0], uint64(f.SPort))
		} else {
			v.Nums = append(v.Nums[:0], uint64(f.CPort), uint64(f.SPort))
		}
		return true
	}}, nil
}
