/* Building an event in the per-CPU scratch buffer and writing it to this
 * CPU's ring. An event is: header | nparams u16 lengths | parameter bytes.
 * Programs call event_begin, then one push_* per parameter in table order
 * (every parameter is pushed, absent ones as empty), then event_submit. */
#pragma once

#include "../maps.h"

/* Offsets into the scratch buffer are masked so the verifier can bound them. */
#define SAFE_OFF(off) ((off) & MAX_EVENT_MASK)

static __always_inline void count_read_error(void)
{
	struct counters *c = counters();
	if (c)
		c->n_read_errors++;
}

/* Starts an event of type `type` with `nparams` parameters. Returns NULL
 * (and counts the loss) when the scratch buffer is missing. */
static __always_inline struct scratch *event_begin(u16 type, u32 nparams, u8 category)
{
	u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &cpu);
	if (!s) {
		struct counters *c = counters();
		if (c) {
			c->n_evts++;
			c->n_drops_scratch_map++;
		}
		return NULL;
	}
	s->ts = bpf_ktime_get_boot_ns() + boot_time_ns;
	s->event_type = type;
	s->nparams = nparams;
	s->lengths_pos = 0;
	s->category = category;
	s->payload_pos = HEADER_LEN + nparams * sizeof(u16);
	return s;
}

static __always_inline void push_len(struct scratch *s, u16 len)
{
	u32 i = s->lengths_pos;
	if (i >= 64)
		return;
	*(u16 *)&s->data[HEADER_LEN + i * sizeof(u16)] = len;
	s->lengths_pos = i + 1;
}

/* An absent parameter (length 0). */
static __always_inline void push_empty(struct scratch *s)
{
	push_len(s, 0);
}

#define DEFINE_PUSH(name, type)                                          \
	static __always_inline void push_##name(struct scratch *s, type v) \
	{                                                                   \
		u64 pos = READ_ONCE(s->payload_pos);                                   \
		*(type *)&s->data[SAFE_OFF(pos)] = v;                       \
		s->payload_pos = pos + sizeof(type);                        \
		push_len(s, sizeof(type));                                  \
	}

DEFINE_PUSH(u8, u8)
DEFINE_PUSH(u16, u16)
DEFINE_PUSH(u32, u32)
DEFINE_PUSH(u64, u64)
DEFINE_PUSH(s32, s32)
DEFINE_PUSH(s64, s64)

/* A NUL-terminated string from user memory, at most max bytes (NUL
 * included); empty when ptr is NULL or unreadable. Returns the bytes written. */
static __always_inline long push_user_str(struct scratch *s, const void *ptr, u32 max)
{
	if (!ptr) {
		push_empty(s);
		return 0;
	}
	u64 pos = READ_ONCE(s->payload_pos);
	long n = bpf_probe_read_user_str(&s->data[SAFE_OFF(pos)], max, ptr);
	if (n <= 0) {
		count_read_error();
		push_empty(s);
		return 0;
	}
	s->payload_pos = pos + n;
	push_len(s, n);
	return n;
}

/* A NUL-terminated string from kernel memory, at most max bytes. */
static __always_inline long push_kernel_str(struct scratch *s, const void *ptr, u32 max)
{
	if (!ptr) {
		push_empty(s);
		return 0;
	}
	u64 pos = READ_ONCE(s->payload_pos);
	long n = bpf_probe_read_kernel_str(&s->data[SAFE_OFF(pos)], max, ptr);
	if (n <= 0) {
		count_read_error();
		push_empty(s);
		return 0;
	}
	s->payload_pos = pos + n;
	push_len(s, n);
	return n;
}

/* len bytes of user memory (a BYTEBUF), cut to max; empty when unreadable. */
static __always_inline void push_user_buf(struct scratch *s, const void *ptr, u64 len, u32 max)
{
	if (!ptr || len == 0) {
		push_empty(s);
		return;
	}
	if (len > max)
		len = max;
	u32 n = len;
	barrier_var(n);
	if (n > MAX_ARGS_ENV)
		n = MAX_ARGS_ENV;
	u64 pos = READ_ONCE(s->payload_pos);
	if (bpf_probe_read_user(&s->data[SAFE_OFF(pos)], n, ptr) != 0) {
		count_read_error();
		push_empty(s);
		return;
	}
	s->payload_pos = pos + n;
	push_len(s, n);
}

/* The first snaplen bytes a call transferred through buf: min(res, buflen). */
static __always_inline void push_data(struct scratch *s, const void *buf, long ret, u64 buflen)
{
	u64 n = ret > 0 ? ret : 0;
	if (n > buflen)
		n = buflen;
	push_user_buf(s, buf, n, snaplen);
}

#define MAX_IOVS 16 /* iovecs looked at to total a transfer */

/* Total length of a user iovec array and its first buffer. */
static __always_inline u64 iov_total(const struct iovec *iov, u64 n, struct iovec *first)
{
	u64 total = 0;
	first->iov_base = NULL;
	first->iov_len = 0;
	for (int i = 0; i < MAX_IOVS; i++) {
		if ((u64)i >= n)
			break;
		struct iovec v = {};
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]) != 0)
			break;
		if (i == 0)
			*first = v;
		total += v.iov_len;
	}
	return total;
}

/* Appending to a parameter whose length is only known at the end (lists,
 * paths): the running position lives in the scratch map, not in a
 * register, so the verifier sees an opaque bounded offset on every pass of
 * a loop and can prune instead of following each possible length. */

/* Appends a kernel string without its NUL; returns the bytes appended. */
static __always_inline long append_kernel_str(struct scratch *s, const void *ptr, u32 max)
{
	u64 pos = READ_ONCE(s->payload_pos);
	long n = bpf_probe_read_kernel_str(&s->data[SAFE_OFF(pos)], max, ptr);
	if (n <= 1)
		return 0;
	s->payload_pos = pos + n - 1;
	return n - 1;
}

/* Appends a user string with its NUL; returns the bytes appended. */
static __always_inline long append_user_str(struct scratch *s, const void *ptr, u32 max)
{
	u64 pos = READ_ONCE(s->payload_pos);
	long n = bpf_probe_read_user_str(&s->data[SAFE_OFF(pos)], max, ptr);
	if (n <= 0)
		return 0;
	s->payload_pos = pos + n;
	return n;
}

static __always_inline void append_byte(struct scratch *s, u8 c)
{
	u64 pos = READ_ONCE(s->payload_pos);
	s->data[SAFE_OFF(pos)] = c;
	s->payload_pos = pos + 1;
}

/* Closes a parameter appended since payload offset start. */
static __always_inline void close_param(struct scratch *s, u64 start)
{
	push_len(s, s->payload_pos - start);
}

/* Raw bytes already laid out by the caller at the current payload position
 * (see push_socktuple): accounts for them as one parameter of len bytes. */
static __always_inline void commit_param(struct scratch *s, u16 len)
{
	s->payload_pos += len;
	push_len(s, len);
}

/* A pointer to the current payload position, for callers that lay out a
 * composite parameter themselves; at most 256 bytes may be written. */
static __always_inline u8 *payload_ptr(struct scratch *s, u32 extra)
{
	return &s->data[SAFE_OFF(s->payload_pos + extra)];
}

/* Writes the header and copies the event to this CPU's ring. Every outcome
 * is counted: n_evts always, plus the reason when the event is lost. */
static __always_inline void event_submit(struct scratch *s)
{
	struct counters *c = counters();
	if (!c)
		return;
	c->n_evts++;
	u64 len = s->payload_pos;
	if (len > MAX_EVENT_SIZE) {
		c->n_drops_max_event_size++;
		return;
	}
	*(u64 *)&s->data[0] = s->ts;
	*(u64 *)&s->data[8] = (u32)bpf_get_current_pid_tgid();
	*(u32 *)&s->data[16] = (u32)len;
	*(u16 *)&s->data[20] = s->event_type;
	*(u32 *)&s->data[22] = s->nparams;

	u32 cpu = bpf_get_smp_processor_id();
	void *ring = bpf_map_lookup_elem(&ringbufs, &cpu);
	if (!ring) {
		c->n_drops_scratch_map++;
		return;
	}
	if (bpf_ringbuf_output(ring, s->data, len, BPF_RB_NO_WAKEUP) != 0) {
		c->n_drops_buffer++;
		u32 cat = s->category;
		if (cat < DROP_CAT_MAX)
			c->n_drops_buffer_cat[cat]++;
	}
}
