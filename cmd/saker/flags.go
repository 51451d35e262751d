package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sakersec/saker/config"
)

// options is everything the command line says. Settings that are config
// keys go through cl (applied over the config file in command-line order);
// the rest steer the command itself.
type options struct {
	cl         config.CommandLine
	configFile string

	// what to do (Falco's mode flags)
	validate    []string // -V
	listRules   bool     // -L
	describe    string   // -l RULE
	listFields  bool     // --list
	namesOnly   bool     // -N
	version     bool     // --version
	ignoredIO   bool     // -i
	support     bool     // --support
	printEvents bool     // --print-events
	jsonResult  bool     // validation/list output as JSON (also json_output)

	// rule selection, applied after loading in this order
	onlyTags    []string // -t: only rules with these tags
	disableTags []string // -T
	disableSubs []string // -D: disable rules whose name contains this

	// live/replay
	duration      time.Duration // -M / --duration
	recordFile    string        // -w
	recordFilter  string        // --filter
	statsFile     string        // --stats-file
	statsInterval time.Duration // --stats-interval (ms on the command line)
	outputFormat  string        // -p (deprecated): appended to every rule output
	verbose       bool          // -v
	dryRun        bool          // --dry-run: load configuration and rules, then exit
	pidFile       string        // -P / --pidfile

	args    []string // positional arguments
	cmdline string   // the whole command line, program name first (--support)
}

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// newFlagSet declares saker's flags: Falco's command line plus saker's own.
// Flags work with one or two dashes and may follow positional arguments.
func newFlagSet(name string, o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.configFile, "c", "", "configuration file (default: /etc/saker/saker.yaml if present, else built-in defaults)")
	o.cl.Option(fs, "o", "set a configuration key: KEY=VALUE, e.g. -o priority=warning, -o rules[].disable.rule=* (repeatable)")
	o.cl.List(fs, "r", "rules_files", "rules file or directory, loaded in order (repeatable)")
	o.cl.String(fs, "e", "engine.replay.capture_file", "replay this capture file instead of live capture")
	o.cl.Const(fs, "A", "base_syscalls.all", true, "capture every syscall saker has a kernel program for, not only those the rules and state need; enables the I/O syscalls (read, write, sendfile, ...) ignored by default (-i lists them)")
	fs.BoolVar(&o.ignoredIO, "i", false, "print the I/O syscalls ignored by default for performance and exit (see -A)")
	o.cl.Const(fs, "U", "buffered_outputs", false, "unbuffered outputs: flush every alert")
	o.cl.List(fs, "cri", "container_engines.cri.sockets", "CRI runtime socket (containerd, CRI-O) to ask for container and pod metadata (repeatable)")
	o.cl.Const(fs, "disable-cri-async", "container_engines.cri.disable_async", true, "wait for the CRI runtime's answer on a new container's first event")
	fs.Var((*stringsFlag)(&o.validate), "V", "validate rules files and exit (repeatable)")
	fs.BoolVar(&o.listRules, "L", false, "list the loaded rules and exit")
	fs.StringVar(&o.describe, "l", "", "describe this rule and exit")
	fs.BoolVar(&o.listFields, "list", false, "list every supported field and exit")
	fs.BoolVar(&o.namesOnly, "N", false, "with --list: field names only")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.support, "support", false, "print support information (versions, system, command line, the configuration and rules files loaded) as JSON and exit")
	fs.BoolVar(&o.printEvents, "print-events", false, "print every event as sysdig does instead of evaluating rules (replay)")
	fs.Var((*stringsFlag)(&o.onlyTags), "t", "enable only the rules with this tag (repeatable)")
	fs.Var((*stringsFlag)(&o.disableTags), "T", "disable the rules with this tag (repeatable)")
	fs.Var((*stringsFlag)(&o.disableSubs), "D", "disable the rules whose name contains this text (repeatable)")
	fs.Func("M", "stop after this many seconds", func(v string) error {
		d, err := time.ParseDuration(v + "s")
		if err != nil || d < 0 {
			return fmt.Errorf("want a number of seconds, got %q", v)
		}
		o.duration = d
		return nil
	})
	fs.DurationVar(&o.duration, "duration", 0, "stop after this long (e.g. 30s)")
	fs.StringVar(&o.recordFile, "w", "", "record: write the capture to this file")
	fs.StringVar(&o.recordFilter, "filter", "", "record: only events matching this condition (plus the state-keeping ones)")
	fs.StringVar(&o.statsFile, "stats-file", "", "write counters as JSON lines to this file")
	fs.Func("stats-interval", "interval of --stats-file in milliseconds (default 5000)", func(v string) error {
		d, err := time.ParseDuration(v + "ms")
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive number of milliseconds, got %q", v)
		}
		o.statsInterval = d
		return nil
	})
	fs.StringVar(&o.outputFormat, "p", "", "append this format to every rule's output (deprecated, as in Falco)")
	fs.BoolVar(&o.verbose, "v", false, "verbose: log at debug level")
	fs.BoolVar(&o.jsonResult, "json", false, "print validation and rule listings as JSON")
	fs.BoolVar(&o.dryRun, "dry-run", false, "load the configuration and rules (and build the engine), then exit without capturing or replaying: a check, as Falco's")
	fs.StringVar(&o.pidFile, "pidfile", "", "write saker's process id to this file while it runs (removed at exit)")
	fs.StringVar(&o.pidFile, "P", "", "same as --pidfile")
	return fs
}

// parseInterleaved parses flags that may come after positional arguments,
// as in `saker replay trace.scap --print-events`. "--" ends flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if i := len(args) - len(rest) - 1; i >= 0 && args[i] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
