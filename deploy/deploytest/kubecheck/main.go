// Command kubecheck decodes Kubernetes manifests strictly into their typed
// API objects (k8s.io/api), so a misspelt field, a field at the wrong level
// or a value of the wrong type is an error, as it is for an API server with
// strict field validation. deploy/deploytest builds and runs it on the
// chart's rendered output and on deploy/manifests.
//
// Usage: kubecheck FILE... (or - for stdin). Each file may hold several
// YAML documents. Kinds without a typed schema here (CRDs such as
// ServiceMonitor) are checked for apiVersion, kind and metadata.name only
// and reported as "generic". Exit status 1 when any document fails.
//
// It is a separate module so that saker's own module does not depend on
// the Kubernetes API packages.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

func newObject(apiVersion, kind string) any {
	switch apiVersion + "/" + kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}
	case "v1/Service":
		return &corev1.Service{}
	case "v1/ServiceAccount":
		return &corev1.ServiceAccount{}
	case "v1/Namespace":
		return &corev1.Namespace{}
	case "v1/Secret":
		return &corev1.Secret{}
	case "apps/v1/DaemonSet":
		return &appsv1.DaemonSet{}
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}
	case "rbac.authorization.k8s.io/v1/ClusterRole":
		return &rbacv1.ClusterRole{}
	case "rbac.authorization.k8s.io/v1/ClusterRoleBinding":
		return &rbacv1.ClusterRoleBinding{}
	case "rbac.authorization.k8s.io/v1/Role":
		return &rbacv1.Role{}
	case "rbac.authorization.k8s.io/v1/RoleBinding":
		return &rbacv1.RoleBinding{}
	case "scheduling.k8s.io/v1/PriorityClass":
		return &schedulingv1.PriorityClass{}
	}
	return nil
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func check(name string, r io.Reader, out io.Writer) (failed bool, err error) {
	rd := utilyaml.NewYAMLReader(bufio.NewReader(r))
	for i := 0; ; i++ {
		doc, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return failed, nil
		}
		if err != nil {
			return true, fmt.Errorf("%s: document %d: %v", name, i, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var h header
		if err := yaml.Unmarshal(doc, &h); err != nil {
			fmt.Fprintf(out, "FAIL %s #%d: %v\n", name, i, err)
			failed = true
			continue
		}
		id := fmt.Sprintf("%s #%d %s/%s %s", name, i, h.APIVersion, h.Kind, h.Metadata.Name)
		if h.APIVersion == "" || h.Kind == "" || h.Metadata.Name == "" {
			fmt.Fprintf(out, "FAIL %s: apiVersion, kind and metadata.name are required\n", id)
			failed = true
			continue
		}
		obj := newObject(h.APIVersion, h.Kind)
		if obj == nil {
			fmt.Fprintf(out, "generic %s\n", id)
			continue
		}
		// What an API server with strict field validation does: YAML to
		// JSON, then a case-sensitive decode that reports unknown and
		// duplicate fields.
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			fmt.Fprintf(out, "FAIL %s: %v\n", id, err)
			failed = true
			continue
		}
		strict, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
		if err == nil && len(strict) > 0 {
			err = errors.Join(strict...)
		}
		if err != nil {
			fmt.Fprintf(out, "FAIL %s: %v\n", id, err)
			failed = true
			continue
		}
		fmt.Fprintf(out, "ok %s\n", id)
	}
}

func stripComments(doc []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: kubecheck FILE... (- for stdin)")
		os.Exit(2)
	}
	bad := false
	for _, a := range args {
		var r io.Reader = os.Stdin
		if a != "-" {
			f, err := os.Open(a)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			defer f.Close()
			r = f
		}
		failed, err := check(a, r, os.Stdout)
		if err != nil {
			fmt.Println("FAIL " + err.Error())
			bad = true
		}
		bad = bad || failed
	}
	if bad {
		os.Exit(1)
	}
}
