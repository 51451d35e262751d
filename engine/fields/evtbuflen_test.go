package fields_test

import (
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

func readX(fd, res int64) ev {
	return ev{event.SyscallReadX, 300, func(b *event.Builder) { b.Int64(res); b.Bytes([]byte("abc")); b.Int64(fd); b.Uint32(10) }}
}

func closeX(fd int64) ev {
	return ev{event.SyscallCloseX, 300, func(b *event.Builder) { b.Int64(0); b.Int64(fd) }}
}

// evt.buflen and its per-kind forms are libs' extract_buflen: the
// non-negative result of an exit event of an I/O category (read, write
// or other I/O: close, fcntl, ioctl) on an fd the state knows, as sysdig
// 0.29 prints them on the shared traces (internal/sysdigdiff): <NA> for
// an unknown fd (cat_write.scap's close of an fd the capture never
// opened, ping_sendto.scap's sendmsg).
func TestEvtBuflen(t *testing.T) {
	cases := []struct {
		ev    ev
		field string
		want  string
	}{
		{readX(3, 3), "evt.buflen", "3"},
		{readX(3, -11), "evt.buflen", "<NA>"},
		{readX(99, 3), "evt.buflen", "<NA>"}, // unknown fd
		{read(300, 3), "evt.buflen", "<NA>"}, // enter event
		{closeX(3), "evt.buflen", "0"},
		{closeX(99), "evt.buflen", "<NA>"},
		{readX(3, 3), "evt.buflen.in", "3"},
		{readX(3, 3), "evt.buflen.out", "<NA>"},
		{readX(3, 3), "evt.buflen.file", "3"},
		{readX(3, 3), "evt.buflen.file.in", "3"},
		{readX(3, 3), "evt.buflen.net", "<NA>"},
		{readX(4, 5), "evt.buflen.net", "5"},
		{readX(4, 5), "evt.buflen.net.in", "5"},
		{readX(99, 3), "evt.buflen.in", "<NA>"},
		{closeX(3), "evt.buflen.file", "0"}, // other I/O counts for the unqualified direction
		{closeX(4), "evt.buflen.net", "0"},
		{readX(8, 2), "evt.buflen", "2"},
		{readX(8, 2), "evt.buflen.net", "<NA>"}, // a unix socket is not "net"
		{closeX(3), "evt.buflen.in", "<NA>"},
		{closeX(99), "evt.buflen.file", "<NA>"},
	}
	for _, tc := range cases {
		st := testState(t)
		st.LoadCapture(&scap.Metadata{FDs: []scap.FD{{Tid: 300, FD: 8, Type: scap.FDUnixSock, UnixSource: 0xffff1, UnixDest: 0xffff2, Name: "/run/x.sock"}}})
		e := build(t, tc.ev)
		st.Update(e)
		ctx := &fields.Ctx{State: st}
		ctx.Reset(e)
		if got := extract(t, ctx, tc.field); got != tc.want {
			r, _ := e.Int(0)
			t.Errorf("%s on %s (res %d): %q, want %q", tc.field, e.Type(), r, got, tc.want)
		}
	}
}
