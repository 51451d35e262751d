package fields

import (
	"encoding/binary"
	"strconv"

	"github.com/sakersec/saker/receiver/event"
)

// ParamStyle selects how [AppendParam] renders flag and errno parameters.
type ParamStyle uint8

const (
	ParamResolved ParamStyle = iota // names: "O_RDONLY|O_CLOEXEC", "ENOENT" (evt.arg.X)
	ParamRaw                        // numbers only (evt.rawarg-like)
	ParamArgs                       // number and names: "4097(O_RDONLY|O_CLOEXEC)" (evt.args)
)

// AppendParam appends the text rendering of parameter i of e: strings as
// they are, flags through receiver/event's name tables, errno results as
// "ENOENT", addresses in the usual notation, other numbers in decimal (hex
// or octal when the table says so). style picks names, numbers or both.
func AppendParam(buf []byte, e *event.Event, i int, style ParamStyle) []byte {
	pi := e.ParamInfo(i)
	if pi == nil || !e.Has(i) {
		return buf
	}
	switch pi.Type {
	case event.PTCharbuf, event.PTFspath, event.PTFsrelpath:
		s, _ := e.String(i)
		return append(buf, s...)
	case event.PTBytebuf, event.PTCharbufarray, event.PTCharbufPairArray:
		b, _ := e.Bytes(i)
		for _, c := range b {
			if c < 0x20 || c >= 0x7f {
				c = '.'
			}
			buf = append(buf, c)
		}
		return buf
	case event.PTErrno:
		v, _ := e.Int(i)
		if v < 0 && style != ParamRaw {
			if n := ErrnoName(-v); n != "" {
				return append(buf, n...)
			}
		}
		return strconv.AppendInt(buf, v, 10)
	case event.PTFlags8, event.PTFlags16, event.PTFlags32, event.PTEnumflags8, event.PTEnumflags16, event.PTEnumflags32, event.PTMode:
		v, _ := e.Uint(i)
		switch style {
		case ParamArgs:
			return event.AppendFlagValue(buf, pi.Info, pi.Type, v)
		case ParamResolved:
			n := len(buf)
			buf = event.FlagNames(pi.Info, v, buf)
			if len(buf) > n {
				return buf
			}
		}
		if pi.Type == event.PTMode && v != 0 {
			buf = append(buf, '0')
			return strconv.AppendUint(buf, v, 8)
		}
		return strconv.AppendUint(buf, v, 10)
	case event.PTSockaddr:
		return appendSockaddr(buf, e.SockAddr(i))
	case event.PTSocktuple:
		st := e.SockTuple(i)
		if b, ok := appendInetTuple(buf, st); ok {
			return b
		}
		if _, _, p, ok := st.Unix(); ok {
			return append(buf, p...)
		}
		return buf
	case event.PTIpv4addr:
		p := e.Param(i)
		if len(p) == 4 {
			for j := 0; j < 4; j++ {
				if j > 0 {
					buf = append(buf, '.')
				}
				buf = strconv.AppendUint(buf, uint64(p[j]), 10)
			}
		}
		return buf
	case event.PTDouble:
		f, _ := e.Double(i)
		return strconv.AppendFloat(buf, f, 'f', -1, 64)
	case event.PTBool:
		v, _ := e.Uint(i)
		return strconv.AppendBool(buf, v != 0)
	case event.PTUid, event.PTGid:
		v, _ := e.Uint(i)
		if v == 0xffffffff {
			return append(buf, "-1"...)
		}
		return strconv.AppendUint(buf, v, 10)
	case event.PTDyn:
		idx, val, _ := e.Dyn(i)
		if t, ok := event.DynType(pi.Info, idx); ok {
			return appendDynValue(buf, t, event.PFDec, val)
		}
		if len(val) == 8 {
			return strconv.AppendInt(buf, int64(binary.LittleEndian.Uint64(val)), 10)
		}
		return append(buf, val...)
	}
	if pi.Type.Signed() {
		v, _ := e.Int(i)
		return strconv.AppendInt(buf, v, 10)
	}
	v, _ := e.Uint(i)
	if v == 0 {
		return append(buf, '0')
	}
	if pi.Format == event.PFHex {
		// libs prints hex values in upper case without a prefix (mmap's
		// res=7FAD48770000).
		n := len(buf)
		buf = strconv.AppendUint(buf, v, 16)
		for k := n; k < len(buf); k++ {
			if buf[k] >= 'a' && buf[k] <= 'f' {
				buf[k] -= 'a' - 'A'
			}
		}
		return buf
	}
	if pi.Format == event.PFOct {
		buf = append(buf, '0')
		return strconv.AppendUint(buf, v, 8)
	}
	return strconv.AppendUint(buf, v, 10)
}

// Open flags as the drivers encode them (PPM_O_*), in the order libs
// renders them.
const (
	openRdonly   = 1 << 0
	openWronly   = 1 << 1
	openCreat    = 1 << 2
	openFCreated = 1 << 14
	modeExecBits = 0o111
)

// errnoNames are the Linux errno names libs gives (the table of sysdig
// 0.29, read from its output for every value): 1-125 but for 41 and 58,
// which Linux leaves unused, and the kernel-internal 512-516 and 521-530.
var errnoNames = [...]string{
	1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG", 8: "ENOEXEC",
	9: "EBADF", 10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 15: "ENOTBLK",
	16: "EBUSY", 17: "EEXIST", 18: "EXDEV", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL",
	23: "ENFILE", 24: "EMFILE", 25: "ENOTTY", 26: "ETXTBSY", 27: "EFBIG", 28: "ENOSPC", 29: "ESPIPE",
	30: "EROFS", 31: "EMLINK", 32: "EPIPE", 33: "EDOM", 34: "ERANGE", 35: "EDEADLK",
	36: "ENAMETOOLONG", 37: "ENOLCK", 38: "ENOSYS", 39: "ENOTEMPTY", 40: "ELOOP", 42: "ENOMSG",
	43: "EIDRM", 44: "ECHRNG", 45: "EL2NSYNC", 46: "EL3HLT", 47: "EL3RST", 48: "ELNRNG",
	49: "EUNATCH", 50: "ENOCSI", 51: "EL2HLT", 52: "EBADE", 53: "EBADR", 54: "EXFULL", 55: "ENOANO",
	56: "EBADRQC", 57: "EBADSLT", 59: "EBFONT", 60: "ENOSTR", 61: "ENODATA", 62: "ETIME", 63: "ENOSR",
	64: "ENONET", 65: "ENOPKG", 66: "EREMOTE", 67: "ENOLINK", 68: "EADV", 69: "ESRMNT", 70: "ECOMM",
	71: "EPROTO", 72: "EMULTIHOP", 73: "EDOTDOT", 74: "EBADMSG", 75: "EOVERFLOW", 76: "ENOTUNIQ",
	77: "EBADFD", 78: "EREMCHG", 79: "ELIBACC", 80: "ELIBBAD", 81: "ELIBSCN", 82: "ELIBMAX",
	83: "ELIBEXEC", 84: "EILSEQ", 85: "ERESTART", 86: "ESTRPIPE", 87: "EUSERS", 88: "ENOTSOCK",
	89: "EDESTADDRREQ", 90: "EMSGSIZE", 91: "EPROTOTYPE", 92: "ENOPROTOOPT", 93: "EPROTONOSUPPORT",
	94: "ESOCKTNOSUPPORT", 95: "EOPNOTSUPP", 96: "EPFNOSUPPORT", 97: "EAFNOSUPPORT", 98: "EADDRINUSE",
	99: "EADDRNOTAVAIL", 100: "ENETDOWN", 101: "ENETUNREACH", 102: "ENETRESET", 103: "ECONNABORTED",
	104: "ECONNRESET", 105: "ENOBUFS", 106: "EISCONN", 107: "ENOTCONN", 108: "ESHUTDOWN",
	109: "ETOOMANYREFS", 110: "ETIMEDOUT", 111: "ECONNREFUSED", 112: "EHOSTDOWN", 113: "EHOSTUNREACH",
	114: "EALREADY", 115: "EINPROGRESS", 116: "ESTALE", 117: "EUCLEAN", 118: "ENOTNAM",
	119: "ENAVAIL", 120: "EISNAM", 121: "EREMOTEIO", 122: "EDQUOT", 123: "ENOMEDIUM",
	124: "EMEDIUMTYPE", 125: "ECANCELED", 512: "ERESTARTSYS", 513: "ERESTARTNOINTR",
	514: "ERESTARTNOHAND", 515: "ENOIOCTLCMD", 516: "ERESTART_RESTARTBLOCK", 521: "EBADHANDLE",
	522: "ENOTSYNC", 523: "EBADCOOKIE", 524: "ENOTSUPP", 525: "ETOOSMALL", 526: "ESERVERFAULT",
	527: "EBADTYPE", 528: "EJUKEBOX", 529: "EIOCBQUEUED", 530: "EIOCBRETRY",
}

// ErrnoName returns the symbolic name of a (positive) errno, or "".
func ErrnoName(n int64) string {
	if n <= 0 || n >= int64(len(errnoNames)) {
		return ""
	}
	return errnoNames[n]
}
