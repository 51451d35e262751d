package event_test

import (
	"bytes"
	"errors"
	"github.com/sakersec/saker/receiver/scap"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap/scaptest"
)

// FuzzTraceEvents is FuzzEventReset seeded from real events: one event of
// every type found in the traces. Beyond never panicking, every flag
// parameter must render without panicking.
func FuzzTraceEvents(f *testing.F) {
	seen := map[event.Type]bool{}
	_ = filepath.Walk(scaptest.TracesDir(), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".scap") {
			return err
		}
		r, err := scapOpen(p)
		if err != nil {
			return nil
		}
		defer r.Close()
		var e event.Event
		for {
			if err := r.Next(&e); errors.Is(err, io.EOF) || err != nil {
				return nil
			}
			if !seen[e.Type()] {
				seen[e.Type()] = true
				f.Add(bytes.Clone(e.Raw()))
			}
		}
	})
	if len(seen) < 20 {
		f.Fatalf("only %d event types seeded from traces", len(seen))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e event.Event
		if err := e.Reset(raw, 0); err != nil {
			return
		}
		var buf []byte
		for i := 0; i < e.NumParams(); i++ {
			e.String(i)
			e.SockAddr(i).Addr()
			e.SockTuple(i).Addrs()
			e.Strings(i).Len()
			if pi := e.ParamInfo(i); pi != nil && pi.Info != "" {
				if v, ok := e.Uint(i); ok {
					buf = event.AppendFlagValue(buf[:0], pi.Info, pi.Type, v)
				}
			}
		}
	})
}
func scapOpen(path string) (*scap.Reader, error) { return scap.Open(path) }
