/* Conversions from kernel flag values to the scap (PPM_*) encodings of the
 * event table. One function per flag family; the PPM values are the ones
 * the libs flag tables print (documented in bpf/doc.go). Kernel values are
 * x86_64 uapi constants: vmlinux.h carries types, not macros. */
#pragma once

#include "base.h"

/* --- open flags (file_flags) ------------------------------------------- */
#define K_O_ACCMODE 00000003
#define K_O_WRONLY 00000001
#define K_O_RDWR 00000002
#define K_O_CREAT 00000100
#define K_O_EXCL 00000200
#define K_O_TRUNC 00001000
#define K_O_APPEND 00002000
#define K_O_NONBLOCK 00004000
#define K_O_DSYNC 00010000
#define K_O_DIRECT 00040000
#define K_O_LARGEFILE 00100000
#define K_O_DIRECTORY 00200000
#define K_O_CLOEXEC 02000000
#define K_O_SYNC_BIT 04000000 /* __O_SYNC; O_SYNC = __O_SYNC | O_DSYNC */
#define K_O_TMPFILE_BIT 020000000 /* __O_TMPFILE */

#define PPM_O_RDONLY (1 << 0)
#define PPM_O_WRONLY (1 << 1)
#define PPM_O_RDWR (PPM_O_RDONLY | PPM_O_WRONLY)
#define PPM_O_CREAT (1 << 2)
#define PPM_O_APPEND (1 << 3)
#define PPM_O_DSYNC (1 << 4)
#define PPM_O_EXCL (1 << 5)
#define PPM_O_NONBLOCK (1 << 6)
#define PPM_O_SYNC (1 << 7)
#define PPM_O_TRUNC (1 << 8)
#define PPM_O_DIRECT (1 << 9)
#define PPM_O_DIRECTORY (1 << 10)
#define PPM_O_LARGEFILE (1 << 11)
#define PPM_O_CLOEXEC (1 << 12)
#define PPM_O_TMPFILE (1 << 13)
#define PPM_O_F_CREATED (1 << 14) /* set at exit: the call created the file */
#define PPM_FD_UPPER_LAYER (1 << 15) /* set at exit: the file is in an overlay's upper layer */
#define PPM_FD_LOWER_LAYER (1 << 16) /* set at exit: the file is in an overlay's lower layer only */

/* creat_flags (creat): the same two facts in their own table. */
#define PPM_FD_UPPER_LAYER_CREAT (1 << 0)
#define PPM_FD_LOWER_LAYER_CREAT (1 << 1)

static __always_inline u32 open_flags_to_scap(u64 flags)
{
	u32 res = 0;
	switch (flags & K_O_ACCMODE) {
	case K_O_WRONLY: res = PPM_O_WRONLY; break;
	case K_O_RDWR: res = PPM_O_RDWR; break;
	default: res = PPM_O_RDONLY; break;
	}
	if (flags & K_O_CREAT) res |= PPM_O_CREAT;
	if (flags & K_O_APPEND) res |= PPM_O_APPEND;
	if (flags & K_O_DSYNC) res |= PPM_O_DSYNC;
	if (flags & K_O_EXCL) res |= PPM_O_EXCL;
	if (flags & K_O_NONBLOCK) res |= PPM_O_NONBLOCK;
	if (flags & K_O_SYNC_BIT) res |= PPM_O_SYNC;
	if (flags & K_O_TRUNC) res |= PPM_O_TRUNC;
	if (flags & K_O_DIRECT) res |= PPM_O_DIRECT;
	if ((flags & K_O_DIRECTORY) && !(flags & K_O_TMPFILE_BIT)) res |= PPM_O_DIRECTORY;
	if (flags & K_O_LARGEFILE) res |= PPM_O_LARGEFILE;
	if (flags & K_O_CLOEXEC) res |= PPM_O_CLOEXEC;
	if (flags & K_O_TMPFILE_BIT) res |= PPM_O_TMPFILE;
	return res;
}

/* The mode argument only means something when the call can create a file. */
static __always_inline u32 open_mode_to_scap(u64 flags, u64 mode)
{
	if (flags & (K_O_CREAT | K_O_TMPFILE_BIT))
		return mode & 07777;
	return 0;
}

/* Flags of calls that only take O_CLOEXEC/O_NONBLOCK/O_DIRECT (pipe2, dup3,
 * userfaultfd, eventfd-like) share the open-flag encoding, without the
 * access mode (which the call does not have). */
static __always_inline u32 fd_flags_to_scap(u64 flags)
{
	u32 res = 0;
	if (flags & K_O_NONBLOCK) res |= PPM_O_NONBLOCK;
	if (flags & K_O_CLOEXEC) res |= PPM_O_CLOEXEC;
	if (flags & K_O_DIRECT) res |= PPM_O_DIRECT;
	return res;
}

/* --- openat2 resolve flags (openat2_flags) ------------------------------ */
static __always_inline u32 openat2_resolve_to_scap(u64 resolve)
{
	u32 res = 0;
	if (resolve & 0x08) res |= 1 << 0; /* RESOLVE_BENEATH */
	if (resolve & 0x10) res |= 1 << 1; /* RESOLVE_IN_ROOT */
	if (resolve & 0x02) res |= 1 << 2; /* RESOLVE_NO_MAGICLINKS */
	if (resolve & 0x04) res |= 1 << 3; /* RESOLVE_NO_SYMLINKS */
	if (resolve & 0x01) res |= 1 << 4; /* RESOLVE_NO_XDEV */
	if (resolve & 0x20) res |= 1 << 5; /* RESOLVE_CACHED */
	return res;
}

/* --- clone, unshare and setns flags (clone_flags) ----------------------- */
#define K_CLONE_NEWTIME 0x00000080ULL
#define K_CLONE_VM 0x00000100ULL
#define K_CLONE_FS 0x00000200ULL
#define K_CLONE_FILES 0x00000400ULL
#define K_CLONE_SIGHAND 0x00000800ULL
#define K_CLONE_PTRACE 0x00002000ULL
#define K_CLONE_VFORK 0x00004000ULL
#define K_CLONE_PARENT 0x00008000ULL
#define K_CLONE_THREAD 0x00010000ULL
#define K_CLONE_NEWNS 0x00020000ULL
#define K_CLONE_SYSVSEM 0x00040000ULL
#define K_CLONE_SETTLS 0x00080000ULL
#define K_CLONE_PARENT_SETTID 0x00100000ULL
#define K_CLONE_CHILD_CLEARTID 0x00200000ULL
#define K_CLONE_UNTRACED 0x00800000ULL
#define K_CLONE_CHILD_SETTID 0x01000000ULL
#define K_CLONE_NEWCGROUP 0x02000000ULL
#define K_CLONE_NEWUTS 0x04000000ULL
#define K_CLONE_NEWIPC 0x08000000ULL
#define K_CLONE_NEWUSER 0x10000000ULL
#define K_CLONE_NEWPID 0x20000000ULL
#define K_CLONE_NEWNET 0x40000000ULL
#define K_CLONE_IO 0x80000000ULL

#define PPM_CL_CLONE_FILES (1U << 0)
#define PPM_CL_CLONE_FS (1U << 1)
#define PPM_CL_CLONE_IO (1U << 2)
#define PPM_CL_CLONE_NEWIPC (1U << 3)
#define PPM_CL_CLONE_NEWNET (1U << 4)
#define PPM_CL_CLONE_NEWNS (1U << 5)
#define PPM_CL_CLONE_NEWPID (1U << 6)
#define PPM_CL_CLONE_NEWUTS (1U << 7)
#define PPM_CL_CLONE_PARENT (1U << 8)
#define PPM_CL_CLONE_PARENT_SETTID (1U << 9)
#define PPM_CL_CLONE_PTRACE (1U << 10)
#define PPM_CL_CLONE_SIGHAND (1U << 11)
#define PPM_CL_CLONE_SYSVSEM (1U << 12)
#define PPM_CL_CLONE_THREAD (1U << 13)
#define PPM_CL_CLONE_UNTRACED (1U << 14)
#define PPM_CL_CLONE_VM (1U << 15)
#define PPM_CL_CLONE_NEWUSER (1U << 20)
#define PPM_CL_CLONE_CHILD_CLEARTID (1U << 23)
#define PPM_CL_CLONE_CHILD_SETTID (1U << 24)
#define PPM_CL_CLONE_SETTLS (1U << 25)
#define PPM_CL_CLONE_STOPPED (1U << 26)
#define PPM_CL_CLONE_VFORK (1U << 27)
#define PPM_CL_CLONE_NEWCGROUP (1U << 28)
#define PPM_CL_CHILD_IN_PIDNS (1U << 29) /* the calling thread is not in the initial pid namespace */
#define PPM_CL_CLONE_NEWTIME (1U << 31)

static __always_inline u32 clone_flags_to_scap(u64 flags)
{
	u32 res = 0;
	if (flags & K_CLONE_FILES) res |= PPM_CL_CLONE_FILES;
	if (flags & K_CLONE_FS) res |= PPM_CL_CLONE_FS;
	if (flags & K_CLONE_IO) res |= PPM_CL_CLONE_IO;
	if (flags & K_CLONE_NEWIPC) res |= PPM_CL_CLONE_NEWIPC;
	if (flags & K_CLONE_NEWNET) res |= PPM_CL_CLONE_NEWNET;
	if (flags & K_CLONE_NEWNS) res |= PPM_CL_CLONE_NEWNS;
	if (flags & K_CLONE_NEWPID) res |= PPM_CL_CLONE_NEWPID;
	if (flags & K_CLONE_NEWUTS) res |= PPM_CL_CLONE_NEWUTS;
	if (flags & K_CLONE_PARENT) res |= PPM_CL_CLONE_PARENT;
	if (flags & K_CLONE_PARENT_SETTID) res |= PPM_CL_CLONE_PARENT_SETTID;
	if (flags & K_CLONE_PTRACE) res |= PPM_CL_CLONE_PTRACE;
	if (flags & K_CLONE_SIGHAND) res |= PPM_CL_CLONE_SIGHAND;
	if (flags & K_CLONE_SYSVSEM) res |= PPM_CL_CLONE_SYSVSEM;
	if (flags & K_CLONE_THREAD) res |= PPM_CL_CLONE_THREAD;
	if (flags & K_CLONE_UNTRACED) res |= PPM_CL_CLONE_UNTRACED;
	if (flags & K_CLONE_VM) res |= PPM_CL_CLONE_VM;
	if (flags & K_CLONE_NEWUSER) res |= PPM_CL_CLONE_NEWUSER;
	if (flags & K_CLONE_CHILD_CLEARTID) res |= PPM_CL_CLONE_CHILD_CLEARTID;
	if (flags & K_CLONE_CHILD_SETTID) res |= PPM_CL_CLONE_CHILD_SETTID;
	if (flags & K_CLONE_SETTLS) res |= PPM_CL_CLONE_SETTLS;
	if (flags & K_CLONE_VFORK) res |= PPM_CL_CLONE_VFORK;
	if (flags & K_CLONE_NEWCGROUP) res |= PPM_CL_CLONE_NEWCGROUP;
	if (flags & K_CLONE_NEWTIME) res |= PPM_CL_CLONE_NEWTIME;
	return res;
}

/* --- mount and umount flags (mount_flags, umount_flags) ------------------
 * The PPM_MS_* and PPM_MNT_* values are the kernel's; only the legacy magic
 * in the high bits of mount flags is removed. */
static __always_inline u32 mount_flags_to_scap(u64 flags)
{
	if ((flags & 0xffff0000ULL) == 0xC0ED0000ULL) /* MS_MGC_VAL under MS_MGC_MSK */
		flags &= ~0xffff0000ULL;
	return (u32)flags;
}

static __always_inline u32 umount_flags_to_scap(u64 flags)
{
	return flags & 0xf; /* MNT_FORCE 1, MNT_DETACH 2, MNT_EXPIRE 4, UMOUNT_NOFOLLOW 8 */
}

/* --- *at flags ----------------------------------------------------------- */
#define K_AT_SYMLINK_NOFOLLOW 0x100
#define K_AT_REMOVEDIR 0x200
#define K_AT_SYMLINK_FOLLOW 0x400
#define K_AT_EMPTY_PATH 0x1000

static __always_inline u32 unlinkat_flags_to_scap(u64 flags)
{
	return (flags & K_AT_REMOVEDIR) ? 0x200 : 0; /* PPM_AT_REMOVEDIR */
}

static __always_inline u32 linkat_flags_to_scap(u64 flags)
{
	u32 res = 0;
	if (flags & K_AT_SYMLINK_FOLLOW) res |= 0x400; /* PPM_AT_SYMLINK_FOLLOW */
	if (flags & K_AT_EMPTY_PATH) res |= 0x1000;    /* PPM_AT_EMPTY_PATH */
	return res;
}

static __always_inline u32 fchownat_flags_to_scap(u64 flags)
{
	u32 res = 0;
	if (flags & K_AT_SYMLINK_NOFOLLOW) res |= 0x100; /* PPM_AT_SYMLINK_NOFOLLOW */
	if (flags & K_AT_EMPTY_PATH) res |= 0x1000;      /* PPM_AT_EMPTY_PATH */
	return res;
}

static __always_inline u32 renameat2_flags_to_scap(u64 flags)
{
	return flags & 0x7; /* RENAME_NOREPLACE 1, RENAME_EXCHANGE 2, RENAME_WHITEOUT 4: same values */
}

/* --- memfd_create, finit_module, io_uring_setup: PPM values = kernel values */
static __always_inline u32 memfd_flags_to_scap(u64 flags)
{
	return flags & 0x7; /* MFD_CLOEXEC 1, MFD_ALLOW_SEALING 2, MFD_HUGETLB 4 */
}

static __always_inline u32 finit_module_flags_to_scap(u64 flags)
{
	return flags & 0x7; /* IGNORE_MODVERSIONS 1, IGNORE_VERMAGIC 2, COMPRESSED_FILE 4 */
}

/* --- chmod modes (chmod_mode): S_IS[UG]ID, S_ISVTX and rwx bits, same values */
static __always_inline u32 chmod_mode_to_scap(u64 mode)
{
	return mode & 07777;
}

/* --- execve flags (execve_flags) ----------------------------------------- */
#define PPM_EXE_WRITABLE (1 << 0)
#define PPM_EXE_UPPER_LAYER (1 << 1)
#define PPM_EXE_FROM_MEMFD (1 << 2)
#define PPM_EXE_LOWER_LAYER (1 << 3)

/* --- fcntl commands (fcntl_commands) -------------------------------------- */
static __always_inline u8 fcntl_cmd_to_scap(u64 cmd)
{
	switch (cmd) {
	case 0: return 1;     /* F_DUPFD */
	case 1: return 2;     /* F_GETFD */
	case 2: return 3;     /* F_SETFD */
	case 3: return 4;     /* F_GETFL */
	case 4: return 5;     /* F_SETFL */
	case 5: return 6;     /* F_GETLK (= F_GETLK64 on x86_64) */
	case 6: return 8;     /* F_SETLK */
	case 7: return 9;     /* F_SETLKW */
	case 8: return 10;    /* F_SETOWN */
	case 9: return 12;    /* F_GETOWN */
	case 10: return 13;   /* F_SETSIG */
	case 11: return 15;   /* F_GETSIG */
	case 15: return 21;   /* F_SETOWN_EX */
	case 16: return 22;   /* F_GETOWN_EX */
	case 36: return 30;   /* F_OFD_GETLK */
	case 37: return 31;   /* F_OFD_SETLK */
	case 38: return 32;   /* F_OFD_SETLKW */
	case 1024: return 23; /* F_SETLEASE */
	case 1025: return 24; /* F_GETLEASE */
	case 1026: return 27; /* F_NOTIFY */
	case 1029: return 25; /* F_CANCELLK */
	case 1030: return 26; /* F_DUPFD_CLOEXEC */
	case 1031: return 28; /* F_SETPIPE_SZ */
	case 1032: return 29; /* F_GETPIPE_SZ */
	}
	return 0; /* UNKNOWN */
}

/* --- ptrace requests (ptrace_requests) ------------------------------------ */
static __always_inline u16 ptrace_request_to_scap(u64 req)
{
	switch (req) {
	case 0: return 1;        /* PTRACE_TRACEME */
	case 1: return 2;        /* PTRACE_PEEKTEXT */
	case 2: return 3;        /* PTRACE_PEEKDATA */
	case 3: return 4;        /* PTRACE_PEEKUSR */
	case 4: return 5;        /* PTRACE_POKETEXT */
	case 5: return 6;        /* PTRACE_POKEDATA */
	case 6: return 7;        /* PTRACE_POKEUSR */
	case 7: return 8;        /* PTRACE_CONT */
	case 8: return 9;        /* PTRACE_KILL */
	case 9: return 10;       /* PTRACE_SINGLESTEP */
	case 12: return 26;      /* PTRACE_GETREGS */
	case 13: return 27;      /* PTRACE_SETREGS */
	case 14: return 28;      /* PTRACE_GETFPREGS */
	case 15: return 29;      /* PTRACE_SETFPREGS */
	case 16: return 11;      /* PTRACE_ATTACH */
	case 17: return 12;      /* PTRACE_DETACH */
	case 18: return 30;      /* PTRACE_GETFPXREGS */
	case 19: return 31;      /* PTRACE_SETFPXREGS */
	case 21: return 32;      /* PTRACE_OLDSETOPTIONS */
	case 24: return 13;      /* PTRACE_SYSCALL */
	case 25: return 33;      /* PTRACE_GET_THREAD_AREA */
	case 26: return 34;      /* PTRACE_SET_THREAD_AREA */
	case 30: return 35;      /* PTRACE_ARCH_PRCTL */
	case 31: return 36;      /* PTRACE_SYSEMU */
	case 32: return 37;      /* PTRACE_SYSEMU_SINGLESTEP */
	case 33: return 38;      /* PTRACE_SINGLEBLOCK */
	case 0x4200: return 14;  /* PTRACE_SETOPTIONS */
	case 0x4201: return 15;  /* PTRACE_GETEVENTMSG */
	case 0x4202: return 16;  /* PTRACE_GETSIGINFO */
	case 0x4203: return 17;  /* PTRACE_SETSIGINFO */
	case 0x4204: return 18;  /* PTRACE_GETREGSET */
	case 0x4205: return 19;  /* PTRACE_SETREGSET */
	case 0x4206: return 20;  /* PTRACE_SEIZE */
	case 0x4207: return 21;  /* PTRACE_INTERRUPT */
	case 0x4208: return 22;  /* PTRACE_LISTEN */
	case 0x4209: return 23;  /* PTRACE_PEEKSIGINFO */
	case 0x420a: return 24;  /* PTRACE_GETSIGMASK */
	case 0x420b: return 25;  /* PTRACE_SETSIGMASK */
	}
	return 0; /* PTRACE_UNKNOWN */
}

/* PT_DYN index of ptrace addr/data values (ptrace_dynamic_param). */
#define PPM_PTRACE_IDX_UINT64 0
#define PPM_PTRACE_IDX_SIGTYPE 1

/* --- socket families: PPM_AF_* are the kernel's AF_* numbers --------------- */
#define K_AF_UNIX 1
#define K_AF_INET 2
#define K_AF_INET6 10
#define PPM_AF_UNIX 1
#define PPM_AF_INET 2
#define PPM_AF_INET6 10

/* SOCK_NONBLOCK and SOCK_CLOEXEC in socket()/socketpair()/accept4() types. */
#define K_SOCK_NONBLOCK K_O_NONBLOCK
#define K_SOCK_CLOEXEC K_O_CLOEXEC

/* --- epoll_create1 flags (epoll_create1_flags) --------------------------- */
#define PPM_EPOLL_CLOEXEC (1 << 0)

static __always_inline u32 epoll_create1_flags_to_scap(u64 flags)
{
	return (flags & K_O_CLOEXEC) ? PPM_EPOLL_CLOEXEC : 0; /* EPOLL_CLOEXEC = O_CLOEXEC */
}

/* --- close_range flags (close_range_flags): PPM = kernel ------------------ */
#define K_CLOSE_RANGE_UNSHARE (1 << 1)
#define K_CLOSE_RANGE_CLOEXEC (1 << 2)

static __always_inline u32 close_range_flags_to_scap(u64 flags)
{
	return flags & (K_CLOSE_RANGE_UNSHARE | K_CLOSE_RANGE_CLOEXEC);
}

/* --- getsockopt levels and options (sockopt_levels, sockopt_options) ---- */
#define K_SOL_SOCKET 1
#define K_SOL_TCP 6
#define PPM_SOCKOPT_LEVEL_UNKNOWN 0
#define PPM_SOCKOPT_LEVEL_SOL_SOCKET 1
#define PPM_SOCKOPT_LEVEL_SOL_TCP 2

static __always_inline u8 sockopt_level_to_scap(u64 level)
{
	switch (level) {
	case K_SOL_SOCKET: return PPM_SOCKOPT_LEVEL_SOL_SOCKET;
	case K_SOL_TCP: return PPM_SOCKOPT_LEVEL_SOL_TCP;
	}
	return PPM_SOCKOPT_LEVEL_UNKNOWN;
}

/* x86_64 SO_* numbers the PPM table renames: the rest of 1..50 are the same. */
#define K_SO_ERROR 4
#define K_SO_RCVTIMEO_OLD 20
#define K_SO_SNDTIMEO_OLD 21
#define K_SO_TIMESTAMP_OLD 29
#define K_SO_TIMESTAMPNS_OLD 35
#define K_SO_TIMESTAMPING_OLD 37
#define K_SO_MEMINFO 55
#define K_SO_COOKIE 57
#define K_SO_PEERGROUPS 59
#define K_SO_TIMESTAMP_NEW 63
#define K_SO_TIMESTAMPNS_NEW 64
#define K_SO_TIMESTAMPING_NEW 65
#define K_SO_RCVTIMEO_NEW 66
#define K_SO_SNDTIMEO_NEW 67

/* Options of other levels are UNKNOWN (0): their numbers mean other things. */
static __always_inline u8 sockopt_optname_to_scap(u64 level, u64 optname)
{
	if (level != K_SOL_SOCKET)
		return 0;
	if (optname >= 1 && optname <= 50)
		return optname; /* PPM_SOCKOPT_SO_DEBUG .. SO_ATTACH_BPF */
	switch (optname) {
	case K_SO_PEERGROUPS: return 51;
	case K_SO_MEMINFO: return 52;
	case K_SO_COOKIE: return 53;
	case K_SO_TIMESTAMP_NEW: return K_SO_TIMESTAMP_OLD;
	case K_SO_TIMESTAMPNS_NEW: return K_SO_TIMESTAMPNS_OLD;
	case K_SO_TIMESTAMPING_NEW: return K_SO_TIMESTAMPING_OLD;
	case K_SO_RCVTIMEO_NEW: return K_SO_RCVTIMEO_OLD;
	case K_SO_SNDTIMEO_NEW: return K_SO_SNDTIMEO_OLD;
	}
	return 0;
}

/* PT_DYN index of getsockopt's val (sockopt_dynamic_param). */
#define PPM_SOCKOPT_IDX_UNKNOWN 0
#define PPM_SOCKOPT_IDX_ERRNO 1
#define PPM_SOCKOPT_IDX_UINT32 2
#define PPM_SOCKOPT_IDX_UINT64 3
#define PPM_SOCKOPT_IDX_TIMEVAL 4

/* The form of a SOL_SOCKET option's value: an int for the int options;
 * raw bytes (UNKNOWN) for the structs and strings (SO_LINGER, SO_PEERCRED,
 * SO_PEERNAME, SO_BINDTODEVICE, SO_PEERSEC, filters, SO_PEERGROUPS,
 * SO_MEMINFO) and for every other level. */
static __always_inline u8 sockopt_val_idx(u64 level, u64 optname)
{
	if (level != K_SOL_SOCKET)
		return PPM_SOCKOPT_IDX_UNKNOWN;
	switch (optname) {
	case K_SO_ERROR:
		return PPM_SOCKOPT_IDX_ERRNO;
	case K_SO_RCVTIMEO_OLD: case K_SO_SNDTIMEO_OLD:
	case K_SO_RCVTIMEO_NEW: case K_SO_SNDTIMEO_NEW:
		return PPM_SOCKOPT_IDX_TIMEVAL;
	case K_SO_COOKIE:
		return PPM_SOCKOPT_IDX_UINT64;
	case 13: /* SO_LINGER */
	case 17: /* SO_PEERCRED */
	case 25: /* SO_BINDTODEVICE */
	case 26: /* SO_ATTACH_FILTER */
	case 28: /* SO_PEERNAME */
	case 31: /* SO_PEERSEC */
	case 50: /* SO_ATTACH_BPF */
		return PPM_SOCKOPT_IDX_UNKNOWN;
	}
	if ((optname >= 1 && optname <= 49) ||
	    (optname >= K_SO_TIMESTAMP_NEW && optname <= K_SO_TIMESTAMPING_NEW))
		return PPM_SOCKOPT_IDX_UINT32;
	return PPM_SOCKOPT_IDX_UNKNOWN;
}

/* --- memory protection (prot_flags) --------------------------------------
 * READ/WRITE/EXEC/SEM keep their values; GROWSDOWN/GROWSUP move from the
 * high bits (PROT_SAO is powerpc-only and never set on x86_64). */
#define K_PROT_GROWSDOWN 0x01000000
#define K_PROT_GROWSUP 0x02000000

static __always_inline u32 prot_flags_to_scap(u64 prot)
{
	u32 res = prot & 0xf; /* PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4, PROT_SEM 8 */
	if (prot & K_PROT_GROWSDOWN) res |= 0x10; /* PPM_PROT_GROWSDOWN */
	if (prot & K_PROT_GROWSUP) res |= 0x20;   /* PPM_PROT_GROWSUP */
	return res;
}

/* --- mmap flags (mmap_flags): x86_64 MAP_* bits to their PPM_MAP_* bits.
 * MAP_SHARED_VALIDATE (3) shows as SHARED|PRIVATE; MAP_FILE is 0 and
 * MAP_RENAME/MAP_INHERIT do not exist on Linux x86_64. */
static __always_inline u32 mmap_flags_to_scap(u64 flags)
{
	u32 res = 0;
	if (flags & 0x01) res |= 0x1;        /* MAP_SHARED */
	if (flags & 0x02) res |= 0x2;        /* MAP_PRIVATE */
	if (flags & 0x10) res |= 0x4;        /* MAP_FIXED */
	if (flags & 0x20) res |= 0x8;        /* MAP_ANONYMOUS */
	if (flags & 0x40) res |= 0x10;       /* MAP_32BIT */
	if (flags & 0x4000) res |= 0x40;     /* MAP_NORESERVE */
	if (flags & 0x8000) res |= 0x80;     /* MAP_POPULATE */
	if (flags & 0x10000) res |= 0x100;   /* MAP_NONBLOCK */
	if (flags & 0x0100) res |= 0x200;    /* MAP_GROWSDOWN */
	if (flags & 0x0800) res |= 0x400;    /* MAP_DENYWRITE */
	if (flags & 0x1000) res |= 0x800;    /* MAP_EXECUTABLE */
	if (flags & 0x2000) res |= 0x4000;   /* MAP_LOCKED */
	return res;
}

/* --- access modes (access_flags): F_OK 0, X_OK 1, W_OK 2, R_OK 4, same values */
static __always_inline u32 access_flags_to_scap(u64 mode)
{
	return mode & 0x7;
}

/* --- newfstatat flags (newfstatat_flags): same values as the kernel's AT_* */
#define K_AT_NO_AUTOMOUNT 0x800

static __always_inline u32 newfstatat_flags_to_scap(u64 flags)
{
	return flags & (K_AT_SYMLINK_NOFOLLOW | K_AT_NO_AUTOMOUNT | K_AT_EMPTY_PATH);
}

/* --- lseek whence (lseek_whence): SEEK_SET/CUR/END keep 0/1/2; the table
 * has no SEEK_DATA/SEEK_HOLE, which read as 0 as in libs. */
static __always_inline u8 lseek_whence_to_scap(u64 whence)
{
	return whence <= 2 ? whence : 0;
}

/* --- flock operations (flock_flags): LOCK_SH 1, LOCK_EX 2, LOCK_NB 4, LOCK_UN 8, same values */
static __always_inline u32 flock_flags_to_scap(u64 op)
{
	return op & 0xf;
}

/* --- mlockall (mlockall_flags) and mlock2 (mlock2_flags): same values */
static __always_inline u32 mlockall_flags_to_scap(u64 flags)
{
	return flags & 0x7; /* MCL_CURRENT 1, MCL_FUTURE 2, MCL_ONFAULT 4 */
}

static __always_inline u32 mlock2_flags_to_scap(u64 flags)
{
	return flags & 0x1; /* MLOCK_ONFAULT */
}

/* --- delete_module flags (delete_module_flags): O_NONBLOCK and O_TRUNC
 * get bits of their own. */
static __always_inline u32 delete_module_flags_to_scap(u64 flags)
{
	u32 res = 0;
	if (flags & K_O_NONBLOCK) res |= 0x1; /* PPM_DELETE_MODULE_O_NONBLOCK */
	if (flags & K_O_TRUNC) res |= 0x2;    /* PPM_DELETE_MODULE_O_TRUNC */
	return res;
}

/* --- rlimit resources (rlimit_resources): RLIMIT_CPU 0 .. RLIMIT_RTTIME 15
 * keep their numbers; anything else is RLIMIT_UNKNOWN. */
static __always_inline u8 rlimit_resource_to_scap(u64 resource)
{
	return resource <= 15 ? resource : 0xff;
}

/* --- io_uring_enter flags (io_uring_enter_flags): GETEVENTS 1, SQ_WAKEUP 2,
 * SQ_WAIT 4, EXT_ARG 8 keep their values; newer flags have no PPM value. */
static __always_inline u32 io_uring_enter_flags_to_scap(u64 flags)
{
	return flags & 0xf;
}

/* --- io_uring_register opcodes (io_uring_register_opcodes): the PPM values
 * are the kernel's. IORING_REGISTER_USE_REGISTERED_RING (bit 31) is a
 * modifier, not part of the opcode. */
static __always_inline u16 io_uring_register_opcode_to_scap(u64 opcode)
{
	return (u32)opcode & 0x7fffffff;
}

/* --- futex operations (futex_operations): the command (low 7 bits) keeps
 * its value for the commands the table names (WAIT 0 .. CMP_REQUEUE_PI 12;
 * newer ones such as LOCK_PI2 are 0), then FUTEX_PRIVATE_FLAG (128) and
 * FUTEX_CLOCK_REALTIME (256) as they are. */
static __always_inline u16 futex_op_to_scap(u64 op)
{
	u16 cmd = op & 0x7f;
	u16 res = cmd <= 12 ? cmd : 0;
	return res | (op & (0x80 | 0x100));
}

/* --- poll events (the flags of a PT_FDLIST entry): PPM_POLLIN 1, PRI 2,
 * OUT 4, RDHUP 8, ERR 16, HUP 32, NVAL 64, RDNORM 128, RDBAND 256,
 * WRNORM 512, WRBAND 1024. */
static __always_inline u16 poll_events_to_scap(u16 ev)
{
	u16 res = ev & 0x7;                 /* POLLIN, POLLPRI, POLLOUT */
	if (ev & 0x2000)                    /* POLLRDHUP */
		res |= 1 << 3;
	res |= (ev & (0x8 | 0x10 | 0x20)) << 1;   /* ERR, HUP, NVAL */
	res |= (ev & (0x40 | 0x80 | 0x100 | 0x200)) << 1; /* RDNORM .. WRBAND */
	return res;
}

/* --- semop flags (semop_flags): IPC_NOWAIT 1, SEM_UNDO 2. */
static __always_inline u16 semop_flags_to_scap(u16 flg)
{
	u16 res = 0;
	if (flg & 04000) /* IPC_NOWAIT */
		res |= 1;
	if (flg & 0x1000) /* SEM_UNDO */
		res |= 2;
	return res;
}

/* --- semctl commands (semctl_commands): one bit each; unknown ones
 * (SEM_STAT_ANY, IPC_64-flagged) are 0. */
static __always_inline u16 semctl_cmd_to_scap(u64 cmd)
{
	switch (cmd) {
	case 2: return 0x1;     /* IPC_STAT */
	case 1: return 0x2;     /* IPC_SET */
	case 0: return 0x4;     /* IPC_RMID */
	case 3: return 0x8;     /* IPC_INFO */
	case 19: return 0x10;   /* SEM_INFO */
	case 18: return 0x20;   /* SEM_STAT */
	case 13: return 0x40;   /* GETALL */
	case 14: return 0x80;   /* GETNCNT */
	case 11: return 0x100;  /* GETPID */
	case 12: return 0x200;  /* GETVAL */
	case 15: return 0x400;  /* GETZCNT */
	case 17: return 0x800;  /* SETALL */
	case 16: return 0x1000; /* SETVAL */
	}
	return 0;
}

/* --- semget flags (semget_flags): IPC_CREAT 0x2000, IPC_EXCL 0x4000; the
 * permission bits are not written. */
static __always_inline u32 semget_flags_to_scap(u64 flg)
{
	u32 res = 0;
	if (flg & 01000) /* IPC_CREAT */
		res |= 0x2000;
	if (flg & 02000) /* IPC_EXCL */
		res |= 0x4000;
	return res;
}

/* --- quotactl (quotactl_cmds, quotactl_types, quotactl_quota_fmts,
 * quotactl_dqi_flags). A command is QCMD(subcmd, type) = subcmd << 8 |
 * type; the subcommands are the Q_* (0x8000xx) and XFS Q_X* ('X' << 8 |
 * n) values. */
#define K_Q_SYNC 0x800001
#define K_Q_QUOTAON 0x800002
#define K_Q_QUOTAOFF 0x800003
#define K_Q_GETFMT 0x800004
#define K_Q_GETINFO 0x800005
#define K_Q_SETINFO 0x800006
#define K_Q_GETQUOTA 0x800007
#define K_Q_SETQUOTA 0x800008
#define PPM_Q_QUOTAON 0x1
#define PPM_Q_GETFMT 0x4
#define PPM_Q_GETINFO 0x8
#define PPM_Q_SETINFO 0x10
#define PPM_Q_GETQUOTA 0x20
#define PPM_Q_SETQUOTA 0x40
#define PPM_QFMT_NOT_USED 0x1

static __always_inline u16 quotactl_cmd_to_scap(u64 cmd)
{
	switch ((u32)cmd >> 8) {
	case K_Q_QUOTAON: return PPM_Q_QUOTAON;
	case K_Q_QUOTAOFF: return 0x2;
	case K_Q_GETFMT: return PPM_Q_GETFMT;
	case K_Q_GETINFO: return PPM_Q_GETINFO;
	case K_Q_SETINFO: return PPM_Q_SETINFO;
	case K_Q_GETQUOTA: return PPM_Q_GETQUOTA;
	case K_Q_SETQUOTA: return PPM_Q_SETQUOTA;
	case K_Q_SYNC: return 0x80;
	case 0x5801: return 0x100;  /* Q_XQUOTAON */
	case 0x5802: return 0x200;  /* Q_XQUOTAOFF */
	case 0x5803: return 0x400;  /* Q_XGETQUOTA */
	case 0x5804: return 0x800;  /* Q_XSETQLIM */
	case 0x5805: return 0x1000; /* Q_XGETQSTAT */
	case 0x5806: return 0x2000; /* Q_XQUOTARM */
	case 0x5807: return 0x4000; /* Q_XQUOTASYNC */
	}
	return 0;
}

/* USRQUOTA 0 -> 1, GRPQUOTA 1 -> 2; PRJQUOTA has no PPM value (0). */
static __always_inline u8 quotactl_type_to_scap(u64 cmd)
{
	switch (cmd & 0xff) {
	case 0: return 0x1;
	case 1: return 0x2;
	}
	return 0;
}

/* QFMT_VFS_OLD 1 -> 2, QFMT_VFS_V0 2 -> 4, QFMT_VFS_V1 4 -> 8; any other
 * format (none, OCFS2) is QFMT_NOT_USED. */
static __always_inline u8 quotactl_fmt_to_scap(u32 fmt)
{
	switch (fmt) {
	case 1: return 0x2;
	case 2: return 0x4;
	case 4: return 0x8;
	}
	return PPM_QFMT_NOT_USED;
}

/* dqi_flags: none -> DQF_NONE (1), V1_DQF_RSQUASH (1) -> 2, others 0. */
static __always_inline u8 quotactl_dqi_flags_to_scap(u32 flags)
{
	switch (flags) {
	case 0: return 0x1;
	case 1: return 0x2;
	}
	return 0;
}
