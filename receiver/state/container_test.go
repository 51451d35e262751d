package state

import (
	"strings"
	"testing"

	"github.com/sakersec/saker/receiver/event"
)

const (
	id64  = "3f4ad6b6c1e2d8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3"
	id64b = "b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a33f4ad6b6c1e2d8a9"
)

func TestContainerFromCgroupPath(t *testing.T) {
	cases := []struct {
		name, path, id, runtime string
	}{
		{"docker cgroupfs v1", "/docker/" + id64, id64[:12], "docker"},
		{"docker systemd v2", "/system.slice/docker-" + id64 + ".scope", id64[:12], "docker"},
		{"docker nested", "/docker/" + id64b + "/docker/" + id64, id64[:12], "docker"},
		{"k8s cgroupfs containerd v1", "/kubepods/besteffort/pod0c7d3a6e-1b2c-4d5e-8f90-123456789abc/" + id64, id64[:12], "cri"},
		{"k8s burstable cgroupfs", "/kubepods/burstable/pod7e0ac4f5-0a4f-4b1f-9d0c-7f2a1e2b3c4d/" + id64, id64[:12], "cri"},
		{"k8s systemd containerd v2", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7e0ac4f5_0a4f_4b1f_9d0c_7f2a1e2b3c4d.slice/cri-containerd-" + id64 + ".scope", id64[:12], "cri-containerd"},
		{"k8s systemd cri-o", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-" + id64 + ".scope", id64[:12], "cri-o"},
		{"cri-o cgroupfs", "/kubepods/besteffort/pod1/crio-" + id64, id64[:12], "cri-o"},
		{"containerd v2 no systemd cgroup", "/system.slice/containerd.service/kubepods-besteffort-pod1.slice:cri-containerd:" + id64, id64[:12], "cri-containerd"},
		{"podman root", "/machine.slice/libpod-" + id64 + ".scope", id64[:12], "podman"},
		{"podman rootless", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + id64 + ".scope/container", id64[:12], "podman"},
		{"containerd ctr", "/default/" + id64, id64[:12], "docker"},
		{"uppercase hex", "/docker/" + strings.ToUpper(id64), strings.ToUpper(id64[:12]), "docker"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, rt, ok := ContainerFromCgroupPath(c.path)
			if !ok || id != c.id || rt != c.runtime {
				t.Fatalf("got %q %q %v, want %q %q", id, rt, ok, c.id, c.runtime)
			}
		})
	}
	hosts := []string{
		"/", "",
		"/user.slice/user-1000.slice/session-1.scope",
		"/system.slice/docker.service",
		"/system.slice/containerd.service",
		"/kubepods/besteffort/pod0c7d3a6e-1b2c-4d5e-8f90-123456789abc",
		"/docker/" + id64[:63],                          // too short
		"/docker/" + id64 + "0",                         // too long
		"/docker/" + strings.Replace(id64, "3", "z", 1), // not hex
		"/docker/" + id64[:32] + "/" + id64[32:],        // 64 hex characters, not in a row
		"/system.slice/crio-conmon-" + id64 + ".scope",  // the monitor, not the container
		"/machine.slice/libpod-conmon-" + id64 + ".scope",
		"/init.scope",
	}
	for _, p := range hosts {
		if id, _, ok := ContainerFromCgroupPath(p); ok {
			t.Errorf("%q: got container %q", p, id)
		}
	}
	id, rt := ContainerFromCgroups([]Cgroup{{"cpuset", "/"}, {"memory", "/docker/" + id64}})
	if id != id64[:12] || rt != "docker" {
		t.Fatalf("first matching cgroup: %q %q", id, rt)
	}
	if id, rt := ContainerFromCgroups(nil); id != "host" || rt != "" {
		t.Fatalf("no cgroups: %q %q", id, rt)
	}
}

func TestContainerIDFromEvents(t *testing.T) {
	f := newFeeder(t, nil)
	host := f.proc(100, 1, "containerd-shim")
	if host.ContainerID != "host" || host.InContainer() {
		t.Fatalf("host process container %q", host.ContainerID)
	}
	s := f.do(event.SyscallCloneV20X, 200, P{"res": 0, "exe": "/bin/sh", "tid": 200, "pid": 200, "ptid": 100,
		"comm": "sh", "cgroups": []string{"cpuset=/kubepods/besteffort/pod1/" + id64, "cpu=/kubepods/besteffort/pod1/" + id64},
		"flags": CloneNewPID, "vtid": 1, "vpid": 1, "pidns_init_start_ts": 777})
	c := s.Thread(200)
	if c.ContainerID != id64[:12] || !c.InContainer() || c.PidnsInitStartTS != 777 || c.Vpid != 1 {
		t.Fatalf("container child: %q vpid %d", c.ContainerID, c.Vpid)
	}
	// Inside the container, clone returns the child's id in the
	// container's pid namespace (2), not its host id (201): the parent's
	// event makes no thread (an earlier version of this test expected a
	// thread 201 from a parent event saying res=201, which no kernel
	// reports for a caller whose vtid is 1 — and made thread 2 of a real
	// clone). The child's own event, carrying its host tid, creates it
	// and it inherits the container without cgroups in the event.
	f.do(event.SyscallCloneV20X, 200, P{"res": 2, "exe": "/bin/sh", "tid": 200, "pid": 200, "ptid": 100, "comm": "sh", "flags": 0, "vtid": 1, "vpid": 1})
	if s.Thread(2) != nil {
		t.Fatal("a thread was made under the namespaced id clone returned")
	}
	f.do(event.SyscallCloneV20X, 201, P{"res": 0, "exe": "/bin/sh", "tid": 201, "pid": 201, "ptid": 200, "comm": "sh", "flags": 0, "vtid": 2, "vpid": 2})
	if g := s.Thread(201); g == nil || g.ContainerID != id64[:12] || g.Vtid != 2 || g.Vpid != 2 || g.Ptid != 200 {
		t.Fatalf("grandchild: %+v", g)
	}
	// execve with cgroups recomputes
	f.do(event.SyscallExecveV19X, 201, P{"res": 0, "exe": "/x", "comm": "x", "cgroups": []string{"cpuset=/system.slice/docker-" + id64b + ".scope"}})
	if g := s.Thread(201); g.ContainerID != id64b[:12] || g.ContainerRuntime != "docker" {
		t.Fatalf("after execve: %q", g.ContainerID)
	}
}

// Container events fill the container table: the JSON forms (the latest
// event for an id replaces the entry: captures first write an
// "incomplete" description), the old PPME_CONTAINER_E, malformed JSON
// ignored; threads of a container without an event get libs' stub.
func TestContainerMetadataFromEvents(t *testing.T) {
	f := newFeeder(t, nil)
	js := func(s string) P { return P{"json": s} }
	f.do(event.ContainerJsonE, -1, js(`{"container":{"id":"`+id64[:12]+`","image":"incomplete","name":"incomplete","type":0}}`))
	f.do(event.ContainerJsonV2E, -1, js(`{"container":{"Mounts":[{"Destination":"/data","Mode":"","Propagation":"rprivate","RW":true,"Source":"/var/lib/d"},`+
		`{"Destination":"/c","Mode":"ro","Propagation":"","RW":false,"Source":"/srv/c"}],"id":"`+id64[:12]+`","full_id":"`+id64+`",`+
		`"image":"nginx:1","imageid":"abc","imagerepo":"nginx","imagetag":"1","imagedigest":"sha256:1","ip":"172.17.0.9",`+
		`"name":"web","privileged":true,"type":7,"host_network":true,"LivenessProbe":{"exe":"/bin/check","args":["-q"]}}}`))
	f.do(event.ContainerE, -1, P{"id": id64b[:12], "type": 8, "name": "old", "image": "busybox"})
	f.do(event.ContainerJsonE, -1, js(`{"container":`))    // malformed
	f.do(event.ContainerJsonE, -1, js(`{"container":{}}`)) // no id
	s := f.s
	if s.NumContainers() != 2 {
		t.Fatalf("%d containers", s.NumContainers())
	}
	c := s.Container(id64[:12])
	if c == nil || c.Name != "web" || c.Image != "nginx:1" || c.ImageID != "abc" || c.ImageRepo != "nginx" || c.ImageTag != "1" ||
		c.ImageDigest != "sha256:1" || c.Type != "containerd" || !c.Privileged || c.FullID != id64 || c.IPText != "172.17.0.9" ||
		!c.HostNetwork || c.HostPID || c.LivenessProbe == nil || *c.LivenessProbe != "/bin/check -q" || c.HealthCheck != nil {
		t.Fatalf("container: %+v", c)
	}
	if c.MountsText != "/var/lib/d:/data::true:rprivate,/srv/c:/c:ro:false:" || c.MountByIndex(1).Dest != "/c" || c.MountByIndex(2) != nil ||
		c.MountBySource("/var/*").Dest != "/data" || c.MountBySource("/srv/[a-c]") == nil || c.MountBySource("/nope*") != nil ||
		c.MountByDest("/c").Source != "/srv/c" || c.MountBySource("*").Source != "/var/lib/d" {
		t.Fatalf("mounts: %+v", c.Mounts)
	}
	if o := s.Container(id64b[:12]); o == nil || o.Name != "old" || o.Image != "busybox" || o.Type != "cri-o" || o.Privileged {
		t.Fatalf("old container event: %+v", o)
	}
	// threads: described, undescribed (libs' stub: the cgroup's runtime), host
	in := f.proc(500, 1, "nginx")
	f.do(event.SyscallExecveV19X, 500, P{"res": 0, "exe": "nginx", "comm": "nginx", "cgroups": []string{"cpuset=/docker/" + id64}})
	if s.ContainerOf(in) != c {
		t.Fatal("thread of a described container")
	}
	other := f.proc(600, 1, "app")
	f.do(event.SyscallExecveV19X, 600, P{"res": 0, "exe": "app", "comm": "app", "cgroups": []string{"cpuset=/system.slice/crio-" + strings.Repeat("e", 64) + ".scope"}})
	if st := s.ContainerOf(other); st == nil || st.Type != "cri-o" || st.Name != "" || st.Privileged || len(st.Mounts) != 0 {
		t.Fatalf("undescribed container: %+v", st)
	}
	if s.ContainerOf(f.proc(700, 1, "sshd")) != nil {
		t.Fatal("host thread has container metadata")
	}
}

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		ok   bool
	}{
		{"/var/*", "/var/lib/x", true}, {"*", "", true}, {"", "", true}, {"", "a", false}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"[a-c]x", "bx", true}, {"[!a-c]x", "bx", false}, {"[^a]x", "zx", true}, {"[]]", "]", true}, {"[a", "[a", true},
		{"\\*", "*", true}, {"\\*", "a", false}, {"*.log", "/a/b.log", true}, {"*b*c", "abxbc", true}, {"a*", "b", false},
	} {
		if got := globMatch(c.p, c.s); got != c.ok {
			t.Errorf("globMatch(%q, %q) = %v", c.p, c.s, got)
		}
	}
}
