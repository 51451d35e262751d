package cri

import (
	"encoding/json"
	"net/netip"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/sakersec/saker/receiver/state"
)

// ImageRef is a container image reference split as libs splits it for
// container.image.repository, .tag and .digest: the repository keeps the
// registry host (and port) and path, the tag follows the last ':' after
// the last '/', the digest follows '@'.
type ImageRef struct {
	Repository, Tag, Digest string
}

// ParseImageRef splits an image reference: "docker.io/library/nginx:1.25"
// is docker.io/library/nginx, tag 1.25; "localhost:5000/app@sha256:ab…" is
// localhost:5000/app, digest sha256:ab…; "nginx" has no tag.
func ParseImageRef(ref string) ImageRef {
	var r ImageRef
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref, r.Digest = ref[:i], ref[i+1:]
	}
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && i > strings.LastIndexByte(ref, '/') {
		ref, r.Tag = ref[:i], ref[i+1:]
	}
	r.Repository = ref
	return r
}

// isImageID reports whether s is an image id ("sha256:<64 hex>") rather
// than a name: runtimes give one when an image has no name.
func isImageID(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	return ok && len(h) == 64 && strings.Trim(h, "0123456789abcdef") == ""
}

// containerType maps the runtime name of a CRI Version answer to libs'
// container type.
func containerType(runtimeName string) string {
	switch strings.ToLower(runtimeName) {
	case "containerd":
		return "containerd"
	case "cri-o", "crio":
		return "cri-o"
	}
	return "cri"
}

// statusInfo is what saker reads of the verbose ContainerStatus info
// ("info" key): containerd writes sandboxID, the CRI config and the OCI
// spec; CRI-O writes sandboxID, privileged and the OCI spec.
type statusInfo struct {
	SandboxID  string `json:"sandboxID"`
	Privileged *bool  `json:"privileged"` // CRI-O
	Config     *struct {
		Image *struct {
			Image string `json:"image"`
		} `json:"image"`
		Linux *struct {
			SecurityContext *struct {
				Privileged       bool `json:"privileged"`
				NamespaceOptions *struct {
					Network, Pid, Ipc json.RawMessage
				} `json:"namespace_options"`
			} `json:"security_context"`
		} `json:"linux"`
	} `json:"config"` // containerd
	RuntimeSpec *struct {
		Linux *struct {
			Namespaces []struct {
				Type string `json:"type"`
			} `json:"namespaces"`
		} `json:"linux"`
	} `json:"runtimeSpec"`
}

// nodeMode reports whether a CRI NamespaceMode, as the info JSON writes it
// (a number, or a name), is NODE: the host's namespace.
func nodeMode(raw json.RawMessage) bool {
	s := strings.Trim(string(raw), `"`)
	return s == "2" || s == "NODE"
}

// hostNamespaces reads host_pid, host_network and host_ipc: from the CRI
// config's namespace options when the runtime gives them, else from the
// OCI spec (a namespace type missing from it is the host's).
func (in *statusInfo) hostNamespaces() (pid, network, ipc, ok bool) {
	if c := in.Config; c != nil && c.Linux != nil && c.Linux.SecurityContext != nil && c.Linux.SecurityContext.NamespaceOptions != nil {
		o := c.Linux.SecurityContext.NamespaceOptions
		return nodeMode(o.Pid), nodeMode(o.Network), nodeMode(o.Ipc), true
	}
	if in.RuntimeSpec == nil || in.RuntimeSpec.Linux == nil || len(in.RuntimeSpec.Linux.Namespaces) == 0 {
		return false, false, false, false
	}
	has := map[string]bool{}
	for _, n := range in.RuntimeSpec.Linux.Namespaces {
		has[n.Type] = true
	}
	return !has["pid"], !has["network"], !has["ipc"], true
}

func (in *statusInfo) privileged() bool {
	if in.Privileged != nil {
		return *in.Privileged
	}
	if c := in.Config; c != nil && c.Linux != nil && c.Linux.SecurityContext != nil {
		return c.Linux.SecurityContext.Privileged
	}
	return false
}

func parseInfo(info map[string]string) *statusInfo {
	in := &statusInfo{}
	if s := info["info"]; s != "" {
		_ = json.Unmarshal([]byte(s), in) // a partial or foreign document leaves zero values
	}
	return in
}

// propagation names a CRI mount propagation as libs renders it.
func propagation(p runtimeapi.MountPropagation) string {
	switch p {
	case runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER:
		return "rslave"
	case runtimeapi.MountPropagation_PROPAGATION_BIDIRECTIONAL:
		return "rshared"
	}
	return "private"
}

// fromContainerStatus maps a verbose ContainerStatus answer to the state's
// metadata (pod fields not yet filled) and returns the id of its sandbox.
func fromContainerStatus(rt string, resp *runtimeapi.ContainerStatusResponse) (*state.Container, string) {
	st := resp.GetStatus()
	in := parseInfo(resp.GetInfo())
	c := &state.Container{
		FullID: st.GetId(),
		Type:   containerType(rt),
		Name:   st.GetMetadata().GetName(),
	}
	c.ID = state.ShortID(c.FullID)
	image := st.GetImage().GetImage()
	if (image == "" || isImageID(image)) && in.Config != nil && in.Config.Image != nil {
		image = in.Config.Image.Image // the spec the container was created with
	}
	c.Image = image
	if !isImageID(image) {
		ref := ParseImageRef(image)
		c.ImageRepo, c.ImageTag, c.ImageDigest = ref.Repository, ref.Tag, ref.Digest
	}
	imageRef := st.GetImageRef()
	if c.ImageDigest == "" {
		if i := strings.IndexByte(imageRef, '@'); i >= 0 {
			c.ImageDigest = imageRef[i+1:]
		}
	}
	id := st.GetImageId()
	if id == "" && isImageID(imageRef) {
		id = imageRef
	}
	if id == "" && isImageID(image) {
		id = image
	}
	c.ImageID = strings.TrimPrefix(id, "sha256:")
	c.Privileged = in.privileged()
	c.HostPID, c.HostNetwork, c.HostIPC, _ = in.hostNamespaces()
	for _, m := range st.GetMounts() {
		c.Mounts = append(c.Mounts, state.Mount{
			Source: m.GetHostPath(), Dest: m.GetContainerPath(), RW: !m.GetReadonly(),
			Propagation: propagation(m.GetPropagation()),
		})
	}
	sandbox := in.SandboxID
	if sandbox == "" {
		sandbox = st.GetLabels()[state.LabelSandboxID]
	}
	return c, sandbox
}

// pod is what a PodSandboxStatus answer says about a pod.
type pod struct {
	sandboxID, name, namespace, uid string
	labels                          map[string]string
	ip                              netip.Addr // IPv4 only, as libs
	hostNetwork                     bool
}

func fromSandboxStatus(resp *runtimeapi.PodSandboxStatusResponse) *pod {
	st := resp.GetStatus()
	md := st.GetMetadata()
	p := &pod{sandboxID: st.GetId(), name: md.GetName(), namespace: md.GetNamespace(), uid: md.GetUid(), labels: st.GetLabels()}
	ips := []string{st.GetNetwork().GetIp()}
	for _, a := range st.GetNetwork().GetAdditionalIps() {
		ips = append(ips, a.GetIp())
	}
	for _, s := range ips {
		if ip, err := netip.ParseAddr(s); err == nil && ip.Unmap().Is4() {
			p.ip = ip.Unmap()
			break
		}
	}
	p.hostNetwork = st.GetLinux().GetNamespaces().GetOptions().GetNetwork() == runtimeapi.NamespaceMode_NODE
	return p
}

// withPod fills c's pod fields (and its IP, the pod's) from p.
func withPod(c *state.Container, p *pod) {
	if p == nil {
		return
	}
	c.PodName, c.PodNamespace, c.PodUID = p.name, p.namespace, p.uid
	c.PodSandboxID = p.sandboxID
	c.PodLabels = p.labels
	if !c.IP.IsValid() {
		c.IP = p.ip
	}
}

// sandboxContainer is the metadata of a pod's sandbox container itself:
// its pod, its type, and — as libs — no name, image or mounts.
func sandboxContainer(rt string, p *pod) *state.Container {
	c := &state.Container{ID: state.ShortID(p.sandboxID), FullID: p.sandboxID, Type: containerType(rt), IsPodSandbox: true, HostNetwork: p.hostNetwork}
	withPod(c, p)
	return c
}
