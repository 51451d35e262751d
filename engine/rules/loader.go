package rules

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/filter"
)

// EngineVersion is the rules engine version saker declares: the Falco
// engine version whose rules language it implements, so rules files that
// require it (falcosecurity/rules HEAD requires 0.57.0) load.
const EngineVersion = "0.57.0"

// Config configures a Loader.
type Config struct {
	// Fields is the registry conditions and outputs compile against
	// (default fields.Default).
	Fields *fields.Registry
	// EngineVersion overrides [EngineVersion] (tests).
	EngineVersion string
	// Sources are the event sources rules may use; default: syscall.
	// Rules of other sources are skipped with LOAD_UNKNOWN_SOURCE.
	Sources []string
}

// Loader reads rules files in order and compiles them into a [Ruleset].
// Like Falco, it compiles everything collected so far after each file, so
// a file's errors (including compile errors of rules it appends to) are
// reported against it.
type Loader struct {
	cfg     Config
	engine  semver
	col     *collector
	results []*FileResult
	cur     *FileResult
	curFile *file
	last    *Ruleset
	sess    *fields.Session // of the compile in progress
}

// NewLoader returns a loader with an empty collection.
func NewLoader(cfg Config) *Loader {
	if cfg.Fields == nil {
		cfg.Fields = fields.Default
	}
	if cfg.EngineVersion == "" {
		cfg.EngineVersion = EngineVersion
	}
	if len(cfg.Sources) == 0 {
		cfg.Sources = []string{"syscall"}
	}
	ev, ok := parseSemver(cfg.EngineVersion)
	if !ok {
		panic("rules: invalid engine version " + cfg.EngineVersion)
	}
	return &Loader{cfg: cfg, engine: ev, col: newCollector()}
}

// Results returns the per-file results so far.
func (l *Loader) Results() []*FileResult { return l.results }

// Ruleset returns the ruleset of the last successful compile (nil if none).
func (l *Loader) Ruleset() *Ruleset { return l.last }

// LoadFile reads and loads one file. A read error is recorded as
// LOAD_ERR_FILE_READ in the file's result.
func (l *Loader) LoadFile(path string) *FileResult {
	content, err := os.ReadFile(path)
	if err != nil {
		r := &FileResult{Name: path}
		r.Errors = append(r.Errors, Message{Code: ErrFileRead, Msg: err.Error(),
			Locations: []Location{{ItemType: "rules content", Pos: Position{Name: path}}}})
		l.results = append(l.results, r)
		return r
	}
	return l.Load(path, content)
}

// LoadFiles loads files in order and stops after the first that fails, as
// Falco does at startup. It returns the last ruleset compiled and whether
// every file loaded.
func (l *Loader) LoadFiles(paths ...string) (*Ruleset, bool) {
	for _, p := range paths {
		if r := l.LoadFile(p); !r.Successful() {
			return l.last, false
		}
	}
	return l.last, true
}

// Load reads one file's content (name is used in messages) and compiles
// the collection. The result is also appended to Results.
func (l *Loader) Load(name string, content []byte) *FileResult {
	r := &FileResult{Name: name}
	l.results = append(l.results, r)
	l.cur = r
	l.curFile = newFile(name, content)
	defer func() { l.cur, l.curFile = nil, nil }()
	if !l.guard(func() { l.read(l.curFile) }) {
		return r
	}
	l.guard(func() {
		rs := l.compile()
		l.last = rs
	})
	return r
}

// guard runs fn and turns a thrown loadError into an error message.
func (l *Loader) guard(fn func()) (ok bool) {
	defer func() {
		if x := recover(); x != nil {
			le, isLE := x.(*loadError)
			if !isLE {
				panic(x)
			}
			l.addMessage(&l.cur.Errors, le.code, le.ctx, le.msg, "")
			ok = false
		}
	}()
	fn()
	return true
}

func (l *Loader) addMessage(dst *[]Message, code string, c ctx, msg, depField string) {
	m := Message{Code: code, Msg: msg, DeprecatedField: depField}
	m.Locations = append(m.Locations, c...)
	if len(m.Locations) > 0 && l.curFile != nil {
		// The snippet points at the innermost location in this file.
		for i := len(m.Locations) - 1; i >= 0; i-- {
			if m.Locations[i].Pos.Name == l.curFile.name {
				m.Snippet = l.curFile.snippet(m.Locations[i].Pos)
				break
			}
		}
	}
	*dst = append(*dst, m)
}

func (l *Loader) warn(code string, c ctx, msg string) {
	l.addMessage(&l.cur.Warnings, code, c, msg, "")
}

func (l *Loader) knownSource(s string) bool {
	for _, k := range l.cfg.Sources {
		if k == s {
			return true
		}
	}
	return false
}

// validLHS reports whether a field expression (with argument or
// transformer) can be the left side of a check.
func (l *Loader) validLHS(expr string) bool {
	o, n, err := condition.ParseOperand(expr)
	if err != nil || n != len(expr) {
		return false
	}
	_, err = (&filter.Compiler{Fields: l.cfg.Fields}).CompileOperand(o)
	return err == nil
}

var modifierOps = []string{"oneof", "anyof", "allof"}

// isOperator reports whether s is a comparison operator usable in an
// exception comps entry, including "<strop> oneof|anyof|allof".
func isOperator(s string) bool {
	if op, ok := condition.ParseOp(s); ok {
		return op != condition.OpExists
	}
	return isModifierOp(s)
}

func isModifierOp(s string) bool {
	for _, m := range modifierOps {
		if n := len(s) - len(m) - 1; n > 0 && s[n] == ' ' && s[n+1:] == m {
			op, ok := condition.ParseOp(s[:n])
			return ok && op.IsStrOp()
		}
	}
	return false
}

func isListOperator(s string) bool {
	return s == "in" || s == "intersects" || s == "pmatch" || isModifierOp(s)
}

// validateException implements Falco's validate_exception_info.
func (l *Loader) validateException(ex *exceptionInfo) {
	if ex.fields.isList {
		if !ex.comps.set {
			ex.comps = exEntry{isList: true, set: true}
			for range ex.fields.items {
				ex.comps.items = append(ex.comps.items, exEntry{item: "=", set: true})
			}
		}
		if len(ex.fields.items) != len(ex.comps.items) {
			throwf(ErrValidate, ex.ctx, "Fields and comps lists must have equal length")
		}
		for _, c := range ex.comps.items {
			if !isOperator(c.item) {
				throwf(ErrValidate, ex.ctx, "'"+c.item+"' is not a supported comparison operator")
			}
		}
		for _, f := range ex.fields.items {
			if !l.validLHS(f.item) {
				throwf(ErrValidate, ex.ctx, "'"+f.item+"' is not a supported filter field")
			}
		}
		return
	}
	if !ex.comps.set {
		ex.comps = exEntry{item: "in", set: true}
	}
	if ex.comps.isList {
		throwf(ErrValidate, ex.ctx, "Fields and comps must both be strings")
	}
	if !isListOperator(ex.comps.item) {
		throwf(ErrValidate, ex.ctx, "When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)")
	}
	if !l.validLHS(ex.fields.item) {
		throwf(ErrValidate, ex.ctx, "'"+ex.fields.item+"' is not a supported filter field")
	}
}

// FileName returns the base name used in messages for path.
func FileName(path string) string { return filepath.Base(path) }

func (l *Loader) String() string { return fmt.Sprintf("rules.Loader(%d files)", len(l.results)) }
