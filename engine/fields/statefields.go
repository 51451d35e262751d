package fields

import (
	"errors"
	"strconv"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// Helpers shared by the state-based fields (proc.*, thread.*, fd.*,
// user.*, group.*, container.*): how to reach the event's thread and fd
// from a Ctx, and the registration shorthands.

// evThread returns the current event's thread, or nil (no state, no
// thread, or an event without one).
func evThread(c *Ctx) *state.Thread {
	if c.State == nil {
		return nil
	}
	return c.State.EventThread()
}

// threadField registers a field without arguments read from the event's
// thread; x is not called when there is none.
func threadField(name string, t Type, desc string, x func(c *Ctx, th *state.Thread, v *Value) bool) {
	Register(Field{Name: name, Type: t, Desc: desc, Bind: Simple(func(c *Ctx, v *Value) bool {
		th := evThread(c)
		if th == nil {
			return false
		}
		return x(c, th, v)
	})})
}

// threadBufField registers a field without arguments whose string value is
// built from the event's thread into a buffer owned by the binding. Such
// fields are memoized: rules sharing them build the string once per event.
func threadBufField(name string, desc string, x func(c *Ctx, th *state.Thread, buf []byte) ([]byte, bool)) {
	Register(Field{Name: name, Type: event.PTCharbuf, Flags: Memoize, Desc: desc, Bind: func(Arg) (Binding, error) {
		var buf []byte
		return Binding{Extract: func(c *Ctx, v *Value) bool {
			th := evThread(c)
			if th == nil {
				return false
			}
			var ok bool
			buf, ok = x(c, th, buf[:0])
			v.S = unsafeString(buf)
			return ok
		}}, nil
	}})
}

// errNeedIndex is the bind error for an argument that is not a number.
func errNeedIndex(name string, a Arg) error {
	return errors.New("filter error: field " + name + " needs a numeric argument, got '" + a.Text + "'")
}

// xid reports whether a process/thread id can be rendered: libs refuses
// ids outside [-1, UINT32_MAX] (garbage from a corrupt parent chain).
func xid(n int64) bool { return n >= -1 && n <= 0xffffffff }

// appendInt64 is strconv.AppendInt for readability at call sites.
func appendInt64(buf []byte, n int64) []byte { return strconv.AppendInt(buf, n, 10) }
