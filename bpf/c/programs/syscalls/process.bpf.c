/* Process lifecycle, sessions and groups: execve, execveat, clone,
 * clone3, fork, vfork, setsid, setpgid. */
#include "../prog.h"

/* The fields of a task that clone and execve events share, after exe and
 * args: parameters 4 (tid) to 15 (cgroups) of both. */
static __always_inline void push_task_common(struct scratch *s, struct task_struct *task)
{
	u32 vm_size, vm_rss, vm_swap;
	task_vm(task, &vm_size, &vm_rss, &vm_swap);
	/* Parameter 4: tid (type: PT_PID) */
	push_s64(s, task->pid);
	/* Parameter 5: pid (type: PT_PID) */
	push_s64(s, task->tgid);
	/* Parameter 6: ptid (type: PT_PID) */
	push_s64(s, task_ptid(task));
	/* Parameter 7: cwd (type: PT_CHARBUF): the working directory as the
	 * task sees it (relative to its root), built from dentries like
	 * trusted_exepath. Falco's probe leaves it empty; libs' state ignores
	 * it either way (a new thread has its creator's cwd). */
	struct fs_struct *fs = task->fs;
	if (fill_cwd && fs)
		push_d_path(s, &fs->pwd, task);
	else
		push_empty(s);
	/* Parameter 8: fdlimit (type: PT_UINT64 in execve, PT_INT64 in clone) */
	push_u64(s, task_fdlimit(task));
	/* Parameter 9: pgft_maj (type: PT_UINT64) */
	push_u64(s, task->maj_flt);
	/* Parameter 10: pgft_min (type: PT_UINT64) */
	push_u64(s, task->min_flt);
	/* Parameter 11: vm_size (type: PT_UINT32) */
	push_u32(s, vm_size);
	/* Parameter 12: vm_rss (type: PT_UINT32) */
	push_u32(s, vm_rss);
	/* Parameter 13: vm_swap (type: PT_UINT32) */
	push_u32(s, vm_swap);
	/* Parameter 14: comm (type: PT_CHARBUF) */
	push_kernel_str(s, task->comm, sizeof(task->comm));
	/* Parameter 15: cgroups (type: PT_BYTEBUF) */
	push_cgroups(s, task);
}

/* An execve or execveat exit event. On success it is written from
 * sched_process_exec (bprm set): exe, args and env come from the new
 * program's memory and filename from bprm. On failure it is written at
 * sys_exit: exe, args and env come from the caller's argv/envp arrays and
 * filename from the path argument. */
static __always_inline void write_execve(struct pt_regs *regs, s64 res, bool at, struct linux_binprm *bprm)
{
	struct scratch *s = at ? event_begin(PPME_SYSCALL_EXECVEAT_X, PPME_SYSCALL_EXECVEAT_X_NPARAMS, DROP_CAT_EXECVE)
			       : event_begin(PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_EXECVE_19_X_NPARAMS, DROP_CAT_EXECVE);
	if (!s)
		return;
	struct task_struct *task = current_task();
	const struct cred *cred = task->cred;

	/* Parameter 1: res (type: PT_ERRNO) */
	push_s64(s, res);
	if (res == 0) {
		/* Parameter 2: exe (type: PT_CHARBUF) */
		/* Parameter 3: args (type: PT_BYTEBUF) */
		push_exe_args_from_mm(s, task);
	} else {
		const char *const *argv = (const char *const *)syscall_arg(regs, at ? 2 : 1);
		const char *arg0 = NULL;
		if (argv)
			bpf_probe_read_user(&arg0, sizeof(arg0), &argv[0]);
		/* Parameter 2: exe (type: PT_CHARBUF) */
		push_user_str(s, arg0, MAX_PATH);
		/* Parameter 3: args (type: PT_BYTEBUF) */
		push_user_argv(s, argv, 1);
	}
	/* Parameters 4-15 */
	push_task_common(s, task);
	/* Parameter 16: env (type: PT_BYTEBUF) */
	if (res == 0)
		push_env_from_mm(s, task);
	else
		push_user_argv(s, (const char *const *)syscall_arg(regs, at ? 3 : 2), 0);
	/* Parameter 17: tty (type: PT_UINT32) */
	push_u32(s, task_tty(task));
	/* Parameter 18: vpgid (type: PT_PID) */
	push_s64(s, task_pgid(task, true));
	/* Parameter 19: loginuid (type: PT_UID) */
	push_u32(s, task->loginuid.val);

	struct file *exe = NULL;
	struct inode *inode = NULL;
	struct mm_struct *mm = task->mm;
	if (mm)
		exe = mm->exe_file;
	if (exe)
		inode = exe->f_inode;
	u32 exe_flags = 0;
	if (inode && inode_writable_by(inode, cred))
		exe_flags |= PPM_EXE_WRITABLE;
	if (exe && dentry_is_memfd(exe->f_path.dentry))
		exe_flags |= PPM_EXE_FROM_MEMFD;
	if (exe) {
		enum overlay_layer layer = dentry_overlay_layer(exe->f_path.dentry);
		if (layer == LAYER_UPPER)
			exe_flags |= PPM_EXE_UPPER_LAYER;
		else if (layer == LAYER_LOWER)
			exe_flags |= PPM_EXE_LOWER_LAYER;
	}
	/* Parameter 20: flags (type: PT_FLAGS32) */
	push_u32(s, exe_flags);
	/* Parameter 21: cap_inheritable (type: PT_UINT64) */
	push_u64(s, cred->cap_inheritable.val);
	/* Parameter 22: cap_permitted (type: PT_UINT64) */
	push_u64(s, cred->cap_permitted.val);
	/* Parameter 23: cap_effective (type: PT_UINT64) */
	push_u64(s, cred->cap_effective.val);
	if (inode) {
		/* Parameter 24: exe_ino (type: PT_UINT64) */
		push_u64(s, inode->i_ino);
		/* Parameter 25: exe_ino_ctime (type: PT_ABSTIME) */
		push_u64(s, timespec_ns(inode->i_ctime_sec, inode->i_ctime_nsec));
		/* Parameter 26: exe_ino_mtime (type: PT_ABSTIME) */
		push_u64(s, timespec_ns(inode->i_mtime_sec, inode->i_mtime_nsec));
	} else {
		push_empty(s);
		push_empty(s);
		push_empty(s);
	}
	/* Parameter 27: uid (type: PT_UID) */
	push_u32(s, cred->euid.val);
	/* Parameter 28: trusted_exepath (type: PT_FSPATH) */
	if (exe)
		push_d_path(s, &exe->f_path, task);
	else
		push_empty(s);
	/* Parameter 29: pgid (type: PT_PID) */
	push_s64(s, task_pgid(task, false));
	/* Parameter 30: gid (type: PT_GID) */
	push_u32(s, cred->egid.val);
	if (!at) {
		/* Parameter 31: filename (type: PT_FSPATH) */
		if (bprm)
			push_kernel_str(s, bprm->filename, MAX_PATH);
		else
			push_user_str(s, (void *)syscall_arg(regs, 0), MAX_PATH);
	}
	event_submit(s);
}

/* execve(filename, argv, envp): failures only, see write_execve. */
SYSCALL_EXIT(execve)
{
	write_execve(regs, ret, false, NULL);
	return 0;
}

/* execveat(dirfd, pathname, argv, envp, flags): failures only. */
SYSCALL_EXIT(execveat)
{
	write_execve(regs, ret, true, NULL);
	return 0;
}

/* A successful exec, from the new program: the execve or execveat exit
 * event. By the time the new program runs, this kernel reports the syscall
 * number of a successful execveat as execve's in the task's registers (seen
 * at sys_exit too), so execveat is recognised by what it leaves in bprm: a
 * "/dev/fd/N[/path]" name (fdpath) for an fd-relative or empty path. An
 * execveat(AT_FDCWD or absolute path) is reported as execve, as is an exec
 * started by the kernel itself. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(p);
	bool at = regs->orig_ax == NR_execveat || bprm->fdpath != NULL;
	u8 filter = syscall_filter(at ? NR_execveat : NR_execve);
	if (!filter)
		return 0;
	if (exit_verdict(filter, p->tgid) != VERDICT_WRITE)
		return 0;
	write_execve(regs, 0, at, bprm);
	return 0;
}

/* A clone-family exit event, written both in the parent (res = child tid)
 * and in the child (res = 0); every task field is the calling thread's. */
static __always_inline void write_clone(struct scratch *s, long ret, u64 kflags)
{
	struct task_struct *task = current_task();
	const struct cred *cred = task->cred;
	u32 level = task_pidns_level(task);

	/* Parameter 1: res (type: PT_PID) */
	push_s64(s, ret);
	/* Parameter 2: exe (type: PT_CHARBUF) */
	/* Parameter 3: args (type: PT_BYTEBUF) */
	push_exe_args_from_mm(s, task);
	/* Parameters 4-15 */
	push_task_common(s, task);
	u32 flags = clone_flags_to_scap(kflags);
	if (level > 0)
		flags |= PPM_CL_CHILD_IN_PIDNS;
	/* Parameter 16: flags (type: PT_FLAGS32) */
	push_u32(s, flags);
	/* Parameter 17: uid (type: PT_UINT32) */
	push_u32(s, cred->euid.val);
	/* Parameter 18: gid (type: PT_UINT32) */
	push_u32(s, cred->egid.val);
	/* Parameter 19: vtid (type: PT_PID) */
	push_s64(s, task_vtid(task));
	/* Parameter 20: vpid (type: PT_PID) */
	push_s64(s, task_vpid(task));
	/* Parameter 21: pidns_init_start_ts (type: PT_UINT64) */
	push_u64(s, task_pidns_init_start_ts(task));
	event_submit(s);
}

/* clone(flags, stack, parent_tid, child_tid, tls) */
SYSCALL_EXIT(clone)
{
	BEGIN(PPME_SYSCALL_CLONE_20_X, DROP_CAT_CLONE_FORK)
	write_clone(s, ret, syscall_arg(regs, 0));
	return 0;
}

/* The clone flags a new task shows, compared with the task it was cloned
 * from (the thread group's leader for a thread, else the parent): what it
 * shares (VM, FILES, FS, SIGHAND, IO, SYSVSEM), the namespaces it does
 * not share (NEW*), THREAD, VFORK and the child-tid pointers the kernel
 * kept. PARENT, PARENT_SETTID, PTRACE, SETTLS and UNTRACED leave no trace
 * and are never set. */
static __always_inline u64 clone_flags_of_child(struct task_struct *task)
{
	bool thread = task->pid != task->tgid;
	struct task_struct *ref = thread ? task->group_leader : task->real_parent;
	u64 f = thread ? K_CLONE_THREAD : 0;
	if (task->vfork_done)
		f |= K_CLONE_VFORK;
	if (task->clear_child_tid)
		f |= K_CLONE_CHILD_CLEARTID;
	if (task->set_child_tid)
		f |= K_CLONE_CHILD_SETTID;
	if (!ref)
		return f;
	if (task->mm && task->mm == ref->mm)
		f |= K_CLONE_VM;
	if (task->files && task->files == ref->files)
		f |= K_CLONE_FILES;
	if (task->fs && task->fs == ref->fs)
		f |= K_CLONE_FS;
	if (task->sighand && task->sighand == ref->sighand)
		f |= K_CLONE_SIGHAND;
	if (task->io_context && task->io_context == ref->io_context)
		f |= K_CLONE_IO;
	if (task->sysvsem.undo_list && task->sysvsem.undo_list == ref->sysvsem.undo_list)
		f |= K_CLONE_SYSVSEM;
	struct nsproxy *ns = task->nsproxy;
	struct nsproxy *rns = ref->nsproxy;
	if (ns && rns && ns != rns) {
		if (ns->uts_ns != rns->uts_ns)
			f |= K_CLONE_NEWUTS;
		if (ns->ipc_ns != rns->ipc_ns)
			f |= K_CLONE_NEWIPC;
		if (ns->mnt_ns != rns->mnt_ns)
			f |= K_CLONE_NEWNS;
		if (ns->net_ns != rns->net_ns)
			f |= K_CLONE_NEWNET;
		if (ns->cgroup_ns != rns->cgroup_ns)
			f |= K_CLONE_NEWCGROUP;
		if (ns->time_ns != rns->time_ns)
			f |= K_CLONE_NEWTIME;
	}
	if (task_pidns_level(task) != task_pidns_level(ref))
		f |= K_CLONE_NEWPID;
	const struct cred *c = task->cred;
	const struct cred *rc = ref->cred;
	if (c && rc && c->user_ns != rc->user_ns)
		f |= K_CLONE_NEWUSER;
	return f;
}

/* clone3(struct clone_args *args, size): the parent reads the flags from
 * args (the first u64). The child does not: args lives in the creator's
 * memory, which a new thread shares and its creator is already changing,
 * so the child's flags are what its task shows (clone_flags_of_child). */
SYSCALL_EXIT(clone3)
{
	BEGIN(PPME_SYSCALL_CLONE3_X, DROP_CAT_CLONE_FORK)
	u64 flags = 0;
	if (ret == 0)
		flags = clone_flags_of_child(current_task());
	else
		bpf_probe_read_user(&flags, sizeof(flags), (void *)syscall_arg(regs, 0));
	write_clone(s, ret, flags);
	return 0;
}

/* fork(): clone with no sharing flags. */
SYSCALL_EXIT(fork)
{
	BEGIN(PPME_SYSCALL_FORK_20_X, DROP_CAT_CLONE_FORK)
	write_clone(s, ret, 0);
	return 0;
}

/* vfork(): clone(CLONE_VM | CLONE_VFORK). */
SYSCALL_EXIT(vfork)
{
	BEGIN(PPME_SYSCALL_VFORK_20_X, DROP_CAT_CLONE_FORK)
	write_clone(s, ret, K_CLONE_VM | K_CLONE_VFORK);
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
