package state

import "github.com/sakersec/saker/receiver/event"

// kind is what an event type does to the state. Exit events carry the
// outcome, so state follows exit events (and the few events that exist only
// as "enter": procexit, user/group and iterator meta events).
type kind uint8

const (
	kNone kind = iota
	kClone
	kExecve
	kProcexit
	kOpen
	kClose
	kCloseRange
	kDup
	kFcntl
	kIoctl
	kPipe
	kSocket
	kSocketpair
	kConnect
	kAccept
	kBind
	kListen
	kSendRecv
	kNewFD // eventfd, signalfd, timerfd, inotify, epoll, userfaultfd, io_uring, pidfd_open, bpf
	kMemfd
	kPidfdGetfd
	kChdir
	kFchdir
	kChroot
	kSetuid
	kSetgid
	kSetresuid
	kSetresgid
	kSetreuid
	kSetregid
	kCapset
	kSetsid
	kPrctl
	kUserAdded
	kUserDeleted
	kGroupAdded
	kGroupDeleted
	kVM        // events that report the thread's memory and page-fault counters
	kContainer // container metadata events
)

var (
	kinds [event.MaxType]kind
	// newFDType[t] is the fd type a kNewFD event creates.
	newFDType [event.MaxType]FDType
)

// Event names (evt.type) by what they do to the state.
var (
	exitKinds = map[string]kind{
		"clone": kClone, "fork": kClone, "vfork": kClone, "clone3": kClone,
		"execve": kExecve, "execveat": kExecve,
		"open": kOpen, "openat": kOpen, "openat2": kOpen, "creat": kOpen, "open_by_handle_at": kOpen,
		"close": kClose, "close_range": kCloseRange,
		"dup": kDup, "dup2": kDup, "dup3": kDup, "fcntl": kFcntl, "ioctl": kIoctl,
		"pipe": kPipe, "pipe2": kPipe,
		"socket": kSocket, "socketpair": kSocketpair, "connect": kConnect,
		"accept": kAccept, "accept4": kAccept, "bind": kBind, "listen": kListen,
		"sendto": kSendRecv, "recvfrom": kSendRecv, "sendmsg": kSendRecv, "recvmsg": kSendRecv,
		"memfd_create": kMemfd, "pidfd_getfd": kPidfdGetfd,
		"chdir": kChdir, "fchdir": kFchdir, "chroot": kChroot,
		"setuid": kSetuid, "setgid": kSetgid, "setresuid": kSetresuid, "setresgid": kSetresgid,
		"setreuid": kSetreuid, "setregid": kSetregid, "capset": kCapset,
		"setsid": kSetsid, "prctl": kPrctl,
		"brk": kVM, "mmap": kVM, "mmap2": kVM, "munmap": kVM,
	}
	newFDKinds = map[string]FDType{
		"eventfd": FDEvent, "eventfd2": FDEvent, "signalfd": FDSignalfd, "signalfd4": FDSignalfd,
		"timerfd_create": FDTimerfd, "inotify_init": FDInotify, "inotify_init1": FDInotify,
		"epoll_create": FDEventpoll, "epoll_create1": FDEventpoll, "userfaultfd": FDUserfaultfd,
		"io_uring_setup": FDIOUring, "pidfd_open": FDPidfd, "bpf": FDBPF,
	}
	enterKinds = map[string]kind{
		"procexit": kProcexit, "useradded": kUserAdded, "userdeleted": kUserDeleted,
		"groupadded": kGroupAdded, "groupdeleted": kGroupDeleted,
		"switch": kVM, "container": kContainer,
	}
)

func init() {
	for t := event.Type(0); t < event.MaxType; t++ {
		info := t.Info()
		if info.Flags&event.FlagUnused != 0 {
			continue
		}
		if info.Dir == event.Exit {
			if k, ok := exitKinds[info.Name]; ok {
				kinds[t] = k
			} else if ft, ok := newFDKinds[info.Name]; ok {
				kinds[t] = kNewFD
				newFDType[t] = ft
			}
		} else if k, ok := enterKinds[info.Name]; ok {
			kinds[t] = k
		}
	}
	initTypeFlags()
}

func (s *State) dispatch(k kind, v ev, typ event.Type) {
	switch k {
	case kClone:
		s.onClone(v)
	case kExecve:
		s.onExecve(v)
	case kProcexit:
		s.onProcexit(v)
	case kUserAdded, kUserDeleted, kGroupAdded, kGroupDeleted:
		s.onUserEvent(k, v)
	case kContainer:
		s.onContainerEvent(v)
		return
	case kVM:
		// brk/mmap/munmap exits report vm_size/vm_rss/vm_swap, context
		// switches also the page faults of the thread switched out: libs
		// keeps them on the event's thread
		if s.cur != nil {
			s.vmParams(s.cur, v)
		}
		return
	}
	t := s.cur
	if t == nil || t.g == nil {
		return
	}
	switch k {
	case kOpen:
		s.onOpen(t, v, typ)
	case kClose:
		s.onClose(t, v, typ)
	case kCloseRange:
		s.onCloseRange(t, v)
	case kDup:
		s.onDup(t, v, typ)
	case kFcntl:
		s.onFcntl(t, v)
	case kIoctl:
		s.onIoctl(t, v)
	case kPipe:
		s.onPipe(t, v)
	case kSocket:
		s.onSocket(t, v)
	case kSocketpair:
		s.onSocketpair(t, v)
	case kConnect:
		s.onConnect(t, v)
	case kAccept:
		s.onAccept(t, v)
	case kBind:
		s.onBind(t, v)
	case kSendRecv:
		s.onSendRecv(t, v, typ)
	case kNewFD:
		s.onNewFD(t, v, typ)
	case kMemfd:
		s.onMemfd(t, v)
	case kPidfdGetfd:
		s.onPidfdGetfd(t, v)
	case kChdir:
		s.onChdir(t, v)
	case kFchdir:
		s.onFchdir(t, v)
	case kChroot:
		s.onChroot(t, v)
	case kSetuid, kSetgid, kSetresuid, kSetresgid, kSetreuid, kSetregid, kCapset:
		s.onCreds(t, k, v)
	case kSetsid:
		s.onSetsid(t, v)
	case kPrctl:
		s.onPrctl(t, v)
	}
}
