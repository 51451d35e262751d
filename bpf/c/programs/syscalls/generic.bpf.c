/* Every syscall without an event type of its own (SAKER_GENERIC_SYSCALLS):
 * one program writes PPME_GENERIC_X for all of them, as Falco's modern
 * probe does, so that a rule naming such a syscall (evt.type = truncate)
 * sees it live. The syscall is identified twice: by its PPM_SC code, which
 * is what sysdig and libs name generic events by, and by its x86_64
 * number, for the syscalls that have no PPM_SC code saker knows (ID 0). */
#include "../prog.h"

/* generic_ppm_sc[nr]: the PPM_SC code of generic syscall nr (0 if none). */
#define PPM_SC_ENTRY(nr, name, ppmsc) [nr] = ppmsc,
static const u16 generic_ppm_sc[SYSCALL_TABLE_SIZE] = { SAKER_GENERIC_SYSCALLS(PPM_SC_ENTRY) };

SYSCALL_EXIT(generic)
{
	u32 id = regs->orig_ax;
	BEGIN(PPME_GENERIC_X, DROP_CAT_OTHER)
	u16 code = 0;
	if (id < SYSCALL_TABLE_SIZE)
		code = generic_ppm_sc[id];
	/* Parameter 1: ID (type: PT_SYSCALLID) */
	push_u16(s, code);
	/* Parameter 2: nativeID (type: PT_UINT16) */
	push_u16(s, id);
	event_submit(s);
	return 0;
}
