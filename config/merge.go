package config

import "fmt"

// strategy is how a layer merges into what is loaded so far. In all of
// them mappings merge key by key (a file that sets webserver.listen_port
// keeps the other webserver keys) and a null value leaves what is there.
type strategy int

const (
	// replace: lists and scalars replace. The main file, env, -o.
	replace strategy = iota
	// appendLists: lists are appended to, scalars replace. Falco's
	// "append", the default for config_files.
	appendLists
	// addOnly: only keys that no earlier file set are added (a key that
	// still holds its built-in default counts as unset).
	addOnly
)

func parseStrategy(s string) (strategy, bool) {
	switch s {
	case "", "append":
		return appendLists, true
	case "override":
		return replace, true
	case "add-only":
		return addOnly, true
	}
	return 0, false
}

// merger merges one layer's tree into the loaded tree and records the
// origin of every value it takes.
type merger struct {
	st      strategy
	origins origins
	// originOf names where the layer's value at srcPath was written.
	originOf func(srcPath string) string
}

func (m *merger) mergeMap(dst, src map[string]any, dstPath, srcPath string) {
	for k, v := range src {
		if v == nil {
			continue
		}
		dp, sp := join(dstPath, k), join(srcPath, k)
		cur, exists := dst[k]
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := cur.(map[string]any); ok {
				// The mapping itself is now (also) written here: point
				// at this layer for problems about the mapping as a whole.
				m.origins[dp] = m.originOf(sp)
				m.mergeMap(dm, sm, dp, sp)
				continue
			}
		}
		if m.st == addOnly && exists && !m.origins.fromDefaults(dp) {
			continue
		}
		if sl, ok := v.([]any); ok && m.st == appendLists {
			if dl, ok := cur.([]any); ok {
				n := len(dl)
				dst[k] = append(dl, sl...)
				for i, e := range sl {
					m.record(e, fmt.Sprintf("%s[%d]", dp, n+i), fmt.Sprintf("%s[%d]", sp, i))
				}
				continue
			}
		}
		dst[k] = v
		if exists {
			m.origins.forget(dp)
		}
		m.record(v, dp, sp)
	}
}

// record sets the origin of v (at dstPath, written at srcPath) and of
// everything inside it. Older entries below dstPath must have been
// forgotten.
func (m *merger) record(v any, dstPath, srcPath string) {
	m.origins[dstPath] = m.originOf(srcPath)
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			m.record(e, join(dstPath, k), join(srcPath, k))
		}
	case []any:
		for i, e := range x {
			m.record(e, fmt.Sprintf("%s[%d]", dstPath, i), fmt.Sprintf("%s[%d]", srcPath, i))
		}
	}
}
