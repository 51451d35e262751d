package childtest

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// ForkExit forks a child that exits at once with status, records the
// child's pid under key and waits for it.
func ForkExit(out map[string]any, key string, status uintptr) {
	r, _, e := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
	if e == 0 && r == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, status, 0, 0)
	}
	out[key] = r
	var ws unix.WaitStatus
	unix.Wait4(int(r), &ws, 0, nil)
}

// Clone3Killed makes a child process with clone3 that kills itself with
// SIGKILL, records its pid under clone3 and waits for it.
func Clone3Killed(out map[string]any) {
	// struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls
	ca := [8]uint64{4: uint64(unix.SIGCHLD)}
	r, _, e := unix.RawSyscall(unix.SYS_CLONE3, uintptr(unsafe.Pointer(&ca)), unsafe.Sizeof(ca), 0)
	if e == 0 && r == 0 {
		self, _, _ := unix.RawSyscall(unix.SYS_GETPID, 0, 0, 0)
		unix.RawSyscall(unix.SYS_KILL, self, uintptr(unix.SIGKILL), 0)
	}
	out["clone3"] = r
	var ws unix.WaitStatus
	unix.Wait4(int(r), &ws, 0, nil)
}

// TkillTgkill sends signal 0 to thread pid (the caller's main thread) with
// tkill and tgkill: keys tkill, tgkill.
func TkillTgkill(out map[string]any, pid int) {
	k, e := Raw(unix.SYS_TKILL, uintptr(pid), 0)
	Must(out, "tkill", k, e)
	k, e = Raw(unix.SYS_TGKILL, uintptr(pid), uintptr(pid), 0)
	Must(out, "tgkill", k, e)
}
