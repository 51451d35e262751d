package alert

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// JSONOptions are Falco's json_include_* switches. The zero value includes
// nothing optional; [DefaultJSONOptions] has Falco's defaults.
type JSONOptions struct {
	IncludeOutput       bool // json_include_output_property (default true)
	IncludeMessage      bool // json_include_message_property (default false)
	IncludeOutputFields bool // json_include_output_fields_property (default true)
	IncludeTags         bool // json_include_tags_property (default true)
}

// DefaultJSONOptions returns Falco's defaults.
func DefaultJSONOptions() JSONOptions {
	return JSONOptions{IncludeOutput: true, IncludeOutputFields: true, IncludeTags: true}
}

// AppendJSON appends the alert as one line of Falco alert JSON (no trailing
// newline) to buf. Keys are in alphabetical order, as Falco's encoder writes them:
// hostname, message, output, output_fields, priority, rule, source, tags, time.
// Internal alerts carry no tags key, as in Falco.
func (a *Alert) AppendJSON(buf []byte, o JSONOptions) []byte {
	buf = append(buf, `{"hostname":`...)
	buf = appendString(buf, a.Hostname)
	if o.IncludeMessage {
		buf = append(buf, `,"message":`...)
		buf = appendString(buf, a.Message)
	}
	if o.IncludeOutput {
		buf = append(buf, `,"output":`...)
		buf = appendString(buf, a.Output)
	}
	if o.IncludeOutputFields {
		buf = append(buf, `,"output_fields":`...)
		buf = appendFields(buf, a.Fields)
	}
	buf = append(buf, `,"priority":`...)
	buf = appendString(buf, a.Priority.String())
	buf = append(buf, `,"rule":`...)
	buf = appendString(buf, a.Rule)
	buf = append(buf, `,"source":`...)
	buf = appendString(buf, a.Source)
	if o.IncludeTags && a.Source != SourceInternal {
		buf = append(buf, `,"tags":[`...)
		for i, t := range a.Tags {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, t)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"time":`...)
	buf = appendString(buf, FormatTime(a.Time))
	return append(buf, '}')
}

// FormatTime renders t the way Falco's "time" key does: UTC with nanoseconds
// and a Z suffix, e.g. 2016-08-04T16:17:57.881781397Z.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

func appendFields(buf []byte, fields []Field) []byte {
	// Falco's output_fields is a JSON object with sorted keys; a name that
	// appears twice (a field used twice in one output) is written once.
	idx := make([]int, 0, len(fields))
	for i := range fields {
		idx = append(idx, i)
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		switch {
		case fields[x].Name < fields[y].Name:
			return -1
		case fields[x].Name > fields[y].Name:
			return 1
		}
		return 0
	})
	buf = append(buf, '{')
	prev := ""
	for n, i := range idx {
		f := fields[i]
		if n > 0 && f.Name == prev {
			continue
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		prev = f.Name
		buf = appendString(buf, f.Name)
		buf = append(buf, ':')
		buf = appendValue(buf, f.Value)
	}
	return append(buf, '}')
}

func appendValue(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case string:
		return appendString(buf, x)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case uint64:
		return strconv.AppendUint(buf, x, 10)
	case bool:
		return strconv.AppendBool(buf, x)
	case float64:
		return strconv.AppendFloat(buf, x, 'g', -1, 64)
	case []string:
		buf = append(buf, '[')
		for i, s := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, s)
		}
		return append(buf, ']')
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return append(buf, "null"...)
		}
		return append(buf, b...)
	}
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// Falco's encoder replaces it, and control characters are escaped.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c == '\b':
				buf = append(buf, '\\', 'b')
			case c == '\f':
				buf = append(buf, '\\', 'f')
			case c < 0x20 || c == 0x7f:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, "\ufffd"...)
		} else {
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}
