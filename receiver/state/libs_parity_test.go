package state

import (
	"fmt"
	"github.com/sakersec/saker/receiver/scap"
	"net/netip"
	"slices"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

// Tests of state decisions that follow libs where the kernel's view
// differs, each checked against sysdig 0.29 on a capture the test builds
// (the same bytes saker replays).

// compareSysdig replays tr through saker and sysdig and requires, for
// every event, the same rendering of the fields: render gives saker's
// value for each field of format (sysdig's -p syntax, fields separated by
// '|', starting with %evt.num).
func compareSysdig(t *testing.T, tr *trace, format string, render func(s *State, e *event.Event) string) []string {
	t.Helper()
	return compareSysdigWhere(t, tr, format, false, render)
}

// compareSysdigWhere is compareSysdig on exit events only if exits is set.
func compareSysdigWhere(t *testing.T, tr *trace, format string, exits bool, render func(s *State, e *event.Event) string) []string {
	t.Helper()
	path := tr.write()
	var filter []string
	if exits {
		filter = []string{"evt.dir = <"}
	}
	want := sysdigLines(t, path, format, filter...)
	var got []string
	tr.replay(path, func(num int, s *State, e *event.Event) {
		if exits && e.Dir() != event.Exit {
			return
		}
		got = append(got, fmt.Sprintf("%d|%s", num, render(s, e)))
	})
	if !slices.Equal(got, want) {
		t.Fatalf("saker and sysdig 0.29 differ (%s):\nsaker:\n%s\nsysdig:\n%s", format, join(got), join(want))
	}
	return got
}

func join(l []string) string {
	var b []byte
	for _, s := range l {
		b = append(b, "  "...)
		b = append(b, s...)
		b = append(b, '\n')
	}
	return string(b)
}

// setsid sets the session only and setpgid changes nothing: libs takes
// process groups from clone/execve (which report them), and so does saker.
func TestSetsidSetpgidFollowLibs(t *testing.T) {
	tr := newTrace(t)
	p := tr.proc(100, 1, "bash")
	p.Sid, p.Pgid, p.Vpgid = 1, 1, 1
	w := tr.proc(200, 100, "worker")
	w.Sid, w.Pgid, w.Vpgid = 1, 100, 100
	tr.add(event.SyscallSetsidE, 100, P{})
	tr.add(event.SyscallSetsidX, 100, P{"res": 100})
	tr.add(event.SyscallSetpgidE, 100, P{"pid": 200, "pgid": 0})
	tr.add(event.SyscallSetpgidX, 100, P{"res": 0})
	tr.add(event.SyscallSetpgidE, 200, P{"pid": 0, "pgid": 0})
	tr.add(event.SyscallSetpgidX, 200, P{"res": 0})
	tr.add(event.SyscallSetsidE, 200, P{})
	tr.add(event.SyscallSetsidX, 200, P{"res": 200})
	got := compareSysdig(t, tr, "%evt.num|%thread.tid|%proc.sid|%proc.vpgid", func(s *State, _ *event.Event) string {
		th := s.EventThread()
		return fmt.Sprintf("%d|%d|%d", th.Tid, th.Sid, th.Vpgid)
	})
	// the last events: 200's session changed, its group did not
	if last := got[len(got)-1]; last != "8|200|200|100" {
		t.Fatalf("last event %q", last)
	}
	if got[1] != "2|100|100|1" {
		t.Fatalf("setsid of 100: %q", got[1])
	}
}

// An old exit event without parameters takes its fd from the thread's
// last enter event — but every enter event resets it, as libs' parser
// does: an old getsockopt (enter and exit without parameters) after a
// read of fd 4 has no fd, not fd 4.
func TestOldExitWithoutFDAfterParameterlessEnter(t *testing.T) {
	tr := newTrace(t)
	tr.proc(100, 1, "curl")
	tr.md.FDs = append(tr.md.FDs,
		scap.FD{Tid: 100, FD: 3, Type: scap.FDFileV2, Name: "/etc/hosts"},
		scap.FD{Tid: 100, FD: 4, Type: scap.FDIPv4Sock, SrcAddr: netip.MustParseAddr("10.0.0.1"), SrcPort: 40000,
			DstAddr: netip.MustParseAddr("10.0.0.2"), DstPort: 80, L4Proto: uint8(L4TCP)})
	tr.add(event.SyscallReadE, 100, P{"fd": 4, "size": 10})
	tr.addFirst(event.SyscallReadX, 100, 2, P{"res": 0, "data": []byte{}})
	tr.addFirst(event.SocketGetsockoptE, 100, 0, nil)
	tr.addFirst(event.SocketGetsockoptX, 100, 0, nil)
	// an enter with the fd, then the old exit without it: the enter's fd
	// (a context switch in between, an enter event of no syscall, does
	// not reset it)
	tr.add(event.SyscallReadE, 100, P{"fd": 3, "size": 10})
	tr.add(event.SchedswitchV6E, 100, P{"next": 0, "pgft_maj": 0, "pgft_min": 0, "vm_size": 0, "vm_rss": 0, "vm_swap": 0})
	tr.addFirst(event.SyscallReadX, 100, 2, P{"res": 0, "data": []byte{}})
	got := compareSysdig(t, tr, "*%evt.num|%fd.num|%fd.name", func(s *State, e *event.Event) string {
		f, num := s.EventFD()
		if num < 0 {
			if e.Dir() == event.Exit {
				return "-1|" // libs' fd -1: an fd event without an fd
			}
			return "<NA>|<NA>"
		}
		name := "<NA>"
		if f != nil {
			name = f.Name
		}
		return fmt.Sprintf("%d|%s", num, name)
	})
	if got[3] != "4|-1|" || got[6] != "7|3|/etc/hosts" {
		t.Fatalf("getsockopt exit %q, read exit %q", got[3], got[5])
	}
}

// A process inside a child pid namespace clones: the parent's clone exit
// returns the namespaced id (6), which must not become a thread — a host
// thread 6 stays unknown — and the child's own event creates the child
// under its host id with its virtual ids. Old drivers did not flag such
// callers (PPM_CL_CHILD_IN_PIDNS): their vtid/vpid tell.
func TestCloneInsidePidNamespace(t *testing.T) {
	for _, flagged := range []bool{false, true} {
		t.Run(fmt.Sprint("flagged=", flagged), func(t *testing.T) {
			tr := newTrace(t)
			tr.proc(100, 1, "containerd-shim")
			cg := []string{"cpuset=/docker/" + id64}
			sh := tr.proc(200, 100, "bash")
			sh.Vtid, sh.Vpid, sh.Cgroups = 1, 1, cg
			flags := uint32(0)
			if flagged {
				flags = CloneChildInPidns
			}
			clone := func(tid, res, pid, ptid, vtid, vpid int64) P {
				return P{"res": res, "exe": "/bin/bash", "args": []string{}, "tid": tid, "pid": pid, "ptid": ptid,
					"cwd": "", "fdlimit": 1024, "pgft_maj": 0, "pgft_min": 0, "vm_size": 0, "vm_rss": 0, "vm_swap": 0,
					"comm": "bash", "cgroups": cg, "flags": flags, "uid": 0, "gid": 0, "vtid": vtid, "vpid": vpid}
			}
			tr.add(event.SyscallCloneV20E, 200, P{})
			tr.addFirst(event.SyscallCloneV20X, 200, 20, clone(200, 6, 200, 100, 1, 1))
			// a host thread whose id is the namespaced one
			tr.add(event.SyscallCloseE, 6, P{"fd": 9})
			tr.add(event.SyscallCloseX, 6, P{"res": -9})
			tr.addFirst(event.SyscallCloneV20X, 300, 20, clone(300, 0, 300, 200, 6, 6))
			tr.add(event.SyscallCloseE, 300, P{"fd": 9})
			got := compareSysdig(t, tr, "*%evt.num|%thread.tid|%proc.name|%proc.pid|%proc.ppid|%thread.vtid|%proc.vpid|%container.id", func(s *State, e *event.Event) string {
				th := s.EventThread()
				if th == nil {
					return "<NA>|<NA>|<NA>|<NA>|<NA>|<NA>|<NA>"
				}
				id := func(n int64) string {
					if n < 0 {
						return "<NA>" // unknown
					}
					return fmt.Sprint(n)
				}
				return fmt.Sprintf("%d|%s|%d|%d|%s|%s|%s", th.Tid, th.Comm, th.Pid, th.Main().Ptid, id(th.Vtid), id(th.Vpid), th.ContainerID)
			})
			if got[5] != "6|300|bash|300|200|6|6|"+id64[:12] {
				t.Fatalf("child: %q", got[5])
			}
		})
	}
}

// A non-blocking connect (EINPROGRESS) is connected at once, as libs
// counts it without connection tracking (Falco's setting); a refused
// connect is not; a failing connect on a connected socket (EALREADY)
// leaves it connected.
func TestConnectInProgressIsConnected(t *testing.T) {
	tr := newTrace(t)
	tr.proc(100, 1, "curl")
	sock := func(fd int64) {
		tr.add(event.SocketSocketE, 100, P{"domain": afInet, "type": sockStream | sockNonblock, "proto": 0})
		tr.add(event.SocketSocketX, 100, P{"fd": fd})
	}
	connect := func(fd, res int64, tu inetTuple) {
		tr.add(event.SocketConnectE, 100, P{"fd": fd, "addr": inetAddr{tu.dst, tu.dport}})
		tr.add(event.SocketConnectX, 100, P{"res": res, "tuple": tu, "fd": fd})
	}
	sock(3)
	connect(3, errInProgress, inetTuple{"10.0.0.5", 40000, "10.0.0.9", 80})
	connect(3, -114, inetTuple{"10.0.0.5", 40000, "10.0.0.9", 80}) // EALREADY
	tr.add(event.SyscallWriteE, 100, P{"fd": 3, "size": 4})
	tr.add(event.SyscallWriteX, 100, P{"res": 4, "data": []byte("GET "), "fd": 3, "size": 4})
	sock(4)
	connect(4, -111, inetTuple{"10.0.0.5", 40001, "10.0.0.9", 81}) // ECONNREFUSED
	got := compareSysdigWhere(t, tr, "*%evt.num|%fd.num|%fd.connected", true, func(s *State, e *event.Event) string {
		f, num := s.EventFD()
		if f == nil {
			return fmt.Sprintf("%d|<NA>", num)
		}
		return fmt.Sprintf("%d|%v", num, f.State == SocketConnected)
	})
	if got[1] != "4|3|true" || got[2] != "6|3|true" || got[5] != "12|4|false" {
		t.Fatalf("in-progress connect %q, refused connect %q", got[1], got[4])
	}
}

// brk/mmap/munmap exits carry the process's vm_size/vm_rss/vm_swap and a
// context switch also the page faults of the thread switched out: libs
// keeps them on the event's thread, and so does saker.
func TestMemoryCountersFromEvents(t *testing.T) {
	tr := newTrace(t)
	p := tr.proc(100, 1, "app")
	p.VMSizeKB, p.VMRSSKB, p.VMSwapKB, p.PFMajor, p.PFMinor = 1000, 100, 0, 1, 10
	vm := func(size, rss, swap int) P { return P{"res": 0, "vm_size": size, "vm_rss": rss, "vm_swap": swap} }
	tr.add(event.SyscallBrkV4E, 100, P{"addr": 0})
	tr.addFirst(event.SyscallBrkV4X, 100, 4, vm(1200, 150, 0))
	tr.add(event.SyscallMmapE, 100, P{"addr": 0, "length": 4096, "prot": 1, "flags": 2, "fd": -1, "offset": 0})
	tr.addFirst(event.SyscallMmapX, 100, 4, vm(5200, 180, 8))
	tr.add(event.SchedswitchV6E, 100, P{"next": 0, "pgft_maj": 3, "pgft_min": 77, "vm_size": 5300, "vm_rss": 190, "vm_swap": 8})
	tr.add(event.SyscallMunmapE, 100, P{"addr": 0, "length": 4096})
	tr.addFirst(event.SyscallMunmapX, 100, 4, vm(4100, 170, 4))
	got := compareSysdig(t, tr, "*%evt.num|%thread.vmsize|%thread.vmrss|%proc.vmswap|%thread.pfmajor|%thread.pfminor", func(s *State, _ *event.Event) string {
		th := s.EventThread()
		return fmt.Sprintf("%d|%d|%d|%d|%d", th.VMSize, th.VMRSS, th.VMSwap, th.PageFaultsMajor, th.PageFaultsMinor)
	})
	if got[4] != "5|5300|190|8|3|77" || got[6] != "7|4100|170|4|3|77" {
		t.Fatalf("after the switch %q, after munmap %q", got[4], got[6])
	}
}

// fd.is_server and the local end follow libs: the server end is "this
// machine's" when its address is in the capture's interface list (or is
// the IP of the thread's container, from the container's metadata), and
// the local end is the client when the client address is the machine's.
func TestServerAndLocalEndByInterfaces(t *testing.T) {
	tr := newTrace(t)
	tr.md.Interfaces = []scap.Interface{
		{Type: scap.IfIPv4NoLinkSpeed, Name: "lo", Addr: netip.MustParseAddr("127.0.0.1"), Netmask: netip.MustParseAddr("255.0.0.0")},
		{Type: scap.IfIPv4NoLinkSpeed, Name: "eth0", Addr: netip.MustParseAddr("10.0.0.5"), Netmask: netip.MustParseAddr("255.255.255.0")},
		{Type: scap.IfIPv6NoLinkSpeed, Name: "eth0", Addr: netip.MustParseAddr("2001:db8::5"), Netmask: netip.MustParseAddr("ffff:ffff:ffff:ffff::")},
		{Type: scap.IfIPv6NoLinkSpeed, Name: "lo", Addr: netip.MustParseAddr("::1"), Netmask: netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")},
	}
	tr.proc(100, 1, "curl")
	tr.proc(200, 1, "nginx")
	app := tr.proc(300, 1, "app")
	app.Cgroups = []string{"cpuset=/docker/" + id64}
	tr.add(event.ContainerJsonE, -1, P{"json": `{"container":{"id":"` + id64[:12] + `","ip":"172.17.0.2","name":"web","image":"nginx","type":0}}`})
	conn := func(tid, fd int64, domain int, tu inetTuple) {
		tr.add(event.SocketSocketE, tid, P{"domain": domain, "type": sockStream, "proto": 0})
		tr.add(event.SocketSocketX, tid, P{"fd": fd})
		tr.add(event.SocketConnectE, tid, P{"fd": fd, "addr": inetAddr{tu.dst, tu.dport}})
		tr.add(event.SocketConnectX, tid, P{"res": 0, "tuple": tu, "fd": fd})
	}
	conn(100, 3, afInet, inetTuple{"10.0.0.5", 40000, "10.0.0.5", 80})      // to a server on this machine
	conn(100, 4, afInet, inetTuple{"10.0.0.5", 40001, "93.184.216.34", 80}) // to another machine
	conn(100, 5, afInet6, inetTuple{"2001:db8::5", 40002, "2001:db8::9", 443})
	tr.add(event.SocketAcceptE, 200, P{})
	tr.addFirst(event.SocketAcceptV5X, 200, 5, P{"fd": 6, "tuple": inetTuple{"10.0.0.9", 50000, "10.0.0.5", 80}, "queuepct": 0, "queuelen": 0, "queuemax": 8})
	conn(300, 3, afInet, inetTuple{"172.17.0.2", 41000, "10.0.0.9", 5432}) // from the container's IP
	got := compareSysdigWhere(t, tr, "*%evt.num|%fd.num|%fd.is_server|%fd.lip|%fd.lport|%fd.rip|%fd.rport", true, func(s *State, e *event.Event) string {
		f, num := s.EventFD()
		if f == nil || !f.Type.IsInet() || f.Role == RoleNone {
			return fmt.Sprintf("%d|%v|<NA>|<NA>|<NA>|<NA>", num, s.ServerIsLocal(s.EventThread(), f))
		}
		lip, lport, rip, rport := f.SIP, f.SPort, f.CIP, f.CPort
		if s.ClientIsLocal(s.EventThread(), f) {
			lip, lport, rip, rport = f.CIP, f.CPort, f.SIP, f.SPort
		}
		return fmt.Sprintf("%d|%v|%v|%d|%v|%d", num, s.ServerIsLocal(s.EventThread(), f), lip, lport, rip, rport)
	})
	want := map[int]string{
		5:  "5|3|true|10.0.0.5|40000|10.0.0.5|80",         // a local server: is_server, the client end local
		9:  "9|4|false|10.0.0.5|40001|93.184.216.34|80",   // a remote server
		11: "11|5|true|<NA>|<NA>|<NA>|<NA>",               // a fresh IPv6 socket: :: is in ::1's /64
		13: "13|5|true|2001:db8::5|40002|2001:db8::9|443", // 2001:db8::9 is in 2001:db8::5's /64
		15: "15|6|true|10.0.0.5|80|10.0.0.9|50000",        // accepted from another machine: the server end local
		19: "19|3|false|172.17.0.2|41000|10.0.0.9|5432",   // from the container's own IP
	}
	for _, l := range got {
		var n int
		fmt.Sscanf(l, "%d|", &n)
		if w, ok := want[n]; ok && l != w {
			t.Errorf("event %d: %q, want %q", n, l, w)
		}
		delete(want, n)
	}
	if len(want) > 0 {
		t.Errorf("events not seen: %v", want)
	}
}
