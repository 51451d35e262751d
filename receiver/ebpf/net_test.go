package ebpf

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/receiver/event"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// tuple asserts an inet PT_SOCKTUPLE.
func tuple(t testing.TB, ev *event.Event, what string, sport, dport int64) {
	t.Helper()
	src, sp, dst, dp, ok := ev.SockTuple(paramIndex(t, ev, "tuple")).Addrs()
	if !ok {
		t.Errorf("%s: tuple is not an inet tuple: %x", what, pbytes(t, ev, "tuple"))
		return
	}
	eq(t, what+" tuple", [4]any{src, int64(sp), dst, int64(dp)}, [4]any{loopback, sport, loopback, dport})
}

func TestNetFamily(t *testing.T) {
	r := runHelper(t, 0, "net")
	srv, cli, sport, cport := r.num(t, "srv"), r.num(t, "cli"), r.num(t, "sport"), r.num(t, "cport")

	ev := r.one(t, event.SocketSocketX, byInt(t, "fd", srv))
	eq(t, "socket domain", puint(t, ev, "domain"), 2)
	eq(t, "socket type", puint(t, ev, "type"), 1|0x80000) // SOCK_STREAM | SOCK_CLOEXEC as passed
	eq(t, "socket flags", puint(t, ev, "flags"), pO_CLOEXEC)

	ev = r.one(t, event.SocketBindX, byInt(t, "fd", srv))
	eq(t, "bind res", pint(t, ev, "res"), 0)
	a, port, ok := ev.SockAddr(paramIndex(t, ev, "addr")).Addr()
	eq(t, "bind addr", [3]any{a, port, ok}, [3]any{loopback, uint16(0), true})

	ev = r.one(t, event.SocketListenX, nil)
	eq(t, "listen fd/backlog", [2]int64{pint(t, ev, "fd"), pint(t, ev, "backlog")}, [2]int64{srv, 5})

	ev = r.one(t, event.SocketConnectX, byInt(t, "fd", cli))
	eq(t, "connect res", pint(t, ev, "res"), 0)
	tuple(t, ev, "connect", cport, sport)
	a, port, _ = ev.SockAddr(paramIndex(t, ev, "addr")).Addr()
	eq(t, "connect addr", [2]any{a, int64(port)}, [2]any{loopback, sport})

	ev = r.one(t, event.SocketConnectX, byInt(t, "fd", r.num(t, "refused_fd")))
	eq(t, "refused connect res", pint(t, ev, "res"), -int64(unix.ECONNREFUSED))
	_, _, dst, dport, ok := ev.SockTuple(paramIndex(t, ev, "tuple")).Addrs()
	eq(t, "refused connect remote end", [3]any{dst, int64(dport), ok}, [3]any{loopback, r.num(t, "deadport"), true})

	ev = r.one(t, event.SocketAccept4V6X, nil)
	eq(t, "accept4 fd", pint(t, ev, "fd"), r.num(t, "accept4"))
	tuple(t, ev, "accept4 (remote -> local)", cport, sport)
	eq(t, "accept4 queuemax", puint(t, ev, "queuemax"), 5)
	eq(t, "accept4 flags", pint(t, ev, "flags"), 0x80000)

	ev = r.one(t, event.SocketSendtoX, byInt(t, "fd", cli))
	eq(t, "sendto res", pint(t, ev, "res"), 11)
	eqBytes(t, "sendto data", pbytes(t, ev, "data"), []byte("hello saker"))
	eq(t, "sendto size", puint(t, ev, "size"), 11)
	tuple(t, ev, "sendto", cport, sport)
	ev = r.one(t, event.SocketRecvfromX, byInt(t, "fd", r.num(t, "accept4")))
	eq(t, "recvfrom res", pint(t, ev, "res"), 11)
	eqBytes(t, "recvfrom data", pbytes(t, ev, "data"), []byte("hello saker"))
	eq(t, "recvfrom size", puint(t, ev, "size"), 64)
	tuple(t, ev, "recvfrom (remote -> local)", cport, sport)

	u1port, u2port := r.num(t, "u1port"), r.num(t, "u2port")
	ev = r.one(t, event.SocketSendmsgX, nil)
	eq(t, "sendmsg res", pint(t, ev, "res"), 8)
	eqBytes(t, "sendmsg data", pbytes(t, ev, "data"), []byte("udp-data"))
	eq(t, "sendmsg fd", pint(t, ev, "fd"), r.num(t, "u2"))
	tuple(t, ev, "sendmsg (local -> msg_name)", u2port, u1port)
	ev = r.one(t, event.SocketRecvmsgX, nil)
	eq(t, "recvmsg res", pint(t, ev, "res"), 8)
	eq(t, "recvmsg size", puint(t, ev, "size"), 64)
	eqBytes(t, "recvmsg data", pbytes(t, ev, "data"), []byte("udp-data"))
	tuple(t, ev, "recvmsg (source -> local)", u2port, u1port)

	ev = r.one(t, event.SocketSocketpairX, nil)
	eq(t, "socketpair res", pint(t, ev, "res"), 0)
	eq(t, "socketpair fds", [2]int64{pint(t, ev, "fd1"), pint(t, ev, "fd2")}, [2]int64{r.num(t, "sv0"), r.num(t, "sv1")})
	eq(t, "socketpair domain", puint(t, ev, "domain"), 1)
	if puint(t, ev, "source") == 0 || puint(t, ev, "peer") == 0 || puint(t, ev, "source") == puint(t, ev, "peer") {
		t.Errorf("socketpair source %#x peer %#x: want two distinct sockets", puint(t, ev, "source"), puint(t, ev, "peer"))
	}
}
