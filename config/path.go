package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// segKind is what a path segment addresses.
type segKind uint8

const (
	segKey    segKind = iota // .name
	segIndex                 // [N]
	segAppend                // []
)

// pathSeg is one step of a key path as written in -o options:
// otlp_output.headers.x-tenant, rules[0].disable.rule, append_output[].extra_output.
type pathSeg struct {
	kind  segKind
	key   string
	index int
}

// parsePath parses a dotted key path with [N] and [] list steps.
func parsePath(s string) ([]pathSeg, error) {
	if s == "" {
		return nil, fmt.Errorf("empty key")
	}
	var segs []pathSeg
	for part := range strings.SplitSeq(s, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name == "" {
			return nil, fmt.Errorf("empty key name in %q", s)
		}
		if strings.ContainsAny(name, "]= \t") {
			return nil, fmt.Errorf("invalid key name %q in %q", name, s)
		}
		segs = append(segs, pathSeg{kind: segKey, key: name})
		if rest == "" && !strings.Contains(part, "[") {
			continue
		}
		rest = "[" + rest
		for rest != "" {
			if rest[0] != '[' {
				return nil, fmt.Errorf("unexpected %q after ] in %q", rest, s)
			}
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("missing ] in %q", s)
			}
			idx := rest[1:end]
			if idx == "" {
				segs = append(segs, pathSeg{kind: segAppend})
			} else {
				n, err := strconv.Atoi(idx)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("list index %q is not a number >= 0 in %q", idx, s)
				}
				segs = append(segs, pathSeg{kind: segIndex, index: n})
			}
			rest = rest[end+1:]
		}
	}
	return segs, nil
}

// formatPath writes segments back as a path; [] is written as [] (callers
// resolve appends to indices first when they need a concrete path).
func formatPath(segs []pathSeg) string {
	var b strings.Builder
	for i, s := range segs {
		switch s.kind {
		case segKey:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		case segIndex:
			fmt.Fprintf(&b, "[%d]", s.index)
		case segAppend:
			b.WriteString("[]")
		}
	}
	return b.String()
}

var configType = reflect.TypeFor[Config]()

// schemaType returns the Go type the schema has at segs, or nil when the
// path is not in the schema (an unknown key, or inside an `any` value).
func schemaType(segs []pathSeg) reflect.Type {
	t := configType
	for _, s := range segs {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch s.kind {
		case segKey:
			switch t.Kind() {
			case reflect.Struct:
				f, ok := fieldByKey(t, s.key)
				if !ok {
					return nil
				}
				t = f.Type
			case reflect.Map:
				t = t.Elem()
			default:
				return nil
			}
		default:
			if t.Kind() != reflect.Slice {
				return nil
			}
			t = t.Elem()
		}
	}
	return t
}

// fieldByKey finds the struct field decoded from key, looking through
// squashed embedded structs.
func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts := tagOf(f)
		if opts == "squash" {
			ft := f.Type
			if ft.Kind() == reflect.Struct {
				if sf, ok := fieldByKey(ft, key); ok {
					sf.Index = append([]int{i}, sf.Index...)
					return sf, true
				}
			}
			continue
		}
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// keysOf lists the keys a struct type accepts (squashed fields inlined).
func keysOf(t reflect.Type) []string {
	var out []string
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts := tagOf(f)
		if opts == "squash" {
			out = append(out, keysOf(f.Type)...)
			continue
		}
		out = append(out, name)
	}
	return out
}

func tagOf(f reflect.StructField) (name, opts string) {
	tag, ok := f.Tag.Lookup("koanf")
	if !ok {
		return strings.ToLower(f.Name), ""
	}
	name, opts, _ = strings.Cut(tag, ",")
	if name == "" && opts != "squash" {
		name = strings.ToLower(f.Name)
	}
	return name, opts
}
