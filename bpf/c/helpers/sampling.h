/* The in-kernel syscall filter and kernel sampling, shared by the sys_exit
 * dispatcher and its raw-tracepoint test twin. */
#pragma once

#include "store.h"

/* Filter bits of syscall id, 0 when it is not traced. */
static __always_inline u8 syscall_filter(u32 id)
{
	if (id >= SYSCALL_TABLE_SIZE)
		return 0;
	u8 *f = bpf_map_lookup_elem(&interesting_syscalls, &id);
	return f ? *f : 0;
}

/* A PPME_DROP_E/PPME_DROP_X event carrying the sampling ratio. */
static __always_inline void write_drop_event(u16 type, u32 ratio)
{
	struct scratch *s = event_begin(type, 1, DROP_CAT_OTHER);
	if (!s)
		return;
	/* Parameter 1: ratio (type: PT_UINT32) */
	push_u32(s, ratio);
	event_submit(s);
}

/* Kernel sampling at ratio R > 1: an event that is not NEVER_DROP is dropped
 * when (boot ns % 1 s) >= 1 s / R, i.e. only the first 1/R of every second is
 * kept. Entering a drop window writes PPME_DROP_E(ratio) and leaving it
 * PPME_DROP_X(ratio), once across CPUs; lowering the ratio to 1 inside a
 * window closes it with PPME_DROP_X(1). Returns true to drop. */
static __always_inline bool sampling_drop(u8 filter)
{
	struct settings *st = settings();
	u32 *dropping = dropping_flag();
	if (!st || !dropping)
		return false;
	u32 ratio = st->sampling_ratio;
	if (ratio <= 1) {
		if (*dropping && __sync_val_compare_and_swap(dropping, 1, 0) == 1)
			write_drop_event(PPME_DROP_X, 1);
		return false;
	}
	if (filter & SC_NEVER_DROP)
		return false;
	if (bpf_ktime_get_boot_ns() % NS_PER_SEC >= NS_PER_SEC / ratio) {
		if (!*dropping && __sync_val_compare_and_swap(dropping, 0, 1) == 0)
			write_drop_event(PPME_DROP_E, ratio);
		struct counters *c = counters();
		if (c) {
			c->n_sampled++;
			u32 cat = filter >> SC_CATEGORY_SHIFT;
			if (cat < DROP_CAT_MAX)
				c->n_sampled_cat[cat]++;
		}
		return true;
	}
	if (*dropping && __sync_val_compare_and_swap(dropping, 1, 0) == 1)
		write_drop_event(PPME_DROP_X, ratio);
	return false;
}

/* What the dispatcher does with a syscall exit. */
enum exit_verdict {
	VERDICT_FILTERED = 0, /* not in the interesting set */
	VERDICT_SELF = 1,     /* saker's own process */
	VERDICT_SAMPLED = 2,  /* dropped by kernel sampling */
	VERDICT_WRITE = 3,    /* write the event */
};

/* The decision after the filter matched: own process, then sampling. */
static __always_inline int exit_verdict(u8 filter, u32 tgid)
{
	if (tgid == saker_tgid)
		return VERDICT_SELF;
	if (sampling_drop(filter))
		return VERDICT_SAMPLED;
	return VERDICT_WRITE;
}
