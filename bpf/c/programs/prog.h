/* What every program file includes. */
#pragma once

#include "../helpers/base.h"
#include "../maps.h"
#include "../helpers/store.h"
#include "../helpers/extract.h"
#include "../helpers/flags.h"
#include "../helpers/sockets.h"
#include "../helpers/proc.h"
#include "../helpers/sampling.h"

/* The exit program of a syscall: tail-called by the dispatcher with the
 * sys_exit context (regs at entry, return value). */
#define SYSCALL_EXIT(name) \
	SEC("tp_btf/sys_exit") \
	int BPF_PROG(name##_x, struct pt_regs *regs, long ret)

/* Starts the syscall's exit event or returns from the program. */
#define BEGIN(event, category)                                                    \
	struct scratch *s = event_begin(event, event##_NPARAMS, category);        \
	if (!s)                                                                    \
		return 0;
