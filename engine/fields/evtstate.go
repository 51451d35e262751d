package fields

import (
	"errors"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// Event fields that need the state to render: evt.args and evt.info name
// fds, threads and users ("fd=3(<f>/etc/passwd)", "tid=20072(cat)").

func init() {
	// libs lists evt.abspath as needing an argument, but its parser (and
	// sysdig 0.29) takes the bare name as .src.
	Register(Field{Name: "evt.abspath", Type: event.PTCharbuf, Flags: ArgAllowed | DotArg | ArgKey,
		Desc: "absolute path of a dirfd-relative path parameter (evt.abspath.src = evt.abspath, evt.abspath.dst: the source or target of renameat/linkat)",
		Bind: bindAbspath})
	Register(Field{Name: "evt.info", Type: event.PTCharbuf, Flags: Memoize,
		Desc: "the event's parameters as sysdig prints them (the same as evt.args)", Bind: bindArgs})
}

// bindArgs binds evt.args / evt.info: [AppendArgs] into a buffer owned by
// the binding.
func bindArgs(Arg) (Binding, error) {
	var buf []byte
	return Binding{Extract: func(c *Ctx, v *Value) bool {
		buf = AppendArgs(buf[:0], c.Evt, c.State)
		v.S = unsafeString(buf)
		return true
	}}, nil
}

// abspathParams are the (dirfd, path) parameters evt.abspath resolves, by
// event code, as libs' extract_abspath: [0] for .src, [1] for .dst (the
// same pair for events with one path).
var abspathParams = map[string][2][2]string{
	"PPME_SYSCALL_RENAMEAT_X":   {{"olddirfd", "oldpath"}, {"newdirfd", "newpath"}},
	"PPME_SYSCALL_RENAMEAT2_X":  {{"olddirfd", "oldpath"}, {"newdirfd", "newpath"}},
	"PPME_SYSCALL_LINKAT_E":     {{"olddir", "oldpath"}, {"newdir", "newpath"}},
	"PPME_SYSCALL_LINKAT_2_X":   {{"olddir", "oldpath"}, {"newdir", "newpath"}},
	"PPME_SYSCALL_SYMLINKAT_X":  {{"linkdirfd", "linkpath"}, {"linkdirfd", "linkpath"}},
	"PPME_SYSCALL_OPENAT_E":     {{"dirfd", "name"}, {"dirfd", "name"}},
	"PPME_SYSCALL_OPENAT_2_X":   {{"dirfd", "name"}, {"dirfd", "name"}},
	"PPME_SYSCALL_OPENAT2_X":    {{"dirfd", "name"}, {"dirfd", "name"}},
	"PPME_SYSCALL_UNLINKAT_E":   {{"dirfd", "name"}, {"dirfd", "name"}},
	"PPME_SYSCALL_UNLINKAT_2_X": {{"dirfd", "name"}, {"dirfd", "name"}},
	"PPME_SYSCALL_MKDIRAT_X":    {{"dirfd", "path"}, {"dirfd", "path"}},
	"PPME_SYSCALL_FCHMODAT_X":   {{"dirfd", "filename"}, {"dirfd", "filename"}},
	"PPME_SYSCALL_FCHOWNAT_X":   {{"dirfd", "pathname"}, {"dirfd", "pathname"}},
}

// bindAbspath binds evt.abspath.src / .dst: the path parameter joined to
// the cwd (dirfd AT_FDCWD) or to the dirfd's name ("<UNKNOWN>" for an fd
// the state does not know), cleaned, as libs' extract_abspath. Not
// available on other events or when the event lacks the parameters.
func bindAbspath(a Arg) (Binding, error) {
	var which int
	switch a.Text {
	case "src", "":
	case "dst":
		which = 1
	default:
		return Binding{}, errors.New("filter error: evt.abspath takes src or dst (evt.abspath.src, evt.abspath.dst), not '" + a.Text + "'")
	}
	// Parameter indexes per event type, resolved once.
	var dirIdx, pathIdx [event.MaxType]int8
	for t := event.Type(0); t < event.MaxType; t++ {
		dirIdx[t], pathIdx[t] = -1, -1
		names, ok := abspathParams[t.Info().Code]
		if !ok {
			continue
		}
		for i, p := range t.Info().Params {
			if p.Name == names[which][0] && dirIdx[t] < 0 {
				dirIdx[t] = int8(i)
			}
			if p.Name == names[which][1] && pathIdx[t] < 0 {
				pathIdx[t] = int8(i)
			}
		}
	}
	var buf []byte
	return Binding{Extract: func(c *Ctx, v *Value) bool {
		e := c.Evt
		di, pi := int(dirIdx[e.Type()]), int(pathIdx[e.Type()])
		if di < 0 || pi < 0 || !e.Has(di) || !e.Has(pi) {
			return false
		}
		p, _ := e.String(pi)
		dirfd, _ := e.Int(di)
		buf = buf[:0]
		dir := ""
		if len(p) == 0 || p[0] != '/' {
			t := evThread(c)
			switch {
			case t == nil:
				return false
			case dirfd == state.AtFDCWD:
				dir = t.CWD()
			default:
				if f := t.FD(dirfd); f != nil {
					dir = f.Name
				} else {
					buf = append(buf, "<UNKNOWN>"...) // then "/" and the cleaned path
				}
			}
		}
		buf = state.AppendJoinClean(buf, dir, p)
		v.S = unsafeString(buf)
		return true
	}}, nil
}
