/* Sockets: the struct sock behind an fd, socket tuples (PT_SOCKTUPLE) and
 * addresses (PT_SOCKADDR) in the scap encodings. Addresses are stored as
 * the kernel holds them (network byte order), ports in host order. */
#pragma once

#include "store.h"
#include "extract.h"
#include "flags.h"

#define K_S_IFMT 0170000
#define K_S_IFSOCK 0140000
#define UNIX_PATH_MAX 108

/* The socket behind fd, or NULL if fd is not an open socket. */
static __always_inline struct sock *fd_sock(struct task_struct *task, s64 fd)
{
	struct file *f = fd_file(task, fd);
	if (!f)
		return NULL;
	struct inode *inode = f->f_inode;
	if (!inode || (inode->i_mode & K_S_IFMT) != K_S_IFSOCK)
		return NULL;
	struct socket *sock = CAST(struct socket, f->private_data);
	if (!sock)
		return NULL;
	return sock->sk;
}

static __always_inline struct unix_sock *unix_sk(struct sock *sk)
{
	return CAST(struct unix_sock, sk); /* sk is the first member */
}

/* Copies the sun_path of a unix_address to dst (at most UNIX_PATH_MAX bytes,
 * NUL-terminated); an abstract name (leading NUL) is written as '@name'.
 * Returns the bytes written including the NUL, 0 if there is no address. */
static __always_inline u32 copy_unix_path(u8 *dst, struct unix_address *ua)
{
	if (!ua)
		return 0;
	int len = ua->len; /* sizeof(sa_family_t) + path bytes */
	if (len <= 2)
		return 0;
	char *path = ua->name[0].sun_path;
	char first = 0;
	bpf_probe_read_kernel(&first, 1, path);
	if (first == 0) {
		/* Abstract: not NUL-terminated, length from len. */
		u32 n = len - 2;
		if (n > UNIX_PATH_MAX - 1)
			n = UNIX_PATH_MAX - 1;
		dst[0] = '@';
		if (n > 1)
			bpf_probe_read_kernel(dst + 1, (n - 1) & 127, path + 1);
		dst[n & 127] = 0;
		return n + 1;
	}
	long r = bpf_probe_read_kernel_str(dst, UNIX_PATH_MAX, path);
	return r > 0 ? r : 0;
}

/* Reads a struct sockaddr from user memory into buf (at most 112 bytes).
 * Returns the family, or 0. */
static __always_inline u16 read_user_sockaddr(void *buf, const void *uaddr, u32 ulen)
{
	if (!uaddr || ulen < 2)
		return 0;
	if (ulen > 112)
		ulen = 112;
	barrier_var(ulen);
	if (ulen > 112 || ulen < 2)
		return 0;
	if (bpf_probe_read_user(buf, ulen, uaddr) != 0)
		return 0;
	return *(u16 *)buf;
}

/* A PT_SOCKADDR from a user struct sockaddr: u8 family, then for AF_INET
 * u32 address and u16 port, AF_INET6 16 bytes and u16 port, AF_UNIX the
 * path. Empty for other families or unreadable memory. */
static __always_inline void push_user_sockaddr(struct scratch *s, const void *uaddr, u32 ulen)
{
	u8 buf[112] = {};
	u16 family = read_user_sockaddr(buf, uaddr, ulen);
	u8 *p = payload_ptr(s, 0);
	switch (family) {
	case K_AF_INET: {
		struct sockaddr_in *in = (void *)buf;
		p[0] = PPM_AF_INET;
		*(u32 *)(p + 1) = in->sin_addr.s_addr;
		*(u16 *)(p + 5) = bpf_ntohs(in->sin_port);
		commit_param(s, 7);
		return;
	}
	case K_AF_INET6: {
		struct sockaddr_in6 *in6 = (void *)buf;
		p[0] = PPM_AF_INET6;
		__builtin_memcpy(p + 1, &in6->sin6_addr, 16);
		*(u16 *)(p + 17) = bpf_ntohs(in6->sin6_port);
		commit_param(s, 19);
		return;
	}
	case K_AF_UNIX: {
		struct sockaddr_un *un = (void *)buf;
		p[0] = PPM_AF_UNIX;
		u32 n = 0;
		if (ulen > 2 && un->sun_path[0] == 0) {
			/* abstract name: '@' + the remaining bytes of the address */
			p[1] = '@';
			n = 1;
			for (int i = 1; i < UNIX_PATH_MAX - 1; i++) {
				if ((u32)i + 2 >= ulen)
					break;
				p[1 + n] = un->sun_path[i];
				n++;
			}
		} else {
			for (int i = 0; i < UNIX_PATH_MAX - 1; i++) {
				char c = un->sun_path[i];
				if (c == 0)
					break;
				p[1 + n] = c;
				n++;
			}
		}
		p[(1 + n) & 127] = 0;
		commit_param(s, (2 + n) & 127);
		return;
	}
	}
	push_empty(s);
}

/* A PT_SOCKTUPLE for sk. For inet sockets the source is the local end when
 * outbound (connect, send*) and the remote end when inbound (accept,
 * recv*), as libs does. If the socket has no remote address (an unconnected
 * datagram socket), the remote end comes from the user address uaddr.
 * AF_UNIX: u64 socket, u64 peer socket, path of the peer (or own) address. */
static __always_inline void push_socktuple(struct scratch *s, struct sock *sk, bool inbound, const void *uaddr,
					   u32 ulen)
{
	if (!sk) {
		push_empty(s);
		return;
	}
	u16 family = sk->__sk_common.skc_family;
	u8 *p = payload_ptr(s, 0);
	if (family == K_AF_INET) {
		u32 laddr = sk->__sk_common.skc_rcv_saddr;
		u16 lport = sk->__sk_common.skc_num;
		u32 raddr = sk->__sk_common.skc_daddr;
		u16 rport = bpf_ntohs(sk->__sk_common.skc_dport);
		/* Unconnected (datagram) or reset after a failed connect: the
		 * remote end is the address the caller gave, if any. */
		if (rport == 0 && uaddr) {
			u8 buf[112] = {};
			if (read_user_sockaddr(buf, uaddr, ulen) == K_AF_INET) {
				struct sockaddr_in *in = (void *)buf;
				raddr = in->sin_addr.s_addr;
				rport = bpf_ntohs(in->sin_port);
			}
		}
		p[0] = PPM_AF_INET;
		if (inbound) {
			*(u32 *)(p + 1) = raddr;
			*(u16 *)(p + 5) = rport;
			*(u32 *)(p + 7) = laddr;
			*(u16 *)(p + 11) = lport;
		} else {
			*(u32 *)(p + 1) = laddr;
			*(u16 *)(p + 5) = lport;
			*(u32 *)(p + 7) = raddr;
			*(u16 *)(p + 11) = rport;
		}
		commit_param(s, 13);
		return;
	}
	if (family == K_AF_INET6) {
		struct in6_addr laddr = sk->__sk_common.skc_v6_rcv_saddr;
		struct in6_addr raddr = sk->__sk_common.skc_v6_daddr;
		u16 lport = sk->__sk_common.skc_num;
		u16 rport = bpf_ntohs(sk->__sk_common.skc_dport);
		if (rport == 0 && uaddr) {
			u8 buf[112] = {};
			if (read_user_sockaddr(buf, uaddr, ulen) == K_AF_INET6) {
				struct sockaddr_in6 *in6 = (void *)buf;
				__builtin_memcpy(&raddr, &in6->sin6_addr, 16);
				rport = bpf_ntohs(in6->sin6_port);
			}
		}
		p[0] = PPM_AF_INET6;
		if (inbound) {
			__builtin_memcpy(p + 1, &raddr, 16);
			*(u16 *)(p + 17) = rport;
			__builtin_memcpy(p + 19, &laddr, 16);
			*(u16 *)(p + 35) = lport;
		} else {
			__builtin_memcpy(p + 1, &laddr, 16);
			*(u16 *)(p + 17) = lport;
			__builtin_memcpy(p + 19, &raddr, 16);
			*(u16 *)(p + 35) = rport;
		}
		commit_param(s, 37);
		return;
	}
	if (family == K_AF_UNIX) {
		struct unix_sock *us = unix_sk(sk);
		struct sock *peer = us->peer;
		p[0] = PPM_AF_UNIX;
		*(u64 *)(p + 1) = (u64)sk;
		*(u64 *)(p + 9) = (u64)peer;
		u32 n = 0;
		if (peer)
			n = copy_unix_path(p + 17, unix_sk(peer)->addr);
		if (n == 0)
			n = copy_unix_path(p + 17, us->addr);
		if (n == 0 && uaddr) {
			u8 buf[112] = {};
			if (read_user_sockaddr(buf, uaddr, ulen) == K_AF_UNIX) {
				struct sockaddr_un *un = (void *)buf;
				n = 0;
				for (int i = 0; i < UNIX_PATH_MAX - 1; i++) {
					char c = un->sun_path[i];
					if (c == 0)
						break;
					p[17 + n] = c;
					n++;
				}
				p[(17 + n) & 255] = 0;
				n++;
			}
		}
		if (n == 0) {
			p[17] = 0;
			n = 1;
		}
		commit_param(s, (17 + n) & 255);
		return;
	}
	push_empty(s);
}
