// Package bpf is saker's kernel side: the eBPF programs (C, under c/), the
// object clang compiled from them and its bpf2go bindings (LoadProbe,
// ProbeObjects), committed so that `go build` needs no clang, and the table
// of syscalls they handle (Syscalls, GenericSyscalls). receiver/ebpf
// loads, configures, attaches and reads them; nothing else should.
//
// # Building
//
// `go generate` in this directory runs internal/gen (event ids, parameter
// counts and the syscall table, from the scap event table JSON, into
// c/events_gen.h and syscalls_gen.go) and then bpf2go with Debian's clang 14
// (-mcpu=v3, -target amd64) against the libbpf-dev headers. c/vmlinux.h is
// `bpftool btf dump file /sys/kernel/btf/vmlinux format c` of the kernel
// saker was developed on; the programs are CO-RE, so the object runs on
// other kernels with BTF from 6.2 on (bpf_rdonly_cast; bpf_loop is 5.17).
//
// # The programs
//
// The tree mirrors the design (c/saker.bpf.c includes it all):
//
//	maps.h                   every map, with what it holds and who writes it
//	helpers/base.h           sizes, load-time constants, READ_ONCE
//	helpers/store.h          building an event in the scratch buffer; submit
//	helpers/extract.h        syscall arguments, fds, pids, task fields
//	helpers/proc.h           argv/env, cgroups, d_path walk, exe inode checks
//	helpers/sockets.h        socket tuples and addresses
//	helpers/flags.h          kernel → scap flag conversions, one per family
//	helpers/sampling.h       the syscall filter and kernel sampling
//	programs/dispatcher      tp_btf/sys_exit: filter, sample, tail-call
//	programs/syscalls/*.c    one exit program per syscall, by family
//	programs/syscalls/generic.bpf.c  the one program of every syscall
//	                         without an event type (PPME_GENERIC_X)
//	programs/sched/          sched_process_exit → procexit
//	programs/test/           BPF_PROG_TEST_RUN twin and benchmark floors
//
// One tp_btf program sits on raw_syscalls/sys_exit. For a syscall outside
// the interesting set it does one array lookup and returns (measured: no
// more than an empty program, the floor). Otherwise it skips saker's own
// process and 32-bit compat syscalls, applies kernel sampling, and
// tail-calls the syscall's program through syscall_exit_tail_table (filled
// from the X-macro table at load). Every program returns 0: a non-zero
// return costs ~70 ns more on the CPU the tracepoint's perf event is bound
// to (notes/perf.md §2.3).
//
// There is no sys_enter program: arguments are read back from the pt_regs
// saved at entry, which only a successful execve overwrites. A sys_enter
// hook would add the floor (~75-80 ns here) to every syscall of the system
// to save what is one register load at exit. tp_btf rather than a raw
// tracepoint because kernel structs are then read with direct, fault-safe
// loads instead of bpf_probe_read_kernel calls (the dispatcher's filter as
// a raw tracepoint costs ~25 ns more per syscall, BenchmarkSyscallOverhead).
//
// A successful execve/execveat is written from sched_process_exec, where the
// new program's memory and bprm->filename are at hand; the dispatcher skips
// execve exits with ret 0. Failed ones are written at sys_exit. Clone-family
// events are written twice, as libs does: by the parent (res = child tid)
// and by the child on its first return to user space (res = 0); each
// carries the fields of the thread that writes it. The child's event can
// reach the reader before the parent's. procexit (PPME_PROCEXIT_1_E) is
// written for every exiting thread from sched_process_exit.
//
// # Wire format
//
// Each event is written to the ring of the CPU it happened on, in the scap
// layout: u64 ts | u64 tid | u32 len | u16 type | u32 nparams, nparams u16
// lengths, then the parameters (no event the programs write has u32
// lengths). ts is nanoseconds since the epoch: bpf_ktime_get_boot_ns() plus
// boot_time_ns, set at load. tid is the thread id in the initial pid
// namespace. Every event carries all its table parameters, in table order;
// an absent one has length 0. Events are built in a per-CPU scratch buffer
// (scratch_map) of twice the 64 KiB maximum, so masked offsets keep the
// verifier content, and copied out with bpf_ringbuf_output(BPF_RB_NO_WAKEUP):
// the reader polls.
//
// # Syscalls, events and parameters
//
// Each syscall writes the newest exit event of its name (the scap event
// table's current version):
//
//	execve          SYSCALL_EXECVE_19_X          res, exe, args, tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap, comm, cgroups, env, tty, vpgid, loginuid, flags, cap_inheritable, cap_permitted, cap_effective, exe_ino, exe_ino_ctime, exe_ino_mtime, uid, trusted_exepath, pgid, gid, filename
//	execveat        SYSCALL_EXECVEAT_X           the same without filename
//	clone           SYSCALL_CLONE_20_X           res, exe, args, tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap, comm, cgroups, flags, uid, gid, vtid, vpid, pidns_init_start_ts
//	clone3          SYSCALL_CLONE3_X             as clone
//	fork            SYSCALL_FORK_20_X            as clone (flags 0)
//	vfork           SYSCALL_VFORK_20_X           as clone (flags CLONE_VM|CLONE_VFORK)
//	(sched exit)    PROCEXIT_1_E                 status, ret, sig, core, reaper_tid
//	open            SYSCALL_OPEN_X               fd, name, flags, mode, dev, ino
//	open_by_handle_at SYSCALL_OPEN_BY_HANDLE_AT_X fd, mountfd, flags, path, dev, ino
//	openat          SYSCALL_OPENAT_2_X           fd, dirfd, name, flags, mode, dev, ino
//	openat2         SYSCALL_OPENAT2_X            fd, dirfd, name, flags, mode, resolve, dev, ino
//	creat           SYSCALL_CREAT_X              fd, name, mode, dev, ino, creat_flags
//	close           SYSCALL_CLOSE_X              res, fd
//	dup             SYSCALL_DUP_1_X              res, oldfd
//	dup2            SYSCALL_DUP2_X               res, oldfd, newfd
//	dup3            SYSCALL_DUP3_X               res, oldfd, newfd, flags
//	fcntl           SYSCALL_FCNTL_X              res, fd, cmd, arg
//	pipe            SYSCALL_PIPE_X               res, fd1, fd2, ino
//	pipe2           SYSCALL_PIPE2_X              res, fd1, fd2, ino, flags
//	memfd_create    SYSCALL_MEMFD_CREATE_X       fd, name, flags
//	userfaultfd     SYSCALL_USERFAULTFD_X        res, flags
//	io_uring_setup  SYSCALL_IO_URING_SETUP_X     res, entries, sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features
//	pidfd_open      SYSCALL_PIDFD_OPEN_X         fd, pid, flags
//	pidfd_getfd     SYSCALL_PIDFD_GETFD_X        fd, pid_fd, target_fd, flags
//	socket          SOCKET_SOCKET_X              fd, domain, type, proto, flags
//	socketpair      SOCKET_SOCKETPAIR_X          res, fd1, fd2, source, peer, domain, type, proto
//	connect         SOCKET_CONNECT_X             res, tuple, fd, addr
//	accept          SOCKET_ACCEPT_5_X            fd, tuple, queuepct, queuelen, queuemax
//	accept4         SOCKET_ACCEPT4_6_X           fd, tuple, queuepct, queuelen, queuemax, flags
//	bind            SOCKET_BIND_X                res, addr, fd
//	listen          SOCKET_LISTEN_X              res, fd, backlog
//	sendto          SOCKET_SENDTO_X              res, data, fd, size, tuple
//	sendmsg         SOCKET_SENDMSG_X             res, data, fd, size, tuple
//	recvfrom        SOCKET_RECVFROM_X            res, data, tuple, fd, size
//	recvmsg         SOCKET_RECVMSG_X             res, size, data, tuple, msgcontrol, fd
//	setns           SYSCALL_SETNS_X              res, fd, nstype
//	unshare         SYSCALL_UNSHARE_X            res, flags
//	mount           SYSCALL_MOUNT_X              res, dev, dir, type, flags
//	umount2         SYSCALL_UMOUNT2_X            res, name, flags
//	fsconfig        SYSCALL_FSCONFIG_X           res, fd, cmd, key, value_bytebuf, value_charbuf, aux
//	chroot          SYSCALL_CHROOT_X             res, path
//	chdir           SYSCALL_CHDIR_X              res, path
//	fchdir          SYSCALL_FCHDIR_X             res, fd
//	setuid          SYSCALL_SETUID_X             res, uid
//	setgid          SYSCALL_SETGID_X             res, gid
//	setresuid       SYSCALL_SETRESUID_X          res, ruid, euid, suid
//	setresgid       SYSCALL_SETRESGID_X          res, rgid, egid, sgid
//	setreuid        SYSCALL_SETREUID_X           res, ruid, euid
//	setregid        SYSCALL_SETREGID_X           res, rgid, egid
//	capset          SYSCALL_CAPSET_X             res, cap_inheritable, cap_permitted, cap_effective
//	prctl           SYSCALL_PRCTL_X              res, option, arg2_str, arg2_int
//	ptrace          SYSCALL_PTRACE_X             res, addr, data, request, pid
//	process_vm_readv  SYSCALL_PROCESS_VM_READV_X res, pid, data
//	process_vm_writev SYSCALL_PROCESS_VM_WRITEV_X res, pid, data
//	bpf             SYSCALL_BPF_2_X              fd, cmd
//	init_module     SYSCALL_INIT_MODULE_X        res, img, length, uargs
//	finit_module    SYSCALL_FINIT_MODULE_X       res, fd, uargs, flags
//	kill            SYSCALL_KILL_X               res, pid, sig
//	tkill           SYSCALL_TKILL_X              res, tid, sig
//	tgkill          SYSCALL_TGKILL_X             res, pid, tid, sig
//	mkdir           SYSCALL_MKDIR_2_X            res, path, mode
//	mkdirat         SYSCALL_MKDIRAT_X            res, dirfd, path, mode
//	rmdir           SYSCALL_RMDIR_2_X            res, path
//	unlink          SYSCALL_UNLINK_2_X           res, path
//	unlinkat        SYSCALL_UNLINKAT_2_X         res, dirfd, name, flags
//	rename          SYSCALL_RENAME_X             res, oldpath, newpath
//	renameat        SYSCALL_RENAMEAT_X           res, olddirfd, oldpath, newdirfd, newpath
//	renameat2       SYSCALL_RENAMEAT2_X          res, olddirfd, oldpath, newdirfd, newpath, flags
//	link            SYSCALL_LINK_2_X             res, oldpath, newpath
//	linkat          SYSCALL_LINKAT_2_X           res, olddir, oldpath, newdir, newpath, flags
//	symlink         SYSCALL_SYMLINK_X            res, target, linkpath
//	symlinkat       SYSCALL_SYMLINKAT_X          res, target, linkdirfd, linkpath
//	chmod           SYSCALL_CHMOD_X              res, filename, mode
//	fchmod          SYSCALL_FCHMOD_X             res, fd, mode
//	fchmodat        SYSCALL_FCHMODAT_X           res, dirfd, filename, mode
//	chown           SYSCALL_CHOWN_X              res, path, uid, gid
//	lchown          SYSCALL_LCHOWN_X             res, path, uid, gid
//	fchown          SYSCALL_FCHOWN_X             res, fd, uid, gid
//	fchownat        SYSCALL_FCHOWNAT_X           res, dirfd, pathname, uid, gid, flags
//	mknod           SYSCALL_MKNOD_X              res, path, mode, dev
//	mknodat         SYSCALL_MKNODAT_X            res, dirfd, path, mode, dev
//	eventfd         SYSCALL_EVENTFD_X            res, initval, flags
//	eventfd2        SYSCALL_EVENTFD2_X           res, flags, initval
//	signalfd        SYSCALL_SIGNALFD_X           res, fd, mask, flags
//	signalfd4       SYSCALL_SIGNALFD4_X          res, flags, fd, mask
//	timerfd_create  SYSCALL_TIMERFD_CREATE_X     res, clockid, flags
//	inotify_init    SYSCALL_INOTIFY_INIT_X       res, flags
//	inotify_init1   SYSCALL_INOTIFY_INIT1_X      res, flags
//	epoll_create    SYSCALL_EPOLL_CREATE_X       res, size
//	epoll_create1   SYSCALL_EPOLL_CREATE1_X      res, flags
//	close_range     SYSCALL_CLOSE_RANGE_X        res, first, last, flags
//	setsid          SYSCALL_SETSID_X             res
//	setpgid         SYSCALL_SETPGID_X            res, pid, pgid
//	shutdown        SOCKET_SHUTDOWN_X            res, fd, how
//	getsockopt      SOCKET_GETSOCKOPT_X          res, fd, level, optname, val, optlen
//	read            SYSCALL_READ_X               res, data, fd, size
//	write           SYSCALL_WRITE_X              res, data, fd, size
//	pread64         SYSCALL_PREAD_X              res, data, fd, size, pos (the event is named "pread")
//	pwrite64        SYSCALL_PWRITE_X             res, data, fd, size, pos (named "pwrite")
//	readv           SYSCALL_READV_X              res, size, data, fd
//	writev          SYSCALL_WRITEV_X             res, data, fd, size
//	preadv          SYSCALL_PREADV_X             res, size, data, fd, pos
//	pwritev         SYSCALL_PWRITEV_X            res, data, fd, size, pos
//	sendfile        SYSCALL_SENDFILE_X           res, offset, out_fd, in_fd, size
//	splice          SYSCALL_SPLICE_X             res, fd_in, fd_out, size, flags
//	copy_file_range SYSCALL_COPY_FILE_RANGE_X    res, fdout, offout, fdin, offin, len
//	sendmmsg        SOCKET_SENDMMSG_X            res, fd, size, data, tuple (one event per message)
//	recvmmsg        SOCKET_RECVMMSG_X            res, fd, size, data, tuple, msgcontrol (one per message)
//	mmap            SYSCALL_MMAP_X               res, vm_size, vm_rss, vm_swap, addr, length, prot, flags, fd, offset
//	munmap          SYSCALL_MUNMAP_X             res, vm_size, vm_rss, vm_swap, addr, length
//	mprotect        SYSCALL_MPROTECT_X           res, addr, length, prot
//	brk             SYSCALL_BRK_4_X              res, vm_size, vm_rss, vm_swap, addr
//	mlock, munlock  SYSCALL_M(UN)LOCK_X          res, addr, len
//	mlock2          SYSCALL_MLOCK2_X             res, addr, len, flags
//	mlockall        SYSCALL_MLOCKALL_X           res, flags
//	munlockall      SYSCALL_MUNLOCKALL_X         res
//	ioctl           SYSCALL_IOCTL_3_X            res, fd, request, argument
//	access          SYSCALL_ACCESS_X             res, name, mode
//	stat, lstat     SYSCALL_(L)STAT_X            res, path
//	fstat           SYSCALL_FSTAT_X              res, fd
//	newfstatat      SYSCALL_NEWFSTATAT_X         res, dirfd, path, flags
//	lseek           SYSCALL_LSEEK_X              res, fd, offset, whence
//	getdents(64)    SYSCALL_GETDENTS(64)_X       res, fd
//	flock           SYSCALL_FLOCK_X              res, fd, operation
//	seccomp         SYSCALL_SECCOMP_X            res, op, flags
//	delete_module   SYSCALL_DELETE_MODULE_X      res, name, flags
//	keyctl          SYSCALL_KEYCTL_X             res, operation, arg2, arg3, arg4, arg5
//	getrlimit       SYSCALL_GETRLIMIT_X          res, cur, max, resource
//	setrlimit       SYSCALL_SETRLIMIT_X          res, cur, max, resource
//	prlimit64       SYSCALL_PRLIMIT_X            res, newcur, newmax, oldcur, oldmax, pid, resource
//	io_uring_enter  SYSCALL_IO_URING_ENTER_X     res, fd, to_submit, min_complete, flags, sig
//	io_uring_register SYSCALL_IO_URING_REGISTER_X res, fd, opcode, arg, nr_args
//	futex           SYSCALL_FUTEX_X              res, addr, op, val
//	nanosleep       SYSCALL_NANOSLEEP_X          res, interval
//	poll            SYSCALL_POLL_X               res, fds, timeout
//	ppoll           SYSCALL_PPOLL_X              res, fds, timeout, sigmask
//	select          SYSCALL_SELECT_X             res
//	epoll_wait      SYSCALL_EPOLLWAIT_X          res, maxevents
//	getcwd          SYSCALL_GETCWD_X             res, path
//	getuid, geteuid SYSCALL_GET(E)UID_X          (e)uid
//	getgid, getegid SYSCALL_GET(E)GID_X          (e)gid
//	getresuid       SYSCALL_GETRESUID_X          res, ruid, euid, suid
//	getresgid       SYSCALL_GETRESGID_X          res, rgid, egid, sgid
//	semget          SYSCALL_SEMGET_X             res, key, nsems, semflg
//	semop           SYSCALL_SEMOP_X              res, nsops, sem_num_0, sem_op_0, sem_flg_0, sem_num_1, sem_op_1, sem_flg_1, semid
//	semctl          SYSCALL_SEMCTL_X             res, semid, semnum, cmd, val
//	quotactl        SYSCALL_QUOTACTL_X           res, special, quotafilepath, dqb_* (7), dqi_bgrace, dqi_igrace, dqi_flags, quota_fmt_out, cmd, type, id, quota_fmt
//	setsockopt      SOCKET_SETSOCKOPT_X          res, fd, level, optname, val, optlen
//	getsockname     SOCKET_GETSOCKNAME_X         (none)
//	getpeername     SOCKET_GETPEERNAME_X         (none)
//	(every other)   GENERIC_X                    ID, nativeID
//	(sampling)      DROP_E / DROP_X              ratio
//
// Generic events. A syscall that no event of the table names (truncate,
// setfsuid, pidfd_send_signal, fsopen, fchmodat2, ...) has no program of
// its own; generic.bpf.c writes PPME_GENERIC_X for it, as Falco's modern
// probe does, when it is in the interesting set: ID is its PPM_SC code
// (the code sysdig and libs name generic events by; GenericSyscall.PPMSC,
// taken at generation from engine/fields' table, libs' numbering as
// sysdig 0.29 ships it) and nativeID its x86_64 number. A syscall that
// table lacks (fchmodat2, pidfd_send_signal, the fs* mount API, newer
// than sysdig 0.29) has ID 0 (PPM_SC_UNKNOWN): only nativeID names it.
// Every x86_64 syscall that the table has an event type for has a program
// of its own (the table's other exit events name 32-bit calls: mmap2,
// stat64, fstat64, lstat64, llseek, umount, send, recv). exit, exit_group
// and rt_sigreturn are not written at all (sys_exit never reports them);
// pselect6 and epoll_pwait, which have no event type, are generic. Syscalls
// newer than receiver/event's table (its uapi headers are Linux 6.1's)
// take their numbers from internal/gen's newerSyscalls (451-469).
//
// Every parameter is filled, with these exceptions and approximations:
//
//   - cwd (clone and execve families) is the task's working directory,
//     built from dentries like trusted_exepath (Falco's probe leaves it
//     empty; libs' state ignores it). It costs 0.6-1.3 µs per event for a
//     14-component directory, against 2.5-6 µs for the rest of a process
//     event (BenchmarkProcessEventCwd on this shared VM): 15-25% of the
//     event, about 1% of a fork.
//   - Paths built from dentries (trusted_exepath, cwd,
//     open_by_handle_at's path) are as the task sees them: the walk stops
//     at the task's root directory (its chroot or container root), as
//     d_path does, or at the global root for a file outside it.
//   - clone3 flags: the parent's come from its clone_args; the child's
//     from its own task (clone_args live in memory a new thread shares
//     with a creator that has moved on): THREAD, VFORK, CHILD_SETTID,
//     CHILD_CLEARTID, VM/FILES/FS/SIGHAND/IO/SYSVSEM when shared with the
//     thread group's leader (a thread) or the parent (a process), and the
//     NEW* namespaces it does not share with them. PARENT, PARENT_SETTID,
//     PTRACE, SETTLS and UNTRACED leave no trace and are never set there.
//   - exe, args, env: on a successful exec from the new program's memory
//     (args and env at most 4096 bytes each); on a failed one from the
//     caller's argv/envp arrays (at most 64 entries, ~4096 bytes). exe is
//     argv[0], args the rest.
//   - vm_rss, vm_swap are the mm's approximate counters (they lag by up to
//     the per-CPU batch); all vm_* are in kB.
//   - execve flags: EXE_WRITABLE from the owner/group/other write bit for
//     the fsuid/fsgid, or CAP_DAC_OVERRIDE (supplementary groups are not
//     checked); EXE_FROM_MEMFD from a "memfd:" file name.
//   - Overlay layers, as Falco's probe finds them: a file on an overlayfs
//     mount (superblock magic 0x794c7630) whose overlay inode has an upper
//     dentry with an inode is in the upper layer (created or copied up in
//     the container), otherwise in a lower one. execve flags carry
//     EXE_UPPER_LAYER/EXE_LOWER_LAYER for the executable; open, openat,
//     openat2 and open_by_handle_at flags FD_UPPER_LAYER/FD_LOWER_LAYER
//     and creat creat_flags the same for the opened file (an open for
//     writing has already copied the file up). The upper dentry is found
//     with struct ovl_inode's CO-RE offsets, or right after the VFS inode
//     when overlayfs is a module without BTF in vmlinux.
//   - open_by_handle_at path is the opened file's, from its dentries.
//   - process_vm_readv/writev data is the first snaplen bytes of the
//     first local iovec (where readv put what it read, where writev took
//     what it wrote), at most res bytes.
//   - fsconfig: key and values are empty when the call failed, as libs
//     writes them; value_charbuf for SET_STRING/SET_PATH/SET_PATH_EMPTY,
//     value_bytebuf (aux bytes, at most snaplen) for SET_BINARY.
//   - mknod/mknodat dev is the number as the caller encoded it (what stat
//     reports as st_rdev).
//   - trusted_exepath is built by walking dentries and mounts (at most 32
//     components, 4096 bytes), not by d_path (not callable from
//     tracepoints); no " (deleted)" suffix; a pseudo file (memfd) is
//     "/<name>".
//   - cgroups lists "controller=path" for every controller the kernel has
//     (its own names: "io" for blkio). On a cgroup v2 host a controller not
//     enabled down to the task's cgroup shows the nearest ancestor that has
//     it; the named v1 hierarchy (name=systemd) is not listed.
//   - A successful execveat is recognised by bprm->fdpath, because this
//     kernel reports execve's number in the registers after any successful
//     exec: execveat(AT_FDCWD or an absolute path) is written as
//     SYSCALL_EXECVE_19_X.
//   - data (read/write families, send*/recv*) is the first snaplen bytes
//     (80 by default) of the transfer, from the first iovec for the
//     vectored calls (readv, writev, preadv, pwritev, *msg, *mmsg), whose
//     size totals all iovecs (16 looked at); msgcontrol at most 256 bytes.
//     A failed write carries no data (libs' probe reads the buffer anyway).
//   - sendfile offset and copy_file_range offin/offout are the values
//     behind the offset pointers as the call left them (0 for NULL).
//   - sendmmsg/recvmmsg write one event per message transferred (at most
//     1024): res and data are that message's; a failed call writes one
//     event with res and fd only.
//   - tuple: local → remote for connect/send*, remote → local for
//     accept/recv*; for an unconnected datagram socket the remote end comes
//     from the address argument. Unix tuples carry the socket and peer
//     kernel addresses and the peer's (else own) path; abstract names start
//     with '@'.
//   - accept queuepct/queuelen/queuemax describe the listening socket at
//     exit.
//   - ptrace data is the word read for PEEK* requests, a signal
//     (PT_DYN index 1) for CONT/SINGLESTEP/DETACH/SYSCALL/SYSEMU*, the raw
//     value otherwise; addr is always PT_DYN index 0 (u64).
//   - prctl: arg2_str for PR_SET_NAME/PR_GET_NAME, arg2_int otherwise (the
//     int read for PR_GET_CHILD_SUBREAPER).
//   - procexit reaper_tid: a live thread of the same process (16 looked
//     at), else a child-subreaper ancestor (16 looked at), else the pid
//     namespace's init; 0 when the thread had no children.
//   - fcntl is written for every command, not only the dup forms.
//   - eventfd, signalfd and inotify_init have no flags argument: flags
//     is 0. timerfd_create flags is 0, as libs writes it (TFD_* do not
//     fit its untabled u8); clockid is the clock passed (libs writes 0).
//     signalfd/signalfd4 mask is the first 32 signals of the set passed
//     (libs writes 0). eventfd2's EFD_SEMAPHORE has no file_flags bit.
//   - shutdown how is SHUT_* (= PPM_SHUT_*), an invalid value as passed.
//   - getsockopt val (sockopt_dynamic_param) is read from optval at exit,
//     also when the call failed: index 1 (ERRNO, s64, negated) for
//     SO_ERROR, 4 (TIMEVAL, u64 ns) for SO_RCVTIMEO/SO_SNDTIMEO (old and
//     new), 3 (UINT64) for SO_COOKIE, 2 (UINT32) for the int SOL_SOCKET
//     options, else 0 (UNKNOWN) and the optlen bytes of optval, at most
//     255: the struct and string options (SO_LINGER, SO_PEERCRED,
//     SO_PEERNAME, SO_BINDTODEVICE, SO_PEERSEC, filters, SO_PEERGROUPS,
//     SO_MEMINFO) and every level but SOL_SOCKET. optlen is *optlen at
//     exit.
//   - vm_size/vm_rss/vm_swap (mmap, munmap, brk) are the caller's mm
//     counters at exit in KiB: rss = file + anon + shmem pages, read from the
//     shared count of the per-CPU counters (as libs does), so it can lag
//     /proc/<pid>/status by a batch of pages per CPU.
//   - keyctl arg2..arg5 are PT_DYN: index 0 (u64) for numbers, index 1
//     (string) for JOIN_SESSION_KEYRING's name and the type and
//     description (restriction) of SEARCH (RESTRICT_KEYRING). These index
//     values were chosen here: libs' keyctl_dynamic_param was not at hand.
//   - rlimits: what the call asked for (setrlimit, prlimit64 new) is read
//     whatever the result; what it returned (getrlimit, prlimit64 old) only
//     on success; -1/-1 when absent (NULL), unreadable, or not returned.
//   - io_uring_enter sig is the low 32 bits of the sigset pointer, as libs
//     writes it.
//   - prlimit64 writes the event named prlimit; SelectSyscalls maps a rule's
//     evt.type=prlimit to it.
//   - setsockopt val is getsockopt's form of the value passed (optval,
//     optlen as passed), read at exit.
//   - The waits (futex, nanosleep, poll, ppoll, select, epoll_wait) are
//     always samplable and in no default set: a rule on them, or -A,
//     selects them.
//   - poll/ppoll fds: the first 16 pollfd entries, with the revents the
//     kernel wrote back (PPM_POLL*). ppoll timeout is *tsp read at exit,
//     which the kernel has overwritten with the time left (0 for NULL);
//     sigmask the first 32 signals of the set passed.
//   - semop: the first two sembufs of a successful call; all zero when it
//     failed. semctl val is SETVAL's value, else 0; semctl cmds outside
//     the table (SEM_STAT_ANY) are 0. semget semflg keeps only
//     IPC_CREAT/IPC_EXCL.
//   - quotactl: chosen here, libs' exact choices were not at hand. The
//     dqb_* (Q_GETQUOTA/Q_SETQUOTA) and dqi_* (Q_GETINFO/Q_SETINFO)
//     fields are written when their QIF_*/IIF_* valid bit is set, from
//     the struct passed (SET*) or returned (GET*, only on success), else
//     0; times and graces in seconds as the structs hold them.
//     quotafilepath only for Q_QUOTAON; quota_fmt is Q_QUOTAON's format
//     (id) and quota_fmt_out Q_GETFMT's result, QFMT_NOT_USED otherwise.
//     id is the argument as passed, whatever the command. PRJQUOTA has no
//     type value (0).
//   - 32-bit (ia32 compat) syscalls are not traced.
//
// # Flag values
//
// Flags are written in the scap (PPM_*) encodings, converted per family in
// c/helpers/flags.h:
//
//	file_flags (open*, dup3, pipe2, socket, userfaultfd, eventfd2, signalfd4,
//	    inotify_init1; the last three NONBLOCK and CLOEXEC only): RDONLY 1<<0, WRONLY 1<<1,
//	    RDWR 3, CREAT 1<<2, APPEND 1<<3, DSYNC 1<<4, EXCL 1<<5, NONBLOCK 1<<6,
//	    SYNC 1<<7, TRUNC 1<<8, DIRECT 1<<9, DIRECTORY 1<<10, LARGEFILE 1<<11,
//	    CLOEXEC 1<<12, TMPFILE 1<<13, F_CREATED 1<<14 (set at exit when the
//	    open created the file), FD_UPPER_LAYER 1<<15, FD_LOWER_LAYER 1<<16
//	    (set at exit for a file on an overlay); open mode is written only
//	    with O_CREAT/O_TMPFILE
//	creat_flags: FD_UPPER_LAYER 1, FD_LOWER_LAYER 2
//	pidfd_open_flags: PIDFD_NONBLOCK 1
//	epoll_create1_flags: EPOLL_CLOEXEC 1
//	sockopt_levels: SOL_SOCKET 1, SOL_TCP 2, other 0
//	sockopt_options (SOL_SOCKET only, 0 at other levels): the kernel's SO_*
//	    numbers 1-50 (SO_DEBUG .. SO_ATTACH_BPF), SO_PEERGROUPS 51,
//	    SO_MEMINFO 52, SO_COOKIE 53; the *_NEW timestamp and timeout options
//	    as their old numbers; others 0
//	clone_flags (clone*, unshare, setns): FILES 1<<0, FS 1<<1, IO 1<<2, NEWIPC 1<<3,
//	    NEWNET 1<<4, NEWNS 1<<5, NEWPID 1<<6, NEWUTS 1<<7, PARENT 1<<8,
//	    PARENT_SETTID 1<<9, PTRACE 1<<10, SIGHAND 1<<11, SYSVSEM 1<<12,
//	    THREAD 1<<13, UNTRACED 1<<14, VM 1<<15, NEWUSER 1<<20,
//	    CHILD_CLEARTID 1<<23, CHILD_SETTID 1<<24, SETTLS 1<<25, VFORK 1<<27,
//	    NEWCGROUP 1<<28, CHILD_IN_PIDNS 1<<29 (the writing thread is not in the
//	    initial pid namespace), NEWTIME 1<<31
//	openat2_flags: BENEATH 1, IN_ROOT 2, NO_MAGICLINKS 4, NO_SYMLINKS 8, NO_XDEV 16, CACHED 32
//	execve_flags: EXE_WRITABLE 1, EXE_UPPER_LAYER 2, EXE_FROM_MEMFD 4, EXE_LOWER_LAYER 8
//	unlinkat_flags: REMOVEDIR 0x200; linkat_flags: SYMLINK_FOLLOW 0x400, EMPTY_PATH 0x1000
//	fchownat_flags: SYMLINK_NOFOLLOW 0x100, EMPTY_PATH 0x1000
//	fcntl_commands: DUPFD 1, GETFD 2, SETFD 3, GETFL 4, SETFL 5, GETLK 6, SETLK 8,
//	    SETLKW 9, SETOWN 10, GETOWN 12, SETSIG 13, GETSIG 15, SETOWN_EX 21,
//	    GETOWN_EX 22, SETLEASE 23, GETLEASE 24, CANCELLK 25, DUPFD_CLOEXEC 26,
//	    NOTIFY 27, SETPIPE_SZ 28, GETPIPE_SZ 29, OFD_GETLK 30, OFD_SETLK 31,
//	    OFD_SETLKW 32, unknown 0
//	ptrace_requests: TRACEME 1, PEEKTEXT 2, PEEKDATA 3, PEEKUSR 4, POKETEXT 5,
//	    POKEDATA 6, POKEUSR 7, CONT 8, KILL 9, SINGLESTEP 10, ATTACH 11, DETACH 12,
//	    SYSCALL 13, SETOPTIONS 14, GETEVENTMSG 15, GETSIGINFO 16, SETSIGINFO 17,
//	    GETREGSET 18, SETREGSET 19, SEIZE 20, INTERRUPT 21, LISTEN 22,
//	    PEEKSIGINFO 23, GETSIGMASK 24, SETSIGMASK 25, GETREGS 26, SETREGS 27,
//	    GETFPREGS 28, SETFPREGS 29, GETFPXREGS 30, SETFPXREGS 31, OLDSETOPTIONS 32,
//	    GET_THREAD_AREA 33, SET_THREAD_AREA 34, ARCH_PRCTL 35, SYSEMU 36,
//	    SYSEMU_SINGLESTEP 37, SINGLEBLOCK 38, unknown 0
//	the kernel's own values (PPM = kernel): mount_flags (minus the MS_MGC_VAL
//	    magic), umount_flags, renameat2_flags, close_range_flags
//	    (UNSHARE 2, CLOEXEC 4), shutdown_how (SHUT_*), memfd_create_flags (low 3 bits),
//	    finit_module_flags, chmod_mode (07777), socket_families (AF_*),
//	    prctl_options (PR_*), bpf_commands, io_uring_setup_flags (low 7 bits)
//	    and io_uring_setup_feats, sig (signal numbers), capabilities (bit per
//	    CAP_*), fsconfig_cmds (FSCONFIG_*), mknod_mode (S_IFMT type bits and
//	    07777), access_flags (F_OK 0, X_OK 1, W_OK 2, R_OK 4), flock_flags
//	    (LOCK_*), mlockall_flags (MCL_*), mlock2_flags (MLOCK_ONFAULT 1),
//	    newfstatat_flags (AT_SYMLINK_NOFOLLOW 0x100, AT_NO_AUTOMOUNT 0x800,
//	    AT_EMPTY_PATH 0x1000), lseek_whence (SET 0, CUR 1, END 2; DATA/HOLE
//	    read 0), rlimit_resources (RLIMIT_* 0-15, else UNKNOWN 0xff),
//	    keyctl_operations (KEYCTL_*), io_uring_enter_flags (low 4 bits),
//	    io_uring_register_opcodes (bit 31, USE_REGISTERED_RING, dropped)
//	prot_flags: READ 1, WRITE 2, EXEC 4, SEM 8, GROWSDOWN 0x10, GROWSUP 0x20
//	mmap_flags: SHARED 1, PRIVATE 2, FIXED 4, ANONYMOUS 8, 32BIT 0x10,
//	    NORESERVE 0x40, POPULATE 0x80, NONBLOCK 0x100, GROWSDOWN 0x200,
//	    DENYWRITE 0x400, EXECUTABLE 0x800, LOCKED 0x4000
//	delete_module_flags: O_NONBLOCK 1, O_TRUNC 2
//
// # Filter, sampling and counters
//
// interesting_syscalls[nr] holds bit 0 (traced), bit 1 (never dropped by
// sampling) and the drop category in bits 4-7; settings_map holds the
// sampling ratio and the procexit switch. At ratio R > 1 the dispatcher
// drops an event whose syscall is not never-drop when
// bpf_ktime_get_boot_ns() % 1 s >= 1 s / R, so the first 1/R of every second
// is kept; entering a drop window writes DROP_E(R) and leaving it DROP_X(R)
// (once across CPUs, sampling_state), and lowering the ratio to 1 inside a
// window writes DROP_X(1). Never-drop syscalls are those whose event
// modifies state (EF_MODIFIES_STATE) except the socket data calls
// (send*/recv*); procexit is never sampled.
//
// counters_map holds per-CPU counters of everything written or lost:
// n_evts (every event a program tried to write), ring-full drops in total
// and by category (DropCategory: clone_fork, execve, connect, open, dir_file,
// other_interest, close, proc, other), scratch/ring lookup failures, events
// over 64 KiB, kernel-sampled events in total and by category, and
// parameters left empty because reading process memory failed.
//
// # Sharp edges
//
// The programs store kernel pointers (unix socket identities) in events, so
// loading needs CAP_PERFMON (or CAP_SYS_ADMIN) besides CAP_BPF. Arguments
// in user memory are read at exit: a thread racing the syscall can change
// what is reported (libs has the same window without its enter programs).
// The ring and scratch maps are per CPU and must be sized to the number of
// possible CPUs before load (receiver/ebpf does).
package bpf
