package fields

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// Event parameters rendered the way sysdig and Falco print them in
// evt.info / evt.args: "name=value" for each parameter, each followed by a
// space, and, where libs can say more, a resolved form in parentheses —
// "fd=3(<f>/etc/passwd)" (the fd's type char and name), "tid=20072(cat)"
// (the thread's name), "res=-2(ENOENT)", "flags=4097(O_RDONLY|O_CLOEXEC)",
// "uid=0(root)", "interval=1000000000(1s)", "path=.(/root)".

// MaxBufferText is how long a buffer parameter (read/write data, execve
// args and env, cgroups) may print: a longer one prints its first
// MaxBufferText-3 bytes and "...".
const MaxBufferText = 80

// AppendArgs appends evt.args for e: every parameter as "name=value "
// (with the resolved form when there is one), reading fd, thread, user
// and group names from st (may be nil). st's current event must be e (or
// the event e was converted from).
func AppendArgs(buf []byte, e *event.Event, st *state.State) []byte {
	if t := e.Type(); t == event.GenericE || t == event.GenericX {
		return buf // sysdig names the syscall in evt.type and prints no parameters
	}
	n := e.NumParams()
	for i := 0; i < n; i++ {
		pi := e.ParamInfo(i)
		if pi == nil {
			break
		}
		buf = append(buf, pi.Name...)
		buf = append(buf, '=')
		buf = AppendArg(buf, e, i, st, ArgBoth)
		buf = append(buf, ' ')
	}
	return buf
}

// ArgForm selects what [AppendArg] renders.
type ArgForm uint8

const (
	ArgBoth     ArgForm = iota // "3(<f>/etc/passwd)": value, then the resolved form in parentheses
	ArgValue                   // "3": the value only
	ArgResolved                // "<f>/etc/passwd": the resolved form if there is one, else the value (evt.arg.X)
)

// AppendArg appends parameter i of e as sysdig renders it.
func AppendArg(buf []byte, e *event.Event, i int, st *state.State, form ArgForm) []byte {
	pi := e.ParamInfo(i)
	if pi == nil {
		return buf
	}
	start := len(buf)
	if len(e.Param(i)) == 0 && (pi.Type == event.PTSocktuple || pi.Type == event.PTSockaddr) {
		return append(buf, "NULL"...) // an absent address
	}
	buf = appendArgValue(buf, e, i, pi, st)
	if form == ArgValue {
		return buf
	}
	mark := len(buf)
	buf = append(buf, '(')
	buf = appendArgResolved(buf, e, i, pi, st)
	if len(buf) == mark+1 {
		if form == ArgBoth && unknownID(e, i, pi, st) {
			return append(buf, "<NA>)"...) // sysdig: "1001(<NA>)"
		}
		return buf[:mark] // nothing resolved
	}
	if form == ArgResolved {
		n := copy(buf[start:], buf[mark+1:])
		return buf[:start+n]
	}
	return append(buf, ')')
}

// unknownID reports whether parameter i is a user or group id that the
// tables lack (evt.arg.X then gives the number; sysdig's line, "(<NA>)").
func unknownID(e *event.Event, i int, pi *event.ParamInfo, st *state.State) bool {
	if st == nil || (pi.Type != event.PTUid && pi.Type != event.PTGid) {
		return false
	}
	v, ok := e.Uint(i)
	return ok && uint32(v) != noID
}

// appendArgValue renders the value part.
func appendArgValue(buf []byte, e *event.Event, i int, pi *event.ParamInfo, st *state.State) []byte {
	p := e.Param(i)
	switch pi.Type {
	case event.PTCharbuf, event.PTFspath, event.PTFsrelpath:
		return appendCString(buf, p)
	case event.PTBytebuf:
		return appendBufferText(buf, p)
	case event.PTCharbufarray, event.PTCharbufPairArray:
		return appendBufferText(buf, p)
	case event.PTErrno, event.PTFd, event.PTPid, event.PTFd32, event.PTPid32,
		event.PTInt8, event.PTInt16, event.PTInt32, event.PTInt64:
		v, ok := e.Int(i)
		if !ok {
			return buf
		}
		if pi.Format == event.PFHex {
			// the bits of the parameter's own width: an INT32 of -1 is
			// FFFFFFFF, as libs prints it
			if n := len(p); n < 8 {
				return appendUpperHex(buf, uint64(v)&(1<<(8*n)-1))
			}
			return appendUpperHex(buf, uint64(v))
		}
		return strconv.AppendInt(buf, v, 10)
	case event.PTReltime:
		v, ok := e.Uint(i)
		if !ok {
			return buf
		}
		if v == noTime {
			return append(buf, "none"...)
		}
		return strconv.AppendUint(buf, v, 10)
	case event.PTFlags8, event.PTFlags16, event.PTFlags32, event.PTEnumflags8, event.PTEnumflags16, event.PTEnumflags32:
		v, _ := e.Uint(i)
		return strconv.AppendUint(buf, v, 10)
	case event.PTMode:
		v, _ := e.Uint(i)
		buf = append(buf, '0')
		if v == 0 {
			return buf
		}
		return strconv.AppendUint(buf, v, 8)
	case event.PTUid, event.PTGid:
		v, ok := e.Uint(i)
		if !ok {
			return buf
		}
		// printed as a C int, as libs prints it: -1 (no id), and ids
		// past 2^31 negative
		return strconv.AppendInt(buf, int64(int32(uint32(v))), 10)
	case event.PTSockaddr:
		return appendSockaddr(buf, event.SockAddr(p))
	case event.PTSocktuple:
		return appendSocktuple(buf, event.SockTuple(p))
	case event.PTFdlist:
		return appendFDList(buf, event.FDList(p), st)
	case event.PTIpv4addr:
		if len(p) == 4 {
			for j := 0; j < 4; j++ {
				if j > 0 {
					buf = append(buf, '.')
				}
				buf = strconv.AppendUint(buf, uint64(p[j]), 10)
			}
		}
		return buf
	case event.PTIpv6addr:
		if len(p) == 16 {
			return appendIPv6(buf, p)
		}
		return buf
	case event.PTDouble:
		f, _ := e.Double(i)
		return strconv.AppendFloat(buf, f, 'f', 2, 64)
	case event.PTBool:
		v, _ := e.Uint(i)
		return strconv.AppendBool(buf, v != 0)
	case event.PTSigtype:
		v, _ := e.Uint(i)
		return strconv.AppendUint(buf, v, 10)
	case event.PTSigset:
		v, _ := e.Uint(i)
		return appendSigset(buf, v)
	case event.PTSyscallid:
		v, _ := e.Uint(i)
		return strconv.AppendUint(buf, v, 10)
	case event.PTDyn:
		idx, val, _ := e.Dyn(i)
		if t, ok := event.DynType(pi.Info, idx); ok {
			return appendDynValue(buf, t, pi.Format, val)
		}
		if len(val) == 8 {
			return strconv.AppendInt(buf, int64(binary.LittleEndian.Uint64(val)), 10)
		}
		return appendCString(buf, val)
	}
	v, ok := e.Uint(i)
	if !ok {
		return buf
	}
	switch pi.Format {
	case event.PFHex:
		return appendUpperHex(buf, v)
	case event.PFOct:
		buf = append(buf, '0')
		if v == 0 {
			return buf
		}
		return strconv.AppendUint(buf, v, 8)
	case event.PFPaddedDec:
		s := len(buf)
		buf = strconv.AppendUint(buf, v, 10)
		for len(buf)-s < 9 {
			buf = append(buf, 0)
			copy(buf[s+1:], buf[s:])
			buf[s] = '0'
		}
		return buf
	}
	// libs prints 32- and 64-bit unsigned numbers in decimal as signed
	// ones (sysdig 0.29: a size of 2^32-1 is -1); 8- and 16-bit ones as
	// they are
	switch pi.Type {
	case event.PTUint32:
		return strconv.AppendInt(buf, int64(int32(uint32(v))), 10)
	case event.PTUint64:
		return strconv.AppendInt(buf, int64(v), 10)
	}
	return strconv.AppendUint(buf, v, 10)
}

// appendArgResolved renders the resolved part (nothing when there is none).
func appendArgResolved(buf []byte, e *event.Event, i int, pi *event.ParamInfo, st *state.State) []byte {
	switch pi.Type {
	case event.PTFd, event.PTFd32:
		v, ok := e.Int(i)
		if !ok {
			return buf
		}
		if v < 0 {
			// -100 is AT_FDCWD in any fd parameter, a read's fd or
			// an open's result as much as a dirfd: libs names it so
			// before it tries errno names (sysdig 0.29: read fd=-100
			// is "-100(AT_FDCWD)", not ENETDOWN)
			if v == state.AtFDCWD {
				return append(buf, "AT_FDCWD"...)
			}
			return append(buf, ErrnoName(-v)...) // a failed call's result
		}
		t := stateThread(st)
		if t == nil {
			return buf
		}
		f := t.FD(v)
		if f == nil {
			return buf
		}
		return AppendFDTag(buf, f)
	case event.PTPid, event.PTPid32:
		v, ok := e.Int(i)
		if !ok || st == nil || v <= 0 {
			return buf
		}
		if t := st.Thread(v); t != nil {
			return append(buf, t.Comm...)
		}
		return buf
	case event.PTErrno:
		v, ok := e.Int(i)
		if !ok || v >= 0 {
			return buf
		}
		return append(buf, ErrnoName(-v)...)
	case event.PTFlags8, event.PTFlags16, event.PTFlags32, event.PTEnumflags8, event.PTEnumflags16, event.PTEnumflags32, event.PTMode:
		v, _ := e.Uint(i)
		return event.FlagNames(pi.Info, v, buf)
	case event.PTUid:
		v, ok := e.Uint(i)
		if !ok || st == nil || uint32(v) == noID {
			return buf
		}
		if u := st.Users().User(uint32(v)); u != nil {
			return append(buf, u.Name...)
		}
		if v == 0 {
			return append(buf, "root"...)
		}
		return buf
	case event.PTGid:
		v, ok := e.Uint(i)
		if !ok || st == nil || uint32(v) == noID {
			return buf
		}
		if g := st.Users().Group(uint32(v)); g != nil {
			return append(buf, g.Name...)
		}
		if v == 0 {
			return append(buf, "root"...)
		}
		return buf
	case event.PTReltime:
		v, ok := e.Uint(i)
		if !ok || v == noTime {
			return buf
		}
		return appendSeconds(buf, v)
	case event.PTDyn:
		idx, val, _ := e.Dyn(i)
		t, ok := event.DynType(pi.Info, idx)
		if !ok {
			return buf
		}
		v := dynUint(val)
		switch t {
		case event.PTErrno, event.PTFd:
			if int64(v) < 0 {
				return append(buf, ErrnoName(-int64(v))...)
			}
		case event.PTReltime:
			return appendSeconds(buf, v)
		case event.PTSigtype:
			return append(buf, signalName(v)...)
		}
		return buf
	case event.PTSigtype:
		v, _ := e.Uint(i)
		return append(buf, signalName(v)...)
	case event.PTSyscallid:
		v, _ := e.Uint(i)
		return append(buf, PPMSyscallName(v)...)
	case event.PTFspath:
		s, ok := e.String(i)
		if !ok || len(s) == 0 || s[0] == '/' {
			return buf
		}
		t := stateThread(st)
		if t == nil {
			return buf
		}
		return state.AppendJoinClean(buf, t.CWD(), s)
	case event.PTFsrelpath:
		return appendRelPath(buf, e, i, pi, st)
	}
	return buf
}

// AppendFDTag appends the "<type>name" form sysdig annotates fds with:
// the fd.typechar, for IPv4/IPv6 sockets followed by the transport's
// letter (t tcp, u udp, i icmp, r raw), in angle brackets, then fd.name.
func AppendFDTag(buf []byte, f *state.FD) []byte {
	buf = append(buf, '<')
	buf = append(buf, f.Type.Char())
	if f.Type.IsInet() {
		switch f.L4Proto {
		case state.L4TCP:
			buf = append(buf, 't')
		case state.L4UDP:
			buf = append(buf, 'u')
		case state.L4ICMP:
			buf = append(buf, 'i')
		case state.L4Raw:
			buf = append(buf, 'r')
		}
	}
	buf = append(buf, '>')
	return append(buf, f.Name...)
}

func stateThread(st *state.State) *state.Thread {
	if st == nil {
		return nil
	}
	return st.EventThread()
}

// appendRelPath resolves a dirfd-relative path: against the cwd for
// AT_FDCWD, else against the dirfd's name.
func appendRelPath(buf []byte, e *event.Event, i int, pi *event.ParamInfo, st *state.State) []byte {
	s, ok := e.String(i)
	if !ok || len(s) == 0 || s[0] == '/' {
		return buf
	}
	t := stateThread(st)
	if t == nil {
		return buf
	}
	di := dirfdParam(pi.Info)
	if di < 0 {
		return buf
	}
	dirfd, ok := e.Int(di)
	if !ok {
		return buf
	}
	if dirfd == state.AtFDCWD {
		return state.AppendJoinClean(buf, t.CWD(), s)
	}
	f := t.FD(dirfd)
	if f == nil {
		return buf
	}
	return state.AppendJoinClean(buf, f.Name, s)
}

// dirfdParam parses "DIRFD_PARAM(N)" from a parameter's Info.
func dirfdParam(info string) int {
	const pfx = "DIRFD_PARAM("
	if len(info) <= len(pfx) || info[:len(pfx)] != pfx || info[len(info)-1] != ')' {
		return -1
	}
	n, err := strconv.Atoi(info[len(pfx) : len(info)-1])
	if err != nil {
		return -1
	}
	return n
}

// appendFDList renders a poll fd list: "fd:<typechar><flags in hex>"
// space separated ("4:e1 5:u1").
func appendFDList(buf []byte, l event.FDList, st *state.State) []byte {
	t := stateThread(st)
	n := l.Len()
	for j := 0; j < n; j++ {
		fd, flags := l.At(j)
		if j > 0 {
			buf = append(buf, ' ')
		}
		// as libs prints each entry: the fd unsigned (poll's -1, an
		// entry to skip, is 18446744073709551615), its type letter or
		// '?' for an fd it does not know, and the flags as a sign-
		// extended short in hex
		buf = strconv.AppendUint(buf, uint64(fd), 10)
		buf = append(buf, ':')
		c := byte('?')
		if t != nil {
			if f := t.FD(fd); f != nil {
				c = f.Type.Char()
			}
		}
		buf = append(buf, c)
		buf = strconv.AppendUint(buf, uint64(uint32(int32(int16(flags)))), 16)
	}
	return buf
}

// appendCString appends a string parameter up to its NUL.
func appendCString(buf, p []byte) []byte {
	for _, c := range p {
		if c == 0 {
			break
		}
		buf = append(buf, c)
	}
	return buf
}

// appendBufferText renders a buffer as sysdig's default ("normal")
// buffer format: printable ASCII as is, anything else as '.', at most
// MaxBufferText characters, the last three "..." when it is longer.
func appendBufferText(buf, p []byte) []byte {
	n := len(p)
	trunc := false
	if n > MaxBufferText {
		n, trunc = MaxBufferText-3, true
	}
	for _, c := range p[:n] {
		if c < 0x20 || c >= 0x7f {
			c = '.'
		}
		buf = append(buf, c)
	}
	if trunc {
		buf = append(buf, "..."...)
	}
	return buf
}

func appendUpperHex(buf []byte, v uint64) []byte {
	s := len(buf)
	buf = strconv.AppendUint(buf, v, 16)
	for j := s; j < len(buf); j++ {
		if c := buf[j]; c >= 'a' && c <= 'f' {
			buf[j] = c - 'a' + 'A'
		}
	}
	return buf
}

func appendSockaddr(buf []byte, sa event.SockAddr) []byte {
	if a, port, ok := sa.Addr(); ok {
		return event.AppendEndpoint(buf, a, port)
	}
	if p, ok := sa.Path(); ok {
		return append(buf, p...)
	}
	return buf
}

// appendInetTuple appends an inet tuple as libs prints it, an IPv4
// connection over IPv6 with IPv4 ends; false if st is not inet.
func appendInetTuple(buf []byte, st event.SockTuple) ([]byte, bool) {
	s, sp, d, dp, ok := st.Addrs()
	if !ok {
		return buf, false
	}
	s, d, _ = event.IPv4Pair(s, d)
	return event.AppendConnection(buf, s, sp, d, dp), true
}

func appendSocktuple(buf []byte, st event.SockTuple) []byte {
	if b, ok := appendInetTuple(buf, st); ok {
		return b
	}
	if src, dst, p, ok := st.Unix(); ok {
		buf = strconv.AppendUint(buf, src, 16)
		buf = append(buf, "->"...)
		buf = strconv.AppendUint(buf, dst, 16)
		buf = append(buf, ' ')
		return append(buf, p...)
	}
	return buf
}

// appendIPv6 renders a 16-byte address as inet_ntop does.
func appendIPv6(buf, b []byte) []byte {
	return event.AppendIP(buf, netip.AddrFrom16([16]byte(b)))
}

// appendCG renders x as C's "%g" does: 6 significant digits, exponent
// form for very small or large values, no trailing zeros.
func appendCG(buf []byte, x float64) []byte {
	return strconv.AppendFloat(buf, x, 'g', 6, 64)
}

var signalNames = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
	8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
	14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP",
	20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
	26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS",
}

func signalName(n uint64) string {
	if n < uint64(len(signalNames)) {
		return signalNames[n]
	}
	return ""
}

// noTime is the PT_RELTIME value libs prints as "none" (a timeout of
// none: wait forever).
const noTime = ^uint64(0)

// appendSigset renders a PT_SIGSET as libs does: the names of its
// signals, bit j standing for signal j+1, joined by spaces ("SIGHUP
// SIGINT"); bits of signals without a name are left out, and the empty
// set prints nothing.
func appendSigset(buf []byte, set uint64) []byte {
	first := true
	for j := range 32 {
		if set&(1<<j) == 0 {
			continue
		}
		if n := signalName(uint64(j) + 1); n != "" {
			if !first {
				buf = append(buf, ' ')
			}
			buf = append(buf, n...)
			first = false
		}
	}
	return buf
}

// appendSeconds renders nanoseconds as sysdig annotates a PT_RELTIME
// ("2.5s").
func appendSeconds(buf []byte, ns uint64) []byte {
	buf = appendCG(buf, float64(ns)/1e9)
	return append(buf, 's')
}

// appendDynValue renders the value of a PT_DYN parameter whose type its
// dynamic table gives (event.DynType).
func appendDynValue(buf []byte, t event.ParamType, f event.ParamFormat, val []byte) []byte {
	switch t {
	case event.PTBytebuf:
		return appendBufferText(buf, val)
	case event.PTErrno, event.PTFd:
		return strconv.AppendInt(buf, int64(dynUint(val)), 10)
	}
	if f == event.PFHex {
		return appendUpperHex(buf, dynUint(val))
	}
	return strconv.AppendUint(buf, dynUint(val), 10)
}

// dynUint reads a little-endian PT_DYN value of 1, 2, 4 or 8 bytes (0 for
// another length).
func dynUint(val []byte) uint64 {
	switch len(val) {
	case 1:
		return uint64(val[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(val))
	case 4:
		return uint64(binary.LittleEndian.Uint32(val))
	case 8:
		return binary.LittleEndian.Uint64(val)
	}
	return 0
}
