package config

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// CommandLine collects the settings given on the command line: Falco-style
// -o key=value options and flags bound to config keys. They are applied
// after the file and the environment, in the order they were given, so
// `-o priority=error -o priority=debug` ends with debug. Only flags that
// are actually given set anything: a flag's zero value never hides a
// value from the file.
//
//	var cl config.CommandLine
//	cl.Option(fs, "o", "set a config key: KEY=VALUE (repeatable)")
//	cl.Const(fs, "A", "base_syscalls.all", true, "trace all syscalls")
//	cl.List(fs, "r", "rules_files", "rules file or directory (repeatable)")
//	cl.String(fs, "e", "engine.replay.capture_file", "replay this capture")
//	fs.Parse(args)
//	cfg, err := config.Load(config.LoadOptions{File: file, CommandLine: &cl})
type CommandLine struct {
	list  []override
	lists map[string]bool // list keys already replaced by their first use
}

// Set records one -o KEY=VALUE. It checks the syntax at once, so a bad
// option is reported while flags are parsed.
func (c *CommandLine) Set(s string) error {
	o, err := parseOverride(s)
	if err != nil {
		return err
	}
	c.list = append(c.list, o)
	return nil
}

// Len reports how many settings were given.
func (c *CommandLine) Len() int { return len(c.list) }

// Option registers the -o style flag name on fs.
func (c *CommandLine) Option(fs *flag.FlagSet, name, usage string) {
	fs.Func(name, usage, c.Set)
}

// String registers flag name that sets key to its argument (typed like an
// -o value: YAML for lists, numbers, booleans).
func (c *CommandLine) String(fs *flag.FlagSet, name, key, usage string) {
	segs := mustPath(key)
	fs.Func(name, usage+keyNote(key), func(v string) error {
		c.list = append(c.list, override{segs: segs, text: v, origin: flagOrigin(name, v)})
		return nil
	})
}

// Bool registers a boolean flag (-name, -name=false) that sets key.
func (c *CommandLine) Bool(fs *flag.FlagSet, name, key, usage string) {
	segs := mustPath(key)
	fs.Var(&boolFlag{set: func(b bool) {
		c.list = append(c.list, override{segs: segs, value: b, hasVal: true, origin: flagOrigin(name, strconv.FormatBool(b))})
	}}, name, usage+keyNote(key))
}

// Const registers a flag without argument that sets key to value, e.g.
// -A for base_syscalls.all=true or -U for buffered_outputs=false.
func (c *CommandLine) Const(fs *flag.FlagSet, name, key string, value any, usage string) {
	segs := mustPath(key)
	fs.Var(&boolFlag{set: func(b bool) {
		if b {
			c.list = append(c.list, override{segs: segs, value: value, hasVal: true, origin: flagOrigin(name, "")})
		}
	}}, name, usage+keyNote(key))
}

// List registers a repeatable flag for a list key: the first use replaces
// the list from the file, later uses append (Falco's -r).
func (c *CommandLine) List(fs *flag.FlagSet, name, key, usage string) {
	segs := mustPath(key)
	fs.Func(name, usage+keyNote(key), func(v string) error {
		if c.lists == nil {
			c.lists = map[string]bool{}
		}
		o := override{segs: segs, origin: flagOrigin(name, v)}
		if !c.lists[key] {
			c.lists[key] = true
			o.value, o.hasVal = []any{v}, true
		} else {
			o.segs = append(append([]pathSeg(nil), segs...), pathSeg{kind: segAppend})
			o.value, o.hasVal = v, true
		}
		c.list = append(c.list, o)
		return nil
	})
}

func keyNote(key string) string { return " (config: " + key + ")" }

func flagOrigin(name, v string) string {
	if v == "" {
		return "flag -" + name
	}
	return "flag -" + name + " " + v
}

func mustPath(key string) []pathSeg {
	segs, err := parsePath(key)
	if err != nil {
		panic(fmt.Sprintf("config: bad key %q in a flag binding: %v", key, err))
	}
	if schemaType(segs) == nil && !strings.Contains(key, "[") {
		panic(fmt.Sprintf("config: flag bound to %q, which is not a config key", key))
	}
	return segs
}

// boolFlag is a flag.Value that reports each use.
type boolFlag struct {
	set func(bool)
	val bool
}

func (b *boolFlag) IsBoolFlag() bool { return true }

func (b *boolFlag) String() string {
	if b == nil {
		return ""
	}
	return ""
}

func (b *boolFlag) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false, got %q", s)
	}
	b.val = v
	b.set(v)
	return nil
}
