package main

import (
	"errors"
	"io"
	"runtime"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// captureSource is how a replay reads a capture: each event as the file
// has it (Original, which --print-events prints, as sysdig does) and as the
// converter upgrades it for state and rules (Event).
type captureSource interface {
	Next() bool
	Event() *event.Event
	Original() *event.Event
	Visibility() scap.Visibility
	Err() error
	Close() error
}

// openCapture picks how to read r: a plain capture on a machine with a
// second CPU is read, parsed and converted on a goroutine of its own
// (scap.Pipeline), so the event loop only updates state and evaluates
// rules; a gzip capture already inflates on its own goroutine, and is read
// serially.
func openCapture(r *scap.Reader) captureSource {
	if r.Compressed() || runtime.GOMAXPROCS(0) < 2 {
		return &serialSource{r: r, conv: scap.NewConverter()}
	}
	return scap.NewPipeline(r, scap.PipelineOptions{})
}

// serialSource reads and converts on the caller's goroutine.
type serialSource struct {
	r         *scap.Reader
	conv      *scap.Converter
	orig      event.Event
	converted *event.Event
	err       error
}

func (s *serialSource) Next() bool {
	if s.err != nil {
		return false
	}
	if err := s.r.Next(&s.orig); err != nil {
		s.err = err
		return false
	}
	s.converted = s.conv.Convert(&s.orig)
	return true
}

func (s *serialSource) Event() *event.Event         { return s.converted }
func (s *serialSource) Original() *event.Event      { return &s.orig }
func (s *serialSource) Visibility() scap.Visibility { return s.r.Visibility() }
func (s *serialSource) Close() error                { return s.r.Close() }

// Err returns the error that ended the capture, nil at a clean end.
func (s *serialSource) Err() error {
	if errors.Is(s.err, io.EOF) {
		return nil
	}
	return s.err
}
