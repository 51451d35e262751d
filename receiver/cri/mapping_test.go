package cri

import (
	"strings"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestParseImageRef(t *testing.T) {
	dig := "sha256:" + strings.Repeat("0f", 32)
	for _, c := range []struct {
		ref  string
		want ImageRef
	}{
		{"nginx", ImageRef{Repository: "nginx"}},
		{"nginx:latest", ImageRef{Repository: "nginx", Tag: "latest"}},
		{"docker.io/library/nginx:1.25", ImageRef{Repository: "docker.io/library/nginx", Tag: "1.25"}},
		{"localhost:5000/team/app", ImageRef{Repository: "localhost:5000/team/app"}},
		{"localhost:5000/team/app:v2", ImageRef{Repository: "localhost:5000/team/app", Tag: "v2"}},
		{"registry.k8s.io/pause@" + dig, ImageRef{Repository: "registry.k8s.io/pause", Digest: dig}},
		{"quay.io/x/y:1.0@" + dig, ImageRef{Repository: "quay.io/x/y", Tag: "1.0", Digest: dig}},
		{"", ImageRef{}},
	} {
		if got := ParseImageRef(c.ref); got != c.want {
			t.Errorf("ParseImageRef(%q) = %+v, want %+v", c.ref, got, c.want)
		}
	}
}

// A containerd status maps to libs' fields: name, image split with the
// registry kept, digest from the image ref, privileged and host namespaces
// from the CRI config in the info, mounts with libs' propagation names,
// the sandbox id from the info.
func TestFromContainerStatusContainerd(t *testing.T) {
	f := newFake()
	c, sandbox := fromContainerStatus("containerd", f.containers[ctrID])
	c.Render()
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("sandbox", sandbox, sbxID)
	check("ID", c.ID, ctrID[:12])
	check("FullID", c.FullID, ctrID)
	check("Type", c.Type, "containerd")
	check("Name", c.Name, "web")
	check("Image", c.Image, "docker.io/library/nginx:1.25")
	check("ImageRepo", c.ImageRepo, "docker.io/library/nginx")
	check("ImageTag", c.ImageTag, "1.25")
	check("ImageDigest", c.ImageDigest, "sha256:"+strings.Repeat("ab", 32))
	check("ImageID", c.ImageID, "")
	check("MountsText", c.MountsText, "/var/lib/kubelet/pods/x/etc-hosts:/etc/hosts::true:private,/srv/data:/data::false:rslave")
	if !c.Privileged || !c.HostNetwork || c.HostPID || c.HostIPC {
		t.Errorf("privileged/host_network/host_pid/host_ipc = %v/%v/%v/%v, want true/true/false/false", c.Privileged, c.HostNetwork, c.HostPID, c.HostIPC)
	}
}

// CRI-O says privileged at the top of the info and has no CRI config: the
// host namespaces come from the OCI spec. An image given as an id takes
// the id; a runtime other than containerd and CRI-O is "cri".
func TestFromContainerStatusCRIO(t *testing.T) {
	id := "sha256:" + strings.Repeat("12", 32)
	resp := &runtimeapi.ContainerStatusResponse{
		Status: &runtimeapi.ContainerStatus{Id: ctrID, Metadata: &runtimeapi.ContainerMetadata{Name: "db"},
			Image: &runtimeapi.ImageSpec{Image: id}, ImageRef: id},
		Info: map[string]string{"info": `{"sandboxID":"` + sbxID + `","privileged":true,"runtimeSpec":{"linux":{"namespaces":[{"type":"network"},{"type":"mount"}]}}}`},
	}
	c, sandbox := fromContainerStatus("cri-o", resp)
	if sandbox != sbxID || c.Type != "cri-o" || !c.Privileged {
		t.Errorf("sandbox %q type %q privileged %v", sandbox, c.Type, c.Privileged)
	}
	if !c.HostPID || !c.HostIPC || c.HostNetwork {
		t.Errorf("host pid/ipc/network = %v/%v/%v, want true/true/false", c.HostPID, c.HostIPC, c.HostNetwork)
	}
	if c.ImageID != strings.Repeat("12", 32) || c.ImageRepo != "" || c.Image != id {
		t.Errorf("image %q id %q repo %q", c.Image, c.ImageID, c.ImageRepo)
	}
	if containerType("docker") != "cri" {
		t.Error("an unknown runtime is not cri")
	}
	// no info at all: nothing but the status
	c, sandbox = fromContainerStatus("containerd", &runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{Id: ctrID}, Info: map[string]string{"info": "{not json"}})
	if sandbox != "" || c.Privileged || c.ID != ctrID[:12] {
		t.Errorf("bad info: sandbox %q privileged %v id %q", sandbox, c.Privileged, c.ID)
	}
}

// The pod: name, namespace, UID and labels from the sandbox; the IPv4
// address even when the primary one is IPv6 (libs tracks IPv4 only);
// labels rendered as libs' k8s.pod.labels.
func TestPodFromSandbox(t *testing.T) {
	f := newFake()
	p := fromSandboxStatus(f.sandboxes[sbxID])
	c, _ := fromContainerStatus("containerd", f.containers[ctrID])
	withPod(c, p)
	c.Render()
	if c.PodName != "web-7d9f" || c.PodNamespace != "shop" || c.PodUID != podUID || c.PodSandboxID != sbxID {
		t.Errorf("pod %q/%q uid %q sandbox %q", c.PodNamespace, c.PodName, c.PodUID, c.PodSandboxID)
	}
	if c.IPText != "10.1.2.3" {
		t.Errorf("IP %q, want 10.1.2.3", c.IPText)
	}
	if want := "app:web, app.kubernetes.io/name:shop-web, tier"; c.PodLabelsText != want {
		t.Errorf("labels %q, want %q", c.PodLabelsText, want)
	}
	s := sandboxContainer("containerd", p)
	if !s.IsPodSandbox || s.ID != sbxID[:12] || s.PodName != "web-7d9f" || s.Name != "" || s.Image != "" {
		t.Errorf("sandbox container %+v", s)
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{Enabled: true, Sockets: DefaultSockets}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Enabled: true}, "container_engines.cri.sockets: empty"},
		{Config{Enabled: true, Sockets: []string{"/run/a.sock", "run/b.sock"}}, `container_engines.cri.sockets[1]: "run/b.sock" is not an absolute path`},
	} {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
	if err := (&Config{Sockets: []string{"unix:///run/x.sock"}}).Validate(); err != nil {
		t.Errorf("unix:// prefix refused: %v", err)
	}
}
