package config

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// override is one key=value setting from the command line.
type override struct {
	segs   []pathSeg
	text   string // value as written
	value  any    // used instead of text when hasVal (flags with a fixed value)
	hasVal bool
	origin string // "-o key=value", "flag -A"
}

// parseOverride parses Falco's -o syntax: KEY=VALUE where KEY is a dotted
// path with [N] (an element) and [] (a new element appended) steps, and
// VALUE is YAML (a scalar, [a, b], {k: v}).
func parseOverride(s string) (override, error) {
	key, val, ok := strings.Cut(s, "=")
	if !ok {
		return override{}, fmt.Errorf("-o %s: want key=value", s)
	}
	segs, err := parsePath(strings.TrimSpace(key))
	if err != nil {
		return override{}, fmt.Errorf("-o %s: %v", s, err)
	}
	if segs[0].kind != segKey {
		return override{}, fmt.Errorf("-o %s: a key must start with a name", s)
	}
	return override{segs: segs, text: val, origin: "-o " + s}, nil
}

// apply sets the override in tree and records origins. The value is typed
// by the schema type at the key: strings are taken as written (quotes
// around the whole value are removed), anything else is parsed as YAML.
func (o override) apply(tree map[string]any, orig origins) error {
	var concrete []pathSeg
	var setErr error
	var set func(cur any, segs []pathSeg) any
	set = func(cur any, segs []pathSeg) any {
		if setErr != nil {
			return cur
		}
		if len(segs) == 0 {
			v, err := o.typedValue(concrete)
			if err != nil {
				setErr = err
				return cur
			}
			return v
		}
		s := segs[0]
		here := formatPath(concrete)
		switch s.kind {
		case segKey:
			m, ok := cur.(map[string]any)
			if cur == nil {
				m, ok = map[string]any{}, true
			}
			if !ok {
				setErr = fmt.Errorf("%s: cannot set %q in %s, it is not a mapping", o.origin, s.key, describeAt(here, cur))
				return cur
			}
			concrete = append(concrete, s)
			m[s.key] = set(m[s.key], segs[1:])
			return m
		default:
			l, ok := cur.([]any)
			if cur == nil {
				l, ok = []any{}, true
			}
			if !ok {
				setErr = fmt.Errorf("%s: cannot index %s, it is not a list", o.origin, describeAt(here, cur))
				return cur
			}
			i := len(l)
			if s.kind == segIndex {
				i = s.index
				if i > len(l) {
					setErr = fmt.Errorf("%s: index %d is out of range: %s has %d elements (use [] or [%d] to append)",
						o.origin, i, here, len(l), len(l))
					return cur
				}
			}
			concrete = append(concrete, pathSeg{kind: segIndex, index: i})
			if i == len(l) {
				return append(l, set(nil, segs[1:]))
			}
			l[i] = set(l[i], segs[1:])
			return l
		}
	}
	set(tree, o.segs)
	if setErr != nil {
		return setErr
	}
	orig.set(formatPath(concrete), o.origin)
	return nil
}

func describeAt(path string, v any) string {
	if path == "" {
		return "the top level"
	}
	return fmt.Sprintf("%s (%s)", path, describe(v))
}

func (o override) typedValue(concrete []pathSeg) (any, error) {
	if o.hasVal {
		return o.value, nil
	}
	t := schemaType(concrete)
	if t != nil && t.Kind() == reflect.String {
		return unquote(o.text), nil
	}
	if strings.TrimSpace(o.text) == "" {
		return nil, nil
	}
	v, err := parseYAMLValue(o.text)
	if err != nil {
		if t == nil || isScalarKind(t) {
			// Unknown keys and scalars: the text, checked when decoding.
			return o.text, nil
		}
		return nil, fmt.Errorf("%s: the value is not valid YAML: %v", o.origin, err)
	}
	return v, nil
}

// unquote removes one level of YAML quotes around a whole value.
func unquote(s string) string {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && (t[0] == '"' && t[len(t)-1] == '"' || t[0] == '\'' && t[len(t)-1] == '\'') {
		var out string
		if err := yaml.Unmarshal([]byte(t), &out); err == nil {
			return out
		}
	}
	return s
}
