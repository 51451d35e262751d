package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong (an error) or doubtful (a warning) in the
// configuration.
type Problem struct {
	// Key is the config key, e.g. "syscall_event_drops.threshold" or
	// "rules[2].disable.rule"; empty for problems with a whole file.
	Key string
	// Origin says where the value came from: "FILE:LINE:COL" for a file
	// (the built-in defaults are "saker.yaml (built-in)"), "environment
	// variable SAKER_...", "-o key=value" or "flag -X".
	Origin string
	// Msg says what is wrong and what is allowed.
	Msg string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Origin != "" {
		b.WriteString(p.Origin)
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error is returned by [Load] when the configuration cannot be used. It
// lists every problem found, not only the first.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "config: " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "config: %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects problems, filling in origins from the loader's index.
type problems struct {
	list   []Problem
	origin func(key string) string
	// value looks a key up in the merged tree, for messages that do not
	// quote the value themselves.
	value func(key string) (any, bool)
}

func (ps *problems) add(key, format string, args ...any) {
	p := Problem{Key: key, Msg: fmt.Sprintf(format, args...)}
	if ps.origin != nil {
		p.Origin = ps.origin(key)
	}
	ps.list = append(ps.list, p)
}

// addCause adds a problem about key that exists because of the value of
// cause ("x must be set when y is true"): when key still holds its default,
// the origin shown is cause's.
func (ps *problems) addCause(key, cause, format string, args ...any) {
	ps.add(key, format, args...)
	p := &ps.list[len(ps.list)-1]
	if ps.origin != nil && (p.Origin == "" || strings.HasPrefix(p.Origin, builtinName)) {
		p.Origin = ps.origin(cause)
	}
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Problems: ps.list}
}
