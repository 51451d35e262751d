package cri

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sakersec/saker/internal/testenv"
	"github.com/sakersec/saker/receiver/state"
)

// Against a real containerd (started by the test, with its own socket and
// a pod on the host's network): the id that the container's cgroup path
// gives (what the state knows a live container by) resolves to its name,
// image, runtime and pod; the sandbox's id to its pod; Bootstrap finds
// both.
func TestContainerdEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containerd")
	}
	ctrd := testenv.StartContainerd(t)
	labels := map[string]string{"app": "saker-e2e", "tier": "backend"}
	p := ctrd.RunPod(t, "e2e-pod", "e2e-ns", labels)

	// the id as the state finds it: from the container process's cgroups
	pid := ctrd.Pid(t, p.ContainerID)
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var cgs []state.Cgroup
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if f := strings.SplitN(l, ":", 3); len(f) == 3 {
			cgs = append(cgs, state.Cgroup{Subsys: f[1], Path: f[2]})
		}
	}
	id, _ := state.ContainerFromCgroups(cgs)
	if id != p.ContainerID[:12] {
		t.Fatalf("cgroups %v give container id %q, want %q", cgs, id, p.ContainerID[:12])
	}

	c, err := Dial(context.Background(), "/", []string{"/nonexistent/cri.sock", ctrd.Socket}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.Runtime != "containerd" {
		t.Errorf("runtime %q", c.Runtime)
	}
	r := NewResolver(c, Options{}, false, nil)
	defer r.Close()
	now := time.Now().UnixNano()
	r.Want(id, now)
	got := map[string]*state.Container{}
	m := waitFor(t, r, got, id, 10*time.Second)
	if m == nil {
		t.Fatalf("not resolved: %+v\n%s", r.Stats(), ctrd.Log())
	}
	want := map[string][2]string{
		"id":         {m.ID, id},
		"full id":    {m.FullID, p.ContainerID},
		"type":       {m.Type, "containerd"},
		"name":       {m.Name, "app"},
		"image":      {m.Image, testenv.TestImage},
		"repository": {m.ImageRepo, "saker.test/app"},
		"tag":        {m.ImageTag, "1"},
		"pod":        {m.PodName, "e2e-pod"},
		"namespace":  {m.PodNamespace, "e2e-ns"},
		"uid":        {m.PodUID, p.UID},
		"sandbox":    {m.PodSandboxID, p.SandboxID},
		"labels":     {m.PodLabelsText, "app:saker-e2e, tier:backend"},
		"label app":  {m.PodLabels["app"], "saker-e2e"},
	}
	for what, v := range want {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", what, v[0], v[1])
		}
	}
	if !m.HostNetwork || m.Privileged || m.ImageID == "" {
		t.Errorf("host_network %v privileged %v image id %q", m.HostNetwork, m.Privileged, m.ImageID)
	}

	r.Want(p.SandboxID[:12], now)
	s := waitFor(t, r, got, p.SandboxID[:12], 10*time.Second)
	if s == nil || !s.IsPodSandbox || s.PodName != "e2e-pod" || s.PodUID != p.UID {
		t.Fatalf("sandbox id resolved to %+v", s)
	}

	cs, err := r.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Errorf("bootstrap found %d containers, want the sandbox and the container", len(cs))
	}
}
