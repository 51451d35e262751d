package fields

import (
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// evt.count*: constant 1 on the events they count, not available on the
// others — sysdig's chisels sum them. The error counts are libs'
// extract_error_count (a negative "res", or a negative fd on the exit of
// an event that creates one), split by what the event touches: its fd's
// kind when the state knows the fd, else the syscall (open family =
// file, accept/connect = net, memory category = memory, anything else =
// other).

func init() {
	count := func(name, desc string, pred func(c *Ctx) bool) {
		Register(Field{Name: name, Type: event.PTUint32, Desc: desc, Bind: Simple(func(c *Ctx, v *Value) bool {
			if !pred(c) {
				return false
			}
			v.U = 1
			return true
		})})
	}
	count("evt.count", "1 for every event (to count events)", func(*Ctx) bool { return true })
	count("evt.count.exit", "1 for exit events, else not available", func(c *Ctx) bool { return c.Evt.Dir() == event.Exit })
	count("evt.count.error", "1 for events that returned an error, else not available", func(c *Ctx) bool { return isError(c.Evt) })
	count("evt.count.error.file", "1 for failed events on files or directories (or failed opens)", func(c *Ctx) bool {
		return isError(c.Evt) && errorKind(c) == errFile
	})
	count("evt.count.error.net", "1 for failed events on sockets (or failed accepts and connects)", func(c *Ctx) bool {
		return isError(c.Evt) && errorKind(c) == errNet
	})
	count("evt.count.error.memory", "1 for failed memory events (mmap, brk, ...)", func(c *Ctx) bool {
		return c.Evt.Info().Category.Class() == event.CatMemory && isError(c.Evt)
	})
	count("evt.count.error.other", "1 for failed events that are not about files, sockets or memory", func(c *Ctx) bool {
		return isError(c.Evt) && errorKind(c) == errOther
	})
	count("evt.count.procinfo", "1 for process-information events of main threads", func(c *Ctx) bool {
		if c.Evt.Type() != event.ProcinfoE {
			return false
		}
		t := evThread(c)
		return t != nil && t.IsMain()
	})
	count("evt.count.threadinfo", "1 for process-information events", func(c *Ctx) bool { return c.Evt.Type() == event.ProcinfoE })
}

// isError is libs' extract_error_count test.
func isError(e *event.Event) bool {
	if i := int(resParam[e.Type()]); i >= 0 && e.Has(i) {
		r, _ := e.Int(i)
		return r < 0
	} else if i >= 0 {
		return false
	}
	if e.Dir() == event.Exit && e.Info().Flags&event.FlagCreatesFd != 0 {
		if i := int(fdParam[e.Type()]); i >= 0 && e.Has(i) {
			r, _ := e.Int(i)
			return r < 0
		}
	}
	return false
}

type errKind uint8

const (
	errOther errKind = iota
	errFile
	errNet
	errMemory
)

// errorKind classifies a failed event for evt.count.error.*.
func errorKind(c *Ctx) errKind {
	if r, ok := evFD(c); ok && r.f != nil {
		switch r.f.Type {
		case state.FDFile, state.FDFileV2, state.FDDirectory:
			return errFile
		case state.FDIPv4Sock, state.FDIPv6Sock, state.FDIPv4ServSock, state.FDIPv6ServSock, state.FDUnixSock:
			return errNet
		}
		return errOther
	}
	e := c.Evt
	if e.Dir() == event.Exit {
		switch e.Name() {
		case "open", "creat", "openat", "openat2", "open_by_handle_at":
			return errFile
		case "accept", "accept4", "connect":
			return errNet
		}
	}
	if e.Info().Category.Class() == event.CatMemory {
		return errMemory
	}
	return errOther
}
