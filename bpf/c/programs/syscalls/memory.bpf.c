/* Memory, file metadata and other security-relevant calls that have an
 * event type of their own: mmap, munmap, mprotect, brk, mlock, munlock,
 * mlock2, mlockall, munlockall; ioctl, access, stat, lstat, fstat,
 * newfstatat, lseek, getdents, getdents64, flock; seccomp, delete_module,
 * keyctl, getrlimit, setrlimit, prlimit64, io_uring_enter,
 * io_uring_register. */
#include "../prog.h"

/* The caller's memory counters (vm_size, vm_rss, vm_swap in KiB), read at
 * exit so they include what the call mapped or unmapped. */
static __always_inline void push_vm(struct scratch *s)
{
	u32 size, rss, swap;
	task_vm(current_task(), &size, &rss, &swap);
	push_u32(s, size);
	push_u32(s, rss);
	push_u32(s, swap);
}

/* mmap(addr, length, prot, flags, fd, offset) */
SYSCALL_EXIT(mmap)
{
	BEGIN(PPME_SYSCALL_MMAP_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameters 2-4: vm_size, vm_rss, vm_swap (type: PT_UINT32) */
	push_vm(s);
	/* Parameter 5: addr (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 0));
	/* Parameter 6: length (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 1));
	/* Parameter 7: prot (type: PT_FLAGS32) */
	push_u32(s, prot_flags_to_scap(syscall_arg(regs, 2)));
	/* Parameter 8: flags (type: PT_FLAGS32) */
	push_u32(s, mmap_flags_to_scap(syscall_arg(regs, 3)));
	/* Parameter 9: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 4));
	/* Parameter 10: offset (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 5));
	event_submit(s);
	return 0;
}

/* munmap(addr, length) */
SYSCALL_EXIT(munmap)
{
	BEGIN(PPME_SYSCALL_MUNMAP_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameters 2-4: vm_size, vm_rss, vm_swap (type: PT_UINT32) */
	push_vm(s);
	/* Parameter 5: addr (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 0));
	/* Parameter 6: length (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* brk(addr): res is the new program break (the old one when the call
 * could not move it), never an errno. */
SYSCALL_EXIT(brk)
{
	BEGIN(PPME_SYSCALL_BRK_4_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_UINT64) */
	push_u64(s, ret);
	/* Parameters 2-4: vm_size, vm_rss, vm_swap (type: PT_UINT32) */
	push_vm(s);
	/* Parameter 5: addr (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* mprotect(addr, length, prot) */
SYSCALL_EXIT(mprotect)
{
	BEGIN(PPME_SYSCALL_MPROTECT_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: addr (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 0));
	/* Parameter 3: length (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 1));
	/* Parameter 4: prot (type: PT_FLAGS32) */
	push_u32(s, prot_flags_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* The parameters mlock and munlock share: (addr, len). */
static __always_inline void push_mlock(struct scratch *s, struct pt_regs *regs, long ret)
{
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: addr (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 0));
	/* Parameter 3: len (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 1));
}

SYSCALL_EXIT(mlock)
{
	BEGIN(PPME_SYSCALL_MLOCK_X, DROP_CAT_OTHER)
	push_mlock(s, regs, ret);
	event_submit(s);
	return 0;
}

SYSCALL_EXIT(munlock)
{
	BEGIN(PPME_SYSCALL_MUNLOCK_X, DROP_CAT_OTHER)
	push_mlock(s, regs, ret);
	event_submit(s);
	return 0;
}

/* mlock2(addr, len, flags) */
SYSCALL_EXIT(mlock2)
{
	BEGIN(PPME_SYSCALL_MLOCK2_X, DROP_CAT_OTHER)
	push_mlock(s, regs, ret);
	/* Parameter 4: flags (type: PT_FLAGS32) */
	push_u32(s, mlock2_flags_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* mlockall(flags) */
SYSCALL_EXIT(mlockall)
{
	BEGIN(PPME_SYSCALL_MLOCKALL_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: flags (type: PT_FLAGS32) */
	push_u32(s, mlockall_flags_to_scap(syscall_arg(regs, 0)));
	event_submit(s);
	return 0;
}

/* munlockall() */
SYSCALL_EXIT(munlockall)
{
	BEGIN(PPME_SYSCALL_MUNLOCKALL_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	event_submit(s);
	return 0;
}

/* ioctl(fd, request, argument): the argument as a number (often a pointer). */
SYSCALL_EXIT(ioctl)
{
	BEGIN(PPME_SYSCALL_IOCTL_3_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: request (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 1));
	/* Parameter 4: argument (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* access(path, mode) */
SYSCALL_EXIT(access)
{
	BEGIN(PPME_SYSCALL_ACCESS_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: name (type: PT_FSPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	/* Parameter 3: mode (type: PT_FLAGS32) */
	push_u32(s, access_flags_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* stat and lstat(path, statbuf): the path as passed. */
static __always_inline void push_stat_path(struct scratch *s, struct pt_regs *regs, long ret)
{
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_FSPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
}

SYSCALL_EXIT(stat)
{
	BEGIN(PPME_SYSCALL_STAT_X, DROP_CAT_OTHER)
	push_stat_path(s, regs, ret);
	event_submit(s);
	return 0;
}

SYSCALL_EXIT(lstat)
{
	BEGIN(PPME_SYSCALL_LSTAT_X, DROP_CAT_OTHER)
	push_stat_path(s, regs, ret);
	event_submit(s);
	return 0;
}

/* The (res, fd) events: fstat, getdents, getdents64. */
static __always_inline void push_res_fd(struct scratch *s, struct pt_regs *regs, long ret)
{
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
}

SYSCALL_EXIT(fstat)
{
	BEGIN(PPME_SYSCALL_FSTAT_X, DROP_CAT_OTHER)
	push_res_fd(s, regs, ret);
	event_submit(s);
	return 0;
}

SYSCALL_EXIT(getdents)
{
	BEGIN(PPME_SYSCALL_GETDENTS_X, DROP_CAT_OTHER)
	push_res_fd(s, regs, ret);
	event_submit(s);
	return 0;
}

SYSCALL_EXIT(getdents64)
{
	BEGIN(PPME_SYSCALL_GETDENTS64_X, DROP_CAT_OTHER)
	push_res_fd(s, regs, ret);
	event_submit(s);
	return 0;
}

/* newfstatat(dirfd, path, statbuf, flags): a relative path is resolved
 * against dirfd in userspace. */
SYSCALL_EXIT(newfstatat)
{
	BEGIN(PPME_SYSCALL_NEWFSTATAT_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: dirfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: path (type: PT_FSRELPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 1), MAX_PATH);
	/* Parameter 4: flags (type: PT_FLAGS32) */
	push_u32(s, newfstatat_flags_to_scap(syscall_arg(regs, 3)));
	event_submit(s);
	return 0;
}

/* lseek(fd, offset, whence) */
SYSCALL_EXIT(lseek)
{
	BEGIN(PPME_SYSCALL_LSEEK_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: offset (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 1));
	/* Parameter 4: whence (type: PT_ENUMFLAGS8) */
	push_u8(s, lseek_whence_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* flock(fd, operation) */
SYSCALL_EXIT(flock)
{
	BEGIN(PPME_SYSCALL_FLOCK_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: operation (type: PT_FLAGS32) */
	push_u32(s, flock_flags_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* seccomp(operation, flags, args): operation and flags as numbers (their
 * values are the kernel's). */
SYSCALL_EXIT(seccomp)
{
	BEGIN(PPME_SYSCALL_SECCOMP_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: op (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 0));
	/* Parameter 3: flags (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

#define MODULE_NAME_LEN 56 /* 64 - sizeof(unsigned long) */

/* delete_module(name, flags) */
SYSCALL_EXIT(delete_module)
{
	BEGIN(PPME_SYSCALL_DELETE_MODULE_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: name (type: PT_CHARBUF) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MODULE_NAME_LEN);
	/* Parameter 3: flags (type: PT_FLAGS32) */
	push_u32(s, delete_module_flags_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* PT_DYN keyctl argument kinds (keyctl_dynamic_param). */
#define PPM_KEYCTL_IDX_UINT64 0
#define PPM_KEYCTL_IDX_STR 1

#define K_KEYCTL_JOIN_SESSION_KEYRING 1
#define K_KEYCTL_SEARCH 10
#define K_KEYCTL_RESTRICT_KEYRING 29

/* Whether argument i (2-5) of keyctl operation op is a string: the keyring
 * name of JOIN_SESSION_KEYRING, the type and description of SEARCH, the
 * type and restriction of RESTRICT_KEYRING. Other arguments (key ids,
 * ids, lengths, pointers to binary payloads or output buffers) are numbers. */
static __always_inline bool keyctl_arg_is_str(u64 op, int i)
{
	switch (op) {
	case K_KEYCTL_JOIN_SESSION_KEYRING: return i == 2;
	case K_KEYCTL_SEARCH: return i == 3 || i == 4;
	case K_KEYCTL_RESTRICT_KEYRING: return i == 3 || i == 4;
	}
	return false;
}

/* One PT_DYN keyctl argument: u8 kind, then a u64 or a NUL-terminated
 * string (an unreadable or NULL string is written as an empty string, so
 * the kind byte is never alone). */
static __always_inline void push_keyctl_arg(struct scratch *s, u64 op, int i, u64 v)
{
	u64 start = s->payload_pos;
	if (keyctl_arg_is_str(op, i)) {
		append_byte(s, PPM_KEYCTL_IDX_STR);
		if (!v || append_user_str(s, (void *)v, 256) == 0)
			append_byte(s, 0);
	} else {
		u8 *p = payload_ptr(s, 0);
		p[0] = PPM_KEYCTL_IDX_UINT64;
		*(u64 *)(p + 1) = v;
		s->payload_pos = start + 9;
	}
	close_param(s, start);
}

/* keyctl(operation, arg2, arg3, arg4, arg5): operation values are the
 * PPM_KEYCTL_* values. */
SYSCALL_EXIT(keyctl)
{
	BEGIN(PPME_SYSCALL_KEYCTL_X, DROP_CAT_OTHER_INTEREST)
	u64 op = syscall_arg(regs, 0);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: operation (type: PT_ENUMFLAGS32) */
	push_u32(s, op);
	/* Parameters 3-6: arg2..arg5 (type: PT_DYN) */
	push_keyctl_arg(s, op, 2, syscall_arg(regs, 1));
	push_keyctl_arg(s, op, 3, syscall_arg(regs, 2));
	push_keyctl_arg(s, op, 4, syscall_arg(regs, 3));
	push_keyctl_arg(s, op, 5, syscall_arg(regs, 4));
	event_submit(s);
	return 0;
}

/* A struct rlimit at ptr, or -1/-1 (as libs writes an unknown limit) when
 * ptr is NULL, unreadable, or only filled by a call that failed. */
static __always_inline void read_rlimit(const void *ptr, bool valid, s64 *cur, s64 *max)
{
	struct rlimit rl = {};
	*cur = *max = -1;
	if (!valid || !ptr || bpf_probe_read_user(&rl, sizeof(rl), ptr) != 0)
		return;
	*cur = rl.rlim_cur;
	*max = rl.rlim_max;
}

/* getrlimit(resource, rlim): the limits the call returned. */
SYSCALL_EXIT(getrlimit)
{
	BEGIN(PPME_SYSCALL_GETRLIMIT_X, DROP_CAT_OTHER)
	s64 cur, max;
	read_rlimit((void *)syscall_arg(regs, 1), ret == 0, &cur, &max);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: cur (type: PT_INT64) */
	push_s64(s, cur);
	/* Parameter 3: max (type: PT_INT64) */
	push_s64(s, max);
	/* Parameter 4: resource (type: PT_ENUMFLAGS8) */
	push_u8(s, rlimit_resource_to_scap(syscall_arg(regs, 0)));
	event_submit(s);
	return 0;
}

/* setrlimit(resource, rlim): the limits asked for (an input: shown even
 * when the call refused them). */
SYSCALL_EXIT(setrlimit)
{
	BEGIN(PPME_SYSCALL_SETRLIMIT_X, DROP_CAT_OTHER)
	s64 cur, max;
	read_rlimit((void *)syscall_arg(regs, 1), true, &cur, &max);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: cur (type: PT_INT64) */
	push_s64(s, cur);
	/* Parameter 3: max (type: PT_INT64) */
	push_s64(s, max);
	/* Parameter 4: resource (type: PT_ENUMFLAGS8) */
	push_u8(s, rlimit_resource_to_scap(syscall_arg(regs, 0)));
	event_submit(s);
	return 0;
}

/* prlimit64(pid, resource, new, old): new limits as asked for, old limits
 * as returned (only when the call succeeded). */
SYSCALL_EXIT(prlimit64)
{
	BEGIN(PPME_SYSCALL_PRLIMIT_X, DROP_CAT_OTHER)
	s64 newcur, newmax, oldcur, oldmax;
	read_rlimit((void *)syscall_arg(regs, 2), true, &newcur, &newmax);
	read_rlimit((void *)syscall_arg(regs, 3), ret == 0, &oldcur, &oldmax);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: newcur (type: PT_INT64) */
	push_s64(s, newcur);
	/* Parameter 3: newmax (type: PT_INT64) */
	push_s64(s, newmax);
	/* Parameter 4: oldcur (type: PT_INT64) */
	push_s64(s, oldcur);
	/* Parameter 5: oldmax (type: PT_INT64) */
	push_s64(s, oldmax);
	/* Parameter 6: pid (type: PT_INT64) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 7: resource (type: PT_ENUMFLAGS8) */
	push_u8(s, rlimit_resource_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* io_uring_enter(fd, to_submit, min_complete, flags, sig, sigsz). sig is
 * written as libs' probes write it: the low 32 bits of the argument (a
 * pointer to a sigset, or to io_uring_getevents_arg with EXT_ARG). */
SYSCALL_EXIT(io_uring_enter)
{
	BEGIN(PPME_SYSCALL_IO_URING_ENTER_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: to_submit (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 1));
	/* Parameter 4: min_complete (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
	/* Parameter 5: flags (type: PT_FLAGS32) */
	push_u32(s, io_uring_enter_flags_to_scap(syscall_arg(regs, 3)));
	/* Parameter 6: sig (type: PT_SIGSET) */
	push_u32(s, syscall_arg(regs, 4));
	event_submit(s);
	return 0;
}

/* io_uring_register(fd, opcode, arg, nr_args) */
SYSCALL_EXIT(io_uring_register)
{
	BEGIN(PPME_SYSCALL_IO_URING_REGISTER_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: opcode (type: PT_ENUMFLAGS16) */
	push_u16(s, io_uring_register_opcode_to_scap(syscall_arg(regs, 1)));
	/* Parameter 4: arg (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 2));
	/* Parameter 5: nr_args (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 3));
	event_submit(s);
	return 0;
}
