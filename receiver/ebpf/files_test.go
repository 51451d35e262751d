package ebpf

import (
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/receiver/event"
)

func TestOpenFamily(t *testing.T) {
	dir := t.TempDir()
	r := runHelper(t, 0, "files-open", dir)
	a := filepath.Join(dir, "a.txt")

	ev := r.one(t, event.SyscallOpenX, byStr(t, "name", a))
	eq(t, "open fd", pint(t, ev, "fd"), r.num(t, "open_fd"))
	eq(t, "open flags", puint(t, ev, "flags"), pO_WRONLY|pO_CREAT|pO_TRUNC|pO_F_CREATED)
	eq(t, "open mode", puint(t, ev, "mode"), 0o640)
	eq(t, "open dev", puint(t, ev, "dev"), uint64(uint32(r.num(t, "a_dev"))))
	eq(t, "open ino", puint(t, ev, "ino"), uint64(r.num(t, "a_ino")))

	ev = r.one(t, event.SyscallOpenatV2X, byStr(t, "name", "b.txt"))
	eq(t, "openat fd", pint(t, ev, "fd"), r.num(t, "openat_fd"))
	eq(t, "openat dirfd", pint(t, ev, "dirfd"), r.num(t, "dir_fd"))
	eq(t, "openat flags", puint(t, ev, "flags"), pO_RDWR|pO_CREAT|pO_EXCL|pO_CLOEXEC|pO_F_CREATED)
	eq(t, "openat mode", puint(t, ev, "mode"), 0o600)
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(dir, "b.txt"), &st); err != nil {
		t.Fatal(err)
	}
	eq(t, "openat ino", puint(t, ev, "ino"), st.Ino)
	eq(t, "openat dev", puint(t, ev, "dev"), uint64(uint32(st.Dev)))

	ev = r.one(t, event.SyscallOpenatV2X, byStr(t, "name", "missing"))
	eq(t, "failed openat fd", pint(t, ev, "fd"), -int64(unix.ENOENT))
	eq(t, "failed openat flags", puint(t, ev, "flags"), pO_RDONLY)
	eq(t, "failed openat ino", puint(t, ev, "ino"), 0)

	ev = r.one(t, event.SyscallOpenat2X, nil)
	eq(t, "openat2 fd", pint(t, ev, "fd"), r.num(t, "openat2_fd"))
	eq(t, "openat2 name", pstr(t, ev, "name"), "b.txt")
	eq(t, "openat2 flags", puint(t, ev, "flags"), pO_RDONLY)
	eq(t, "openat2 resolve", puint(t, ev, "resolve"), 1|8) // PPM RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
	eq(t, "openat2 ino", puint(t, ev, "ino"), st.Ino)

	ev = r.one(t, event.SyscallCreatX, byStr(t, "name", filepath.Join(dir, "c.txt")))
	eq(t, "creat fd", pint(t, ev, "fd"), r.num(t, "creat_fd"))
	eq(t, "creat mode", puint(t, ev, "mode"), 0o604)
	if puint(t, ev, "ino") == 0 {
		t.Error("creat ino is 0")
	}
}

func TestFileMetadataFamily(t *testing.T) {
	dir := t.TempDir()
	r := runHelper(t, 0, "files-meta", dir)
	p := func(n string) string { return filepath.Join(dir, n) }
	dfd := r.num(t, "dfd")
	ok := func(ev *event.Event, key string) {
		t.Helper()
		eq(t, key+" res", pint(t, ev, "res"), r.num(t, key))
		eq(t, key+" res is success", r.num(t, key) >= 0, true)
	}

	ev := r.one(t, event.SyscallMkdirV2X, nil)
	ok(ev, "mkdir")
	eq(t, "mkdir path", pstr(t, ev, "path"), p("d1"))
	eq(t, "mkdir mode", puint(t, ev, "mode"), 0o750)
	ev = r.one(t, event.SyscallMkdiratX, nil)
	ok(ev, "mkdirat")
	eq(t, "mkdirat dirfd", pint(t, ev, "dirfd"), dfd)
	eq(t, "mkdirat path", pstr(t, ev, "path"), "d2")
	eq(t, "mkdirat mode", puint(t, ev, "mode"), 0o700)
	ev = r.one(t, event.SyscallRmdirV2X, nil)
	ok(ev, "rmdir")
	eq(t, "rmdir path", pstr(t, ev, "path"), p("d1"))
	ev = r.one(t, event.SyscallUnlinkatV2X, byStr(t, "name", "d2"))
	ok(ev, "unlinkat_dir")
	eq(t, "unlinkat flags", puint(t, ev, "flags"), 0x200) // PPM_AT_REMOVEDIR
	ev = r.one(t, event.SyscallUnlinkatV2X, byStr(t, "name", "l2"))
	ok(ev, "unlinkat")
	eq(t, "unlinkat flags", puint(t, ev, "flags"), 0)
	eq(t, "unlinkat dirfd", pint(t, ev, "dirfd"), dfd)
	ev = r.one(t, event.SyscallUnlinkV2X, nil)
	ok(ev, "unlink")
	eq(t, "unlink path", pstr(t, ev, "path"), p("l1"))

	ev = r.one(t, event.SyscallRenameX, nil)
	ok(ev, "rename")
	eq(t, "rename oldpath", pstr(t, ev, "oldpath"), p("f1"))
	eq(t, "rename newpath", pstr(t, ev, "newpath"), p("f2"))
	ev = r.one(t, event.SyscallRenameatX, nil)
	ok(ev, "renameat")
	eq(t, "renameat olddirfd", pint(t, ev, "olddirfd"), dfd)
	eq(t, "renameat oldpath", pstr(t, ev, "oldpath"), "f2")
	eq(t, "renameat newdirfd", pint(t, ev, "newdirfd"), dfd)
	eq(t, "renameat newpath", pstr(t, ev, "newpath"), "f3")
	ev = r.one(t, event.SyscallRenameat2X, nil)
	ok(ev, "renameat2")
	eq(t, "renameat2 newpath", pstr(t, ev, "newpath"), "f4")
	eq(t, "renameat2 flags", puint(t, ev, "flags"), 1) // RENAME_NOREPLACE

	ev = r.one(t, event.SyscallLinkV2X, nil)
	ok(ev, "link")
	eq(t, "link oldpath", pstr(t, ev, "oldpath"), p("f4"))
	eq(t, "link newpath", pstr(t, ev, "newpath"), p("l1"))
	ev = r.one(t, event.SyscallLinkatV2X, nil)
	ok(ev, "linkat")
	eq(t, "linkat olddir", pint(t, ev, "olddir"), dfd)
	eq(t, "linkat newpath", pstr(t, ev, "newpath"), "l2")
	eq(t, "linkat flags", puint(t, ev, "flags"), 0x400) // PPM_AT_SYMLINK_FOLLOW
	ev = r.one(t, event.SyscallSymlinkX, nil)
	ok(ev, "symlink")
	eq(t, "symlink target", pstr(t, ev, "target"), "f4")
	eq(t, "symlink linkpath", pstr(t, ev, "linkpath"), p("s1"))
	ev = r.one(t, event.SyscallSymlinkatX, nil)
	ok(ev, "symlinkat")
	eq(t, "symlinkat linkdirfd", pint(t, ev, "linkdirfd"), dfd)
	eq(t, "symlinkat linkpath", pstr(t, ev, "linkpath"), "s2")

	ev = r.one(t, event.SyscallChmodX, nil)
	ok(ev, "chmod")
	eq(t, "chmod filename", pstr(t, ev, "filename"), p("f4"))
	eq(t, "chmod mode", puint(t, ev, "mode"), 0o4755)
	ev = r.one(t, event.SyscallFchmodatX, nil)
	ok(ev, "fchmodat")
	eq(t, "fchmodat filename", pstr(t, ev, "filename"), "f4")
	eq(t, "fchmodat mode", puint(t, ev, "mode"), 0o600)
	ev = r.one(t, event.SyscallFchmodX, nil)
	ok(ev, "fchmod")
	eq(t, "fchmod fd", pint(t, ev, "fd"), r.num(t, "f4fd"))
	eq(t, "fchmod mode", puint(t, ev, "mode"), 0o640)

	ev = r.one(t, event.SyscallChownX, nil)
	ok(ev, "chown")
	eq(t, "chown path", pstr(t, ev, "path"), p("f4"))
	eq(t, "chown uid/gid", [2]uint64{puint(t, ev, "uid"), puint(t, ev, "gid")}, [2]uint64{1, 2})
	ev = r.one(t, event.SyscallLchownX, nil)
	ok(ev, "lchown")
	eq(t, "lchown uid/gid", [2]uint64{puint(t, ev, "uid"), puint(t, ev, "gid")}, [2]uint64{3, 4})
	ev = r.one(t, event.SyscallFchownatX, nil)
	ok(ev, "fchownat")
	eq(t, "fchownat pathname", pstr(t, ev, "pathname"), "s2")
	eq(t, "fchownat flags", puint(t, ev, "flags"), 0x100) // PPM_AT_SYMLINK_NOFOLLOW
	ev = r.one(t, event.SyscallFchownX, nil)
	ok(ev, "fchown")
	eq(t, "fchown uid/gid", [2]uint64{puint(t, ev, "uid"), puint(t, ev, "gid")}, [2]uint64{7, 8})
}

func TestFDFamily(t *testing.T) {
	r := runHelper(t, 0, "fds")
	fd := r.num(t, "fd")

	ev := r.one(t, event.SyscallDupV1X, nil)
	eq(t, "dup res", pint(t, ev, "res"), r.num(t, "dup"))
	eq(t, "dup oldfd", pint(t, ev, "oldfd"), fd)
	ev = r.one(t, event.SyscallDup2X, nil)
	eq(t, "dup2 res", pint(t, ev, "res"), 100)
	eq(t, "dup2 oldfd/newfd", [2]int64{pint(t, ev, "oldfd"), pint(t, ev, "newfd")}, [2]int64{fd, 100})
	ev = r.one(t, event.SyscallDup3X, byInt(t, "newfd", 101))
	eq(t, "dup3 res", pint(t, ev, "res"), 101)
	eq(t, "dup3 flags", puint(t, ev, "flags"), pO_CLOEXEC)
	ev = r.one(t, event.SyscallFcntlX, byInt(t, "arg", 200))
	eq(t, "fcntl res", pint(t, ev, "res"), r.num(t, "fcntl"))
	eq(t, "fcntl fd", pint(t, ev, "fd"), fd)
	eq(t, "fcntl cmd", puint(t, ev, "cmd"), 26) // PPM F_DUPFD_CLOEXEC

	ev = r.one(t, event.SyscallPipeX, nil)
	eq(t, "pipe res", pint(t, ev, "res"), 0)
	eq(t, "pipe fds", [2]int64{pint(t, ev, "fd1"), pint(t, ev, "fd2")}, [2]int64{r.num(t, "pipe_r"), r.num(t, "pipe_w")})
	eq(t, "pipe ino", puint(t, ev, "ino"), uint64(r.num(t, "pipe_ino")))
	ev = r.one(t, event.SyscallPipe2X, nil)
	eq(t, "pipe2 fds", [2]int64{pint(t, ev, "fd1"), pint(t, ev, "fd2")}, [2]int64{r.num(t, "pipe2_r"), r.num(t, "pipe2_w")})
	eq(t, "pipe2 flags", puint(t, ev, "flags"), pO_NONBLOCK|pO_CLOEXEC)

	ev = r.one(t, event.SyscallCloseX, byInt(t, "fd", 100))
	eq(t, "close res", pint(t, ev, "res"), 0)
	ev = r.one(t, event.SyscallCloseX, byInt(t, "fd", 9999))
	eq(t, "bad close res", pint(t, ev, "res"), -int64(unix.EBADF))

	ev = r.one(t, event.SyscallMemfdCreateX, nil)
	eq(t, "memfd fd", pint(t, ev, "fd"), r.num(t, "memfd"))
	eq(t, "memfd name", pstr(t, ev, "name"), "saker-memfd")
	eq(t, "memfd flags", puint(t, ev, "flags"), 1|2) // MFD_CLOEXEC | MFD_ALLOW_SEALING
	ev = r.one(t, event.SyscallUserfaultfdX, nil)
	eq(t, "userfaultfd res", pint(t, ev, "res"), r.num(t, "userfaultfd"))
	eq(t, "userfaultfd flags", puint(t, ev, "flags"), pO_CLOEXEC|pO_NONBLOCK)
	ev = r.one(t, event.SyscallIoUringSetupX, nil)
	eq(t, "io_uring_setup res", pint(t, ev, "res"), r.num(t, "io_uring"))
	eq(t, "io_uring_setup entries", puint(t, ev, "entries"), 4)
	if r.num(t, "io_uring") >= 0 {
		eq(t, "io_uring_setup sq_entries", puint(t, ev, "sq_entries"), uint64(r.num(t, "io_uring_sq")))
		eq(t, "io_uring_setup cq_entries", puint(t, ev, "cq_entries"), uint64(r.num(t, "io_uring_cq")))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
