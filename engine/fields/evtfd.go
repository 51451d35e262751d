package fields

import (
	"strconv"
	"strings"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// Event fields that depend on the event's fd (its kind, its name), and the
// fdlist.* fields of poll events, which name the fds a poll waits on.

func init() {
	// evt.buflen[.*]: libs' extract_buflen — the non-negative result of
	// an exit event of an I/O category (read, write, or other I/O: close,
	// fcntl, ioctl) on an fd the state knows (libs needs the event's fd
	// info: an fd the capture never showed being opened has none), for
	// the qualified forms restricted to one direction (read or write
	// only), and to files or sockets.
	buflen := func(name, desc string, dir event.Category, kind func(f *state.FD) bool) {
		Register(Field{Name: name, Type: event.PTUint64, Desc: desc, Bind: Simple(func(c *Ctx, v *Value) bool {
			e := c.Evt
			if e.Dir() != event.Exit {
				return false
			}
			switch cl := e.Info().Category.Class(); {
			case dir != 0 && cl != dir:
				return false
			case cl != event.CatIoRead && cl != event.CatIoWrite && cl != event.CatIoOther:
				return false
			}
			r, ok := evFD(c)
			if !ok || r.f == nil || kind != nil && !kind(r.f) {
				return false
			}
			n, ok := e.Int(0)
			if !ok || n < 0 {
				return false
			}
			v.U = uint64(n)
			return true
		})})
	}
	isFile := func(f *state.FD) bool { return f.Type.IsFile() }
	// "net" is an IPv4 or IPv6 connection, not a unix socket (sysdig 0.29
	// gives no evt.buflen.net on unix sockets).
	isNet := func(f *state.FD) bool { return f.Type == state.FDIPv4Sock || f.Type == state.FDIPv6Sock }
	buflen("evt.buflen", "data length of an I/O exit event on a known fd (its non-negative result)", 0, nil)
	buflen("evt.buflen.in", "data length of a read event", event.CatIoRead, nil)
	buflen("evt.buflen.out", "data length of a write event", event.CatIoWrite, nil)
	buflen("evt.buflen.file", "data length of an I/O event on a file", 0, isFile)
	buflen("evt.buflen.file.in", "data length of a read from a file", event.CatIoRead, isFile)
	buflen("evt.buflen.file.out", "data length of a write to a file", event.CatIoWrite, isFile)
	buflen("evt.buflen.net", "data length of an I/O event on an IPv4/IPv6 socket", 0, isNet)
	buflen("evt.buflen.net.in", "data length of a read from an IPv4/IPv6 socket", event.CatIoRead, isNet)
	buflen("evt.buflen.net.out", "data length of a write to an IPv4/IPv6 socket", event.CatIoWrite, isNet)

	Register(Field{Name: "evt.is_syslog", Type: event.PTBool, Desc: "true for writes to /dev/log (syslog messages)",
		Bind: Simple(func(c *Ctx, v *Value) bool {
			v.U = 0
			if c.Evt.Type() == event.SyscallWriteE {
				if r, ok := evFD(c); ok && r.f != nil && strings.Contains(r.f.Name, "/dev/log") {
					v.U = 1
				}
			}
			return true
		})})

	fdlist := func(name, desc string, item func(buf []byte, f *state.FD, fd int64) ([]byte, bool)) {
		Register(Field{Name: name, Type: event.PTCharbuf, Desc: desc, Bind: func(Arg) (Binding, error) {
			var buf []byte
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				l, ok := pollFDs(c.Evt)
				t := evThread(c)
				if !ok || t == nil {
					return false
				}
				buf = buf[:0]
				for i := 0; i < l.Len(); i++ {
					fd, _ := l.At(i)
					var added bool
					if buf, added = item(buf, t.FD(fd), fd); added {
						buf = append(buf, ',')
					}
				}
				if len(buf) == 0 {
					return false
				}
				v.S = unsafeString(buf[:len(buf)-1])
				return true
			}}, nil
		}})
	}
	fdlist("fdlist.nums", "fd numbers of a poll event's fds, comma separated", func(buf []byte, _ *state.FD, fd int64) ([]byte, bool) {
		return strconv.AppendInt(buf, fd, 10), true
	})
	fdlist("fdlist.names", "names of a poll event's fds, comma separated (<NA> for unknown or unnamed fds)", func(buf []byte, f *state.FD, _ int64) ([]byte, bool) {
		if f == nil || f.Name == "" {
			return append(buf, "<NA>"...), true
		}
		return append(buf, f.Name...), true
	})
	fdlist("fdlist.cips", "client IP addresses of a poll event's connected sockets, comma separated", func(buf []byte, f *state.FD, _ int64) ([]byte, bool) {
		if f == nil || (f.Type != state.FDIPv4Sock && f.Type != state.FDIPv6Sock) {
			return buf, false
		}
		return event.AppendIP(buf, orUnspecified(f.CIP, f)), true
	})
	fdlist("fdlist.sips", "server IP addresses of a poll event's sockets, comma separated", func(buf []byte, f *state.FD, _ int64) ([]byte, bool) {
		if f == nil || !f.Type.IsInet() {
			return buf, false
		}
		return event.AppendIP(buf, orUnspecified(f.SIP, f)), true
	})
	fdlist("fdlist.cports", "client ports of a poll event's connected TCP/UDP sockets, comma separated", func(buf []byte, f *state.FD, _ int64) ([]byte, bool) {
		if f == nil || (f.Type != state.FDIPv4Sock && f.Type != state.FDIPv6Sock) {
			return buf, false
		}
		return strconv.AppendUint(buf, uint64(f.CPort), 10), true
	})
	fdlist("fdlist.sports", "server ports of a poll event's TCP/UDP sockets, comma separated", func(buf []byte, f *state.FD, _ int64) ([]byte, bool) {
		if f == nil || !f.Type.IsInet() {
			return buf, false
		}
		return strconv.AppendUint(buf, uint64(f.SPort), 10), true
	})
}

// pollFDs returns the fd list of a poll or ppoll event.
func pollFDs(e *event.Event) (event.FDList, bool) {
	switch e.Name() {
	case "poll", "ppoll":
	default:
		return nil, false
	}
	i := e.ParamIndex("fds")
	if i < 0 || !e.Has(i) {
		return nil, false
	}
	return e.FDList(i), true
}
