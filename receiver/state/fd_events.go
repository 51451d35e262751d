package state

import (
	"encoding/binary"
	"math"
	"net/netip"
	"strconv"

	"github.com/sakersec/saker/receiver/event"
)

// File descriptor lifecycle: the open family, close, dup family, pipes,
// sockets and the other fd-creating calls.

const errInProgress = -115 // -EINPROGRESS

// Linux SOCK_* flag bits of socket()/accept4() type/flags arguments.
const (
	sockNonblock = 0o4000
	sockCloexec  = 0o2000000
)

// normFD maps an fd parameter to a valid fd number or -1. fds are C ints:
// a 32-bit -1 stored zero-extended in a 64-bit parameter (4294967295, as
// old drivers wrote mmap's fd) is -1, and nothing beyond 32 bits is an fd.
func normFD(n int64) int64 {
	switch {
	case n <= math.MaxInt32:
		if n < 0 {
			return -1
		}
		return n
	case n <= math.MaxUint32:
		return int64(int32(n))
	}
	return -1
}

// addFD stores f as fd num of t's process and makes it the event's fd.
func (s *State) addFD(t *Thread, num int64, f *FD) *FD {
	if num = normFD(num); num < 0 {
		return nil
	}
	stored, replaced := t.g.fds.put(num, f)
	if stored == nil {
		return nil
	}
	s.stats.AddedFDs++
	if replaced {
		s.stats.RemovedFDs++
	} else if t.g.nthreads > 0 {
		s.stats.FDs++
	}
	s.curFD, s.curFDNum = stored, num
	return stored
}

// resolvePath makes an absolute, normalized fd name out of a path given
// to a syscall, relative to dirfd (AtFDCWD: the cwd) as libs does; an
// unknown dirfd gives "<UNKNOWN>/name". The result is interned.
func (s *State) resolvePath(t *Thread, dirfd int64, name string) string {
	var dir string
	switch {
	case len(name) > 0 && name[0] == '/':
	case dirfd == AtFDCWD:
		dir = t.CWD()
	default:
		if f := t.FD(dirfd); f != nil {
			dir = f.Name
		} else {
			dir = "<UNKNOWN>"
		}
	}
	var buf []byte
	if dir == "<UNKNOWN>" {
		buf = append(s.scratch[:0], dir...)
		buf = append(buf, '/')
		buf = append(buf, name...)
	} else {
		buf = AppendJoinClean(s.scratch[:0], dir, name)
	}
	s.scratch = buf[:0]
	return s.intern.bytes(buf)
}

func (s *State) onOpen(t *Thread, v ev, typ event.Type) {
	fd, ok := v.int(pFD)
	if !ok || fd < 0 {
		return
	}
	raw, ok := v.str(pName)
	if !ok {
		raw, ok = v.str(pPath) // open_by_handle_at: resolved by the kernel
	}
	if !ok {
		return
	}
	dirfd := int64(AtFDCWD)
	if d, ok := v.int(pDirfd); ok {
		dirfd = d
	}
	var flags uint32
	if f, ok := v.uint(pFlags); ok {
		flags = uint32(f)
	} else if typ.Name() == "creat" {
		flags = OpenCreat | OpenWronly | OpenTrunc
	}
	f := FD{Type: FDFileV2, Flags: flags}
	if flags&OpenDirectory != 0 {
		f.Type = FDDirectory
	}
	f.Name = s.resolvePath(t, dirfd, raw)
	if f.Name == raw {
		f.NameRaw = f.Name
	} else {
		f.NameRaw = s.intern.str(raw)
	}
	if n, ok := v.uint(pDev); ok {
		f.Dev = uint32(n)
	}
	if n, ok := v.uint(pIno); ok {
		f.Ino = n
	}
	s.addFD(t, fd, &f)
}

// onClose: the fd stays in the table until the next Update so the close
// event's fd fields still resolve.
func (s *State) onClose(t *Thread, v ev, typ event.Type) {
	s.findEventFD(v, typ)
	if res, ok := v.int(pRes); ok && res < 0 {
		return
	}
	if s.curFD != nil {
		s.pendingFDG, s.pendingFD = t.g, s.curFDNum
	}
}

func (s *State) onCloseRange(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res != 0 {
		return
	}
	first, ok1 := v.uint(pFirst)
	last, ok2 := v.uint(pLast)
	if !ok1 || !ok2 {
		return
	}
	flags, _ := v.uint(pFlags)
	tab := t.g.fds
	tab.All(func(f *FD) bool {
		if uint64(f.Num) < first || uint64(f.Num) > last {
			return true
		}
		if flags&closeRangeCloexec != 0 {
			f.Flags |= OpenCloexec
		} else if tab.remove(f.Num) {
			s.stats.RemovedFDs++
			s.stats.FDs--
		}
		return true
	})
}

// dupFD copies old to newfd with the given close-on-exec setting.
func (s *State) dupFD(t *Thread, old, newfd int64, cloexec bool) {
	if old == newfd || newfd < 0 {
		return
	}
	src := t.FD(old)
	if src == nil {
		return
	}
	cp := *src
	if cloexec {
		cp.Flags |= OpenCloexec
	} else {
		cp.Flags &^= OpenCloexec
	}
	s.addFD(t, newfd, &cp)
	// the event's fd is the old one (set by findEventFD after dispatch)
	s.curFD, s.curFDNum = nil, -1
}

func (s *State) onDup(t *Thread, v ev, typ event.Type) {
	res, ok := v.int(pRes)
	if !ok || res < 0 {
		return
	}
	old, ok := v.int(pOldFD)
	if !ok {
		old = t.lastFD // DUP_X of old captures: the fd was in the enter event
	}
	cloexec := false
	if f, ok := v.uint(pFlags); ok && typ.Name() == "dup3" {
		cloexec = f&OpenCloexec != 0
	}
	s.dupFD(t, old, res, cloexec)
}

func (s *State) onFcntl(t *Thread, v ev) {
	res, ok := v.int(pRes)
	if !ok || res < 0 {
		return
	}
	cmd, _ := v.uint(pCmd)
	if cmd != fcntlDupfd && cmd != fcntlDupfdCloexec && cmd != fcntlSetfd {
		return
	}
	old, ok := v.int(pFD)
	if !ok {
		old = t.lastFD
	}
	if cmd == fcntlSetfd {
		// fcntl(fd, F_SETFD, FD_CLOEXEC): how bash marks its fd 255,
		// among others; execve then closes the fd
		if arg, ok := v.uint(pArg); ok {
			setCloexec(t.FD(old), arg&fdCloexec != 0)
		}
		return
	}
	s.dupFD(t, old, res, cmd == fcntlDupfdCloexec)
}

// onIoctl follows ioctl(fd, FIOCLEX) and ioctl(fd, FIONCLEX).
func (s *State) onIoctl(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res != 0 {
		return
	}
	req, ok := v.uint(pRequest)
	if !ok || req != ioctlFIOCLEX && req != ioctlFIONCLEX {
		return
	}
	fd, ok := v.int(pFD)
	if !ok {
		fd = t.lastFD
	}
	setCloexec(t.FD(fd), req == ioctlFIOCLEX)
}

func setCloexec(f *FD, on bool) {
	if f == nil {
		return
	}
	if on {
		f.Flags |= OpenCloexec
	} else {
		f.Flags &^= OpenCloexec
	}
}

func (s *State) onPipe(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res < 0 {
		return
	}
	fd1, ok1 := v.int(pFD1)
	fd2, ok2 := v.int(pFD2)
	if !ok1 || !ok2 || fd1 < 0 || fd2 < 0 {
		return
	}
	f := FD{Type: FDFifo}
	if n, ok := v.uint(pIno); ok {
		f.Ino = n
	}
	if n, ok := v.uint(pFlags); ok {
		f.Flags = uint32(n)
	}
	s.addFD(t, fd1, &f)
	s.addFD(t, fd2, &f) // the event's fd is the last one made, as in libs
}

func (s *State) onSocket(t *Thread, v ev) {
	fd, ok := v.int(pFD)
	if !ok || fd < 0 {
		return
	}
	domain, _ := v.uint(pDomain)
	styp, _ := v.uint(pType)
	proto, _ := v.uint(pProto)
	f := FD{}
	switch domain {
	case afUnix:
		f.Type = FDUnixSock
	case afInet, afInet6:
		f.Type = FDIPv4Sock
		if domain == afInet6 {
			f.Type = FDIPv6Sock
		}
		f.L4Proto = l4FromSocket(styp&sockTypeMask, proto)
	case afNetlink:
		f.Type = FDNetlink
	default:
		f.Type = FDUnknown
	}
	if n, ok := v.uint(pFlags); ok {
		f.Flags = uint32(n)
	} else {
		f.Flags = sockFlags(styp)
	}
	s.addFD(t, fd, &f)
}

// l4FromSocket maps socket(2)'s type and protocol to the transport
// protocol, as libs does.
func l4FromSocket(styp, proto uint64) L4Proto {
	switch proto {
	case ipprotoTCP:
		if styp == sockRaw {
			return L4Raw
		}
		return L4TCP
	case ipprotoUDP:
		if styp == sockRaw {
			return L4Raw
		}
		return L4UDP
	case ipprotoIP:
		switch styp {
		case sockStream:
			return L4TCP
		case sockDgram:
			return L4UDP
		case sockRaw:
			return L4Raw
		}
	case ipprotoICMP, ipprotoICMPv6:
		if styp == sockRaw {
			return L4Raw
		}
		return L4ICMP
	case ipprotoRaw:
		return L4Raw
	}
	return L4Unknown
}

func sockFlags(bits uint64) uint32 {
	var f uint32
	if bits&sockNonblock != 0 {
		f |= OpenNonblock
	}
	if bits&sockCloexec != 0 {
		f |= OpenCloexec
	}
	return f
}

func (s *State) onSocketpair(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res < 0 {
		return
	}
	fd1, ok1 := v.int(pFD1)
	fd2, ok2 := v.int(pFD2)
	if !ok1 || !ok2 || fd1 < 0 || fd2 < 0 {
		return
	}
	src, _ := v.uint(pSource)
	peer, _ := v.uint(pPeer)
	domain, _ := v.uint(pDomain)
	styp, _ := v.uint(pType)
	f := FD{Type: FDUnixSock, UnixSrc: src, UnixDst: peer, State: SocketConnected, Flags: sockFlags(styp)}
	if domain != afUnix && domain != 0 {
		f.Type = FDUnknown
	}
	s.addFD(t, fd1, &f)
	f.UnixSrc, f.UnixDst = peer, src
	s.addFD(t, fd2, &f)
}

// setTuple sets an inet connection on f; cip/cport is the client end.
func (s *State) setTuple(f *FD, cip netip.Addr, cport uint16, sip netip.Addr, sport uint16) {
	cip, sip, mapped := event.IPv4Pair(cip, sip)
	if f.Name != "" && f.CIP == cip && f.CPort == cport && f.SIP == sip && f.SPort == sport &&
		(f.Type == FDIPv4Sock || f.Type == FDIPv6Sock) {
		return
	}
	switch {
	case cip.Is4() || mapped:
		f.Type = FDIPv4Sock
	default:
		f.Type = FDIPv6Sock
	}
	f.CIP, f.CPort, f.SIP, f.SPort = cip, cport, sip, sport
	name := tupleName(cip, cport, sip, sport)
	if name != f.Name {
		f.Name = name
		s.nameChanged = true
	}
}

func (s *State) onConnect(t *Thread, v ev) {
	fd, ok := v.int(pFD)
	if !ok {
		fd = t.lastFD
	}
	if fd < 0 {
		return
	}
	f := s.lookupFD(t, fd)
	s.curFD, s.curFDNum = f, fd
	if f == nil {
		return
	}
	// The tuple is recorded even when the connect failed (libs with
	// connection tracking names the fd after it); the outcome is State.
	// A non-blocking connect (EINPROGRESS) counts as connected at once,
	// as libs counts it without connection tracking (Falco's setting;
	// sysdig 0.29 too). A failure leaves a connected socket connected
	// (EISCONN, EALREADY of a connect in progress), as libs ignores it.
	res, _ := v.int(pRes)
	switch {
	case res == 0 || res == errInProgress:
		f.State = SocketConnected
	case f.State != SocketConnected:
		f.State = SocketFailed
	}
	tu := v.tuple(pTuple)
	switch tu.Family() {
	case event.AFInet, event.AFInet6:
		src, sport, dst, dport, ok := tu.Addrs()
		if !ok {
			return
		}
		f.Role = RoleClient
		if f.L4Proto == L4Unknown {
			f.L4Proto = L4TCP
		}
		s.setTuple(f, src, sport, dst, dport)
	case event.AFUnix:
		src, dst, path, ok := tu.Unix()
		if !ok {
			return
		}
		f.Type = FDUnixSock
		f.Role = RoleClient
		f.UnixSrc, f.UnixDst = src, dst
		if name := s.unixName(src, dst, path); name != f.Name {
			f.Name = name
			s.nameChanged = true
		}
	default:
		// no tuple (e.g. the socket was closed meanwhile): use the address
		a := v.addr(pAddr)
		if ip, port, ok := a.Addr(); ok {
			f.Role = RoleClient
			var zero netip.Addr
			if ip.Is4() {
				zero = netip.IPv4Unspecified()
			} else {
				zero = netip.IPv6Unspecified()
			}
			s.setTuple(f, zero, 0, ip, port)
		} else if p, ok := a.Path(); ok {
			f.Type = FDUnixSock
			f.Role = RoleClient
			f.Name = s.intern.str(p)
		}
	}
}

func (s *State) onAccept(t *Thread, v ev) {
	fd, ok := v.int(pFD)
	if !ok || fd < 0 {
		return
	}
	f := FD{Role: RoleServer, State: SocketConnected}
	if n, ok := v.int(pFlags); ok {
		f.Flags = sockFlags(uint64(n))
	}
	tu := v.tuple(pTuple)
	switch tu.Family() {
	case event.AFInet, event.AFInet6:
		// accept's tuple is remote (client) -> local (server)
		if src, sport, dst, dport, ok := tu.Addrs(); ok {
			f.L4Proto = L4TCP
			s.setTuple(&f, src, sport, dst, dport)
		}
	case event.AFUnix:
		if src, dst, path, ok := tu.Unix(); ok {
			f.Type = FDUnixSock
			f.UnixSrc, f.UnixDst = src, dst
			f.Name = s.unixName(src, dst, path)
		}
	}
	s.nameChanged = false
	s.addFD(t, fd, &f)
}

func (s *State) onBind(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res < 0 {
		return
	}
	fd, ok := v.int(pFD)
	if !ok {
		fd = t.lastFD
	}
	f := s.lookupFD(t, fd)
	s.curFD, s.curFDNum = f, fd
	if f == nil {
		return
	}
	a := v.addr(pAddr)
	if ip, port, ok := a.Addr(); ok {
		ip = ip.Unmap()
		switch f.Type {
		case FDIPv4Sock, FDIPv4ServSock, FDUnknown:
			if ip.Is4() {
				f.Type = FDIPv4ServSock
			} else {
				f.Type = FDIPv6ServSock
			}
		case FDIPv6Sock, FDIPv6ServSock:
			f.Type = FDIPv6ServSock
		}
		f.Role = RoleServer
		f.SIP, f.SPort = ip, port
		f.CIP, f.CPort = netip.Addr{}, 0
		name := addrName(ip, port)
		if name != f.Name {
			f.Name = name
			s.nameChanged = true
		}
	} else if p, ok := a.Path(); ok {
		f.Type = FDUnixSock
		f.Role = RoleServer
		f.Name = s.intern.str(p)
	}
}

// unixName renders a unix connection as libs names it from the tuple:
// "<src>-><dst> <path>", kernel addresses in hex.
func (s *State) unixName(src, dst uint64, path string) string {
	buf := strconv.AppendUint(s.scratch[:0], src, 16)
	buf = append(buf, '-', '>')
	buf = strconv.AppendUint(buf, dst, 16)
	buf = append(buf, ' ')
	buf = append(buf, path...)
	s.scratch = buf[:0]
	return s.intern.bytes(buf)
}

// onSendRecv follows the peer of datagram sockets, as libs' update_fd:
// sendto/sendmsg and recvfrom/recvmsg carry each datagram's tuple, which
// the driver orients as the datagram went (local->remote on a send,
// remote->local on a receive). A UDP socket — fresh, connected, or bound
// and serving (a DNS or syslog server: libs turns the bound socket into a
// connected one) — takes the tuple as its connection, client = source,
// unless it is already that connection in either direction (a reply to
// the peer is no change). A change of name is fd.name_changed.
func (s *State) onSendRecv(t *Thread, v ev, typ event.Type) {
	if res, ok := v.int(pRes); ok && res < 0 {
		return
	}
	tu := v.tuple(pTuple)
	fam := tu.Family()
	if fam != event.AFInet && fam != event.AFInet6 {
		return
	}
	s.findEventFD(v, typ)
	f := s.curFD
	if f == nil {
		return
	}
	switch f.Type {
	case FDIPv4Sock, FDIPv6Sock:
		if f.L4Proto != L4UDP && f.Role != RoleNone {
			return // a TCP connection does not change with its data
		}
	case FDIPv4ServSock, FDIPv6ServSock:
		if f.L4Proto != L4UDP {
			return
		}
	default:
		return
	}
	src, sport, dst, dport, ok := tu.Addrs()
	if !ok {
		return
	}
	src, dst, _ = event.IPv4Pair(src, dst)
	if f.Role != RoleNone && !isServ(f.Type) &&
		(f.CIP == src && f.CPort == sport && f.SIP == dst && f.SPort == dport ||
			f.CIP == dst && f.CPort == dport && f.SIP == src && f.SPort == sport) {
		return // the same peer, either way
	}
	if isServ(f.Type) {
		// no longer (only) a bound address: the connection replaces it
		f.SIP, f.SPort = netip.Addr{}, 0
	}
	send := typ.Name() == "sendto" || typ.Name() == "sendmsg"
	if send {
		f.Role = RoleClient
	} else {
		f.Role = RoleServer
	}
	if f.L4Proto == L4Unknown {
		f.L4Proto = L4UDP // libs assumes UDP for a socket learnt from datagrams
	}
	s.setTuple(f, src, sport, dst, dport)
}

func isServ(t FDType) bool { return t == FDIPv4ServSock || t == FDIPv6ServSock }

// bpf commands that return a new fd (the kernel's enum bpf_cmd values).
func bpfCreatesFD(cmd uint64) bool {
	switch cmd {
	case 0, 5, 7, 13, 14, 17, 18, 19, 28, 30, 32, 33, 36:
		return true
	}
	return false
}

func (s *State) onNewFD(t *Thread, v ev, typ event.Type) {
	var fd int64
	ft := newFDType[typ]
	if ft == FDBPF {
		if idx, val, ok := v.e.Dyn(0); ok && v.idx[pResOrFD] == 0 {
			if dt, _ := event.DynType(v.e.ParamInfo(0).Info, idx); dt != event.PTFd || len(val) != 8 {
				return // PPM_BPF_IDX_RES: not an fd
			}
			fd = int64(binary.LittleEndian.Uint64(val))
		} else {
			n, ok := v.int(pFD)
			cmd, okc := v.uint(pCmd)
			if !ok || (okc && !bpfCreatesFD(cmd)) {
				return
			}
			fd = n
		}
	} else {
		n, ok := v.e.Int(0)
		if !ok {
			return
		}
		fd = n
	}
	if fd < 0 {
		return
	}
	f := FD{Type: ft}
	if i := v.idx[pFlags]; i >= 0 {
		n, _ := v.uint(pFlags)
		switch typ.Info().Params[i].Info {
		case "file_flags":
			f.Flags = uint32(n)
		case "epoll_create1_flags":
			if n&epollCloexec != 0 {
				f.Flags = OpenCloexec
			}
		}
	}
	switch ft {
	case FDPidfd, FDIOUring, FDBPF:
		// the kernel makes these fds close-on-exec whatever the flags
		f.Flags |= OpenCloexec
	}
	if ft == FDPidfd {
		if pid, ok := v.int(pPid); ok {
			f.TargetPid = pid
		}
	}
	s.addFD(t, fd, &f)
}

func (s *State) onMemfd(t *Thread, v ev) {
	fd, ok := v.int(pFD)
	if !ok || fd < 0 {
		return
	}
	name, _ := v.str(pName)
	buf := append(s.scratch[:0], "memfd:"...)
	buf = append(buf, name...)
	s.scratch = buf[:0]
	f := FD{Type: FDMemfd, Name: s.intern.bytes(buf)}
	f.NameRaw = f.Name
	if n, ok := v.uint(pFlags); ok && n&1 != 0 { // MFD_CLOEXEC
		f.Flags = OpenCloexec
	}
	s.addFD(t, fd, &f)
}

// onPidfdGetfd copies the target process's fd (found through the pidfd)
// to the new fd, as libs does.
func (s *State) onPidfdGetfd(t *Thread, v ev) {
	fd, ok := v.int(pFD)
	if !ok || fd < 0 {
		return
	}
	f := FD{Type: FDUnknown}
	pfd, ok1 := v.e.Int(v.e.ParamIndex("pid_fd"))
	tfd, ok2 := v.e.Int(v.e.ParamIndex("target_fd"))
	if ok1 && ok2 {
		if p := t.FD(pfd); p != nil && p.Type == FDPidfd {
			if target := s.threads[p.TargetPid]; target != nil {
				if src := target.FD(tfd); src != nil {
					f = *src
					f.Flags |= OpenCloexec // pidfd_getfd sets FD_CLOEXEC
				}
			}
		}
	}
	s.addFD(t, fd, &f)
}
