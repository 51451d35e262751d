/* Sockets: socket, socketpair, connect, accept, accept4, bind, listen,
 * sendto, sendmsg, recvfrom, recvmsg, shutdown, getsockopt, setsockopt,
 * getsockname, getpeername. */
#include "../prog.h"

#define MAX_MSGCONTROL 256

/* socket(domain, type, protocol) */
SYSCALL_EXIT(socket)
{
	BEGIN(PPME_SOCKET_SOCKET_X, DROP_CAT_OTHER)
	u64 type = syscall_arg(regs, 1);
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: domain (type: PT_ENUMFLAGS32): PPM_AF_* = AF_* */
	push_u32(s, syscall_arg(regs, 0));
	/* Parameter 3: type (type: PT_UINT32): as passed, SOCK_* flags included */
	push_u32(s, type);
	/* Parameter 4: proto (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
	/* Parameter 5: flags (type: PT_FLAGS32): SOCK_NONBLOCK/SOCK_CLOEXEC as file flags */
	push_u32(s, fd_flags_to_scap(type & (K_SOCK_NONBLOCK | K_SOCK_CLOEXEC)));
	event_submit(s);
	return 0;
}

/* socketpair(domain, type, protocol, int sv[2]) */
SYSCALL_EXIT(socketpair)
{
	BEGIN(PPME_SOCKET_SOCKETPAIR_X, DROP_CAT_OTHER)
	struct task_struct *task = current_task();
	s32 fds[2] = {-1, -1};
	if (ret == 0)
		bpf_probe_read_user(fds, sizeof(fds), (void *)syscall_arg(regs, 3));
	/* Socket addresses are read as numbers: they are identifiers here. */
	u64 source = 0, peer = 0;
	if (ret == 0) {
		struct file *f = fd_file(task, fds[0]);
		struct socket *sock = f ? CAST(struct socket, f->private_data) : NULL;
		if (sock) {
			bpf_probe_read_kernel(&source, sizeof(source), &sock->sk);
			struct unix_sock *us = unix_sk(sock->sk);
			if (us)
				bpf_probe_read_kernel(&peer, sizeof(peer), &us->peer);
		}
	}
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd1 (type: PT_FD) */
	push_s64(s, fds[0]);
	/* Parameter 3: fd2 (type: PT_FD) */
	push_s64(s, fds[1]);
	/* Parameter 4: source (type: PT_UINT64): the first socket */
	push_u64(s, source);
	/* Parameter 5: peer (type: PT_UINT64): its peer */
	push_u64(s, peer);
	/* Parameter 6: domain (type: PT_ENUMFLAGS32) */
	push_u32(s, syscall_arg(regs, 0));
	/* Parameter 7: type (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 1));
	/* Parameter 8: proto (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* connect(fd, addr, addrlen) */
SYSCALL_EXIT(connect)
{
	BEGIN(PPME_SOCKET_CONNECT_X, DROP_CAT_CONNECT)
	s32 fd = syscall_arg(regs, 0);
	void *uaddr = (void *)syscall_arg(regs, 1);
	u32 ulen = syscall_arg(regs, 2);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: tuple (type: PT_SOCKTUPLE): local -> remote */
	push_socktuple(s, fd_sock(current_task(), fd), false, uaddr, ulen);
	/* Parameter 3: fd (type: PT_FD) */
	push_s64(s, fd);
	/* Parameter 4: addr (type: PT_SOCKADDR): the address asked for */
	push_user_sockaddr(s, uaddr, ulen);
	event_submit(s);
	return 0;
}

/* accept and accept4: the new fd, its tuple (remote -> local) and the
 * listening socket's queue at exit. */
static __always_inline void push_accept(struct scratch *s, struct pt_regs *regs, long ret)
{
	struct task_struct *task = current_task();
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: tuple (type: PT_SOCKTUPLE) */
	if (ret >= 0)
		push_socktuple(s, fd_sock(task, ret), true, NULL, 0);
	else
		push_empty(s);
	u32 len = 0, max = 0;
	struct sock *lsk = fd_sock(task, (s32)syscall_arg(regs, 0));
	if (lsk) {
		len = lsk->sk_ack_backlog;
		max = lsk->sk_max_ack_backlog;
	}
	/* Parameter 3: queuepct (type: PT_UINT8) */
	push_u8(s, max ? (len * 100) / max : 0);
	/* Parameter 4: queuelen (type: PT_UINT32) */
	push_u32(s, len);
	/* Parameter 5: queuemax (type: PT_UINT32) */
	push_u32(s, max);
}

/* accept(fd, addr, addrlen) */
SYSCALL_EXIT(accept)
{
	BEGIN(PPME_SOCKET_ACCEPT_5_X, DROP_CAT_OTHER_INTEREST)
	push_accept(s, regs, ret);
	event_submit(s);
	return 0;
}

/* accept4(fd, addr, addrlen, flags) */
SYSCALL_EXIT(accept4)
{
	BEGIN(PPME_SOCKET_ACCEPT4_6_X, DROP_CAT_OTHER_INTEREST)
	push_accept(s, regs, ret);
	/* Parameter 6: flags (type: PT_INT32): as passed */
	push_s32(s, syscall_arg(regs, 3));
	event_submit(s);
	return 0;
}

/* bind(fd, addr, addrlen) */
SYSCALL_EXIT(bind)
{
	BEGIN(PPME_SOCKET_BIND_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: addr (type: PT_SOCKADDR) */
	push_user_sockaddr(s, (void *)syscall_arg(regs, 1), syscall_arg(regs, 2));
	/* Parameter 3: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* listen(fd, backlog) */
SYSCALL_EXIT(listen)
{
	BEGIN(PPME_SOCKET_LISTEN_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: backlog (type: PT_INT32) */
	push_s32(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* sendto(fd, buf, len, flags, dest_addr, addrlen) */
SYSCALL_EXIT(sendto)
{
	BEGIN(PPME_SOCKET_SENDTO_X, DROP_CAT_OTHER)
	s32 fd = syscall_arg(regs, 0);
	u64 len = syscall_arg(regs, 2);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: data (type: PT_BYTEBUF) */
	push_data(s, (void *)syscall_arg(regs, 1), ret, len);
	/* Parameter 3: fd (type: PT_FD) */
	push_s64(s, fd);
	/* Parameter 4: size (type: PT_UINT32) */
	push_u32(s, len);
	/* Parameter 5: tuple (type: PT_SOCKTUPLE): local -> destination */
	push_socktuple(s, fd_sock(current_task(), fd), false, (void *)syscall_arg(regs, 4), syscall_arg(regs, 5));
	event_submit(s);
	return 0;
}

/* recvfrom(fd, buf, len, flags, src_addr, addrlen *) */
SYSCALL_EXIT(recvfrom)
{
	BEGIN(PPME_SOCKET_RECVFROM_X, DROP_CAT_OTHER)
	s32 fd = syscall_arg(regs, 0);
	u64 len = syscall_arg(regs, 2);
	void *uaddr = (void *)syscall_arg(regs, 4);
	u32 ulen = 0;
	if (uaddr)
		bpf_probe_read_user(&ulen, sizeof(ulen), (void *)syscall_arg(regs, 5));
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: data (type: PT_BYTEBUF) */
	push_data(s, (void *)syscall_arg(regs, 1), ret, len);
	/* Parameter 3: tuple (type: PT_SOCKTUPLE): source -> local */
	push_socktuple(s, fd_sock(current_task(), fd), true, uaddr, ulen);
	/* Parameter 4: fd (type: PT_FD) */
	push_s64(s, fd);
	/* Parameter 5: size (type: PT_UINT32) */
	push_u32(s, len);
	event_submit(s);
	return 0;
}

/* sendmsg(fd, struct msghdr *msg, flags) */
SYSCALL_EXIT(sendmsg)
{
	BEGIN(PPME_SOCKET_SENDMSG_X, DROP_CAT_OTHER)
	s32 fd = syscall_arg(regs, 0);
	struct user_msghdr msg = {};
	bpf_probe_read_user(&msg, sizeof(msg), (void *)syscall_arg(regs, 1));
	struct iovec first;
	u64 total = iov_total(msg.msg_iov, msg.msg_iovlen, &first);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: data (type: PT_BYTEBUF): from the first iovec */
	push_data(s, first.iov_base, ret, first.iov_len);
	/* Parameter 3: fd (type: PT_FD) */
	push_s64(s, fd);
	/* Parameter 4: size (type: PT_UINT32): all iovecs */
	push_u32(s, total);
	/* Parameter 5: tuple (type: PT_SOCKTUPLE) */
	push_socktuple(s, fd_sock(current_task(), fd), false, msg.msg_name, msg.msg_namelen);
	event_submit(s);
	return 0;
}

/* recvmsg(fd, struct msghdr *msg, flags) */
SYSCALL_EXIT(recvmsg)
{
	BEGIN(PPME_SOCKET_RECVMSG_X, DROP_CAT_OTHER)
	s32 fd = syscall_arg(regs, 0);
	struct user_msghdr msg = {};
	bpf_probe_read_user(&msg, sizeof(msg), (void *)syscall_arg(regs, 1));
	struct iovec first;
	u64 total = iov_total(msg.msg_iov, msg.msg_iovlen, &first);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: size (type: PT_UINT32): all iovecs */
	push_u32(s, total);
	/* Parameter 3: data (type: PT_BYTEBUF): from the first iovec */
	push_data(s, first.iov_base, ret, first.iov_len);
	/* Parameter 4: tuple (type: PT_SOCKTUPLE): source -> local */
	push_socktuple(s, fd_sock(current_task(), fd), true, msg.msg_name, msg.msg_namelen);
	/* Parameter 5: msgcontrol (type: PT_BYTEBUF) */
	if (ret >= 0)
		push_user_buf(s, msg.msg_control, msg.msg_controllen, MAX_MSGCONTROL);
	else
		push_empty(s);
	/* Parameter 6: fd (type: PT_FD) */
	push_s64(s, fd);
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

/* getsockopt's and setsockopt's val (PT_DYN, sockopt_dynamic_param): one
 * index byte, then the value in the form the index names. The index follows the option:
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

/* getsockopt and setsockopt (fd, level, optname, optval, optlen) write
 * the same parameters: val in push_sockopt_val's form, and optlen as the
 * kernel left it (getsockopt) or as passed (setsockopt). */
static __always_inline void push_sockopt(struct scratch *s, struct pt_regs *regs, long ret, s32 optlen)
{
	u64 level = syscall_arg(regs, 1);
	u64 optname = syscall_arg(regs, 2);
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
	/* Parameter 6: optlen (type: PT_UINT32) */
	push_u32(s, optlen);
}

/* getsockopt(fd, level, optname, optval, optlen *) */
SYSCALL_EXIT(getsockopt)
{
	BEGIN(PPME_SOCKET_GETSOCKOPT_X, DROP_CAT_OTHER)
	s32 optlen = 0;
	void *uoptlen = (void *)syscall_arg(regs, 4);
	if (uoptlen)
		bpf_probe_read_user(&optlen, sizeof(optlen), uoptlen);
	push_sockopt(s, regs, ret, optlen);
	event_submit(s);
	return 0;
}

/* setsockopt(fd, level, optname, optval, optlen): val is the value passed. */
SYSCALL_EXIT(setsockopt)
{
	BEGIN(PPME_SOCKET_SETSOCKOPT_X, DROP_CAT_OTHER)
	push_sockopt(s, regs, ret, syscall_arg(regs, 4));
	event_submit(s);
	return 0;
}

/* getsockname(fd, addr, addrlen): the event has no parameters. */
SYSCALL_EXIT(getsockname)
{
	BEGIN(PPME_SOCKET_GETSOCKNAME_X, DROP_CAT_OTHER)
	event_submit(s);
	return 0;
}

/* getpeername(fd, addr, addrlen): the event has no parameters. */
SYSCALL_EXIT(getpeername)
{
	BEGIN(PPME_SOCKET_GETPEERNAME_X, DROP_CAT_OTHER)
	event_submit(s);
	return 0;
}
