package childtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Meta makes the directory-entry and metadata calls in dir, each recorded
// under its name: mkdir, mkdirat, rmdir, unlinkat(AT_REMOVEDIR) (key
// unlinkat_dir), creat, rename, renameat, renameat2, link, linkat,
// symlink (s1, pointing at symlinkTarget), symlinkat (s2, pointing at f4),
// chmod, fchmodat, chown, lchown, fchownat, unlink, unlinkat, then fchmod
// and fchown of f4 (opened as f4fd); dfd is the directory's fd.
func Meta(dir, symlinkTarget string, out map[string]any) int {
	// steps holds the paths' addresses as uintptrs, which do not keep the
	// buffers alive: keep does, until the last call.
	var keep []unsafe.Pointer
	rel := func(n string) uintptr {
		c := CStr(n)
		keep = append(keep, c)
		return uintptr(c)
	}
	p := func(n string) uintptr { return rel(filepath.Join(dir, n)) }
	dfd, _ := Raw(unix.SYS_OPEN, uintptr(CStr(dir)), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	out["dfd"] = dfd
	steps := []struct {
		key string
		nr  uintptr
		a   []uintptr
	}{
		{"mkdir", unix.SYS_MKDIR, []uintptr{p("d1"), 0o750}},
		{"mkdirat", unix.SYS_MKDIRAT, []uintptr{uintptr(dfd), rel("d2"), 0o700}},
		{"rmdir", unix.SYS_RMDIR, []uintptr{p("d1")}},
		{"unlinkat_dir", unix.SYS_UNLINKAT, []uintptr{uintptr(dfd), rel("d2"), unix.AT_REMOVEDIR}},
		{"creat", unix.SYS_CREAT, []uintptr{p("f1"), 0o644}},
		{"rename", unix.SYS_RENAME, []uintptr{p("f1"), p("f2")}},
		{"renameat", unix.SYS_RENAMEAT, []uintptr{uintptr(dfd), rel("f2"), uintptr(dfd), rel("f3")}},
		{"renameat2", unix.SYS_RENAMEAT2, []uintptr{uintptr(dfd), rel("f3"), uintptr(dfd), rel("f4"), unix.RENAME_NOREPLACE}},
		{"link", unix.SYS_LINK, []uintptr{p("f4"), p("l1")}},
		{"linkat", unix.SYS_LINKAT, []uintptr{uintptr(dfd), rel("f4"), uintptr(dfd), rel("l2"), unix.AT_SYMLINK_FOLLOW}},
		{"symlink", unix.SYS_SYMLINK, []uintptr{rel(symlinkTarget), p("s1")}},
		{"symlinkat", unix.SYS_SYMLINKAT, []uintptr{rel("f4"), uintptr(dfd), rel("s2")}},
		{"chmod", unix.SYS_CHMOD, []uintptr{p("f4"), 0o4755}},
		{"fchmodat", unix.SYS_FCHMODAT, []uintptr{uintptr(dfd), rel("f4"), 0o600}},
		{"chown", unix.SYS_CHOWN, []uintptr{p("f4"), 1, 2}},
		{"lchown", unix.SYS_LCHOWN, []uintptr{p("s1"), 3, 4}},
		{"fchownat", unix.SYS_FCHOWNAT, []uintptr{uintptr(dfd), rel("s2"), 5, 6, unix.AT_SYMLINK_NOFOLLOW}},
		{"unlink", unix.SYS_UNLINK, []uintptr{p("l1")}},
		{"unlinkat", unix.SYS_UNLINKAT, []uintptr{uintptr(dfd), rel("l2"), 0}},
	}
	for _, s := range steps {
		r, e := Raw(s.nr, s.a...)
		Must(out, s.key, r, e)
		if s.key == "creat" {
			unix.Close(int(r))
		}
	}
	fd, _ := Raw(unix.SYS_OPEN, p("f4"), unix.O_RDONLY, 0)
	out["f4fd"] = fd
	r, e := Raw(unix.SYS_FCHMOD, uintptr(fd), 0o640)
	Must(out, "fchmod", r, e)
	r, e = Raw(unix.SYS_FCHOWN, uintptr(fd), 7, 8)
	Must(out, "fchown", r, e)
	runtime.KeepAlive(keep)
	return 0
}

// MountChroot, in a mount namespace of the caller's own (after
// unshare(CLONE_NEWNS)), makes / private, mounts a tmpfs on mnt and
// unmounts it, then chdir(cwd), fchdir to an fd of / and chroot("/").
// Keys: mount, umount2, chdir, rootfd, fchdir, chroot.
func MountChroot(out map[string]any, mnt, cwd string) {
	Raw(unix.SYS_MOUNT, 0, uintptr(CStr("/")), 0, unix.MS_REC|unix.MS_PRIVATE, 0)
	r, e := Raw(unix.SYS_MOUNT, uintptr(CStr("saker-tmpfs")), uintptr(CStr(mnt)), uintptr(CStr("tmpfs")), unix.MS_NOSUID|unix.MS_NODEV, uintptr(CStr("size=1m")))
	Must(out, "mount", r, e)
	r, e = Raw(unix.SYS_UMOUNT2, uintptr(CStr(mnt)), unix.MNT_DETACH)
	Must(out, "umount2", r, e)

	r, e = Raw(unix.SYS_CHDIR, uintptr(CStr(cwd)))
	Must(out, "chdir", r, e)
	root, _ := Raw(unix.SYS_OPEN, uintptr(CStr("/")), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	out["rootfd"] = root
	r, e = Raw(unix.SYS_FCHDIR, uintptr(root))
	Must(out, "fchdir", r, e)
	r, e = Raw(unix.SYS_CHROOT, uintptr(CStr("/")))
	Must(out, "chroot", r, e)
}

// CgroupBase is the first cgroup hierarchy under /sys/fs/cgroup that a
// process can be moved into (it has cgroup.procs): the pids controller's
// or the unified one of a v1 or hybrid layout, else the v2 root; "" if
// there is none.
func CgroupBase() string {
	for _, b := range []string{"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		if _, err := os.Stat(filepath.Join(b, "cgroup.procs")); err == nil {
			return b
		}
	}
	return ""
}

// CgroupExec is a workload: it moves itself into the cgroup directory
// args[0], then executes args[1] with argv args[1:] and no environment.
// It returns 2 if it cannot join the cgroup, 3 if the exec fails.
func CgroupExec(args []string, out map[string]any) int {
	if err := os.WriteFile(filepath.Join(args[0], "cgroup.procs"), []byte("0"), 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	err := syscall.Exec(args[1], args[1:], nil)
	fmt.Fprintln(os.Stderr, err)
	return 3
}

// ExecMemfd is a workload: it copies the program args[0] into a memfd
// and executes it with execveat(fd, "", AT_EMPTY_PATH), argv
// ["memfd-prog"] and an empty environment. It returns 2 if the program
// cannot be read, 3 without a memfd, 4 if execveat fails.
func ExecMemfd(args []string, out map[string]any) int {
	bin, err := os.ReadFile(args[0])
	if err != nil {
		return 2
	}
	fd, err := unix.MemfdCreate("saker-exe", 0)
	if err != nil {
		return 3
	}
	unix.Write(fd, bin)
	argv := []*byte{(*byte)(CStr("memfd-prog")), nil}
	envp := []*byte{nil}
	_, e := Raw(unix.SYS_EXECVEAT, uintptr(fd), uintptr(CStr("")), uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envp[0])), unix.AT_EMPTY_PATH)
	fmt.Fprintln(os.Stderr, "execveat:", e)
	return 4
}
