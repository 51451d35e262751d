/* State-keeping calls Falco always traces: the anonymous-fd creators
 * (eventfd, eventfd2, signalfd, signalfd4, timerfd_create, inotify_init,
 * inotify_init1, epoll_create, epoll_create1), close_range, setsid,
 * setpgid, shutdown and getsockopt. */
#include "../prog.h"

/* eventfd(initval): the old call has no flags (written as 0, as libs does). */
SYSCALL_EXIT(eventfd)
{
	BEGIN(PPME_SYSCALL_EVENTFD_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: initval (type: PT_UINT64) */
	push_u64(s, (u32)syscall_arg(regs, 0));
	/* Parameter 3: flags (type: PT_UINT32) */
	push_u32(s, 0);
	event_submit(s);
	return 0;
}

/* eventfd2(initval, flags): EFD_CLOEXEC/EFD_NONBLOCK are O_CLOEXEC/
 * O_NONBLOCK, written as file_flags (the table's flag name);
 * EFD_SEMAPHORE has no file_flags bit. */
SYSCALL_EXIT(eventfd2)
{
	BEGIN(PPME_SYSCALL_EVENTFD2_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: flags (type: PT_FLAGS16) */
	push_u16(s, fd_flags_to_scap(syscall_arg(regs, 1)));
	/* Parameter 3: initval (type: PT_UINT64) */
	push_u64(s, (u32)syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* The first 32 signals of a user sigset_t (mask is a u32 in the table);
 * 0 when unreadable. */
static __always_inline u32 user_sigmask32(const void *uptr)
{
	u32 mask = 0;
	if (uptr)
		bpf_probe_read_user(&mask, sizeof(mask), uptr);
	return mask;
}

/* signalfd(fd, mask, sizemask): no flags (0). */
SYSCALL_EXIT(signalfd)
{
	BEGIN(PPME_SYSCALL_SIGNALFD_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: mask (type: PT_UINT32) */
	push_u32(s, user_sigmask32((void *)syscall_arg(regs, 1)));
	/* Parameter 4: flags (type: PT_UINT8) */
	push_u8(s, 0);
	event_submit(s);
	return 0;
}

/* signalfd4(fd, mask, sizemask, flags): SFD_* are the O_* bits. */
SYSCALL_EXIT(signalfd4)
{
	BEGIN(PPME_SYSCALL_SIGNALFD4_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: flags (type: PT_FLAGS16) */
	push_u16(s, fd_flags_to_scap(syscall_arg(regs, 3)));
	/* Parameter 3: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 4: mask (type: PT_UINT32) */
	push_u32(s, user_sigmask32((void *)syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* timerfd_create(clockid, flags): TFD_CLOEXEC/TFD_NONBLOCK do not fit the
 * table's PT_UINT8 flags, which has no flag table: 0, as libs writes. */
SYSCALL_EXIT(timerfd_create)
{
	BEGIN(PPME_SYSCALL_TIMERFD_CREATE_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: clockid (type: PT_UINT8) */
	push_u8(s, syscall_arg(regs, 0));
	/* Parameter 3: flags (type: PT_UINT8) */
	push_u8(s, 0);
	event_submit(s);
	return 0;
}

/* inotify_init(): no flags (0). */
SYSCALL_EXIT(inotify_init)
{
	BEGIN(PPME_SYSCALL_INOTIFY_INIT_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: flags (type: PT_UINT8) */
	push_u8(s, 0);
	event_submit(s);
	return 0;
}

/* inotify_init1(flags): IN_CLOEXEC/IN_NONBLOCK are the O_* bits. */
SYSCALL_EXIT(inotify_init1)
{
	BEGIN(PPME_SYSCALL_INOTIFY_INIT1_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: flags (type: PT_FLAGS16) */
	push_u16(s, fd_flags_to_scap(syscall_arg(regs, 0)));
	event_submit(s);
	return 0;
}

/* epoll_create(size) */
SYSCALL_EXIT(epoll_create)
{
	BEGIN(PPME_SYSCALL_EPOLL_CREATE_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: size (type: PT_INT32) */
	push_s32(s, syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* epoll_create1(flags) */
SYSCALL_EXIT(epoll_create1)
{
	BEGIN(PPME_SYSCALL_EPOLL_CREATE1_X, DROP_CAT_OPEN)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: flags (type: PT_FLAGS32) */
	push_u32(s, epoll_create1_flags_to_scap(syscall_arg(regs, 0)));
	event_submit(s);
	return 0;
}

/* close_range(first, last, flags) */
SYSCALL_EXIT(close_range)
{
	BEGIN(PPME_SYSCALL_CLOSE_RANGE_X, DROP_CAT_CLOSE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: first (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 0));
	/* Parameter 3: last (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 1));
	/* Parameter 4: flags (type: PT_FLAGS32) */
	push_u32(s, close_range_flags_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* setsid(): res is the new session id. */
SYSCALL_EXIT(setsid)
{
	BEGIN(PPME_SYSCALL_SETSID_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_PID) */
	push_s64(s, ret);
	event_submit(s);
	return 0;
}

/* setpgid(pid, pgid) */
SYSCALL_EXIT(setpgid)
{
	BEGIN(PPME_SYSCALL_SETPGID_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: pid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: pgid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* shutdown(fd, how) */
SYSCALL_EXIT(shutdown)
{
	BEGIN(PPME_SOCKET_SHUTDOWN_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: how (type: PT_ENUMFLAGS8): SHUT_* = PPM_SHUT_*; an
	 * invalid value as passed, cut to 8 bits */
	push_u8(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* getsockopt's val (PT_DYN, sockopt_dynamic_param): one index byte, then
 * the value in the form the index names. The index follows the option:
 * SO_ERROR an errno (negated: what res would show), SO_RCVTIMEO/
 * SO_SNDTIMEO a duration in ns, SO_COOKIE a u64, the int options a u32;
 * any other option, and every level but SOL_SOCKET, the optlen bytes of
 * optval as they are (at most MAX_SOCKOPT_BYTES). The values are read
 * from optval at exit, also when the call failed, as libs reads them. */
#define MAX_SOCKOPT_BYTES 255

static __always_inline void push_sockopt_val(struct scratch *s, u64 level, u64 optname, const void *optval, s32 optlen)
{
	u8 idx = sockopt_val_idx(level, optname);
	u8 *p = payload_ptr(s, 0);
	p[0] = idx;
	switch (idx) {
	case PPM_SOCKOPT_IDX_ERRNO: {
		s32 v = 0;
		bpf_probe_read_user(&v, sizeof(v), optval);
		*(s64 *)payload_ptr(s, 1) = -(s64)v;
		commit_param(s, 1 + sizeof(s64));
		return;
	}
	case PPM_SOCKOPT_IDX_TIMEVAL: {
		struct {
			s64 sec, usec;
		} tv = {};
		bpf_probe_read_user(&tv, sizeof(tv), optval);
		*(u64 *)payload_ptr(s, 1) = tv.sec * 1000000000ULL + tv.usec * 1000ULL;
		commit_param(s, 1 + sizeof(u64));
		return;
	}
	case PPM_SOCKOPT_IDX_UINT64: {
		u64 v = 0;
		bpf_probe_read_user(&v, sizeof(v), optval);
		*(u64 *)payload_ptr(s, 1) = v;
		commit_param(s, 1 + sizeof(u64));
		return;
	}
	case PPM_SOCKOPT_IDX_UINT32: {
		u32 v = 0;
		bpf_probe_read_user(&v, sizeof(v), optval);
		*(u32 *)payload_ptr(s, 1) = v;
		commit_param(s, 1 + sizeof(u32));
		return;
	}
	}
	u32 n = optlen > 0 ? optlen : 0;
	if (n > MAX_SOCKOPT_BYTES)
		n = MAX_SOCKOPT_BYTES;
	barrier_var(n);
	if (n > MAX_SOCKOPT_BYTES)
		n = MAX_SOCKOPT_BYTES;
	if (n && bpf_probe_read_user(payload_ptr(s, 1), n, optval) != 0) {
		count_read_error();
		n = 0;
	}
	commit_param(s, 1 + n);
}

/* getsockopt(fd, level, optname, optval, optlen) */
SYSCALL_EXIT(getsockopt)
{
	BEGIN(PPME_SOCKET_GETSOCKOPT_X, DROP_CAT_OTHER)
	u64 level = syscall_arg(regs, 1);
	u64 optname = syscall_arg(regs, 2);
	s32 optlen = 0;
	void *uoptlen = (void *)syscall_arg(regs, 4);
	if (uoptlen)
		bpf_probe_read_user(&optlen, sizeof(optlen), uoptlen);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: level (type: PT_ENUMFLAGS8) */
	push_u8(s, sockopt_level_to_scap(level));
	/* Parameter 4: optname (type: PT_ENUMFLAGS8) */
	push_u8(s, sockopt_optname_to_scap(level, optname));
	/* Parameter 5: val (type: PT_DYN) */
	push_sockopt_val(s, level, optname, (void *)syscall_arg(regs, 3), optlen);
	/* Parameter 6: optlen (type: PT_UINT32): as the kernel left it */
	push_u32(s, optlen);
	event_submit(s);
	return 0;
}
