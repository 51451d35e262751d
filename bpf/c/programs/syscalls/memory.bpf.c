/* Memory: mmap, munmap, brk (each with the caller's memory counters),
 * mprotect, mlock, munlock, mlock2, mlockall, munlockall. */
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
