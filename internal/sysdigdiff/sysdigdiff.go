package sysdigdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
	"github.com/sakersec/saker/receiver/state"
)

// TracesDir returns shared/research/falco/traces, a sibling of the
// repository checkout.
func TracesDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "research", "falco", "traces")
}

// Traces returns every .scap file under TracesDir, sorted, failing t if
// there is none.
func Traces(t testing.TB) []string {
	var files []string
	err := filepath.Walk(TracesDir(), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".scap") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("no traces under %s: %v", TracesDir(), err)
	}
	sort.Strings(files)
	return files
}

// Rel names a trace by its path below TracesDir.
func Rel(path string) string {
	r, err := filepath.Rel(TracesDir(), path)
	if err != nil {
		return path
	}
	return r
}

// RunSysdig runs `sysdig -r file args...` with TZ=UTC and returns its
// standard output. A capture sysdig cannot open is reported as
// ErrUnreadable with sysdig's message.
func RunSysdig(bin, file string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, append([]string{"-r", file}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if strings.Contains(msg, "Could not initialize reader") || strings.Contains(msg, "truncated") {
			return out.Bytes(), &UnreadableError{Msg: msg}
		}
		return out.Bytes(), fmt.Errorf("sysdig -r %s %s: %v: %s", file, strings.Join(args, " "), err, msg)
	}
	return out.Bytes(), nil
}

// UnreadableError is sysdig refusing a capture (sysdig 0.29 cannot read
// captures whose section header carries pcapng options).
type UnreadableError struct{ Msg string }

func (e *UnreadableError) Error() string { return "sysdig cannot read the capture: " + e.Msg }

// IsUnreadable reports whether err is an *UnreadableError.
func IsUnreadable(err error) bool {
	var u *UnreadableError
	return errors.As(err, &u)
}

// Step is one event of a replay: the event as it is in the capture, the
// form state tracking and rules see (converted by scap.Converter), whether
// sysdig shows it, and the state after the event.
type Step struct {
	Orig  *event.Event
	Conv  *event.Event
	Vis   scap.Visibility
	State *state.State
}

// Replay reads a capture the way saker replays one — state loaded from
// the capture's metadata, every event converted and applied to the state
// in order — and calls fn after each event. Values in the Step are valid
// only during the call.
func Replay(path string, fn func(s *Step) error) error {
	r, err := scap.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	st := state.New(state.Config{})
	st.LoadCapture(r.Metadata())
	cv := scap.NewConverter()
	var e event.Event
	step := Step{Orig: &e, State: st}
	for {
		err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		step.Conv = cv.Convert(&e)
		st.Update(step.Conv)
		step.Vis = r.Visibility()
		if err := fn(&step); err != nil {
			return err
		}
	}
}
