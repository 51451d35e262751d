package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/knadh/koanf/providers/confmap"
	envprovider "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"
	"gopkg.in/yaml.v3"
)

//go:embed saker.yaml
var defaultYAML []byte

// DefaultYAML returns the built-in defaults: a commented config file
// holding every key, for `saker config defaults` and for users to copy.
func DefaultYAML() []byte { return slices.Clone(defaultYAML) }

// DefaultFile is where saker looks for its config file when -c is not
// given (see [ResolveFile]).
const DefaultFile = "/etc/saker/saker.yaml"

// ResolveFile returns the config file to load: flagValue when -c was
// given, else DefaultFile when it exists, else "" (built-in defaults only).
func ResolveFile(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if st, err := os.Stat(DefaultFile); err == nil && st.Mode().IsRegular() {
		return DefaultFile
	}
	return ""
}

// LoadOptions say where the configuration comes from. Layers, lowest
// precedence first: the built-in defaults, File, the files config_files
// names (its value taken after every layer, so SAKER_CONFIG_FILES and
// -o config_files=[] work), FALCO_HOSTNAME, the OTEL_EXPORTER_OTLP_*
// variables (for otlp_output), the SAKER_ variables, Overrides,
// CommandLine.
type LoadOptions struct {
	// File is the main config file (-c). Empty: none.
	File string
	// Overrides are -o KEY=VALUE settings, applied in order.
	Overrides []string
	// CommandLine holds flags and -o options bound with [CommandLine];
	// applied after Overrides, in command-line order.
	CommandLine *CommandLine
	// Env is the environment as KEY=VALUE strings; nil means os.Environ().
	// Pass an empty slice to ignore the environment.
	Env []string

	// defaultsOnly skips files, includes and the environment ([Defaults]).
	defaultsOnly bool
}

// meta is what Load learnt besides the values.
type meta struct {
	files    []string
	warnings []Problem
	origins  origins
	tree     map[string]any
}

// Files returns the config files that were read, in order (the built-in
// defaults first).
func (c *Config) Files() []string { return c.meta.files }

// Warnings returns what Load found doubtful but not wrong: unknown keys,
// Falco keys saker ignores, settings that have no effect. The caller should
// log them.
func (c *Config) Warnings() []Problem { return c.meta.warnings }

// Origin says where the value of key came from ("FILE:LINE:COL",
// "environment variable ...", "-o ...", "flag ..."), for messages about a
// value that failed at run time (a file that cannot be opened, a port in
// use).
func (c *Config) Origin(key string) string { return c.meta.origins.lookup(key) }

// EffectiveYAML returns the merged configuration as YAML: what the
// defaults, files, environment and command line added up to, before
// decoding.
func (c *Config) EffectiveYAML() ([]byte, error) { return yaml.Marshal(c.meta.tree) }

// Defaults returns the built-in defaults (no files, no environment).
func Defaults() (*Config, error) {
	return Load(LoadOptions{defaultsOnly: true})
}

// Load reads, merges, decodes and validates the configuration. The error,
// when not nil, is an *[Error] listing every problem with its key, value,
// what is allowed and where the value came from.
func Load(opts LoadOptions) (*Config, error) {
	environ := opts.Env
	if environ == nil && !opts.defaultsOnly {
		environ = os.Environ()
	}
	l, err := newLoader(envMap(environ))
	if err != nil {
		return nil, err
	}
	var ovs []override
	for _, s := range opts.Overrides {
		o, err := parseOverride(s)
		if err != nil {
			return nil, &Error{Problems: []Problem{{Origin: "-o " + s, Msg: err.Error()}}}
		}
		ovs = append(ovs, o)
	}
	if opts.CommandLine != nil {
		ovs = append(ovs, opts.CommandLine.list...)
	}
	if !opts.defaultsOnly {
		if opts.File != "" {
			if err := l.loadFile(opts.File, replace); err != nil {
				return nil, err
			}
		}
		// config_files may come from any layer, but the files it names
		// rank just above the main file: find its final value on a copy.
		upper := &loader{k: l.k.Copy(), env: l.env, origins: maps.Clone(l.origins)}
		if err := upper.loadUpper(ovs); err != nil {
			return nil, err
		}
		if err := l.loadIncludes(opts.File, upper); err != nil {
			return nil, err
		}
		if err := l.loadUpper(ovs); err != nil {
			return nil, err
		}
	} else if err := l.applyOverrides(ovs); err != nil {
		return nil, err
	}
	return l.finish()
}

// newLoader returns a loader holding the built-in defaults.
func newLoader(env map[string]string) (*loader, error) {
	l := &loader{
		k:       koanf.New("."),
		env:     env,
		origins: origins{},
		files:   []string{builtinName},
	}
	if err := l.loadDoc(builtinName, defaultYAML, replace, func(p position) string {
		return fmt.Sprintf("%s:%d:%d", builtinName, p.Line, p.Col)
	}); err != nil {
		return nil, fmt.Errorf("built-in defaults: %w", err)
	}
	return l, nil
}

// loadUpper merges the layers above the files: FALCO_HOSTNAME, the SAKER_
// variables, then the command line.
func (l *loader) loadUpper(ovs []override) error {
	l.loadHostnameEnv()
	if err := l.loadEnv(); err != nil {
		return err
	}
	return l.applyOverrides(ovs)
}

type loader struct {
	k        *koanf.Koanf
	env      map[string]string
	origins  origins
	files    []string
	warnings []Problem
	// including is set while config_files are loaded.
	including bool
}

func (l *loader) warn(key, format string, args ...any) {
	l.warnings = append(l.warnings, Problem{Key: key, Origin: l.origins.best(key), Msg: fmt.Sprintf(format, args...)})
}

// yamlParser is a koanf.Parser that keeps what koanf's own YAML parser
// drops: the position of every value.
type yamlParser struct {
	name string
	env  map[string]string
	doc  *document
}

func (p *yamlParser) Unmarshal(b []byte) (map[string]any, error) {
	doc, err := parseYAML(p.name, b, p.env)
	if err != nil {
		return nil, err
	}
	p.doc = doc
	return doc.tree, nil
}

func (p *yamlParser) Marshal(m map[string]any) ([]byte, error) { return yaml.Marshal(m) }

// loadDoc merges a YAML document held in memory.
func (l *loader) loadDoc(name string, data []byte, st strategy, originAt func(position) string) error {
	return l.load(rawbytes.Provider(data), name, st, originAt)
}

func (l *loader) load(p koanf.Provider, name string, st strategy, originAt func(position) string) error {
	parser := &yamlParser{name: name, env: l.env}
	return l.k.Load(p, parser, koanf.WithMergeFunc(func(src, dest map[string]any) error {
		if l.including {
			// An included file: Falco reads config_files from the main
			// file only.
			if _, ok := src["config_files"]; ok {
				delete(src, "config_files")
				l.warnings = append(l.warnings, Problem{Key: "config_files", Origin: name,
					Msg: "ignored in an included file: only the main config file can include others"})
			}
		}
		m := merger{st: st, origins: l.origins, originOf: func(sp string) string {
			if pos, ok := parser.doc.pos[sp]; ok {
				return originAt(pos)
			}
			return name
		}}
		m.mergeMap(dest, src, "", "")
		return nil
	}))
}

// loadFile merges one config file.
func (l *loader) loadFile(path string, st strategy) error {
	if info, err := os.Stat(path); err != nil {
		return &Error{Problems: []Problem{{Origin: path, Msg: fmt.Sprintf("cannot read config file: %v", unwrapPathErr(err))}}}
	} else if info.IsDir() {
		return &Error{Problems: []Problem{{Origin: path, Msg: "cannot read config file: it is a directory"}}}
	}
	err := l.load(file.Provider(path), path, st, func(p position) string {
		return fmt.Sprintf("%s:%d:%d", path, p.Line, p.Col)
	})
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			return ce
		}
		return &Error{Problems: []Problem{{Origin: path, Msg: fmt.Sprintf("cannot read config file: %v", unwrapPathErr(err))}}}
	}
	l.files = append(l.files, path)
	return nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loadIncludes merges the files named by config_files as it stands in
// final (all layers applied). Included files cannot include more. Relative
// paths are relative to the main file's directory when the main file names
// them, else to the working directory.
func (l *loader) loadIncludes(mainFile string, final *loader) error {
	var wrap struct {
		ConfigFiles []ConfigFile `koanf:"config_files"`
	}
	ps := problems{origin: final.origins.lookup}
	if raw := final.k.Get("config_files"); raw != nil {
		if err := decodeInto(&wrap, map[string]any{"config_files": raw}); err != nil {
			decodeProblems(err, &ps)
			return ps.err()
		}
	}
	entries := wrap.ConfigFiles
	l.including = true
	defer func() { l.including = false }()
	for i, e := range entries {
		key := fmt.Sprintf("config_files[%d]", i)
		if e.Path == "" {
			ps.add(key, "path must be set")
			continue
		}
		st, ok := parseStrategy(e.Strategy)
		if !ok {
			ps.add(key+".strategy", "invalid value %q, want append, override or add-only", e.Strategy)
			continue
		}
		fromDefaults := final.origins.fromDefaults(key)
		p := e.Path
		if !filepath.IsAbs(p) && mainFile != "" && strings.HasPrefix(final.origins.lookup(key), mainFile+":") {
			p = filepath.Join(filepath.Dir(mainFile), p)
		}
		info, err := os.Stat(p)
		if err != nil {
			if !fromDefaults {
				l.warnings = append(l.warnings, Problem{Key: key, Origin: final.origins.lookup(key),
					Msg: fmt.Sprintf("%s is skipped: %v", p, unwrapPathErr(err))})
			}
			continue
		}
		files := []string{p}
		if info.IsDir() {
			files, err = yamlFilesIn(p)
			if err != nil {
				ps.add(key, "cannot read directory %s: %v", p, unwrapPathErr(err))
				continue
			}
		}
		for _, f := range files {
			if f == mainFile {
				continue
			}
			if err := l.loadFile(f, st); err != nil {
				return err
			}
		}
	}
	if err := ps.err(); err != nil {
		return err
	}
	return nil
}

// yamlFilesIn lists the *.yaml and *.yml regular files of dir in name order.
func yamlFilesIn(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if ext != ".yaml" && ext != ".yml" {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// loadHostnameEnv honours Falco's FALCO_HOSTNAME, below the SAKER_
// variables.
func (l *loader) loadHostnameEnv() {
	if v, ok := l.env["FALCO_HOSTNAME"]; ok && v != "" {
		_ = l.k.Set("hostname", v)
		l.origins.set("hostname", "environment variable FALCO_HOSTNAME")
	}
}

// loadEnv merges the SAKER_ variables.
func (l *loader) loadEnv() error {
	names := map[string]string{} // key path -> variable name
	environ := make([]string, 0, len(l.env))
	for k, v := range l.env {
		if strings.HasPrefix(k, EnvPrefix) {
			environ = append(environ, k+"="+v)
		}
	}
	sort.Strings(environ)
	var ignored []string
	p := envprovider.Provider(".", envprovider.Opt{
		Prefix:      EnvPrefix,
		EnvironFunc: func() []string { return environ },
		TransformFunc: func(name, v string) (string, any) {
			key := envKey(name)
			if key == "" {
				ignored = append(ignored, name)
				return "", nil
			}
			names[key] = name
			return key, envValue(key, v)
		},
	})
	err := l.k.Load(p, nil, koanf.WithMergeFunc(func(src, dest map[string]any) error {
		m := merger{st: replace, origins: l.origins, originOf: func(sp string) string {
			for q := sp; q != ""; q = parentPath(q) {
				if n, ok := names[q]; ok {
					return "environment variable " + n
				}
			}
			return "environment"
		}}
		m.mergeMap(dest, src, "", "")
		return nil
	}))
	for _, n := range ignored {
		l.warnings = append(l.warnings, Problem{Origin: "environment variable " + n,
			Msg: "ignored: not a config key (SAKER_KEY, with __ between nesting levels, e.g. SAKER_OTLP_OUTPUT__ENDPOINT)"})
	}
	return err
}

// applyOverrides applies -o options and flags to the merged tree.
func (l *loader) applyOverrides(ovs []override) error {
	if len(ovs) == 0 {
		return nil
	}
	tree := l.k.Raw()
	var ps []Problem
	for _, o := range ovs {
		if err := o.apply(tree, l.origins); err != nil {
			ps = append(ps, Problem{Origin: o.origin, Msg: strings.TrimPrefix(err.Error(), o.origin+": ")})
		}
	}
	if len(ps) > 0 {
		return &Error{Problems: ps}
	}
	return l.k.Load(confmap.Provider(tree, ""), nil, koanf.WithMergeFunc(func(src, dest map[string]any) error {
		clear(dest)
		for k, v := range src {
			dest[k] = v
		}
		return nil
	}))
}
