/* Process information for clone and execve events: command line and
 * environment from the task's memory, cgroup paths, the executable's path
 * and inode. */
#pragma once

#include "store.h"
#include "extract.h"
#include "flags.h"

/* exe (argv[0]) and args (argv[1..], NUL-separated) of task, read from its
 * memory (mm->arg_start .. arg_end). Two parameters. */
static __always_inline void push_exe_args_from_mm(struct scratch *s, struct task_struct *task)
{
	struct mm_struct *mm = task->mm;
	if (!mm) {
		push_empty(s);
		push_empty(s);
		return;
	}
	unsigned long start = mm->arg_start;
	unsigned long end = mm->arg_end;
	if (end <= start) {
		push_empty(s);
		push_empty(s);
		return;
	}
	u64 total = end - start;
	long n = push_user_str(s, (void *)start, MAX_PATH);
	if (n <= 0 || total <= (u64)n) {
		push_empty(s);
		return;
	}
	push_user_buf(s, (void *)(start + n), total - n, MAX_ARGS_ENV);
}

/* env of task (NUL-separated), from mm->env_start .. env_end. One parameter. */
static __always_inline void push_env_from_mm(struct scratch *s, struct task_struct *task)
{
	struct mm_struct *mm = task->mm;
	if (!mm) {
		push_empty(s);
		return;
	}
	unsigned long start = mm->env_start;
	unsigned long end = mm->env_end;
	if (end <= start) {
		push_empty(s);
		return;
	}
	push_user_buf(s, (void *)start, end - start, MAX_ARGS_ENV);
}

/* The strings of a user argv array, from index `first`, as one
 * NUL-separated list parameter (at most MAX_ARGV entries and about
 * MAX_ARGS_ENV bytes). */
static __always_inline void push_user_argv(struct scratch *s, const char *const *argv, int first)
{
	u64 start = s->payload_pos;
	for (int i = first; i < MAX_ARGV && argv; i++) {
		const char *arg = NULL;
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) != 0 || !arg)
			break;
		if (append_user_str(s, arg, MAX_PATH) == 0)
			break;
		if (s->payload_pos - start >= MAX_ARGS_ENV)
			break;
	}
	close_param(s, start);
}

/* State of push_cgroups across bpf_loop iterations. */
struct cgroups_ctx {
	struct scratch *s;
	struct cgroup_subsys_state *subsys[CGROUP_SUBSYS_COUNT];
	u64 start; /* payload offset of the parameter */
};

/* One "subsys=path" entry, for controller index i. */
static long push_cgroup_entry(u32 i, struct cgroups_ctx *ctx)
{
	struct scratch *s = ctx->s;
	if (i >= CGROUP_SUBSYS_COUNT || s->payload_pos - ctx->start >= MAX_ARGS_ENV)
		return 1;
	struct cgroup_subsys_state *css = CAST(struct cgroup_subsys_state, ctx->subsys[i]);
	if (!css)
		return 0;
	struct cgroup_subsys *ss = css->ss;
	struct cgroup *cg = css->cgroup;
	if (!ss || !cg)
		return 0;
	if (append_kernel_str(s, ss->name, 32) == 0)
		return 0;
	append_byte(s, '=');

	/* The kernfs nodes from the cgroup up to (not including) the root. */
	struct kernfs_node *nodes[MAX_CGROUP_DEPTH] = {};
	struct kernfs_node *kn = cg->kn;
	for (int d = 0; d < MAX_CGROUP_DEPTH; d++) {
		if (!kn)
			break;
		struct kernfs_node *parent = kn->__parent;
		if (!parent)
			break; /* kn is the hierarchy root */
		nodes[d] = kn;
		kn = parent;
	}
	if (!nodes[0])
		append_byte(s, '/');
	for (int d = MAX_CGROUP_DEPTH - 1; d >= 0; d--) {
		struct kernfs_node *node = CAST(struct kernfs_node, nodes[d]);
		if (!node)
			continue;
		append_byte(s, '/');
		append_kernel_str(s, node->name, 256);
	}
	append_byte(s, 0);
	return 0;
}

/* cgroups of task as "subsys=path" entries, NUL-separated, one per mounted
 * controller: the format libs writes and container-id extraction parses.
 * The per-controller work runs under bpf_loop so the verifier checks it once. */
static __always_inline void push_cgroups(struct scratch *s, struct task_struct *task)
{
	struct css_set *cs = task->cgroups;
	if (!cs) {
		push_empty(s);
		return;
	}
	struct cgroups_ctx ctx = {.s = s, .start = s->payload_pos};
	bpf_probe_read_kernel(ctx.subsys, sizeof(ctx.subsys), &cs->subsys);
	bpf_loop(CGROUP_SUBSYS_COUNT, push_cgroup_entry, &ctx, 0);
	close_param(s, ctx.start);
}

#define PATH_MASK (2 * MAX_PATH - 1)
#define PATH_END (2 * MAX_PATH - 1)

/* The absolute path of a struct path as task sees it, built backwards in
 * path_scratch by walking dentries up to task's root directory (its chroot
 * or container root, as d_path stops there; the global root if the path is
 * outside it) and crossing mount points: an approximation of d_path, at
 * most MAX_PATH_DEPTH components and MAX_PATH bytes; a deleted file keeps
 * its last name. */
static __always_inline void push_d_path(struct scratch *s, const struct path *path, struct task_struct *task)
{
	u32 cpu = bpf_get_smp_processor_id();
	struct path_scratch *ps = bpf_map_lookup_elem(&path_scratch_map, &cpu);
	if (!ps || !path) {
		push_empty(s);
		return;
	}
	struct dentry *dentry = path->dentry;
	struct vfsmount *vfsmnt = path->mnt;
	if (!dentry || !vfsmnt) {
		push_empty(s);
		return;
	}
	struct mount *mnt = CAST(struct mount, (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
	struct dentry *mnt_root = vfsmnt->mnt_root;
	struct dentry *root_dentry = NULL;
	u64 root_mnt = 0;
	struct fs_struct *fs = task->fs;
	if (fs) {
		root_dentry = fs->root.dentry;
		root_mnt = (u64)fs->root.mnt;
	}
	u64 mnt_off = bpf_core_field_offset(struct mount, mnt);

	ps->data[PATH_END] = 0;
	ps->pos = PATH_END;
	for (int i = 0; i < MAX_PATH_DEPTH; i++) {
		struct dentry *parent = dentry->d_parent;
		/* A pseudo file (memfd, pipe, socket) has a lone root dentry that
		 * is not its mount's root: its name is the whole path. */
		bool pseudo = dentry == parent && dentry != mnt_root;
		if (dentry == root_dentry && (u64)mnt + mnt_off == root_mnt)
			break; /* task's root */
		if (!pseudo && (dentry == mnt_root || dentry == parent)) {
			struct mount *mp = mnt->mnt_parent;
			if (!mp || mp == mnt)
				break; /* the global root */
			dentry = mnt->mnt_mountpoint;
			mnt = mp;
			mnt_root = mnt->mnt.mnt_root;
			continue;
		}
		u32 len = dentry->d_name.len & 255;
		u32 pos = READ_ONCE(ps->pos);
		if (pos < MAX_PATH + len + 1)
			break; /* the path would exceed MAX_PATH */
		pos -= len;
		bpf_probe_read_kernel(&ps->data[pos & PATH_MASK], len, dentry->d_name.name);
		pos -= 1;
		ps->data[pos & PATH_MASK] = '/';
		ps->pos = pos;
		if (pseudo)
			break;
		dentry = parent;
	}
	u32 pos = READ_ONCE(ps->pos);
	if (pos >= PATH_END) {
		pos = PATH_END - 1;
		ps->data[pos & PATH_MASK] = '/';
	}
	u32 n = PATH_END - pos + 1;
	if (n > MAX_PATH)
		n = MAX_PATH;
	u64 at = s->payload_pos;
	bpf_probe_read_kernel(&s->data[SAFE_OFF(at)], n, &ps->data[pos & PATH_MASK]);
	s->payload_pos = at + n;
	push_len(s, n);
}

/* Whether the inode is writable by task: owner/group/other write bit for its
 * fsuid/fsgid, or CAP_DAC_OVERRIDE. Supplementary groups are not checked. */
static __always_inline bool inode_writable_by(struct inode *inode, const struct cred *cred)
{
	u32 mode = inode->i_mode;
	u32 fsuid = cred->fsuid.val;
	u32 fsgid = cred->fsgid.val;
	if (inode->i_uid.val == fsuid) {
		if (mode & 0200)
			return true;
	} else if (inode->i_gid.val == fsgid) {
		if (mode & 0020)
			return true;
	} else if (mode & 0002) {
		return true;
	}
	return cred->cap_effective.val & (1ULL << 1); /* CAP_DAC_OVERRIDE */
}

/* Whether the dentry name starts with "memfd:" (files of memfd_create). */
static __always_inline bool dentry_is_memfd(struct dentry *d)
{
	char name[7] = {};
	bpf_probe_read_kernel(name, 6, d->d_name.name);
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	       name[5] == ':';
}
