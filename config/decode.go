package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
)

var (
	durationType   = reflect.TypeFor[time.Duration]()
	extraFieldType = reflect.TypeFor[ExtraField]()
	configFileType = reflect.TypeFor[ConfigFile]()
)

// decoderConfig is how the merged tree becomes a Config. Types are strict
// (a mapping where a number belongs is an error) except for the scalar
// conversions a YAML user expects: "8765" or 8765 for a number, yes/no/on/off
// for a bool, a number for a string, one value for a one-element list.
func decoderConfig(result any, md *mapstructure.Metadata) *mapstructure.DecoderConfig {
	return &mapstructure.DecoderConfig{
		TagName:  "koanf",
		Result:   result,
		Metadata: md,
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			extraFieldHook, configFileHook, durationHook, scalarHook, singleToListHook,
		),
	}
}

// durationHook reads durations as Go (1m30s, 250ms) or Prometheus (1d, 2w,
// 1y) strings. A bare number is refused: seconds or milliseconds?
func durationHook(from, to reflect.Type, data any) (any, error) {
	if to != durationType {
		return data, nil
	}
	switch v := data.(type) {
	case string:
		return parseDuration(v)
	case time.Duration:
		return v, nil
	case int, int64, uint64, float64:
		return nil, fmt.Errorf("a duration needs a unit, e.g. %vs or %vms; got %v", v, v, v)
	}
	return data, nil
}

// parseDuration accepts a sequence of <number><unit> with units ns, us, µs,
// ms, s, m, h, d (24h), w (7d), y (365d).
func parseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if s == "0" {
		return 0, nil
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	var total float64
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid duration %q: want e.g. 500ms, 30s, 5m, 1h, 1d", orig)
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: want e.g. 500ms, 30s, 5m, 1h, 1d", orig)
		}
		s = s[i:]
		j := 0
		for j < len(s) && !(s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		var unit time.Duration
		switch s[:j] {
		case "ns":
			unit = time.Nanosecond
		case "us", "µs":
			unit = time.Microsecond
		case "ms":
			unit = time.Millisecond
		case "s":
			unit = time.Second
		case "m":
			unit = time.Minute
		case "h":
			unit = time.Hour
		case "d":
			unit = 24 * time.Hour
		case "w":
			unit = 7 * 24 * time.Hour
		case "y":
			unit = 365 * 24 * time.Hour
		case "":
			return 0, fmt.Errorf("invalid duration %q: missing unit (ns, us, ms, s, m, h, d, w, y)", orig)
		default:
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (want ns, us, ms, s, m, h, d, w, y)", orig, s[:j])
		}
		total += n * float64(unit)
		s = s[j:]
	}
	if total > math.MaxInt64 {
		return 0, fmt.Errorf("invalid duration %q: too long", orig)
	}
	if neg {
		total = -total
	}
	return time.Duration(total), nil
}

// scalarHook converts between scalar kinds the way YAML users expect, and
// refuses the lossy conversions mapstructure would otherwise do silently
// (1.5 into an int).
func scalarHook(from, to reflect.Type, data any) (any, error) {
	if data == nil {
		return nil, nil
	}
	switch to.Kind() {
	case reflect.String:
		switch v := data.(type) {
		case bool:
			return strconv.FormatBool(v), nil
		case int:
			return strconv.Itoa(v), nil
		case int64:
			return strconv.FormatInt(v, 10), nil
		case uint64:
			return strconv.FormatUint(v, 10), nil
		case float64:
			return strconv.FormatFloat(v, 'g', -1, 64), nil
		}
	case reflect.Bool:
		if s, ok := data.(string); ok {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true", "yes", "on", "y":
				return true, nil
			case "false", "no", "off", "n":
				return false, nil
			}
			return nil, fmt.Errorf("invalid value %q, want true or false", s)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if to == durationType {
			return data, nil
		}
		switch v := data.(type) {
		case string:
			s := strings.TrimSpace(v)
			n, err := strconv.ParseInt(s, 0, 64)
			if err != nil {
				u, uerr := strconv.ParseUint(s, 0, 64)
				if uerr != nil {
					return nil, fmt.Errorf("invalid value %q, want an integer", v)
				}
				return u, nil
			}
			return n, nil
		case float64:
			if v != math.Trunc(v) {
				return nil, fmt.Errorf("invalid value %v, want an integer", v)
			}
		case bool:
			return nil, fmt.Errorf("invalid value %v, want an integer", v)
		}
	case reflect.Float32, reflect.Float64:
		switch v := data.(type) {
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return nil, fmt.Errorf("invalid value %q, want a number", v)
			}
			return f, nil
		case bool:
			return nil, fmt.Errorf("invalid value %v, want a number", v)
		}
	}
	return data, nil
}

// singleToListHook lets a single value stand for a one-element list
// (rules_file: /etc/falco_rules.yaml), as Falco does.
func singleToListHook(from, to reflect.Type, data any) (any, error) {
	if to.Kind() != reflect.Slice || data == nil {
		return data, nil
	}
	switch from.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return data, nil
	}
	return []any{data}, nil
}

// extraFieldHook reads `- evt.hostname` and `- name: "%fmt"`.
func extraFieldHook(from, to reflect.Type, data any) (any, error) {
	if to != extraFieldType {
		return data, nil
	}
	switch v := data.(type) {
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("empty field name")
		}
		return ExtraField{Field: v}, nil
	case map[string]any:
		if len(v) != 1 {
			return nil, fmt.Errorf("want a field name or a mapping with one key (name: \"%%format\"), got a mapping with %d keys", len(v))
		}
		for k, f := range v {
			s, ok := f.(string)
			if !ok {
				return nil, fmt.Errorf("%s: want a format string, got %s", k, describe(f))
			}
			return ExtraField{Name: k, Format: s}, nil
		}
	case ExtraField:
		return v, nil
	}
	return nil, fmt.Errorf("want a field name or a mapping with one key (name: \"%%format\"), got %s", describe(data))
}

// configFileHook reads `- /path` and `- {path: /path, strategy: append}`.
func configFileHook(from, to reflect.Type, data any) (any, error) {
	if to != configFileType {
		return data, nil
	}
	if s, ok := data.(string); ok {
		return map[string]any{"path": s}, nil
	}
	return data, nil
}

// describe names a decoded YAML value for messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing (null)"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case int, int64, uint64:
		return fmt.Sprintf("the integer %v", x)
	case float64:
		return fmt.Sprintf("the number %v", x)
	}
	return fmt.Sprintf("%v", v)
}

// describeType names what a Go type accepts, for messages.
func describeType(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 30s"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer >= 0"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Pointer:
		return describeType(t.Elem())
	}
	return t.String()
}

// decodeProblems turns mapstructure's errors into Problems naming the key
// (in the loader's path syntax) and what it wants.
func decodeProblems(err error, ps *problems) {
	var leaves []error
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case *mapstructure.DecodeError:
			leaves = append(leaves, x)
			return
		case interface{ Unwrap() []error }:
			for _, y := range x.Unwrap() {
				walk(y)
			}
			return
		case interface{ Unwrap() error }:
			if in := x.Unwrap(); in != nil {
				walk(in)
				return
			}
		}
		leaves = append(leaves, e)
	}
	walk(err)
	type item struct{ key, msg string }
	var items []item
	for _, e := range leaves {
		var de *mapstructure.DecodeError
		if !errors.As(e, &de) {
			items = append(items, item{"", e.Error()})
			continue
		}
		key := mapstructureName(de.Name())
		inner := de.Unwrap()
		var msg string
		var ute *mapstructure.UnconvertibleTypeError
		var pe *mapstructure.ParseError
		switch {
		case errors.As(inner, &ute):
			msg = fmt.Sprintf("want %s, got %s", describeType(ute.Expected.Type()), describe(ute.Value))
		case errors.As(inner, &pe):
			msg = fmt.Sprintf("want %s, got %s", describeType(pe.Expected.Type()), describe(pe.Value))
		default:
			msg = inner.Error()
			if strings.HasPrefix(msg, "expected a map") || strings.HasPrefix(msg, "source data must be an array or slice") {
				want := "a mapping"
				if !strings.HasPrefix(msg, "expected a map") {
					want = "a list"
				}
				msg = "want " + want
				if ps.value != nil {
					if v, ok := ps.value(key); ok {
						msg += ", got " + describe(v)
					}
				}
			}
		}
		items = append(items, item{key, msg})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].key < items[j].key })
	for _, it := range items {
		ps.add(it.key, "%s", it.msg)
	}
}

// mapstructureName converts mapstructure's field names ("a.b[0].c",
// "static_fields[x]") to the loader's paths ("a.b[0].c", "static_fields.x").
func mapstructureName(n string) string {
	var b strings.Builder
	for n != "" {
		i := strings.IndexByte(n, '[')
		if i < 0 {
			b.WriteString(n)
			break
		}
		b.WriteString(n[:i])
		end := strings.IndexByte(n[i:], ']')
		if end < 0 {
			b.WriteString(n[i:])
			break
		}
		inner := n[i+1 : i+end]
		if _, err := strconv.Atoi(inner); err == nil {
			b.WriteString(n[i : i+end+1])
		} else {
			b.WriteByte('.')
			b.WriteString(inner)
		}
		n = n[i+end+1:]
	}
	return b.String()
}
