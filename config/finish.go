package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/go-viper/mapstructure/v2"
)

// finish decodes the merged tree, applies the OTEL_ variables, normalises
// legacy keys, collects warnings and validates.
func (l *loader) finish() (*Config, error) {
	tree := l.k.Raw()
	cfg := &Config{}
	ps := problems{origin: l.origins.best, value: func(key string) (any, bool) { return lookupTree(tree, key) }}
	var md mapstructure.Metadata
	d, err := mapstructure.NewDecoder(decoderConfig(cfg, &md))
	if err != nil {
		return nil, err
	}
	if err := d.Decode(tree); err != nil {
		decodeProblems(err, &ps)
		return nil, ps.err()
	}
	l.applyOTelEnv(cfg, tree, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	l.normalise(cfg)
	l.unknownKeys(md.Unused)
	l.ineffective(cfg)
	sort.SliceStable(l.warnings, func(i, j int) bool { return l.warnings[i].Key < l.warnings[j].Key })
	cfg.validate(&ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	cfg.meta = meta{files: l.files, warnings: l.warnings, origins: l.origins, tree: tree}
	return cfg, nil
}

// applyOTelEnv applies the standard OTEL_EXPORTER_OTLP_* variables to
// otlp_output. They rank below the SAKER_ variables and the command line:
// keys those set are decoded again over what the OTEL_ variables gave.
func (l *loader) applyOTelEnv(cfg *Config, tree map[string]any, ps *problems) {
	getenv := func(k string) string { return l.env[k] }
	if err := cfg.Config.ApplyEnv(getenv); err != nil {
		ps.list = append(ps.list, Problem{Key: "otlp_output", Origin: "environment", Msg: err.Error()})
		return
	}
	done := ""
	for _, p := range l.origins.under("otlp_output") {
		if done != "" && isUnder(p, done) {
			continue
		}
		o := l.origins[p]
		if !strings.HasPrefix(o, "environment variable "+EnvPrefix) && !strings.HasPrefix(o, "-o ") && !strings.HasPrefix(o, "flag ") {
			continue
		}
		done = p
		if err := redecode(cfg, tree, p); err != nil {
			ps.add(p, "%v", err)
		}
	}
}

// redecode decodes the tree's value at path into the matching field of cfg
// again. A path into a list redecodes the whole list; a path to a map
// element sets that element only.
func redecode(cfg *Config, tree map[string]any, path string) error {
	segs, err := parsePath(path)
	if err != nil {
		return err
	}
	v := reflect.ValueOf(cfg).Elem()
	var node any = tree
	for i, s := range segs {
		if s.kind != segKey {
			return nil
		}
		m, _ := node.(map[string]any)
		node = m[s.key]
		switch v.Kind() {
		case reflect.Struct:
			f, ok := fieldByKey(v.Type(), s.key)
			if !ok {
				return nil
			}
			v = v.FieldByIndex(f.Index)
			more := i+1 < len(segs) && segs[i+1].kind == segKey
			if more && (v.Kind() == reflect.Struct || v.Kind() == reflect.Map) {
				continue
			}
			fresh := reflect.New(v.Type())
			if err := decodeInto(fresh.Interface(), node); err != nil {
				return err
			}
			v.Set(fresh.Elem())
			return nil
		case reflect.Map:
			elem := reflect.New(v.Type().Elem())
			if err := decodeInto(elem.Interface(), node); err != nil {
				return err
			}
			if v.IsNil() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			v.SetMapIndex(reflect.ValueOf(s.key), elem.Elem())
			return nil
		default:
			return nil
		}
	}
	return nil
}

func decodeInto(out any, data any) error {
	d, err := mapstructure.NewDecoder(decoderConfig(out, nil))
	if err != nil {
		return err
	}
	return d.Decode(data)
}

// normalise maps Falco's legacy spellings onto the current keys.
func (l *loader) normalise(cfg *Config) {
	if len(cfg.RulesFile) > 0 {
		if len(cfg.RulesFiles) > 0 && !l.origins.fromDefaults("rules_files") {
			l.warn("rules_file", "ignored because rules_files is set (rules_files wins, as in Falco)")
		} else {
			cfg.RulesFiles = cfg.RulesFile
		}
	}
	cfg.RulesFile = nil
}

// ignoredKeys are Falco keys saker reads past, with the reason.
var ignoredKeys = []struct{ key, why string }{
	{"grpc", "saker has no gRPC server (Falco removed it in 0.44); use otlp_output"},
	{"grpc_output", "saker has no gRPC output (Falco removed it in 0.44); use otlp_output"},
	{"engine.kmod", "saker has no kernel module; engine.kind kmod is not supported"},
	{"engine.gvisor", "saker does not support gVisor"},
	{"engine.ebpf.probe", "saker's eBPF probe is built in"},
	{"modern_bpf", "legacy Falco key; use engine.modern_ebpf"},
	{"syscall_buf_size_preset", "legacy Falco key; use engine.<kind>.buf_size_preset"},
	{"syscall_drop_failed_exit", "legacy Falco key; use engine.<kind>.drop_failed_exit"},
	{"container_engines", "saker asks CRI runtimes only (container_engines.cri); other engines' containers are known by their cgroup id"},
	{"plugins_hostinfo", "saker has no plugins"},
	{"falco_libs.thread_table_min_size", "not used by saker"},
	{"engine.modern_ebpf.disable_iterators", "saker's probe has no BPF iterators"},
	{"engine.ebpf.disable_iterators", "saker's probe has no BPF iterators"},
	{"log_format", "not used by saker"},
}

// unknownKeys turns mapstructure's unused keys into warnings.
func (l *loader) unknownKeys(unused []string) {
	var keys []string
	for _, u := range unused {
		keys = append(keys, mapstructureName(u))
	}
	sort.Strings(keys)
	for _, k := range keys {
		why := ""
		for _, ik := range ignoredKeys {
			if isUnder(k, ik.key) {
				why = ik.why
				break
			}
		}
		if why != "" {
			l.warn(k, "ignored: %s", why)
			continue
		}
		msg := "unknown key, ignored"
		if s := suggest(k); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		l.warn(k, "%s", msg)
	}
}

// suggest proposes the schema key closest to an unknown key, if one is
// close enough to be a typo.
func suggest(key string) string {
	segs, err := parsePath(key)
	if err != nil || len(segs) == 0 || segs[len(segs)-1].kind != segKey {
		return ""
	}
	parent := schemaType(segs[:len(segs)-1])
	for parent != nil && parent.Kind() == reflect.Pointer {
		parent = parent.Elem()
	}
	if parent == nil || parent.Kind() != reflect.Struct {
		return ""
	}
	name := segs[len(segs)-1].key
	best, bestD := "", 3
	for _, k := range keysOf(parent) {
		if d := editDistance(name, k); d < bestD && d < len(k)/2+1 {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return join(formatPath(segs[:len(segs)-1]), best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// ineffective warns about settings that are read but do nothing.
func (l *loader) ineffective(cfg *Config) {
	if len(cfg.Plugins) > 0 {
		l.warn("plugins", "ignored: saker has no plugins (%d configured)", len(cfg.Plugins))
	}
	if len(cfg.LoadPlugins) > 0 {
		l.warn("load_plugins", "ignored: saker has no plugins (%s)", strings.Join(cfg.LoadPlugins, ", "))
	}
	// The live block engine.kind does not select: a changed value there is
	// probably meant for the other one.
	var unusedKey string
	var unused, def LiveEngine
	switch cfg.Engine.Kind {
	case EngineEBPF:
		unusedKey, unused, def = "engine.modern_ebpf", cfg.Engine.ModernEBPF, builtinEngine().ModernEBPF
	case EngineModernEBPF:
		unusedKey, unused, def = "engine.ebpf", cfg.Engine.EBPF, builtinEngine().EBPF
	}
	if unusedKey != "" && unused != def {
		l.warn(unusedKey, "has no effect: engine.kind is %s, which reads engine.%s", cfg.Engine.Kind, cfg.Engine.Kind)
	}
	if bad := unknownSyscalls(cfg.BaseSyscalls.CustomSet); len(bad) > 0 {
		l.warn("base_syscalls.custom_set", "unknown syscall names, ignored: %s", strings.Join(bad, ", "))
	}
	if cfg.Webserver.PrometheusMetricsEnabled && !cfg.Metrics.Enabled && cfg.Webserver.Enabled {
		l.warn("webserver.prometheus_metrics_enabled", "has no effect while metrics.enabled is false: /metrics is not served")
	}
}

// lookupTree returns the value at a key path of the merged tree.
func lookupTree(tree map[string]any, key string) (any, bool) {
	segs, err := parsePath(key)
	if err != nil {
		return nil, false
	}
	var node any = tree
	for _, s := range segs {
		switch s.kind {
		case segKey:
			m, ok := node.(map[string]any)
			if !ok {
				return nil, false
			}
			if node, ok = m[s.key]; !ok {
				return nil, false
			}
		case segIndex:
			l, ok := node.([]any)
			if !ok || s.index >= len(l) {
				return nil, false
			}
			node = l[s.index]
		default:
			return nil, false
		}
	}
	return node, true
}

// builtinEngine returns the engine section of the built-in defaults.
var builtinEngine = sync.OnceValue(func() Engine {
	var e Engine
	doc, err := parseYAML(builtinName, defaultYAML, nil)
	if err == nil {
		_ = decodeInto(&e, doc.tree["engine"])
	}
	return e
})
