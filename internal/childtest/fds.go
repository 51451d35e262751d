package childtest

import (
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The fd calls receiver/ebpf's and internal/livetest's fds workloads both
// make.

// DupCalls opens /dev/null read-only and duplicates it with dup, dup2 (to
// 100), dup3 (to 101, O_CLOEXEC) and fcntl(F_DUPFD_CLOEXEC, 200). Keys:
// fd, dup, dup2, dup3, fcntl. It returns the opened fd.
func DupCalls(out map[string]any) (fd int64) {
	fd, e := Raw(unix.SYS_OPEN, uintptr(CStr("/dev/null")), unix.O_RDONLY, 0)
	Must(out, "fd", fd, e)
	r, e := Raw(unix.SYS_DUP, uintptr(fd))
	Must(out, "dup", r, e)
	r, e = Raw(unix.SYS_DUP2, uintptr(fd), 100)
	Must(out, "dup2", r, e)
	r, e = Raw(unix.SYS_DUP3, uintptr(fd), 101, unix.O_CLOEXEC)
	Must(out, "dup3", r, e)
	r, e = Raw(unix.SYS_FCNTL, uintptr(fd), unix.F_DUPFD_CLOEXEC, 200)
	Must(out, "fcntl", r, e)
	return fd
}

// Pipes makes a pipe with pipe and another with pipe2(O_NONBLOCK|
// O_CLOEXEC). Keys: pipe, pipe_r, pipe_w, pipe_ino (the first pipe's
// inode, a decimal string), pipe2, pipe2_r, pipe2_w.
func Pipes(out map[string]any) {
	var p [2]int32
	r, e := Raw(unix.SYS_PIPE, uintptr(unsafe.Pointer(&p[0])))
	Must(out, "pipe", r, e)
	out["pipe_r"], out["pipe_w"] = p[0], p[1]
	var st unix.Stat_t
	unix.Fstat(int(p[0]), &st)
	out["pipe_ino"] = strconv.FormatUint(st.Ino, 10)
	r, e = Raw(unix.SYS_PIPE2, uintptr(unsafe.Pointer(&p[0])), unix.O_NONBLOCK|unix.O_CLOEXEC)
	Must(out, "pipe2", r, e)
	out["pipe2_r"], out["pipe2_w"] = p[0], p[1]
}

// AnonFDs makes the fds without a file: memfd_create("saker-memfd"),
// userfaultfd and io_uring_setup with 4 entries. Keys: memfd, userfaultfd,
// io_uring, io_uring_sq and io_uring_cq (the ring sizes the kernel chose).
func AnonFDs(out map[string]any) {
	r, e := Raw(unix.SYS_MEMFD_CREATE, uintptr(CStr("saker-memfd")), unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	Must(out, "memfd", r, e)
	r, e = Raw(unix.SYS_USERFAULTFD, unix.O_CLOEXEC|unix.O_NONBLOCK)
	Must(out, "userfaultfd", r, e)
	var params [120]byte // struct io_uring_params
	r, e = Raw(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&params[0])))
	Must(out, "io_uring", r, e)
	out["io_uring_sq"] = *(*uint32)(unsafe.Pointer(&params[0]))
	out["io_uring_cq"] = *(*uint32)(unsafe.Pointer(&params[4]))
}
