package childtest

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Htons is a 16-bit value in network byte order (on this little-endian
// machine).
func Htons(v uint16) uint16 { return v<<8 | v>>8 }

// Sockaddr4 is 127.0.0.1:port for bind, connect and msg_name.
func Sockaddr4(port uint16) unix.RawSockaddrInet4 {
	sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte{127, 0, 0, 1}}
	sa.Port = Htons(port)
	return sa
}

// sockaddr6 is [::1]:port.
func sockaddr6(port uint16) unix.RawSockaddrInet6 {
	sa := unix.RawSockaddrInet6{Family: unix.AF_INET6}
	sa.Addr[15] = 1 // ::1
	sa.Port = Htons(port)
	return sa
}

// LocalPort is the port an inet socket is bound to, or -1.
func LocalPort(fd int) int {
	sa, _ := unix.Getsockname(fd)
	switch in := sa.(type) {
	case *unix.SockaddrInet4:
		return in.Port
	case *unix.SockaddrInet6:
		return in.Port
	}
	return -1
}

// TCPPair makes a listener on 127.0.0.1 (::1 when v6) with socket type
// SOCK_STREAM|srvFlags, connects a client to it and accepts with accept4
// (SOCK_CLOEXEC), all with raw syscalls. It records, each key prefixed
// with prefix: srv, bind, listen, sport, cli, connect, cport and accept4.
func TCPPair(out map[string]any, prefix string, v6 bool, srvFlags uintptr) (srv, cli, acc int64) {
	fam := uintptr(unix.AF_INET)
	if v6 {
		fam = unix.AF_INET6
	}
	srv, e := Raw(unix.SYS_SOCKET, fam, unix.SOCK_STREAM|srvFlags, 0)
	Must(out, prefix+"srv", srv, e)
	var r int64
	if v6 {
		sa := sockaddr6(0)
		r, e = Raw(unix.SYS_BIND, uintptr(srv), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
	} else {
		sa := Sockaddr4(0)
		r, e = Raw(unix.SYS_BIND, uintptr(srv), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
	}
	Must(out, prefix+"bind", r, e)
	r, e = Raw(unix.SYS_LISTEN, uintptr(srv), 5)
	Must(out, prefix+"listen", r, e)
	sport := LocalPort(int(srv))
	out[prefix+"sport"] = sport
	cli, e = Raw(unix.SYS_SOCKET, fam, unix.SOCK_STREAM, 0)
	Must(out, prefix+"cli", cli, e)
	if v6 {
		to := sockaddr6(uint16(sport))
		r, e = Raw(unix.SYS_CONNECT, uintptr(cli), uintptr(unsafe.Pointer(&to)), unsafe.Sizeof(to))
	} else {
		to := Sockaddr4(uint16(sport))
		r, e = Raw(unix.SYS_CONNECT, uintptr(cli), uintptr(unsafe.Pointer(&to)), unsafe.Sizeof(to))
	}
	Must(out, prefix+"connect", r, e)
	out[prefix+"cport"] = LocalPort(int(cli))
	acc, e = Raw(unix.SYS_ACCEPT4, uintptr(srv), 0, 0, unix.SOCK_CLOEXEC)
	Must(out, prefix+"accept4", acc, e)
	return srv, cli, acc
}

// LoopbackPair returns a connected TCP socket (the client end) and the
// server end, over 127.0.0.1, made with the unix package's wrappers.
func LoopbackPair() (cli, srv int, err error) {
	l, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, -1, err
	}
	defer unix.Close(l)
	if err := unix.Bind(l, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return -1, -1, err
	}
	if err := unix.Listen(l, 1); err != nil {
		return -1, -1, err
	}
	sa, _ := unix.Getsockname(l)
	cli, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, -1, err
	}
	if err := unix.Connect(cli, sa); err != nil {
		return -1, -1, err
	}
	srv, _, err = unix.Accept4(l, unix.SOCK_CLOEXEC)
	return cli, srv, err
}
