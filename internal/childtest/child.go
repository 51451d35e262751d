package childtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Child is a started child process whose workload waits for its go line.
type Child struct {
	cmd    *exec.Cmd
	name   string
	stdin  io.WriteCloser
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   bool
}

// Start starts cmd, a child running workload name (see [Set.Command]),
// with a pipe on its standard input and its standard error collected; its
// standard output is collected for [Child.Result] unless the caller has
// set cmd.Stdout. A child still running when the test ends is killed.
func Start(t testing.TB, name string, cmd *exec.Cmd) *Child {
	t.Helper()
	c := &Child{cmd: cmd, name: name}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdin = stdin
	if cmd.Stdout == nil {
		cmd.Stdout = &c.stdout
	}
	cmd.Stderr = &c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !c.done {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return c
}

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Go lets the workload run.
func (c *Child) Go() { fmt.Fprintln(c.stdin, "go") }

// Finish closes the child's standard input, waits for it to exit with
// status want (any status if want < 0), then for exited to be closed — the
// watch's sign that the probe reported the child's exit — for at most
// timeout. note, if not nil, adds to the message of that failure (what the
// probe's drop counters say, say).
func (c *Child) Finish(t testing.TB, want int, exited <-chan struct{}, timeout time.Duration, note func() string) {
	t.Helper()
	c.stdin.Close()
	err := c.cmd.Wait()
	c.done = true
	status := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("helper %s: %v", c.name, err)
	}
	if want >= 0 && status != want {
		t.Fatalf("helper %s exited %d, want %d; stderr:\n%s", c.name, status, want, c.stderr.String())
	}
	if exited == nil {
		return
	}
	select {
	case <-exited:
	case <-time.After(timeout):
		msg := fmt.Sprintf("helper %s: no procexit event for pid %d within %v", c.name, c.Pid(), timeout)
		if note != nil {
			msg += "; " + note()
		}
		t.Fatal(msg)
	}
}

// Stderr is what the child wrote to its standard error so far.
func (c *Child) Stderr() string { return c.stderr.String() }

// Result decodes the first line the child printed if it is a JSON object;
// it is empty otherwise (a workload that became another program).
func (c *Child) Result(t testing.TB) Result {
	t.Helper()
	r := Result{}
	if line, _ := bufio.NewReader(bytes.NewReader(c.stdout.Bytes())).ReadBytes('\n'); len(line) > 0 && line[0] == '{' {
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("helper %s output %q: %v", c.name, line, err)
		}
	}
	return r
}

// Result is the JSON object a workload printed.
type Result map[string]any

// Num returns a number the workload reported: a JSON number, or a decimal
// string (for values past float64's integers, such as inode numbers).
func (r Result) Num(t testing.TB, key string) int64 {
	t.Helper()
	v, ok := r[key]
	if !ok {
		t.Fatalf("helper did not report %q (got %v)", key, map[string]any(r))
	}
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", key, x, err)
		}
		return n
	}
	t.Fatalf("%s: unexpected %T", key, v)
	return 0
}

// Str returns a string the workload reported.
func (r Result) Str(t testing.TB, key string) string {
	t.Helper()
	v, ok := r[key].(string)
	if !ok {
		t.Fatalf("helper did not report string %q (got %v)", key, map[string]any(r))
	}
	return v
}

// SkipOrFail fails the test under CI=true, where a privileged test that
// cannot run is a failure, and skips it otherwise.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
