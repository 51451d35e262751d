package childtest

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// AtFDCWD is AT_FDCWD as a syscall argument (-100, sign-extended).
var AtFDCWD = func() uintptr { v := int64(unix.AT_FDCWD); return uintptr(v) }()

// CStr returns a NUL-terminated copy of s for a syscall argument.
func CStr(s string) unsafe.Pointer {
	b := append([]byte(s), 0)
	return unsafe.Pointer(&b[0])
}

// Raw performs system call nr with up to six arguments and returns its
// result, or the negative errno on failure, as an event's res parameter
// shows it.
//
// go:uintptrescapes makes a pointer converted to uintptr in the call
// expression (Raw(nr, uintptr(unsafe.Pointer(&x)))) escape to the heap and
// stay alive until Raw returns, as the syscall package's functions
// guarantee for their own arguments.
//
//go:uintptrescapes
func Raw(nr uintptr, a ...uintptr) (int64, unix.Errno) {
	var args [6]uintptr
	copy(args[:], a)
	r, _, e := unix.Syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
	if e != 0 {
		return -int64(e), e
	}
	return int64(r), 0
}

// Must records a syscall's result under key, and its error text under
// key+"_err" when it failed. It returns v.
func Must(out map[string]any, key string, v int64, e unix.Errno) int64 {
	out[key] = v
	if e != 0 {
		out[key+"_err"] = e.Error()
	}
	return v
}
