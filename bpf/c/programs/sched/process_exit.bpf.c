/* procexit: every thread's exit, from sched_process_exit. */
#include "../prog.h"

#define PF_EXITING 0x00000004
#define MAX_THREADS_WALK 16
#define MAX_ANCESTORS_WALK 16

/* The thread that will adopt the children of the exiting task (libs'
 * reaper_tid): a live thread of the same process, else the nearest live
 * child-subreaper ancestor, else the init process of the pid namespace; 0
 * when the task has no children or is that init itself. */
static __always_inline s64 find_reaper(struct task_struct *task)
{
	if ((u64)task->children.next == (u64)&task->children)
		return 0;
	struct signal_struct *sig = task->signal;

	/* A live thread of the same thread group. */
	struct list_head *head = &sig->thread_head;
	struct list_head *pos = head->next;
	for (int i = 0; i < MAX_THREADS_WALK; i++) {
		if (!pos || (u64)pos == (u64)head)
			break;
		struct task_struct *t =
			CAST(struct task_struct, (void *)pos - bpf_core_field_offset(struct task_struct, thread_node));
		if (t && t != task && !(t->flags & PF_EXITING))
			return t->pid;
		pos = pos->next;
	}

	/* The pid namespace's init. */
	struct pid *pid = task->thread_pid;
	struct upid up = {};
	if (pid)
		bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[pid->level & 31]);
	struct pid_namespace *ns = CAST(struct pid_namespace, up.ns);
	struct task_struct *init = ns ? ns->child_reaper : NULL;
	if (init && init->tgid == task->tgid)
		return 0;

	/* A child subreaper among the ancestors (below the namespace's init). */
	if (BPF_CORE_READ_BITFIELD(sig, has_child_subreaper)) {
		struct task_struct *a = task->real_parent;
		for (int i = 0; i < MAX_ANCESTORS_WALK; i++) {
			if (!a || a == init)
				break;
			struct signal_struct *asig = a->signal;
			if (asig && BPF_CORE_READ_BITFIELD(asig, is_child_subreaper) && !(a->flags & PF_EXITING))
				return a->pid;
			a = a->real_parent;
		}
	}
	return init ? init->pid : 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *task)
{
	struct settings *st = settings();
	if (!st || !st->procexit)
		return 0;
	if ((u32)task->tgid == saker_tgid)
		return 0;
	BEGIN(PPME_PROCEXIT_1_E, DROP_CAT_PROC)
	s32 code = task->exit_code;
	/* Parameter 1: status (type: PT_ERRNO) */
	push_s64(s, code);
	/* Parameter 2: ret (type: PT_ERRNO): the exit status */
	push_s64(s, (code >> 8) & 0xff);
	/* Parameter 3: sig (type: PT_SIGTYPE): the terminating signal, 0 if none */
	u8 term = code & 0x7f;
	push_u8(s, (term != 0 && term != 0x7f) ? term : 0);
	/* Parameter 4: core (type: PT_UINT8) */
	push_u8(s, (code & 0x80) ? 1 : 0);
	/* Parameter 5: reaper_tid (type: PT_PID) */
	push_s64(s, find_reaper(task));
	event_submit(s);
	return 0;
}
