package state

import (
	"slices"
	"strings"

	"github.com/sakersec/saker/receiver/scap"
)

// Capture metadata: the process list (PL), fd lists (FDL) and user list
// (UL) of a .scap file are the state at the moment the capture started.
// LoadCapture fills the tables from them (replay); Snapshot turns the
// tables back into records (saker record writes them).

// LoadCapture adds the threads, fds, users and groups of a capture's
// metadata to the state. Threads already in the table with the same tid
// are replaced.
func (s *State) LoadCapture(md *scap.Metadata) {
	groups := make(map[int64]*group)
	loaded := make([]*Thread, 0, len(md.Processes))
	for i := range md.Processes {
		p := &md.Processes[i]
		t := threadFromProcess(p)
		g := groups[p.Pid]
		if g == nil {
			g = newGroup(p.Pid)
			groups[p.Pid] = g
		}
		t.g = g
		if p.Tid == p.Pid || g.cwd == "" {
			g.cwd = cwdString(p.Cwd)
		}
		if !s.insert(t) {
			continue
		}
		loaded = append(loaded, t)
	}
	for i := range md.FDs {
		r := &md.FDs[i]
		t := s.threads[r.Tid]
		if t == nil || r.FD < 0 {
			continue
		}
		f := fdFromRecord(r, &s.intern)
		if _, replaced := t.g.fds.put(r.FD, &f); !replaced {
			s.stats.FDs++
		}
		s.stats.AddedFDs++
	}
	orientSockets(loaded)
	for _, u := range md.Users {
		s.users.AddUser(User{UID: u.UID, GID: u.GID, Name: u.Name, Home: u.HomeDir, Shell: u.Shell})
	}
	for _, g := range md.Groups {
		s.users.AddGroup(Group{GID: g.GID, Name: g.Name})
	}
	s.SetInterfaces(md.Interfaces)
	s.relink()
}

// relink rebuilds every children list from the Ptid fields (after a bulk
// load, where parents may come after their children).
func (s *State) relink() {
	for _, t := range s.threads {
		t.children = t.children[:0]
	}
	for _, t := range s.threads {
		if t.dead {
			continue
		}
		if p := s.Parent(t); p != nil {
			p.children = append(p.children, t)
		}
	}
}

// orientSockets gives the connected IPv4 sockets of a capture's fd lists
// (local end first, as /proc lists them) Falco's client->server
// orientation, as libs' fix_sockets_coming_from_proc does: a socket whose
// local port is an IPv4 port some process of the capture listens on is
// the server end, any other the client end. IPv6 sockets stay as listed.
func orientSockets(threads []*Thread) {
	ports := make(map[uint16]bool)
	seen := make(map[*group]bool)
	for _, t := range threads {
		if seen[t.g] {
			continue
		}
		seen[t.g] = true
		t.g.fds.All(func(f *FD) bool {
			if f.Type == FDIPv4ServSock {
				ports[f.SPort] = true
			}
			return true
		})
	}
	for g := range seen {
		g.fds.All(func(f *FD) bool {
			if f.Type != FDIPv4Sock || f.Role != RoleNone {
				return true
			}
			if ports[f.CPort] {
				f.CIP, f.CPort, f.SIP, f.SPort = f.SIP, f.SPort, f.CIP, f.CPort
				f.Role = RoleServer
			} else {
				f.Role = RoleClient
			}
			f.Name = tupleName(f.CIP, f.CPort, f.SIP, f.SPort)
			return true
		})
	}
}

func cwdString(cwd string) string {
	if cwd == "" {
		return ""
	}
	b := AppendJoinClean(nil, "", cwd)
	return string(withTrailingSlash(b))
}

func threadFromProcess(p *scap.Process) *Thread {
	t := &Thread{
		Tid: p.Tid, Pid: p.Pid, Ptid: p.Ptid, Sid: p.Sid, Vpgid: p.Vpgid, Pgid: p.Pgid,
		Vtid: p.Vtid, Vpid: p.Vpid,
		Comm: p.Comm, Exe: p.Exe, ExePath: p.ExePath, Args: p.Args, Env: p.Env, Root: p.Root,
		UID: p.UID, GID: p.GID, LoginUID: p.LoginUID, TTY: p.TTY,
		CapInheritable: p.CapInheritable, CapPermitted: p.CapPermitted, CapEffective: p.CapEffective,
		FDLimit: p.FDLimit, CloneFlags: p.Flags,
		ExeWritable: p.ExeWritable, ExeUpperLayer: p.ExeUpperLayer, ExeLowerLayer: p.ExeLowerLayer,
		ExeFromMemfd: p.ExeFromMemfd, ExeIno: p.ExeIno, ExeInoCtime: p.ExeInoCtime, ExeInoMtime: p.ExeInoMtime,
		PidnsInitStartTS: p.PidnsInitStartTs,
		VMSize:           p.VMSizeKB, VMRSS: p.VMRSSKB, VMSwap: p.VMSwapKB,
		PageFaultsMajor: p.PFMajor, PageFaultsMinor: p.PFMinor,
		origin: originCapture,
	}
	if t.Pgid == 0 && t.Vpgid > 0 && t.Vpid == t.Pid {
		t.Pgid = t.Vpgid
	}
	if len(p.Cgroups) > 0 {
		t.Cgroups = make([]Cgroup, len(p.Cgroups))
		for i, c := range p.Cgroups {
			sub, path, _ := strings.Cut(c, "=")
			t.Cgroups[i] = Cgroup{Subsys: sub, Path: path}
		}
	}
	t.ContainerID, t.ContainerRuntime = ContainerFromCgroups(t.Cgroups)
	return t
}

func fdFromRecord(r *scap.FD, in *interner) FD {
	f := FD{
		Type: FDType(r.Type), Ino: r.Ino, Dev: r.Dev, Flags: r.OpenFlags,
		L4Proto: L4Proto(r.L4Proto), UnixSrc: r.UnixSource, UnixDst: r.UnixDest,
	}
	switch f.Type {
	case FDIPv4Sock, FDIPv6Sock:
		f.CIP, f.CPort, f.SIP, f.SPort = r.SrcAddr, r.SrcPort, r.DstAddr, r.DstPort
		f.Name = tupleName(f.CIP, f.CPort, f.SIP, f.SPort)
		f.State = SocketConnected
	case FDIPv4ServSock, FDIPv6ServSock:
		f.SIP, f.SPort = r.SrcAddr, r.SrcPort
		f.Role = RoleServer
		f.Name = addrName(f.SIP, f.SPort)
	case FDUnixSock:
		// old capturers kept the newline of /proc/net/unix lines
		f.Name = in.str(strings.TrimRight(r.Name, "\n"))
		f.NameRaw = f.Name
	default:
		f.Name = in.str(r.Name)
		f.NameRaw = f.Name
	}
	return f
}

// SnapshotOptions tune Snapshot.
type SnapshotOptions struct {
	// ExactFDTypes keeps the fd kinds libscap added after sysdig 0.29
	// (bpf, userfaultfd, io_uring, memfd, pidfd: FDL types 17-21) as they
	// are. By default they are written as FDUnsupported with their names,
	// because sysdig 0.29 refuses a capture with an FDL type it does not
	// know; saker and current libs read either form.
	ExactFDTypes bool
}

// Snapshot returns the state as capture records: one PL entry per thread
// (dead main threads kept for their process included), one FDL entry per
// fd of each process (listed under its main thread, or its first thread
// when the main one is unknown), and the user and group tables. Threads
// and fds come in ascending tid/fd order; placeholders are left out.
func (s *State) Snapshot(opts SnapshotOptions) *scap.Metadata {
	md := &scap.Metadata{Major: 1, Minor: 2, Interfaces: append([]scap.Interface(nil), s.ifaces...)}
	tids := make([]int64, 0, len(s.threads))
	for tid, t := range s.threads {
		if !t.invalid {
			tids = append(tids, tid)
		}
	}
	slices.Sort(tids)
	owner := make(map[*group]int64)
	for _, tid := range tids {
		t := s.threads[tid]
		md.Processes = append(md.Processes, processFromThread(t))
		if o, ok := owner[t.g]; !ok || (t.Tid == t.g.pid && o != t.Tid) {
			owner[t.g] = t.Tid
		}
	}
	for _, tid := range tids {
		t := s.threads[tid]
		if owner[t.g] != tid {
			continue
		}
		start := len(md.FDs)
		t.g.fds.All(func(f *FD) bool {
			r := recordFromFD(tid, f)
			if !opts.ExactFDTypes && r.Type > scap.FDFileV2 {
				r.Type = scap.FDUnsupported
			}
			md.FDs = append(md.FDs, r)
			return true
		})
		slices.SortFunc(md.FDs[start:], func(a, b scap.FD) int { return int(a.FD - b.FD) })
	}
	s.users.AllUsers(func(u *User) bool {
		md.Users = append(md.Users, scap.User{UID: u.UID, GID: u.GID, Name: u.Name, HomeDir: u.Home, Shell: u.Shell})
		return true
	})
	slices.SortFunc(md.Users, func(a, b scap.User) int { return int(a.UID) - int(b.UID) })
	s.users.AllGroups(func(g *Group) bool {
		md.Groups = append(md.Groups, scap.Group{GID: g.GID, Name: g.Name})
		return true
	})
	slices.SortFunc(md.Groups, func(a, b scap.Group) int { return int(a.GID) - int(b.GID) })
	return md
}

// Limits of PL entry fields (libscap's SCAP_MAX_PATH_SIZE,
// SCAP_MAX_ARGS_SIZE, SCAP_MAX_ENV_SIZE, SCAP_MAX_CGROUPS_SIZE): readers
// reject longer ones ("invalid argslen").
const (
	maxRecordPath    = 1024
	maxRecordList    = 4096
	maxRecordCgroups = 4096
)

// capList keeps the leading elements of l whose NUL-terminated encoding
// fits in max bytes; the last one kept may be cut.
func capList(l []string, max int) []string {
	n := 0
	for i, e := range l {
		if n+len(e)+1 > max {
			if room := max - n - 1; room > 0 {
				out := append(l[:i:i], e[:room])
				return out
			}
			return l[:i:i]
		}
		n += len(e) + 1
	}
	return l
}

func capString(s string, max int) string {
	if len(s) >= max {
		return s[:max-1]
	}
	return s
}

func processFromThread(t *Thread) scap.Process {
	p := scap.Process{
		Tid: t.Tid, Pid: t.Pid, Ptid: t.Ptid, Sid: t.Sid, Vpgid: t.Vpgid, Pgid: t.Pgid,
		Comm: t.Comm, Exe: t.Exe, ExePath: t.ExePath, Args: t.Args, Cwd: t.CWD(),
		FDLimit: t.FDLimit, Flags: t.CloneFlags, UID: t.UID, GID: t.GID,
		VMSizeKB: t.VMSize, VMRSSKB: t.VMRSS, VMSwapKB: t.VMSwap,
		PFMajor: t.PageFaultsMajor, PFMinor: t.PageFaultsMinor,
		Env: t.Env, Vtid: t.Vtid, Vpid: t.Vpid, Root: t.Root,
		PidnsInitStartTs: t.PidnsInitStartTS, TTY: t.TTY, LoginUID: t.LoginUID,
		ExeWritable: t.ExeWritable, CapInheritable: t.CapInheritable, CapPermitted: t.CapPermitted,
		CapEffective: t.CapEffective, ExeUpperLayer: t.ExeUpperLayer, ExeIno: t.ExeIno,
		ExeInoCtime: t.ExeInoCtime, ExeInoMtime: t.ExeInoMtime, ExeFromMemfd: t.ExeFromMemfd,
		ExeLowerLayer: t.ExeLowerLayer,
	}
	if len(t.Cgroups) > 0 {
		p.Cgroups = make([]string, len(t.Cgroups))
		for i, c := range t.Cgroups {
			p.Cgroups[i] = c.Subsys + "=" + c.Path
		}
	}
	p.Exe = capString(p.Exe, maxRecordPath)
	p.ExePath = capString(p.ExePath, maxRecordPath)
	p.Cwd = capString(p.Cwd, maxRecordPath)
	p.Root = capString(p.Root, maxRecordPath)
	p.Args = capList(p.Args, maxRecordList)
	p.Env = capList(p.Env, maxRecordList)
	p.Cgroups = capList(p.Cgroups, maxRecordCgroups)
	return p
}

func recordFromFD(tid int64, f *FD) scap.FD {
	r := scap.FD{
		Tid: tid, FD: f.Num, Ino: f.Ino, Type: scap.FDType(f.Type), Name: f.Name,
		OpenFlags: f.Flags, Dev: f.Dev, L4Proto: uint8(f.L4Proto),
		UnixSource: f.UnixSrc, UnixDest: f.UnixDst,
	}
	switch f.Type {
	case FDIPv4Sock, FDIPv6Sock:
		r.Name = ""
		r.SrcAddr, r.SrcPort, r.DstAddr, r.DstPort = f.CIP, f.CPort, f.SIP, f.SPort
		if !r.SrcAddr.IsValid() || !r.DstAddr.IsValid() {
			zero := zeroAddr(f.Type == FDIPv6Sock)
			if !r.SrcAddr.IsValid() {
				r.SrcAddr = zero
			}
			if !r.DstAddr.IsValid() {
				r.DstAddr = zero
			}
		}
	case FDIPv4ServSock, FDIPv6ServSock:
		r.Name = ""
		r.SrcAddr, r.SrcPort = f.SIP, f.SPort
		if !r.SrcAddr.IsValid() {
			r.SrcAddr = zeroAddr(f.Type == FDIPv6ServSock)
		}
	}
	return r
}
