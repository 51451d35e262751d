package childtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Func is a workload run in a child process. args are the child's
// command-line arguments; out is printed as one JSON object when the
// workload returns; the return value is the child's exit status.
type Func func(args []string, out map[string]any) int

// Exit statuses of a child that did not run its workload.
const (
	ExitUnknown = 100 // no workload of that name
	ExitNoGo    = 101 // standard input closed before the go line
)

// Set is the workloads of one test binary, selected by an environment
// variable.
type Set struct {
	env    string // names the workload a child runs
	noWait string // set: the child does not wait for a go line
	funcs  map[string]Func
}

// NewSet returns the workloads funcs, selected in a child by the
// environment variable env. noWait, if not empty, is a variable that a
// second stage (a workload that executed the test binary again) sets so
// that it does not wait for the go line again.
//
// NewSet must be called while the package initializes (in a package-level
// var declaration): when the binary runs as a child it locks the main
// goroutine to the main thread, so every syscall of the workload carries
// tid == pid and per-thread state stays where the next call happens.
func NewSet(env, noWait string, funcs map[string]Func) *Set {
	if os.Getenv(env) != "" {
		runtime.LockOSThread()
	}
	if funcs == nil {
		funcs = map[string]Func{}
	}
	return &Set{env: env, noWait: noWait, funcs: funcs}
}

// Add registers workload f as name (from an init function of another file).
func (s *Set) Add(name string, f Func) { s.funcs[name] = f }

// Env is the environment entry that makes a child run workload name.
func (s *Set) Env(name string) string { return s.env + "=" + name }

// Environ is this process's environment without the Set's selection
// variables, plus extra: the environment of a program a workload starts,
// which must not become a workload again by accident.
func (s *Set) Environ(extra ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, s.env+"=") || (s.noWait != "" && strings.HasPrefix(e, s.noWait+"=")) {
			continue
		}
		env = append(env, e)
	}
	return append(env, extra...)
}

// StageEnv is the environment of a second stage: a workload that executes
// the test binary again to run workload name without waiting for a second
// go line. The selection is replaced, not appended to: execve keeps both
// entries of a variable set twice, and the Go runtime reads the first.
func (s *Set) StageEnv(name string) []string {
	return s.Environ(s.Env(name), s.noWait+"=1")
}

// Command returns the test binary re-executed to run workload name with
// args, with this process's environment plus the selection.
func (s *Set) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), s.Env(name))
	return cmd
}

// Main runs the selected workload and exits if the binary runs as a
// child; otherwise it returns. Call it first in TestMain.
func (s *Set) Main() {
	if name := os.Getenv(s.env); name != "" {
		os.Exit(s.run(name, os.Args[1:]))
	}
}

// run is the child's side of the protocol (see the package doc).
func (s *Set) run(name string, args []string) int {
	f := s.funcs[name]
	if f == nil {
		fmt.Fprintf(os.Stderr, "unknown helper %q\n", name)
		return ExitUnknown
	}
	// Drop test flags ("-test.run=..."); keep the workload's arguments.
	var own []string
	for _, a := range args {
		if strings.HasPrefix(a, "-test.") {
			continue
		}
		own = append(own, a)
	}
	if s.noWait == "" || os.Getenv(s.noWait) == "" {
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			fmt.Fprintln(os.Stderr, "helper: no go line:", err)
			return ExitNoGo
		}
	}
	out := map[string]any{}
	code := f(own, out)
	b, _ := json.Marshal(out)
	os.Stdout.Write(append(b, '\n'))
	return code
}
