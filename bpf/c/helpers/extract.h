/* Reading syscall arguments and kernel objects. Programs run on tp_btf
 * hooks, so kernel structs are read with direct (BTF-checked, fault-safe)
 * loads; a pointer that arrives as a plain number (an array element, a
 * void *) is turned back into a typed BTF pointer with CAST, which the
 * verifier compiles to nothing. */
#pragma once

#include "base.h"

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* CAST(struct file, p): p as a read-only BTF pointer to struct file. */
#define CAST(type, ptr) ((type *)bpf_rdonly_cast((void *)(ptr), bpf_core_type_id_kernel(type)))

/* Argument i (0-5) of the syscall, as saved in pt_regs at entry (x86_64:
 * di, si, dx, r10, r8, r9). Still valid at exit: only ax is overwritten,
 * except by a successful execve, whose programs never read them. */
static __always_inline unsigned long syscall_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	case 5: return regs->r9;
	}
	return 0;
}

static __always_inline struct task_struct *current_task(void)
{
	return bpf_get_current_task_btf();
}

/* The open file behind fd in task's table, or NULL. */
static __always_inline struct file *fd_file(struct task_struct *task, s64 fd)
{
	if (fd < 0)
		return NULL;
	struct files_struct *files = task->files;
	if (!files)
		return NULL;
	struct fdtable *fdt = files->fdt;
	if (!fdt || (u64)fd >= fdt->max_fds)
		return NULL;
	struct file **fds = fdt->fd;
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return NULL;
	return CAST(struct file, f);
}

/* Userspace dev_t encoding of a kernel dev_t (new_encode_dev): what stat(2)
 * reports as st_dev. Kernel dev_t is major << 20 | minor. */
static __always_inline u32 encode_dev(u32 kdev)
{
	u32 major = kdev >> 20;
	u32 minor = kdev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

/* Device and inode number of the file open at fd. */
static __always_inline void fd_dev_ino(struct task_struct *task, s64 fd, u32 *dev, u64 *ino)
{
	*dev = 0;
	*ino = 0;
	struct file *f = fd_file(task, fd);
	if (!f)
		return;
	struct inode *inode = f->f_inode;
	if (!inode)
		return;
	*ino = inode->i_ino;
	*dev = encode_dev(inode->i_sb->s_dev);
}

/* The pid number of `pid` as seen from namespace level `level`, or 0. */
static __always_inline s64 pid_nr_at(struct pid *pid, u32 level)
{
	if (!pid || level > pid->level)
		return 0;
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]);
	return up.nr;
}

/* Level of the pid namespace task lives in (0 = the initial namespace). */
static __always_inline u32 task_pidns_level(struct task_struct *task)
{
	struct pid *pid = task->thread_pid;
	return pid ? pid->level : 0;
}

/* Thread id as seen inside task's own pid namespace. */
static __always_inline s64 task_vtid(struct task_struct *task)
{
	struct pid *pid = task->thread_pid;
	return pid ? pid_nr_at(pid, pid->level) : 0;
}

/* Process (thread group) id as seen inside task's own pid namespace. */
static __always_inline s64 task_vpid(struct task_struct *task)
{
	return pid_nr_at(task->signal->pids[PIDTYPE_TGID], task_pidns_level(task));
}

/* Process group id, in the initial namespace (pgid) or task's own (vpgid). */
static __always_inline s64 task_pgid(struct task_struct *task, bool virt)
{
	return pid_nr_at(task->signal->pids[PIDTYPE_PGID], virt ? task_pidns_level(task) : 0);
}

/* Thread id of the thread that created task (its real parent thread). */
static __always_inline s64 task_ptid(struct task_struct *task)
{
	struct task_struct *parent = task->real_parent;
	return parent ? parent->pid : 0;
}

/* Start time (ns since the epoch) of the init process of task's pid namespace. */
static __always_inline u64 task_pidns_init_start_ts(struct task_struct *task)
{
	struct pid *pid = task->thread_pid;
	if (!pid)
		return 0;
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[pid->level & 31]);
	struct pid_namespace *ns = CAST(struct pid_namespace, up.ns);
	if (!ns)
		return 0;
	struct task_struct *reaper = ns->child_reaper;
	if (!reaper)
		return 0;
	return reaper->start_boottime + boot_time_ns;
}

/* Soft limit on open files (RLIMIT_NOFILE). */
static __always_inline u64 task_fdlimit(struct task_struct *task)
{
	return task->signal->rlim[7].rlim_cur;
}

/* Memory counters in kB: total virtual, resident (file + anon + shmem), swap. */
static __always_inline void task_vm(struct task_struct *task, u32 *size, u32 *rss, u32 *swap)
{
	*size = *rss = *swap = 0;
	struct mm_struct *mm = task->mm;
	if (!mm)
		return;
	*size = mm->total_vm << 2; /* pages of 4 kB */
	s64 file = mm->rss_stat[MM_FILEPAGES].count;
	s64 anon = mm->rss_stat[MM_ANONPAGES].count;
	s64 shm = mm->rss_stat[MM_SHMEMPAGES].count;
	s64 sw = mm->rss_stat[MM_SWAPENTS].count;
	s64 r = (file > 0 ? file : 0) + (anon > 0 ? anon : 0) + (shm > 0 ? shm : 0);
	*rss = r << 2;
	*swap = (sw > 0 ? sw : 0) << 2;
}

/* Controlling terminal as a userspace dev_t, 0 if none. */
static __always_inline u32 task_tty(struct task_struct *task)
{
	struct tty_struct *tty = task->signal->tty;
	if (!tty)
		return 0;
	struct tty_driver *drv = tty->driver;
	if (!drv)
		return 0;
	u32 major = drv->major;
	u32 minor = drv->minor_start + tty->index;
	return encode_dev((major << 20) | minor);
}

static __always_inline u64 timespec_ns(s64 sec, u32 nsec)
{
	/* bit 31 of i_ctime_nsec flags a multigrain-queried timestamp (6.13+) */
	return (u64)sec * NS_PER_SEC + (nsec & 0x3fffffff);
}

/* --- overlayfs -------------------------------------------------------------
 * Which layer of an overlay mount a file comes from, for the EXE_*_LAYER
 * (execve) and FD_*_LAYER (open family, creat) flags that
 * proc.is_exe_upper_layer and container drift rules read: a file whose
 * overlay inode has an upper dentry with an inode was created or copied up
 * in the container's writable layer; one without lives only in a lower
 * (image) layer. */
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
enum overlay_layer { LAYER_NONE = 0, LAYER_UPPER = 1, LAYER_LOWER = 2 };

static __always_inline enum overlay_layer dentry_overlay_layer(struct dentry *dentry)
{
	if (!dentry)
		return LAYER_NONE;
	struct super_block *sb = dentry->d_sb;
	if (!sb || sb->s_magic != OVERLAYFS_SUPER_MAGIC)
		return LAYER_NONE;
	struct inode *inode = dentry->d_inode;
	if (!inode)
		return LAYER_NONE;
	/* struct ovl_inode embeds the VFS inode and keeps the upper dentry
	 * right after it. Where overlayfs is a module its BTF is not in
	 * vmlinux: then assume that layout, as Falco's probe does. */
	u64 off;
	if (bpf_core_field_exists(struct ovl_inode, __upperdentry))
		off = bpf_core_field_offset(struct ovl_inode, __upperdentry) -
		      bpf_core_field_offset(struct ovl_inode, vfs_inode);
	else
		off = bpf_core_type_size(struct inode);
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), (void *)inode + off);
	if (!upper)
		return LAYER_LOWER;
	struct inode *uinode = NULL;
	bpf_probe_read_kernel(&uinode, sizeof(uinode), (void *)upper + bpf_core_field_offset(struct dentry, d_inode));
	return uinode ? LAYER_UPPER : LAYER_LOWER;
}
