package livetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// unshare into a new network namespace, a TCP connection made inside it
// (the state learns its sockets from events; /proc/net of the host does
// not have them), then setns back through an fd opened before.
func TestNetnsFields(t *testing.T) {
	r := runHelper(t, 0, "netns")
	if r.result["new_netns"] != true || r.result["back_in_netns"] != true {
		t.Fatalf("the helper did not enter and leave a new network namespace: %v", r.result)
	}
	if e, ok := r.result["lo_err"]; ok {
		t.Fatalf("loopback of the new namespace not up: %v", e)
	}
	nsfd := r.numStr(t, "nsfd")

	rec := r.one(t, "unshare", nil)
	expectIdentity(t, rec, r)
	expect(t, rec, "evt.res", "SUCCESS", "evt.rawres", "0", "evt.arg.flags", "CLONE_NEWNET")

	sport, cport := r.numStr(t, "nssport"), r.numStr(t, "nscport")
	conn := fmt.Sprintf("127.0.0.1:%s->127.0.0.1:%s", cport, sport)
	rec = r.one(t, "connect", where("fd.num", r.numStr(t, "nscli")))
	expect(t, rec, "evt.res", "SUCCESS", "fd.name", conn, "fd.sip", "127.0.0.1", "fd.sport", sport, "fd.l4proto", "tcp",
		"proc.name", comm(filepath.Base(os.Args[0])))
	rec = r.one(t, "accept4", nil)
	expect(t, rec, "fd.name", conn, "fd.is_server", "true", "fd.sport", sport, "fd.lport", cport) // loopback: libs' local end is the client

	rec = r.one(t, "setns", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.nstype", "CLONE_NEWNET", "fd.num", nsfd,
		"fd.name", "/proc/self/ns/net", "evt.arg.fd", "<f>/proc/self/ns/net")
}

// In a private mount namespace: mount and umount2 of a tmpfs, then chdir,
// fchdir and chroot, with proc.cwd following them.
func TestMountnsFields(t *testing.T) {
	dir, cd := t.TempDir(), t.TempDir()
	r := runHelper(t, 0, "mountns", dir, cd)
	for _, k := range []string{"unshare", "mount", "umount2", "chdir", "fchdir", "chroot"} {
		if r.num(t, k) != 0 {
			t.Fatalf("%s failed in the helper: %v", k, r.result[k+"_err"])
		}
	}
	rec := r.one(t, "unshare", nil)
	expectIdentity(t, rec, r, dir, cd)
	expect(t, rec, "evt.arg.flags", "CLONE_NEWNS")

	rec = r.one(t, "mount", where("evt.arg.dir", dir))
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.dev", "saker-tmpfs", "evt.arg.type", "tmpfs", "evt.arg.flags", "NOSUID|NODEV")
	rec = r.one(t, "umount2", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.name", dir, "evt.arg.flags", "DETACH")

	rec = r.one(t, "chdir", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.path", cd, "proc.cwd", cd+"/")
	rec = r.one(t, "fchdir", nil)
	expect(t, rec, "evt.res", "SUCCESS", "fd.num", r.numStr(t, "rootfd"), "fd.name", "/", "fd.typechar", "d",
		"evt.arg.fd", "<d>/", "proc.cwd", "/")
	rec = r.one(t, "chroot", nil)
	expect(t, rec, "evt.res", "SUCCESS", "evt.arg.path", "/", "proc.cwd", "/")
}
