package childtest

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The socket calls receiver/ebpf's and internal/livetest's net workloads
// both make, in the order both make them.

// SendRecv sends "hello saker" on cli with sendto and receives it on acc
// with recvfrom into a 64-byte buffer: keys sendto, recvfrom.
func SendRecv(out map[string]any, cli, acc int64) {
	msg := []byte("hello saker")
	r, e := Raw(unix.SYS_SENDTO, uintptr(cli), uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)), 0, 0, 0)
	Must(out, "sendto", r, e)
	buf := make([]byte, 64)
	r, e = Raw(unix.SYS_RECVFROM, uintptr(acc), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
	Must(out, "recvfrom", r, e)
}

// UDPExchange binds two UDP sockets u1 and u2 on 127.0.0.1, sends
// "udp-data" from u2 to u1 with sendmsg (an explicit msg_name) and
// receives it with recvmsg (asking for the source). Keys: u1, u2, u1port,
// u2port, sendmsg, recvmsg. It returns u1's address.
func UDPExchange(out map[string]any) (u1addr unix.RawSockaddrInet4) {
	u1, _ := Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	u2, _ := Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM, 0)
	any4 := Sockaddr4(0)
	Raw(unix.SYS_BIND, uintptr(u1), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	Raw(unix.SYS_BIND, uintptr(u2), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	out["u1"], out["u2"] = u1, u2
	out["u1port"], out["u2port"] = LocalPort(int(u1)), LocalPort(int(u2))
	dst := Sockaddr4(uint16(LocalPort(int(u1))))
	data := []byte("udp-data")
	iov := unix.Iovec{Base: &data[0], Len: uint64(len(data))}
	hdr := unix.Msghdr{Name: (*byte)(unsafe.Pointer(&dst)), Namelen: uint32(unsafe.Sizeof(dst)), Iov: &iov, Iovlen: 1}
	r, e := Raw(unix.SYS_SENDMSG, uintptr(u2), uintptr(unsafe.Pointer(&hdr)), 0)
	Must(out, "sendmsg", r, e)
	var from unix.RawSockaddrInet4
	rbuf := make([]byte, 64)
	riov := unix.Iovec{Base: &rbuf[0], Len: uint64(len(rbuf))}
	rhdr := unix.Msghdr{Name: (*byte)(unsafe.Pointer(&from)), Namelen: uint32(unsafe.Sizeof(from)), Iov: &riov, Iovlen: 1}
	r, e = Raw(unix.SYS_RECVMSG, uintptr(u1), uintptr(unsafe.Pointer(&rhdr)), 0)
	Must(out, "recvmsg", r, e)
	return dst
}

// RefusedConnect connects a TCP socket to the port of a socket that was
// bound and closed: ECONNREFUSED. Keys: deadport, refused_fd, refused.
func RefusedConnect(out map[string]any) {
	any4 := Sockaddr4(0)
	tmp, _ := Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	Raw(unix.SYS_BIND, uintptr(tmp), uintptr(unsafe.Pointer(&any4)), unsafe.Sizeof(any4))
	dead := LocalPort(int(tmp))
	unix.Close(int(tmp))
	out["deadport"] = dead
	c, _ := Raw(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	out["refused_fd"] = c
	deadsa := Sockaddr4(uint16(dead))
	r, e := Raw(unix.SYS_CONNECT, uintptr(c), uintptr(unsafe.Pointer(&deadsa)), unsafe.Sizeof(deadsa))
	Must(out, "refused", r, e)
}

// SocketPair makes a unix stream socketpair: keys socketpair, sv0, sv1.
func SocketPair(out map[string]any) {
	var sv [2]int32
	r, e := Raw(unix.SYS_SOCKETPAIR, unix.AF_UNIX, unix.SOCK_STREAM, 0, uintptr(unsafe.Pointer(&sv[0])))
	Must(out, "socketpair", r, e)
	out["sv0"], out["sv1"] = sv[0], sv[1]
}
