package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Load error and warning codes, Falco's names.
const (
	ErrFileRead         = "LOAD_ERR_FILE_READ"
	ErrYAMLParse        = "LOAD_ERR_YAML_PARSE"
	ErrYAMLValidate     = "LOAD_ERR_YAML_VALIDATE"
	ErrCompileCondition = "LOAD_ERR_COMPILE_CONDITION"
	ErrCompileOutput    = "LOAD_ERR_COMPILE_OUTPUT"
	ErrValidate         = "LOAD_ERR_VALIDATE"
	ErrExtension        = "LOAD_ERR_EXTENSION"

	WarnUnknownSource = "LOAD_UNKNOWN_SOURCE"
	// WarnUnsafeNACheck is never emitted: Falco raises it for <NA>
	// comparisons of the k8s audit plugin's ka.*/jevt.* fields, which do
	// not exist here (k8s_audit rules are skipped for their source, syscall
	// rules naming them fail on an unknown field; nacheck_test.go).
	WarnUnsafeNACheck      = "LOAD_UNSAFE_NA_CHECK"
	WarnNoEvttype          = "LOAD_NO_EVTTYPE"
	WarnUnknownFilter      = "LOAD_UNKNOWN_FILTER"
	WarnUnusedMacro        = "LOAD_UNUSED_MACRO"
	WarnUnusedList         = "LOAD_UNUSED_LIST"
	WarnUnknownItem        = "LOAD_UNKNOWN_ITEM"
	WarnDeprecatedItem     = "LOAD_DEPRECATED_ITEM"
	WarnExtension          = "LOAD_WARNING_EXTENSION"
	WarnAppendNoValues     = "LOAD_APPEND_NO_VALUES"
	WarnExceptionNotUnique = "LOAD_EXCEPTION_NAME_NOT_UNIQUE"
	WarnInvalidMacroName   = "LOAD_INVALID_MACRO_NAME"
	WarnInvalidListName    = "LOAD_INVALID_LIST_NAME"
	WarnCompileCondition   = "LOAD_COMPILE_CONDITION"
	WarnUnknownKey         = "LOAD_UNKNOWN_KEY"
	WarnUnimplementedField = "LOAD_UNIMPLEMENTED_FIELD" // saker's own: field known but not extracted yet
	WarnPluginRequired     = "LOAD_REQUIRED_PLUGIN"     // saker's own: rules require a plugin saker does not load
)

// codeShort is the short description of every code (falco_load_result.cpp).
var codeShort = map[string]string{
	ErrFileRead: "File read error", ErrYAMLParse: "YAML parse error",
	ErrYAMLValidate: "Error validating internal structure of YAML file", ErrCompileCondition: "Error compiling condition",
	ErrCompileOutput: "Error compiling output", ErrValidate: "Error validating rule/macro/list/exception objects",
	ErrExtension:      "Error in extension item",
	WarnUnknownSource: "Unknown event source", WarnUnsafeNACheck: "Unsafe <NA> comparison in condition",
	WarnNoEvttype: "Condition has no event-type restriction", WarnUnknownFilter: "Unknown field or event-type in condition or output",
	WarnUnusedMacro: "Unused macro", WarnUnusedList: "Unused list", WarnUnknownItem: "Unknown rules file item",
	WarnDeprecatedItem: "Used deprecated item", WarnExtension: "Warning in extension item",
	WarnAppendNoValues: "Overriding/appending with no values", WarnExceptionNotUnique: "Multiple exceptions defined with the same name",
	WarnInvalidMacroName: "Invalid macro name", WarnInvalidListName: "Invalid list name",
	WarnCompileCondition: "Warning in rule condition", WarnUnknownKey: "Unknown key in item definition",
	WarnUnimplementedField: "Field not implemented by saker",
	WarnPluginRequired:     "Required plugin not loaded",
}

// codeLong is the long description Falco puts in JSON codedesc for warnings.
var codeLong = map[string]string{
	WarnUnknownSource:      "The rule's event source is not available here, so the rule is skipped.",
	WarnUnsafeNACheck:      "The condition compares a field with <NA>; test whether the field exists with the 'exists' operator instead.",
	WarnNoEvttype:          "The condition can match so many event types that the rule runs on nearly every event; restrict it with evt.type.",
	WarnUnknownFilter:      "The condition or output names an unknown field or event type; with skip-if-unknown-filter the rule is dropped instead of failing the load.",
	WarnUnusedMacro:        "The macro is not used by any rule or macro.",
	WarnUnusedList:         "The list is not used by any rule, macro or list.",
	WarnUnknownItem:        "The rules file has a top-level item of an unknown kind; it is ignored.",
	WarnDeprecatedItem:     "The rules use a deprecated construct.",
	WarnExtension:          "An extension item has a warning.",
	WarnAppendNoValues:     "An appended or overridden exception has no values and does nothing.",
	WarnExceptionNotUnique: "The rule defines several exceptions with the same name.",
	WarnInvalidMacroName:   "The macro name does not match [a-zA-Z]+[a-zA-Z0-9_]*.",
	WarnInvalidListName:    "The list name does not match [^()\"'[:space:]=,]+.",
	WarnCompileCondition:   "The rule or macro condition has a warning.",
	WarnUnknownKey:         "An item has a key that is not part of its definition; it is ignored.",
	WarnUnimplementedField: "A rule uses a field that saker knows but cannot extract yet; checks on it are false and outputs show <NA>.",
	WarnPluginRequired:     "The rules require a plugin; saker loads no plugins and serves the fields it implements itself.",
}

// Position is a location in a rules file or a condition: 0-based line and
// column as yaml-cpp reports them (Falco's JSON), a byte offset, and the
// file name (or, for conditions, the quoted condition start).
type Position struct {
	Name   string `json:"name"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Offset int    `json:"offset"`
}

// Location is one frame of a message's context: which item, of what kind.
type Location struct {
	ItemType string   `json:"item_type"`
	ItemName string   `json:"item_name"`
	Pos      Position `json:"position"`
}

// Message is one load error or warning.
type Message struct {
	Code      string
	Msg       string
	Locations []Location
	Snippet   string
	// DeprecatedField is set for deprecated-field warnings.
	DeprecatedField string
}

// Item returns the innermost item type and name the message refers to
// (the first location that names an item: rule, macro, list, ...).
func (m *Message) Item() (typ, name string) {
	for i := len(m.Locations) - 1; i >= 0; i-- {
		l := m.Locations[i]
		switch l.ItemType {
		case "rule", "macro", "list", "required_engine_version", "required plugin versions", "rules content item":
			return l.ItemType, l.ItemName
		}
	}
	if len(m.Locations) > 0 {
		l := m.Locations[len(m.Locations)-1]
		return l.ItemType, l.ItemName
	}
	return "", ""
}

// String renders "file:line:col: CODE: message" (1-based line/column).
func (m *Message) String() string {
	var where string
	for i := len(m.Locations) - 1; i >= 0; i-- {
		p := m.Locations[i].Pos
		if i == 0 || !strings.HasPrefix(p.Name, "\"") {
			where = fmt.Sprintf("%s:%d:%d: ", p.Name, p.Line+1, p.Column+1)
			break
		}
	}
	t, n := m.Item()
	item := ""
	if t != "" {
		item = " (" + t + " '" + n + "')"
	}
	return where + m.Code + ": " + m.Msg + item
}

// FileResult is the outcome of loading one rules file, Falco's load_result.
type FileResult struct {
	Name     string
	Errors   []Message
	Warnings []Message
}

// Successful reports whether the file loaded without errors.
func (r *FileResult) Successful() bool { return len(r.Errors) == 0 }

// HasWarnings reports whether the file produced warnings.
func (r *FileResult) HasWarnings() bool { return len(r.Warnings) > 0 }

type jsonMsg struct {
	Code            string          `json:"code"`
	Codedesc        string          `json:"codedesc"`
	Context         jsonContext     `json:"context"`
	DeprecatedField *string         `json:"deprecated_field,omitempty"`
	Message         string          `json:"message"`
	_               json.RawMessage `json:"-"`
}

type jsonContext struct {
	Locations []Location `json:"locations"`
	Snippet   string     `json:"snippet"`
}

type jsonLocation struct {
	ItemName string  `json:"item_name"`
	ItemType string  `json:"item_type"`
	Position jsonPos `json:"position"`
}

type jsonPos struct {
	Column int    `json:"column"`
	Line   int    `json:"line"`
	Name   string `json:"name"`
	Offset int    `json:"offset"`
}

type jsonResult struct {
	Errors         []jsonMsg `json:"errors"`
	Name           string    `json:"name"`
	SchemaValid    bool      `json:"schema_valid"`
	SchemaWarnings []string  `json:"schema_warnings"`
	Successful     bool      `json:"successful"`
	Warnings       []jsonMsg `json:"warnings"`
}

func toJSONMsgs(ms []Message, warn bool) []jsonMsg {
	out := make([]jsonMsg, 0, len(ms))
	for _, m := range ms {
		desc := codeShort[m.Code]
		if warn {
			if l, ok := codeLong[m.Code]; ok {
				desc = l
			}
		}
		jm := jsonMsg{Code: m.Code, Codedesc: desc, Message: m.Msg, Context: jsonContext{Snippet: m.Snippet, Locations: []Location{}}}
		jm.Context.Locations = append(jm.Context.Locations, m.Locations...)
		if m.DeprecatedField != "" {
			f := m.DeprecatedField
			jm.DeprecatedField = &f
		}
		out = append(out, jm)
	}
	return out
}

// MarshalJSON writes Location with Falco's sorted keys.
func (l Location) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonLocation{ItemName: l.ItemName, ItemType: l.ItemType,
		Position: jsonPos{Column: l.Pos.Column, Line: l.Pos.Line, Name: l.Pos.Name, Offset: l.Pos.Offset}})
}

// ValidationJSON renders results as `falco -V` prints them with
// json_output: {"falco_load_results":[...]} (keys sorted). describe, when
// not nil, is added as "falco_describe_results".
func ValidationJSON(results []*FileResult, describe any) []byte {
	rs := make([]jsonResult, 0, len(results))
	for _, r := range results {
		rs = append(rs, jsonResult{Errors: toJSONMsgs(r.Errors, false), Name: r.Name, SchemaValid: true,
			SchemaWarnings: []string{}, Successful: r.Successful(), Warnings: toJSONMsgs(r.Warnings, true)})
	}
	doc := map[string]any{"falco_load_results": rs}
	if describe != nil {
		doc["falco_describe_results"] = describe
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// Text renders a result the way Falco prints it in text mode: "<file>: Ok",
// "<file>: Ok, with warnings", or "<file>: Invalid" followed by the errors
// (and, when verbose, the warnings) with their context.
func (r *FileResult) Text(verbose bool) string {
	var b strings.Builder
	b.WriteString(r.Name)
	switch {
	case !r.Successful():
		b.WriteString(": Invalid\n")
	case r.HasWarnings():
		b.WriteString(": Ok, with warnings\n")
	default:
		b.WriteString(": Ok\n")
		return b.String()
	}
	write := func(title string, ms []Message) {
		b.WriteString(strconv.Itoa(len(ms)) + " " + title + ":\n")
		for _, m := range ms {
			for i, l := range m.Locations {
				if i > 0 {
					b.WriteString("    ")
				}
				fmt.Fprintf(&b, "In %s '%s': (%s:%d:%d)\n", l.ItemType, l.ItemName, l.Pos.Name, l.Pos.Line, l.Pos.Column)
			}
			b.WriteString("------\n")
			b.WriteString(m.Snippet)
			b.WriteString("------\n")
			fmt.Fprintf(&b, "%s (%s): %s\n", m.Code, codeShort[m.Code], m.Msg)
		}
	}
	if !r.Successful() {
		write("Errors", r.Errors)
	}
	if verbose && r.HasWarnings() {
		write("Warnings", r.Warnings)
	}
	return b.String()
}

// Summary renders the one-line form "<file>: Invalid\n N errors: [CODE (short)...]".
func (r *FileResult) Summary() string {
	if r.Successful() {
		if r.HasWarnings() {
			return r.Name + ": Ok, with warnings"
		}
		return r.Name + ": Ok"
	}
	codes := make([]string, 0, len(r.Errors))
	for _, e := range r.Errors {
		codes = append(codes, e.Code+" ("+codeShort[e.Code]+")")
	}
	sort.Strings(codes)
	return fmt.Sprintf("%s: Invalid\n %d errors: [%s]", r.Name, len(r.Errors), strings.Join(codes, " "))
}
