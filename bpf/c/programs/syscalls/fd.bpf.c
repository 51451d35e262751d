/* Calls that create, control or destroy file descriptors: the open family
 * (with open_by_handle_at), close, close_range, the dup family, fcntl,
 * ioctl, pipe, memfd_create, userfaultfd, pidfd_open, pidfd_getfd, the
 * anonymous-fd creators (eventfd, eventfd2, signalfd, signalfd4,
 * timerfd_create, inotify_init, inotify_init1, epoll_create,
 * epoll_create1) and io_uring (setup, enter, register). */
#include "../prog.h"

#define FMODE_CREATED 0x100000 /* f_mode bit: the open created the file */

/* What an open-family event reports about the file it opened: whether the
 * call created it (O_F_CREATED), which overlay layer it is in, its device
 * and inode. One fd lookup. */
struct opened {
	u32 created;
	u32 layer; /* enum overlay_layer */
	u32 dev;
	u64 ino;
	struct file *file;
};

static __always_inline struct opened opened_file(struct task_struct *task, long fd)
{
	struct opened o = {};
	if (fd < 0)
		return o;
	struct file *f = fd_file(task, fd);
	if (!f)
		return o;
	o.file = f;
	if (f->f_mode & FMODE_CREATED)
		o.created = PPM_O_F_CREATED;
	o.layer = dentry_overlay_layer(f->f_path.dentry);
	struct inode *inode = f->f_inode;
	if (inode) {
		o.ino = inode->i_ino;
		o.dev = encode_dev(inode->i_sb->s_dev);
	}
	return o;
}

/* The open-family file_flags facts known only at exit: O_F_CREATED and the
 * overlay layer. */
static __always_inline u32 opened_flags(struct opened *o)
{
	u32 f = o->created;
	if (o->layer == LAYER_UPPER)
		f |= PPM_FD_UPPER_LAYER;
	else if (o->layer == LAYER_LOWER)
		f |= PPM_FD_LOWER_LAYER;
	return f;
}

/* open(pathname, flags, mode) */
SYSCALL_EXIT(open)
{
	BEGIN(PPME_SYSCALL_OPEN_X, DROP_CAT_OPEN)
	struct task_struct *task = current_task();
	u64 flags = syscall_arg(regs, 1);
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: name (type: PT_FSPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	struct opened o = opened_file(task, ret);
	/* Parameter 3: flags (type: PT_FLAGS32) */
	push_u32(s, open_flags_to_scap(flags) | opened_flags(&o));
	/* Parameter 4: mode (type: PT_UINT32) */
	push_u32(s, open_mode_to_scap(flags, syscall_arg(regs, 2)));
	/* Parameter 5: dev (type: PT_UINT32) */
	push_u32(s, o.dev);
	/* Parameter 6: ino (type: PT_UINT64) */
	push_u64(s, o.ino);
	event_submit(s);
	return 0;
}

/* openat(dirfd, pathname, flags, mode) */
SYSCALL_EXIT(openat)
{
	BEGIN(PPME_SYSCALL_OPENAT_2_X, DROP_CAT_OPEN)
	struct task_struct *task = current_task();
	u64 flags = syscall_arg(regs, 2);
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: dirfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: name (type: PT_FSRELPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 1), MAX_PATH);
	struct opened o = opened_file(task, ret);
	/* Parameter 4: flags (type: PT_FLAGS32) */
	push_u32(s, open_flags_to_scap(flags) | opened_flags(&o));
	/* Parameter 5: mode (type: PT_UINT32) */
	push_u32(s, open_mode_to_scap(flags, syscall_arg(regs, 3)));
	/* Parameter 6: dev (type: PT_UINT32) */
	push_u32(s, o.dev);
	/* Parameter 7: ino (type: PT_UINT64) */
	push_u64(s, o.ino);
	event_submit(s);
	return 0;
}

/* openat2(dirfd, pathname, struct open_how *how, size) */
SYSCALL_EXIT(openat2)
{
	BEGIN(PPME_SYSCALL_OPENAT2_X, DROP_CAT_OPEN)
	struct task_struct *task = current_task();
	struct open_how how = {};
	bpf_probe_read_user(&how, sizeof(how), (void *)syscall_arg(regs, 2));
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: dirfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: name (type: PT_FSRELPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 1), MAX_PATH);
	struct opened o = opened_file(task, ret);
	/* Parameter 4: flags (type: PT_FLAGS32) */
	push_u32(s, open_flags_to_scap(how.flags) | opened_flags(&o));
	/* Parameter 5: mode (type: PT_UINT32) */
	push_u32(s, open_mode_to_scap(how.flags, how.mode));
	/* Parameter 6: resolve (type: PT_FLAGS32) */
	push_u32(s, openat2_resolve_to_scap(how.resolve));
	/* Parameter 7: dev (type: PT_UINT32) */
	push_u32(s, o.dev);
	/* Parameter 8: ino (type: PT_UINT64) */
	push_u64(s, o.ino);
	event_submit(s);
	return 0;
}

/* creat(pathname, mode) */
SYSCALL_EXIT(creat)
{
	BEGIN(PPME_SYSCALL_CREAT_X, DROP_CAT_OPEN)
	struct task_struct *task = current_task();
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: name (type: PT_FSPATH) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	struct opened o = opened_file(task, ret);
	/* Parameter 3: mode (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 1) & 07777);
	/* Parameter 4: dev (type: PT_UINT32) */
	push_u32(s, o.dev);
	/* Parameter 5: ino (type: PT_UINT64) */
	push_u64(s, o.ino);
	/* Parameter 6: creat_flags (type: PT_FLAGS16): the overlay layer */
	push_u16(s, o.layer == LAYER_UPPER ? PPM_FD_UPPER_LAYER_CREAT : o.layer == LAYER_LOWER ? PPM_FD_LOWER_LAYER_CREAT : 0);
	event_submit(s);
	return 0;
}

/* open_by_handle_at(mount_fd, struct file_handle *handle, flags): the path
 * is the opened file's, built from its dentries as libs does (the handle
 * names no path). */
SYSCALL_EXIT(open_by_handle_at)
{
	BEGIN(PPME_SYSCALL_OPEN_BY_HANDLE_AT_X, DROP_CAT_OPEN)
	struct task_struct *task = current_task();
	struct opened o = opened_file(task, ret);
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: mountfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: flags (type: PT_FLAGS32) */
	push_u32(s, open_flags_to_scap(syscall_arg(regs, 2)) | opened_flags(&o));
	/* Parameter 4: path (type: PT_FSPATH) */
	if (o.file)
		push_d_path(s, &o.file->f_path, task);
	else
		push_empty(s);
	/* Parameter 5: dev (type: PT_UINT32) */
	push_u32(s, o.dev);
	/* Parameter 6: ino (type: PT_UINT64) */
	push_u64(s, o.ino);
	event_submit(s);
	return 0;
}

#define K_PIDFD_NONBLOCK K_O_NONBLOCK
#define PPM_PIDFD_NONBLOCK (1 << 0)

/* pidfd_open(pid, flags) */
SYSCALL_EXIT(pidfd_open)
{
	BEGIN(PPME_SYSCALL_PIDFD_OPEN_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: pid (type: PT_PID) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: flags (type: PT_FLAGS32) */
	push_u32(s, (syscall_arg(regs, 1) & K_PIDFD_NONBLOCK) ? PPM_PIDFD_NONBLOCK : 0);
	event_submit(s);
	return 0;
}

/* pidfd_getfd(pidfd, targetfd, flags): a copy of another process's fd. */
SYSCALL_EXIT(pidfd_getfd)
{
	BEGIN(PPME_SYSCALL_PIDFD_GETFD_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: pid_fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: target_fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 1));
	/* Parameter 4: flags (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* close(fd) */
SYSCALL_EXIT(close)
{
	BEGIN(PPME_SYSCALL_CLOSE_X, DROP_CAT_CLOSE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* dup(oldfd) */
SYSCALL_EXIT(dup)
{
	BEGIN(PPME_SYSCALL_DUP_1_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: oldfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	event_submit(s);
	return 0;
}

/* dup2(oldfd, newfd) */
SYSCALL_EXIT(dup2)
{
	BEGIN(PPME_SYSCALL_DUP2_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: oldfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: newfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* dup3(oldfd, newfd, flags) */
SYSCALL_EXIT(dup3)
{
	BEGIN(PPME_SYSCALL_DUP3_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: oldfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: newfd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 1));
	/* Parameter 4: flags (type: PT_FLAGS32) */
	push_u32(s, fd_flags_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* fcntl(fd, cmd, arg) */
SYSCALL_EXIT(fcntl)
{
	BEGIN(PPME_SYSCALL_FCNTL_X, DROP_CAT_OTHER)
	/* Parameter 1: res (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, (s32)syscall_arg(regs, 0));
	/* Parameter 3: cmd (type: PT_ENUMFLAGS8) */
	push_u8(s, fcntl_cmd_to_scap(syscall_arg(regs, 1)));
	/* Parameter 4: arg (type: PT_UINT64) */
	push_u64(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* The two fds a pipe/socketpair call wrote to user memory, when it succeeded. */
static __always_inline void read_fd_pair(long ret, const void *ufds, s32 fds[2])
{
	fds[0] = fds[1] = -1;
	if (ret == 0 && ufds)
		bpf_probe_read_user(fds, 2 * sizeof(s32), ufds);
}

/* The pipe fields shared by pipe and pipe2: res, fd1, fd2, ino. */
static __always_inline void push_pipe(struct scratch *s, struct pt_regs *regs, long ret)
{
	s32 fds[2];
	read_fd_pair(ret, (void *)syscall_arg(regs, 0), fds);
	u32 dev = 0;
	u64 ino = 0;
	if (ret == 0)
		fd_dev_ino(current_task(), fds[0], &dev, &ino);
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd1 (type: PT_FD) */
	push_s64(s, fds[0]);
	/* Parameter 3: fd2 (type: PT_FD) */
	push_s64(s, fds[1]);
	/* Parameter 4: ino (type: PT_UINT64) */
	push_u64(s, ino);
}

/* pipe(int fds[2]) */
SYSCALL_EXIT(pipe)
{
	BEGIN(PPME_SYSCALL_PIPE_X, DROP_CAT_OTHER)
	push_pipe(s, regs, ret);
	event_submit(s);
	return 0;
}

/* pipe2(int fds[2], flags) */
SYSCALL_EXIT(pipe2)
{
	BEGIN(PPME_SYSCALL_PIPE2_X, DROP_CAT_OTHER)
	push_pipe(s, regs, ret);
	/* Parameter 5: flags (type: PT_FLAGS32) */
	push_u32(s, fd_flags_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* memfd_create(name, flags) */
SYSCALL_EXIT(memfd_create)
{
	BEGIN(PPME_SYSCALL_MEMFD_CREATE_X, DROP_CAT_OPEN)
	/* Parameter 1: fd (type: PT_FD) */
	push_s64(s, ret);
	/* Parameter 2: name (type: PT_CHARBUF) */
	push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	/* Parameter 3: flags (type: PT_FLAGS32) */
	push_u32(s, memfd_flags_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* userfaultfd(flags) */
SYSCALL_EXIT(userfaultfd)
{
	BEGIN(PPME_SYSCALL_USERFAULTFD_X, DROP_CAT_OTHER_INTEREST)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: flags (type: PT_FLAGS32) */
	push_u32(s, fd_flags_to_scap(syscall_arg(regs, 0)));
	event_submit(s);
	return 0;
}

/* io_uring_setup(entries, struct io_uring_params *p): the params as the
 * kernel filled them in. The setup and feature flags have the same values
 * as the PPM_IORING_* flags. */
SYSCALL_EXIT(io_uring_setup)
{
	BEGIN(PPME_SYSCALL_IO_URING_SETUP_X, DROP_CAT_OTHER_INTEREST)
	struct io_uring_params p = {};
	bpf_probe_read_user(&p, sizeof(p), (void *)syscall_arg(regs, 1));
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: entries (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 0));
	/* Parameter 3: sq_entries (type: PT_UINT32) */
	push_u32(s, p.sq_entries);
	/* Parameter 4: cq_entries (type: PT_UINT32) */
	push_u32(s, p.cq_entries);
	/* Parameter 5: flags (type: PT_FLAGS32) */
	push_u32(s, p.flags & 0x7f);
	/* Parameter 6: sq_thread_cpu (type: PT_UINT32) */
	push_u32(s, p.sq_thread_cpu);
	/* Parameter 7: sq_thread_idle (type: PT_UINT32) */
	push_u32(s, p.sq_thread_idle);
	/* Parameter 8: features (type: PT_FLAGS32) */
	push_u32(s, p.features);
	event_submit(s);
	return 0;
}

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
