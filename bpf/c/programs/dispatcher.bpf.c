/* The syscall exit dispatcher: the only program on raw_syscalls/sys_exit.
 * It returns at once for syscalls outside the interesting set (the common
 * case, kept to a map lookup), skips saker's own threads and 32-bit compat
 * syscalls, applies kernel sampling, then tail-calls the syscall's program.
 * Programs always return 0 (a non-zero return costs ~70 ns on the CPU the
 * tracepoint's perf event is bound to, perf.md §2.3). */
#include "prog.h"

#define TS_COMPAT 0x0002

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	u32 id = regs->orig_ax;
	u8 filter = syscall_filter(id);
	if (!filter)
		return 0;
	struct task_struct *task = current_task();
	if (task->thread_info.status & TS_COMPAT)
		return 0;
	if (exit_verdict(filter, bpf_get_current_pid_tgid() >> 32) != VERDICT_WRITE)
		return 0;
	/* A successful execve is written at sched_process_exec, where the new
	 * program's details and the file name are still at hand. */
	if (ret == 0 && (id == NR_execve || id == NR_execveat))
		return 0;
	bpf_tail_call(ctx, &syscall_exit_tail_table, id);
	return 0;
}
