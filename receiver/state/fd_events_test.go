package state

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

func TestOpenResolvesNames(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "app") // cwd /home/u
	f.do(event.SyscallOpenatV2X, 100, P{"fd": 9, "dirfd": AtFDCWD, "name": "/var/lib", "flags": OpenRdonly | OpenDirectory})

	cases := []struct {
		name   string
		typ    event.Type
		p      P
		want   string
		raw    string
		fdtype FDType
	}{
		{"absolute", event.SyscallOpenatV2X, P{"fd": 3, "dirfd": AtFDCWD, "name": "/etc/passwd", "flags": OpenRdonly}, "/etc/passwd", "/etc/passwd", FDFileV2},
		{"relative to cwd", event.SyscallOpenatV2X, P{"fd": 3, "dirfd": AtFDCWD, "name": "notes.txt", "flags": OpenRdonly}, "/home/u/notes.txt", "notes.txt", FDFileV2},
		{"dot-dot", event.SyscallOpenatV2X, P{"fd": 3, "dirfd": AtFDCWD, "name": "../../etc//shadow", "flags": OpenRdonly}, "/etc/shadow", "../../etc//shadow", FDFileV2},
		{"relative to dirfd", event.SyscallOpenatV2X, P{"fd": 3, "dirfd": 9, "name": "dpkg/status", "flags": OpenRdonly}, "/var/lib/dpkg/status", "dpkg/status", FDFileV2},
		{"absolute ignores dirfd", event.SyscallOpenatV2X, P{"fd": 3, "dirfd": 9, "name": "/tmp/a", "flags": OpenWronly}, "/tmp/a", "/tmp/a", FDFileV2},
		{"unknown dirfd", event.SyscallOpenatV2X, P{"fd": 3, "dirfd": 55, "name": "x", "flags": OpenRdonly}, "<UNKNOWN>/x", "x", FDFileV2},
		{"directory", event.SyscallOpenatV2X, P{"fd": 3, "dirfd": AtFDCWD, "name": "/proc/self/", "flags": OpenRdonly | OpenDirectory}, "/proc/self", "/proc/self/", FDDirectory},
		{"openat2", event.SyscallOpenat2X, P{"fd": 3, "dirfd": 9, "name": "./x", "flags": OpenRdwr, "resolve": 0}, "/var/lib/x", "./x", FDFileV2},
		{"open (old 4-param)", event.SyscallOpenX, P{"fd": 3, "name": "/etc/ld.so.cache", "flags": OpenRdonly | OpenCloexec, "mode": 0}, "/etc/ld.so.cache", "/etc/ld.so.cache", FDFileV2},
		{"creat", event.SyscallCreatX, P{"fd": 3, "name": "out.log", "mode": 0o644}, "/home/u/out.log", "out.log", FDFileV2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := f.do(c.typ, 100, c.p)
			fd, num := s.EventFD()
			if num != 3 || fd == nil {
				t.Fatalf("event fd = %v, %d", fd, num)
			}
			if fd.Name != c.want || fd.NameRaw != c.raw || fd.Type != c.fdtype {
				t.Fatalf("fd = name %q raw %q type %v, want %q %q %v", fd.Name, fd.NameRaw, fd.Type, c.want, c.raw, c.fdtype)
			}
			if s.Thread(100).FD(3) != fd {
				t.Fatal("fd not in the table")
			}
		})
	}
	// creat implies O_CREAT|O_WRONLY|O_TRUNC
	if fl := f.s.Thread(100).FD(3).Flags; fl != OpenCreat|OpenWronly|OpenTrunc {
		t.Fatalf("creat flags %#x", fl)
	}
	// a failed open has no fd and changes nothing
	s := f.do(event.SyscallOpenatV2X, 100, P{"fd": -2, "dirfd": AtFDCWD, "name": "/nope", "flags": OpenRdonly})
	if fd, num := s.EventFD(); fd != nil || num != -1 {
		t.Fatalf("failed open has fd %v %d", fd, num)
	}
	if s.Thread(100).FD(3).Name != "/home/u/out.log" {
		t.Fatal("failed open changed fd 3")
	}
}

func TestCloseIsDeferred(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "cat")
	f.open(100, 3, "/dev/null", OpenRdonly)
	n := f.s.stats.FDs
	s := f.do(event.SyscallCloseX, 100, P{"res": 0, "fd": 3})
	fd, num := s.EventFD()
	if num != 3 || fd == nil || fd.Name != "/dev/null" {
		t.Fatalf("close event fd = %v %d", fd, num)
	}
	f.do(event.SyscallGetuidX, 100, P{})
	if s.Thread(100).FD(3) != nil {
		t.Fatal("closed fd still in the table")
	}
	if s.stats.FDs != n-1 || s.stats.RemovedFDs == 0 {
		t.Fatalf("fd gauge %d (was %d)", s.stats.FDs, n)
	}
	// a failed close keeps the fd
	f.open(100, 4, "/tmp/k", OpenRdonly)
	f.do(event.SyscallCloseX, 100, P{"res": -9, "fd": 4})
	f.do(event.SyscallGetuidX, 100, P{})
	if s.Thread(100).FD(4) == nil {
		t.Fatal("failed close removed the fd")
	}
	// old captures: CLOSE_X without fd, the fd was in the enter event
	f.do(event.SyscallCloseE, 100, P{"fd": 4})
	f.do(event.SyscallCloseX, 100, P{"res": 0})
	if fd, num := s.EventFD(); num != 4 || fd == nil {
		t.Fatalf("old close: fd %v %d", fd, num)
	}
	f.do(event.SyscallGetuidX, 100, P{})
	if s.Thread(100).FD(4) != nil {
		t.Fatal("old close did not remove")
	}
}

func TestDupFamily(t *testing.T) {
	f := newFeeder(t, nil)
	th := f.proc(100, 1, "sh")
	f.open(100, 3, "/var/log/x", OpenWronly|OpenCloexec)
	s := f.do(event.SyscallDupV1X, 100, P{"res": 4, "oldfd": 3})
	if fd, num := s.EventFD(); num != 3 || fd == nil || fd.Name != "/var/log/x" {
		t.Fatalf("dup event fd = %v %d (want the old fd)", fd, num)
	}
	if d := th.FD(4); d == nil || d.Name != "/var/log/x" || d.IsCloexec() {
		t.Fatalf("dup: %+v", d)
	}
	f.open(100, 1, "/dev/pts/0", OpenWronly)
	f.do(event.SyscallDup2X, 100, P{"res": 1, "oldfd": 3, "newfd": 1})
	if d := th.FD(1); d == nil || d.Name != "/var/log/x" {
		t.Fatalf("dup2 onto an open fd: %+v", d)
	}
	f.do(event.SyscallDup3X, 100, P{"res": 7, "oldfd": 3, "newfd": 7, "flags": OpenCloexec})
	if d := th.FD(7); d == nil || !d.IsCloexec() {
		t.Fatalf("dup3 O_CLOEXEC: %+v", d)
	}
	f.do(event.SyscallFcntlX, 100, P{"res": 10, "fd": 3, "cmd": fcntlDupfdCloexec, "arg": 10})
	if d := th.FD(10); d == nil || d.Name != "/var/log/x" || !d.IsCloexec() {
		t.Fatalf("F_DUPFD_CLOEXEC: %+v", d)
	}
	f.do(event.SyscallFcntlX, 100, P{"res": 0, "fd": 3, "cmd": 2 /* F_GETFD */, "arg": 0})
	if d := th.FD(0); d != nil {
		t.Fatal("F_GETFD created an fd")
	}
	f.do(event.SyscallDupV1X, 100, P{"res": 11, "oldfd": 99})
	if th.FD(11) != nil {
		t.Fatal("dup of an unknown fd created one")
	}
	// old DUP_X: only res; the old fd comes from the enter event
	f.do(event.SyscallDupE, 100, P{"fd": 3})
	f.do(event.SyscallDupX, 100, P{"res": 12})
	if d := th.FD(12); d == nil || d.Name != "/var/log/x" {
		t.Fatalf("old dup: %+v", d)
	}
}

func TestPipeAndSimpleFDs(t *testing.T) {
	f := newFeeder(t, nil)
	th := f.proc(100, 1, "x")
	s := f.do(event.SyscallPipe2X, 100, P{"res": 0, "fd1": 3, "fd2": 4, "ino": 555, "flags": OpenCloexec})
	for _, n := range []int64{3, 4} {
		d := th.FD(n)
		if d == nil || d.Type != FDFifo || d.Ino != 555 || d.Type.String() != "pipe" || d.Type.Char() != 'p' || !d.IsCloexec() {
			t.Fatalf("pipe fd %d: %+v", n, d)
		}
	}
	if fd, num := s.EventFD(); fd == nil || num != 4 {
		t.Fatal("a pipe's event fd is its second fd, as in libs")
	}
	cases := []struct {
		typ  event.Type
		p    P
		want FDType
		name string
		char byte
	}{
		{event.SyscallEventfd2X, P{"res": 5, "flags": 0, "initval": 0}, FDEvent, "event", 'e'},
		{event.SyscallSignalfd4X, P{"res": 6, "flags": 0, "fd": -1, "mask": 0}, FDSignalfd, "signalfd", 's'},
		{event.SyscallTimerfdCreateX, P{"res": 7, "clockid": 1, "flags": 0}, FDTimerfd, "timerfd", 't'},
		{event.SyscallInotifyInit1X, P{"res": 8, "flags": 0}, FDInotify, "inotify", 'i'},
		{event.SyscallEpollCreate1X, P{"res": 9, "flags": 0}, FDEventpoll, "eventpoll", 'l'},
		{event.SyscallUserfaultfdX, P{"res": 10, "flags": 0}, FDUserfaultfd, "userfaultfd", 'u'},
		{event.SyscallIoUringSetupX, P{"res": 11, "entries": 8}, FDIOUring, "io_uring", 'r'},
		{event.SyscallPidfdOpenX, P{"fd": 12, "pid": 1, "flags": 0}, FDPidfd, "pidfd", 'P'},
		{event.SyscallBpfV2X, P{"fd": 13, "cmd": 5}, FDBPF, "bpf", 'b'},
		{event.SyscallMemfdCreateX, P{"fd": 14, "name": "payload", "flags": 1}, FDMemfd, "memfd", 'm'},
	}
	for _, c := range cases {
		s := f.do(c.typ, 100, c.p)
		fd, num := s.EventFD()
		if fd == nil || fd.Type != c.want || fd.Type.String() != c.name || fd.Type.Char() != c.char || fd.Num != num {
			t.Errorf("%v: fd %+v num %d", c.typ, fd, num)
		}
	}
	if d := th.FD(14); d.Name != "memfd:payload" || !d.IsCloexec() {
		t.Fatalf("memfd: %+v", d)
	}
	// bpf commands that do not return fds create nothing
	f.do(event.SyscallBpfV2X, 100, P{"fd": 0, "cmd": 2 /* MAP_UPDATE_ELEM */})
	if th.FD(0) != nil {
		t.Fatal("bpf MAP_UPDATE_ELEM created fd 0")
	}
	// the old bpf exit: res_or_fd is PT_DYN, an fd only under its fd index
	le := func(idx byte, v uint64) []byte {
		b := []byte{idx, 0, 0, 0, 0, 0, 0, 0, 0}
		for i := 0; i < 8; i++ {
			b[1+i] = byte(v >> (8 * i))
		}
		return b
	}
	f.do(event.SyscallBpfX, 100, P{"res_or_fd": le(0, 17)})
	if d := th.FD(17); d == nil || d.Type != FDBPF {
		t.Fatalf("old bpf exit with an fd: %+v", d)
	}
	f.do(event.SyscallBpfX, 100, P{"res_or_fd": le(1, 18)})
	if d := th.FD(18); d != nil {
		t.Fatalf("old bpf exit with a result made fd 18: %+v", d)
	}
	// pidfd_getfd copies the target's fd
	f.proc(200, 1, "victim")
	f.open(200, 3, "/secret", OpenRdonly)
	f.do(event.SyscallPidfdOpenX, 100, P{"fd": 15, "pid": 200, "flags": 0})
	f.do(event.SyscallPidfdGetfdX, 100, P{"fd": 16, "pid_fd": 15, "target_fd": 3, "flags": 0})
	if d := th.FD(16); d == nil || d.Name != "/secret" {
		t.Fatalf("pidfd_getfd: %+v", d)
	}
	// close_range closes [first, last]
	f.do(event.SyscallCloseRangeX, 100, P{"res": 0, "first": 5, "last": 9, "flags": 0})
	for n := int64(5); n <= 9; n++ {
		if th.FD(n) != nil {
			t.Fatalf("close_range left fd %d", n)
		}
	}
	if th.FD(10) == nil || th.FD(4) == nil {
		t.Fatal("close_range closed fds outside the range")
	}
}

func TestSocketsConnectAccept(t *testing.T) {
	f := newFeeder(t, nil)
	th := f.proc(100, 1, "curl")

	s := f.do(event.SocketSocketX, 100, P{"fd": 3, "domain": afInet, "type": sockStream, "proto": 0, "flags": 0})
	if d, _ := s.EventFD(); d == nil || d.Type != FDIPv4Sock || d.L4Proto != L4TCP || d.Name != "" {
		t.Fatalf("socket: %+v", d)
	}
	s = f.do(event.SocketConnectX, 100, P{"res": 0, "tuple": inetTuple{"10.0.0.5", 40000, "93.184.216.34", 443}, "fd": 3,
		"addr": inetAddr{"93.184.216.34", 443}})
	d, num := s.EventFD()
	if num != 3 || d == nil {
		t.Fatal("connect has no fd")
	}
	if d.Name != "10.0.0.5:40000->93.184.216.34:443" || d.Role != RoleClient || d.State != SocketConnected ||
		d.SIP != netip.MustParseAddr("93.184.216.34") || d.SPort != 443 || d.CPort != 40000 {
		t.Fatalf("connect: %+v", d)
	}
	if ip, port := d.LocalAddr(); ip.String() != "10.0.0.5" || port != 40000 {
		t.Fatalf("local %v:%d", ip, port)
	}
	if ip, port := d.RemoteAddr(); ip.String() != "93.184.216.34" || port != 443 {
		t.Fatalf("remote %v:%d", ip, port)
	}
	if !s.FDNameChanged() {
		t.Fatal("connect changed the name")
	}

	// IPv6, non-blocking connect, v4-mapped ends reported as IPv4
	f.do(event.SocketSocketX, 100, P{"fd": 4, "domain": afInet6, "type": sockStream | sockNonblock, "proto": ipprotoTCP, "flags": 0})
	f.do(event.SocketConnectX, 100, P{"res": errInProgress, "tuple": inetTuple{"::1", 5000, "::1", 8080}, "fd": 4})
	if d := th.FD(4); d.Type != FDIPv6Sock || d.Name != "::1:5000->::1:8080" || d.State != SocketConnected {
		t.Fatalf("ipv6 connect: %+v", d)
	}
	f.do(event.SocketSocketX, 100, P{"fd": 5, "domain": afInet6, "type": sockStream, "proto": 0, "flags": 0})
	f.do(event.SocketConnectX, 100, P{"res": 0, "tuple": inetTuple{"::ffff:127.0.0.1", 5001, "::ffff:127.0.0.1", 80}, "fd": 5})
	if d := th.FD(5); d.Type != FDIPv4Sock || d.Name != "127.0.0.1:5001->127.0.0.1:80" {
		t.Fatalf("v4-mapped connect: %+v", d)
	}
	f.do(event.SocketSocketX, 100, P{"fd": 6, "domain": afInet, "type": sockStream, "proto": 0, "flags": 0})
	f.do(event.SocketConnectX, 100, P{"res": -111, "tuple": inetTuple{"0.0.0.0", 0, "1.2.3.4", 1}, "fd": 6})
	if d := th.FD(6); d.State != SocketFailed || d.Name != "0.0.0.0:0->1.2.3.4:1" {
		t.Fatalf("refused connect (named after its tuple, failed): %+v", d)
	}

	// unix connect
	f.do(event.SocketSocketX, 100, P{"fd": 7, "domain": afUnix, "type": sockStream, "proto": 0, "flags": 0})
	f.do(event.SocketConnectX, 100, P{"res": 0, "tuple": unixTuple{0xaaa, 0xbbb, "/run/docker.sock"}, "fd": 7})
	if d := th.FD(7); d.Type != FDUnixSock || d.Name != "aaa->bbb /run/docker.sock" || d.UnixSrc != 0xaaa || d.UnixDst != 0xbbb || d.Type.String() != "unix" {
		t.Fatalf("unix connect: %+v", d)
	}

	// server: socket, bind, listen, accept4
	srv := f.proc(200, 1, "nginx")
	f.do(event.SocketSocketX, 200, P{"fd": 3, "domain": afInet, "type": sockStream, "proto": ipprotoTCP, "flags": 0})
	s = f.do(event.SocketBindX, 200, P{"res": 0, "addr": inetAddr{"0.0.0.0", 8080}, "fd": 3})
	if d, _ := s.EventFD(); d == nil || d.Type != FDIPv4ServSock || d.Name != "0.0.0.0:8080" || d.Role != RoleServer || d.Type.String() != "ipv4" {
		t.Fatalf("bind: %+v", d)
	}
	f.do(event.SocketListenX, 200, P{"res": 0, "fd": 3, "backlog": 128})
	s = f.do(event.SocketAccept4V6X, 200, P{"fd": 4, "tuple": inetTuple{"10.0.0.9", 51000, "10.0.0.1", 8080},
		"queuepct": 0, "queuelen": 0, "queuemax": 128, "flags": sockCloexec})
	d, num = s.EventFD()
	if num != 4 || d == nil || d.Name != "10.0.0.9:51000->10.0.0.1:8080" || d.Role != RoleServer || d.L4Proto != L4TCP || !d.IsCloexec() {
		t.Fatalf("accept4: %+v", d)
	}
	if ip, port := d.LocalAddr(); ip.String() != "10.0.0.1" || port != 8080 {
		t.Fatalf("accepted local end %v:%d", ip, port)
	}
	if srv.FD(4) != d {
		t.Fatal("accepted fd not in the server's table")
	}
	// unix bind
	f.do(event.SocketSocketX, 200, P{"fd": 5, "domain": afUnix, "type": sockDgram, "proto": 0, "flags": 0})
	f.do(event.SocketBindX, 200, P{"res": 0, "addr": unixAddr("/run/nginx.sock"), "fd": 5})
	if d := srv.FD(5); d.Name != "/run/nginx.sock" || d.Role != RoleServer {
		t.Fatalf("unix bind: %+v", d)
	}
	// socketpair
	f.do(event.SocketSocketpairX, 200, P{"res": 0, "fd1": 6, "fd2": 7, "source": 0x10, "peer": 0x20, "domain": afUnix, "type": sockStream, "proto": 0})
	if a, b := srv.FD(6), srv.FD(7); a == nil || b == nil || a.UnixSrc != 0x10 || b.UnixSrc != 0x20 || a.Type != FDUnixSock {
		t.Fatalf("socketpair: %+v %+v", a, b)
	}
}

func TestUDPPeerTracking(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "dig")
	f.do(event.SocketSocketX, 100, P{"fd": 3, "domain": afInet, "type": sockDgram, "proto": 0, "flags": 0})
	s := f.do(event.SocketSendtoX, 100, P{"res": 40, "data": []byte("q"), "fd": 3, "size": 40,
		"tuple": inetTuple{"10.0.0.5", 53000, "8.8.8.8", 53}})
	d, _ := s.EventFD()
	if d == nil || d.Name != "10.0.0.5:53000->8.8.8.8:53" || d.Role != RoleClient || d.L4Proto != L4UDP || d.Type.Char() != '4' {
		t.Fatalf("sendto: %+v", d)
	}
	if !s.FDNameChanged() {
		t.Fatal("first datagram changes the name")
	}
	// the reply: tuple oriented remote->local; same peer → no change
	s = f.do(event.SocketRecvfromX, 100, P{"res": 60, "data": []byte("a"), "tuple": inetTuple{"8.8.8.8", 53, "10.0.0.5", 53000}, "fd": 3, "size": 60})
	if d, _ := s.EventFD(); d.Name != "10.0.0.5:53000->8.8.8.8:53" || s.FDNameChanged() {
		t.Fatalf("recvfrom from the same peer: %q changed=%v", d.Name, s.FDNameChanged())
	}
	s = f.do(event.SocketSendmsgX, 100, P{"res": 40, "data": []byte("q"), "fd": 3, "size": 40,
		"tuple": inetTuple{"10.0.0.5", 53000, "1.1.1.1", 53}})
	if d, _ := s.EventFD(); d.Name != "10.0.0.5:53000->1.1.1.1:53" || !s.FDNameChanged() {
		t.Fatalf("new peer: %q", d.Name)
	}
	// a read is not a name change
	s = f.do(event.SyscallReadX, 100, P{"res": 1, "data": []byte("x"), "fd": 3, "size": 1})
	if s.FDNameChanged() {
		t.Fatal("read changed the name")
	}
}

func TestEventFDForUsesFD(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "x")
	f.open(100, 3, "/a", OpenRdonly)
	f.open(100, 4, "/b", OpenWronly)
	cases := []struct {
		typ  event.Type
		p    P
		want int64
	}{
		{event.SyscallReadX, P{"res": 1, "fd": 3, "size": 1}, 3},
		{event.SyscallWriteX, P{"res": 1, "fd": 4, "size": 1}, 4},
		{event.SyscallSendfileX, P{"res": 1, "offset": 0, "out_fd": 4, "in_fd": 3, "size": 1}, 4},
		{event.SyscallCopyFileRangeX, P{"res": 1, "fdout": 4, "offout": 0, "fdin": 3, "offin": 0, "len": 1}, 4},
		{event.SyscallSpliceX, P{"res": 1, "fd_in": 3, "fd_out": 4, "size": 1, "flags": 0}, 3},
		{event.SyscallFstatX, P{"res": 0, "fd": 3}, 3},
		{event.SyscallMmapX, P{"res": 0, "fd": 4}, 4},
	}
	for _, c := range cases {
		s := f.do(c.typ, 100, c.p)
		if fd, num := s.EventFD(); num != c.want || fd == nil || fd.Num != c.want {
			t.Errorf("%v: fd %v num %d, want %d", c.typ, fd, num, c.want)
		}
	}
	// events without fds
	s := f.do(event.SyscallGetuidX, 100, P{})
	if fd, num := s.EventFD(); fd != nil || num != -1 {
		t.Fatal("getuid has an fd")
	}
	// an unknown fd is reported by number and counted
	failed := s.stats.FailedFDLookups
	s = f.do(event.SyscallReadX, 100, P{"res": 1, "fd": 42, "size": 1})
	if fd, num := s.EventFD(); fd != nil || num != 42 || s.stats.FailedFDLookups != failed+1 {
		t.Fatalf("unknown fd: %v %d failed %d", fd, num, s.stats.FailedFDLookups)
	}
}

func TestFDTableSparse(t *testing.T) {
	tab := newFDTable()
	for _, n := range []int64{0, 5, 1023, 1024, 70000} {
		tab.put(n, &FD{Name: "x"})
	}
	if tab.Len() != 5 {
		t.Fatalf("len %d", tab.Len())
	}
	for _, n := range []int64{0, 5, 1023, 1024, 70000} {
		if f := tab.Get(n); f == nil || f.Num != n {
			t.Fatalf("get %d: %+v", n, f)
		}
	}
	if tab.Get(6) != nil || tab.Get(-1) != nil || tab.Get(5000) != nil {
		t.Fatal("phantom fds")
	}
	c := tab.clone()
	tab.remove(70000)
	tab.remove(5)
	if c.Get(70000) == nil || c.Get(5) == nil || c.Len() != 5 || tab.Len() != 3 {
		t.Fatal("clone shares storage")
	}
	n := 0
	c.All(func(*FD) bool { n++; return true })
	if n != 5 {
		t.Fatalf("All visited %d", n)
	}
}

func TestPathJoin(t *testing.T) {
	for _, c := range []struct{ dir, name, want string }{
		{"/home/u/", "a", "/home/u/a"},
		{"/home/u", "./a/../b", "/home/u/b"},
		{"/", "..", "/"},
		{"/a/b", "../../../c", "/c"},
		{"/a", "/x//y/", "/x/y"},
		{"", "rel", "/rel"},
		{"/a", "", "/a"},
		{"/", "", "/"},
	} {
		if got := string(AppendJoinClean(nil, c.dir, c.name)); got != c.want {
			t.Errorf("join(%q, %q) = %q, want %q", c.dir, c.name, got, c.want)
		}
	}
}

// execve closes the close-on-exec fds, as the kernel does; the flag is
// followed wherever a call sets or clears it — open flags, dup3,
// F_DUPFD_CLOEXEC, fcntl(F_SETFD) (how bash marks its fd 255),
// ioctl(FIOCLEX/FIONCLEX), epoll_create1(EPOLL_CLOEXEC) — and the fds the
// kernel always makes close-on-exec (pidfd, io_uring, bpf).
func TestCloexecFDsClosedByExecve(t *testing.T) {
	f := newFeeder(t, nil)
	th := f.proc(100, 1, "bash")
	f.open(100, 0, "/dev/pts/0", OpenRdwr)
	f.open(100, 3, "/etc/hosts", OpenRdonly|OpenCloexec)
	f.open(100, 4, "/etc/passwd", OpenRdonly)
	// fcntl(4, F_DUPFD, 255) then fcntl(255, F_SETFD, FD_CLOEXEC)
	f.do(event.SyscallFcntlX, 100, P{"res": 255, "fd": 4, "cmd": fcntlDupfd, "arg": 255})
	f.do(event.SyscallFcntlX, 100, P{"res": 0, "fd": 255, "cmd": 3 /* F_SETFD */, "arg": 1 /* FD_CLOEXEC */})
	// F_SETFD 0 clears it: fd 3 survives
	f.do(event.SyscallFcntlX, 100, P{"res": 0, "fd": 3, "cmd": 3, "arg": 0})
	// ioctl FIOCLEX on 4, then a failed FIONCLEX changes nothing
	f.do(event.SyscallIoctlV3X, 100, P{"res": 0, "fd": 4, "request": 0x5451, "argument": 0})
	f.do(event.SyscallIoctlV3X, 100, P{"res": -9, "fd": 4, "request": 0x5450, "argument": 0})
	f.do(event.SyscallEpollCreate1X, 100, P{"res": 5, "flags": 1 /* EPOLL_CLOEXEC */})
	f.do(event.SyscallEpollCreate1X, 100, P{"res": 6, "flags": 0})
	f.do(event.SyscallPidfdOpenX, 100, P{"fd": 7, "pid": 1, "flags": 0})
	f.do(event.SyscallDup3X, 100, P{"res": 8, "oldfd": 0, "newfd": 8, "flags": OpenCloexec})
	if n := th.FDs().Len(); n != 8 {
		t.Fatalf("%d fds before execve", n)
	}
	f.do(event.SyscallExecveV19X, 100, P{"res": 0, "exe": "ls", "args": []string{}, "comm": "ls"})
	var left []int64
	th.FDs().All(func(fd *FD) bool {
		left = append(left, fd.Num)
		return true
	})
	if want := []int64{0, 3, 6}; !slices.Equal(left, want) {
		t.Fatalf("fds after execve %v, want %v", left, want)
	}
	if err := f.s.checkInvariants(); err != nil {
		t.Fatal(err)
	}
}

// A bound UDP socket (a DNS server) becomes a connection named after each
// new peer's datagram, as the datagram went; a reply is no change; a bound
// TCP socket is not renamed by data.
func TestBoundUDPSocketFollowsPeers(t *testing.T) {
	f := newFeeder(t, nil)
	f.proc(100, 1, "dnsd")
	f.do(event.SocketSocketX, 100, P{"fd": 3, "domain": afInet, "type": sockDgram, "proto": 0, "flags": 0})
	f.do(event.SocketBindX, 100, P{"res": 0, "addr": inetAddr{"10.0.0.5", 5353}, "fd": 3})
	s := f.do(event.SocketRecvfromX, 100, P{"res": 20, "data": []byte("q"), "tuple": inetTuple{"10.0.0.9", 40000, "10.0.0.5", 5353}, "fd": 3, "size": 512})
	d, _ := s.EventFD()
	if d == nil || d.Name != "10.0.0.9:40000->10.0.0.5:5353" || !s.FDNameChanged() || d.Type != FDIPv4Sock || d.L4Proto != L4UDP {
		t.Fatalf("first datagram: %+v changed=%v", d, s.FDNameChanged())
	}
	s = f.do(event.SocketSendtoX, 100, P{"res": 20, "data": []byte("a"), "fd": 3, "size": 20, "tuple": inetTuple{"10.0.0.5", 5353, "10.0.0.9", 40000}})
	if d, _ := s.EventFD(); d.Name != "10.0.0.9:40000->10.0.0.5:5353" || s.FDNameChanged() {
		t.Fatalf("reply: %q changed=%v", d.Name, s.FDNameChanged())
	}
	s = f.do(event.SocketRecvmsgX, 100, P{"res": 20, "size": 20, "data": []byte("q"), "tuple": inetTuple{"10.0.0.7", 41000, "10.0.0.5", 5353}, "fd": 3})
	if d, _ := s.EventFD(); d.Name != "10.0.0.7:41000->10.0.0.5:5353" || !s.FDNameChanged() {
		t.Fatalf("another peer: %q changed=%v", d.Name, s.FDNameChanged())
	}
	s = f.do(event.SocketSendmsgX, 100, P{"res": 20, "data": []byte("a"), "fd": 3, "size": 20, "tuple": inetTuple{"10.0.0.5", 5353, "192.168.1.1", 53}})
	if d, _ := s.EventFD(); d.Name != "10.0.0.5:5353->192.168.1.1:53" || !s.FDNameChanged() {
		t.Fatalf("sent to a third peer: %q changed=%v", d.Name, s.FDNameChanged())
	}
	// TCP listener: data does not rename it
	f.do(event.SocketSocketX, 100, P{"fd": 4, "domain": afInet, "type": sockStream, "proto": 0, "flags": 0})
	f.do(event.SocketBindX, 100, P{"res": 0, "addr": inetAddr{"0.0.0.0", 80}, "fd": 4})
	s = f.do(event.SocketSendtoX, 100, P{"res": 1, "data": []byte("x"), "fd": 4, "size": 1, "tuple": inetTuple{"10.0.0.5", 80, "10.0.0.9", 1}})
	if d, _ := s.EventFD(); d.Name != "0.0.0.0:80" || s.FDNameChanged() || d.Type != FDIPv4ServSock {
		t.Fatalf("tcp listener: %+v", d)
	}
}
