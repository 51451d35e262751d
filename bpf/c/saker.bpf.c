/* saker's kernel side, one compilation unit. The tree mirrors the design:
 *   maps.h                 every map, one comment each
 *   helpers/               base definitions, event building (store),
 *                          kernel reads (extract, proc, sockets), flag
 *                          conversions, filter and sampling
 *   programs/dispatcher    raw_syscalls/sys_exit: filter, sample, tail call
 *   programs/syscalls/     one exit program per syscall, by family
 *   programs/sched/        process exit
 *   programs/test/         test and benchmark twins (never attached by saker)
 * Generated: events_gen.h (bpf/internal/gen), vmlinux.h (bpftool). */
#include "programs/dispatcher.bpf.c"
#include "programs/syscalls/process.bpf.c"
#include "programs/syscalls/fd.bpf.c"
#include "programs/syscalls/socket.bpf.c"
#include "programs/syscalls/system.bpf.c"
#include "programs/syscalls/file.bpf.c"
#include "programs/syscalls/io.bpf.c"
#include "programs/syscalls/wait.bpf.c"
#include "programs/syscalls/memory.bpf.c"
#include "programs/syscalls/generic.bpf.c"
#include "programs/sched/process_exit.bpf.c"
#include "programs/test/twins.bpf.c"

char LICENSE[] SEC("license") = "GPL";
