// Package rawclone makes threads with clone3 for receiver/ebpf's tests: a
// thread whose only act is to exit, so that the tests can watch the
// kernel's view of a clone3 thread (its exit event, its flags) from Go,
// whose runtime cannot host a thread it did not create. The new thread
// runs on a stack of its own and touches no memory: it calls exit(0) as
// soon as clone3 returns in it.
package rawclone

import "unsafe"

// Args is struct clone_args (clone3(2)), the fields the tests use.
type Args struct {
	Flags      uint64
	Pidfd      uint64
	ChildTid   uint64
	ParentTid  uint64
	ExitSignal uint64
	Stack      uint64
	StackSize  uint64
	TLS        uint64
}

// stacks keeps the new threads' stacks reachable (the kernel, not Go,
// uses them).
var stacks [][]byte

// Thread runs clone3(args) with a fresh 16 KiB stack for the new thread,
// which exits at once. It returns the new thread's id, or the errno.
func Thread(args *Args) (tid int, errno uintptr) {
	stack := make([]byte, 16<<10)
	stacks = append(stacks, stack)
	args.Stack = uint64(uintptr(unsafe.Pointer(&stack[0])))
	args.StackSize = uint64(len(stack))
	r, e := clone3Exit(unsafe.Pointer(args), unsafe.Sizeof(*args))
	return int(r), e
}

// clone3Exit is clone3 whose child calls exit(0) at once (rawclone_amd64.s).
func clone3Exit(args unsafe.Pointer, size uintptr) (r1, errno uintptr)
