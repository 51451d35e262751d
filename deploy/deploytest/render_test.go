package deploytest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// obj is one decoded Kubernetes object (or any YAML mapping).
type obj = map[string]any

// dig walks a path of map keys through nested mappings; nil when absent.
func dig(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := dig(v, path...).(string)
	return s
}

func list(v any, path ...string) []any {
	l, _ := dig(v, path...).([]any)
	return l
}

// named returns the element of a list of mappings whose "name" is name.
func named(l []any, name string) obj {
	for _, e := range l {
		if m, ok := e.(map[string]any); ok && m["name"] == name {
			return m
		}
	}
	return nil
}

func strs(l []any) []string {
	out := make([]string, 0, len(l))
	for _, e := range l {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

// rendered is the output of helm template: the raw text and its objects.
type rendered struct {
	text string
	objs []obj
}

// find returns the only object of kind whose name ends with suffix.
func (r rendered) find(t testing.TB, kind, suffix string) obj {
	t.Helper()
	var found []obj
	for _, o := range r.objs {
		if o["kind"] == kind && strings.HasSuffix(str(o, "metadata", "name"), suffix) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s named *%s, found %d", kind, suffix, len(found))
	}
	return found[0]
}

func (r rendered) has(kind, name string) bool {
	for _, o := range r.objs {
		if o["kind"] == kind && str(o, "metadata", "name") == name {
			return true
		}
	}
	return false
}

func (r rendered) count(kind string) int {
	n := 0
	for _, o := range r.objs {
		if o["kind"] == kind {
			n++
		}
	}
	return n
}

func chartDir(t testing.TB) string { return filepath.Join(deployDir(t), "helm", "saker") }

// helmTemplate renders the chart as release "saker" in namespace "saker"
// with the given --set style arguments (passed through verbatim).
func helmTemplate(t testing.TB, args ...string) (rendered, error) {
	t.Helper()
	helm := helmBinary(t)
	full := append([]string{"template", "saker", chartDir(t), "--namespace", "saker"}, args...)
	cmd := exec.Command(helm, full...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return rendered{}, fmt.Errorf("helm template %v: %v\n%s", args, err, ee.Stderr)
		}
		return rendered{}, err
	}
	docs, err := yamlDocs(out)
	if err != nil {
		return rendered{}, fmt.Errorf("helm template %v output: %v", args, err)
	}
	r := rendered{text: string(out)}
	for i, d := range docs {
		m, ok := d.(map[string]any)
		if !ok {
			return rendered{}, fmt.Errorf("document %d is not a mapping", i)
		}
		r.objs = append(r.objs, m)
	}
	return r, nil
}

func mustRender(t testing.TB, args ...string) rendered {
	t.Helper()
	r, err := helmTemplate(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// kubecheck decodes YAML text strictly into the Kubernetes API types.
func kubecheck(t testing.TB, name, text string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(kubecheckBinary(t), f)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubecheck %s: %v\n%s", name, err, out)
	}
	if !strings.Contains(string(out), "ok ") && !strings.Contains(string(out), "generic ") {
		t.Fatalf("kubecheck %s checked nothing:\n%s", name, out)
	}
}

var envRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// resolveEnv evaluates a container's env list as the kubelet would:
// fieldRefs from the given pod facts, $(VAR) from variables defined
// earlier in the list. A reference to a variable not defined earlier is
// an error (the kubelet would leave it unexpanded).
func resolveEnv(container obj, facts map[string]string) (map[string]string, error) {
	env := map[string]string{}
	for _, e := range list(container, "env") {
		name := str(e, "name")
		if fp := str(e, "valueFrom", "fieldRef", "fieldPath"); fp != "" {
			v, ok := facts[fp]
			if !ok {
				return nil, fmt.Errorf("env %s: no fact for fieldRef %s", name, fp)
			}
			env[name] = v
			continue
		}
		if dig(e, "valueFrom") != nil {
			continue // secretKeyRef and the like: not resolvable here
		}
		var bad error
		env[name] = envRef.ReplaceAllStringFunc(str(e, "value"), func(ref string) string {
			v := envRef.FindStringSubmatch(ref)[1]
			got, ok := env[v]
			if !ok {
				bad = fmt.Errorf("env %s refers to $(%s), not defined before it", name, v)
			}
			return got
		})
		if bad != nil {
			return nil, bad
		}
	}
	return env, nil
}
