package config

import (
	"reflect"
	"strings"
)

// EnvPrefix starts every environment variable that sets a config key.
const EnvPrefix = "SAKER_"

// envKey maps an environment variable name to a key path:
//
//	SAKER_PRIORITY                         priority
//	SAKER_JSON_OUTPUT                      json_output
//	SAKER_OTLP_OUTPUT__ENDPOINT            otlp_output.endpoint
//	SAKER_OTLP_OUTPUT__TLS__CA_FILE        otlp_output.tls.ca_file
//	SAKER_ENGINE__REPLAY__CAPTURE_FILE     engine.replay.capture_file
//	SAKER_STATIC_FIELDS__CLUSTER           static_fields.cluster
//
// The name after the prefix is lower-cased; "__" separates nesting levels
// and a single "_" stays part of the key, so Falco's snake_case keys need no
// escaping. It returns "" for a name that maps to no key.
func envKey(name string) string {
	rest, ok := strings.CutPrefix(name, EnvPrefix)
	if !ok || rest == "" {
		return ""
	}
	parts := strings.Split(strings.ToLower(rest), "__")
	for _, p := range parts {
		if p == "" || strings.HasPrefix(p, "_") || strings.HasSuffix(p, "_") {
			return ""
		}
	}
	return strings.Join(parts, ".")
}

// envValue types an environment variable's text by the schema type of the
// key it sets:
//   - strings stay as written (no YAML: "a: b" is a string);
//   - lists of scalars take "a,b,c" or a YAML flow list "[a, b]";
//   - mappings, lists of mappings and unknown keys take YAML
//     ('{cluster: prod}', '[{suggested_output: true}]'), falling back to
//     the text when it is not YAML;
//   - scalars stay text and are converted (and checked) when decoding.
func envValue(key, text string) any {
	segs, err := parsePath(key)
	if err != nil {
		return text
	}
	t := schemaType(segs)
	if t == nil {
		return yamlOrText(text)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if strings.TrimSpace(text) == "" {
		// An empty variable empties a list or mapping.
		switch t.Kind() {
		case reflect.Slice:
			return []any{}
		case reflect.Map, reflect.Struct:
			return map[string]any{}
		}
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return text
	case reflect.Slice:
		if isScalarKind(t.Elem()) {
			s := strings.TrimSpace(text)
			if strings.HasPrefix(s, "[") {
				return yamlOrText(s)
			}
			var out []any
			for item := range strings.SplitSeq(s, ",") {
				if item = strings.TrimSpace(item); item != "" {
					out = append(out, item)
				}
			}
			if out == nil {
				out = []any{}
			}
			return out
		}
	}
	return yamlOrText(text)
}

func isScalarKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// yamlOrText parses text as one YAML value, or returns it unchanged if it
// is not valid YAML.
func yamlOrText(text string) any {
	v, err := parseYAMLValue(text)
	if err != nil {
		return text
	}
	return v
}

// parseYAMLValue parses a YAML value (a scalar, or a flow or block list or
// mapping) given on the command line or in the environment.
func parseYAMLValue(text string) (any, error) {
	doc, err := parseYAML("value", []byte("v: "+indentContinuation(text)), nil)
	if err != nil {
		return nil, err
	}
	return doc.tree["v"], nil
}

// indentContinuation lets a multi-line value follow "v: ".
func indentContinuation(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	return "\n  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// envMap turns a KEY=VALUE list into a map (later entries win, as in exec).
func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}
