/* Common definitions: sizes, load-time constants, small utilities. */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "events_gen.h"

#define NS_PER_SEC 1000000000ULL

/* Syscall numbers index the filter and the tail-call table. */
#define SYSCALL_TABLE_SIZE 512

/* Event sizes. An event is built in a per-CPU scratch buffer twice as large
 * as the largest event, so that any offset masked with MAX_EVENT_MASK plus
 * one maximal write stays inside the buffer: the verifier accepts the
 * masked offsets, and an event that grew past MAX_EVENT_SIZE is detected
 * and dropped (counted) at submit time instead of written out of bounds. */
#define MAX_EVENT_SIZE (64 * 1024)
#define MAX_EVENT_MASK (MAX_EVENT_SIZE - 1)
#define SCRATCH_SIZE (2 * MAX_EVENT_SIZE)
#define HEADER_LEN 26 /* u64 ts | u64 tid | u32 len | u16 type | u32 nparams */

/* Bounds of single parameters. */
#define MAX_PATH 4096      /* paths, as PATH_MAX */
#define MAX_ARGS_ENV 4096  /* execve args and env lists */
#define MAX_ARGV 64        /* argv entries read one by one (failed execve) */
#define MAX_CGROUP_DEPTH 16
#define MAX_PATH_DEPTH 32  /* dentries walked to build a path */

/* Filter bits in interesting_syscalls[nr] (written by userspace). */
#define SC_INTERESTING (1 << 0)
#define SC_NEVER_DROP (1 << 1)
#define SC_CATEGORY_SHIFT 4 /* drop category in the high nibble */

/* Load-time constants, rewritten by userspace before the object is loaded. */
volatile const u64 boot_time_ns = 0; /* CLOCK_REALTIME - CLOCK_BOOTTIME at load */
volatile const u32 saker_tgid = 0;   /* saker's own process, never traced */
volatile const u32 snaplen = 80;     /* bytes of I/O data captured per event */
volatile const u32 fill_cwd = 1;     /* 0: leave cwd empty in clone/execve events (benchmark baseline) */

/* Reads a value from map memory at every use: the verifier then sees an
 * opaque (bounded-by-checks) value instead of a tracked constant, which
 * keeps loops that carry offsets in the map prunable. */
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

static __always_inline u32 min_u32(u32 a, u32 b) { return a < b ? a : b; }
