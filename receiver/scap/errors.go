package scap

import (
	"errors"
	"fmt"
)

// FormatError reports malformed input: what was wrong and where, as a byte
// offset in the uncompressed stream.
type FormatError struct {
	Offset int64
	Msg    string
	Err    error // underlying error, if any (e.g. from the event decoder)
}

func (e *FormatError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("scap: offset %d: %s: %v", e.Offset, e.Msg, e.Err)
	}
	return fmt.Sprintf("scap: offset %d: %s", e.Offset, e.Msg)
}

func (e *FormatError) Unwrap() error { return e.Err }

// ErrClosed is returned by a [Reader] or [Pipeline] used after Close.
var ErrClosed = errors.New("scap: capture closed")

// ErrTruncated is wrapped by errors about input that ends inside a block.
var ErrTruncated = errors.New("truncated")

func formatErr(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}
