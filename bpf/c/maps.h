/* Every map of the probe. Userspace (receiver/ebpf) sizes the rings and the
 * outer ring array before load and writes the filter and settings maps. */
#pragma once

#include "helpers/base.h"

/* One BPF ring buffer per CPU; max_entries is replaced by the configured size. */
struct ringbuf_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 64);
};

/* ringbufs[cpu]: the ring of each possible CPU, created and inserted by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, u32);
	__array(values, struct ringbuf_map);
} ringbufs SEC(".maps");

/* interesting_syscalls[nr]: SC_* bits and drop category of each syscall; 0 = not traced. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, u32);
	__type(value, u8);
} interesting_syscalls SEC(".maps");

/* Runtime settings, written by userspace only. */
struct settings {
	u32 sampling_ratio; /* 1, 2, 4, ... 128; 0 or 1 = no sampling */
	u32 procexit;       /* 1 = write procexit events */
};

/* settings_map[0]: the one settings record. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct settings);
} settings_map SEC(".maps");

/* sampling_state[0]: 1 while inside a kernel-sampling drop window (PPME_DROP_E
 * written, PPME_DROP_X not yet); written by the programs only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} sampling_state SEC(".maps");

/* Per-CPU counters of every event written or lost; userspace sums them on demand. */
struct counters {
	u64 n_evts;                            /* events the programs tried to write */
	u64 n_drops_buffer;                    /* lost: ring full (all categories) */
	u64 n_drops_buffer_cat[DROP_CAT_MAX];  /* lost: ring full, by drop category */
	u64 n_drops_scratch_map;               /* lost: no scratch buffer or no ring for this CPU */
	u64 n_drops_max_event_size;            /* lost: event larger than MAX_EVENT_SIZE */
	u64 n_sampled;                         /* dropped by kernel sampling (all categories) */
	u64 n_sampled_cat[DROP_CAT_MAX];       /* dropped by kernel sampling, by category */
	u64 n_read_errors;                     /* parameters left empty because a read failed */
};

/* counters[0] on each CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct counters);
} counters_map SEC(".maps");

/* The event under construction on this CPU (see helpers/store.h). */
struct scratch {
	u8 data[SCRATCH_SIZE];
	u64 payload_pos; /* offset of the next parameter byte */
	u64 ts;          /* event timestamp, taken when the event starts */
	u32 nparams;     /* parameters the event type has */
	u32 lengths_pos; /* index of the next parameter length */
	u16 event_type;
	u8 category;     /* drop category for the counters */
};

/* scratch_map[cpu]: the event being built on each CPU (too large for a
 * per-CPU array; max_entries is set to the number of possible CPUs). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* A second per-CPU buffer for building paths backwards (dentry walks). */
struct path_scratch {
	u8 data[3 * MAX_PATH]; /* paths are built in the first 2*MAX_PATH; the rest is slack for masked reads */
	u32 pos;               /* cursor of the path being built backwards */
};

/* path_scratch_map[cpu]: one per possible CPU, like scratch_map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct path_scratch);
} path_scratch_map SEC(".maps");

/* The exit program of each syscall, defined in programs/syscalls/<name>.bpf.c,
 * and the one program of every syscall written as a generic event. */
#define DECLARE_EXIT_PROG(nr, name, event, cat) int name##_x(unsigned long long *ctx);
SAKER_SYSCALLS(DECLARE_EXIT_PROG)
int generic_x(unsigned long long *ctx);

/* syscall_exit_tail_table[nr]: the exit program of syscall nr, filled at load from this initializer. */
#define TAIL_TABLE_ENTRY(nr, name, event, cat) [nr] = (void *)&name##_x,
#define GENERIC_TAIL_TABLE_ENTRY(nr, name, ppmsc) [nr] = (void *)&generic_x,
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, u32);
	__array(values, int(void *));
} syscall_exit_tail_table SEC(".maps") = {
	.values = { SAKER_SYSCALLS(TAIL_TABLE_ENTRY) SAKER_GENERIC_SYSCALLS(GENERIC_TAIL_TABLE_ENTRY) },
};

static __always_inline struct counters *counters(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&counters_map, &zero);
}

static __always_inline u32 *dropping_flag(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&sampling_state, &zero);
}

static __always_inline struct settings *settings(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&settings_map, &zero);
}
