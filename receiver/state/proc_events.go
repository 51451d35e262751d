package state

import (
	"encoding/binary"
	"strings"

	"github.com/sakersec/saker/receiver/event"
)

// Process lifecycle: clone/fork/vfork/clone3, execve/execveat, procexit,
// and the calls that change a process's cwd, root, credentials, session,
// process group or subreaper flag.

// onClone handles a clone-family exit. The kernel reports it twice: in the
// parent (res = child tid) and in the child (res = 0), in either order.
// Whichever comes first creates the child; the child's own event, which
// describes the child, refines an entry the parent's event created.
func (s *State) onClone(v ev) {
	res, ok := v.int(pRes)
	if !ok || res < 0 {
		return
	}
	flags := uint32(0)
	if f, ok := v.uint(pFlags); ok {
		flags = uint32(f)
	}
	ts := v.e.Timestamp()
	if res == 0 {
		s.cloneChild(v, flags, ts)
	} else {
		s.cloneCaller(v, res, flags, ts)
	}
}

func recent(t *Thread, ts uint64) bool {
	d := int64(ts - t.CloneTS)
	return d < cloneWindow && d > -cloneWindow
}

func (s *State) cloneChild(v ev, flags uint32, ts uint64) {
	tid := v.e.Tid()
	pid, ok := v.int(pPid)
	if !ok || pid <= 0 {
		pid = tid
	}
	ptid, _ := v.int(pPtid)
	// The child's flags are read from the caller's memory (clone3's
	// struct clone_args), which a new thread's creator may already have
	// reused when the child's exit is traced: whether it is a thread is
	// whether its tid differs from its pid.
	if pid != tid {
		flags |= CloneThread
	} else {
		flags &^= CloneThread
	}

	if old := s.threads[tid]; old != nil && !old.dead && old.origin == originCaller && old.Pid == pid && recent(old, ts) {
		s.cloneParams(old, v, false)
		old.origin = originChild
		s.cur = old
		return
	}

	var src *Thread // whom the child inherits from
	if flags&CloneThread != 0 {
		src = s.threads[pid]
		if src == nil {
			src = s.threads[ptid]
			if src != nil && src.Pid != pid {
				src = nil
			}
		}
	} else if ptid > 0 {
		src = s.threads[ptid]
	}
	if src == nil && s.cfg.ProcFS != "" {
		// live: a parent (for a thread, its process) saker never saw
		// created — a thread born after /proc was read whose clone was
		// not traced — is read from /proc like any unknown thread, so
		// the child inherits its cwd, fds and ids and has a parent.
		want := ptid
		if flags&CloneThread != 0 {
			want = pid
		}
		if want > 0 && want != tid {
			if src = s.loadProcThread(want); src != nil && flags&CloneThread != 0 && src.Pid != pid {
				src = nil
			}
		}
	}
	if flags&CloneThread != 0 {
		// libs makes a thread's parent its process's main thread (so
		// proc.pname of a thread is its process's name); the process's
		// parent stays on the main thread
		ptid = pid
	}
	t := &Thread{Tid: tid, Pid: pid, Ptid: ptid}
	if src != nil {
		inherit(t, src)
	} else {
		t.UID, t.GID, t.LoginUID = noID, noID, noID
	}
	t.CloneFlags = flags
	t.CloneTS = ts
	t.origin = originChild
	if flags&CloneThread != 0 && src != nil && src.g != nil && src.g.pid == pid {
		t.g = src.g
	} else {
		t.g = forkGroup(pid, src)
	}
	s.cloneParams(t, v, true)
	if !s.insert(t) {
		return
	}
	s.cur = t
	s.lastTid, s.lastThread = tid, t
}

func (s *State) cloneCaller(v ev, child int64, flags uint32, ts uint64) {
	caller := s.cur
	if caller == nil {
		return
	}
	if caller.invalid {
		s.fillInvalid(caller, v)
		// The parent side of a clone describes the caller (its comm,
		// exe, args, ids): libs fills an unknown caller from it, so a
		// process that started before the capture and was missed by the
		// process list gets its name at its first clone.
		if !caller.invalid {
			s.cloneParams(caller, v, false)
		}
	}
	if callerInPidns(caller, v, flags) {
		// clone returned the child's id in the caller's pid namespace
		// (e.g. 6 inside a container), not the host id the table is
		// keyed by: like libs, leave the child to its own clone exit,
		// which carries its host tid/pid and its virtual ids
		return
	}
	if old := s.threads[child]; old != nil && !old.dead && old.origin == originChild && recent(old, ts) {
		return
	}
	t := &Thread{Tid: child}
	inherit(t, caller)
	if flags&CloneThread != 0 {
		t.Pid = caller.Pid
		t.Ptid = caller.Pid // see cloneChild
		t.g = caller.g
	} else {
		t.Pid = child
		t.Ptid = caller.Tid
		if flags&CloneParent != 0 {
			t.Ptid = caller.Ptid
		}
		t.g = forkGroup(child, caller)
	}
	switch {
	case flags&CloneNewPID != 0:
		t.Vtid, t.Vpid = 1, 1
		t.PidnsInitStartTS = ts
	case caller.Vtid == caller.Tid && caller.Vpid == caller.Pid:
		t.Vtid, t.Vpid = t.Tid, t.Pid
	default:
		t.Vtid = 0 // known only from the child's own event
		if flags&CloneThread != 0 {
			t.Vpid = caller.Vpid
		} else {
			t.Vpid = 0
		}
	}
	t.CloneFlags = flags
	t.CloneTS = ts
	t.origin = originCaller
	s.insert(t)
}

// callerInPidns reports whether the caller of a clone runs in a pid
// namespace other than the initial one, so that the id clone returned is
// not a host id: the driver says so (PPM_CL_CHILD_IN_PIDNS), or, in
// captures of drivers that did not set it, the caller's virtual ids (from
// the event, else from the state) differ from its host ids.
func callerInPidns(caller *Thread, v ev, flags uint32) bool {
	if flags&CloneChildInPidns != 0 {
		return true
	}
	vtid, ok := v.int(pVtid)
	if !ok || vtid <= 0 {
		vtid = caller.Vtid
	}
	vpid, ok := v.int(pVpid)
	if !ok || vpid <= 0 {
		vpid = caller.Vpid
	}
	return vtid > 0 && vtid != caller.Tid || vpid > 0 && vpid != caller.Pid
}

// forkGroup makes the thread group of a new process: a copy of the
// parent's fd table and cwd.
func forkGroup(pid int64, parent *Thread) *group {
	g := newGroup(pid)
	if parent != nil && parent.g != nil {
		g.fds = parent.g.fds.clone()
		g.cwd = parent.g.cwd
	}
	return g
}

// inherit copies the process attributes a new thread or process starts
// with from its creator.
func inherit(t, src *Thread) {
	t.Sid, t.Pgid, t.Vpgid = src.Sid, src.Pgid, src.Vpgid
	t.Comm, t.Exe, t.ExePath = src.Comm, src.Exe, src.ExePath
	t.Args, t.Env, t.Root = src.Args, src.Env, src.Root
	t.UID, t.GID, t.LoginUID, t.TTY = src.UID, src.GID, src.LoginUID, src.TTY
	t.CapInheritable, t.CapPermitted, t.CapEffective = src.CapInheritable, src.CapPermitted, src.CapEffective
	t.FDLimit = src.FDLimit
	t.ExeWritable, t.ExeUpperLayer, t.ExeLowerLayer, t.ExeFromMemfd = src.ExeWritable, src.ExeUpperLayer, src.ExeLowerLayer, src.ExeFromMemfd
	t.ExeIno, t.ExeInoCtime, t.ExeInoMtime = src.ExeIno, src.ExeInoCtime, src.ExeInoMtime
	t.LastExecTS = src.LastExecTS
	t.PidnsInitStartTS = src.PidnsInitStartTS
	t.VMSize, t.VMRSS, t.VMSwap = src.VMSize, src.VMRSS, src.VMSwap
	t.Cgroups, t.ContainerID, t.ContainerRuntime = src.Cgroups, src.ContainerID, src.ContainerRuntime
	if src.invalid {
		t.Comm, t.Exe = "", ""
	}
}

// cloneParams applies what a clone exit says about the new thread (the
// child's own event) or, with child false, refines an existing entry.
func (s *State) cloneParams(t *Thread, v ev, child bool) {
	if c, ok := v.str(pComm); ok {
		t.Comm = keepOrClone(t.Comm, c)
	}
	if e, ok := v.str(pExe); ok {
		t.Exe = keepOrClone(t.Exe, e)
	}
	if l, ok := v.list(pArgs); ok {
		t.Args = copyList(l, t.Args)
	}
	// the cwd parameter is not used: a new thread or process has its
	// creator's cwd (libs ignores the parameter; current drivers leave it
	// empty)
	if n, ok := v.int(pFdlimit); ok {
		t.FDLimit = n
	}
	s.vmParams(t, v)
	if l, ok := v.list(pCgroups); ok {
		s.setCgroups(t, l)
	}
	if u, ok := v.uint(pUID); ok {
		t.UID = uint32(u)
	}
	if g, ok := v.uint(pGID); ok {
		t.GID = uint32(g)
	}
	if n, ok := v.int(pVtid); ok && n > 0 {
		t.Vtid = n
	}
	if n, ok := v.int(pVpid); ok && n > 0 {
		t.Vpid = n
	}
	if n, ok := v.uint(pPidnsInit); ok && n > 0 {
		t.PidnsInitStartTS = n
	}
	if child {
		// old events carry no virtual ids: assume the initial namespace
		if t.Vtid == 0 {
			t.Vtid = t.Tid
		}
		if t.Vpid == 0 {
			t.Vpid = t.Pid
		}
	}
}

// switchLens is the parameter lengths of a PPME_SCHEDSWITCH_6_E event
// as drivers write it (next, pgft_maj, pgft_min: 8 bytes; vm_size,
// vm_rss, vm_swap: 4), little-endian u16s.
const switchLens = "\x08\x00\x08\x00\x08\x00\x04\x00\x04\x00\x04\x00"

func (s *State) vmParams(t *Thread, v ev) {
	// Fast path: context switches are 40% of the events of a busy
	// capture, and reading their five counters by key (index table,
	// Has, Uint's switch on the width) cost ~15 ns. A switch event with
	// its usual layout (checked: type, count, lengths; Reset checked
	// the total) is read at fixed offsets, with the values the generic
	// path below reads. Measured (exit-only replay, serial): see the
	// commit message.
	if e := v.e; e.Type() == event.SchedswitchV6E && e.NumParams() == 6 {
		const h = event.HeaderSize + len(switchLens)
		if raw := e.Raw(); len(raw) == h+36 && string(raw[event.HeaderSize:h]) == switchLens {
			d := raw[h : h+36]
			t.PageFaultsMajor = binary.LittleEndian.Uint64(d[8:])
			t.PageFaultsMinor = binary.LittleEndian.Uint64(d[16:])
			t.VMSize = binary.LittleEndian.Uint32(d[24:])
			t.VMRSS = binary.LittleEndian.Uint32(d[28:])
			t.VMSwap = binary.LittleEndian.Uint32(d[32:])
			return
		}
	}
	if n, ok := v.uint(pPgftMaj); ok {
		t.PageFaultsMajor = n
	}
	if n, ok := v.uint(pPgftMin); ok {
		t.PageFaultsMinor = n
	}
	if n, ok := v.uint(pVMSize); ok {
		t.VMSize = uint32(n)
	}
	if n, ok := v.uint(pVMRSS); ok {
		t.VMRSS = uint32(n)
	}
	if n, ok := v.uint(pVMSwap); ok {
		t.VMSwap = uint32(n)
	}
}

// fillInvalid turns a placeholder into a real entry from the ids an
// execve or clone exit reports about the calling thread.
func (s *State) fillInvalid(t *Thread, v ev) {
	pid, ok := v.int(pPid)
	if !ok || pid <= 0 {
		return
	}
	ptid, _ := v.int(pPtid)
	s.unlinkChild(t)
	t.Pid, t.Ptid = pid, ptid
	t.invalid = false
	t.origin = originExec
	if t.Comm == "<NA>" {
		t.Comm = ""
	}
	if t.Exe == "<NA>" {
		t.Exe = ""
	}
	// join the process if it is known, else make the placeholder's
	// group that process
	if m := s.threads[pid]; m != nil && m != t && m.g != nil && m.g != t.g {
		old := t.g
		old.nthreads--
		s.stats.FDs -= uint64(old.fds.n)
		t.g = m.g
		t.g.nthreads++
	} else {
		t.g.pid = pid
		t.g.main = nil
		if t.Tid == pid {
			t.g.main = t
		}
	}
	if p := s.Parent(t); p != nil {
		p.children = append(p.children, t)
	}
	// virtual ids stay unknown (-1) unless the event reports them
	// (clone does, execve does not)
	if n, ok := v.int(pVtid); ok && n > 0 {
		t.Vtid = n
	}
	if n, ok := v.int(pVpid); ok && n > 0 {
		t.Vpid = n
	}
}

// onExecve applies a successful execve/execveat: the thread now runs a
// new program. Older event versions carry fewer parameters; what they
// lack keeps its previous value (or, for comm, is derived from exe).
func (s *State) onExecve(v ev) {
	res, ok := v.int(pRes)
	if !ok || res < 0 {
		return
	}
	t := s.cur
	if t == nil {
		return
	}
	if t.invalid {
		s.fillInvalid(t, v)
	}
	if e, ok := v.str(pExe); ok {
		t.Exe = keepOrClone(t.Exe, e)
	}
	if l, ok := v.list(pArgs); ok {
		t.Args = copyList(l, t.Args)
	} else {
		t.Args = nil
	}
	if c, ok := v.str(pComm); ok {
		t.Comm = keepOrClone(t.Comm, c)
	} else {
		t.Comm = keepOrClone(t.Comm, baseName(t.Exe))
	}
	// execve's cwd parameter is not used (libs ignores it; current
	// drivers leave it empty): the cwd does not change across an exec.
	if n, ok := v.int(pFdlimit); ok {
		t.FDLimit = n
	}
	s.vmParams(t, v)
	if l, ok := v.list(pCgroups); ok {
		s.setCgroups(t, l)
	}
	if l, ok := v.list(pEnv); ok {
		t.Env = copyList(l, t.Env)
	}
	if n, ok := v.uint(pTTY); ok {
		t.TTY = uint32(n)
	}
	if n, ok := v.int(pVpgid); ok && n > 0 {
		t.Vpgid = n
	}
	if n, ok := v.int(pPgid); ok && n > 0 {
		t.Pgid = n
	}
	if n, ok := v.uint(pLoginuid); ok {
		t.LoginUID = uint32(n)
	}
	if f, ok := v.uint(pFlags); ok {
		t.ExeWritable = f&ExeWritable != 0
		t.ExeUpperLayer = f&ExeUpperLayer != 0
		t.ExeLowerLayer = f&ExeLowerLayer != 0
		t.ExeFromMemfd = f&ExeFromMemfd != 0
	}
	if n, ok := v.uint(pCapInh); ok {
		t.CapInheritable = n
	}
	if n, ok := v.uint(pCapPrm); ok {
		t.CapPermitted = n
	}
	if n, ok := v.uint(pCapEff); ok {
		t.CapEffective = n
	}
	if n, ok := v.uint(pExeIno); ok {
		t.ExeIno = n
	}
	if n, ok := v.uint(pExeCtime); ok {
		t.ExeInoCtime = n
	}
	if n, ok := v.uint(pExeMtime); ok {
		t.ExeInoMtime = n
	}
	if n, ok := v.uint(pUID); ok {
		t.UID = uint32(n)
	}
	if n, ok := v.uint(pGID); ok {
		t.GID = uint32(n)
	}
	switch p, ok := v.str(pTrustedExepath); {
	case ok:
		t.ExePath = keepOrClone(t.ExePath, p)
	default:
		// older events do not report the kernel-resolved path: the
		// filename execve was given (exit or enter event) made absolute
		// against the cwd, else an absolute argv[0]
		if fn, ok := v.str(pFilename); ok && fn != "" {
			buf := AppendJoinClean(s.scratch[:0], t.CWD(), fn)
			t.ExePath = keepOrClone(t.ExePath, unsafeString(buf))
			s.scratch = buf[:0]
		} else if strings.HasPrefix(t.Exe, "/") {
			t.ExePath = t.Exe
		} else {
			t.ExePath = ""
		}
	}
	t.LastExecTS = v.e.Timestamp()

	// execve closes the close-on-exec fds
	g := t.g
	g.fds.All(func(f *FD) bool {
		if f.Flags&OpenCloexec != 0 {
			num := f.Num
			if g.fds.remove(num) {
				s.stats.RemovedFDs++
				s.stats.FDs--
			}
		}
		return true
	})
}

// onProcexit schedules the thread's removal for the next Update, so the
// procexit event itself still has its thread.
func (s *State) onProcexit(v ev) {
	t := s.cur
	if t == nil {
		return
	}
	r, _ := v.int(pReaper)
	s.pendingThread, s.pendingReaper = t, r
}

func (s *State) setCwd(t *Thread, path string) {
	g := t.g
	buf := AppendJoinClean(s.scratch[:0], g.cwd, path)
	buf = withTrailingSlash(buf)
	if string(buf) != g.cwd {
		g.cwd = string(buf)
	}
	s.scratch = buf[:0]
}

func (s *State) onChdir(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res < 0 {
		return
	}
	if p, ok := v.str(pPath); ok {
		s.setCwd(t, p)
	}
}

func (s *State) onFchdir(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res < 0 {
		return
	}
	fd, ok := v.int(pFD)
	if !ok {
		fd = t.lastFD
	}
	if f := t.FD(fd); f != nil && f.Name != "" {
		s.setCwd(t, f.Name)
	}
}

func (s *State) onChroot(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res < 0 {
		return
	}
	if p, ok := v.str(pPath); ok {
		buf := AppendJoinClean(s.scratch[:0], t.CWD(), p)
		t.Root = string(buf)
		s.scratch = buf[:0]
	}
}

func (s *State) onCreds(t *Thread, k kind, v ev) {
	if res, ok := v.int(pRes); !ok || res != 0 {
		return
	}
	get := func(key pkey) (uint32, bool) {
		n, ok := v.uint(key)
		if !ok || uint32(n) == noID {
			return 0, false
		}
		return uint32(n), true
	}
	switch k {
	case kSetuid:
		if id, ok := get(pUID); ok {
			t.UID = id
		}
	case kSetgid:
		if id, ok := get(pGID); ok {
			t.GID = id
		}
	case kSetresuid, kSetreuid:
		if id, ok := get(pEUID); ok {
			t.UID = id
		}
	case kSetresgid, kSetregid:
		if id, ok := get(pEGID); ok {
			t.GID = id
		}
	case kCapset:
		if n, ok := v.uint(pCapInh); ok {
			t.CapInheritable = n
		}
		if n, ok := v.uint(pCapPrm); ok {
			t.CapPermitted = n
		}
		if n, ok := v.uint(pCapEff); ok {
			t.CapEffective = n
		}
	}
}

// onSetsid records the new session id (the call's result: the caller's
// pid as its namespace sees it). Like libs, only the session changes: the
// process group a new session also starts is taken from the next
// clone/execve, which report it.
func (s *State) onSetsid(t *Thread, v ev) {
	res, ok := v.int(pRes)
	if !ok || res <= 0 {
		return
	}
	t.Sid = res
}

// setpgid is not followed: libs takes process groups only from the
// clone/execve events that report them (sysdig 0.29 shows the old group
// after a setpgid), and proc.vpgid/proc.pgid follow libs.

func (s *State) onPrctl(t *Thread, v ev) {
	if res, ok := v.int(pRes); !ok || res < 0 {
		return
	}
	if opt, ok := v.uint(pOption); ok && opt == prSetChildSubreaper {
		arg, _ := v.int(pArg2Int)
		t.g.reaper = arg != 0
	}
}

func (s *State) onUserEvent(k kind, v ev) {
	switch k {
	case kUserAdded, kUserDeleted:
		uid, ok := v.uint(pUID)
		if !ok {
			return
		}
		cid, _ := v.str(pContainerID)
		tab := s.containerTable(cid)
		if k == kUserDeleted {
			tab.deleteUser(uint32(uid))
			return
		}
		gid, _ := v.uint(pGID)
		name, _ := v.str(pName)
		home, _ := v.str(pHome)
		shell, _ := v.str(pShell)
		if old := tab.users[uint32(uid)]; old != nil && old.GID == uint32(gid) && old.Name == name && old.Home == home && old.Shell == shell {
			// captures repeat the user lists of every container at
			// every start (and repeated captures at every round):
			// nothing changes, nothing to copy
			return
		}
		tab.AddUser(User{UID: uint32(uid), GID: uint32(gid), Name: strings.Clone(name), Home: strings.Clone(home), Shell: strings.Clone(shell)})
	case kGroupAdded, kGroupDeleted:
		gid, ok := v.uint(pGID)
		if !ok {
			return
		}
		cid, _ := v.str(pContainerID)
		tab := s.containerTable(cid)
		if k == kGroupDeleted {
			tab.deleteGroup(uint32(gid))
			return
		}
		name, _ := v.str(pName)
		if old := tab.groups[uint32(gid)]; old != nil && old.Name == name {
			return
		}
		tab.AddGroup(Group{GID: uint32(gid), Name: strings.Clone(name)})
	}
}

// keepOrClone returns old if it equals s (no allocation), else a copy of s
// (which may alias an event buffer).
func keepOrClone(old, s string) string {
	if old == s {
		return old
	}
	return strings.Clone(s)
}

// copyList turns a NUL-separated list parameter into strings that do not
// alias the event. If it equals prev, prev is returned (clone events
// repeat the parent's argv: no allocation). Otherwise one string holds
// all the bytes and the elements are slices of it.
func copyList(l event.StringList, prev []string) []string {
	n := 0
	same := true
	for it := l; ; n++ {
		s, ok := it.Next()
		if !ok {
			break
		}
		if n >= len(prev) || prev[n] != s {
			same = false
		}
	}
	if same && n == len(prev) {
		return prev
	}
	if n == 0 {
		return nil
	}
	all := string(l)
	out := make([]string, 0, n)
	for len(all) > 0 {
		i := strings.IndexByte(all, 0)
		if i < 0 {
			out = append(out, all)
			break
		}
		out = append(out, all[:i])
		all = all[i+1:]
	}
	return out
}

// setCgroups applies a cgroups list parameter ("subsys=path" elements)
// and recomputes the container id when it changed.
func (s *State) setCgroups(t *Thread, l event.StringList) {
	n := 0
	same := true
	for it := l; ; n++ {
		e, ok := it.Next()
		if !ok {
			break
		}
		sub, path, _ := strings.Cut(e, "=")
		if n >= len(t.Cgroups) || t.Cgroups[n].Subsys != sub || t.Cgroups[n].Path != path {
			same = false
		}
	}
	if same && n == len(t.Cgroups) {
		return
	}
	out := make([]Cgroup, 0, n)
	all := string(l)
	for len(all) > 0 {
		e := all
		if i := strings.IndexByte(all, 0); i >= 0 {
			e, all = all[:i], all[i+1:]
		} else {
			all = ""
		}
		sub, path, _ := strings.Cut(e, "=")
		out = append(out, Cgroup{Subsys: sub, Path: path})
	}
	t.Cgroups = out
	t.ContainerID, t.ContainerRuntime = ContainerFromCgroups(out)
}
