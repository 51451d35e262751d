package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxYAMLNodes bounds the values one document may expand to. Aliases make a
// small file expand exponentially ("billion laughs"); a real config has a
// few hundred values.
const maxYAMLNodes = 200_000

// document is one YAML source parsed into plain Go values (map[string]any,
// []any, string, int, float64, bool, nil) plus the position of every value,
// keyed by its path ("a.b", "a.list[2].c").
type document struct {
	name string // file name as shown in errors ("saker.yaml", "/etc/saker/saker.yaml")
	tree map[string]any
	pos  map[string]position
}

// position is where a value was written.
type position struct {
	Line, Col int
}

// parseYAML parses a config document. Errors carry the source name and the
// line (and column where yaml.v3 gives one); a document that is not a
// mapping is an error, an empty document is an empty mapping. Scalars that
// contain ${VAR} are expanded from env (see expandEnv). It never panics.
func parseYAML(name string, data []byte, env map[string]string) (doc *document, err error) {
	defer func() {
		// yaml.v3 has had panics on hostile input; a config loader must
		// answer with an error instead.
		if r := recover(); r != nil {
			doc, err = nil, &Error{Problems: []Problem{{Origin: name, Msg: fmt.Sprintf("invalid YAML: %v", r)}}}
		}
	}()
	doc = &document{name: name, tree: map[string]any{}, pos: map[string]position{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return doc, nil
		}
		return nil, syntaxError(name, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{Problems: []Problem{{Origin: fmt.Sprintf("%s:%d:%d", name, extra.Line, extra.Column),
			Msg: "a config file holds one YAML document; found a second one (---)"}}}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(name, data, err)
	}
	c := converter{doc: doc, env: env}
	n := &root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return doc, nil
		}
		n = n.Content[0]
	}
	n = resolveAlias(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return doc, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, c.errAt(n, "", fmt.Sprintf("the top level of a config file must be a mapping of keys to values, found %s", kindName(n)))
	}
	v, err := c.value(n, "")
	if err != nil {
		return nil, err
	}
	doc.tree = v.(map[string]any)
	return doc, nil
}

// syntaxError turns a yaml.v3 parse error ("yaml: line 3: ...") into an
// Error with file:line and the offending source line quoted, since yaml.v3
// reports no column for syntax errors.
func syntaxError(name string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if l, perr := strconv.Atoi(rest[:i]); perr == nil {
				line, msg = l, rest[i+2:]
			}
		}
	}
	if line == 0 {
		line = locateError(data, msg)
	}
	origin := name
	if line > 0 {
		origin = fmt.Sprintf("%s:%d", name, line)
		if src := sourceLine(data, line); src != "" {
			msg += fmt.Sprintf("\n\t%d | %s", line, src)
		}
	}
	return &Error{Problems: []Problem{{Origin: origin, Msg: "invalid YAML: " + msg}}}
}

// locateError finds the line of a syntax error yaml.v3 reported without
// one (it omits it for errors on the first line and for some parser
// errors): the first line n such that the first n lines alone fail with the
// same message. 0 when there is no such line.
func locateError(data []byte, msg string) int {
	var ends []int // byte offset after each line
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	if len(ends) > 100_000 {
		return 0
	}
	same := func(n int) bool {
		var node yaml.Node
		err := yaml.Unmarshal(data[:ends[n-1]], &node)
		return err != nil && strings.TrimPrefix(err.Error(), "yaml: ") == msg
	}
	// Failing with the same message is not monotone in n in general (a
	// cut can end inside a flow list), but it is for the errors that reach
	// here: scanner errors and unknown anchors. Bisect, then check.
	lo, hi := 1, len(ends)
	for lo < hi {
		mid := (lo + hi) / 2
		if same(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if !same(lo) {
		return 0
	}
	return lo
}

func sourceLine(data []byte, line int) string {
	for i := 1; len(data) > 0; i++ {
		l, rest, _ := bytes.Cut(data, []byte{'\n'})
		if i == line {
			s := strings.TrimRight(string(l), "\r")
			if len(s) > 200 {
				s = s[:200] + "..."
			}
			return printable(s)
		}
		data = rest
	}
	return ""
}

type converter struct {
	doc   *document
	env   map[string]string
	nodes int
}

func (c *converter) errAt(n *yaml.Node, path, msg string) error {
	p := Problem{Key: path, Origin: fmt.Sprintf("%s:%d:%d", c.doc.name, n.Line, n.Column), Msg: msg}
	return &Error{Problems: []Problem{p}}
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the scalar %q", n.Value)
	}
	return "an alias"
}

// value converts node n found at path, recording positions.
func (c *converter) value(n *yaml.Node, path string) (any, error) {
	c.nodes++
	if c.nodes > maxYAMLNodes {
		return nil, c.errAt(n, path, fmt.Sprintf("document expands to more than %d values (alias loop or alias bomb?)", maxYAMLNodes))
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, c.errAt(n, path, "unknown alias")
		}
		// The value comes from the anchor, the position stays where the
		// alias is used.
		v, err := c.value(resolveAlias(n), path)
		if err == nil {
			c.doc.pos[path] = position{n.Line, n.Column}
		}
		return v, err
	}
	if path != "" {
		c.doc.pos[path] = position{n.Line, n.Column}
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		keyLine := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := resolveAlias(n.Content[i]), n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				if err := c.mergeKey(m, keyLine, v, path); err != nil {
					return nil, err
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, c.errAt(k, path, fmt.Sprintf("a key must be a scalar, found %s", kindName(k)))
			}
			if first, dup := keyLine[k.Value]; dup && first > 0 {
				return nil, c.errAt(k, join(path, k.Value), fmt.Sprintf("key %q is already defined at line %d", k.Value, first))
			}
			keyLine[k.Value] = k.Line
			child := join(path, k.Value)
			cv, err := c.value(v, child)
			if err != nil {
				return nil, err
			}
			if rv := resolveAlias(v); rv.Kind == yaml.MappingNode || rv.Kind == yaml.SequenceNode {
				// A block collection starts on the next line; point at
				// its key instead.
				c.doc.pos[child] = position{k.Line, k.Column}
			}
			m[k.Value] = cv
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			ev, err := c.value(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			l = append(l, ev)
		}
		return l, nil
	case yaml.ScalarNode:
		return c.scalar(n, path)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], path)
	}
	return nil, c.errAt(n, path, "unsupported YAML node")
}

// mergeKey applies a YAML merge key (<<: *anchor or <<: [*a, *b]): keys of
// the merged mappings are added unless the mapping sets them itself (keys
// written before and after the merge key both win, as in YAML 1.1).
func (c *converter) mergeKey(m map[string]any, keyLine map[string]int, v *yaml.Node, path string) error {
	v = resolveAlias(v)
	var srcs []*yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		srcs = []*yaml.Node{v}
	case yaml.SequenceNode:
		for _, e := range v.Content {
			srcs = append(srcs, resolveAlias(e))
		}
	}
	for _, s := range srcs {
		if s.Kind != yaml.MappingNode {
			return c.errAt(s, path, "a merge key (<<) takes a mapping or a list of mappings")
		}
		sv, err := c.value(s, path)
		if err != nil {
			return err
		}
		for k, x := range sv.(map[string]any) {
			if _, set := m[k]; !set {
				m[k] = x
				keyLine[k] = 0 // merged keys may be redefined
			}
		}
	}
	return nil
}

func (c *converter) scalar(n *yaml.Node, path string) (any, error) {
	switch n.Tag {
	case "!!str", "!!binary", "!!timestamp":
		return c.expand(n, path)
	case "!!null":
		return nil, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, c.errAt(n, path, fmt.Sprintf("cannot read value %q: %v", n.Value, err))
	}
	if _, ok := v.(string); ok {
		return c.expand(n, path)
	}
	return v, nil
}

// expand returns a string scalar with ${NAME} replaced by the environment
// variable NAME, as Falco does for its config values ($${ escapes). A
// reference to an unset variable is an error: an empty endpoint or path
// would fail later with a far less clear message.
func (c *converter) expand(n *yaml.Node, path string) (any, error) {
	s := n.Value
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s)
			break
		}
		name := s[i+2 : i+end]
		val, ok := c.env[name]
		if !ok {
			return nil, c.errAt(n, path, fmt.Sprintf("environment variable %q referenced by ${%s} is not set", name, name))
		}
		b.WriteString(s[:i])
		b.WriteString(val)
		s = s[i+end+1:]
	}
	return b.String(), nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// printable escapes control characters and invalid UTF-8 so a quoted source
// line cannot garble a terminal.
func printable(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\t' || (r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0)):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "\\x%02x", r)
		}
	}
	return b.String()
}
