package fields

import (
	"errors"
	"strconv"
	"time"

	"github.com/sakersec/saker/receiver/event"
)

// Fields computed from the event alone (no process or fd state).

func init() {
	simple := func(name string, t Type, desc string, x Extractor) {
		Register(Field{Name: name, Type: t, Desc: desc, Bind: Simple(x)})
	}
	simple("evt.type", event.PTCharbuf, "event name: the syscall (open, execve, ...) or meta event", func(c *Ctx, v *Value) bool {
		v.S = evtTypeName(c.Evt)
		return true
	})
	simple("syscall.type", event.PTCharbuf, "syscall name of a syscall event; not available for other events", func(c *Ctx, v *Value) bool {
		if c.Evt.Info().Category&event.CatSyscall == 0 {
			return false
		}
		v.S = evtTypeName(c.Evt)
		return true
	})
	simple("evt.num", event.PTUint64, "event sequence number in its stream, from 1", func(c *Ctx, v *Value) bool {
		v.U = c.Evt.Num
		return true
	})
	simple("evt.cpu", event.PTInt16, "CPU the event was captured on", func(c *Ctx, v *Value) bool {
		v.U = uint64(c.Evt.CPU)
		return true
	})
	Register(Field{Name: "evt.dir", Type: event.PTCharbuf, Flags: Deprecated, Desc: "'>' for enter events, '<' for exit events (deprecated)",
		Bind: Simple(func(c *Ctx, v *Value) bool {
			if c.Evt.Dir() == event.Enter {
				v.S = ">"
			} else {
				v.S = "<"
			}
			return true
		})})
	simple("evt.category", event.PTCharbuf, "event class: file, net, process, memory, ...", func(c *Ctx, v *Value) bool {
		v.S = categoryName(c.Evt.Info().Category)
		return true
	})
	simple("evt.source", event.PTCharbuf, "event source: syscall", func(c *Ctx, v *Value) bool {
		v.S = "syscall"
		return true
	})
	simple("evt.hostname", event.PTCharbuf, "name of the host the event comes from", func(c *Ctx, v *Value) bool {
		v.S = c.Hostname
		return true
	})
	simple("evt.asynctype", event.PTCharbuf, "name of an asynchronous event (its type, e.g. container); not available for other events", func(c *Ctx, v *Value) bool {
		if c.Evt.Type() != asyncEventE {
			return false
		}
		n, ok := c.Evt.String(1)
		v.S = n
		return ok
	})
	simple("evt.is_async", event.PTBool, "true for asynchronous (non-syscall) events", func(c *Ctx, v *Value) bool {
		v.U = 0
		if c.Evt.Type() == asyncEventE {
			v.U = 1
		}
		return true
	})

	// Times. Text fields keep the raw timestamp in U so that output_fields
	// carries it as a number, as Falco's JSON does.
	timeField := func(name, desc, layout string, utc bool) {
		Register(Field{Name: name, Type: event.PTCharbuf, Desc: desc, Bind: func(Arg) (Binding, error) {
			var buf []byte
			return Binding{
				Extract: func(c *Ctx, v *Value) bool {
					ts := c.Evt.Timestamp()
					v.U = ts
					t := time.Unix(0, int64(ts))
					if utc {
						t = t.UTC()
					} else {
						t = t.In(c.loc())
					}
					buf = t.AppendFormat(buf[:0], layout)
					v.S = unsafeString(buf)
					return true
				},
				JSON: func(v *Value) any { return v.U },
			}, nil
		}})
	}
	timeField("evt.time", "event time of day, local: hh:mm:ss.nnnnnnnnn", "15:04:05.000000000", false)
	timeField("evt.time.s", "event time of day, local, whole seconds: hh:mm:ss", "15:04:05", false)
	timeField("evt.time.iso8601", "event time, ISO 8601 with nanoseconds, UTC", "2006-01-02T15:04:05.000000000-0700", true)
	timeField("evt.datetime", "event date and time, local, with nanoseconds", "2006-01-02 15:04:05.000000000", false)
	timeField("evt.datetime.s", "event date and time, local, whole seconds", "2006-01-02 15:04:05", false)
	simple("evt.rawtime", event.PTAbstime, "event timestamp, ns since the epoch", func(c *Ctx, v *Value) bool {
		v.U = c.Evt.Timestamp()
		return true
	})
	simple("evt.rawtime.s", event.PTAbstime, "whole seconds of the event timestamp", func(c *Ctx, v *Value) bool {
		v.U = c.Evt.Timestamp() / 1e9
		return true
	})
	// evt.outputtime is the time as the -t option of sysdig selects it;
	// Falco never sets it, so it is evt.time (and a string in JSON).
	Register(Field{Name: "evt.outputtime", Type: event.PTCharbuf, Flags: PrintOnly, Desc: "event time for outputs: the same as evt.time",
		Bind: func(Arg) (Binding, error) {
			var buf []byte
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				buf = time.Unix(0, int64(c.Evt.Timestamp())).In(c.loc()).AppendFormat(buf[:0], "15:04:05.000000000")
				v.S = unsafeString(buf)
				return true
			}}, nil
		}})
	// Nanosecond parts render as 9 digits (libs' PF_10_PADDED_DEC).
	padded := func(name string, t Type, desc string, x Extractor) {
		Register(Field{Name: name, Type: t, Desc: desc, Bind: func(Arg) (Binding, error) {
			return Binding{Extract: x, Text: appendPadded9}, nil
		}})
	}
	padded("evt.rawtime.ns", event.PTAbstime, "nanosecond part of the event timestamp", func(c *Ctx, v *Value) bool {
		v.U = c.Evt.Timestamp() % 1e9
		return true
	})
	rel := func(c *Ctx) uint64 {
		ts := c.Evt.Timestamp()
		if ts < c.FirstTs {
			return 0
		}
		return ts - c.FirstTs
	}
	padded("evt.reltime", event.PTReltime, "ns since the first event of the stream", func(c *Ctx, v *Value) bool {
		v.U = rel(c)
		return true
	})
	simple("evt.reltime.s", event.PTReltime, "whole seconds since the first event", func(c *Ctx, v *Value) bool {
		v.U = rel(c) / 1e9
		return true
	})
	padded("evt.reltime.ns", event.PTReltime, "nanosecond part of evt.reltime", func(c *Ctx, v *Value) bool {
		v.U = rel(c) % 1e9
		return true
	})
	// evt.deltatime is libs' TYPE_DELTA: the time since the previous event
	// this occurrence of the field was read on (0 the first time) — in an
	// output, since the rule's previous alert; in a condition, since the
	// previous event that reached the check. Each occurrence keeps its own
	// previous timestamp, as each libs filtercheck does. A timestamp older
	// than the previous one (events of different CPUs) gives 0 where libs
	// would wrap around.
	delta := func(name, desc string, part func(d uint64) uint64, text func([]byte, *Value) []byte) {
		Register(Field{Name: name, Type: event.PTReltime, Desc: desc, Bind: func(Arg) (Binding, error) {
			var last uint64
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				ts := c.Evt.Timestamp()
				var d uint64
				if last != 0 && ts > last {
					d = ts - last
				}
				last = ts
				v.U = part(d)
				return true
			}, Text: text}, nil
		}})
	}
	delta("evt.deltatime", "ns since the previous event this field was read on", func(d uint64) uint64 { return d }, nil)
	delta("evt.deltatime.s", "whole seconds of evt.deltatime", func(d uint64) uint64 { return d / 1e9 }, nil)
	delta("evt.deltatime.ns", "nanosecond part of evt.deltatime", func(d uint64) uint64 { return d % 1e9 }, appendPadded9)

	// Results.
	simple("evt.rawres", event.PTInt64, "return value of an exit event, as a number", func(c *Ctx, v *Value) bool {
		r, ok := result(c.Evt)
		v.U = uint64(r)
		return ok
	})
	simple("evt.res", event.PTCharbuf, "return value of an exit event: SUCCESS, or the errno name (ENOENT), or the number of an errno without one", func(c *Ctx, v *Value) bool {
		r, ok := result(c.Evt)
		if !ok {
			return false
		}
		v.U = uint64(r)
		if r >= 0 {
			v.S = "SUCCESS"
		} else if n := ErrnoName(-r); n != "" {
			v.S = n
		} else {
			v.S = strconv.FormatInt(r, 10) // no name: the number, as libs prints it
		}
		return true
	})
	simple("evt.failed", event.PTBool, "true if the event returned an error (false for events without a result)", func(c *Ctx, v *Value) bool {
		r, ok := result(c.Evt)
		v.U = b2u(ok && r < 0)
		return true
	})

	// Open events.
	openCheck := func(name, desc string, pred func(flags, mode uint64) bool) {
		simple(name, event.PTBool, desc, func(c *Ctx, v *Value) bool {
			v.U = 0
			if !isOpenExit(c.Evt) {
				return true
			}
			flags, _ := c.Evt.Uint(int(flagsParam[c.Evt.Type()]))
			mode, _ := c.Evt.Uint(int(modeParam[c.Evt.Type()]))
			v.U = b2u(pred(flags, mode))
			return true
		})
	}
	openCheck("evt.is_open_read", "true for an open that opened the file for reading", func(f, _ uint64) bool { return f&openRdonly != 0 })
	openCheck("evt.is_open_write", "true for an open that opened the file for writing", func(f, _ uint64) bool { return f&openWronly != 0 })
	openCheck("evt.is_open_exec", "true for an open that created a file with an execute permission bit", func(f, m uint64) bool {
		return f&openCreat != 0 && m&modeExecBits != 0
	})
	openCheck("evt.is_open_create", "true for an open that created the file", func(f, _ uint64) bool { return f&openFCreated != 0 })

	// I/O classification.
	ioCheck := func(name, desc string, mask event.Flags) {
		simple(name, event.PTBool, desc, func(c *Ctx, v *Value) bool {
			v.U = b2u(c.Evt.Info().Flags&mask != 0)
			return true
		})
	}
	ioCheck("evt.is_io", "true for events that read or write an fd", event.FlagReadsFromFd|event.FlagWritesToFd)
	ioCheck("evt.is_io_read", "true for events that read from an fd", event.FlagReadsFromFd)
	ioCheck("evt.is_io_write", "true for events that write to an fd", event.FlagWritesToFd)
	ioCheck("evt.is_wait", "true for events that wait (sleep, poll, ...)", event.FlagWaits)
	simple("evt.io_dir", event.PTCharbuf, "\"read\" for events that read from an fd, \"write\" for events that write to one", func(c *Ctx, v *Value) bool {
		f := c.Evt.Info().Flags
		switch {
		case f&event.FlagReadsFromFd != 0:
			v.S = "read"
		case f&event.FlagWritesToFd != 0:
			v.S = "write"
		default:
			return false
		}
		return true
	})

	// Buffers.
	simple("evt.buffer", event.PTBytebuf, "data buffer of I/O events (read, write, send, ...)", func(c *Ctx, v *Value) bool {
		i := int(dataParam[c.Evt.Type()])
		if i < 0 || i >= c.Evt.NumParams() {
			return false
		}
		b, _ := c.Evt.Bytes(i) // empty too: libs gives "" for no data
		v.S = unsafeString(b)
		return true
	})

	// Parameters.
	Register(Field{Name: "evt.arg", Type: event.PTCharbuf, Flags: ArgRequired | DotArg | ArgIndex | ArgKey,
		Desc: "one event parameter as text: evt.arg.NAME, evt.arg[NAME] or evt.arg[N]", Bind: bindArg(ParamResolved)})
	Register(Field{Name: "evt.rawarg", Type: event.PTDyn, Flags: ArgRequired | DotArg | ArgKey | NoRHS | NoTransformer,
		Desc: "one event parameter with its own type, for numeric comparisons: evt.rawarg.NAME", Bind: bindRawArg})
	Register(Field{Name: "evt.args", Type: event.PTCharbuf, Desc: "every event parameter as 'name=value ' as sysdig prints them, with fd, thread and user names",
		Bind: bindArgs})
	Register(Field{Name: "evt.type.is", Type: event.PTUint32, Flags: ArgRequired | DotArg | ArgKey,
		Desc: "1 if the event is of the type named by the argument (evt.type.is.open), else 0",
		Bind: func(a Arg) (Binding, error) {
			want := a.Text
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				v.U = b2u(evtTypeName(c.Evt) == want)
				return true
			}}, nil
		}})
}

// asyncEventE is PPME_ASYNCEVENT_E.
var asyncEventE = func() event.Type {
	for t := event.Type(0); t < event.MaxType; t++ {
		if t.String() == "PPME_ASYNCEVENT_E" {
			return t
		}
	}
	return event.MaxType
}()

// evtTypeName is evt.type: the table name, or for generic events the name
// of the syscall they carry in their ID parameter (a PPM_SC code), as
// sysdig names them. Not the nativeID parameter: exit events lack it
// unless the converter merged it from the enter event, and its names are
// the kernel's (rt_sigreturn where sysdig says sigreturn).
func evtTypeName(e *event.Event) string {
	t := e.Type()
	if t == event.GenericE || t == event.GenericX {
		id, _ := e.Uint(0)
		if id != 0 {
			return PPMSyscallName(id)
		}
		// Syscalls newer than libs' PPM_SC table (fchmodat2, ...) carry ID
		// 0; the live probe names them by their x86_64 number.
		if nr, ok := e.Uint(1); ok {
			if n := event.SyscallName(uint16(nr)); n != "" {
				return n
			}
		}
		return PPMSyscallName(id)
	}
	return e.Name()
}

// result returns the return value of an exit event: the "res" parameter,
// or "fd" for exit events that create an fd and have no res.
func result(e *event.Event) (int64, bool) {
	if e.Dir() != event.Exit {
		return 0, false
	}
	i := int(resParam[e.Type()])
	if i < 0 && e.Info().Flags&event.FlagCreatesFd != 0 {
		i = int(fdParam[e.Type()])
	}
	if i < 0 || !e.Has(i) {
		return 0, false
	}
	return e.Int(i)
}

func isOpenExit(e *event.Event) bool {
	if e.Dir() != event.Exit {
		return false
	}
	switch e.Name() {
	case "open", "openat", "openat2", "open_by_handle_at", "creat":
		return true
	}
	return false
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func categoryName(c event.Category) string {
	switch c.Class() {
	case event.CatFile:
		return "file"
	case event.CatNet:
		return "net"
	case event.CatIpc:
		return "ipc"
	case event.CatMemory:
		return "memory"
	case event.CatProcess:
		return "process"
	case event.CatSleep:
		return "sleep"
	case event.CatSystem:
		return "system"
	case event.CatSignal:
		return "signal"
	case event.CatUser:
		return "user"
	case event.CatTime:
		return "time"
	case event.CatProcessing:
		return "processing"
	case event.CatIoRead:
		return "IO_read"
	case event.CatIoWrite:
		return "IO_write"
	case event.CatIoOther:
		return "IO_other"
	case event.CatWait:
		return "wait"
	case event.CatScheduler:
		return "scheduler"
	case event.CatInternal:
		return "internal"
	}
	return "unknown"
}

// Parameter positions the evt.* extractors read on every event, looked up
// once instead of by name per event.
var (
	flagsParam = paramIndexTable("flags")
	modeParam  = paramIndexTable("mode")
	dataParam  = paramIndexTable("data")
	resParam   = paramIndexTable("res")
	fdParam    = paramIndexTable("fd")
)

// paramIndexTable maps every event type to the index of the parameter
// called name (-1 where it has none), so evt.arg.NAME costs one array read.
func paramIndexTable(name string) *[event.MaxType]int8 {
	var t [event.MaxType]int8
	for et := event.Type(0); et < event.MaxType; et++ {
		t[et] = -1
		for i, p := range et.Info().Params {
			if p.Name == name {
				t[et] = int8(i)
				break
			}
		}
	}
	return &t
}

func paramIndexer(a Arg) func(e *event.Event) int {
	if n, ok := a.Index(); ok {
		return func(*event.Event) int { return n }
	}
	tab := paramIndexTable(a.Text)
	return func(e *event.Event) int { return int(tab[e.Type()]) }
}

func bindArg(style ParamStyle) BindFunc {
	return func(a Arg) (Binding, error) {
		idx := paramIndexer(a)
		var buf []byte
		return Binding{Extract: func(c *Ctx, v *Value) bool {
			i := idx(c.Evt)
			if i < 0 || i >= c.Evt.NumParams() {
				return false
			}
			// libs' evt.arg.X is get_param_as_str: the resolved form when
			// there is one (an fd as "<f>/etc/passwd", a pid as its comm, a
			// uid/gid as its name, a relative path joined to the cwd or
			// dirfd, a flag set or errno by name, a duration as "1s"), else
			// the value as evt.args renders it (hex results, poll fd lists,
			// unix tuples). Rules compare evt.arg.uid=nobody.
			// Buffers (read/write data, execve args) keep their full
			// length, which evt.args cuts to 80 bytes.
			if pi := c.Evt.ParamInfo(i); style == ParamResolved && pi != nil && !isBufferType(pi.Type) {
				buf = AppendArg(buf[:0], c.Evt, i, c.State, ArgResolved)
				v.S = unsafeString(buf)
				return true
			}
			buf = AppendParam(buf[:0], c.Evt, i, style)
			v.S = unsafeString(buf)
			return true
		}}, nil
	}
}

// isBufferType reports whether t is a data buffer parameter type.
func isBufferType(t event.ParamType) bool {
	return t == event.PTBytebuf || t == event.PTCharbufarray || t == event.PTCharbufPairArray
}

func bindRawArg(a Arg) (Binding, error) {
	if _, isIdx := a.Index(); isIdx {
		return Binding{}, errors.New("filter error: evt.rawarg needs a parameter name")
	}
	// The type is the type of the first parameter with that name in the
	// event table, as libs resolves it.
	var typ Type
	found := false
	for et := event.Type(0); et < event.MaxType && !found; et++ {
		for _, p := range et.Info().Params {
			if p.Name == a.Text {
				typ, found = p.Type, true
				break
			}
		}
	}
	if !found {
		return Binding{}, errors.New("filter error: no event has a parameter named '" + a.Text + "'")
	}
	tab := paramIndexTable(a.Text)
	var buf []byte
	return Binding{Type: typ, Extract: func(c *Ctx, v *Value) bool {
		i := int(tab[c.Evt.Type()])
		if i < 0 || !c.Evt.Has(i) {
			return false
		}
		e := c.Evt
		pi := e.ParamInfo(i)
		switch {
		case isStringType(typ):
			buf = AppendParam(buf[:0], e, i, ParamRaw)
			v.S = unsafeString(buf)
		case typ == event.PTDouble:
			v.F, _ = e.Double(i)
		case pi.Type == event.PTDyn:
			// a number of the type the parameter's dynamic table gives
			idx, val, _ := e.Dyn(i)
			if dt, ok := event.DynType(pi.Info, idx); !ok || dt == event.PTBytebuf {
				return false
			}
			v.U = dynUint(val)
		case pi.Type.Signed():
			n, _ := e.Int(i)
			v.U = uint64(n)
		default:
			v.U, _ = e.Uint(i)
		}
		return true
	}}, nil
}

// appendPadded9 renders a number with at least 9 digits, zero-padded
// (libs' PF_10_PADDED_DEC: "%09lu").
func appendPadded9(buf []byte, v *Value) []byte {
	var tmp [20]byte
	d := strconv.AppendUint(tmp[:0], v.U, 10)
	for n := len(d); n < 9; n++ {
		buf = append(buf, '0')
	}
	return append(buf, d...)
}
