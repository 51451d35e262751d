package fields

import (
	"strconv"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// thread.*: the event's thread itself (ids, capabilities, cgroups, memory
// counters), read from receiver/state.

func init() {
	// thread.tid is the event header's tid: it renders even for events of
	// threads the state does not know (libs reads it from the event).
	Register(Field{Name: "thread.tid", Type: event.PTInt64, Desc: "id of the thread that generated the event",
		Bind: Simple(func(c *Ctx, v *Value) bool {
			v.U = uint64(c.Evt.Tid())
			return true
		})})
	threadField("thread.vtid", event.PTInt64, "thread id as seen in the thread's pid namespace", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = uint64(t.Vtid)
		return t.Vtid >= 0 && xid(t.Vtid)
	})
	threadField("thread.ismain", event.PTBool, "true if the thread is its process's main thread", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = b2u(t.IsMain())
		return true
	})
	Register(Field{Name: "thread.nametid", Type: event.PTCharbuf, Flags: TableOnly, Desc: "process name followed by the thread id",
		Bind: func(Arg) (Binding, error) {
			var buf []byte
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				t := evThread(c)
				if t == nil {
					return false
				}
				buf = append(buf[:0], t.Comm...)
				buf = strconv.AppendInt(buf, c.Evt.Tid(), 10)
				v.S = unsafeString(buf)
				return true
			}}, nil
		}})

	capField := func(name, desc string, get func(t *state.Thread) uint64) {
		threadBufField(name, desc, func(_ *Ctx, t *state.Thread, buf []byte) ([]byte, bool) {
			return AppendCapNames(buf, get(t)), true
		})
	}
	capField("thread.cap_permitted", "permitted capability set, names space separated (CAP_CHOWN CAP_KILL ...)", func(t *state.Thread) uint64 { return t.CapPermitted })
	capField("thread.cap_inheritable", "inheritable capability set, names space separated", func(t *state.Thread) uint64 { return t.CapInheritable })
	capField("thread.cap_effective", "effective capability set, names space separated", func(t *state.Thread) uint64 { return t.CapEffective })

	threadBufField("thread.cgroups", "every cgroup of the thread, 'subsystem=path' space separated", func(_ *Ctx, t *state.Thread, buf []byte) ([]byte, bool) {
		if len(t.Cgroups) == 0 {
			return buf, false
		}
		for i, cg := range t.Cgroups {
			if i > 0 {
				buf = append(buf, ' ')
			}
			buf = append(buf, cgroupSubsys(cg.Subsys)...)
			buf = append(buf, '=')
			buf = append(buf, cg.Path...)
		}
		return buf, true
	})
	Register(Field{Name: "thread.cgroup", Type: event.PTCharbuf, Flags: ArgRequired | ArgKey | DotArg,
		Desc: "cgroup path of the thread for one subsystem: thread.cgroup.cpuacct or thread.cgroup[cpuacct]",
		Bind: func(a Arg) (Binding, error) {
			sub := a.Text
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				t := evThread(c)
				if t == nil {
					return false
				}
				for _, cg := range t.Cgroups {
					if cgroupSubsys(cg.Subsys) == sub || cg.Subsys == sub {
						v.S = cg.Path
						return true
					}
				}
				return false
			}}, nil
		}})

	mainOnly := func(t *state.Thread, kb uint32) uint64 {
		if !t.IsMain() {
			return 0
		}
		return uint64(kb)
	}
	threadField("thread.vmsize", event.PTUint64, "virtual memory of the process, kB, on its main thread (0 on other threads)", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = mainOnly(t, t.VMSize)
		return true
	})
	threadField("thread.vmrss", event.PTUint64, "resident memory of the process, kB, on its main thread (0 on other threads)", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = mainOnly(t, t.VMRSS)
		return true
	})
	Register(Field{Name: "thread.vmsize.b", Type: event.PTUint64, Flags: TableOnly, Desc: "thread.vmsize in bytes",
		Bind: Simple(func(c *Ctx, v *Value) bool {
			t := evThread(c)
			if t == nil {
				return false
			}
			v.U = mainOnly(t, t.VMSize) * 1024
			return true
		})})
	Register(Field{Name: "thread.vmrss.b", Type: event.PTUint64, Flags: TableOnly, Desc: "thread.vmrss in bytes",
		Bind: Simple(func(c *Ctx, v *Value) bool {
			t := evThread(c)
			if t == nil {
				return false
			}
			v.U = mainOnly(t, t.VMRSS) * 1024
			return true
		})})
	threadField("thread.pfmajor", event.PTUint64, "major page faults of the thread", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = t.PageFaultsMajor
		return true
	})
	threadField("thread.pfminor", event.PTUint64, "minor page faults of the thread", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.U = t.PageFaultsMinor
		return true
	})
}

// cgroupSubsys is the name libs shows a cgroup controller under: the
// cgroup v2 "io" controller keeps its v1 name "blkio".
func cgroupSubsys(s string) string {
	if s == "io" {
		return "blkio"
	}
	return s
}

// capNames are Linux capability names by bit number (the scap event
// encoding uses the kernel's bit positions).
var capNames = [...]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// AppendCapNames appends the names of the capabilities set in caps, space
// separated, in bit order, as libs renders thread.cap_*.
func AppendCapNames(buf []byte, caps uint64) []byte {
	first := true
	for i, n := range capNames {
		if caps&(1<<uint(i)) == 0 {
			continue
		}
		if !first {
			buf = append(buf, ' ')
		}
		buf = append(buf, n...)
		first = false
	}
	return buf
}
