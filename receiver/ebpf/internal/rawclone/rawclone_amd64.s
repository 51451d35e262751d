#include "textflag.h"

// func clone3Exit(args unsafe.Pointer, size uintptr) (r1, errno uintptr)
TEXT ·clone3Exit(SB),NOSPLIT,$0-32
	MOVQ	args+0(FP), DI
	MOVQ	size+8(FP), SI
	MOVQ	$435, AX	// SYS_clone3
	SYSCALL
	CMPQ	AX, $0
	JNE	parent
	// The new thread: exit(0) before touching any memory.
	MOVQ	$0, DI
	MOVQ	$60, AX	// SYS_exit
	SYSCALL
parent:
	CMPQ	AX, $0xfffffffffffff001
	JLS	ok
	MOVQ	$-1, r1+16(FP)
	NEGQ	AX
	MOVQ	AX, errno+24(FP)
	RET
ok:
	MOVQ	AX, r1+16(FP)
	MOVQ	$0, errno+24(FP)
	RET
