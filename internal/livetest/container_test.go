package livetest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sakersec/saker/internal/childtest"
)

// containerCgroup makes a cgroup named the way docker's systemd driver
// names a container's (…/docker-<64 hex>.scope) under a fresh parent in a
// writable hierarchy, and removes both at cleanup. It returns the
// directory and the 64-hex id.
func containerCgroup(t testing.TB) (dir, id string) {
	t.Helper()
	requireLive(t)
	base := childtest.CgroupBase()
	if base == "" {
		childtest.SkipOrFail(t, "no cgroup hierarchy with cgroup.procs under /sys/fs/cgroup")
	}
	var b [32]byte
	rand.Read(b[:])
	id = hex.EncodeToString(b[:])
	parent := filepath.Join(base, fmt.Sprintf("saker-livetest-%d", os.Getpid()))
	dir = filepath.Join(parent, "docker-"+id+".scope")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		os.Remove(parent)
		childtest.SkipOrFail(t, "cannot make a cgroup: %v", err)
	}
	t.Cleanup(func() {
		// The helper has been waited for; its cgroup empties at once,
		// but give the kernel a moment before giving up.
		for i := 0; i < 50; i++ {
			if err := os.Remove(dir); err == nil || os.IsNotExist(err) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		os.Remove(parent)
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("cgroup %s left behind", dir)
		}
	})
	return dir, id
}

// A process in a freshly made cgroup with a container-style path:
// container.id (12 characters) and container.type from its cgroups, on its
// execve and on what it starts (inherited at clone, read again at execve).
func TestContainerFields(t *testing.T) {
	dir, id := containerCgroup(t)
	conds := compile(t, "container.id != host and container.id="+id[:12]) // the container macro, and this one
	r := runWatched(t, watchOpts{conds: conds}, 0, "cgroup-exec", dir, "/bin/sh", "-c", "/bin/true; exit 0")
	pid := strconv.Itoa(r.pid)
	inside := []string{"container.id", id[:12], "container.type", "docker", "user.name", "root", "user.uid", "0"}

	rec := r.one(t, "execve", where("evt.rawarg.filename", "/bin/sh"))
	expect(t, rec, inside...)
	expect(t, rec, "proc.name", "sh", "proc.pid", pid)
	if !rec.holds(conds[0].text) {
		t.Errorf("sh's execve: %q does not hold", conds[0].text)
	}
	rec = r.one(t, "vfork", where("evt.res", "SUCCESS", "proc.pid", pid))
	child, err := strconv.Atoi(rec.get("evt.rawres"))
	if err != nil || child <= 0 {
		t.Fatalf("vfork in the shell returned %q", rec.get("evt.rawres"))
	}
	rec = r.oneOf(t, "vfork", child, nil)
	expect(t, rec, inside...)
	rec = r.oneOf(t, "execve", child, nil)
	expect(t, rec, inside...)
	expect(t, rec, "proc.name", "true", "proc.pname", "sh")
	rec = r.oneOf(t, "procexit", child, nil)
	expect(t, rec, "container.id", id[:12])

	// Before it moved itself into the cgroup the helper was on the host.
	rec = r.one(t, "open", where("evt.rawarg.name", "/dev/null"))
	expect(t, rec, "container.id", "host", "container.type", "host", "proc.pid", pid)
}
