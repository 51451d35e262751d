/* Programs that are loaded but never attached by saker itself: a
 * raw-tracepoint twin of the dispatcher's decision, run with
 * BPF_PROG_TEST_RUN by the unit tests (tp_btf programs cannot be
 * test-run), and the empty programs and raw-tracepoint dispatcher that the
 * overhead benchmark attaches as its floor and comparison points. */
#include "../prog.h"

/* test_verdict: args[0] = syscall id, args[1] = tgid; returns the verdict
 * (enum exit_verdict) the dispatcher would reach, with all its side
 * effects (counters, DROP events). */
SEC("raw_tracepoint/sys_exit")
int test_verdict(struct bpf_raw_tracepoint_args *ctx)
{
	u32 id = ctx->args[0];
	u32 tgid = ctx->args[1];
	u8 filter = syscall_filter(id);
	if (!filter)
		return VERDICT_FILTERED;
	return exit_verdict(filter, tgid);
}

/* bench_empty_raw: the cheapest possible raw tracepoint program (the floor). */
SEC("raw_tracepoint/sys_exit")
int bench_empty_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

/* bench_empty_btf: the same on a tp_btf hook. */
SEC("tp_btf/sys_exit")
int BPF_PROG(bench_empty_btf, struct pt_regs *regs, long ret)
{
	return 0;
}

/* bench_filter_raw: the dispatcher's filter on a raw tracepoint, where the
 * syscall id must be read with bpf_probe_read_kernel. */
SEC("raw_tracepoint/sys_exit")
int bench_filter_raw(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	u64 id = 0;
	bpf_probe_read_kernel(&id, sizeof(id), &regs->orig_ax);
	u8 filter = syscall_filter(id);
	if (!filter)
		return 0;
	exit_verdict(filter, bpf_get_current_pid_tgid() >> 32);
	return 0;
}
