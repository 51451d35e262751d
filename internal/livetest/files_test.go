package livetest

import (
	"path/filepath"
	"testing"
)

// The open family and close: fd.* of the new fd, the evt.is_open_*
// predicates the open_read/open_write/open_file_failed macros test, the
// flags rules compare, and the process fields of the opener.
func TestOpenFamilyFields(t *testing.T) {
	dir := t.TempDir()
	r := runHelper(t, 0, "files", dir)
	w := filepath.Join(dir, "w.txt")

	// openat(AT_FDCWD, dir/w.txt, O_WRONLY|O_CREAT|O_TRUNC, 0640)
	rec := r.one(t, "openat", where("evt.rawarg.name", w))
	expectIdentity(t, rec, r, dir)
	wfd := r.numStr(t, "w_fd")
	expect(t, rec,
		"evt.res", "SUCCESS", "evt.rawres", wfd, "evt.failed", "false",
		"fd.num", wfd, "fd.name", w, "fd.nameraw", w, "fd.directory", dir, "fd.filename", "w.txt",
		"fd.typechar", "f", "fd.type", "file",
		"evt.is_open_write", "true", "evt.is_open_read", "false", "evt.is_open_create", "true", "evt.is_open_exec", "false",
		"evt.arg.flags", "O_TRUNC|O_CREAT|O_WRONLY|O_F_CREATED", "evt.arg.mode", "0640",
		"evt.arg.name", w, "evt.arg.fd", "<f>"+w, "evt.arg.dirfd", "AT_FDCWD")

	// close of it: the fd is still named on the close event.
	rec = r.one(t, "close", where("evt.rawarg.fd", wfd, "fd.name", w))
	expect(t, rec, "evt.res", "SUCCESS", "fd.num", wfd, "fd.name", w, "fd.typechar", "f", "evt.arg.fd", "<f>"+w)

	// open(dir/w.txt, O_RDONLY) reuses the fd number.
	rec = r.one(t, "open", where("evt.rawarg.name", w))
	expect(t, rec, "fd.num", r.numStr(t, "r_fd"), "fd.name", w, "evt.is_open_read", "true", "evt.is_open_write", "false",
		"evt.is_open_create", "false", "evt.arg.flags", "O_RDONLY")

	// open(dir, O_DIRECTORY): a directory fd.
	dfd := r.numStr(t, "dir_fd")
	rec = r.one(t, "open", where("evt.rawarg.name", dir))
	expect(t, rec, "fd.num", dfd, "fd.name", dir, "fd.typechar", "d", "fd.type", "directory", "fd.directory", dir)

	// openat(dirfd, "x.sh", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0755): a
	// relative name resolved against the dirfd; created executable.
	x := filepath.Join(dir, "x.sh")
	rec = r.one(t, "openat", where("evt.rawarg.name", "x.sh"))
	expect(t, rec, "fd.num", r.numStr(t, "x_fd"), "fd.name", x, "fd.nameraw", "x.sh", "fd.directory", dir, "fd.filename", "x.sh",
		"evt.is_open_read", "true", "evt.is_open_write", "true", "evt.is_open_create", "true", "evt.is_open_exec", "true",
		"evt.arg.flags", "O_EXCL|O_CREAT|O_RDWR|O_CLOEXEC|O_F_CREATED", "evt.arg.mode", "0755",
		"evt.arg.dirfd", "<d>"+dir, "evt.arg.name", x)

	// A failed openat: no fd, but fd.name is the path (open_file_failed).
	rec = r.one(t, "openat", where("evt.rawarg.name", "missing"))
	expect(t, rec, "evt.res", "ENOENT", "evt.rawres", "-2", "evt.failed", "true",
		"fd.name", filepath.Join(dir, "missing"), "fd.typechar", "f", "evt.is_open_read", "true", "evt.arg.fd", "ENOENT")

	// openat2(dirfd, "w.txt", {O_RDONLY, RESOLVE_BENEATH})
	rec = r.one(t, "openat2", nil)
	expect(t, rec, "fd.num", r.numStr(t, "openat2_fd"), "fd.name", w, "evt.is_open_read", "true",
		"evt.arg.flags", "O_RDONLY", "evt.arg.resolve", "RESOLVE_BENEATH")

	// creat(dir/c.txt, 0604): libs' evt.is_open_* cover the open calls only.
	c := filepath.Join(dir, "c.txt")
	rec = r.one(t, "creat", nil)
	expect(t, rec, "fd.num", r.numStr(t, "creat_fd"), "fd.name", c, "fd.filename", "c.txt", "fd.typechar", "f",
		"evt.arg.mode", "0604", "evt.is_open_write", "false")
}

// The directory-entry and metadata calls: the paths rules compare
// (evt.arg.path/name/oldpath/newpath/target/linkpath/filename), resolved
// against dirfds, modes by name, and fd.name of the fd or dirfd used.
func TestFileMetadataFields(t *testing.T) {
	dir := t.TempDir()
	r := runHelper(t, 0, "meta", dir)
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, k := range []string{"mkdir", "mkdirat", "rmdir", "unlinkat_dir", "creat", "rename", "renameat", "renameat2", "link", "linkat",
		"symlink", "symlinkat", "chmod", "fchmodat", "chown", "lchown", "fchownat", "unlink", "unlinkat", "fchmod", "fchown"} {
		if r.num(t, k) < 0 {
			t.Fatalf("%s failed in the helper: %v", k, r.result[k+"_err"])
		}
	}
	ok := []string{"evt.res", "SUCCESS", "evt.rawres", "0", "evt.failed", "false"}
	dird := "<d>" + dir

	rec := r.one(t, "mkdir", nil)
	expectIdentity(t, rec, r, dir)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.path", p("d1"), "evt.rawarg.mode", "488") // 0750
	rec = r.one(t, "mkdirat", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.path", p("d2"), "evt.rawarg.path", "d2", "evt.arg.dirfd", dird, "fd.name", dir, "fd.typechar", "d")
	rec = r.one(t, "rmdir", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.path", p("d1"))
	rec = r.one(t, "unlinkat", where("evt.rawarg.name", "d2"))
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.name", p("d2"), "evt.arg.flags", "AT_REMOVEDIR", "fd.name", dir)

	rec = r.one(t, "rename", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.oldpath", p("f1"), "evt.arg.newpath", p("f2"))
	rec = r.one(t, "renameat", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.oldpath", p("f2"), "evt.arg.newpath", p("f3"), "evt.arg.olddirfd", dird, "evt.arg.newdirfd", dird)
	rec = r.one(t, "renameat2", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.oldpath", p("f3"), "evt.arg.newpath", p("f4"), "evt.arg.flags", "RENAME_NOREPLACE")

	rec = r.one(t, "link", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.oldpath", p("f4"), "evt.arg.newpath", p("l1"))
	rec = r.one(t, "linkat", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.oldpath", p("f4"), "evt.arg.newpath", p("l2"), "evt.arg.flags", "AT_SYMLINK_FOLLOW", "evt.arg.olddir", dird)
	rec = r.one(t, "symlink", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.target", "/etc/shadow", "evt.arg.linkpath", p("s1"))
	rec = r.one(t, "symlinkat", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.target", "f4", "evt.arg.linkpath", p("s2"), "evt.arg.linkdirfd", dird, "fd.name", dir)

	rec = r.one(t, "chmod", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.filename", p("f4"), "evt.rawarg.mode", "2541", // 04755
		"evt.arg.mode", "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID")
	rec = r.one(t, "fchmodat", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.filename", p("f4"), "evt.arg.mode", "S_IWUSR|S_IRUSR", "fd.name", dir)
	f4fd := r.numStr(t, "f4fd")
	rec = r.one(t, "fchmod", nil)
	expect(t, rec, ok...)
	expect(t, rec, "fd.num", f4fd, "fd.name", p("f4"), "evt.arg.fd", "<f>"+p("f4"), "evt.arg.mode", "S_IRGRP|S_IWUSR|S_IRUSR")

	rec = r.one(t, "chown", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.path", p("f4"), "evt.arg.uid", "1", "evt.arg.gid", "2")
	rec = r.one(t, "lchown", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.path", p("s1"), "evt.arg.uid", "3", "evt.arg.gid", "4")
	rec = r.one(t, "fchownat", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.pathname", p("s2"), "evt.arg.uid", "5", "evt.arg.gid", "6", "fd.name", dir,
		"evt.arg.flags", "AT_SYMLINK_NOFOLLOW")
	rec = r.one(t, "fchown", nil)
	expect(t, rec, ok...)
	expect(t, rec, "fd.name", p("f4"), "evt.arg.uid", "7", "evt.arg.gid", "8")

	rec = r.one(t, "unlink", nil)
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.path", p("l1"))
	rec = r.one(t, "unlinkat", where("evt.rawarg.name", "l2"))
	expect(t, rec, ok...)
	expect(t, rec, "evt.arg.name", p("l2"), "fd.name", dir)
}
