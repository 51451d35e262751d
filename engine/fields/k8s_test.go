package fields_test

import (
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// A capture's container event with the labels kubelet sets on CRI
// containers (as libs 0.20 wrote them) gives the k8s.* fields on replay;
// the container without them, and host threads, have none.
func TestK8sFieldsFromContainerEvent(t *testing.T) {
	st := testState(t) // thread 300 is in container 0123456789ab
	c := &fields.Ctx{State: st}
	apply := func(e *event.Event) {
		st.Update(e)
		c.Reset(e)
	}
	apply(build(t, ev{event.ContainerJsonE, 300, func(b *event.Builder) {
		b.Bytes(append([]byte(`{"container":{"id":"0123456789ab","full_id":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"type":7,"name":"web","image":"docker.io/library/nginx:1.25","imagerepo":"docker.io/library/nginx","imagetag":"1.25",
		"ip":"10.1.2.3","is_pod_sandbox":false,"privileged":false,"Mounts":[],
		"labels":{"io.kubernetes.pod.name":"web-7d9f","io.kubernetes.pod.namespace":"shop",
		  "io.kubernetes.pod.uid":"3e41dc6b-08a8-44db-bc2a-3724b18ab19a","io.kubernetes.container.name":"web"},
		"pod_sandbox_id":"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		"pod_sandbox_labels":{"app":"web","tier":"","io.kubernetes.pod.name":"web-7d9f","app.kubernetes.io/name":"shop-web"}}}`), 0))
	}}))
	apply(build(t, read(300, 3)))
	for _, f := range []struct{ field, want string }{
		{"k8s.ns.name", "shop"},
		{"k8s.pod.name", "web-7d9f"},
		{"k8s.pod.uid", "3e41dc6b-08a8-44db-bc2a-3724b18ab19a"},
		{"k8s.pod.id", "3e41dc6b-08a8-44db-bc2a-3724b18ab19a"},
		{"k8s.pod.sandbox_id", "fedcba987654"},
		{"k8s.pod.full_sandbox_id", "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"},
		{"k8s.pod.label[app]", "web"},
		{"k8s.pod.label[app.kubernetes.io/name]", "shop-web"},
		{"k8s.pod.label[tier]", ""},
		{"k8s.pod.label[absent]", "<NA>"},
		{"k8s.pod.labels", "app:web, app.kubernetes.io/name:shop-web, tier"},
		{"k8s.pod.ip", "10.1.2.3"},
		{"container.ip", "10.1.2.3"},
		{"container.type", "containerd"},
		{"container.image.repository", "docker.io/library/nginx"},
	} {
		if got := extract(t, c, f.field); got != f.want {
			t.Errorf("%s = %q, want %q", f.field, got, f.want)
		}
	}
	// the dotted form
	b, err := fields.Default.Bind("k8s.pod.label.app.kubernetes.io/name", fields.Arg{})
	if err != nil {
		t.Fatal(err)
	}
	var v fields.Value
	if !b.Extract(c, &v) || v.S != "shop-web" {
		t.Errorf("k8s.pod.label.app.kubernetes.io/name = %q", v.S)
	}

	// a host thread has no pod
	apply(build(t, read(100, 0)))
	for _, f := range []string{"k8s.ns.name", "k8s.pod.name", "k8s.pod.label[app]", "k8s.pod.labels", "k8s.pod.ip"} {
		if got := extract(t, c, f); got != "<NA>" {
			t.Errorf("host thread: %s = %q", f, got)
		}
	}

	// a container event without kubelet's labels: no pod
	st2 := testState(t)
	c2 := &fields.Ctx{State: st2}
	st2.AddContainer(&state.Container{ID: "0123456789ab", Type: "docker", Name: "epic_cray"})
	e := build(t, read(300, 3))
	st2.Update(e)
	c2.Reset(e)
	for _, f := range []string{"k8s.ns.name", "k8s.pod.name", "k8s.pod.sandbox_id", "k8s.pod.labels"} {
		if got := extract(t, c2, f); got != "<NA>" {
			t.Errorf("container outside a pod: %s = %q", f, got)
		}
	}
}

// The fields that have an implementation are no longer listed as
// unimplemented; the API-server ones are.
func TestK8sFieldsImplemented(t *testing.T) {
	un := map[string]bool{}
	for _, f := range fields.Default.Unimplemented() {
		un[f] = true
	}
	for _, n := range []string{"k8s.ns.name", "k8s.pod.name", "k8s.pod.uid", "k8s.pod.id", "k8s.pod.sandbox_id",
		"k8s.pod.full_sandbox_id", "k8s.pod.label", "k8s.pod.labels", "k8s.pod.ip"} {
		if un[n] {
			t.Errorf("%s still unimplemented", n)
		}
	}
	if !un["k8s.deployment.name"] {
		t.Error("k8s.deployment.name implemented?")
	}
}
