package config

import (
	"sort"
	"strings"
)

// builtinName is how the embedded defaults are named in origins and errors.
const builtinName = "saker.yaml (built-in)"

// origins maps a key path ("a.b", "a.list[2].c") to where its value came
// from. Setting a path forgets what was recorded below it, so after all
// layers each path names the layer that won.
type origins map[string]string

// set records that the value at path (and everything below it) came from
// origin.
func (o origins) set(path, origin string) {
	o.forget(path)
	o[path] = origin
}

// forget removes path and everything below it.
func (o origins) forget(path string) {
	for k := range o {
		if isUnder(k, path) {
			delete(o, k)
		}
	}
}

// isUnder reports whether k is path or a path below it.
func isUnder(k, path string) bool {
	if path == "" {
		return true
	}
	if !strings.HasPrefix(k, path) {
		return false
	}
	if len(k) == len(path) {
		return true
	}
	c := k[len(path)]
	return c == '.' || c == '['
}

// lookup returns the origin of path, or of its nearest ancestor that has one.
func (o origins) lookup(path string) string {
	for p := path; ; p = parentPath(p) {
		if s, ok := o[p]; ok {
			return s
		}
		if p == "" {
			return ""
		}
	}
}

// fromDefaults reports whether the value at path is still the built-in
// default.
func (o origins) fromDefaults(path string) bool {
	s := o.lookup(path)
	return s == "" || strings.HasPrefix(s, builtinName)
}

// under returns the paths at or below path, sorted.
func (o origins) under(path string) []string {
	var out []string
	for k := range o {
		if isUnder(k, path) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// parentPath strips the last ".key" or "[i]" of a path.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// best returns the origin to show for path: its own, or, when path is a
// mapping that still carries the defaults' origin while something below it
// was set elsewhere, the first such origin below.
func (o origins) best(path string) string {
	own := o.lookup(path)
	if !strings.HasPrefix(own, builtinName) {
		return own
	}
	for _, k := range o.under(path) {
		if s := o[k]; !strings.HasPrefix(s, builtinName) {
			return s
		}
	}
	return own
}
