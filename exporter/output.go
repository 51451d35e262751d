package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sakersec/saker/engine/alert"
)

// Output is an alert sink. The [Dispatcher] drives each Output from one
// goroutine of its own (or QueueConfig.Workers goroutines, for outputs that
// declare Send safe for concurrent use), so a single-worker Output needs no
// locking for its own state and may block (on a socket, a pipe, a retry
// back-off) without holding up the event loop or the other outputs.
type Output interface {
	// Send delivers a batch of alerts, in order. It returns nil when all of
	// them were delivered, a *[PartialError] when only some were, and any
	// other error when none was. ctx is cancelled when the shutdown deadline
	// passes; Send must then give up promptly (stop retrying, abandon a
	// blocked write where it can). The slice and the alerts are only lent:
	// Send must not keep them after it returns, nor modify the alerts.
	Send(ctx context.Context, batch []*alert.Alert) error
	// Close releases what the output holds (flushes buffers, closes files and
	// connections, ends a kept-alive program). It is called once, after the
	// last Send.
	Close() error
}

// Reopener is implemented by outputs that write to a named file and can
// reopen it, so that log rotation (rename, then SIGHUP) works. Reopen may be
// called from any goroutine, e.g. a signal handler; the output reopens before
// its next write.
type Reopener interface {
	Reopen()
}

// PartialError reports that Failed alerts of a batch were not delivered; the
// others were. Err says why.
type PartialError struct {
	Failed int
	Err    error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%d alerts not delivered: %v", e.Failed, e.Err)
}

func (e *PartialError) Unwrap() error { return e.Err }

// failedCount returns how many of n alerts a Send error says were lost.
func failedCount(err error, n int) int {
	if err == nil {
		return 0
	}
	var pe *PartialError
	if errors.As(err, &pe) && pe.Failed >= 0 && pe.Failed <= n {
		return pe.Failed
	}
	return n
}

// Format is how the line-oriented outputs (stdout, file, syslog, program,
// HTTP) render an alert: Falco's text line, or Falco's alert JSON with the
// json_include_* options. It mirrors Falco's top-level json_output keys.
type Format struct {
	JSON        bool
	JSONOptions alert.JSONOptions
}

// DefaultFormat is Falco's default: text lines, and when JSON is switched on,
// Falco's default JSON options.
func DefaultFormat() Format {
	return Format{JSONOptions: alert.DefaultJSONOptions()}
}

// AppendLine appends the alert in this format to buf, without a newline.
func (f Format) AppendLine(buf []byte, a *alert.Alert) []byte {
	if f.JSON {
		return a.AppendJSON(buf, f.JSONOptions)
	}
	return append(buf, a.Output...)
}

// ContentType is the MIME type of lines in this format (Falco's http_output
// sends the same two).
func (f Format) ContentType() string {
	if f.JSON {
		return "application/json"
	}
	return "text/plain"
}

// WriteLines writes alerts as newline-terminated lines in format f: one
// Write per alert, or with buffered (Falco's buffered_outputs) one Write for
// the whole batch. buf is scratch space, returned for reuse. On a write error
// it returns a *PartialError counting the alerts not written (with
// buffered, the whole batch).
func WriteLines(w io.Writer, f Format, buffered bool, buf []byte, batch []*alert.Alert) ([]byte, error) {
	buf = buf[:0]
	for i, a := range batch {
		buf = f.AppendLine(buf, a)
		buf = append(buf, '\n')
		if buffered {
			continue
		}
		if _, err := w.Write(buf); err != nil {
			return buf, &PartialError{Failed: len(batch) - i, Err: err}
		}
		buf = buf[:0]
	}
	if buffered && len(buf) > 0 {
		if _, err := w.Write(buf); err != nil {
			return buf, &PartialError{Failed: len(batch), Err: err}
		}
	}
	return buf, nil
}
