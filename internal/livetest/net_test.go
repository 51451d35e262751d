package livetest

import (
	"fmt"
	"testing"
)

// Sockets: socket, bind, listen, connect, accept/accept4, sendto,
// recvfrom, sendmsg, recvmsg, socketpair. The connection fields rules read
// (fd.sip/sport/cip/cport/lip/lport/rip/rport, fd.l4proto, fd.sockfamily,
// fd.is_server, fd.name) on both ends, IPv4 and IPv6, and the CIDR checks
// (fd.net, fd.snet) through compiled conditions.
func TestNetFamilyFields(t *testing.T) {
	conds := []string{
		"evt.type=connect and fd.sip=127.0.0.1 and fd.l4proto=tcp and fd.typechar=4 and fd.net=127.0.0.0/8 and fd.snet=127.0.0.0/8",
		"evt.type=connect and fd.sip=::1 and fd.snet=::1/128",
		"evt.type=connect and (fd.net=10.0.0.0/8 or fd.snet=192.168.0.0/16)",
		"evt.type in (accept, accept4) and fd.is_server=true and fd.lip=127.0.0.1",
		"evt.type=connect and (evt.rawres >= 0 or evt.res = EINPROGRESS)",
		// the datagram half of the outbound macro
		"evt.type in (sendto, sendmsg) and fd.l4proto != tcp and fd.connected=false and fd.name_changed=true",
	}
	r := runWatched(t, watchOpts{conds: compile(t, conds...)}, 0, "net")
	srv, cli, acc := r.numStr(t, "srv"), r.numStr(t, "cli"), r.numStr(t, "accept4")
	sport, cport := r.numStr(t, "sport"), r.numStr(t, "cport")
	tcp := []string{"fd.typechar", "4", "fd.type", "ipv4", "fd.l4proto", "tcp", "fd.sockfamily", "ip"}

	rec := r.one(t, "socket", where("evt.rawres", srv))
	expectIdentity(t, rec, r)
	expect(t, rec, tcp...)
	expect(t, rec, "fd.num", srv, "evt.arg.domain", "AF_INET", "fd.is_server", "false")
	rec = r.one(t, "bind", where("fd.num", srv))
	expect(t, rec, tcp...)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.addr", "127.0.0.1:0", "fd.is_server", "true", "fd.sip", "127.0.0.1")
	rec = r.one(t, "listen", where("fd.num", srv))
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.backlog", "5", "fd.is_server", "true")

	// The client's end.
	conn := fmt.Sprintf("127.0.0.1:%s->127.0.0.1:%s", cport, sport)
	rec = r.one(t, "connect", where("fd.num", cli))
	expect(t, rec, tcp...)
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawres", "0", "evt.failed", "false",
		"fd.name", conn, "fd.sip", "127.0.0.1", "fd.sport", sport, "fd.cip", "127.0.0.1", "fd.cport", cport,
		"fd.lip", "127.0.0.1", "fd.lport", cport, "fd.rip", "127.0.0.1", "fd.rport", sport,
		// libs' is_server: the server address (127.0.0.1) is the machine's
		"fd.is_server", "true", "fd.connected", "true",
		"evt.arg.addr", "127.0.0.1:"+sport, "evt.arg.tuple", conn, "evt.arg.fd", "<4t>"+conn)
	for _, c := range []string{conds[0], conds[4]} {
		if !rec.holds(c) {
			t.Errorf("connect: %q does not hold", c)
		}
	}
	if rec.holds(conds[2]) {
		t.Errorf("connect: %q holds", conds[2])
	}

	// The server's end. libs takes the client end as the local one
	// whenever the client address is the machine's — on loopback, for the
	// accepted fd too (receiver/state ClientIsLocal).
	rec = r.one(t, "accept4", where("fd.num", acc))
	expect(t, rec, tcp...)
	expect(t, rec, "fd.num", acc, "evt.rawres", acc, "fd.name", conn, "fd.is_server", "true",
		"fd.sip", "127.0.0.1", "fd.sport", sport, "fd.cport", cport,
		"fd.lip", "127.0.0.1", "fd.lport", cport, "fd.rip", "127.0.0.1", "fd.rport", sport,
		"evt.arg.queuemax", "5")
	if !rec.holds(conds[3]) {
		t.Errorf("accept4: %q does not hold", conds[3])
	}
	conn2 := fmt.Sprintf("127.0.0.1:%s->127.0.0.1:%s", r.numStr(t, "cport2"), sport)
	rec = r.one(t, "accept", nil)
	expect(t, rec, "fd.num", r.numStr(t, "accept"), "fd.name", conn2, "fd.is_server", "true", "fd.lport", r.numStr(t, "cport2"), "fd.rport", sport)
	if !rec.holds(conds[3]) {
		t.Errorf("accept: %q does not hold", conds[3])
	}

	rec = r.one(t, "sendto", where("fd.num", cli))
	expect(t, rec, "fd.num", cli, "fd.name", conn, "evt.rawres", "11", "evt.arg.size", "11", "evt.arg.data", "hello saker",
		"fd.is_server", "true", "fd.sport", sport)
	rec = r.one(t, "recvfrom", nil)
	expect(t, rec, "fd.num", acc, "fd.name", conn, "evt.rawres", "11", "evt.arg.data", "hello saker", "fd.is_server", "true")

	// IPv6 loopback.
	v6sport, v6cport := r.numStr(t, "v6sport"), r.numStr(t, "v6cport")
	conn6 := fmt.Sprintf("::1:%s->::1:%s", v6cport, v6sport)
	rec = r.one(t, "connect", where("fd.num", r.numStr(t, "v6cli")))
	expect(t, rec, "fd.typechar", "6", "fd.type", "ipv6", "fd.l4proto", "tcp", "fd.sockfamily", "ip",
		"fd.name", conn6, "fd.sip", "::1", "fd.sport", v6sport, "fd.cip", "::1", "fd.cport", v6cport)
	if !rec.holds(conds[1]) {
		t.Errorf("IPv6 connect: %q does not hold", conds[1])
	}

	// UDP with explicit addresses.
	u1port, u2port := r.numStr(t, "u1port"), r.numStr(t, "u2port")
	udp := fmt.Sprintf("127.0.0.1:%s->127.0.0.1:%s", u2port, u1port)
	rec = r.one(t, "sendmsg", nil)
	expect(t, rec, "fd.num", r.numStr(t, "u2"), "fd.typechar", "4", "fd.l4proto", "udp", "evt.rawres", "8",
		"evt.arg.tuple", udp, "evt.arg.data", "udp-data")
	rec = r.one(t, "recvmsg", nil)
	expect(t, rec, "fd.num", r.numStr(t, "u1"), "fd.l4proto", "udp", "evt.rawres", "8", "evt.arg.tuple", udp)

	// An unbound UDP socket: each datagram's peer names the fd.
	rec = r.one(t, "sendto", where("fd.num", r.numStr(t, "u3")))
	udp3 := fmt.Sprintf("0.0.0.0:%s->127.0.0.1:%s", r.numStr(t, "u3port"), u1port)
	expect(t, rec, "evt.rawres", "8", "fd.name", udp3, "fd.name_changed", "true", "fd.connected", "false",
		"fd.l4proto", "udp", "fd.sip", "127.0.0.1", "fd.sport", u1port, "fd.is_server", "true")
	if !rec.holds(conds[5]) {
		t.Errorf("UDP sendto: %q does not hold", conds[5])
	}

	// A refused connection: failed, not connected, the server end known.
	// (Its client address is 0.0.0.0, not one of the machine's: libs
	// takes the server end as the local one, so fd.rip is 0.0.0.0.)
	rec = r.one(t, "connect", where("fd.num", r.numStr(t, "refused_fd")))
	expect(t, rec, "evt.res", "ECONNREFUSED", "evt.rawres", "-111", "evt.failed", "true", "fd.connected", "false",
		"fd.sip", "127.0.0.1", "fd.sport", r.numStr(t, "deadport"), "fd.rip", "0.0.0.0")
	if rec.holds(conds[4]) {
		t.Errorf("refused connect: %q holds", conds[4])
	}

	rec = r.one(t, "socketpair", nil)
	expect(t, rec, "evt.res", "SUCCESS", "fd.num", r.numStr(t, "sv1"), "fd.typechar", "u", "fd.type", "unix", "fd.sockfamily", "unix",
		"evt.rawarg.fd1", r.numStr(t, "sv0"), "evt.rawarg.fd2", r.numStr(t, "sv1"), "evt.arg.domain", "AF_LOCAL")
}
