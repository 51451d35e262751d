/* Data transfer: read, write, pread64, pwrite64, readv, writev, preadv,
 * pwritev, sendfile, splice, copy_file_range, sendmmsg, recvmmsg.
 * Data parameters carry the first snaplen bytes transferred (for vectored
 * calls, from the first iovec); sizes are what the caller asked for. */
#include "../prog.h"

#define IO_MAX_MSGCONTROL 256
#define IO_MAX_MMSG 1024 /* UIO_MAXIOV: the kernel's cap on vlen */

/* read and write (fd, buf, count) share their layout. */
static __always_inline void push_rw(struct scratch *s, struct pt_regs *regs, long ret)
{
	u64 len = syscall_arg(regs, 2);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: data (type: PT_BYTEBUF) */
	push_data(s, (void *)syscall_arg(regs, 1), ret, len);
	/* Parameter 3: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 4: size (type: PT_UINT32) */
	push_u32(s, len);
}

/* read(fd, buf, count) */
SYSCALL_EXIT(read)
{
	BEGIN(PPME_SYSCALL_READ_X, DROP_CAT_OTHER)
	push_rw(s, regs, ret);
	event_submit(s);
	return 0;
}

/* write(fd, buf, count) */
SYSCALL_EXIT(write)
{
	BEGIN(PPME_SYSCALL_WRITE_X, DROP_CAT_OTHER)
	push_rw(s, regs, ret);
	event_submit(s);
	return 0;
}

/* pread64 and pwrite64 (fd, buf, count, pos): read and write's, then pos. */
static __always_inline void push_prw(struct scratch *s, struct pt_regs *regs, long ret)
{
	push_rw(s, regs, ret);
	/* Parameter 5: pos (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 3));
}

/* pread64(fd, buf, count, pos): the event is "pread" */
SYSCALL_EXIT(pread64)
{
	BEGIN(PPME_SYSCALL_PREAD_X, DROP_CAT_OTHER)
	push_prw(s, regs, ret);
	event_submit(s);
	return 0;
}

/* pwrite64(fd, buf, count, pos): the event is "pwrite" */
SYSCALL_EXIT(pwrite64)
{
	BEGIN(PPME_SYSCALL_PWRITE_X, DROP_CAT_OTHER)
	push_prw(s, regs, ret);
	event_submit(s);
	return 0;
}

/* readv and preadv (fd, iov, iovcnt[, pos]) share their first four
 * parameters: the size of all iovecs comes before the data. */
static __always_inline void push_readv(struct scratch *s, struct pt_regs *regs, long ret)
{
	struct iovec first;
	u64 total = iov_total((void *)syscall_arg(regs, 1), syscall_arg(regs, 2), &first);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: size (type: PT_UINT32): all iovecs */
	push_u32(s, total);
	/* Parameter 3: data (type: PT_BYTEBUF): from the first iovec */
	push_data(s, first.iov_base, ret, first.iov_len);
	/* Parameter 4: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
}

/* writev and pwritev (fd, iov, iovcnt[, pos]) share their first four
 * parameters: the data, the fd, then the size of all iovecs. */
static __always_inline void push_writev(struct scratch *s, struct pt_regs *regs, long ret)
{
	struct iovec first;
	u64 total = iov_total((void *)syscall_arg(regs, 1), syscall_arg(regs, 2), &first);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: data (type: PT_BYTEBUF): from the first iovec */
	push_data(s, first.iov_base, ret, first.iov_len);
	/* Parameter 3: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 4: size (type: PT_UINT32): all iovecs */
	push_u32(s, total);
}

/* readv(fd, iov, iovcnt) */
SYSCALL_EXIT(readv)
{
	BEGIN(PPME_SYSCALL_READV_X, DROP_CAT_OTHER)
	push_readv(s, regs, ret);
	event_submit(s);
	return 0;
}

/* writev(fd, iov, iovcnt) */
SYSCALL_EXIT(writev)
{
	BEGIN(PPME_SYSCALL_WRITEV_X, DROP_CAT_OTHER)
	push_writev(s, regs, ret);
	event_submit(s);
	return 0;
}

/* preadv(fd, iov, iovcnt, pos_l, pos_h): on x86_64 pos_l holds the whole
 * 64-bit position. */
SYSCALL_EXIT(preadv)
{
	BEGIN(PPME_SYSCALL_PREADV_X, DROP_CAT_OTHER)
	push_readv(s, regs, ret);
	/* Parameter 5: pos (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 3));
	event_submit(s);
	return 0;
}

/* pwritev(fd, iov, iovcnt, pos_l, pos_h) */
SYSCALL_EXIT(pwritev)
{
	BEGIN(PPME_SYSCALL_PWRITEV_X, DROP_CAT_OTHER)
	push_writev(s, regs, ret);
	/* Parameter 5: pos (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 3));
	event_submit(s);
	return 0;
}

/* The value of a user loff_t *, 0 when the pointer is NULL or unreadable. */
static __always_inline u64 user_off(unsigned long ptr)
{
	u64 off = 0;
	if (ptr)
		bpf_probe_read_user(&off, sizeof(off), (void *)ptr);
	return off;
}

/* sendfile(out_fd, in_fd, off_t *offset, count) */
SYSCALL_EXIT(sendfile)
{
	BEGIN(PPME_SYSCALL_SENDFILE_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: offset (type: PT_UINT64): *offset as the call left it
	 * (past the bytes sent), 0 when NULL (the in_fd file position moved) */
	push_u64(s, user_off(syscall_arg(regs, 2)));
	/* Parameter 3: out_fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 4: in_fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 1));
	/* Parameter 5: size (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 3));
	event_submit(s);
	return 0;
}

/* SPLICE_F_* and PPM_SPLICE_F_* happen to share their values; spelled out
 * so that only known bits pass. */
#define K_SPLICE_F_MOVE 0x1
#define K_SPLICE_F_NONBLOCK 0x2
#define K_SPLICE_F_MORE 0x4
#define K_SPLICE_F_GIFT 0x8
#define PPM_SPLICE_F_MOVE (1 << 0)
#define PPM_SPLICE_F_NONBLOCK (1 << 1)
#define PPM_SPLICE_F_MORE (1 << 2)
#define PPM_SPLICE_F_GIFT (1 << 3)

static __always_inline u32 splice_flags_to_scap(u32 f)
{
	u32 r = 0;
	if (f & K_SPLICE_F_MOVE)
		r |= PPM_SPLICE_F_MOVE;
	if (f & K_SPLICE_F_NONBLOCK)
		r |= PPM_SPLICE_F_NONBLOCK;
	if (f & K_SPLICE_F_MORE)
		r |= PPM_SPLICE_F_MORE;
	if (f & K_SPLICE_F_GIFT)
		r |= PPM_SPLICE_F_GIFT;
	return r;
}

/* splice(fd_in, off_in *, fd_out, off_out *, len, flags) */
SYSCALL_EXIT(splice)
{
	BEGIN(PPME_SYSCALL_SPLICE_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd_in (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: fd_out (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 2));
	/* Parameter 4: size (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 4));
	/* Parameter 5: flags (type: PT_FLAGS32) */
	push_u32(s, splice_flags_to_scap(syscall_arg(regs, 5)));
	event_submit(s);
	return 0;
}

/* copy_file_range(fd_in, off_in *, fd_out, off_out *, len, flags). The
 * offsets are the values behind the pointers as the call left them (as
 * sendfile's offset), 0 for a NULL pointer (the file position was used). */
SYSCALL_EXIT(copy_file_range)
{
	BEGIN(PPME_SYSCALL_COPY_FILE_RANGE_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fdout (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 2));
	/* Parameter 3: offout (type: PT_UINT64) */
	push_u64(s, user_off(syscall_arg(regs, 3)));
	/* Parameter 4: fdin (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 5: offin (type: PT_UINT64) */
	push_u64(s, user_off(syscall_arg(regs, 1)));
	/* Parameter 6: len (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 4));
	event_submit(s);
	return 0;
}

/* sendmmsg and recvmmsg write one event per message transferred, as libs
 * does: res is that message's msg_len, size its iovecs' total, data from
 * its first iovec, the tuple with its msg_name. A failed call (or one that
 * transferred nothing) writes one event with res and fd only. The
 * per-message work runs under bpf_loop so the verifier checks it once. */
struct mmsg_ctx {
	struct mmsghdr *vec; /* user array */
	s32 fd;
	bool recv;
};

static long push_mmsg_entry(u32 i, struct mmsg_ctx *ctx)
{
	struct mmsghdr mmh = {};
	if (bpf_probe_read_user(&mmh, sizeof(mmh), &ctx->vec[i]) != 0)
		return 1;
	struct iovec first;
	u64 total = iov_total(mmh.msg_hdr.msg_iov, mmh.msg_hdr.msg_iovlen, &first);
	struct sock *sk = fd_sock(current_task(), ctx->fd);
	struct scratch *s;
	if (ctx->recv) {
		s = event_begin(PPME_SOCKET_RECVMMSG_X, PPME_SOCKET_RECVMMSG_X_NPARAMS, DROP_CAT_OTHER);
		if (!s)
			return 1;
		/* Parameter 1: res (type: PT_ERRNO): bytes of this message */
		push_s64(s, mmh.msg_len);
		/* Parameter 2: fd (type: PT_FD) */
		push_s64(s, ctx->fd);
		/* Parameter 3: size (type: PT_UINT32) */
		push_u32(s, total);
		/* Parameter 4: data (type: PT_BYTEBUF) */
		push_data(s, first.iov_base, mmh.msg_len, first.iov_len);
		/* Parameter 5: tuple (type: PT_SOCKTUPLE): source -> local */
		push_socktuple(s, sk, true, mmh.msg_hdr.msg_name, mmh.msg_hdr.msg_namelen);
		/* Parameter 6: msgcontrol (type: PT_BYTEBUF) */
		push_user_buf(s, mmh.msg_hdr.msg_control, mmh.msg_hdr.msg_controllen, IO_MAX_MSGCONTROL);
	} else {
		s = event_begin(PPME_SOCKET_SENDMMSG_X, PPME_SOCKET_SENDMMSG_X_NPARAMS, DROP_CAT_OTHER);
		if (!s)
			return 1;
		/* Parameter 1: res (type: PT_ERRNO): bytes of this message */
		push_s64(s, mmh.msg_len);
		/* Parameter 2: fd (type: PT_FD) */
		push_s64(s, ctx->fd);
		/* Parameter 3: size (type: PT_UINT32) */
		push_u32(s, total);
		/* Parameter 4: data (type: PT_BYTEBUF) */
		push_data(s, first.iov_base, mmh.msg_len, first.iov_len);
		/* Parameter 5: tuple (type: PT_SOCKTUPLE): local -> destination */
		push_socktuple(s, sk, false, mmh.msg_hdr.msg_name, mmh.msg_hdr.msg_namelen);
	}
	event_submit(s);
	return 0;
}

static __always_inline void push_mmsg(struct pt_regs *regs, long ret, bool recv)
{
	struct mmsg_ctx ctx = {
		.vec = (void *)syscall_arg(regs, 1),
		.fd = syscall_arg(regs, 0),
		.recv = recv,
	};
	if (ret > 0) {
		bpf_loop(ret < IO_MAX_MMSG ? ret : IO_MAX_MMSG, push_mmsg_entry, &ctx, 0);
		return;
	}
	u16 type = recv ? PPME_SOCKET_RECVMMSG_X : PPME_SOCKET_SENDMMSG_X;
	u32 n = recv ? PPME_SOCKET_RECVMMSG_X_NPARAMS : PPME_SOCKET_SENDMMSG_X_NPARAMS;
	struct scratch *s = event_begin(type, n, DROP_CAT_OTHER);
	if (!s)
		return;
	push_s64(s, ret);
	push_s64(s, ctx.fd);
	push_u32(s, 0);
	push_empty(s); /* data */
	push_empty(s); /* tuple */
	if (recv)
		push_empty(s); /* msgcontrol */
	event_submit(s);
}

/* sendmmsg(fd, struct mmsghdr *vec, vlen, flags) */
SYSCALL_EXIT(sendmmsg)
{
	push_mmsg(regs, ret, false);
	return 0;
}

/* recvmmsg(fd, struct mmsghdr *vec, vlen, flags, timeout) */
SYSCALL_EXIT(recvmmsg)
{
	push_mmsg(regs, ret, true);
	return 0;
}
