package eventprint

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"time"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// Printer writes sysdig's default line for each event.
type Printer struct {
	w   *bufio.Writer
	loc *time.Location
	buf []byte
}

// New returns a Printer writing to w, rendering times in loc (nil: local
// time, as sysdig does).
func New(w io.Writer, loc *time.Location) *Printer {
	if loc == nil {
		loc = time.Local
	}
	return &Printer{w: bufio.NewWriterSize(w, 64<<10), loc: loc, buf: make([]byte, 0, 1024)}
}

// Print writes the line for e (an event as it is in the capture) and a
// newline. st must already have been updated with e (or with its
// converted form); it may be nil, and then every thread is unknown.
func (p *Printer) Print(e *event.Event, st *state.State) error {
	p.buf = AppendLine(p.buf[:0], e, st, p.loc)
	p.buf = append(p.buf, '\n')
	_, err := p.w.Write(p.buf)
	return err
}

// Flush writes out buffered lines.
func (p *Printer) Flush() error { return p.w.Flush() }

// AppendLine appends the line for e, without a newline: evt.num, the time
// of day in loc, the CPU, the process name and thread id, the direction,
// the event type and evt.info.
func AppendLine(buf []byte, e *event.Event, st *state.State, loc *time.Location) []byte {
	buf = strconv.AppendUint(buf, e.Num, 10)
	buf = append(buf, ' ')
	buf = AppendTime(buf, e.Timestamp(), loc)
	buf = append(buf, ' ')
	buf = strconv.AppendUint(buf, uint64(e.CPU), 10)
	buf = append(buf, ' ')
	buf = appendProcName(buf, e, st)
	buf = append(buf, " ("...)
	tid := e.Tid()
	if id, ok := containerEventID(e); ok && len(id) > 0 {
		tid = -1
	}
	buf = strconv.AppendInt(buf, tid, 10)
	buf = append(buf, ") "...)
	buf = append(buf, e.Info().Dir.Char())
	buf = append(buf, ' ')
	buf = append(buf, typeName(e)...)
	buf = append(buf, ' ')
	return fields.AppendArgs(buf, e, st)
}

// AppendTime appends the time of day of ts (ns since the epoch) in loc as
// sysdig's evt.time: hh:mm:ss.nnnnnnnnn.
func AppendTime(buf []byte, ts uint64, loc *time.Location) []byte {
	return time.Unix(0, int64(ts)).In(loc).AppendFormat(buf, "15:04:05.000000000")
}

func appendProcName(buf []byte, e *event.Event, st *state.State) []byte {
	if id, ok := containerEventID(e); ok && len(id) > 0 {
		buf = append(buf, "container:"...)
		return append(buf, id...)
	}
	if st != nil {
		if t := st.EventThread(); t != nil {
			return append(buf, t.Comm...)
		}
	}
	return append(buf, "<NA>"...)
}

// typeName is evt.type as sysdig prints it: the event's name, or for
// generic events the name of the syscall code in their ID parameter.
func typeName(e *event.Event) string {
	t := e.Type()
	if t == event.GenericE || t == event.GenericX {
		id, _ := e.Uint(0)
		return fields.PPMSyscallName(id)
	}
	return e.Name()
}

var idKey = []byte(`"id":"`)

// containerEventID returns the container id of a container-metadata
// event (the "id" member of its JSON), which sysdig shows as the name of
// the event's (made-up) thread.
func containerEventID(e *event.Event) ([]byte, bool) {
	switch e.Type() {
	case event.ContainerJsonE, event.ContainerJsonV2E:
	default:
		return nil, false
	}
	p := e.Param(0)
	i := bytes.Index(p, idKey)
	if i < 0 {
		return nil, true
	}
	p = p[i+len(idKey):]
	j := bytes.IndexByte(p, '"')
	if j < 0 {
		return nil, true
	}
	return p[:j], true
}
