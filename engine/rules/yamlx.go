package rules

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// loadError is a load error raised while reading or compiling; it unwinds
// to the file loop, which records it and stops the file (Falco stops at
// the first error of a file).
type loadError struct {
	code string
	msg  string
	ctx  ctx
}

// ctx is a stack of locations, outermost first. It is copied on extension.
type ctx []Location

func (c ctx) with(typ, name string, pos Position) ctx {
	out := make(ctx, len(c), len(c)+1)
	copy(out, c)
	return append(out, Location{ItemType: typ, ItemName: name, Pos: pos})
}

func throwf(code string, c ctx, msg string) {
	panic(&loadError{code: code, msg: msg, ctx: c})
}

// file holds one file's content, to turn yaml.v3 positions into Falco's.
type file struct {
	name       string
	content    []byte
	lineStarts []int
}

func newFile(name string, content []byte) *file {
	f := &file{name: name, content: content, lineStarts: []int{0}}
	for i, c := range content {
		if c == '\n' {
			f.lineStarts = append(f.lineStarts, i+1)
		}
	}
	return f
}

// pos converts a node's 1-based line/column to Falco's 0-based position.
func (f *file) pos(n *yaml.Node) Position {
	if n == nil || n.Line == 0 {
		return Position{Name: f.name}
	}
	line, col := n.Line-1, n.Column-1
	off := col
	if line < len(f.lineStarts) {
		off = f.lineStarts[line] + col
	}
	return Position{Name: f.name, Line: line, Column: col, Offset: off}
}

// snippet renders the line of p with a caret under its column.
func (f *file) snippet(p Position) string {
	if p.Line >= len(f.lineStarts) || p.Name != f.name {
		return ""
	}
	start := f.lineStarts[p.Line]
	end := len(f.content)
	if p.Line+1 < len(f.lineStarts) {
		end = f.lineStarts[p.Line+1] - 1
	}
	line := string(f.content[start:end])
	if len(line) > 160 {
		line = line[:160]
	}
	col := p.Column
	if col > len(line) {
		col = len(line)
	}
	return line + "\n" + strings.Repeat(" ", col) + "^\n"
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// get returns the value of key in mapping n, or nil when absent.
func get(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			v := resolve(n.Content[i+1])
			if v == nil {
				v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
			}
			return v
		}
	}
	return nil
}

func keys(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, resolve(n.Content[i]))
	}
	return out
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || (n.Tag == "" && (n.Value == "" || n.Value == "~" || n.Value == "null") && n.Style == 0))
}

// decoder wraps the Falco decode_val/decode_seq rules for one file.
type decoder struct{ f *file }

// str decodes a required (or optional) scalar string value.
func (d *decoder) str(item *yaml.Node, key string, c ctx, optional bool) (string, bool) {
	v := get(item, key)
	if v == nil {
		if optional {
			return "", false
		}
		throwf(ErrYAMLValidate, c, "Item has no mapping for key '"+key+"'")
	}
	if isNull(v) {
		throwf(ErrYAMLValidate, c, "Mapping for key '"+key+"' is empty")
	}
	vc := c.with("value for", key, d.f.pos(v))
	if v.Kind != yaml.ScalarNode {
		throwf(ErrYAMLValidate, vc, "Value is not a scalar value")
	}
	if v.Value == "" {
		throwf(ErrYAMLValidate, vc, "Value must be non-empty")
	}
	return v.Value, true
}

func parseBool(s string) (bool, bool) {
	switch s {
	case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
		return true, true
	case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N":
		return false, true
	}
	return false, false
}

// boolean decodes a bool value.
func (d *decoder) boolean(item *yaml.Node, key string, c ctx, optional bool) (bool, bool) {
	s, ok := d.str(item, key, c, optional)
	if !ok {
		return false, false
	}
	b, ok := parseBool(s)
	if !ok {
		throwf(ErrYAMLValidate, c.with("value for", key, d.f.pos(get(item, key))), "Can't decode YAML scalar value")
	}
	return b, true
}

func (d *decoder) uint(item *yaml.Node, key string, c ctx) (uint64, bool) {
	s, ok := d.str(item, key, c, true)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		throwf(ErrYAMLValidate, c.with("value for", key, d.f.pos(get(item, key))), "Can't decode YAML scalar value")
	}
	return n, true
}

// seq decodes a sequence of scalars.
func (d *decoder) seq(item *yaml.Node, key string, c ctx, optional bool) ([]string, bool) {
	v := get(item, key)
	if v == nil {
		if optional {
			return nil, false
		}
		throwf(ErrYAMLValidate, c, "Item has no mapping for key '"+key+"'")
	}
	vc := c.with("value for", key, d.f.pos(v))
	if v.Kind != yaml.SequenceNode {
		throwf(ErrYAMLValidate, vc, "Value is not a sequence")
	}
	out := make([]string, 0, len(v.Content))
	for _, e := range v.Content {
		e = resolve(e)
		if e.Kind != yaml.ScalarNode {
			throwf(ErrYAMLValidate, vc, "sequence value is not scalar")
		}
		out = append(out, e.Value)
	}
	return out, true
}
