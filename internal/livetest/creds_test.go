package livetest

import (
	"os/user"
	"strconv"
	"strings"
	"testing"
)

// setuid/setgid/setresuid/setresgid, capset and prctl: user.* and group.*
// follow the credentials from the event that changes them, evt.arg.uid
// names the user (rules compare evt.arg.uid=nobody), thread.cap_effective
// follows capset.
func TestCredentialFields(t *testing.T) {
	const id = 65534
	ids := strconv.Itoa(id)
	uname, gname := ids, ids
	if u, err := user.LookupId(ids); err == nil {
		uname = u.Username
	}
	if g, err := user.LookupGroupId(ids); err == nil {
		gname = g.Name
	}
	r := runHelper(t, 0, "creds", ids)
	if st := r.num(t, "child_status"); st != 0 {
		t.Fatalf("the child failed to change its credentials (status %d)", st)
	}
	rec := r.one(t, "setuid", nil)
	expectIdentity(t, rec, r, ids)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.uid", "root", "evt.rawarg.uid", "0")
	rec = r.one(t, "setgid", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.gid", "root", "group.name", "root")

	rec = r.one(t, "capset", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawarg.cap_effective", r.str(t, "cap_eff_after"))
	if c := rec.get("thread.cap_effective"); strings.Contains(c, "CAP_SYS_MODULE") || !strings.Contains(c, "CAP_SYS_ADMIN") {
		t.Errorf("thread.cap_effective after dropping CAP_SYS_MODULE: %q", c)
	}
	rec = r.one(t, "prctl", where("evt.arg.option", "PR_SET_NAME"))
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.arg2_str", "saker-pr")

	// The child: root until its set*id calls, then the user.
	child := int(r.num(t, "child"))
	rec = r.oneOf(t, "fork", child, nil)
	expect(t, rec, "user.name", "root", "user.uid", "0", "group.name", "root",
		"proc.name", "saker-pr") // the child's clone event carries the comm prctl set
	rec = r.oneOf(t, "setresgid", child, nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.egid", gname, "evt.rawarg.egid", ids, "group.gid", ids, "group.name", gname,
		"user.uid", "0")
	rec = r.oneOf(t, "setgid", child, nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.gid", gname, "group.name", gname)
	rec = r.oneOf(t, "setuid", child, nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.uid", uname, "evt.rawarg.uid", ids, "user.uid", ids, "user.name", uname)
	rec = r.oneOf(t, "setresuid", child, nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.euid", uname, "user.name", uname)
	rec = r.oneOf(t, "openat", child, where("fd.name", "/dev/null"))
	expect(t, rec, "user.name", uname, "user.uid", ids, "group.name", gname, "group.gid", ids, "evt.is_open_read", "true")
}

// ptrace, bpf, init_module and finit_module.
func TestKernelInterfaceFields(t *testing.T) {
	r := runHelper(t, 0, "kernel")
	child := r.numStr(t, "child")
	rec := r.one(t, "ptrace", where("evt.arg.request", "PTRACE_ATTACH"))
	expectIdentity(t, rec, r)
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawarg.pid", child, "evt.arg.pid", rec.get("proc.name"))
	rec = r.one(t, "ptrace", where("evt.arg.request", "PTRACE_DETACH"))
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawarg.pid", child)

	// The test binary's start-up may call bpf() too: the helper's is the last.
	bpfs := r.all("bpf", r.pid, nil)
	if len(bpfs) == 0 {
		t.Fatal("no bpf event")
	}
	rec = bpfs[len(bpfs)-1]
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.cmd", "BPF_MAP_CREATE", "fd.num", r.numStr(t, "bpf"), "fd.typechar", "b")

	im, fim := r.num(t, "init_module"), r.num(t, "finit_module")
	rec = r.one(t, "init_module", nil)
	expect(t, rec, "evt.rawres", strconv.FormatInt(im, 10), "evt.failed", strconv.FormatBool(im < 0),
		"evt.arg.uargs", "saker=1", "evt.arg.length", "17")
	if !strings.Contains(rec.get("thread.cap_effective"), "CAP_SYS_MODULE") {
		t.Errorf("thread.cap_effective %q lacks CAP_SYS_MODULE", rec.get("thread.cap_effective"))
	}
	rec = r.one(t, "finit_module", nil)
	expect(t, rec, "evt.rawres", strconv.FormatInt(fim, 10), "fd.num", r.numStr(t, "null"), "fd.name", "/dev/null",
		"evt.arg.fd", "<f>/dev/null", "evt.arg.uargs", "saker=2", "evt.arg.flags", "MODULE_INIT_IGNORE_VERMAGIC")
}
