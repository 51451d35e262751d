package state

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Live bootstrap: every process and thread under /proc, their fds, and the
// sockets behind those fds (from the /proc/<pid>/net tables of each
// network namespace), read once when saker starts; afterwards events keep
// the state. Unknown threads met later are read the same way, one at a
// time (Config.ProcFS).

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat start times (100 on
// every Linux architecture saker runs on).
const clockTicks = 100

// maxProcFile bounds what is read from one /proc file (cmdline/environ
// can be large; libs caps args and env at a few pages too).
const maxProcFile = 256 << 10

// LoadProc loads every thread under procfs ("/proc") with its process's
// fds, and, when no interface list is set yet, this machine's interfaces
// (LoadInterfaces). Processes that exit while they are read are skipped;
// an unreadable procfs is an error.
func (s *State) LoadProc(procfs string) error {
	d, err := os.Open(procfs)
	if err != nil {
		return fmt.Errorf("state: reading processes: %w", err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return fmt.Errorf("state: reading processes: %w", err)
	}
	sc := newProcScanner(procfs)
	for _, n := range names {
		pid, err := strconv.ParseInt(n, 10, 64)
		if err != nil || pid <= 0 {
			continue
		}
		s.loadProcProcess(sc, pid)
	}
	s.relink()
	if len(s.ifaces) == 0 {
		// live: the machine's own addresses (fd.is_server, fd.lip, ...)
		_ = s.LoadInterfaces()
	}
	return nil
}

// loadProcProcess loads all threads of process pid and its fds.
func (s *State) loadProcProcess(sc *procScanner, pid int64) {
	pdir := filepath.Join(sc.procfs, strconv.FormatInt(pid, 10))
	tasks, err := readDirNames(filepath.Join(pdir, "task"))
	if err != nil {
		return
	}
	proc, err := sc.readProcess(pid)
	if err != nil {
		return
	}
	g := newGroup(pid)
	g.cwd = proc.cwd
	sc.readFDs(pid, g.fds, &s.intern)
	for _, tn := range tasks {
		tid, err := strconv.ParseInt(tn, 10, 64)
		if err != nil {
			continue
		}
		t, err := sc.readThread(proc, pid, tid)
		if err != nil {
			continue
		}
		t.g = g
		s.insert(t)
	}
	s.stats.AddedFDs += uint64(g.fds.n)
}

// loadProcThread reads one unknown thread from /proc (live mode), joining
// its process if that is known, else loading the process's fds too.
func (s *State) loadProcThread(tid int64) *Thread {
	sc := newProcScanner(s.cfg.ProcFS)
	st, err := readFileBounded(filepath.Join(sc.procfs, strconv.FormatInt(tid, 10), "status"))
	if err != nil {
		return nil
	}
	pid := statusInt(st, "Tgid:")
	if pid <= 0 {
		return nil
	}
	proc, err := sc.readProcess(pid)
	if err != nil {
		return nil
	}
	t, err := sc.readThread(proc, pid, tid)
	if err != nil {
		return nil
	}
	if m := s.threads[pid]; m != nil && m.g != nil && m.g.pid == pid && !m.invalid {
		t.g = m.g
	} else {
		t.g = newGroup(pid)
		t.g.cwd = proc.cwd
		sc.readFDs(pid, t.g.fds, &s.intern)
		s.stats.AddedFDs += uint64(t.g.fds.n)
	}
	if !s.insert(t) {
		return nil
	}
	return t
}

// procAlive reports whether t still exists in procfs.
func (s *State) procAlive(t *Thread) bool {
	if t.Pid <= 0 {
		return false
	}
	_, err := os.Stat(filepath.Join(s.cfg.ProcFS, strconv.FormatInt(t.Pid, 10), "task", strconv.FormatInt(t.Tid, 10)))
	return err == nil
}

// procScanner reads /proc; it caches the socket tables per network
// namespace and the boot time.
type procScanner struct {
	procfs  string
	boot    uint64                    // ns since epoch
	sockets map[string]map[uint64]*FD // netns link -> socket inode -> fd template
}

func newProcScanner(procfs string) *procScanner {
	return &procScanner{procfs: procfs, boot: bootTime(), sockets: make(map[string]map[uint64]*FD)}
}

// bootTime returns the boot time in ns since the epoch.
func bootTime() uint64 {
	var bt unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt); err != nil {
		return 0
	}
	return uint64(time.Now().UnixNano()) - uint64(bt.Nano())
}

// procInfo is what the threads of one process share in /proc.
type procInfo struct {
	exe      string
	args     []string
	env      []string
	exepath  string
	cwd      string
	root     string
	cgroups  []Cgroup
	loginuid uint32
	fdlimit  int64
	exeIno   uint64
	exeCtime uint64
	exeMtime uint64
	exeStat  *syscall.Stat_t
	memfd    bool
	pidns    uint64
	cid, crt string
}

func (sc *procScanner) readProcess(pid int64) (*procInfo, error) {
	pdir := filepath.Join(sc.procfs, strconv.FormatInt(pid, 10))
	p := &procInfo{loginuid: noID}
	cmdline, err := readFileBounded(filepath.Join(pdir, "cmdline"))
	if err != nil {
		return nil, err
	}
	if len(cmdline) > 0 {
		all := splitNul(cmdline)
		p.exe = all[0]
		if len(all) > 1 {
			p.args = all[1:]
		}
	}
	if env, err := readFileBounded(filepath.Join(pdir, "environ")); err == nil && len(env) > 0 {
		p.env = splitNul(env)
	}
	if l, err := os.Readlink(filepath.Join(pdir, "exe")); err == nil {
		p.exepath = l
		p.memfd = strings.HasPrefix(l, "/memfd:")
	}
	if l, err := os.Readlink(filepath.Join(pdir, "cwd")); err == nil {
		p.cwd = cwdString(l)
	}
	if l, err := os.Readlink(filepath.Join(pdir, "root")); err == nil {
		p.root = l
	}
	if cg, err := readFileBounded(filepath.Join(pdir, "cgroup")); err == nil {
		p.cgroups = parseProcCgroup(cg)
	}
	p.cid, p.crt = ContainerFromCgroups(p.cgroups)
	if b, err := readFileBounded(filepath.Join(pdir, "loginuid")); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32); err == nil {
			p.loginuid = uint32(n)
		}
	}
	if b, err := readFileBounded(filepath.Join(pdir, "limits")); err == nil {
		p.fdlimit = parseLimitsNofile(b)
	}
	if fi, err := os.Stat(filepath.Join(pdir, "exe")); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			p.exeStat = st
			p.exeIno = st.Ino
			p.exeCtime = uint64(st.Ctim.Nano())
			p.exeMtime = uint64(st.Mtim.Nano())
		}
	}
	// start of the pid namespace's init, as libscap takes it
	if fi, err := os.Stat(filepath.Join(pdir, "root", "proc", "1", "cmdline")); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			p.pidns = uint64(st.Ctim.Nano())
		}
	}
	return p, nil
}

func (sc *procScanner) readThread(p *procInfo, pid, tid int64) (*Thread, error) {
	tdir := filepath.Join(sc.procfs, strconv.FormatInt(pid, 10), "task", strconv.FormatInt(tid, 10))
	stat, err := readFileBounded(filepath.Join(tdir, "stat"))
	if err != nil {
		return nil, err
	}
	status, err := readFileBounded(filepath.Join(tdir, "status"))
	if err != nil {
		return nil, err
	}
	comm, fields, err := parseStat(stat)
	if err != nil {
		return nil, err
	}
	t := &Thread{
		Tid: tid, Pid: pid, Comm: comm,
		Exe: p.exe, ExePath: p.exepath, Args: p.args, Env: p.env, Root: p.root,
		LoginUID: p.loginuid, FDLimit: p.fdlimit,
		ExeIno: p.exeIno, ExeInoCtime: p.exeCtime, ExeInoMtime: p.exeMtime, ExeFromMemfd: p.memfd,
		PidnsInitStartTS: p.pidns, Cgroups: p.cgroups, ContainerID: p.cid, ContainerRuntime: p.crt,
		origin: originProc,
	}
	if t.Exe == "" {
		t.Exe = comm // kernel threads have no command line
	}
	// stat fields after the comm (proc(5) field n is index n-3): 1 ppid,
	// 2 pgrp, 3 session, 4 tty_nr, 7 minflt, 9 majflt, 19 starttime
	t.Ptid = fieldInt(fields, 1)
	t.Pgid = fieldInt(fields, 2)
	t.Sid = fieldInt(fields, 3)
	t.TTY = uint32(fieldInt(fields, 4))
	t.PageFaultsMinor = uint64(fieldInt(fields, 7))
	t.PageFaultsMajor = uint64(fieldInt(fields, 9))
	if start := fieldInt(fields, 19); start > 0 && sc.boot > 0 {
		t.CloneTS = sc.boot + uint64(start)*uint64(time.Second/clockTicks)
	}
	if pp := statusInt(status, "PPid:"); pp >= 0 {
		t.Ptid = pp
	}
	t.UID = uint32(statusField(status, "Uid:", 1, int64(noID)))
	t.GID = uint32(statusField(status, "Gid:", 1, int64(noID)))
	t.Vpid = statusLast(status, "NStgid:", pid)
	t.Vtid = statusLast(status, "NSpid:", tid)
	t.Vpgid = statusLast(status, "NSpgid:", t.Pgid)
	t.CapInheritable = statusHex(status, "CapInh:")
	t.CapPermitted = statusHex(status, "CapPrm:")
	t.CapEffective = statusHex(status, "CapEff:")
	t.VMSize = uint32(statusInt(status, "VmSize:"))
	t.VMRSS = uint32(statusInt(status, "VmRSS:"))
	t.VMSwap = uint32(statusInt(status, "VmSwap:"))
	if p.exeStat != nil {
		t.ExeWritable = writableBy(p.exeStat, t.UID, t.GID)
	}
	if t.ContainerID == "" {
		t.ContainerID = hostID
	}
	return t, nil
}

// writableBy approximates the kernel's write permission check on the
// executable for the thread's credentials (root may write anything).
func writableBy(st *syscall.Stat_t, uid, gid uint32) bool {
	switch {
	case uid == 0:
		return true
	case st.Uid == uid:
		return st.Mode&0o200 != 0
	case st.Gid == gid:
		return st.Mode&0o020 != 0
	}
	return st.Mode&0o002 != 0
}

// parseStat splits /proc/<pid>/stat: the comm between the first '(' and
// the last ')', then the space-separated fields after it.
func parseStat(b []byte) (string, [][]byte, error) {
	i := bytes.IndexByte(b, '(')
	j := bytes.LastIndexByte(b, ')')
	if i < 0 || j < i {
		return "", nil, errors.New("malformed stat")
	}
	return string(b[i+1 : j]), bytes.Fields(b[j+1:]), nil
}

func fieldInt(f [][]byte, i int) int64 {
	if i >= len(f) {
		return 0
	}
	n, _ := strconv.ParseInt(string(f[i]), 10, 64)
	return n
}

func statusLine(st []byte, key string) []byte {
	for len(st) > 0 {
		line := st
		if i := bytes.IndexByte(st, '\n'); i >= 0 {
			line, st = st[:i], st[i+1:]
		} else {
			st = nil
		}
		if bytes.HasPrefix(line, []byte(key)) {
			return line[len(key):]
		}
	}
	return nil
}

func statusInt(st []byte, key string) int64 {
	return statusField(st, key, 0, -1)
}

func statusField(st []byte, key string, i int, def int64) int64 {
	f := bytes.Fields(statusLine(st, key))
	if i >= len(f) {
		return def
	}
	n, err := strconv.ParseInt(string(f[i]), 10, 64)
	if err != nil {
		return def
	}
	return n
}

func statusLast(st []byte, key string, def int64) int64 {
	f := bytes.Fields(statusLine(st, key))
	if len(f) == 0 {
		return def
	}
	n, err := strconv.ParseInt(string(f[len(f)-1]), 10, 64)
	if err != nil {
		return def
	}
	return n
}

func statusHex(st []byte, key string) uint64 {
	f := bytes.Fields(statusLine(st, key))
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseUint(string(f[0]), 16, 64)
	return n
}

// parseProcCgroup parses /proc/<pid>/cgroup lines "id:controllers:path";
// v1 controller lists ("cpu,cpuacct") become one entry per controller,
// the v2 line ("0::/path") an entry with an empty subsystem.
func parseProcCgroup(b []byte) []Cgroup {
	var out []Cgroup
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out = append(out, Cgroup{Path: parts[2]})
			continue
		}
		for _, sub := range strings.Split(parts[1], ",") {
			out = append(out, Cgroup{Subsys: strings.TrimPrefix(sub, "name="), Path: parts[2]})
		}
	}
	return out
}

// parseLimitsNofile returns the soft "Max open files" limit.
func parseLimitsNofile(b []byte) int64 {
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if f[0] == "unlimited" {
					return -1
				}
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

func splitNul(b []byte) []string {
	s := string(bytes.TrimRight(b, "\x00"))
	return strings.Split(s, "\x00")
}

func readDirNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

// readFileBounded reads at most maxProcFile bytes of a file.
func readFileBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 0, 4096)
	for len(buf) < maxProcFile {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):min(cap(buf), maxProcFile)])
		buf = buf[:len(buf)+n]
		if err != nil || n == 0 {
			break
		}
	}
	return buf, nil
}

// readFDs loads /proc/<pid>/fd into tab.
func (sc *procScanner) readFDs(pid int64, tab *FDTable, in *interner) {
	pdir := filepath.Join(sc.procfs, strconv.FormatInt(pid, 10))
	names, err := readDirNames(filepath.Join(pdir, "fd"))
	if err != nil {
		return
	}
	var socks map[uint64]*FD
	for _, n := range names {
		num, err := strconv.ParseInt(n, 10, 64)
		if err != nil || num < 0 {
			continue
		}
		link, err := os.Readlink(filepath.Join(pdir, "fd", n))
		if err != nil {
			continue
		}
		f := FD{Type: FDUnknown}
		flags, mnt := readFDInfo(filepath.Join(pdir, "fdinfo", n))
		f.Flags, f.MountID = flags, mnt
		switch {
		case strings.HasPrefix(link, "socket:["):
			ino := bracketNum(link)
			if socks == nil {
				socks = sc.socketsOf(pid)
			}
			if tpl := socks[ino]; tpl != nil {
				flags := f.Flags
				f = *tpl
				f.Flags = flags
			} else {
				f.Type = FDUnknown
				f.Name = in.str(link)
			}
			f.Ino = ino
		case strings.HasPrefix(link, "pipe:["):
			f.Type = FDFifo
			f.Ino = bracketNum(link)
			f.Name = in.str(link)
		case strings.HasPrefix(link, "anon_inode:"):
			f.Type = anonInodeType(link[len("anon_inode:"):])
			f.Name = in.str(link)
		case strings.HasPrefix(link, "/memfd:"):
			f.Type = FDMemfd
			name := strings.TrimSuffix(link[1:], " (deleted)")
			f.Name = in.str(name)
		case strings.HasPrefix(link, "/"):
			f.Type = FDFileV2
			f.Name = in.str(link)
			if fi, err := os.Stat(filepath.Join(pdir, "fd", n)); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok {
					f.Ino = st.Ino
					f.Dev = uint32(st.Dev)
					if st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
						f.Type = FDDirectory
					}
				}
			}
		default:
			f.Name = in.str(link)
		}
		f.NameRaw = f.Name
		tab.put(num, &f)
	}
}

// readFDInfo returns the PPM_O_* flags and mount id of an fd.
func readFDInfo(path string) (uint32, uint32) {
	b, err := readFileBounded(path)
	if err != nil {
		return 0, 0
	}
	var flags, mnt uint64
	if f := bytes.Fields(statusLine(b, "flags:")); len(f) > 0 {
		flags, _ = strconv.ParseUint(string(f[0]), 8, 64)
	}
	if f := bytes.Fields(statusLine(b, "mnt_id:")); len(f) > 0 {
		mnt, _ = strconv.ParseUint(string(f[0]), 10, 32)
	}
	return openFlagsFromLinux(flags), uint32(mnt)
}

// openFlagsFromLinux converts x86-64 O_* bits to PPM_O_* flags.
func openFlagsFromLinux(fl uint64) uint32 {
	var f uint32
	switch fl & 0o3 {
	case 0:
		f |= OpenRdonly
	case 1:
		f |= OpenWronly
	case 2:
		f |= OpenRdwr
	}
	conv := [...]struct {
		linux uint64
		ppm   uint32
	}{
		{0o100, OpenCreat}, {0o200, OpenExcl}, {0o1000, OpenTrunc}, {0o2000, OpenAppend},
		{0o4000, OpenNonblock}, {0o10000, OpenDsync}, {0o40000, OpenDirect},
		{0o100000, OpenLargefile}, {0o200000, OpenDirectory}, {0o2000000, OpenCloexec},
		{0o4000000, OpenSync}, {0o20000000, OpenTmpfile},
	}
	for _, c := range conv {
		if fl&c.linux != 0 {
			f |= c.ppm
		}
	}
	return f
}

func anonInodeType(kind string) FDType {
	switch strings.Trim(kind, "[]") {
	case "eventfd":
		return FDEvent
	case "signalfd":
		return FDSignalfd
	case "eventpoll":
		return FDEventpoll
	case "inotify":
		return FDInotify
	case "timerfd":
		return FDTimerfd
	case "userfaultfd":
		return FDUserfaultfd
	case "io_uring":
		return FDIOUring
	case "pidfd":
		return FDPidfd
	}
	if strings.HasPrefix(kind, "bpf") {
		return FDBPF
	}
	return FDUnsupported
}

func bracketNum(link string) uint64 {
	i := strings.IndexByte(link, '[')
	j := strings.LastIndexByte(link, ']')
	if i < 0 || j <= i {
		return 0
	}
	n, _ := strconv.ParseUint(link[i+1:j], 10, 64)
	return n
}

// socketsOf returns the socket table of pid's network namespace, reading
// /proc/<pid>/net/* the first time the namespace is met.
func (sc *procScanner) socketsOf(pid int64) map[uint64]*FD {
	pdir := filepath.Join(sc.procfs, strconv.FormatInt(pid, 10))
	ns, err := os.Readlink(filepath.Join(pdir, "ns", "net"))
	if err != nil {
		ns = "pid:" + strconv.FormatInt(pid, 10)
	}
	if m, ok := sc.sockets[ns]; ok {
		return m
	}
	m := make(map[uint64]*FD)
	net := filepath.Join(pdir, "net")
	for _, tab := range [...]struct {
		file string
		v6   bool
		l4   L4Proto
	}{
		{"tcp", false, L4TCP}, {"tcp6", true, L4TCP}, {"udp", false, L4UDP}, {"udp6", true, L4UDP},
		{"raw", false, L4Raw}, {"raw6", true, L4Raw}, {"icmp", false, L4ICMP}, {"icmp6", true, L4ICMP},
	} {
		if b, err := readFileBounded(filepath.Join(net, tab.file)); err == nil {
			parseInetSockets(b, tab.v6, tab.l4, m)
		}
	}
	if b, err := readFileBounded(filepath.Join(net, "unix")); err == nil {
		parseUnixSockets(b, m)
	}
	if b, err := readFileBounded(filepath.Join(net, "netlink")); err == nil {
		parseNetlinkSockets(b, m)
	}
	sc.sockets[ns] = m
	return m
}

// parseInetSockets parses a /proc/net/{tcp,udp,raw}[6] table into fd
// templates keyed by socket inode. A socket with no remote end is a server
// socket; a TCP connection whose local port is one the table listens on is
// the accepted (server) end, otherwise the client end.
func parseInetSockets(b []byte, v6 bool, l4 L4Proto, out map[uint64]*FD) {
	type row struct {
		lip, rip     netip.Addr
		lport, rport uint16
		ino          uint64
	}
	var rows []row
	listening := make(map[uint16]bool)
	lines := bytes.Split(b, []byte("\n"))
	for _, line := range lines[min(1, len(lines)):] {
		f := bytes.Fields(line)
		if len(f) < 10 {
			continue
		}
		lip, lport, ok1 := parseHexAddr(string(f[1]), v6)
		rip, rport, ok2 := parseHexAddr(string(f[2]), v6)
		ino, err := strconv.ParseUint(string(f[9]), 10, 64)
		if !ok1 || !ok2 || err != nil || ino == 0 {
			continue
		}
		if rport == 0 && rip.IsUnspecified() {
			listening[lport] = true
		}
		rows = append(rows, row{lip, rip, lport, rport, ino})
	}
	for _, r := range rows {
		f := &FD{L4Proto: l4, Ino: r.ino}
		lip, rip := r.lip, r.rip
		if v6 {
			if l, rr, ok := unmapMappedPair(lip, rip); ok {
				lip, rip = l, rr
			}
		}
		is4 := lip.Is4()
		if r.rport == 0 && r.rip.IsUnspecified() {
			f.Type = FDIPv6ServSock
			if is4 {
				f.Type = FDIPv4ServSock
			}
			f.Role = RoleServer
			f.SIP, f.SPort = lip, r.lport
			f.Name = addrName(lip, r.lport)
		} else {
			f.Type = FDIPv6Sock
			if is4 {
				f.Type = FDIPv4Sock
			}
			f.State = SocketConnected
			if l4 == L4TCP && listening[r.lport] {
				f.Role = RoleServer
				f.CIP, f.CPort, f.SIP, f.SPort = rip, r.rport, lip, r.lport
			} else {
				f.Role = RoleClient
				f.CIP, f.CPort, f.SIP, f.SPort = lip, r.lport, rip, r.rport
			}
			f.Name = tupleName(f.CIP, f.CPort, f.SIP, f.SPort)
		}
		out[r.ino] = f
	}
}

// parseHexAddr parses "0100007F:1F90" (IPv4) or 32 hex digits + port
// (IPv6). The address words are in host (little-endian) byte order.
func parseHexAddr(s string, v6 bool) (netip.Addr, uint16, bool) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	if !v6 {
		if len(a) != 8 {
			return netip.Addr{}, 0, false
		}
		w, err := strconv.ParseUint(a, 16, 32)
		if err != nil {
			return netip.Addr{}, 0, false
		}
		return netip.AddrFrom4([4]byte{byte(w), byte(w >> 8), byte(w >> 16), byte(w >> 24)}), uint16(port), true
	}
	if len(a) != 32 {
		return netip.Addr{}, 0, false
	}
	var ip [16]byte
	for i := 0; i < 4; i++ {
		w, err := strconv.ParseUint(a[8*i:8*i+8], 16, 32)
		if err != nil {
			return netip.Addr{}, 0, false
		}
		ip[4*i], ip[4*i+1], ip[4*i+2], ip[4*i+3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	}
	return netip.AddrFrom16(ip), uint16(port), true
}

// parseUnixSockets parses /proc/net/unix: "Num RefCount Protocol Flags
// Type St Inode [Path]"; Num is the kernel socket address.
func parseUnixSockets(b []byte, out map[uint64]*FD) {
	lines := bytes.Split(b, []byte("\n"))
	for _, line := range lines[min(1, len(lines)):] {
		f := bytes.Fields(line)
		if len(f) < 7 {
			continue
		}
		addr, _ := strconv.ParseUint(strings.TrimSuffix(string(f[0]), ":"), 16, 64)
		ino, err := strconv.ParseUint(string(f[6]), 10, 64)
		if err != nil || ino == 0 {
			continue
		}
		fd := &FD{Type: FDUnixSock, UnixSrc: addr, Ino: ino}
		if len(f) > 7 {
			fd.Name = string(f[7])
		}
		out[ino] = fd
	}
}

// parseNetlinkSockets parses /proc/net/netlink ("sk Eth Pid Groups Rmem
// Wmem Dump Locks Drops Inode").
func parseNetlinkSockets(b []byte, out map[uint64]*FD) {
	lines := bytes.Split(b, []byte("\n"))
	for _, line := range lines[min(1, len(lines)):] {
		f := bytes.Fields(line)
		if len(f) < 10 {
			continue
		}
		ino, err := strconv.ParseUint(string(f[9]), 10, 64)
		if err != nil || ino == 0 {
			continue
		}
		out[ino] = &FD{Type: FDNetlink, Ino: ino}
	}
}

// unmapMappedPair turns a /proc/net/*6 connection whose ends are both
// IPv4-mapped into an IPv4 one. Unlike an event's tuple (event.IPv4Pair),
// an unspecified end does not count: a listener on [::] stays IPv6.
func unmapMappedPair(a, b netip.Addr) (netip.Addr, netip.Addr, bool) {
	if a.Is4In6() && b.Is4In6() {
		return a.Unmap(), b.Unmap(), true
	}
	return a, b, false
}
