package fields_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// Unit tests of the state-based fields on a hand-made process tree. The
// behaviour shared with sysdig 0.29 is also checked against it on real
// traces (internal/sysdigdiff); these cover the fields sysdig 0.29 does
// not have and the rules behind each rendering.

const ts0 = 1_700_000_000_000_000_000

// tree: systemd(1) → sshd(100) → bash(200, a login shell) → app(300, two
// threads 300 and 301), all in a container but systemd and sshd.
func testState(t *testing.T) *state.State {
	t.Helper()
	cg := []string{"cpuset=/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "io=/x"}
	st := state.New(state.Config{})
	st.LoadCapture(&scap.Metadata{
		Processes: []scap.Process{
			{Tid: 1, Pid: 1, Ptid: 0, Sid: 1, Vpgid: 1, Pgid: 1, Comm: "systemd", Exe: "/sbin/init", ExePath: "/usr/lib/systemd/systemd", Cwd: "/", Vtid: 1, Vpid: 1, LoginUID: ^uint32(0)},
			{Tid: 100, Pid: 100, Ptid: 1, Sid: 100, Vpgid: 100, Pgid: 100, Comm: "sshd", Exe: "sshd: alice", ExePath: "/usr/sbin/sshd", Args: []string{"-D"}, Cwd: "/", Vtid: 100, Vpid: 100, LoginUID: ^uint32(0), Env: []string{"HOME=/root", "LANG=C"}},
			{Tid: 200, Pid: 200, Ptid: 100, Sid: 200, Vpgid: 200, Pgid: 200, Comm: "bash", Exe: "-bash", ExePath: "/bin/bash", Cwd: "/home/alice", Vtid: 200, Vpid: 200, UID: 1000, GID: 1000, LoginUID: 1000, TTY: 34816,
				Env: []string{"HOME=/home/alice", "SHELL=/bin/bash"}},
			{Tid: 300, Pid: 300, Ptid: 200, Sid: 200, Vpgid: 300, Pgid: 300, Comm: "app", Exe: "./app", ExePath: "/home/alice/app", Args: []string{"--port", "80"},
				Cwd: "/home/alice", Vtid: 1, Vpid: 1, UID: 1000, GID: 1000, LoginUID: 1000, Cgroups: cg, Env: []string{"A=1", "", "B=2", "", ""},
				CapEffective: 1<<21 | 1<<12, CapPermitted: 1 << 0, ExeIno: 42, ExeInoCtime: ts0 - 5_000, ExeInoMtime: ts0 - 6_000, ExeUpperLayer: true, FDLimit: 1024},
			{Tid: 301, Pid: 300, Ptid: 200, Sid: 200, Vpgid: 300, Pgid: 300, Comm: "app", Exe: "./app", Cwd: "/home/alice", Vtid: 2, Vpid: 1, UID: 1000, GID: 1000, LoginUID: 1000, Cgroups: cg},
		},
		FDs: []scap.FD{
			{Tid: 300, FD: 3, Type: scap.FDFileV2, Name: "/etc/passwd", Dev: 8<<20 | 1, Ino: 77},
			{Tid: 300, FD: 4, Type: scap.FDIPv4Sock, SrcAddr: netip.MustParseAddr("10.0.0.1"), SrcPort: 40000, DstAddr: netip.MustParseAddr("93.184.216.34"), DstPort: 443, L4Proto: 2},
			{Tid: 300, FD: 5, Type: scap.FDIPv4Server, SrcAddr: netip.MustParseAddr("0.0.0.0"), SrcPort: 80, L4Proto: 2},
			{Tid: 300, FD: 6, Type: scap.FDDirectory, Name: "/home/alice"},
			{Tid: 300, FD: 7, Type: scap.FDFileV2, Name: "/dev/log"},
		},
		Users:  []scap.User{{UID: 1000, GID: 1000, Name: "alice", HomeDir: "/home/alice", Shell: "/bin/bash"}},
		Groups: []scap.Group{{GID: 1000, Name: "alice"}},
		// the machine's address: fd 4's client end is the local one
		// (fd.lip/lport), as libs decides from the interface list
		Interfaces: []scap.Interface{{Type: scap.IfIPv4NoLinkSpeed, Name: "eth0", Addr: netip.MustParseAddr("10.0.0.1"), Netmask: netip.MustParseAddr("255.255.255.0")}},
	})
	return st
}

type ev struct {
	t      event.Type
	tid    int64
	params func(b *event.Builder)
}

func build(t *testing.T, e ev) *event.Event {
	t.Helper()
	var b event.Builder
	b.Begin(e.t, ts0, e.tid)
	if e.params != nil {
		e.params(&b)
	}
	out, err := event.Parse(append([]byte(nil), b.Finish()...), 0)
	if err != nil {
		t.Fatal(err)
	}
	out.Num = 1
	return out
}

func read(tid, fd int64) ev {
	return ev{event.SyscallReadE, tid, func(b *event.Builder) { b.Int64(fd); b.Uint32(10) }}
}

// extractAfter applies e to a new testState and renders the written field
// on it.
func extractAfter(t *testing.T, e ev, written string) string {
	t.Helper()
	st := testState(t)
	evt := build(t, e)
	st.Update(evt)
	ctx := &fields.Ctx{State: st}
	ctx.Reset(evt)
	return extract(t, ctx, written)
}

// extract binds a written field ("proc.aname[2]") and renders it, or
// returns "<NA>".
func extract(t *testing.T, c *fields.Ctx, written string) string {
	t.Helper()
	name, arg := written, fields.Arg{}
	if i := strings.IndexByte(written, '['); i >= 0 {
		name, arg = written[:i], fields.Arg{Set: true, Text: written[i+1 : len(written)-1]}
	}
	b, err := fields.Default.Bind(name, arg)
	if err != nil {
		t.Fatalf("%s: %v", written, err)
	}
	var v fields.Value
	if !b.Extract(c, &v) {
		return "<NA>"
	}
	return string(b.AppendText(nil, &v))
}

func TestStateFields(t *testing.T) {
	cases := []struct {
		ev    ev
		field string
		want  string
	}{
		// identity and names
		{read(300, 3), "proc.name", "app"},
		{read(300, 3), "proc.pid", "300"},
		{read(301, 3), "proc.pid", "300"},
		{read(301, 3), "thread.tid", "301"},
		{read(301, 3), "thread.ismain", "false"},
		{read(301, 3), "thread.vtid", "2"},
		{read(300, 3), "proc.vpid", "1"},
		{read(300, 3), "proc.exe", "./app"},
		{read(300, 3), "proc.exepath", "/home/alice/app"},
		{read(300, 3), "proc.args", "--port 80"},
		{read(300, 3), "proc.args[1]", "80"},
		{read(300, 3), "proc.args[2]", "<NA>"},
		{read(300, 3), "proc.cmdline", "app --port 80"},
		{read(300, 3), "proc.exeline", "./app --port 80"},
		{read(200, 0), "proc.exeline", "-bash "}, // libs: exe and a space even without arguments
		{read(300, 3), "proc.cmdnargs", "2"},
		{read(300, 3), "proc.cmdlenargs", "8"},
		{read(300, 3), "proc.env", "A=1  B=2"}, // inner empty entries kept, trailing ones dropped
		{read(200, 0), "proc.env[SHELL]", "/bin/bash"},
		{read(200, 0), "proc.env[NOPE]", ""},
		{read(300, 3), "proc.cwd", "/home/alice/"},
		{read(300, 3), "proc.tty", "0"},
		{read(200, 0), "proc.tty", "34816"},
		// parent and ancestors
		{read(300, 3), "proc.ppid", "200"},
		{read(301, 3), "proc.pname", "bash"}, // a thread's parent is its process's parent
		{read(300, 3), "proc.pcmdline", "bash"},
		{read(300, 3), "proc.pexepath", "/bin/bash"},
		{read(300, 3), "proc.aname[0]", "app"},
		{read(300, 3), "proc.aname[2]", "sshd"},
		{read(300, 3), "proc.aname[9]", "<NA>"},
		{read(300, 3), "proc.aname", "(bash,sshd,systemd)"},
		{read(300, 3), "proc.apid[3]", "1"},
		{read(300, 3), "proc.acmdline[2]", "sshd -D"},
		{read(300, 3), "proc.aexe[1]", "-bash"},
		{read(300, 3), "proc.aexepath[3]", "/usr/lib/systemd/systemd"},
		{read(300, 3), "proc.aenv[HOME]", "/home/alice"}, // first ancestor that sets it
		{read(300, 3), "proc.aenv[LANG]", "C"},
		{read(300, 3), "proc.aenv[2]", "HOME=/root LANG=C"},
		{read(300, 3), "proc.loginshellid", "200"},
		{read(300, 3), "proc.sname", "bash"},
		{read(300, 3), "proc.sid", "200"},
		{read(300, 3), "proc.is_sid_leader", "false"},
		{read(200, 0), "proc.is_sid_leader", "true"},
		{read(300, 3), "proc.vpgid.name", "app"},
		{read(300, 3), "proc.is_vpgid_leader", "false"}, // vpgid 300, vpid 1
		{read(200, 0), "proc.is_vpgid_leader", "true"},
		// executable and capabilities
		{read(300, 3), "proc.is_exe_upper_layer", "true"},
		{read(300, 3), "proc.exe_ino", "42"},
		{read(300, 3), "proc.exe_ino.mtime", "1699999999999994000"},
		{read(300, 3), "thread.cap_effective", "CAP_NET_ADMIN CAP_SYS_ADMIN"},
		{read(300, 3), "thread.cap_permitted", "CAP_CHOWN"},
		{read(300, 3), "thread.cap_inheritable", ""},
		{read(300, 3), "thread.cgroup.cpuset", "/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		{read(300, 3), "thread.cgroup[blkio]", "/x"}, // cgroup v2 io shown under its v1 name
		{read(300, 3), "thread.cgroups", "cpuset=/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef blkio=/x"},
		{read(1, 0), "thread.cgroups", "<NA>"},
		{read(300, 3), "proc.nthreads", "2"},
		{read(300, 3), "proc.nchilds", "1"},
		{read(300, 3), "proc.fdopencount", "5"},
		{read(300, 3), "proc.fdlimit", "1024"},
		{read(300, 3), "proc.fdusage", "0.5"},
		{read(300, 3), "proc.stdin.name", "<NA>"},
		// users, groups, containers
		{read(300, 3), "user.name", "alice"},
		{read(300, 3), "user.homedir", "/home/alice"},
		{read(300, 3), "user.shell", "/bin/bash"},
		{read(300, 3), "user.loginuid", "1000"},
		{read(300, 3), "user.loginname", "alice"},
		{read(100, 0), "user.name", "root"},
		{read(100, 0), "user.loginuid", "-1"},
		{read(100, 0), "user.loginname", "<NA>"},
		{read(300, 3), "group.name", "alice"},
		{read(300, 3), "container.id", "0123456789ab"},
		{read(300, 3), "container.type", "docker"},
		{read(300, 3), "container.name", "<NA>"},
		{read(100, 0), "container.id", "host"},
		{read(100, 0), "container.name", "host"},
		{read(100, 0), "container.type", "host"},
		// files
		{read(300, 3), "fd.num", "3"},
		{read(300, 3), "fd.name", "/etc/passwd"},
		{read(300, 3), "fd.type", "file"},
		{read(300, 3), "fd.typechar", "f"},
		{read(300, 3), "fd.directory", "/etc"},
		{read(300, 3), "fd.filename", "passwd"},
		{read(300, 3), "fd.dev.major", "8"},
		{read(300, 3), "fd.dev.minor", "1"},
		{read(300, 3), "fd.ino", "77"},
		{read(300, 3), "fd.uid", "3003"},
		{read(300, 3), "fd.containername", "0123456789ab:/etc/passwd"},
		{read(300, 6), "fd.directory", "/home/alice"},
		{read(300, 6), "fd.filename", "<NA>"},
		{read(300, 3), "fd.types", "(directory,file,ipv4)"},
		{read(300, 3), "fd.types[4]", "(ipv4)"},
		{read(300, 3), "fd.sockfamily", "<NA>"},
		{read(300, 3), "fd.l4proto", "<NA>"},
		// unknown fds: libs' guesses
		{read(300, 9), "fd.num", "9"},
		{read(300, 9), "fd.typechar", "o"},
		{read(300, 9), "fd.name", "<NA>"}, // enter event
		{ev{event.SyscallReadX, 300, func(b *event.Builder) { b.Int64(1); b.Bytes([]byte("x")) }}, "fd.typechar", "o"},
		{ev{event.SyscallOpenX, 300, func(b *event.Builder) {
			b.Int64(-2)
			b.String("../secret")
			b.Uint32(1)
			b.Uint32(0)
			b.Uint32(0)
			b.Uint64(0)
		}}, "fd.name", "/home/secret"}, // a failed open still names its file, made absolute
		{ev{event.SyscallOpenX, 300, func(b *event.Builder) {
			b.Int64(-2)
			b.String("../secret")
			b.Uint32(1)
			b.Uint32(0)
			b.Uint32(0)
			b.Uint64(0)
		}}, "fd.typechar", "f"},
		// sockets
		{read(300, 4), "fd.name", "10.0.0.1:40000->93.184.216.34:443"},
		{read(300, 4), "fd.typechar", "4"},
		{read(300, 4), "fd.l4proto", "tcp"},
		{read(300, 4), "fd.sockfamily", "ip"},
		{read(300, 4), "fd.cip", "10.0.0.1"},
		{read(300, 4), "fd.sport", "443"},
		{read(300, 5), "fd.sip", "0.0.0.0"},
		{read(300, 5), "fd.sport", "80"},
		{read(300, 5), "fd.cip", "<NA>"},
		{read(300, 5), "fd.is_server", "true"},
		// event fields rendered with state
		{read(300, 3), "evt.info", "fd=3(<f>/etc/passwd) size=10 "},
		{read(300, 4), "evt.args", "fd=4(<4t>10.0.0.1:40000->93.184.216.34:443) size=10 "},
		{read(300, 7), "evt.is_syslog", "false"},
		{ev{event.SyscallWriteE, 300, func(b *event.Builder) { b.Int64(7); b.Uint32(10) }}, "evt.is_syslog", "true"},
		{ev{event.SyscallReadX, 300, func(b *event.Builder) { b.Int64(10); b.Bytes([]byte("0123456789")) }}, "evt.buflen.file.in", "<NA>"}, // an exit without fd parameter and no enter before it: no fd
	}
	for _, c := range cases {
		st := testState(t)
		e := build(t, c.ev)
		st.Update(e)
		ctx := &fields.Ctx{State: st}
		ctx.Reset(e)
		if got := extract(t, ctx, c.field); got != c.want {
			t.Errorf("%s on %s from %d: got %q, want %q", c.field, e.Name(), c.ev.tid, got, c.want)
		}
	}
}

func TestEitherEndFields(t *testing.T) {
	st := testState(t)
	e := build(t, read(300, 4))
	st.Update(e)
	ctx := &fields.Ctx{State: st}
	ctx.Reset(e)
	b, err := fields.Default.Bind("fd.ip", fields.Arg{})
	if err != nil {
		t.Fatal(err)
	}
	var v fields.Value
	if !b.Extract(ctx, &v) || b.Shape != fields.Either || len(v.IPs) != 2 || v.IPs[0].String() != "10.0.0.1" || v.IPs[1].String() != "93.184.216.34" {
		t.Errorf("fd.ip: shape %v, %v", b.Shape, v.IPs)
	}
	b, _ = fields.Default.Bind("fd.port", fields.Arg{})
	if !b.Extract(ctx, &v) || len(v.Nums) != 2 || v.Nums[0] != 40000 || v.Nums[1] != 443 {
		t.Errorf("fd.port: %v", v.Nums)
	}
}

func TestNoStateNoValue(t *testing.T) {
	e := build(t, read(300, 3))
	ctx := &fields.Ctx{}
	ctx.Reset(e)
	for _, f := range []string{"proc.name", "fd.name", "user.name", "container.id", "proc.aname"} {
		if got := extract(t, ctx, f); got != "<NA>" {
			t.Errorf("%s without state: %q", f, got)
		}
	}
	if got := extract(t, ctx, "thread.tid"); got != "300" {
		t.Errorf("thread.tid comes from the event: %q", got)
	}
}

// The extractors of costly fields allocate nothing once warm.
func TestStateFieldsAllocateNothing(t *testing.T) {
	st := testState(t)
	e := build(t, read(300, 4))
	st.Update(e)
	ctx := &fields.Ctx{State: st}
	ctx.Reset(e)
	for _, f := range []string{"proc.cmdline", "proc.aname", "proc.acmdline", "proc.aname[2]", "proc.env", "proc.aenv[HOME]",
		"fd.name", "fd.directory", "fd.types", "fd.ip", "evt.info", "thread.cap_effective", "thread.cgroups", "user.name", "proc.sname"} {
		b, err := fields.Default.Bind(f, fields.Arg{})
		if strings.Contains(f, "[") {
			i := strings.IndexByte(f, '[')
			b, err = fields.Default.Bind(f[:i], fields.Arg{Set: true, Text: f[i+1 : len(f)-1]})
		}
		if err != nil {
			t.Fatal(err)
		}
		var v fields.Value
		b.Extract(ctx, &v)
		if n := testing.AllocsPerRun(50, func() { b.Extract(ctx, &v) }); n != 0 {
			t.Errorf("%s allocates %v times per extraction", f, n)
		}
	}
}
