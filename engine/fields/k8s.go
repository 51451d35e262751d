package fields

import (
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// k8s.*: the Kubernetes pod of the event thread's container, with libs
// 0.20's meanings (the fields Falco's CRI client filled before they moved
// to the container plugin). They read the container metadata (see
// container.go): live from the CRI (receiver/cri: ContainerStatus and
// PodSandboxStatus), on replay from the io.kubernetes.* labels and pod
// sandbox fields of a capture's container events. A host thread, a
// container outside a pod and a container whose metadata has not arrived
// yet have none: not available. libs' deprecated fields that needed the
// Kubernetes API server (k8s.rc.*, k8s.svc.*, k8s.rs.*, k8s.deployment.*,
// k8s.ns.id/label/labels) stay unimplemented.

func init() {
	podField := func(name, desc string, get func(m *state.Container) string) {
		containerField(name, event.PTCharbuf, desc, func(m *state.Container, v *Value) bool {
			return nonEmpty(v, get(m))
		})
	}
	podField("k8s.ns.name", "Kubernetes namespace of the thread's pod (from the container runtime, CRI)",
		func(m *state.Container) string { return m.PodNamespace })
	podField("k8s.pod.name", "Kubernetes pod name (from the container runtime, CRI)",
		func(m *state.Container) string { return m.PodName })
	podField("k8s.pod.uid", "Kubernetes pod UID, e.g. 3e41dc6b-08a8-44db-bc2a-3724b18ab19a (from the container runtime, CRI)",
		func(m *state.Container) string { return m.PodUID })
	podField("k8s.pod.id", "[LEGACY] the pod UID, as k8s.pod.uid",
		func(m *state.Container) string { return m.PodUID })
	podField("k8s.pod.full_sandbox_id", "the pod's sandbox id, 64 characters (a sandbox container's own id)",
		func(m *state.Container) string { return m.PodSandboxID })
	podField("k8s.pod.sandbox_id", "the pod's sandbox id, truncated to 12 characters as container.id",
		func(m *state.Container) string { return state.ShortID(m.PodSandboxID) })
	podField("k8s.pod.labels", "the pod's labels, 'key:value' pairs in key order separated by ', ' (kubelet's io.kubernetes.* labels left out)",
		func(m *state.Container) string { return m.PodLabelsText })
	containerField("k8s.pod.ip", event.PTCharbuf, "the pod's IPv4 address (the sandbox's, shared by its containers), as container.ip", func(m *state.Container, v *Value) bool {
		if m.PodName == "" || !m.IP.Is4() {
			return false
		}
		v.S = m.IPText
		return true
	})
	Register(Field{Name: "k8s.pod.label", Type: event.PTCharbuf, Flags: ArgRequired | DotArg | ArgKey,
		Desc: "a pod label by key: k8s.pod.label[app.kubernetes.io/name] or k8s.pod.label.app",
		Bind: func(a Arg) (Binding, error) {
			key := a.Text
			return Binding{Extract: func(c *Ctx, v *Value) bool {
				m := c.State.ContainerOf(evThread(c))
				if m == nil {
					return false
				}
				s, ok := m.PodLabels[key]
				v.S = s
				return ok
			}}, nil
		}})
}
