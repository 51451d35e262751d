package cri

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// fakeRuntime is a CRI RuntimeService with a fixed set of containers and
// sandboxes, an optional delay per call and call counters. It stands in
// for containerd where a test needs a runtime that is slow, down or
// ignorant of an id (the real one is tested in e2e_test.go).
type fakeRuntime struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	name       string
	mu         sync.Mutex
	containers map[string]*runtimeapi.ContainerStatusResponse
	sandboxes  map[string]*runtimeapi.PodSandboxStatusResponse
	delay      time.Duration
	calls      atomic.Int64
}

func (f *fakeRuntime) wait(ctx context.Context) error {
	f.calls.Add(1)
	f.mu.Lock()
	d := f.delay
	f.mu.Unlock()
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// find resolves an id or an unambiguous prefix, as runtimes do.
func find[T any](m map[string]T, id string) (T, bool) {
	var zero T
	var hit T
	n := 0
	for k, v := range m {
		if strings.HasPrefix(k, id) && id != "" {
			hit = v
			n++
		}
	}
	if n != 1 {
		return zero, false
	}
	return hit, true
}

func (f *fakeRuntime) Version(ctx context.Context, _ *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return &runtimeapi.VersionResponse{Version: "0.1.0", RuntimeName: f.name, RuntimeVersion: "1.0", RuntimeApiVersion: "v1"}, nil
}

func (f *fakeRuntime) ContainerStatus(ctx context.Context, r *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := find(f.containers, r.ContainerId); ok {
		return c, nil
	}
	return nil, status.Errorf(codes.NotFound, "an error occurred when try to find container %q: not found", r.ContainerId)
}

func (f *fakeRuntime) PodSandboxStatus(ctx context.Context, r *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := find(f.sandboxes, r.PodSandboxId); ok {
		return s, nil
	}
	return nil, status.Errorf(codes.NotFound, "an error occurred when try to find sandbox %q: not found", r.PodSandboxId)
}

func (f *fakeRuntime) ListPodSandbox(ctx context.Context, _ *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &runtimeapi.ListPodSandboxResponse{}
	for id := range f.sandboxes {
		out.Items = append(out.Items, &runtimeapi.PodSandbox{Id: id, State: runtimeapi.PodSandboxState_SANDBOX_READY})
	}
	return out, nil
}

func (f *fakeRuntime) ListContainers(ctx context.Context, _ *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &runtimeapi.ListContainersResponse{}
	for id := range f.containers {
		out.Containers = append(out.Containers, &runtimeapi.Container{Id: id, State: runtimeapi.ContainerState_CONTAINER_RUNNING})
	}
	return out, nil
}

// serve runs f on a unix socket in a temporary directory until the test
// ends; stop stops it earlier (the runtime going down).
func serve(t *testing.T, f *fakeRuntime) (sock string, stop func()) {
	t.Helper()
	sock = filepath.Join(t.TempDir(), "cri.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(s, f)
	go s.Serve(l)
	var once sync.Once
	stop = func() { once.Do(s.Stop) }
	t.Cleanup(stop)
	return sock, stop
}

const (
	ctrID  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	sbxID  = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
	podUID = "3e41dc6b-08a8-44db-bc2a-3724b18ab19a"
)

// containerdInfo is the verbose info containerd 1.6 writes (trimmed).
const containerdInfo = `{"sandboxID":"` + sbxID + `","pid":4242,"removing":false,"snapshotKey":"k","snapshotter":"overlayfs",
 "runtimeType":"io.containerd.runc.v2","config":{"metadata":{"name":"web"},"image":{"image":"docker.io/library/nginx:1.25"},
 "linux":{"security_context":{"privileged":true,"namespace_options":{"network":2,"pid":1}}}},
 "runtimeSpec":{"linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"mount"}]}}}`

func newFake() *fakeRuntime {
	return &fakeRuntime{
		name: "containerd",
		containers: map[string]*runtimeapi.ContainerStatusResponse{
			ctrID: {
				Status: &runtimeapi.ContainerStatus{
					Id: ctrID, Metadata: &runtimeapi.ContainerMetadata{Name: "web"},
					State:    runtimeapi.ContainerState_CONTAINER_RUNNING,
					Image:    &runtimeapi.ImageSpec{Image: "docker.io/library/nginx:1.25"},
					ImageRef: "docker.io/library/nginx@sha256:" + strings.Repeat("ab", 32),
					Labels:   map[string]string{"io.kubernetes.pod.name": "web-7d9f", "io.kubernetes.container.name": "web"},
					Mounts: []*runtimeapi.Mount{
						{ContainerPath: "/etc/hosts", HostPath: "/var/lib/kubelet/pods/x/etc-hosts"},
						{ContainerPath: "/data", HostPath: "/srv/data", Readonly: true, Propagation: runtimeapi.MountPropagation_PROPAGATION_HOST_TO_CONTAINER},
					},
				},
				Info: map[string]string{"info": containerdInfo},
			},
		},
		sandboxes: map[string]*runtimeapi.PodSandboxStatusResponse{
			sbxID: {Status: &runtimeapi.PodSandboxStatus{
				Id:       sbxID,
				Metadata: &runtimeapi.PodSandboxMetadata{Name: "web-7d9f", Namespace: "shop", Uid: podUID},
				State:    runtimeapi.PodSandboxState_SANDBOX_READY,
				Network:  &runtimeapi.PodSandboxNetworkStatus{Ip: "fd00::5", AdditionalIps: []*runtimeapi.PodIP{{Ip: "10.1.2.3"}}},
				Labels:   map[string]string{"app": "web", "tier": "", "io.kubernetes.pod.name": "web-7d9f", "app.kubernetes.io/name": "shop-web"},
			}},
		},
	}
}
