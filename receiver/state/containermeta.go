package state

import (
	"encoding/json"
	"net/netip"
	"sort"
	"strings"
)

// Container metadata: captures written by libs carry, for each container
// met, a container event (PPME_CONTAINER_JSON_E / _JSON_2_E: the container
// manager's JSON; PPME_CONTAINER_E of old captures: id, type, name,
// image), usually before the first syscall event. The state keeps the
// latest description of each container id, which container.name,
// container.image*, container.privileged, container.mount* and
// container.type and the k8s.* fields read for a thread whose container.id
// it is. Live, receiver/cri asks the container runtime (containerd, CRI-O)
// for the containers that cgroup paths name and the event loop adds what
// it answers with AddContainer; without a runtime the table stays empty
// and those fields are not available, except what the cgroup path tells
// (id, runtime).
//
// Kubernetes metadata of a capture's container comes, as libs 0.20
// derived it, from the labels kubelet puts on CRI containers
// (io.kubernetes.pod.name, .pod.namespace, .pod.uid, io.kubernetes.
// sandbox.id) and from the event's pod_sandbox_id and pod_sandbox_labels.

// Container is what a capture's container event, or the container
// runtime, says about a container. Its fields are immutable once in the
// table (a new description of the same id replaces the whole entry), so
// readers may keep them. Whoever builds one outside this package calls
// [Container.Render] before adding it.
type Container struct {
	ID     string // the 12-character id, as container.id
	FullID string // the 64-character id, when the event gives it
	// Type is the runtime, libs' container type name: docker, lxc,
	// libvirt-lxc, mesos, rkt, custom, cri, containerd, cri-o, bpm,
	// static, podman.
	Type        string
	Name        string
	Image       string
	ImageID     string
	ImageRepo   string
	ImageTag    string
	ImageDigest string
	// Privileged reports whether the container runs privileged (false
	// when the event does not say, as libs defaults it).
	Privileged bool
	Mounts     []Mount
	// MountsText is container.mounts: every mount as Mount.Text,
	// comma separated, as libs renders them.
	MountsText string
	// IP is the container's IPv4 address, when the event gives one;
	// IPText its rendering (container.ip).
	IP                            netip.Addr
	IPText                        string
	HostPID, HostNetwork, HostIPC bool
	// Health probes: the command line (exe and args), nil if none.
	HealthCheck, LivenessProbe, ReadinessProbe *string

	// Kubernetes pod of the container (k8s.*), empty outside one.
	PodName, PodNamespace, PodUID string
	// PodSandboxID is the full id of the pod's sandbox (k8s.pod.
	// full_sandbox_id); a sandbox's own id for the sandbox itself.
	PodSandboxID string
	// PodLabels are the pod's labels (k8s.pod.label[KEY]); PodLabelsText
	// renders them as k8s.pod.labels.
	PodLabels     map[string]string
	PodLabelsText string
	// IsPodSandbox marks a pod's sandbox ("pause") container.
	IsPodSandbox bool
}

// Render computes the derived texts of c from its fields: each mount's
// Text, MountsText, IPText and PodLabelsText.
func (c *Container) Render() {
	texts := make([]string, 0, len(c.Mounts))
	for i := range c.Mounts {
		c.Mounts[i].render()
		texts = append(texts, c.Mounts[i].Text)
	}
	c.MountsText = strings.Join(texts, ",")
	c.IPText = ""
	if c.IP.IsValid() {
		c.IPText = c.IP.String()
	}
	c.PodLabelsText = PodLabelsText(c.PodLabels)
}

// PodLabelsText renders pod labels as libs 0.20's k8s.pod.labels
// (concatenate_container_labels): "key:value" pairs in key order joined by
// ", ", a label with an empty value as its key alone, kubelet's own labels
// (io.kubernetes.*) and annotations (annotation.*) left out.
func PodLabelsText(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		if strings.HasPrefix(k, "io.kubernetes.") || strings.HasPrefix(k, "annotation.") {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		if v := labels[k]; v != "" {
			b.WriteByte(':')
			b.WriteString(v)
		}
	}
	return b.String()
}

// Labels kubelet sets on the CRI containers and sandboxes of a pod.
const (
	LabelPodName      = "io.kubernetes.pod.name"
	LabelPodNamespace = "io.kubernetes.pod.namespace"
	LabelPodUID       = "io.kubernetes.pod.uid"
	LabelSandboxID    = "io.kubernetes.sandbox.id"
)

// Mount is one mount of a container (container.mount*).
type Mount struct {
	Source, Dest, Mode, Propagation string
	RW                              bool
	// Text is container.mount[...]: source:dest:mode:rdwr:propagation,
	// rendered once when the metadata is read.
	Text string
}

// RWText is container.mount.rdwr: "true" or "false".
func (m *Mount) RWText() string {
	if m.RW {
		return "true"
	}
	return "false"
}

func (m *Mount) render() {
	m.Text = m.Source + ":" + m.Dest + ":" + m.Mode + ":" + m.RWText() + ":" + m.Propagation
}

// MountByIndex returns mount i, or nil.
func (c *Container) MountByIndex(i int) *Mount {
	if i < 0 || i >= len(c.Mounts) {
		return nil
	}
	return &c.Mounts[i]
}

// MountBySource returns the first mount whose source matches the glob
// pattern (libs' fnmatch: * ? [...], '*' crossing '/'), or nil.
func (c *Container) MountBySource(pattern string) *Mount {
	for i := range c.Mounts {
		if globMatch(pattern, c.Mounts[i].Source) {
			return &c.Mounts[i]
		}
	}
	return nil
}

// MountByDest returns the first mount whose destination matches the glob
// pattern, or nil.
func (c *Container) MountByDest(pattern string) *Mount {
	for i := range c.Mounts {
		if globMatch(pattern, c.Mounts[i].Dest) {
			return &c.Mounts[i]
		}
	}
	return nil
}

// globMatch is fnmatch(pattern, s, 0): '*' matches any run of bytes ('/'
// included), '?' one byte, '[...]' a set ('!' or '^' negates, ranges
// a-z), '\\' escapes. It allocates nothing.
func globMatch(p, s string) bool {
	// iterative with one backtrack point for the last '*'
	var pi, si, starP, starS = 0, 0, -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				pi++
				si++
				continue
			case '[':
				if n, ok := matchSet(p[pi:], s[si]); n > 0 {
					if ok {
						pi += n
						si++
						continue
					}
				} else if s[si] == '[' { // unterminated set: a literal '['
					pi++
					si++
					continue
				}
			case '\\':
				if pi+1 < len(p) && p[pi+1] == s[si] {
					pi += 2
					si++
					continue
				}
			default:
				if c == s[si] {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchSet matches c against the set at the start of p ("[...]") and
// returns the set's length (0 if unterminated) and whether c is in it.
func matchSet(p string, c byte) (int, bool) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	in := false
	first := true
	for i < len(p) && (p[i] != ']' || first) {
		first = false
		lo := p[i]
		hi := lo
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			hi = p[i+2]
			i += 2
		}
		if lo <= c && c <= hi {
			in = true
		}
		i++
	}
	if i >= len(p) {
		return 0, false
	}
	return i + 1, in != neg
}

// containerTypes are libs' container types by number (sinsp_container_type).
var containerTypes = [...]string{"docker", "lxc", "libvirt-lxc", "mesos", "rkt", "custom", "cri", "containerd", "cri-o", "bpm", "static", "podman"}

func containerTypeName(n int64) string {
	if n >= 0 && n < int64(len(containerTypes)) {
		return containerTypes[n]
	}
	return ""
}

// maxContainers bounds the container table: a capture (or a stream of
// container events) naming more ids evicts the table.
const maxContainers = 8192

// Container returns the metadata of container id (as container.id gives
// it), or nil when no container event described it.
func (s *State) Container(id string) *Container { return s.containers[id] }

// ContainerOf returns the metadata of t's container, or nil for a host
// thread. A container no event described gets what libs knows of it from
// its cgroup alone: a shared, read-only entry with the runtime's type and
// nothing else (no name, no image, not privileged, no mounts, no probes).
func (s *State) ContainerOf(t *Thread) *Container {
	if t == nil || t.ContainerID == hostID || t.ContainerID == "" {
		return nil
	}
	if c := s.containers[t.ContainerID]; c != nil {
		return c
	}
	return undescribed[runtimeType(t.ContainerRuntime)]
}

// undescribed are the entries of containers without metadata, by type.
var undescribed = func() map[string]*Container {
	m := map[string]*Container{"": {}}
	for _, t := range containerTypes {
		m[t] = &Container{Type: t}
	}
	return m
}()

// runtimeType maps the runtime a cgroup layout names (Thread.
// ContainerRuntime) to libs' container type name.
func runtimeType(rt string) string {
	switch rt {
	case "docker", "podman", "cri-o", "cri":
		return rt
	case "cri-containerd", "containerd":
		return "containerd"
	}
	return ""
}

// NumContainers returns the number of described containers.
func (s *State) NumContainers() int { return len(s.containers) }

// AddContainer adds (or replaces) a container's metadata.
func (s *State) AddContainer(c *Container) {
	if c == nil || c.ID == "" {
		return
	}
	if s.containers == nil {
		s.containers = make(map[string]*Container)
	}
	if _, ok := s.containers[c.ID]; !ok && len(s.containers) >= maxContainers {
		clear(s.containers)
	}
	s.containers[c.ID] = c
}

// containerJSON is the JSON libs' container manager writes in container
// events (the fields saker reads).
type containerJSON struct {
	Container *struct {
		ID          string `json:"id"`
		FullID      string `json:"full_id"`
		Type        *int64 `json:"type"`
		Name        string `json:"name"`
		Image       string `json:"image"`
		ImageID     string `json:"imageid"`
		ImageRepo   string `json:"imagerepo"`
		ImageTag    string `json:"imagetag"`
		ImageDigest string `json:"imagedigest"`
		Privileged  *bool  `json:"privileged"`
		IP          string `json:"ip"`
		HostPID     bool   `json:"host_pid"`
		HostNetwork bool   `json:"host_network"`
		HostIPC     bool   `json:"host_ipc"`
		Mounts      []struct {
			Source      string `json:"Source"`
			Destination string `json:"Destination"`
			Mode        string `json:"Mode"`
			RW          bool   `json:"RW"`
			Propagation string `json:"Propagation"`
		} `json:"Mounts"`
		Healthcheck      *probeJSON        `json:"Healthcheck"`
		LivenessProbe    *probeJSON        `json:"LivenessProbe"`
		ReadinessProbe   *probeJSON        `json:"ReadinessProbe"`
		Labels           map[string]string `json:"labels"`
		IsPodSandbox     bool              `json:"is_pod_sandbox"`
		PodSandboxID     string            `json:"pod_sandbox_id"`
		PodSandboxLabels map[string]string `json:"pod_sandbox_labels"`
	} `json:"container"`
}

type probeJSON struct {
	Exe  string   `json:"exe"`
	Args []string `json:"args"`
}

// cmdline renders a probe as libs' container.healthcheck does: the
// executable and its arguments, space separated.
func (p *probeJSON) cmdline() *string {
	if p == nil {
		return nil
	}
	s := p.Exe
	for _, a := range p.Args {
		s += " " + a
	}
	return &s
}

// parseContainerJSON decodes a container event's JSON. A malformed or
// unrecognised document gives nil.
func parseContainerJSON(b []byte) *Container {
	var j containerJSON
	if err := json.Unmarshal(b, &j); err != nil || j.Container == nil || j.Container.ID == "" {
		return nil
	}
	jc := j.Container
	c := &Container{
		ID: jc.ID, FullID: jc.FullID, Name: jc.Name, Image: jc.Image, ImageID: jc.ImageID,
		ImageRepo: jc.ImageRepo, ImageTag: jc.ImageTag, ImageDigest: jc.ImageDigest,
		HostPID: jc.HostPID, HostNetwork: jc.HostNetwork, HostIPC: jc.HostIPC,
	}
	if jc.Type != nil {
		c.Type = containerTypeName(*jc.Type)
	}
	if jc.Privileged != nil {
		c.Privileged = *jc.Privileged
	}
	if ip, err := netip.ParseAddr(jc.IP); err == nil {
		c.IP = ip.Unmap()
	}
	for _, m := range jc.Mounts {
		c.Mounts = append(c.Mounts, Mount{Source: m.Source, Dest: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation})
	}
	// libs 0.20: the pod from kubelet's labels on the container, the
	// sandbox from the event (else the label), the pod's labels from the
	// sandbox's.
	c.PodName = jc.Labels[LabelPodName]
	c.PodNamespace = jc.Labels[LabelPodNamespace]
	c.PodUID = jc.Labels[LabelPodUID]
	c.PodSandboxID = jc.PodSandboxID
	if c.PodSandboxID == "" {
		c.PodSandboxID = jc.Labels[LabelSandboxID]
	}
	c.IsPodSandbox = jc.IsPodSandbox
	c.PodLabels = jc.PodSandboxLabels
	c.Render()
	c.HealthCheck = jc.Healthcheck.cmdline()
	c.LivenessProbe = jc.LivenessProbe.cmdline()
	c.ReadinessProbe = jc.ReadinessProbe.cmdline()
	return c
}

// onContainerEvent applies a container event: the JSON forms, or the old
// one with id, type, name and image parameters.
func (s *State) onContainerEvent(v ev) {
	if b, ok := v.bytes(pJSON); ok {
		// the JSON parameter is NUL-terminated
		if n := len(b); n > 0 && b[n-1] == 0 {
			b = b[:n-1]
		}
		s.AddContainer(parseContainerJSON(b))
		return
	}
	id, ok := v.str(pID)
	if !ok || id == "" {
		return
	}
	c := &Container{ID: strings.Clone(id)}
	if n, ok := v.int(pType); ok {
		c.Type = containerTypeName(n)
	}
	if n, ok := v.str(pName); ok {
		c.Name = strings.Clone(n)
	}
	if im, ok := v.str(pImage); ok {
		c.Image = strings.Clone(im)
	}
	s.AddContainer(c)
}
