/* Directory entries and file metadata: mkdir, mkdirat, rmdir, unlink,
 * unlinkat, rename, renameat, renameat2, link, linkat, symlink, symlinkat,
 * chmod, fchmod, fchmodat, chown, lchown, fchown, fchownat, mknod,
 * mknodat, access, stat, lstat, fstat, newfstatat, lseek, getdents,
 * getdents64, flock. Paths are the strings passed; *at paths relative to
 * a dirfd are resolved in userspace. */
#include "../prog.h"

#define USER_PATH(i) ((void *)syscall_arg(regs, i))
#define DIRFD(i) ((s64)(s32)syscall_arg(regs, i))

/* mkdir(path, mode) */
SYSCALL_EXIT(mkdir)
{
	BEGIN(PPME_SYSCALL_MKDIR_2_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	/* Parameter 3: mode (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 1));
	event_submit(s);
	return 0;
}

/* mkdirat(dirfd, path, mode) */
SYSCALL_EXIT(mkdirat)
{
	BEGIN(PPME_SYSCALL_MKDIRAT_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: dirfd (type: PT_FD) */
	push_s64(s, DIRFD(0));
	/* Parameter 3: path (type: PT_FSRELPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	/* Parameter 4: mode (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* rmdir(path) */
SYSCALL_EXIT(rmdir)
{
	BEGIN(PPME_SYSCALL_RMDIR_2_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	event_submit(s);
	return 0;
}

/* unlink(path) */
SYSCALL_EXIT(unlink)
{
	BEGIN(PPME_SYSCALL_UNLINK_2_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	event_submit(s);
	return 0;
}

/* unlinkat(dirfd, path, flags) */
SYSCALL_EXIT(unlinkat)
{
	BEGIN(PPME_SYSCALL_UNLINKAT_2_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: dirfd (type: PT_FD) */
	push_s64(s, DIRFD(0));
	/* Parameter 3: name (type: PT_FSRELPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	/* Parameter 4: flags (type: PT_FLAGS32) */
	push_u32(s, unlinkat_flags_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* rename(oldpath, newpath) */
SYSCALL_EXIT(rename)
{
	BEGIN(PPME_SYSCALL_RENAME_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: oldpath (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	/* Parameter 3: newpath (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	event_submit(s);
	return 0;
}

/* The parameters renameat and renameat2 share. */
static __always_inline void push_renameat(struct scratch *s, struct pt_regs *regs, long ret)
{
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: olddirfd (type: PT_FD) */
	push_s64(s, DIRFD(0));
	/* Parameter 3: oldpath (type: PT_FSRELPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	/* Parameter 4: newdirfd (type: PT_FD) */
	push_s64(s, DIRFD(2));
	/* Parameter 5: newpath (type: PT_FSRELPATH) */
	push_user_str(s, USER_PATH(3), MAX_PATH);
}

/* renameat(olddirfd, oldpath, newdirfd, newpath) */
SYSCALL_EXIT(renameat)
{
	BEGIN(PPME_SYSCALL_RENAMEAT_X, DROP_CAT_DIR_FILE)
	push_renameat(s, regs, ret);
	event_submit(s);
	return 0;
}

/* renameat2(olddirfd, oldpath, newdirfd, newpath, flags) */
SYSCALL_EXIT(renameat2)
{
	BEGIN(PPME_SYSCALL_RENAMEAT2_X, DROP_CAT_DIR_FILE)
	push_renameat(s, regs, ret);
	/* Parameter 6: flags (type: PT_FLAGS32) */
	push_u32(s, renameat2_flags_to_scap(syscall_arg(regs, 4)));
	event_submit(s);
	return 0;
}

/* link(oldpath, newpath) */
SYSCALL_EXIT(link)
{
	BEGIN(PPME_SYSCALL_LINK_2_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: oldpath (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	/* Parameter 3: newpath (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	event_submit(s);
	return 0;
}

/* linkat(olddirfd, oldpath, newdirfd, newpath, flags) */
SYSCALL_EXIT(linkat)
{
	BEGIN(PPME_SYSCALL_LINKAT_2_X, DROP_CAT_DIR_FILE)
	/* Parameters 1-5: res, olddir, oldpath, newdir, newpath (as renameat) */
	push_renameat(s, regs, ret);
	/* Parameter 6: flags (type: PT_FLAGS32) */
	push_u32(s, linkat_flags_to_scap(syscall_arg(regs, 4)));
	event_submit(s);
	return 0;
}

/* symlink(target, linkpath) */
SYSCALL_EXIT(symlink)
{
	BEGIN(PPME_SYSCALL_SYMLINK_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: target (type: PT_CHARBUF) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	/* Parameter 3: linkpath (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	event_submit(s);
	return 0;
}

/* symlinkat(target, newdirfd, linkpath) */
SYSCALL_EXIT(symlinkat)
{
	BEGIN(PPME_SYSCALL_SYMLINKAT_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: target (type: PT_CHARBUF) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	/* Parameter 3: linkdirfd (type: PT_FD) */
	push_s64(s, DIRFD(1));
	/* Parameter 4: linkpath (type: PT_FSRELPATH) */
	push_user_str(s, USER_PATH(2), MAX_PATH);
	event_submit(s);
	return 0;
}

/* chmod(path, mode) */
SYSCALL_EXIT(chmod)
{
	BEGIN(PPME_SYSCALL_CHMOD_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: filename (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	/* Parameter 3: mode (type: PT_MODE) */
	push_u32(s, chmod_mode_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* fchmod(fd, mode) */
SYSCALL_EXIT(fchmod)
{
	BEGIN(PPME_SYSCALL_FCHMOD_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, DIRFD(0));
	/* Parameter 3: mode (type: PT_MODE) */
	push_u32(s, chmod_mode_to_scap(syscall_arg(regs, 1)));
	event_submit(s);
	return 0;
}

/* fchmodat(dirfd, path, mode) */
SYSCALL_EXIT(fchmodat)
{
	BEGIN(PPME_SYSCALL_FCHMODAT_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: dirfd (type: PT_FD) */
	push_s64(s, DIRFD(0));
	/* Parameter 3: filename (type: PT_FSRELPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	/* Parameter 4: mode (type: PT_MODE) */
	push_u32(s, chmod_mode_to_scap(syscall_arg(regs, 2)));
	event_submit(s);
	return 0;
}

/* The parameters chown and lchown share. */
static __always_inline void push_chown(struct scratch *s, struct pt_regs *regs, long ret)
{
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	/* Parameter 3: uid (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 1));
	/* Parameter 4: gid (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
}

/* chown(path, uid, gid) */
SYSCALL_EXIT(chown)
{
	BEGIN(PPME_SYSCALL_CHOWN_X, DROP_CAT_DIR_FILE)
	push_chown(s, regs, ret);
	event_submit(s);
	return 0;
}

/* lchown(path, uid, gid) */
SYSCALL_EXIT(lchown)
{
	BEGIN(PPME_SYSCALL_LCHOWN_X, DROP_CAT_DIR_FILE)
	push_chown(s, regs, ret);
	event_submit(s);
	return 0;
}

/* fchown(fd, uid, gid) */
SYSCALL_EXIT(fchown)
{
	BEGIN(PPME_SYSCALL_FCHOWN_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: fd (type: PT_FD) */
	push_s64(s, DIRFD(0));
	/* Parameter 3: uid (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 1));
	/* Parameter 4: gid (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* fchownat(dirfd, path, uid, gid, flags) */
SYSCALL_EXIT(fchownat)
{
	BEGIN(PPME_SYSCALL_FCHOWNAT_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: dirfd (type: PT_FD) */
	push_s64(s, DIRFD(0));
	/* Parameter 3: pathname (type: PT_FSRELPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	/* Parameter 4: uid (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
	/* Parameter 5: gid (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 3));
	/* Parameter 6: flags (type: PT_FLAGS32) */
	push_u32(s, fchownat_flags_to_scap(syscall_arg(regs, 4)));
	event_submit(s);
	return 0;
}

/* mknod modes (mknod_mode): the file type bits and permissions, with the
 * kernel's values. dev is the device number as the caller encoded it
 * (what stat reports as st_rdev). */
static __always_inline u32 mknod_mode_to_scap(u64 mode)
{
	return mode & (0170000 | 07777);
}

/* mknod(path, mode, dev) */
SYSCALL_EXIT(mknod)
{
	BEGIN(PPME_SYSCALL_MKNOD_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: path (type: PT_FSPATH) */
	push_user_str(s, USER_PATH(0), MAX_PATH);
	/* Parameter 3: mode (type: PT_MODE) */
	push_u32(s, mknod_mode_to_scap(syscall_arg(regs, 1)));
	/* Parameter 4: dev (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 2));
	event_submit(s);
	return 0;
}

/* mknodat(dirfd, path, mode, dev) */
SYSCALL_EXIT(mknodat)
{
	BEGIN(PPME_SYSCALL_MKNODAT_X, DROP_CAT_DIR_FILE)
	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, ret);
	/* Parameter 2: dirfd (type: PT_FD) */
	push_s64(s, DIRFD(0));
	/* Parameter 3: path (type: PT_FSRELPATH) */
	push_user_str(s, USER_PATH(1), MAX_PATH);
	/* Parameter 4: mode (type: PT_MODE) */
	push_u32(s, mknod_mode_to_scap(syscall_arg(regs, 2)));
	/* Parameter 5: dev (type: PT_UINT32) */
	push_u32(s, syscall_arg(regs, 3));
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
