package fields

import (
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/state"
)

// container.*: the event thread's container. The id (and, without
// metadata, the runtime) comes from the thread's cgroup paths (see
// receiver/state); the rest — name, image and its id, repository, tag and
// digest, privileged, mounts, health probes, IP, type — from the
// container's metadata (receiver/state's container table): captures carry
// it as container events; live, receiver/cri asks the CRI runtime
// (containerd, CRI-O) about each container a cgroup path names, without
// blocking the event loop, so the first events of a container that
// started after saker may come before its metadata (as in Falco). A
// container without metadata is what libs makes of it from its cgroup:
// its type, not privileged, no mounts or probes, no name or image. Docker
// and podman containers outside Kubernetes are known by their cgroup only.
// For host processes container.id,
// container.name, container.full_id and container.type are "host", as
// Falco renders them; the metadata fields are not available (<NA>).

const hostID = "host"

// containerField registers a field read from the metadata of the event
// thread's container; host threads and undescribed containers have none.
func containerField(name string, t Type, desc string, x func(c *state.Container, v *Value) bool) {
	threadField(name, t, desc, func(c *Ctx, th *state.Thread, v *Value) bool {
		m := c.State.ContainerOf(th)
		if m == nil {
			return false
		}
		return x(m, v)
	})
}

// nonEmpty sets v.S to s and reports whether it is set (libs reports an
// empty metadata string as not available).
func nonEmpty(v *Value, s string) bool {
	v.S = s
	return s != ""
}

func init() {
	threadField("container.id", event.PTCharbuf, "container id (12 characters) from the thread's cgroups; 'host' outside containers", func(_ *Ctx, t *state.Thread, v *Value) bool {
		v.S = t.ContainerID
		return v.S != ""
	})
	threadField("container.name", event.PTCharbuf, "container name (the CRI metadata name, or the capture's container event); 'host' outside containers", func(c *Ctx, t *state.Thread, v *Value) bool {
		if t.ContainerID == hostID {
			v.S = hostID
			return true
		}
		m := c.State.ContainerOf(t)
		return m != nil && nonEmpty(v, m.Name)
	})
	threadField("container.full_id", event.PTCharbuf, "container id, 64 characters (from the container metadata); 'host' outside containers", func(c *Ctx, t *state.Thread, v *Value) bool {
		if t.ContainerID == hostID {
			v.S = hostID
			return true
		}
		m := c.State.ContainerOf(t)
		return m != nil && nonEmpty(v, m.FullID)
	})
	threadField("container.type", event.PTCharbuf, "container runtime: docker, containerd, cri-o, podman, ... (the metadata's, else the one the cgroup layout names); 'host' outside containers", func(c *Ctx, t *state.Thread, v *Value) bool {
		if t.ContainerID == hostID {
			v.S = hostID
			return true
		}
		m := c.State.ContainerOf(t)
		return m != nil && nonEmpty(v, m.Type)
	})
	containerField("container.image", event.PTCharbuf, "container image as the runtime gives it (e.g. docker.io/library/nginx:1.25)", func(m *state.Container, v *Value) bool {
		return nonEmpty(v, m.Image)
	})
	containerField("container.image.id", event.PTCharbuf, "container image id", func(m *state.Container, v *Value) bool {
		return nonEmpty(v, m.ImageID)
	})
	containerField("container.image.repository", event.PTCharbuf, "container image repository, registry included (e.g. docker.io/library/nginx)", func(m *state.Container, v *Value) bool {
		return nonEmpty(v, m.ImageRepo)
	})
	containerField("container.image.tag", event.PTCharbuf, "container image tag (e.g. latest)", func(m *state.Container, v *Value) bool {
		return nonEmpty(v, m.ImageTag)
	})
	containerField("container.image.digest", event.PTCharbuf, "container image registry digest (sha256:...)", func(m *state.Container, v *Value) bool {
		return nonEmpty(v, m.ImageDigest)
	})
	containerField("container.ip", event.PTCharbuf, "container IPv4 address (its pod's, for CRI containers)", func(m *state.Container, v *Value) bool {
		if !m.IP.IsValid() {
			return false
		}
		v.S = m.IPText
		return true
	})
	containerField("container.privileged", event.PTBool, "true if the container runs privileged (known for docker, cri, containerd and cri-o containers)", func(m *state.Container, v *Value) bool {
		switch m.Type {
		case "docker", "cri", "containerd", "cri-o":
		default:
			return false
		}
		v.U = b2u(m.Privileged)
		return true
	})
	for _, f := range [...]struct {
		name, desc string
		get        func(m *state.Container) bool
	}{
		{"container.host_pid", "true if the container shares the host's pid namespace", func(m *state.Container) bool { return m.HostPID }},
		{"container.host_network", "true if the container shares the host's network namespace", func(m *state.Container) bool { return m.HostNetwork }},
		{"container.host_ipc", "true if the container shares the host's ipc namespace", func(m *state.Container) bool { return m.HostIPC }},
	} {
		get := f.get
		containerField(f.name, event.PTBool, f.desc, func(m *state.Container, v *Value) bool {
			v.U = b2u(get(m))
			return true
		})
	}
	probe := func(name, desc string, get func(m *state.Container) *string) {
		containerField(name, event.PTCharbuf, desc, func(m *state.Container, v *Value) bool {
			if p := get(m); p != nil {
				v.S = *p
			} else {
				v.S = "NONE"
			}
			return true
		})
	}
	probe("container.healthcheck", "the container's health check command, 'NONE' without one", func(m *state.Container) *string { return m.HealthCheck })
	probe("container.liveness_probe", "the container's liveness probe command, 'NONE' without one", func(m *state.Container) *string { return m.LivenessProbe })
	probe("container.readiness_probe", "the container's readiness probe command, 'NONE' without one", func(m *state.Container) *string { return m.ReadinessProbe })
	containerField("container.mounts", event.PTCharbuf, "the container's mounts, comma separated, each source:dest:mode:rdwr:propagation", func(m *state.Container, v *Value) bool {
		v.S = m.MountsText
		return true
	})

	// container.mount*[N] or [glob]: mount N, or the first mount whose
	// source (for .source: destination) matches the glob, as libs.
	mountField := func(name, desc string, byDest bool, get func(mt *state.Mount) string) {
		Register(Field{Name: name, Type: event.PTCharbuf, Flags: ArgRequired | ArgIndex | ArgKey, Desc: desc,
			Bind: func(a Arg) (Binding, error) {
				idx, isIdx := a.Index()
				pattern := a.Text
				return Binding{Extract: func(c *Ctx, v *Value) bool {
					m := c.State.ContainerOf(evThread(c))
					if m == nil {
						return false
					}
					var mt *state.Mount
					switch {
					case isIdx:
						mt = m.MountByIndex(idx)
					case byDest:
						mt = m.MountByDest(pattern)
					default:
						mt = m.MountBySource(pattern)
					}
					if mt == nil {
						return false
					}
					v.S = get(mt)
					return true
				}}, nil
			}})
	}
	mountField("container.mount", "a mount, by number or source glob: source:dest:mode:rdwr:propagation", false, func(mt *state.Mount) string { return mt.Text })
	mountField("container.mount.source", "a mount's source, by number or destination glob", true, func(mt *state.Mount) string { return mt.Source })
	mountField("container.mount.dest", "a mount's destination, by number or source glob", false, func(mt *state.Mount) string { return mt.Dest })
	mountField("container.mount.mode", "a mount's mode, by number or source glob", false, func(mt *state.Mount) string { return mt.Mode })
	mountField("container.mount.rdwr", "a mount's read-write flag (true/false), by number or source glob", false, func(mt *state.Mount) string { return mt.RWText() })
	mountField("container.mount.propagation", "a mount's propagation, by number or source glob", false, func(mt *state.Mount) string { return mt.Propagation })

	threadField("container.start_ts", event.PTUint64, "container start, ns since the epoch (start of its pid namespace's init)", func(_ *Ctx, t *state.Thread, v *Value) bool {
		if t.ContainerID == hostID || t.PidnsInitStartTS == 0 {
			return false
		}
		v.U = t.PidnsInitStartTS
		return true
	})
	threadField("container.duration", event.PTReltime, "ns since the container started (container.start_ts)", func(c *Ctx, t *state.Thread, v *Value) bool {
		if t.ContainerID == hostID {
			return false
		}
		return since(c, t.PidnsInitStartTS, v)
	})
}
