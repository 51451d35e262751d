package main

// spec lists every syscall the kernel programs handle and the exit event
// each one writes (the newest version of the event in the table). The event
// ids, parameter counts and state flags come from the event table JSON; only
// the choice of event and the drop category are made here.
//
// Drop categories name the per-category ring-full counters, after Falco's
// n_drops_buffer_*_exit counters: clone_fork, execve, connect, open,
// dir_file (changes to directory entries and file metadata), other_interest
// (security-relevant calls that are not file or process lifecycle), close,
// proc (procexit). Syscalls of no category count only in the total.
var spec = []struct {
	syscall  string
	event    string
	category string
}{
	// Process lifecycle.
	{"execve", "PPME_SYSCALL_EXECVE_19_X", "execve"},
	{"execveat", "PPME_SYSCALL_EXECVEAT_X", "execve"},
	{"clone", "PPME_SYSCALL_CLONE_20_X", "clone_fork"},
	{"clone3", "PPME_SYSCALL_CLONE3_X", "clone_fork"},
	{"fork", "PPME_SYSCALL_FORK_20_X", "clone_fork"},
	{"vfork", "PPME_SYSCALL_VFORK_20_X", "clone_fork"},

	// File descriptors.
	{"open", "PPME_SYSCALL_OPEN_X", "open"},
	{"openat", "PPME_SYSCALL_OPENAT_2_X", "open"},
	{"openat2", "PPME_SYSCALL_OPENAT2_X", "open"},
	{"creat", "PPME_SYSCALL_CREAT_X", "open"},
	{"close", "PPME_SYSCALL_CLOSE_X", "close"},
	{"dup", "PPME_SYSCALL_DUP_1_X", ""},
	{"dup2", "PPME_SYSCALL_DUP2_X", ""},
	{"dup3", "PPME_SYSCALL_DUP3_X", ""},
	{"fcntl", "PPME_SYSCALL_FCNTL_X", ""},
	{"pipe", "PPME_SYSCALL_PIPE_X", ""},
	{"pipe2", "PPME_SYSCALL_PIPE2_X", ""},
	{"memfd_create", "PPME_SYSCALL_MEMFD_CREATE_X", "open"},
	{"userfaultfd", "PPME_SYSCALL_USERFAULTFD_X", "other_interest"},
	{"io_uring_setup", "PPME_SYSCALL_IO_URING_SETUP_X", "other_interest"},
	{"open_by_handle_at", "PPME_SYSCALL_OPEN_BY_HANDLE_AT_X", "open"},
	{"pidfd_open", "PPME_SYSCALL_PIDFD_OPEN_X", "other_interest"},
	{"pidfd_getfd", "PPME_SYSCALL_PIDFD_GETFD_X", "other_interest"},

	// Sockets.
	{"socket", "PPME_SOCKET_SOCKET_X", ""},
	{"socketpair", "PPME_SOCKET_SOCKETPAIR_X", ""},
	{"connect", "PPME_SOCKET_CONNECT_X", "connect"},
	{"accept", "PPME_SOCKET_ACCEPT_5_X", "other_interest"},
	{"accept4", "PPME_SOCKET_ACCEPT4_6_X", "other_interest"},
	{"bind", "PPME_SOCKET_BIND_X", "other_interest"},
	{"listen", "PPME_SOCKET_LISTEN_X", "other_interest"},
	{"sendto", "PPME_SOCKET_SENDTO_X", ""},
	{"sendmsg", "PPME_SOCKET_SENDMSG_X", ""},
	{"recvfrom", "PPME_SOCKET_RECVFROM_X", ""},
	{"recvmsg", "PPME_SOCKET_RECVMSG_X", ""},

	// Namespaces, mounts, privileges.
	{"setns", "PPME_SYSCALL_SETNS_X", "other_interest"},
	{"unshare", "PPME_SYSCALL_UNSHARE_X", "other_interest"},
	{"mount", "PPME_SYSCALL_MOUNT_X", "other_interest"},
	{"umount2", "PPME_SYSCALL_UMOUNT2_X", "other_interest"},
	{"chroot", "PPME_SYSCALL_CHROOT_X", "other_interest"},
	{"chdir", "PPME_SYSCALL_CHDIR_X", ""},
	{"fchdir", "PPME_SYSCALL_FCHDIR_X", ""},
	{"setuid", "PPME_SYSCALL_SETUID_X", "other_interest"},
	{"setgid", "PPME_SYSCALL_SETGID_X", "other_interest"},
	{"setresuid", "PPME_SYSCALL_SETRESUID_X", "other_interest"},
	{"setresgid", "PPME_SYSCALL_SETRESGID_X", "other_interest"},
	{"setreuid", "PPME_SYSCALL_SETREUID_X", "other_interest"},
	{"setregid", "PPME_SYSCALL_SETREGID_X", "other_interest"},
	{"capset", "PPME_SYSCALL_CAPSET_X", "other_interest"},
	{"prctl", "PPME_SYSCALL_PRCTL_X", "other_interest"},
	{"ptrace", "PPME_SYSCALL_PTRACE_X", "other_interest"},
	{"bpf", "PPME_SYSCALL_BPF_2_X", "other_interest"},
	{"init_module", "PPME_SYSCALL_INIT_MODULE_X", "other_interest"},
	{"finit_module", "PPME_SYSCALL_FINIT_MODULE_X", "other_interest"},
	{"process_vm_readv", "PPME_SYSCALL_PROCESS_VM_READV_X", "other_interest"},
	{"process_vm_writev", "PPME_SYSCALL_PROCESS_VM_WRITEV_X", "other_interest"},
	{"fsconfig", "PPME_SYSCALL_FSCONFIG_X", "other_interest"},
	{"kill", "PPME_SYSCALL_KILL_X", ""},
	{"tkill", "PPME_SYSCALL_TKILL_X", ""},
	{"tgkill", "PPME_SYSCALL_TGKILL_X", ""},

	// Directory entries and file metadata.
	{"mkdir", "PPME_SYSCALL_MKDIR_2_X", "dir_file"},
	{"mkdirat", "PPME_SYSCALL_MKDIRAT_X", "dir_file"},
	{"rmdir", "PPME_SYSCALL_RMDIR_2_X", "dir_file"},
	{"unlink", "PPME_SYSCALL_UNLINK_2_X", "dir_file"},
	{"unlinkat", "PPME_SYSCALL_UNLINKAT_2_X", "dir_file"},
	{"rename", "PPME_SYSCALL_RENAME_X", "dir_file"},
	{"renameat", "PPME_SYSCALL_RENAMEAT_X", "dir_file"},
	{"renameat2", "PPME_SYSCALL_RENAMEAT2_X", "dir_file"},
	{"link", "PPME_SYSCALL_LINK_2_X", "dir_file"},
	{"linkat", "PPME_SYSCALL_LINKAT_2_X", "dir_file"},
	{"symlink", "PPME_SYSCALL_SYMLINK_X", "dir_file"},
	{"symlinkat", "PPME_SYSCALL_SYMLINKAT_X", "dir_file"},
	{"chmod", "PPME_SYSCALL_CHMOD_X", "dir_file"},
	{"fchmod", "PPME_SYSCALL_FCHMOD_X", "dir_file"},
	{"fchmodat", "PPME_SYSCALL_FCHMODAT_X", "dir_file"},
	{"chown", "PPME_SYSCALL_CHOWN_X", "dir_file"},
	{"lchown", "PPME_SYSCALL_LCHOWN_X", "dir_file"},
	{"fchown", "PPME_SYSCALL_FCHOWN_X", "dir_file"},
	{"fchownat", "PPME_SYSCALL_FCHOWNAT_X", "dir_file"},
	{"mknod", "PPME_SYSCALL_MKNOD_X", "dir_file"},
	{"mknodat", "PPME_SYSCALL_MKNODAT_X", "dir_file"},

	// State-keeping calls Falco always traces (EF_MODIFIES_STATE/
	// EF_CREATES_FD). The anonymous-fd creators count as "open", like
	// memfd_create: they add an fd to the table as an open does.
	// close_range counts as "close". setsid and setpgid change the
	// process tree's sessions and groups: "other_interest", like the
	// credential calls. shutdown and getsockopt, like the other socket
	// calls that create nothing, have no category.
	{"eventfd", "PPME_SYSCALL_EVENTFD_X", "open"},
	{"eventfd2", "PPME_SYSCALL_EVENTFD2_X", "open"},
	{"signalfd", "PPME_SYSCALL_SIGNALFD_X", "open"},
	{"signalfd4", "PPME_SYSCALL_SIGNALFD4_X", "open"},
	{"timerfd_create", "PPME_SYSCALL_TIMERFD_CREATE_X", "open"},
	{"inotify_init", "PPME_SYSCALL_INOTIFY_INIT_X", "open"},
	{"inotify_init1", "PPME_SYSCALL_INOTIFY_INIT1_X", "open"},
	{"epoll_create", "PPME_SYSCALL_EPOLL_CREATE_X", "open"},
	{"epoll_create1", "PPME_SYSCALL_EPOLL_CREATE1_X", "open"},
	{"close_range", "PPME_SYSCALL_CLOSE_RANGE_X", "close"},
	{"setsid", "PPME_SYSCALL_SETSID_X", "other_interest"},
	{"setpgid", "PPME_SYSCALL_SETPGID_X", "other_interest"},
	{"shutdown", "PPME_SOCKET_SHUTDOWN_X", ""},
	{"getsockopt", "PPME_SOCKET_GETSOCKOPT_X", ""},

	// Data transfer (I/O). Falco ignores most of these unless -A
	// (receiver/ebpf IgnoredIO). pread64/pwrite64 write the events named
	// "pread"/"pwrite".
	{"read", "PPME_SYSCALL_READ_X", ""},
	{"write", "PPME_SYSCALL_WRITE_X", ""},
	{"pread64", "PPME_SYSCALL_PREAD_X", ""},
	{"pwrite64", "PPME_SYSCALL_PWRITE_X", ""},
	{"readv", "PPME_SYSCALL_READV_X", ""},
	{"writev", "PPME_SYSCALL_WRITEV_X", ""},
	{"preadv", "PPME_SYSCALL_PREADV_X", ""},
	{"pwritev", "PPME_SYSCALL_PWRITEV_X", ""},
	{"sendfile", "PPME_SYSCALL_SENDFILE_X", ""},
	{"splice", "PPME_SYSCALL_SPLICE_X", ""},
	{"copy_file_range", "PPME_SYSCALL_COPY_FILE_RANGE_X", ""},
	{"sendmmsg", "PPME_SOCKET_SENDMMSG_X", ""},
	{"recvmmsg", "PPME_SOCKET_RECVMMSG_X", ""},

	// Memory, file metadata, limits and other security-relevant calls
	// with an event type of their own. Changes to memory protection and
	// the kernel's filters, modules and keys are "other_interest".
	{"mmap", "PPME_SYSCALL_MMAP_X", ""},
	{"munmap", "PPME_SYSCALL_MUNMAP_X", ""},
	{"mprotect", "PPME_SYSCALL_MPROTECT_X", "other_interest"},
	{"brk", "PPME_SYSCALL_BRK_4_X", ""},
	{"mlock", "PPME_SYSCALL_MLOCK_X", ""},
	{"munlock", "PPME_SYSCALL_MUNLOCK_X", ""},
	{"mlock2", "PPME_SYSCALL_MLOCK2_X", ""},
	{"mlockall", "PPME_SYSCALL_MLOCKALL_X", ""},
	{"munlockall", "PPME_SYSCALL_MUNLOCKALL_X", ""},
	{"ioctl", "PPME_SYSCALL_IOCTL_3_X", ""},
	{"access", "PPME_SYSCALL_ACCESS_X", ""},
	{"stat", "PPME_SYSCALL_STAT_X", ""},
	{"lstat", "PPME_SYSCALL_LSTAT_X", ""},
	{"fstat", "PPME_SYSCALL_FSTAT_X", ""},
	{"newfstatat", "PPME_SYSCALL_NEWFSTATAT_X", ""},
	{"lseek", "PPME_SYSCALL_LSEEK_X", ""},
	{"getdents", "PPME_SYSCALL_GETDENTS_X", ""},
	{"getdents64", "PPME_SYSCALL_GETDENTS64_X", ""},
	{"flock", "PPME_SYSCALL_FLOCK_X", ""},
	{"seccomp", "PPME_SYSCALL_SECCOMP_X", "other_interest"},
	{"delete_module", "PPME_SYSCALL_DELETE_MODULE_X", "other_interest"},
	{"keyctl", "PPME_SYSCALL_KEYCTL_X", "other_interest"},
	{"getrlimit", "PPME_SYSCALL_GETRLIMIT_X", ""},
	{"setrlimit", "PPME_SYSCALL_SETRLIMIT_X", ""},
	{"prlimit64", "PPME_SYSCALL_PRLIMIT_X", ""},
	{"io_uring_enter", "PPME_SYSCALL_IO_URING_ENTER_X", ""},
	{"io_uring_register", "PPME_SYSCALL_IO_URING_REGISTER_X", ""},

	// The last x86_64 syscalls with an event type of their own: waits and
	// sleeps (waitSyscalls), the getters of ids and of the working
	// directory, System V semaphores, quotactl and the remaining socket
	// calls. None changes what saker tracks: no category. (pselect6 and
	// epoll_pwait have no event type: they stay generic.)
	{"futex", "PPME_SYSCALL_FUTEX_X", ""},
	{"nanosleep", "PPME_SYSCALL_NANOSLEEP_X", ""},
	{"poll", "PPME_SYSCALL_POLL_X", ""},
	{"ppoll", "PPME_SYSCALL_PPOLL_X", ""},
	{"select", "PPME_SYSCALL_SELECT_X", ""},
	{"epoll_wait", "PPME_SYSCALL_EPOLLWAIT_X", ""},
	{"getcwd", "PPME_SYSCALL_GETCWD_X", ""},
	{"getuid", "PPME_SYSCALL_GETUID_X", ""},
	{"geteuid", "PPME_SYSCALL_GETEUID_X", ""},
	{"getgid", "PPME_SYSCALL_GETGID_X", ""},
	{"getegid", "PPME_SYSCALL_GETEGID_X", ""},
	{"getresuid", "PPME_SYSCALL_GETRESUID_X", ""},
	{"getresgid", "PPME_SYSCALL_GETRESGID_X", ""},
	{"semop", "PPME_SYSCALL_SEMOP_X", ""},
	{"semctl", "PPME_SYSCALL_SEMCTL_X", ""},
	{"semget", "PPME_SYSCALL_SEMGET_X", ""},
	{"quotactl", "PPME_SYSCALL_QUOTACTL_X", ""},
	{"setsockopt", "PPME_SOCKET_SETSOCKOPT_X", ""},
	{"getsockname", "PPME_SOCKET_GETSOCKNAME_X", ""},
	{"getpeername", "PPME_SOCKET_GETPEERNAME_X", ""},
}

// ioSyscalls are high-volume data transfer: they stay samplable even where
// the table marks their event state-modifying (those that can carry a
// socket tuple: send*, recv*).
var ioSyscalls = map[string]bool{
	"sendto": true, "sendmsg": true, "recvfrom": true, "recvmsg": true,
	"sendmmsg": true, "recvmmsg": true,
	"read": true, "write": true, "pread64": true, "pwrite64": true, "readv": true, "writev": true,
	"preadv": true, "pwritev": true, "sendfile": true, "splice": true, "copy_file_range": true,
}

// waitSyscalls are the high-volume waits and sleeps (every idle thread
// calls them): samplable like ioSyscalls, should the table ever mark one
// state-modifying.
var waitSyscalls = map[string]bool{
	"futex": true, "nanosleep": true, "poll": true, "ppoll": true, "select": true, "epoll_wait": true,
}

// extraEvents are events written by programs that are not syscall exits.
var extraEvents = []struct{ event, category string }{
	{"PPME_PROCEXIT_1_E", "proc"},
	{"PPME_DROP_E", ""},
	{"PPME_DROP_X", ""},
}

// categories in counter order (the C enum and the Go constants follow it).
var categories = []string{"clone_fork", "execve", "connect", "open", "dir_file", "other_interest", "close", "proc"}

// Syscalls without an event type of their own are written as generic
// events (PPME_GENERIC_X: the PPM_SC code of the syscall and its x86_64
// number), as Falco's modern probe writes them: every x86_64 syscall whose
// name no event of the table carries has the one generic program, except
// those whose sys_exit never reports them (exit and exit_group do not
// return; rt_sigreturn restores registers with orig_ax = -1).
var neverExits = map[string]bool{"exit": true, "exit_group": true, "rt_sigreturn": true}
