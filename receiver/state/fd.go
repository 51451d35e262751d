package state

import (
	"net/netip"

	"github.com/sakersec/saker/receiver/event"
)

// FDType is the kind of object an fd refers to. The values are libscap's
// scap_fd_type, which is also what FDL capture blocks store, so converting
// to and from capture records is the identity.
type FDType uint8

const (
	FDUnknown      FDType = 0
	FDFile         FDType = 1 // old capture files; new state uses FDFileV2
	FDDirectory    FDType = 2
	FDIPv4Sock     FDType = 3
	FDIPv6Sock     FDType = 4
	FDIPv4ServSock FDType = 5 // bound/listening IPv4 socket
	FDIPv6ServSock FDType = 6
	FDFifo         FDType = 7 // pipe or FIFO
	FDUnixSock     FDType = 8
	FDEvent        FDType = 9 // eventfd
	FDUnsupported  FDType = 10
	FDSignalfd     FDType = 11
	FDEventpoll    FDType = 12
	FDInotify      FDType = 13
	FDTimerfd      FDType = 14
	FDNetlink      FDType = 15
	FDFileV2       FDType = 16 // regular file (with open flags and dev)
	FDBPF          FDType = 17
	FDUserfaultfd  FDType = 18
	FDIOUring      FDType = 19
	FDMemfd        FDType = 20
	FDPidfd        FDType = 21
)

var fdTypeNames = [...]string{
	FDFile: "file", FDFileV2: "file", FDDirectory: "directory",
	FDIPv4Sock: "ipv4", FDIPv4ServSock: "ipv4", FDIPv6Sock: "ipv6", FDIPv6ServSock: "ipv6",
	FDFifo: "pipe", FDUnixSock: "unix", FDEvent: "event", FDSignalfd: "signalfd",
	FDEventpoll: "eventpoll", FDInotify: "inotify", FDTimerfd: "timerfd", FDNetlink: "netlink",
	FDBPF: "bpf", FDUserfaultfd: "userfaultfd", FDIOUring: "io_uring", FDMemfd: "memfd",
	FDPidfd: "pidfd",
}

// String returns the name Falco renders for fd.type ("file", "ipv4",
// "unix", "pipe", ...) or "<NA>" for unknown/unsupported kinds.
func (t FDType) String() string {
	if int(t) < len(fdTypeNames) && fdTypeNames[t] != "" {
		return fdTypeNames[t]
	}
	return "<NA>"
}

var fdTypeChars = [...]byte{
	FDUnknown: 'o', FDFile: 'f', FDFileV2: 'f', FDDirectory: 'd', FDIPv4Sock: '4',
	FDIPv4ServSock: '4', FDIPv6Sock: '6', FDIPv6ServSock: '6', FDFifo: 'p', FDUnixSock: 'u',
	FDEvent: 'e', FDUnsupported: 'X', FDSignalfd: 's', FDEventpoll: 'l', FDInotify: 'i',
	FDTimerfd: 't', FDNetlink: 'n', FDBPF: 'b', FDUserfaultfd: 'u', FDIOUring: 'r',
	FDMemfd: 'm', FDPidfd: 'P',
}

// Char returns fd.typechar: f file, d directory, 4/6 IPv4/IPv6 socket,
// u unix, p pipe, e eventfd, s signalfd, l eventpoll, i inotify, t timerfd,
// n netlink, b bpf, r io_uring, m memfd, P pidfd, o unknown, ? otherwise.
func (t FDType) Char() byte {
	if int(t) < len(fdTypeChars) && fdTypeChars[t] != 0 {
		return fdTypeChars[t]
	}
	return '?'
}

// IsSocket reports whether t is a socket kind (inet, unix, netlink).
func (t FDType) IsSocket() bool {
	switch t {
	case FDIPv4Sock, FDIPv6Sock, FDIPv4ServSock, FDIPv6ServSock, FDUnixSock, FDNetlink:
		return true
	}
	return false
}

// IsInet reports whether t is an IPv4/IPv6 socket (connected or server).
func (t FDType) IsInet() bool {
	return t == FDIPv4Sock || t == FDIPv6Sock || t == FDIPv4ServSock || t == FDIPv6ServSock
}

// IsFile reports whether t is a regular file (either generation).
func (t FDType) IsFile() bool { return t == FDFile || t == FDFileV2 }

// L4Proto is a socket's transport protocol (libscap's scap_l4_proto).
type L4Proto uint8

const (
	L4Unknown L4Proto = 0
	L4NA      L4Proto = 1
	L4TCP     L4Proto = 2
	L4UDP     L4Proto = 3
	L4ICMP    L4Proto = 4
	L4Raw     L4Proto = 5
)

// String returns fd.l4proto's rendering: tcp, udp, icmp, raw, or <NA>.
func (p L4Proto) String() string {
	switch p {
	case L4TCP:
		return "tcp"
	case L4UDP:
		return "udp"
	case L4ICMP:
		return "icmp"
	case L4Raw:
		return "raw"
	}
	return "<NA>"
}

// Role is which end of a connection an fd is.
type Role uint8

const (
	RoleNone   Role = iota
	RoleClient      // connect()ed, or sent the first datagram
	RoleServer      // accept()ed, bound, or received the first datagram
)

// SocketState is the outcome of connect() on an fd (fd.connected).
type SocketState uint8

const (
	SocketNone SocketState = iota
	// SocketConnected: connect succeeded or returned EINPROGRESS (libs
	// without connection tracking, as Falco runs it, counts a
	// non-blocking connect connected at once), or the fd came from
	// accept.
	SocketConnected
	SocketFailed // connect failed (on a socket not connected before)
)

// FD is what saker knows about one file descriptor of a process.
//
// Socket addresses use Falco's orientation: for a connection, S* is the
// server (the accepting/listening end) and C* the client, whatever side
// this fd is on; Role says which side that is. For a server socket that is
// bound or listening (FDIPv4ServSock/FDIPv6ServSock), SIP/SPort are the
// bound address and C* are unset.
type FD struct {
	Num  int64
	Type FDType
	// Flags are the PPM_O_* open flags (Open* constants); sockets,
	// pipes, etc. carry the O_NONBLOCK/O_CLOEXEC bits they were made with.
	Flags uint32
	// Name is fd.name: the absolute, normalized path for files and
	// directories; "cip:cport->sip:sport" for inet connections; the bound
	// "ip:port" for server sockets; the path for unix sockets; "memfd:NAME"
	// for memfds; for fds learned from /proc, the link target otherwise
	// (e.g. "pipe:[1234]", "anon_inode:[eventfd]").
	Name string
	// NameRaw is fd.nameraw: the path as the syscall received it.
	NameRaw string
	Dev     uint32
	Ino     uint64
	MountID uint32

	L4Proto L4Proto
	Role    Role
	State   SocketState
	CIP     netip.Addr
	SIP     netip.Addr
	CPort   uint16
	SPort   uint16
	// UnixSrc/UnixDst are the kernel socket addresses of a unix socket
	// and its peer (as in the event's socktuple).
	UnixSrc uint64
	UnixDst uint64
	// TargetPid is the process a pidfd refers to.
	TargetPid int64
}

// IsCloexec reports whether the fd is closed by execve.
func (f *FD) IsCloexec() bool { return f.Flags&OpenCloexec != 0 }

// LocalAddr returns this end's address and port of an inet socket.
func (f *FD) LocalAddr() (netip.Addr, uint16) {
	if f.Role == RoleClient {
		return f.CIP, f.CPort
	}
	return f.SIP, f.SPort
}

// RemoteAddr returns the peer's address and port of an inet socket.
func (f *FD) RemoteAddr() (netip.Addr, uint16) {
	if f.Role == RoleClient {
		return f.SIP, f.SPort
	}
	return f.CIP, f.CPort
}

// tupleName renders "cip:cport->sip:sport" as libs names inet connections.
func tupleName(cip netip.Addr, cport uint16, sip netip.Addr, sport uint16) string {
	var b [128]byte
	return string(event.AppendConnection(b[:0], cip, cport, sip, sport))
}

func zeroAddr(v6 bool) netip.Addr {
	if v6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

// addrName renders "ip:port" (no brackets for IPv6, as libs does).
func addrName(ip netip.Addr, port uint16) string {
	var b [64]byte
	return string(event.AppendEndpoint(b[:0], ip, port))
}

// denseFDs bounds the directly indexed part of an fd table: fds below it
// are found through an index array, larger ones (rare) through a map.
const denseFDs = 1024

// FDTable is the fd table of one process (shared by its threads).
//
// fds below denseFDs are found through idx (fd -> 1 + position in slots)
// and stored compactly in slots, so a process with fd 255 (every bash)
// but four fds open costs four slots, and copying the table for a fork
// copies little. Pointers it returns are valid until the next change to
// the table.
type FDTable struct {
	idx    []int32 // 0: no such fd
	slots  []FD    // Num < 0 marks a free slot
	free   []int32 // free positions in slots
	sparse map[int64]*FD
	n      int
	// lastLookup is the fd of the last counted lookup (libs' one-entry
	// fd cache, kept for the cached/noncached lookup counters).
	lastLookup int64
}

func newFDTable() *FDTable { return &FDTable{lastLookup: -1} }

// Len returns the number of open fds.
func (t *FDTable) Len() int { return t.n }

// Get returns fd num, or nil.
func (t *FDTable) Get(num int64) *FD {
	if uint64(num) < uint64(len(t.idx)) {
		if p := t.idx[num]; p != 0 {
			return &t.slots[p-1]
		}
		return nil
	}
	if num < denseFDs || t.sparse == nil {
		return nil
	}
	return t.sparse[num]
}

// put stores a copy of fd under num (replacing any previous fd) and
// returns the stored entry and whether it replaced one.
func (t *FDTable) put(num int64, fd *FD) (*FD, bool) {
	if num < 0 {
		return nil, false
	}
	if num < denseFDs {
		if num >= int64(len(t.idx)) {
			n := min(max(2*len(t.idx), 16, int(num)+1), denseFDs)
			grown := make([]int32, n)
			copy(grown, t.idx)
			t.idx = grown
		}
		if p := t.idx[num]; p != 0 {
			slot := &t.slots[p-1]
			*slot = *fd
			slot.Num = num
			return slot, true
		}
		var p int32
		if k := len(t.free); k > 0 {
			p = t.free[k-1]
			t.free = t.free[:k-1]
			t.slots[p] = *fd
		} else {
			p = int32(len(t.slots))
			t.slots = append(t.slots, *fd)
		}
		t.slots[p].Num = num
		t.idx[num] = p + 1
		t.n++
		return &t.slots[p], false
	}
	if t.sparse == nil {
		t.sparse = make(map[int64]*FD)
	}
	slot, replaced := t.sparse[num]
	if !replaced {
		slot = new(FD)
		t.sparse[num] = slot
		t.n++
	}
	*slot = *fd
	slot.Num = num
	return slot, replaced
}

// remove deletes fd num and reports whether it existed.
func (t *FDTable) remove(num int64) bool {
	if uint64(num) < uint64(len(t.idx)) {
		p := t.idx[num]
		if p == 0 {
			return false
		}
		t.idx[num] = 0
		t.slots[p-1] = FD{Num: -1}
		t.free = append(t.free, p-1)
		t.n--
		return true
	}
	if t.sparse == nil {
		return false
	}
	if _, ok := t.sparse[num]; !ok {
		return false
	}
	delete(t.sparse, num)
	t.n--
	return true
}

// All calls fn for every open fd, in ascending order below denseFDs and
// in map order beyond, until fn returns false. fn may remove the fd it is
// given.
func (t *FDTable) All(fn func(*FD) bool) {
	for _, p := range t.idx {
		if p != 0 && !fn(&t.slots[p-1]) {
			return
		}
	}
	for _, f := range t.sparse {
		if !fn(f) {
			return
		}
	}
}

// clone returns a deep copy (a forked child's table).
func (t *FDTable) clone() *FDTable {
	c := &FDTable{n: t.n, lastLookup: -1}
	if len(t.idx) > 0 {
		c.idx = append([]int32(nil), t.idx...)
		c.slots = append([]FD(nil), t.slots...)
		c.free = append([]int32(nil), t.free...)
	}
	if len(t.sparse) > 0 {
		c.sparse = make(map[int64]*FD, len(t.sparse))
		for k, v := range t.sparse {
			f := *v
			c.sparse[k] = &f
		}
	}
	return c
}
