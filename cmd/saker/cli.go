package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/receiver/ebpf"
)

const usage = `saker — runtime security detection with eBPF, the Falco rules language and OpenTelemetry

Usage:
  saker run [flags]                 live detection
  saker replay FILE.scap [flags]    evaluate the rules on a capture (--print-events: print events)
  saker record -w FILE.scap [flags] record live events to a capture (--duration, --filter)
  saker rules validate FILE...      validate rules files
  saker rules list [flags]          list the loaded rules (--json for Falco's -L JSON)
  saker rules expand [flags]        print each enabled rule's condition, macros and lists expanded
  saker fields [-N]                 list the supported fields
  saker version

Falco's command line works too: saker -r RULES -e CAPTURE, -V RULES, -L, --list, -o KEY=VALUE, -i, --support, ...

Flags:
`

// Main runs the command line and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	o := &options{cmdline: strings.Join(append([]string{os.Args[0]}, args...), " ")}
	cmd := "falco"
	var sub string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
		if cmd == "rules" {
			if len(args) == 0 || strings.HasPrefix(args[0], "-") {
				fmt.Fprintln(stderr, "saker rules: want validate, list or expand")
				return 2
			}
			sub, args = args[0], args[1:]
		}
	}
	fs := newFlagSet("saker "+cmd, o, stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	o.args = pos
	// stderr is written from more than one goroutine (a rules reload
	// prints load errors while the event loop logs): one write at a time
	stderr = &lockedWriter{w: stderr}
	a := &app{o: o, stdout: stdout, stderr: stderr}
	err = a.dispatch(cmd, sub)
	return exitCode(err, stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "saker: "+ee.err.Error())
		}
		return ee.code
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Fprintln(stderr, "saker: invalid configuration:\n"+err.Error())
		return 1
	}
	fmt.Fprintln(stderr, "saker: "+err.Error())
	return 1
}

func (a *app) dispatch(cmd, sub string) error {
	switch cmd {
	case "version":
		return a.printVersion()
	case "fields":
		return a.listFields()
	case "rules":
		switch sub {
		case "validate":
			a.o.validate = append(a.o.validate, a.o.args...)
			return a.validate()
		case "list":
			return a.listRules()
		case "expand":
			return a.expandRules()
		}
		return &exitError{code: 2, err: fmt.Errorf("unknown command: rules %s (want validate, list or expand)", sub)}
	case "replay":
		if len(a.o.args) != 1 {
			return &exitError{code: 2, err: errors.New("saker replay: want exactly one capture file")}
		}
		return a.replay(a.o.args[0])
	case "run":
		return a.run()
	case "record":
		return a.record()
	case "falco":
		return a.falco()
	}
	return &exitError{code: 2, err: fmt.Errorf("unknown command %q; see saker -h", cmd)}
}

// falco runs Falco's command line: the mode follows the flags given.
func (a *app) falco() error {
	switch {
	case a.o.version:
		return a.printVersion()
	case a.o.ignoredIO:
		return a.printIgnoredIO()
	case len(a.o.validate) > 0:
		return a.validate()
	case a.o.listFields:
		return a.listFields()
	case a.o.listRules || a.o.describe != "":
		return a.listRules()
	case a.o.support:
		return a.printSupport()
	}
	if err := a.loadConfig(); err != nil {
		return err
	}
	if a.cfg.Engine.Kind == config.EngineReplay || a.cfg.Engine.Replay.CaptureFile != "" {
		if a.cfg.Engine.Replay.CaptureFile == "" {
			return &exitError{code: 1, err: errors.New("engine.kind is replay but engine.replay.capture_file is empty")}
		}
		return a.replayLoaded(a.cfg.Engine.Replay.CaptureFile)
	}
	if a.o.recordFile != "" {
		return a.recordLoaded()
	}
	return a.runLoaded()
}

func (a *app) printVersion() error {
	fmt.Fprintf(a.stdout, "saker version %s\n", config.Version)
	return nil
}

// printIgnoredIO is Falco's -i: the I/O events left out of live capture
// unless -A (or base_syscalls.custom_set) enables them, by event name,
// sorted, as Falco prints them. The list is the one the live selection
// applies (ebpf.IgnoredIO).
func (a *app) printIgnoredIO() error {
	var b strings.Builder
	b.WriteString("Ignored I/O syscall(s):\n")
	for _, n := range ebpf.IgnoredIO() {
		b.WriteString("- " + n + "\n")
	}
	b.WriteString("\n")
	_, err := io.WriteString(a.stdout, b.String())
	return err
}

// lockedWriter serializes the writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
