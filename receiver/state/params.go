package state

import "github.com/sakersec/saker/receiver/event"

// Parameters are read by name, resolved once per event type into an index
// table at init: every version of an event (EXECVE_8_X … EXECVE_19_X, old
// and new OPEN_X, ...) finds its parameters wherever that version has them,
// and a parameter the version lacks (or the event was written without)
// reads as absent. Nothing on the hot path compares names.

type pkey uint8

const (
	pRes pkey = iota
	pFD
	pDirfd
	pName
	pFlags
	pMode
	pDev
	pIno
	pExe
	pArgs
	pTid
	pPid
	pPtid
	pCwd
	pFdlimit
	pPgftMaj
	pPgftMin
	pVMSize
	pVMRSS
	pVMSwap
	pComm
	pCgroups
	pEnv
	pTTY
	pVpgid
	pLoginuid
	pCapInh
	pCapPrm
	pCapEff
	pExeIno
	pExeCtime
	pExeMtime
	pUID
	pGID
	pTrustedExepath
	pPgid
	pFilename
	pVtid
	pVpid
	pPidnsInit
	pTuple
	pAddr
	pDomain
	pType
	pProto
	pFD1
	pFD2
	pOldFD
	pNewFD
	pCmd
	pPath
	pRUID
	pEUID
	pRGID
	pEGID
	pReaper
	pOption
	pArg2Int
	pSource
	pPeer
	pFirst
	pLast
	pResOrFD
	pFDOut
	pOutFD
	pFDIn
	pHome
	pShell
	pMountFD
	pContainerID
	pArg
	pRequest
	pJSON
	pID
	pImage
	nPkeys
)

var pkeyNames = [nPkeys]string{
	pRes: "res", pFD: "fd", pDirfd: "dirfd", pName: "name", pFlags: "flags", pMode: "mode",
	pDev: "dev", pIno: "ino", pExe: "exe", pArgs: "args", pTid: "tid", pPid: "pid",
	pPtid: "ptid", pCwd: "cwd", pFdlimit: "fdlimit", pPgftMaj: "pgft_maj", pPgftMin: "pgft_min",
	pVMSize: "vm_size", pVMRSS: "vm_rss", pVMSwap: "vm_swap", pComm: "comm", pCgroups: "cgroups",
	pEnv: "env", pTTY: "tty", pVpgid: "vpgid", pLoginuid: "loginuid",
	pCapInh: "cap_inheritable", pCapPrm: "cap_permitted", pCapEff: "cap_effective",
	pExeIno: "exe_ino", pExeCtime: "exe_ino_ctime", pExeMtime: "exe_ino_mtime", pUID: "uid",
	pGID: "gid", pTrustedExepath: "trusted_exepath", pPgid: "pgid", pFilename: "filename",
	pVtid: "vtid", pVpid: "vpid", pPidnsInit: "pidns_init_start_ts", pTuple: "tuple",
	pAddr: "addr", pDomain: "domain", pType: "type", pProto: "proto", pFD1: "fd1", pFD2: "fd2",
	pOldFD: "oldfd", pNewFD: "newfd", pCmd: "cmd", pPath: "path", pRUID: "ruid", pEUID: "euid",
	pRGID: "rgid", pEGID: "egid", pReaper: "reaper_tid", pOption: "option", pArg2Int: "arg2_int",
	pSource: "source", pPeer: "peer", pFirst: "first", pLast: "last", pResOrFD: "res_or_fd",
	pFDOut: "fdout", pOutFD: "out_fd", pFDIn: "fd_in", pHome: "home",
	pShell: "shell", pMountFD: "mountfd", pContainerID: "container_id",
	pArg: "arg", pRequest: "request", pJSON: "json", pID: "id", pImage: "image",
}

// paramIdx[t][k] is the index of parameter k in event type t, or -1.
var paramIdx [event.MaxType][nPkeys]int8

// eventFDIdx[t] is the index of the parameter naming the event's fd for
// event types flagged EF_USES_FD, or -1 (see State.EventFD).
var eventFDIdx [event.MaxType]int8

func init() {
	for t := event.Type(0); t < event.MaxType; t++ {
		info := t.Info()
		for k := range paramIdx[t] {
			paramIdx[t][k] = -1
		}
		for i, p := range info.Params {
			for k, n := range pkeyNames {
				if n == p.Name && paramIdx[t][k] < 0 {
					paramIdx[t][k] = int8(i)
				}
			}
		}
		eventFDIdx[t] = -1
		if info.Flags&event.FlagUsesFd != 0 {
			eventFDIdx[t] = eventFDParam(t, info)
		}
	}
}

// eventFDParam picks the parameter holding "the event's fd" for an
// EF_USES_FD event type: the one named "fd", except for the few syscalls
// whose fds are named otherwise (dup: the old fd; sendfile: the output
// fd; copy_file_range: the output fd; splice: the input fd; the *at
// calls whose enter events carry no parameter — mkdirat, unlinkat,
// fchmodat, fchownat, mknodat, newfstatat, symlinkat: the directory fd,
// not the fd of an earlier call).
func eventFDParam(t event.Type, info *event.Info) int8 {
	for _, name := range [...]string{"fd", "oldfd", "out_fd", "fdout", "fd_in", "fdin", "dirfd", "linkdirfd"} {
		for i, p := range info.Params {
			if p.Name == name && (p.Type == event.PTFd || p.Type == event.PTFd32 || p.Type == event.PTErrno) {
				return int8(i)
			}
		}
	}
	return -1
}

// ev wraps the event being processed with by-key parameter reads. For an
// old capture's exit event, enter is the thread's preceding enter event of
// the same syscall: a parameter the exit event lacks is read from it, as
// libs did before its converter existed (package scap's converter makes
// this unnecessary for converted streams).
type ev struct {
	e     *event.Event
	idx   *[nPkeys]int8
	enter *enterMemo // nil unless the exit event may need it
}

// enterMemo holds the enter event matching the exit event being
// processed, decoded only when a parameter is missing from the exit.
type enterMemo struct {
	raw    []byte
	idx    *[nPkeys]int8
	e      event.Event
	parsed int8 // 0 not yet, 1 ok, -1 malformed
}

func (m *enterMemo) event() *event.Event {
	if m.parsed == 0 {
		m.parsed = -1
		if m.e.Reset(m.raw, 0) == nil {
			m.parsed = 1
		}
	}
	if m.parsed < 0 {
		return nil
	}
	return &m.e
}

// at returns the event and index holding parameter k, if any.
func (v ev) at(k pkey) (*event.Event, int, bool) {
	if i := v.idx[k]; i >= 0 && v.e.Has(int(i)) {
		return v.e, int(i), true
	}
	if v.enter != nil {
		if i := v.enter.idx[k]; i >= 0 {
			if e := v.enter.event(); e != nil && e.Has(int(i)) {
				return e, int(i), true
			}
		}
	}
	return nil, 0, false
}

func (v ev) has(k pkey) bool {
	_, _, ok := v.at(k)
	return ok
}

func (v ev) int(k pkey) (int64, bool) {
	e, i, ok := v.at(k)
	if !ok {
		return 0, false
	}
	return e.Int(i)
}

func (v ev) uint(k pkey) (uint64, bool) {
	e, i, ok := v.at(k)
	if !ok {
		return 0, false
	}
	return e.Uint(i)
}

// str returns a string parameter (aliasing the event) and whether it is
// present and non-empty.
func (v ev) str(k pkey) (string, bool) {
	e, i, ok := v.at(k)
	if !ok {
		return "", false
	}
	s, _ := e.String(i)
	return s, true
}

func (v ev) bytes(k pkey) ([]byte, bool) {
	e, i, ok := v.at(k)
	if !ok {
		return nil, false
	}
	return e.Bytes(i)
}

func (v ev) list(k pkey) (event.StringList, bool) {
	e, i, ok := v.at(k)
	if !ok {
		return nil, false
	}
	return e.Strings(i), true
}

func (v ev) tuple(k pkey) event.SockTuple {
	e, i, ok := v.at(k)
	if !ok {
		return nil
	}
	return e.SockTuple(i)
}

func (v ev) addr(k pkey) event.SockAddr {
	e, i, ok := v.at(k)
	if !ok {
		return nil
	}
	return e.SockAddr(i)
}
