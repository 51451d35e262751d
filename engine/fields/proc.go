package fields

import (
	"strconv"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// proc.*: the process of the event's thread, its parent and ancestors,
// read from receiver/state. Semantics follow libsinsp's thread filter
// checks: ids as int64, names as the kernel comm, command lines built
// from comm and argv[1:], the parent of a thread being its process's
// parent (libs walks from the main thread), and ancestors counted from
// the main thread (proc.aname[0] is proc.name, [1] the parent).

func init() {
	// Identity.
	threadField("proc.pid", event.PTInt64, "process id (thread group id) of the event's thread", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Pid)
		return xid(t.Pid)
	})
	threadField("proc.vpid", event.PTInt64, "process id as seen in the process's pid namespace", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Vpid)
		return t.Vpid >= 0 && xid(t.Vpid)
	})
	threadField("proc.ppid", event.PTInt64, "process id of the parent process", func(_ *Ctx, t *state.Thread, v *Value) bool {
		p := t.Main().Ptid
		v.U = uint64(p)
		return xid(p)
	})
	threadField("proc.pvpid", event.PTInt64, "parent's process id as seen in its pid namespace", func(c *Ctx, t *state.Thread, v *Value) bool {
		p := c.State.Parent(t.Main())
		if p == nil || p.Vpid < 0 {
			return false
		}
		v.U = uint64(p.Vpid)
		return xid(p.Vpid)
	})
	threadField("proc.sid", event.PTInt64, "session id of the process", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Sid)
		return xid(t.Sid)
	})
	threadField("proc.vpgid", event.PTInt64, "process group id as seen in the process's pid namespace", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Vpgid)
		return xid(t.Vpgid)
	})
	threadField("proc.pgid", event.PTInt64, "process group id (host pid namespace)", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Pgid)
		return xid(t.Pgid)
	})
	threadField("proc.is_sid_leader", event.PTBool, "true if the process leads its session (proc.sid = proc.vpid)", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = b2u(t.Sid == t.Vpid)
		return true
	})
	threadField("proc.is_vpgid_leader", event.PTBool, "true if the process leads its virtual process group (proc.vpgid = proc.vpid)", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = b2u(t.Vpgid == t.Vpid)
		return true
	})
	threadField("proc.is_pgid_leader", event.PTBool, "true if the process leads its process group (proc.pgid = proc.pid)", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = b2u(t.Pgid == t.Pid)
		return true
	})

	// Names and command lines of the process itself.
	threadField("proc.name", event.PTCharbuf, "process name: the kernel task comm, at most 15 characters", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.S = t.Comm
		return true
	})
	threadField("proc.exe", event.PTCharbuf, "argv[0] of the process, as the process set it", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.S = t.Exe
		return true
	})
	threadField("proc.exepath", event.PTCharbuf, "full path of the executable, resolved by the kernel", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.S = t.ExePath
		return true
	})
	threadBufField("proc.cmdline", "process name followed by its arguments, space separated", func(_ *Ctx, t *state.Thread, buf []byte) ([]byte, bool) {
		return t.AppendCmdline(buf), true
	})
	threadBufField("proc.exeline", "argv[0] followed by the arguments, space separated", func(_ *Ctx, t *state.Thread, buf []byte) ([]byte, bool) {
		// libs' rendering: "exe " then the arguments joined by spaces
		// (so a process without arguments ends in a space).
		buf = append(buf, t.Exe...)
		buf = append(buf, ' ')
		for i, a := range t.Args {
			if i > 0 {
				buf = append(buf, ' ')
			}
			buf = append(buf, a...)
		}
		return buf, true
	})
	Register(Field{Name: "proc.args", Type: event.PTCharbuf, Flags: ArgAllowed | ArgIndex | Memoize,
		Desc: "arguments of the process (argv[1:]) space separated; proc.args[N] is the N-th, from 0",
		Bind: func(a Arg) (Binding, error) {
			if a.Set {
				n, ok := a.Index()
				if !ok {
					return Binding{}, errNeedIndex("proc.args", a)
				}
				return Binding{Extract: func(c *Ctx, v *Value) bool {
					t := evThread(c)
					if t == nil || n >= len(t.Args) {
						return false
					}
					v.S = t.Args[n]
					return true
				}}, nil
			}
			var buf []byte
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				t := evThread(c)
				if t == nil {
					return false
				}
				buf = t.AppendArgs(buf[:0])
				v.S = unsafeString(buf)
				return true
			}}, nil
		}})
	threadField("proc.cmdnargs", event.PTUint64, "number of arguments (proc.args)", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(len(t.Args))
		return true
	})
	threadField("proc.cmdlenargs", event.PTUint64, "total length of the arguments, separators not counted", func(_ *Ctx, t *state.Thread, v *Value) bool {
		n := 0
		for _, a := range t.Args {
			n += len(a)
		}
		v.U = uint64(n)
		return true
	})
	Register(Field{Name: "proc.env", Type: event.PTCharbuf, Flags: ArgAllowed | ArgKey | Memoize,
		Desc: "environment of the process, 'NAME=value' space separated; proc.env[NAME] is one variable's value",
		Bind: func(a Arg) (Binding, error) {
			if a.Set {
				name := a.Text
				return Binding{Extract: func(c *Ctx, v *Value) bool {
					t := evThread(c)
					if t == nil {
						return false
					}
					v.S, _ = t.Getenv(name) // libs: "" when unset
					return true
				}}, nil
			}
			var buf []byte
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				t := evThread(c)
				if t == nil {
					return false
				}
				buf = appendEnv(buf[:0], t.Env)
				v.S = unsafeString(buf)
				return true
			}}, nil
		}})
	threadField("proc.cwd", event.PTCharbuf, "working directory of the process, with a trailing slash", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.S = t.CWD()
		return true
	})
	threadField("proc.tty", event.PTUint32, "controlling terminal device number, 0 if none", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.TTY)
		return true
	})
	threadField("proc.loginshellid", event.PTInt64, "pid of the eldest shell (name ending in 'sh') among the process and its ancestors", func(c *Ctx, t *state.Thread, v *Value) bool {
		found := false
		check := func(a *state.Thread) {
			if n := len(a.Comm); n >= 2 && a.Comm[n-2] == 's' && a.Comm[n-1] == 'h' {
				v.U = uint64(a.Pid)
				found = true
			}
		}
		check(t.Main())
		c.State.Ancestors(t, func(_ int, a *state.Thread) bool {
			check(a)
			return true
		})
		return found
	})

	// Times.
	threadField("proc.duration", event.PTReltime, "ns since the thread was created", func(c *Ctx, t *state.Thread, v *Value) bool {
		return since(c, t.CloneTS, v)
	})
	threadField("proc.pid.ts", event.PTReltime, "creation time of the process, ns since the epoch", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = t.Main().CloneTS
		return v.U != 0
	})
	threadField("proc.ppid.ts", event.PTReltime, "creation time of the parent process, ns since the epoch", func(c *Ctx, t *state.Thread, v *Value) bool {
		p := c.State.Parent(t.Main())
		if p == nil || p.CloneTS == 0 {
			return false
		}
		v.U = p.CloneTS
		return true
	})
	threadField("proc.ppid.duration", event.PTReltime, "ns since the parent process was created", func(c *Ctx, t *state.Thread, v *Value) bool {
		p := c.State.Parent(t.Main())
		if p == nil {
			return false
		}
		return since(c, p.CloneTS, v)
	})

	// Executable.
	exeBool := func(name, desc string, get func(t *state.Thread) bool) {
		threadField(name, event.PTBool, desc, func(_ *Ctx, t *state.Thread, v *Value) bool {
			v.U = b2u(get(t))
			return true
		})
	}
	exeBool("proc.is_exe_writable", "true if the executable is writable by the user that runs it", func(t *state.Thread) bool { return t.ExeWritable })
	exeBool("proc.is_exe_upper_layer", "true if the executable is in an overlayfs upper layer", func(t *state.Thread) bool { return t.ExeUpperLayer })
	exeBool("proc.is_exe_lower_layer", "true if the executable is in an overlayfs lower layer", func(t *state.Thread) bool { return t.ExeLowerLayer })
	exeBool("proc.is_exe_from_memfd", "true if the executable is a memfd (fileless execution)", func(t *state.Thread) bool { return t.ExeFromMemfd })
	threadField("proc.exe_ino", event.PTInt64, "inode number of the executable", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = t.ExeIno
		return t.ExeIno != 0
	})
	threadField("proc.exe_ino.ctime", event.PTAbstime, "status change time of the executable's inode, ns since the epoch", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = t.ExeInoCtime
		return v.U != 0
	})
	threadField("proc.exe_ino.mtime", event.PTAbstime, "modification time of the executable's inode, ns since the epoch", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = t.ExeInoMtime
		return v.U != 0
	})
	threadField("proc.exe_ino.ctime_duration_proc_start", event.PTAbstime, "ns between the executable's last status change and the process start", func(_ *Ctx, t *state.Thread, v *Value) bool {
		if t.ExeInoCtime == 0 || t.CloneTS == 0 || t.CloneTS < t.ExeInoCtime {
			return false
		}
		v.U = t.CloneTS - t.ExeInoCtime
		return true
	})
	threadField("proc.exe_ino.ctime_duration_pidns_start", event.PTAbstime, "ns between the pid namespace start and the executable's last status change, when the namespace is older", func(_ *Ctx, t *state.Thread, v *Value) bool {
		if t.ExeInoCtime == 0 || t.PidnsInitStartTS == 0 || t.ExeInoCtime < t.PidnsInitStartTS {
			return false
		}
		v.U = t.ExeInoCtime - t.PidnsInitStartTS
		return true
	})
	threadField("proc.pidns_init_start_ts", event.PTUint64, "start time of the pid namespace's init process, ns since the epoch", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = t.PidnsInitStartTS
		return v.U != 0
	})

	// Resources.
	threadField("proc.nthreads", event.PTUint64, "number of live threads of the process, the leader included", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.NumThreads())
		return true
	})
	threadField("proc.nchilds", event.PTUint64, "number of live threads of the process other than the leader", func(_ *Ctx, t *state.Thread, v *Value) bool {
		n := t.NumThreads()
		if m := t.Main(); !m.Dead() && n > 0 {
			n--
		}
		v.U = uint64(n)
		return true
	})
	threadField("proc.fdopencount", event.PTUint64, "number of open fds of the process", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.FDs().Len())
		return true
	})
	threadField("proc.fdlimit", event.PTInt64, "maximum number of fds the process can open", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Main().FDLimit)
		return true
	})
	Register(Field{Name: "proc.fdusage", Type: event.PTDouble, Desc: "open fds as a percentage of the fd limit",
		Bind: func(Arg) (Binding, error) {
			return Binding{
				Extract: func(c *Ctx, v *Value) bool {
					t := evThread(c)
					if t == nil {
						return false
					}
					v.F = 0
					if lim := t.Main().FDLimit; lim > 0 {
						v.F = float64(t.FDs().Len()) * 100 / float64(lim)
					}
					return true
				},
				// libs prints doubles with one decimal
				Text: func(buf []byte, v *Value) []byte { return strconv.AppendFloat(buf, v.F, 'f', 1, 64) },
			}, nil
		}})
	threadField("proc.vmsize", event.PTUint64, "virtual memory of the process, kB", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Main().VMSize)
		return true
	})
	threadField("proc.vmrss", event.PTUint64, "resident memory of the process, kB", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Main().VMRSS)
		return true
	})
	threadField("proc.vmswap", event.PTUint64, "swapped memory of the process, kB", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Main().VMSwap)
		return true
	})

	// Standard streams.
	stdFD := func(n int64, stream string) {
		threadField("proc."+stream+".type", event.PTCharbuf, "type of fd "+strconv.Itoa(int(n))+" ("+stream+") of the process", func(_ *Ctx, t *state.Thread, v *Value) bool {
			f := t.FD(n)
			if f == nil {
				return false
			}
			v.S = f.Type.String()
			return true
		})
		threadField("proc."+stream+".name", event.PTCharbuf, "name of fd "+strconv.Itoa(int(n))+" ("+stream+") of the process", func(_ *Ctx, t *state.Thread, v *Value) bool {
			f := t.FD(n)
			if f == nil {
				return false
			}
			v.S = f.Name
			return true
		})
	}
	stdFD(0, "stdin")
	stdFD(1, "stdout")
	stdFD(2, "stderr")

	// Parent.
	parentField := func(name string, t Type, desc string, x func(c *Ctx, p *state.Thread, v *Value) bool) {
		threadField(name, t, desc, func(c *Ctx, th *state.Thread, v *Value) bool {
			p := c.State.Parent(th.Main())
			if p == nil {
				return false
			}
			return x(c, p, v)
		})
	}
	parentField("proc.pname", event.PTCharbuf, "name of the parent process", func(_ *Ctx, p *state.Thread, v *Value) bool {
		v.S = p.Comm
		return true
	})
	parentField("proc.pexe", event.PTCharbuf, "argv[0] of the parent process", func(_ *Ctx, p *state.Thread, v *Value) bool {
		v.S = p.Exe
		return true
	})
	parentField("proc.pexepath", event.PTCharbuf, "executable path of the parent process", func(_ *Ctx, p *state.Thread, v *Value) bool {
		v.S = p.ExePath
		return true
	})
	Register(Field{Name: "proc.pcmdline", Type: event.PTCharbuf, Flags: Memoize, Desc: "command line of the parent process (its proc.cmdline)",
		Bind: func(Arg) (Binding, error) {
			var buf []byte
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				t := evThread(c)
				if t == nil {
					return false
				}
				p := c.State.Parent(t.Main())
				if p == nil {
					return false
				}
				buf = p.AppendCmdline(buf[:0])
				v.S = unsafeString(buf)
				return true
			}}, nil
		}})

	// Ancestors.
	ancestorString("proc.aname", "name of an ancestor: proc.aname[N] is the N-th (0 = the process, 1 = parent); without N, any ancestor", Flags(0),
		func(a *state.Thread, _ []byte) ([]byte, string) { return nil, a.Comm })
	ancestorString("proc.aexe", "argv[0] of an ancestor (proc.aexe[N]; without N, any ancestor)", Flags(0),
		func(a *state.Thread, _ []byte) ([]byte, string) { return nil, a.Exe })
	ancestorString("proc.aexepath", "executable path of an ancestor (proc.aexepath[N]; without N, any ancestor)", Flags(0),
		func(a *state.Thread, _ []byte) ([]byte, string) { return nil, a.ExePath })
	ancestorString("proc.acmdline", "command line of an ancestor (proc.acmdline[N]; without N, any ancestor)", Flags(0),
		func(a *state.Thread, buf []byte) ([]byte, string) {
			buf = a.AppendCmdline(buf)
			return buf, ""
		})
	ancestorString("proc.aargs", "arguments of an ancestor (proc.aargs[N]; without N, any ancestor)", Flags(0),
		func(a *state.Thread, buf []byte) ([]byte, string) {
			buf = a.AppendArgs(buf)
			return buf, ""
		})
	Register(Field{Name: "proc.apid", Type: event.PTInt64, Flags: ArgAllowed | ArgIndex | AnyWithoutArg | NoRHS | NoTransformer | Memoize,
		Desc: "pid of an ancestor: proc.apid[N] is the N-th (0 = the process, 1 = parent); without N, any ancestor",
		Bind: func(a Arg) (Binding, error) {
			if a.Set {
				n, _ := a.Index()
				return Binding{Extract: func(c *Ctx, v *Value) bool {
					t := evThread(c)
					if t == nil {
						return false
					}
					anc := c.State.Ancestor(t, n)
					if anc == nil || !xid(anc.Pid) {
						return false
					}
					v.U = uint64(anc.Pid)
					return true
				}}, nil
			}
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				t := evThread(c)
				if t == nil {
					return false
				}
				v.Nums = v.Nums[:0]
				c.State.Ancestors(t, func(_ int, anc *state.Thread) bool {
					v.Nums = append(v.Nums, uint64(anc.Pid))
					return true
				})
				return len(v.Nums) > 0
			}}, nil
		}})
	Register(Field{Name: "proc.aenv", Type: event.PTCharbuf, Flags: ArgAllowed | ArgIndex | ArgKey | AnyWithoutArg | NoRHS | NoTransformer | Memoize,
		Desc: "environment of an ancestor: proc.aenv[N] for the N-th, proc.aenv[NAME] for the first ancestor (up to 20) that sets NAME; without argument, any ancestor",
		Bind: bindAenv})

	// Session and process group leaders: the process whose pid is the id,
	// else the eldest ancestor sharing the id (libs' walk).
	leaderField := func(name, desc string, id func(t *state.Thread) int64, val func(l *state.Thread) string) {
		threadField(name, event.PTCharbuf, desc, func(c *Ctx, t *state.Thread, v *Value) bool {
			l := leader(c.State, t, id)
			v.S = val(l)
			return true
		})
	}
	sid := func(t *state.Thread) int64 { return t.Sid }
	vpgid := func(t *state.Thread) int64 { return t.Vpgid }
	pgid := func(t *state.Thread) int64 { return t.Pgid }
	comm := func(t *state.Thread) string { return t.Comm }
	exe := func(t *state.Thread) string { return t.Exe }
	exepath := func(t *state.Thread) string { return t.ExePath }
	leaderField("proc.sname", "name of the session leader", sid, comm)
	leaderField("proc.sid.exe", "argv[0] of the session leader", sid, exe)
	leaderField("proc.sid.exepath", "executable path of the session leader", sid, exepath)
	leaderField("proc.vpgid.name", "name of the (virtual) process group leader", vpgid, comm)
	leaderField("proc.vpgid.exe", "argv[0] of the (virtual) process group leader", vpgid, exe)
	leaderField("proc.vpgid.exepath", "executable path of the (virtual) process group leader", vpgid, exepath)
	leaderField("proc.pgid.name", "name of the process group leader", pgid, comm)
	leaderField("proc.pgid.exe", "argv[0] of the process group leader", pgid, exe)
	leaderField("proc.pgid.exepath", "executable path of the process group leader", pgid, exepath)
}

// appendEnv renders proc.env: the variables space separated, without the
// empty entries that end the block (padding, e.g. after a process rewrote
// its argv/env area), as libs renders it.
func appendEnv(buf []byte, env []string) []byte {
	n := len(env)
	for n > 0 && env[n-1] == "" {
		n--
	}
	for i, kv := range env[:n] {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, kv...)
	}
	return buf
}

// since sets v to the ns from ts to the event, if ts is known.
func since(c *Ctx, ts uint64, v *Value) bool {
	now := c.Evt.Timestamp()
	if ts == 0 || now < ts {
		return false
	}
	v.U = now - ts
	return true
}

// leader walks up from t's process while the ancestors share id(t) and
// returns the last one that does: the leader, or the eldest known member.
func leader(s *state.State, t *state.Thread, id func(*state.Thread) int64) *state.Thread {
	want := id(t)
	l := t.Main()
	s.Ancestors(t, func(_ int, a *state.Thread) bool {
		if id(a) != want {
			return false
		}
		l = a
		return true
	})
	return l
}

// ancestorString registers a string field about an ancestor. val returns
// either a string view or, when it builds one, the extended buffer.
func ancestorString(name, desc string, extra Flags, val func(a *state.Thread, buf []byte) ([]byte, string)) {
	get := func(a *state.Thread, buf *[]byte) string {
		b, s := val(a, (*buf)[:0])
		if b != nil {
			*buf = b
			return unsafeString(b)
		}
		return s
	}
	Register(Field{Name: name, Type: event.PTCharbuf, Flags: ArgAllowed | ArgIndex | AnyWithoutArg | NoRHS | NoTransformer | Memoize | extra, Desc: desc,
		Bind: func(a Arg) (Binding, error) {
			if a.Set {
				n, _ := a.Index()
				var buf []byte
				return Binding{Extract: func(c *Ctx, v *Value) bool {
					t := evThread(c)
					if t == nil {
						return false
					}
					anc := c.State.Ancestor(t, n)
					if anc == nil {
						return false
					}
					v.S = get(anc, &buf)
					return true
				}}, nil
			}
			// Any ancestor: one buffer per ancestor depth, reused.
			var bufs [][]byte
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				t := evThread(c)
				if t == nil {
					return false
				}
				v.Strs = v.Strs[:0]
				c.State.Ancestors(t, func(depth int, anc *state.Thread) bool {
					for len(bufs) < depth {
						bufs = append(bufs, nil)
					}
					v.Strs = append(v.Strs, get(anc, &bufs[depth-1]))
					return true
				})
				return len(v.Strs) > 0
			}}, nil
		}})
}

// maxAenvDepth is how far proc.aenv[NAME] looks up the ancestors (libs: 20).
const maxAenvDepth = 20

func bindAenv(a Arg) (Binding, error) {
	if n, ok := a.Index(); ok {
		var buf []byte
		return Binding{Extract: func(c *Ctx, v *Value) bool {
			t := evThread(c)
			if t == nil {
				return false
			}
			anc := c.State.Ancestor(t, n)
			if anc == nil {
				return false
			}
			buf = appendEnv(buf[:0], anc.Env)
			v.S = unsafeString(buf)
			return true
		}}, nil
	}
	if a.Set {
		name := a.Text
		return Binding{Extract: func(c *Ctx, v *Value) bool {
			t := evThread(c)
			if t == nil {
				return false
			}
			found := false
			c.State.Ancestors(t, func(depth int, anc *state.Thread) bool {
				if depth > maxAenvDepth {
					return false
				}
				if s, ok := anc.Getenv(name); ok {
					v.S, found = s, true
					return false
				}
				return true
			})
			return found
		}}, nil
	}
	var bufs [][]byte
	return Binding{Extract: func(c *Ctx, v *Value) bool {
		t := evThread(c)
		if t == nil {
			return false
		}
		v.Strs = v.Strs[:0]
		c.State.Ancestors(t, func(depth int, anc *state.Thread) bool {
			for len(bufs) < depth {
				bufs = append(bufs, nil)
			}
			bufs[depth-1] = appendEnv(bufs[depth-1][:0], anc.Env)
			v.Strs = append(v.Strs, unsafeString(bufs[depth-1]))
			return true
		})
		return len(v.Strs) > 0
	}}, nil
}
