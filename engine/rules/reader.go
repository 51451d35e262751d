package rules

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/sakersec/saker/engine/alert"
	"gopkg.in/yaml.v3"
)

var (
	yamlLineRe  = regexp.MustCompile(`line (\d+)`)
	macroNameRe = regexp.MustCompile(`^[a-zA-Z]+[a-zA-Z0-9_]*$`)
	listNameRe  = regexp.MustCompile(`^[^()"'[:space:]=,]+$`)
)

// Keys each item kind knows (anything else: LOAD_UNKNOWN_KEY).
var (
	listKeys  = []string{"list", "items", "append", "override"}
	macroKeys = []string{"macro", "condition", "append", "override"}
	ruleKeys  = []string{"rule", "condition", "output", "desc", "priority", "source", "enabled", "tags", "exceptions",
		"warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration", "append", "override"}

	ruleAppendable  = []string{"condition", "output", "desc", "tags", "exceptions"}
	ruleReplaceable = []string{"condition", "output", "desc", "priority", "capture", "capture_duration", "tags", "exceptions",
		"enabled", "warn_evttypes", "skip-if-unknown-filter"}
	ruleOverridable = []string{"condition", "output", "desc", "priority", "tags", "exceptions", "enabled",
		"warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration"}
)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// read parses the file's YAML documents and feeds each item to the collector.
func (l *Loader) read(f *file) {
	root := ctx{}.with("rules content", "", Position{Name: f.name})
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(f.content))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// yaml.v3 reports "yaml: line N: ..."; point the context there.
			c := root
			if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
				n, _ := strconv.Atoi(m[1])
				p := Position{Name: f.name, Line: n - 1}
				if n-1 < len(f.lineStarts) && n > 0 {
					p.Offset = f.lineStarts[n-1]
				}
				c = root.with("rules content item", "", p)
			}
			throwf(ErrYAMLParse, c, err.Error())
		}
		docs = append(docs, &n)
	}
	d := &decoder{f: f}
	for _, doc := range docs {
		n := doc
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				continue
			}
			n = n.Content[0]
		}
		n = resolve(n)
		if isNull(n) && n.Kind == yaml.ScalarNode {
			continue
		}
		if n.Kind != yaml.SequenceNode && n.Kind != yaml.MappingNode {
			throwf(ErrYAMLValidate, root, "Rules content is not yaml")
		}
		if n.Kind != yaml.SequenceNode {
			throwf(ErrYAMLValidate, root, "Rules content is not yaml array of objects")
		}
		for _, item := range n.Content {
			item = resolve(item)
			ic := root.with("rules content item", "", f.pos(item))
			if item.Kind != yaml.MappingNode {
				throwf(ErrYAMLValidate, ic, "Unexpected element type. Each element should be a yaml associative array.")
			}
			l.readItem(d, item, root)
		}
	}
}

func (l *Loader) unknownKeys(item *yaml.Node, known []string, c ctx) {
	for _, k := range keys(item) {
		if k.Kind == yaml.ScalarNode && !contains(known, k.Value) {
			l.warn(WarnUnknownKey, c, "Unknown key '"+k.Value+"'. The key will be ignored.")
		}
	}
}

// overrides decodes the "override" map of an item.
func (l *Loader) overrides(d *decoder, item *yaml.Node, appendable, replaceable []string, c ctx) (app, rep []string) {
	ov := get(item, "override")
	if ov == nil {
		return nil, nil
	}
	oc := c.with("overrides", "", d.f.pos(ov))
	if ov.Kind != yaml.MappingNode {
		throwf(ErrYAMLValidate, oc, "Value is not a map")
	}
	for i := 0; i+1 < len(ov.Content); i += 2 {
		k, v := resolve(ov.Content[i]), resolve(ov.Content[i+1])
		kc := oc.with("overrides", k.Value, d.f.pos(k))
		switch v.Value {
		case "append":
			if !contains(appendable, k.Value) {
				throwf(ErrYAMLValidate, kc, "Key '"+k.Value+"' cannot be appended to, use 'replace' instead")
			}
			app = append(app, k.Value)
		case "replace":
			if !contains(replaceable, k.Value) {
				throwf(ErrYAMLValidate, kc, "Key '"+k.Value+"' cannot be replaced")
			}
			rep = append(rep, k.Value)
		default:
			throwf(ErrYAMLValidate, kc, "Invalid override operation for key '"+k.Value+"': '"+v.Value+"'. Allowed values are: append replace ")
		}
	}
	return app, rep
}

// checkOverrideKeys enforces that the keys listed under override and the
// overridable keys present on the item are the same set.
func checkOverrideKeys(item *yaml.Node, overridable, app, rep []string, c ctx) {
	for _, list := range []struct {
		keys []string
		typ  string
	}{{app, "append"}, {rep, "replace"}} {
		for _, k := range list.keys {
			if get(item, k) == nil {
				throwf(ErrYAMLValidate, c, "An "+list.typ+" override for '"+k+"' was specified but '"+k+"' is not defined")
			}
		}
	}
	for _, k := range overridable {
		if get(item, k) != nil && !contains(app, k) && !contains(rep, k) {
			throwf(ErrYAMLValidate, c, "Unexpected key '"+k+"': no corresponding entry under 'override' is defined.")
		}
	}
}

func (l *Loader) appendFlag(d *decoder, item *yaml.Node, c ctx, hasOverride bool) bool {
	a, _ := d.boolean(item, "append", c, true)
	if a && hasOverride {
		throwf(ErrYAMLValidate, c, "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.")
	}
	if a {
		l.warn(WarnDeprecatedItem, c, "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.")
	}
	return a
}

func (l *Loader) readItem(d *decoder, item *yaml.Node, root ctx) {
	f := d.f
	switch {
	case get(item, "required_engine_version") != nil:
		v := get(item, "required_engine_version")
		c := root.with("required_engine_version", "", f.pos(item))
		if v.Kind != yaml.ScalarNode || isNull(v) {
			throwf(ErrYAMLValidate, c, "Value is not a scalar value")
		}
		var req semver
		if n, err := strconv.ParseUint(v.Value, 10, 64); err == nil {
			req = semver{0, n, 0}
		} else if sv, ok := parseSemver(v.Value); ok {
			req = sv
		} else {
			throwf(ErrYAMLValidate, c, "Unable to parse engine version '"+v.Value+"' as a semver string. Expected \"x.y.z\" semver format.")
		}
		if !(l.engine.major == req.major && !l.engine.less(req)) {
			throwf(ErrValidate, c, "Rules require engine version "+req.String()+", but engine version is "+l.engine.String())
		}
		if l.col.requiredEngine == nil || l.col.requiredEngine.less(req) {
			r := req
			l.col.requiredEngine = &r
		}
	case get(item, "required_plugin_versions") != nil:
		l.readPlugins(d, item, root)
	case get(item, "list") != nil:
		l.readList(d, item, root)
	case get(item, "macro") != nil:
		l.readMacro(d, item, root)
	case get(item, "rule") != nil:
		l.readRule(d, item, root)
	default:
		l.warn(WarnUnknownItem, root.with("rules content item", "", f.pos(item)), "Unknown top level item")
	}
}

func (l *Loader) readPlugins(d *decoder, item *yaml.Node, root ctx) {
	v := get(item, "required_plugin_versions")
	c := root.with("required plugin versions", "", d.f.pos(item))
	if v.Kind != yaml.SequenceNode {
		throwf(ErrYAMLValidate, c, "Value is not a sequence")
	}
	for _, e := range v.Content {
		e = resolve(e)
		ec := c.with("required plugin versions entry", "", d.f.pos(e))
		if e.Kind != yaml.MappingNode {
			throwf(ErrYAMLValidate, ec, "Unexpected element type. Each element should be a yaml associative array.")
		}
		var p pluginReq
		p.Name, _ = d.str(e, "name", ec, false)
		p.Version, _ = d.str(e, "version", ec, false)
		if _, ok := parseSemver(p.Version); !ok {
			throwf(ErrYAMLValidate, ec, "Unable to parse plugin version '"+p.Version+"' as a semver string. Expected \"x.y.z\" semver format.")
		}
		if alts := get(e, "alternatives"); alts != nil {
			if alts.Kind != yaml.SequenceNode {
				throwf(ErrYAMLValidate, ec, "Value is not a sequence")
			}
			for _, a := range alts.Content {
				a = resolve(a)
				ac := ec.with("required plugin versions alternative", "", d.f.pos(a))
				var alt pluginAlt
				alt.Name, _ = d.str(a, "name", ac, false)
				alt.Version, _ = d.str(a, "version", ac, false)
				p.Alternatives = append(p.Alternatives, alt)
			}
		}
		l.col.plugins = append(l.col.plugins, p)
		l.warn(WarnPluginRequired, ec, "Rules require plugin '"+p.Name+"' version "+p.Version+"; saker loads no plugins and provides the fields it implements itself")
	}
}

func (l *Loader) readList(d *decoder, item *yaml.Node, root ctx) {
	c0 := root.with("list", "", d.f.pos(item))
	name, _ := d.str(item, "list", c0, false)
	c := root.with("list", name, d.f.pos(item))
	if !listNameRe.MatchString(name) {
		l.warn(WarnInvalidListName, c, "List has an invalid name. List names should match a regular expression: [^()\"'[:space:]=,]+")
	}
	l.unknownKeys(item, listKeys, c)
	app, rep := l.overrides(d, item, []string{"items"}, []string{"items"}, c)
	isAppend := l.appendFlag(d, item, c, app != nil || rep != nil)
	if app != nil || rep != nil {
		checkOverrideKeys(item, []string{"items"}, app, rep, c)
	}
	items, _ := d.seq(item, "items", c, false)
	li := &listInfo{ctx: c, name: name, items: items}
	switch {
	case isAppend || contains(app, "items"):
		l.col.appendList(li)
	case contains(rep, "items"):
		l.col.replaceList(li)
	default:
		l.col.defineList(li)
	}
}

func (l *Loader) readMacro(d *decoder, item *yaml.Node, root ctx) {
	c0 := root.with("macro", "", d.f.pos(item))
	name, _ := d.str(item, "macro", c0, false)
	c := root.with("macro", name, d.f.pos(item))
	if !macroNameRe.MatchString(name) {
		l.warn(WarnInvalidMacroName, c, "Macro has an invalid name. Macro names should match a regular expression: [a-zA-Z]+[a-zA-Z0-9_]*")
	}
	l.unknownKeys(item, macroKeys, c)
	app, rep := l.overrides(d, item, []string{"condition"}, []string{"condition"}, c)
	isAppend := l.appendFlag(d, item, c, app != nil || rep != nil)
	if app != nil || rep != nil {
		checkOverrideKeys(item, []string{"condition"}, app, rep, c)
	}
	cond, _ := d.str(item, "condition", c, false)
	cn := get(item, "condition")
	m := &macroInfo{ctx: c, name: name, cond: cond, condPos: d.f.pos(cn)}
	m.condCtx = c.with("macro condition", "", m.condPos)
	switch {
	case isAppend || contains(app, "condition"):
		l.col.appendMacro(m)
	case contains(rep, "condition"):
		l.col.replaceMacro(m)
	default:
		l.col.defineMacro(m)
	}
}

func (l *Loader) readRule(d *decoder, item *yaml.Node, root ctx) {
	f := d.f
	c0 := root.with("rule", "", f.pos(item))
	name, _ := d.str(item, "rule", c0, false)
	c := root.with("rule", name, f.pos(item))
	l.unknownKeys(item, ruleKeys, c)
	app, rep := l.overrides(d, item, ruleAppendable, ruleReplaceable, c)
	hasOverrides := app != nil || rep != nil
	isAppend := l.appendFlag(d, item, c, hasOverrides)

	condOf := func(u *ruleUpdate) {
		s, _ := d.str(item, "condition", c, false)
		u.cond = &s
		u.condPos = f.pos(get(item, "condition"))
		u.condCtx = c.with("rule condition", "", u.condPos)
	}
	strOf := func(key string) *string {
		s, _ := d.str(item, key, c, false)
		if key == "output" {
			s = strings.TrimSpace(s)
		}
		return &s
	}
	switch {
	case hasOverrides:
		checkOverrideKeys(item, ruleOverridable, app, rep, c)
		ua := &ruleUpdate{ctx: c, name: name}
		ur := &ruleUpdate{ctx: c, name: name}
		for _, k := range ruleOverridable {
			var u *ruleUpdate
			switch {
			case contains(app, k):
				u = ua
			case contains(rep, k):
				u = ur
			default:
				continue
			}
			l.ruleKey(d, item, k, u, c, u == ua, condOf, strOf)
		}
		if app != nil {
			l.col.appendRule(l, ua)
		}
		if rep != nil {
			l.col.replaceRule(l, ur)
		}
	case isAppend:
		u := &ruleUpdate{ctx: c, name: name}
		for _, k := range ruleAppendable {
			if get(item, k) != nil {
				l.ruleKey(d, item, k, u, c, true, condOf, strOf)
			}
		}
		if u.cond == nil && !u.exceptionsSet && u.output == nil && u.desc == nil && !u.tagsSet {
			throwf(ErrYAMLValidate, c, "Appended rule must have exceptions or condition property")
		}
		l.col.appendRule(l, u)
	case get(item, "condition") == nil && get(item, "output") == nil && get(item, "desc") == nil && get(item, "priority") == nil:
		en, _ := d.boolean(item, "enabled", c, false)
		l.warn(WarnDeprecatedItem, c, "The rule has only the 'enabled' key; this form is deprecated. Use 'override: {enabled: replace}' instead.")
		l.col.enableRule(name, en, c)
	default:
		r := &ruleInfo{ctx: c, name: name, enabled: true, warnEvttypes: true, source: "syscall"}
		r.cond, _ = d.str(item, "condition", c, false)
		r.condPos = f.pos(get(item, "condition"))
		r.condCtx = c.with("rule condition", "", r.condPos)
		out, _ := d.str(item, "output", c, false)
		r.output = strings.TrimSpace(out)
		r.outputCtx = c.with("rule output", "", f.pos(get(item, "output")))
		r.desc, _ = d.str(item, "desc", c, false)
		ps, _ := d.str(item, "priority", c, false)
		p, err := alert.ParsePriority(ps)
		if err != nil {
			throwf(ErrYAMLValidate, c.with("rule priority", "", f.pos(get(item, "priority"))), "Invalid priority")
		}
		r.priority = p
		if s, ok := d.str(item, "source", c, true); ok {
			r.source = s
		}
		if b, ok := d.boolean(item, "enabled", c, true); ok {
			r.enabled = b
		}
		if b, ok := d.boolean(item, "warn_evttypes", c, true); ok {
			r.warnEvttypes = b
		}
		if b, ok := d.boolean(item, "skip-if-unknown-filter", c, true); ok {
			r.skipUnknown = b
		}
		if b, ok := d.boolean(item, "capture", c, true); ok {
			r.capture = b
		}
		if n, ok := d.uint(item, "capture_duration", c); ok {
			r.captureDuration = n
		}
		if tags, ok := d.seq(item, "tags", c, true); ok {
			r.tags = tagUnion(nil, tags)
		}
		r.exceptions = l.readExceptions(d, item, c, false)
		l.col.defineRule(l, r)
	}
}

// ruleKey decodes one overridable key into an update.
func (l *Loader) ruleKey(d *decoder, item *yaml.Node, k string, u *ruleUpdate, c ctx, appending bool,
	condOf func(*ruleUpdate), strOf func(string) *string) {
	switch k {
	case "condition":
		condOf(u)
	case "output", "desc":
		s := strOf(k)
		if k == "output" {
			u.output = s
		} else {
			u.desc = s
		}
	case "tags":
		u.tags, _ = d.seq(item, "tags", c, false)
		u.tagsSet = true
	case "exceptions":
		u.exceptions = l.readExceptions(d, item, c, appending)
		u.exceptionsSet = true
	case "priority":
		ps, _ := d.str(item, "priority", c, false)
		p, err := alert.ParsePriority(ps)
		if err != nil {
			throwf(ErrYAMLValidate, c.with("rule priority", "", d.f.pos(get(item, "priority"))), "Invalid priority")
		}
		u.priority = &p
	case "enabled", "warn_evttypes", "skip-if-unknown-filter", "capture":
		b, _ := d.boolean(item, k, c, false)
		switch k {
		case "enabled":
			u.enabled = &b
		case "warn_evttypes":
			u.warnEvttypes = &b
		case "skip-if-unknown-filter":
			u.skipUnknown = &b
		default:
			u.capture = &b
		}
	case "capture_duration":
		n, _ := d.uint(item, k, c)
		u.captureDuration = &n
	}
}

// readExceptions implements Falco's read_rule_exceptions.
func (l *Loader) readExceptions(d *decoder, item *yaml.Node, parent ctx, appending bool) []exceptionInfo {
	exs := get(item, "exceptions")
	if exs == nil || isNull(exs) {
		return nil
	}
	ec := parent.with("exceptions", "", d.f.pos(exs))
	if exs.Kind != yaml.SequenceNode {
		throwf(ErrYAMLValidate, ec, "Rule exceptions must be a sequence")
	}
	var out []exceptionInfo
	for _, ex := range exs.Content {
		ex = resolve(ex)
		tmp := ec.with("exception", "", d.f.pos(ex))
		if ex.Kind != yaml.MappingNode {
			throwf(ErrYAMLValidate, tmp, "Rule exception must be a mapping")
		}
		name, _ := d.str(ex, "name", tmp, false)
		xc := parent.with("exception", name, d.f.pos(ex))
		info := exceptionInfo{ctx: xc, name: name}
		info.fields = d.exEntryKey(ex, "fields", xc, appending)
		info.comps = d.exEntryKey(ex, "comps", xc, true)
		if vals := get(ex, "values"); vals != nil {
			vc := xc.with("exception values", "", d.f.pos(vals))
			if vals.Kind != yaml.SequenceNode {
				throwf(ErrYAMLValidate, vc, "Rule exception values must be a sequence")
			}
			info.hasVal = true
			for _, v := range vals.Content {
				v = resolve(v)
				info.values = append(info.values, d.exEntry(v, vc.with("exception value", "", d.f.pos(v))))
			}
		}
		out = append(out, info)
	}
	return out
}

// exEntryKey decodes the fields/comps key of an exception: a scalar or a
// sequence of scalars.
func (d *decoder) exEntryKey(ex *yaml.Node, key string, c ctx, optional bool) exEntry {
	v := get(ex, key)
	if v == nil {
		if optional {
			return exEntry{}
		}
		throwf(ErrYAMLValidate, c, "Item has no mapping for key '"+key+"'")
	}
	vc := c.with("value for", key, d.f.pos(v))
	if isNull(v) {
		throwf(ErrYAMLValidate, c, "Mapping for key '"+key+"' is empty")
	}
	e := d.exEntry(v, vc)
	return e
}

// exEntry decodes a scalar or a (nested) sequence.
func (d *decoder) exEntry(v *yaml.Node, c ctx) exEntry {
	switch v.Kind {
	case yaml.ScalarNode:
		return exEntry{item: v.Value, set: true}
	case yaml.SequenceNode:
		e := exEntry{isList: true, set: true}
		for _, x := range v.Content {
			x = resolve(x)
			e.items = append(e.items, d.exEntry(x, c))
		}
		return e
	}
	throwf(ErrYAMLValidate, c, "Value is not a scalar value or a sequence")
	return exEntry{}
}
