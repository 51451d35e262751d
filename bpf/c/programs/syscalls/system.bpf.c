/* Namespaces, mounts, working and root directory, credentials, process
 * control, limits and the kernel itself: setns, unshare, mount, umount2,
 * fsconfig, chroot, chdir, fchdir, setuid, setgid, setresuid, setresgid,
 * setreuid, setregid, capset, prctl, ptrace, process_vm_readv,
 * process_vm_writev, bpf, init_module, finit_module, delete_module, kill,
 * tkill, tgkill, seccomp, keyctl, getrlimit, setrlimit, prlimit64,
 * getcwd, getuid, geteuid, getgid, getegid, getresuid, getresgid,
 * quotactl, and System V semaphores: semget, semop, semctl. */
#include "../prog.h"

/* setns(fd, nstype) */
SYSCALL_EXIT(setns)
{
	BEGIN(PPME_SYSCALL_SETNS_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: nstype (type: PT_FLAGS32) */
	push_u32(s, clone_flags_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* unshare(flags) */
SYSCALL_EXIT(unshare)
{
	BEGIN(PPME_SYSCALL_UNSHARE_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: flags (type: PT_FLAGS32) */
	push_u32(s, clone_flags_to_scap(syscall_arg(regs, 0)));
	event_submit(s);
	return 0;
}

/* mount(source, target, fstype, flags, data) */
SYSCALL_EXIT(mount)
{
	BEGIN(PPME_SYSCALL_MOUNT_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: dev (type: PT_CHARBUF) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	/* Parameter 3: dir (type: PT_FSPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 1), MAX_PATH);
	/* Parameter 4: type (type: PT_CHARBUF) */
	push_user_str(s, (void *)syscall_arg(regs, 2), 256);
	/* Parameter 5: flags (type: PT_FLAGS32) */
	push_u32(s, mount_flags_to_scap(syscall_arg(regs, 3)));
	event_submit(s);
	return 0;
}

/* umount2(target, flags) */
SYSCALL_EXIT(umount2)
{
	BEGIN(PPME_SYSCALL_UMOUNT2_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: name (type: PT_FSPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	/* Parameter 3: flags (type: PT_FLAGS32) */
	push_u32(s, umount_flags_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

#define K_FSCONFIG_SET_FLAG 0
#define K_FSCONFIG_SET_STRING 1
#define K_FSCONFIG_SET_BINARY 2
#define K_FSCONFIG_SET_PATH 3
#define K_FSCONFIG_SET_PATH_EMPTY 4
#define K_FSCONFIG_SET_FD 5

/* fsconfig(fd, cmd, key, value, aux): cmd values are the PPM_FSCONFIG_*
 * values. As libs does, key and value are left empty when the call failed;
 * value is a string for SET_STRING/SET_PATH/SET_PATH_EMPTY, aux bytes for
 * SET_BINARY, absent otherwise. aux is the binary length, the dirfd of a
 * path, or the fd of SET_FD. */
SYSCALL_EXIT(fsconfig)
{
	BEGIN(PPME_SYSCALL_FSCONFIG_X, DROP_CAT_OTHER_INTEREST)
	u64 cmd = syscall_arg(regs, 1);
	void *key = (void *)syscall_arg(regs, 2);
	void *value = (void *)syscall_arg(regs, 3);
	s32 aux = syscall_arg(regs, 4);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: cmd (type: PT_ENUMFLAGS32) */
	push_u32(s, cmd);
	if (ret < 0) {
		push_empty(s);
		push_empty(s);
		push_empty(s);
	} else {
		/* Parameter 4: key (type: PT_CHARBUF) */
		push_user_str(s, key, 256);
		switch (cmd) {
		case K_FSCONFIG_SET_STRING:
		case K_FSCONFIG_SET_PATH:
		case K_FSCONFIG_SET_PATH_EMPTY:
			/* Parameter 5: value_bytebuf (type: PT_BYTEBUF) */
			push_empty(s);
			/* Parameter 6: value_charbuf (type: PT_CHARBUF) */
			push_user_str(s, value, MAX_PATH);
			break;
		case K_FSCONFIG_SET_BINARY:
			push_user_buf(s, value, aux > 0 ? aux : 0, snaplen);
			push_empty(s);
			break;
		default:
			push_empty(s);
			push_empty(s);
		}
	}
	/* Parameter 7: aux (type: PT_INT32) */
	push_s32(s, aux);
	event_submit(s);
	return 0;
}

/* chroot(path) */
SYSCALL_EXIT(chroot)
{
	BEGIN(PPME_SYSCALL_CHROOT_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_FSPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	event_submit(s);
	return 0;
}

/* chdir(path) */
SYSCALL_EXIT(chdir)
{
	BEGIN(PPME_SYSCALL_CHDIR_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_CHARBUF) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	event_submit(s);
	return 0;
}

/* fchdir(fd) */
SYSCALL_EXIT(fchdir)
{
	BEGIN(PPME_SYSCALL_FCHDIR_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* setuid(uid) */
SYSCALL_EXIT(setuid)
{
	BEGIN(PPME_SYSCALL_SETUID_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: uid (type: PT_UID) */
	push_u32(s, syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* setgid(gid) */
SYSCALL_EXIT(setgid)
{
	BEGIN(PPME_SYSCALL_SETGID_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: gid (type: PT_GID) */
	push_u32(s, syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* setresuid(ruid, euid, suid) */
SYSCALL_EXIT(setresuid)
{
	BEGIN(PPME_SYSCALL_SETRESUID_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: ruid (type: PT_UID) */
	push_u32(s, syscall_arg(regs, 0));
	/* Parameter 3: euid (type: PT_UID) */
	push_u32(s, syscall_arg(regs, 1));
	/* Parameter 4: suid (type: PT_UID) */
	push_u32(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* setresgid(rgid, egid, sgid) */
SYSCALL_EXIT(setresgid)
{
	BEGIN(PPME_SYSCALL_SETRESGID_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: rgid (type: PT_GID) */
	push_u32(s, syscall_arg(regs, 0));
	/* Parameter 3: egid (type: PT_GID) */
	push_u32(s, syscall_arg(regs, 1));
	/* Parameter 4: sgid (type: PT_GID) */
	push_u32(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* setreuid(ruid, euid) */
SYSCALL_EXIT(setreuid)
{
	BEGIN(PPME_SYSCALL_SETREUID_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: ruid (type: PT_UID) */
	push_u32(s, syscall_arg(regs, 0));
	/* Parameter 3: euid (type: PT_UID) */
	push_u32(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* setregid(rgid, egid) */
SYSCALL_EXIT(setregid)
{
	BEGIN(PPME_SYSCALL_SETREGID_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: rgid (type: PT_UID) */
	push_u32(s, syscall_arg(regs, 0));
	/* Parameter 3: egid (type: PT_UID) */
	push_u32(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* capset(header, data): the capabilities in force after the call. */
SYSCALL_EXIT(capset)
{
	BEGIN(PPME_SYSCALL_CAPSET_X, DROP_CAT_OTHER_INTEREST)
	const struct cred *cred = current_task()->cred;
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: cap_inheritable (type: PT_UINT64) */
	push_u64(s, cred->cap_inheritable.val);
	/* Parameter 3: cap_permitted (type: PT_UINT64) */
	push_u64(s, cred->cap_permitted.val);
	/* Parameter 4: cap_effective (type: PT_UINT64) */
	push_u64(s, cred->cap_effective.val);
	event_submit(s);
	return 0;
}

#define K_PR_SET_NAME 15
#define K_PR_GET_NAME 16
#define K_PR_GET_CHILD_SUBREAPER 37

/* prctl(option, arg2, ...): option values are the PPM_PR_* values. arg2 is
 * a string for PR_SET_NAME/PR_GET_NAME, the int it points to for
 * PR_GET_CHILD_SUBREAPER, the number itself otherwise. */
SYSCALL_EXIT(prctl)
{
	BEGIN(PPME_SYSCALL_PRCTL_X, DROP_CAT_OTHER_INTEREST)
	u64 option = syscall_arg(regs, 0);
	u64 arg2 = syscall_arg(regs, 1);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: option (type: PT_ENUMFLAGS32) */
	push_u32(s, option);
	if (option == K_PR_SET_NAME || option == K_PR_GET_NAME) {
		/* Parameter 3: arg2_str (type: PT_CHARBUF) */
		push_user_str(s, (void *)arg2, 16);
		/* Parameter 4: arg2_int (type: PT_INT64) */
		push_empty(s);
	} else {
		s64 v = arg2;
		if (option == K_PR_GET_CHILD_SUBREAPER) {
			s32 i = 0;
			bpf_probe_read_user(&i, sizeof(i), (void *)arg2);
			v = i;
		}
		push_empty(s);
		push_s64(s, v);
	}
	event_submit(s);
	return 0;
}

/* A PT_DYN ptrace value: u8 index into ptrace_dynamic_param, then the value. */
static __always_inline void push_ptrace_dyn(struct scratch *s, u8 idx, u64 v)
{
	u8 *p = payload_ptr(s, 0);
	p[0] = idx;
	if (idx == PPM_PTRACE_IDX_SIGTYPE) {
		p[1] = v;
		commit_param(s, 2);
	} else {
		*(u64 *)(p + 1) = v;
		commit_param(s, 9);
	}
}

/* ptrace(request, pid, addr, data). data is a signal for the resuming
 * requests, the word read for PEEK* (stored at *data), a number otherwise. */
SYSCALL_EXIT(ptrace)
{
	BEGIN(PPME_SYSCALL_PTRACE_X, DROP_CAT_OTHER_INTEREST)
	u64 req = syscall_arg(regs, 0);
	u64 addr = syscall_arg(regs, 2);
	u64 data = syscall_arg(regs, 3);
	u8 data_idx = PPM_PTRACE_IDX_UINT64;
	switch (req) {
	case 1: case 2: case 3: /* PEEKTEXT, PEEKDATA, PEEKUSR */
		if (ret >= 0) {
			u64 word = 0;
			bpf_probe_read_user(&word, sizeof(word), (void *)data);
			data = word;
		}
		break;
	case 7: case 9: case 17: case 24: case 31: case 32: /* CONT, SINGLESTEP, DETACH, SYSCALL, SYSEMU* */
		data_idx = PPM_PTRACE_IDX_SIGTYPE;
		break;
	}
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: addr (type: PT_DYN) */
	push_ptrace_dyn(s, PPM_PTRACE_IDX_UINT64, addr);
	/* Parameter 3: data (type: PT_DYN) */
	push_ptrace_dyn(s, data_idx, data);
	/* Parameter 4: request (type: PT_ENUMFLAGS16) */
	push_u16(s, ptrace_request_to_scap(req));
	/* Parameter 5: pid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* process_vm_readv/process_vm_writev(pid, local_iov, liovcnt, remote_iov,
 * riovcnt, flags): data is what was transferred, from the caller's side
 * (the local iovecs: where readv put what it read, where writev took what
 * it wrote), the first snaplen bytes of the first local iovec. */
static __always_inline void write_process_vm(struct scratch *s, struct pt_regs *regs, long ret)
{
	struct iovec first;
	iov_total((const struct iovec *)syscall_arg(regs, 1), syscall_arg(regs, 2), &first);
	/* Parameter 1: res (type: PT_INT64) */
	push_s64(s, ret);
	/* Parameter 2: pid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: data (type: PT_BYTEBUF) */
	push_data(s, first.iov_base, ret, first.iov_len);
	event_submit(s);
}

SYSCALL_EXIT(process_vm_readv)
{
	BEGIN(PPME_SYSCALL_PROCESS_VM_READV_X, DROP_CAT_OTHER_INTEREST)
	write_process_vm(s, regs, ret);
	return 0;
}

SYSCALL_EXIT(process_vm_writev)
{
	BEGIN(PPME_SYSCALL_PROCESS_VM_WRITEV_X, DROP_CAT_OTHER_INTEREST)
	write_process_vm(s, regs, ret);
	return 0;
}

/* bpf(cmd, attr, size): cmd values are the PPM_BPF_* values. */
SYSCALL_EXIT(bpf)
{
	BEGIN(PPME_SYSCALL_BPF_2_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: cmd (type: PT_ENUMFLAGS32) */
	push_u32(s, syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* init_module(image, len, param_values): the first snaplen bytes of the image. */
SYSCALL_EXIT(init_module)
{
	BEGIN(PPME_SYSCALL_INIT_MODULE_X, DROP_CAT_OTHER_INTEREST)
	u64 len = syscall_arg(regs, 1);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: img (type: PT_BYTEBUF) */
	push_user_buf(s, (void *)syscall_arg(regs, 0), len, snaplen);
	/* Parameter 3: length (type: PT_UINT64) */
	push_u64(s, len);
	/* Parameter 4: uargs (type: PT_CHARBUF) */
	push_user_str(s, (void *)syscall_arg(regs, 2), MAX_PATH);
	event_submit(s);
	return 0;
}

/* finit_module(fd, param_values, flags) */
SYSCALL_EXIT(finit_module)
{
	BEGIN(PPME_SYSCALL_FINIT_MODULE_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: uargs (type: PT_CHARBUF) */
	push_user_str(s, (void *)syscall_arg(regs, 1), MAX_PATH);
	/* Parameter 4: flags (type: PT_FLAGS32) */
	push_u32(s, finit_module_flags_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* kill(pid, sig) */
SYSCALL_EXIT(kill)
{
	BEGIN(PPME_SYSCALL_KILL_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: pid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: sig (type: PT_SIGTYPE) */
	push_u8(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* tkill(tid, sig) */
SYSCALL_EXIT(tkill)
{
	BEGIN(PPME_SYSCALL_TKILL_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: tid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: sig (type: PT_SIGTYPE) */
	push_u8(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* tgkill(tgid, tid, sig) */
SYSCALL_EXIT(tgkill)
{
	BEGIN(PPME_SYSCALL_TGKILL_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: pid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: tid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 1));
	/* Parameter 4: sig (type: PT_SIGTYPE) */
	push_u8(s, syscall_arg(regs, 2));
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

/* getcwd(buf, size): the path the kernel wrote, on success (res is its
 * length with the NUL). */
SYSCALL_EXIT(getcwd)
{
	BEGIN(PPME_SYSCALL_GETCWD_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_CHARBUF) */
	if (ret > 0)
		push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	else
		push_empty(s);
	event_submit(s);
	return 0;
}

/* getuid, geteuid, getgid, getegid: the id is the return value (they
 * cannot fail). */
SYSCALL_EXIT(getuid)
{
	BEGIN(PPME_SYSCALL_GETUID_X, DROP_CAT_OTHER)
	/* Parameter 1: uid (type: PT_UID) */
	push_u32(s, ret);
	event_submit(s);
	return 0;
}

SYSCALL_EXIT(geteuid)
{
	BEGIN(PPME_SYSCALL_GETEUID_X, DROP_CAT_OTHER)
	/* Parameter 1: euid (type: PT_UID) */
	push_u32(s, ret);
	event_submit(s);
	return 0;
}

SYSCALL_EXIT(getgid)
{
	BEGIN(PPME_SYSCALL_GETGID_X, DROP_CAT_OTHER)
	/* Parameter 1: gid (type: PT_GID) */
	push_u32(s, ret);
	event_submit(s);
	return 0;
}

SYSCALL_EXIT(getegid)
{
	BEGIN(PPME_SYSCALL_GETEGID_X, DROP_CAT_OTHER)
	/* Parameter 1: egid (type: PT_GID) */
	push_u32(s, ret);
	event_submit(s);
	return 0;
}

/* getresuid and getresgid (r *, e *, s *): res, then the three ids the
 * kernel wrote (0 when unreadable). */
static __always_inline void push_getres(struct scratch *s, struct pt_regs *regs, long ret)
{
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameters 2-4: real, effective, saved (type: PT_UID / PT_GID) */
	for (int i = 0; i < 3; i++) {
		u32 id = 0;
		bpf_probe_read_user(&id, sizeof(id), (void *)syscall_arg(regs, i));
		push_u32(s, id);
	}
}

/* getresuid(ruid *, euid *, suid *) */
SYSCALL_EXIT(getresuid)
{
	BEGIN(PPME_SYSCALL_GETRESUID_X, DROP_CAT_OTHER)
	push_getres(s, regs, ret);
	event_submit(s);
	return 0;
}

/* getresgid(rgid *, egid *, sgid *) */
SYSCALL_EXIT(getresgid)
{
	BEGIN(PPME_SYSCALL_GETRESGID_X, DROP_CAT_OTHER)
	push_getres(s, regs, ret);
	event_submit(s);
	return 0;
}

/* semget(key, nsems, semflg) */
SYSCALL_EXIT(semget)
{
	BEGIN(PPME_SYSCALL_SEMGET_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: key (type: PT_INT32) */
	push_s32(s, syscall_arg(regs, 0));
	/* Parameter 3: nsems (type: PT_INT32) */
	push_s32(s, syscall_arg(regs, 1));
	/* Parameter 4: semflg (type: PT_FLAGS32): IPC_CREAT/IPC_EXCL only */
	push_u32(s, semget_flags_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* semop(semid, sops, nsops): the first two sembufs of a successful call
 * (all zero when it failed, or for the second of a single one). */
SYSCALL_EXIT(semop)
{
	BEGIN(PPME_SYSCALL_SEMOP_X, DROP_CAT_OTHER)
	u32 nsops = syscall_arg(regs, 2);
	void *usops = (void *)syscall_arg(regs, 1);
	struct sembuf sops[2] = {};
	if (ret == 0 && usops && nsops)
		bpf_probe_read_user(sops, nsops >= 2 ? 2 * sizeof(struct sembuf) : sizeof(struct sembuf), usops);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: nsops (type: PT_UINT32) */
	push_u32(s, nsops);
	for (int i = 0; i < 2; i++) {
		/* Parameters 3/6: sem_num_N (type: PT_UINT16) */
		push_u16(s, sops[i].sem_num);
		/* Parameters 4/7: sem_op_N (type: PT_INT16) */
		push_u16(s, sops[i].sem_op);
		/* Parameters 5/8: sem_flg_N (type: PT_FLAGS16) */
		push_u16(s, semop_flags_to_scap(sops[i].sem_flg));
	}
	/* Parameter 9: semid (type: PT_INT32) */
	push_s32(s, syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

#define K_SETVAL 16

/* semctl(semid, semnum, cmd, arg) */
SYSCALL_EXIT(semctl)
{
	BEGIN(PPME_SYSCALL_SEMCTL_X, DROP_CAT_OTHER)
	u64 cmd = syscall_arg(regs, 2);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: semid (type: PT_INT32) */
	push_s32(s, syscall_arg(regs, 0));
	/* Parameter 3: semnum (type: PT_INT32) */
	push_s32(s, syscall_arg(regs, 1));
	/* Parameter 4: cmd (type: PT_FLAGS16) */
	push_u16(s, semctl_cmd_to_scap(cmd));
	/* Parameter 5: val (type: PT_INT32): the value SETVAL sets, else 0 */
	push_s32(s, cmd == K_SETVAL ? (s32)syscall_arg(regs, 3) : 0);
	event_submit(s);
	return 0;
}

#define K_QIF_BLIMITS 1
#define K_QIF_SPACE 2
#define K_QIF_ILIMITS 4
#define K_QIF_BTIME 16
#define K_QIF_ITIME 32
#define K_IIF_BGRACE 1
#define K_IIF_IGRACE 2
#define K_IIF_FLAGS 4

/* quotactl(cmd, special, id, addr). addr is an if_dqblk for
 * Q_GETQUOTA/Q_SETQUOTA, an if_dqinfo for Q_GETINFO/Q_SETINFO, the quota
 * file's path for Q_QUOTAON and the format (u32) for Q_GETFMT. A field of
 * these structs is written when its valid bit is set (else 0), from what
 * the caller passed (SET*) or what the kernel returned (GET*, on success
 * only). */
SYSCALL_EXIT(quotactl)
{
	BEGIN(PPME_SYSCALL_QUOTACTL_X, DROP_CAT_OTHER)
	u64 cmd = syscall_arg(regs, 0);
	void *addr = (void *)syscall_arg(regs, 3);
	u16 scmd = quotactl_cmd_to_scap(cmd);
	struct if_dqblk dq = {};
	struct if_dqinfo di = {};
	u32 fmt_out = 0;
	bool got = ret == 0;
	if (addr && (scmd == PPM_Q_SETQUOTA || (scmd == PPM_Q_GETQUOTA && got)))
		bpf_probe_read_user(&dq, sizeof(dq), addr);
	if (addr && (scmd == PPM_Q_SETINFO || (scmd == PPM_Q_GETINFO && got)))
		bpf_probe_read_user(&di, sizeof(di), addr);
	if (addr && scmd == PPM_Q_GETFMT && got)
		bpf_probe_read_user(&fmt_out, sizeof(fmt_out), addr);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: special (type: PT_CHARBUF) */
	push_user_str(s, (void *)syscall_arg(regs, 1), MAX_PATH);
	/* Parameter 3: quotafilepath (type: PT_CHARBUF): Q_QUOTAON's addr */
	if (scmd == PPM_Q_QUOTAON)
		push_user_str(s, addr, MAX_PATH);
	else
		push_empty(s);
	/* Parameter 4: dqb_bhardlimit (type: PT_UINT64) */
	push_u64(s, dq.dqb_valid & K_QIF_BLIMITS ? dq.dqb_bhardlimit : 0);
	/* Parameter 5: dqb_bsoftlimit (type: PT_UINT64) */
	push_u64(s, dq.dqb_valid & K_QIF_BLIMITS ? dq.dqb_bsoftlimit : 0);
	/* Parameter 6: dqb_curspace (type: PT_UINT64) */
	push_u64(s, dq.dqb_valid & K_QIF_SPACE ? dq.dqb_curspace : 0);
	/* Parameter 7: dqb_ihardlimit (type: PT_UINT64) */
	push_u64(s, dq.dqb_valid & K_QIF_ILIMITS ? dq.dqb_ihardlimit : 0);
	/* Parameter 8: dqb_isoftlimit (type: PT_UINT64) */
	push_u64(s, dq.dqb_valid & K_QIF_ILIMITS ? dq.dqb_isoftlimit : 0);
	/* Parameter 9: dqb_btime (type: PT_RELTIME): seconds, as the struct holds it */
	push_u64(s, dq.dqb_valid & K_QIF_BTIME ? dq.dqb_btime : 0);
	/* Parameter 10: dqb_itime (type: PT_RELTIME): seconds */
	push_u64(s, dq.dqb_valid & K_QIF_ITIME ? dq.dqb_itime : 0);
	/* Parameter 11: dqi_bgrace (type: PT_RELTIME): seconds */
	push_u64(s, di.dqi_valid & K_IIF_BGRACE ? di.dqi_bgrace : 0);
	/* Parameter 12: dqi_igrace (type: PT_RELTIME): seconds */
	push_u64(s, di.dqi_valid & K_IIF_IGRACE ? di.dqi_igrace : 0);
	/* Parameter 13: dqi_flags (type: PT_FLAGS8) */
	push_u8(s, di.dqi_valid & K_IIF_FLAGS ? quotactl_dqi_flags_to_scap(di.dqi_flags) : 0);
	/* Parameter 14: quota_fmt_out (type: PT_FLAGS8): Q_GETFMT's result */
	push_u8(s, scmd == PPM_Q_GETFMT && got ? quotactl_fmt_to_scap(fmt_out) : PPM_QFMT_NOT_USED);
	/* Parameter 15: cmd (type: PT_FLAGS16) */
	push_u16(s, scmd);
	/* Parameter 16: type (type: PT_FLAGS8) */
	push_u8(s, quotactl_type_to_scap(cmd));
	/* Parameter 17: id (type: PT_UINT32): as passed */
	push_u32(s, syscall_arg(regs, 2));
	/* Parameter 18: quota_fmt (type: PT_FLAGS8): Q_QUOTAON's format (id) */
	push_u8(s, scmd == PPM_Q_QUOTAON ? quotactl_fmt_to_scap(syscall_arg(regs, 2)) : PPM_QFMT_NOT_USED);
	event_submit(s);
	return 0;
}
