/* Waits and sleeps: futex, nanosleep, poll, ppoll, select, epoll_wait.
 * High-volume (every idle thread calls them): always samplable, and in no
 * default set (their events do not modify state). pselect6 and
 * epoll_pwait have no event type: they are generic. */
#include "../prog.h"

#define MAX_POLLFD 16 /* pollfd entries written to an FDLIST */

/* futex(uaddr, op, val, timeout, uaddr2, val3) */
SYSCALL_EXIT(futex)
{
	BEGIN(PPME_SYSCALL_FUTEX_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: addr (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 0));
	/* Parameter 3: op (type: PT_FLAGS16) */
	push_u16(s, futex_op_to_scap(syscall_arg(regs, 1)));
	/* Parameter 4: val (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* A user __kernel_timespec in ns; 0 when NULL or unreadable. */
static __always_inline u64 user_timespec_ns(const void *uptr)
{
	struct __kernel_timespec ts = {};
	if (!uptr || bpf_probe_read_user(&ts, sizeof(ts), uptr) != 0)
		return 0;
	return (u64)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* nanosleep(req, rem): the interval asked for (req is never written). */
SYSCALL_EXIT(nanosleep)
{
	BEGIN(PPME_SYSCALL_NANOSLEEP_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: interval (type: PT_RELTIME) */
	push_u64(s, user_timespec_ns((void *)syscall_arg(regs, 0)));
	event_submit(s);
	return 0;
}

/* An FDLIST of the first MAX_POLLFD entries of a user pollfd array: u16
 * count, then (s64 fd, u16 flags) each; the flags are the revents the
 * kernel wrote back (the exit's view), as PPM_POLL* values. */
static __always_inline void push_pollfds(struct scratch *s, const struct pollfd *ufds, u64 nfds)
{
	u16 n = 0;
	for (int i = 0; i < MAX_POLLFD; i++) {
		if ((u64)i >= nfds)
			break;
		struct pollfd pfd = {};
		if (bpf_probe_read_user(&pfd, sizeof(pfd), &ufds[i]) != 0) {
			count_read_error();
			break;
		}
		*(s64 *)payload_ptr(s, 2 + i * 10) = pfd.fd;
		*(u16 *)payload_ptr(s, 2 + i * 10 + 8) = poll_events_to_scap(pfd.revents);
		n++;
	}
	*(u16 *)payload_ptr(s, 0) = n;
	commit_param(s, 2 + n * 10);
}

/* poll(fds, nfds, timeout_ms) */
SYSCALL_EXIT(poll)
{
	BEGIN(PPME_SYSCALL_POLL_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fds (type: PT_FDLIST) */
	push_pollfds(s, (void *)syscall_arg(regs, 0), syscall_arg(regs, 1));
	/* Parameter 3: timeout (type: PT_INT64): in ms, as passed */
	push_s64(s, (s32)syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* ppoll(fds, nfds, tsp, sigmask, sigsetsize) */
SYSCALL_EXIT(ppoll)
{
	BEGIN(PPME_SYSCALL_PPOLL_X, DROP_CAT_OTHER)
	u32 mask = 0;
	void *umask = (void *)syscall_arg(regs, 3);
	if (umask)
		bpf_probe_read_user(&mask, sizeof(mask), umask);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fds (type: PT_FDLIST) */
	push_pollfds(s, (void *)syscall_arg(regs, 0), syscall_arg(regs, 1));
	/* Parameter 3: timeout (type: PT_RELTIME): *tsp as the kernel left it
	 * at exit (it writes back the time left); 0 for no timeout */
	push_u64(s, user_timespec_ns((void *)syscall_arg(regs, 2)));
	/* Parameter 4: sigmask (type: PT_SIGSET): the first 32 signals */
	push_u32(s, mask);
	event_submit(s);
	return 0;
}

/* select(nfds, readfds, writefds, exceptfds, timeout) */
SYSCALL_EXIT(select)
{
	BEGIN(PPME_SYSCALL_SELECT_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	event_submit(s);
	return 0;
}

/* epoll_wait(epfd, events, maxevents, timeout) */
SYSCALL_EXIT(epoll_wait)
{
	BEGIN(PPME_SYSCALL_EPOLLWAIT_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: maxevents (type: PT_ERRNO): as passed */
	push_s64(s, (s32)syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}
