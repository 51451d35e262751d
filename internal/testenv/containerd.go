package testenv

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// TestImage is the name of the image [StartContainerd] imports: a static
// Go program that waits for SIGTERM when its first argument is "sleep"
// (the entrypoint, so it also serves as the sandbox image) and exits at
// once otherwise (what tests execute inside a container).
const TestImage = "saker.test/app:1"

// Containerd is a containerd with its CRI plugin, started by a test on its
// own socket, root and state directories, with [TestImage] imported.
type Containerd struct {
	Socket  string
	Runtime runtimeapi.RuntimeServiceClient
	conn    *grpc.ClientConn
	dir     string
}

// Pod is a pod sandbox with one running container, made through the CRI.
type Pod struct {
	Name, Namespace, UID string
	Labels               map[string]string
	SandboxID            string
	ContainerName        string
	ContainerID          string
	// CgroupParent is the pod's cgroup (cgroupfs driver, as kubelet's
	// kubepods/pod<uid>).
	CgroupParent string
}

// StartContainerd builds the test image, starts containerd with the CRI
// plugin (runc, cgroupfs driver, no CNI: pods use the host's network) and
// imports the image. Everything is torn down at cleanup: pods, the
// daemon, its mounts and directories. A missing binary or a daemon that
// does not come up is [Unavailable]: a failure under CI=true.
func StartContainerd(tb testing.TB) *Containerd {
	tb.Helper()
	if os.Geteuid() != 0 {
		Unavailable(tb, "containerd needs root")
	}
	for _, b := range []string{"containerd", "ctr", "runc", "containerd-shim-runc-v2"} {
		if _, err := exec.LookPath(b); err != nil {
			Unavailable(tb, "%s not installed (apt-get install containerd runc; hack/deps.sh does it)", b)
		}
	}
	// The runc shim keeps its sockets under /run/containerd/s whatever
	// the configuration; remove what it made there if nothing was there.
	_, runErr := os.Stat("/run/containerd")
	dir, err := os.MkdirTemp("", "saker-containerd-")
	if err != nil {
		tb.Fatal(err)
	}
	c := &Containerd{Socket: filepath.Join(dir, "containerd.sock"), dir: dir}
	tarball := filepath.Join(dir, "image.tar")
	if err := buildTestImage(dir, tarball); err != nil {
		os.RemoveAll(dir)
		tb.Fatalf("building the test image: %v", err)
	}
	cfg := fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
[grpc]
  address = %[3]q
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[4]q
  disable_tcp_service = true
  # the test may run where lowering oom_score_adj is not allowed
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = %[6]q
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[5]q
    conf_dir = %[5]q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), c.Socket, TestImage, filepath.Join(dir, "cni"), filepath.Join(dir, "runc"))
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		tb.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "containerd.log"))
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("containerd", "--config", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		Unavailable(tb, "starting containerd: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(exited) }()
	tb.Cleanup(func() {
		c.teardown(tb)
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		unmountUnder(dir)
		if runErr != nil {
			os.Remove("/run/containerd/s")
			os.Remove("/run/containerd")
		}
		if err := os.RemoveAll(dir); err != nil {
			tb.Errorf("containerd's directory: %v", err)
		}
	})
	log := func() string { b, _ := os.ReadFile(filepath.Join(dir, "containerd.log")); return tail(string(b), 30) }

	c.conn, err = grpc.NewClient("unix://"+c.Socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatal(err)
	}
	c.Runtime = runtimeapi.NewRuntimeServiceClient(c.conn)
	images := runtimeapi.NewImageServiceClient(c.conn)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		if _, err := c.Runtime.Version(ctx, &runtimeapi.VersionRequest{}); err == nil {
			break
		}
		select {
		case <-exited:
			Unavailable(tb, "containerd exited:\n%s", log())
		case <-ctx.Done():
			Unavailable(tb, "containerd's CRI did not answer in 20 s:\n%s", log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if out, err := exec.Command("ctr", "-a", c.Socket, "-n", "k8s.io", "images", "import", tarball).CombinedOutput(); err != nil {
		tb.Fatalf("ctr images import: %v\n%s\n%s", err, out, log())
	}
	// The CRI plugin learns of the image from containerd's events.
	for {
		st, err := images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: TestImage}})
		if err == nil && st.GetImage() != nil {
			break
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("the CRI does not see the imported image: %v\n%s", err, log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return c
}

// RunPod runs a pod sandbox on the host's network (no CNI) in a
// kubelet-style cgroup and one container of TestImage in it, labelled as
// kubelet labels them.
func (c *Containerd) RunPod(tb testing.TB, name, namespace string, labels map[string]string) *Pod {
	tb.Helper()
	var b [16]byte
	if _, err := readRandom(b[:]); err != nil {
		tb.Fatal(err)
	}
	u := hex.EncodeToString(b[:])
	p := &Pod{Name: name, Namespace: namespace, UID: u[:8] + "-" + u[8:12] + "-" + u[12:16] + "-" + u[16:20] + "-" + u[20:32],
		Labels: labels, ContainerName: "app"}
	p.CgroupParent = fmt.Sprintf("/saker-e2e-%d/kubepods/pod%s", os.Getpid(), p.UID)
	podLabels := map[string]string{"io.kubernetes.pod.name": name, "io.kubernetes.pod.namespace": namespace, "io.kubernetes.pod.uid": p.UID}
	for k, v := range labels {
		podLabels[k] = v
	}
	hostNet := &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE}
	sbCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: namespace, Uid: p.UID},
		LogDirectory: filepath.Join(c.dir, "logs", p.UID),
		Labels:       podLabels,
		Linux: &runtimeapi.LinuxPodSandboxConfig{CgroupParent: p.CgroupParent,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{NamespaceOptions: hostNet}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sb, err := c.Runtime.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbCfg})
	if err != nil {
		tb.Fatalf("RunPodSandbox: %v\n%s", err, c.Log())
	}
	p.SandboxID = sb.GetPodSandboxId()
	ctrLabels := map[string]string{"io.kubernetes.pod.name": name, "io.kubernetes.pod.namespace": namespace,
		"io.kubernetes.pod.uid": p.UID, "io.kubernetes.container.name": p.ContainerName}
	cr, err := c.Runtime.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: p.SandboxID, SandboxConfig: sbCfg,
		Config: &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: p.ContainerName},
			Image:    &runtimeapi.ImageSpec{Image: TestImage},
			Args:     []string{"sleep"},
			Labels:   ctrLabels,
			LogPath:  "app.log",
			Linux: &runtimeapi.LinuxContainerConfig{
				SecurityContext: &runtimeapi.LinuxContainerSecurityContext{NamespaceOptions: hostNet}},
		}})
	if err != nil {
		tb.Fatalf("CreateContainer: %v\n%s", err, c.Log())
	}
	p.ContainerID = cr.GetContainerId()
	if _, err := c.Runtime.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: p.ContainerID}); err != nil {
		tb.Fatalf("StartContainer: %v\n%s", err, c.Log())
	}
	return p
}

// Exec runs TestImage's program inside the pod's container (it exits at
// once) through the CRI's ExecSync.
func (c *Containerd) Exec(p *Pod, arg string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.Runtime.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: p.ContainerID, Cmd: []string{"/app", arg}, Timeout: 5})
	if err == nil && r.GetExitCode() != 0 {
		err = fmt.Errorf("exit %d: %s", r.GetExitCode(), r.GetStderr())
	}
	return err
}

// Pid returns the pid of the container's process (from the verbose
// status, where containerd puts it).
func (c *Containerd) Pid(tb testing.TB, containerID string) int {
	tb.Helper()
	r, err := c.Runtime.ContainerStatus(context.Background(), &runtimeapi.ContainerStatusRequest{ContainerId: containerID, Verbose: true})
	if err != nil {
		tb.Fatal(err)
	}
	var info struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal([]byte(r.GetInfo()["info"]), &info); err != nil || info.Pid == 0 {
		tb.Fatalf("no pid in the container's info: %v", err)
	}
	return info.Pid
}

// Log returns the end of containerd's log.
func (c *Containerd) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "containerd.log"))
	return tail(string(b), 30)
}

// teardown removes every pod (stopping its containers and shims) and the
// pods' cgroup parents.
func (c *Containerd) teardown(tb testing.TB) {
	if c.conn == nil {
		return
	}
	defer c.conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := c.Runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err == nil {
		for _, s := range l.GetItems() {
			if _, err := c.Runtime.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: s.GetId()}); err != nil {
				tb.Logf("StopPodSandbox: %v", err)
			}
			if _, err := c.Runtime.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: s.GetId()}); err != nil {
				tb.Logf("RemovePodSandbox: %v", err)
			}
		}
	}
	parent := fmt.Sprintf("saker-e2e-%d", os.Getpid())
	roots, _ := filepath.Glob("/sys/fs/cgroup/*/" + parent)
	if _, err := os.Stat("/sys/fs/cgroup/" + parent); err == nil {
		roots = append(roots, "/sys/fs/cgroup/"+parent)
	}
	for _, r := range roots {
		// deepest first
		var dirs []string
		filepath.WalkDir(r, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			os.Remove(dirs[i])
		}
	}
}

// unmountUnder lazily unmounts what is still mounted below dir (sandbox
// shm, snapshots), deepest first.
func unmountUnder(dir string) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mps []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			mps = append(mps, f[4])
		}
	}
	for i := len(mps) - 1; i >= 0; i-- {
		syscall.Unmount(mps[i], syscall.MNT_DETACH)
	}
}

func tail(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func readRandom(b []byte) (int, error) {
	f, err := os.Open("/dev/urandom")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return f.Read(b)
}

// testProgram is the image's /app.
const testProgram = `package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
	}
}
`

// buildTestImage compiles testProgram statically and writes an OCI image
// layout tarball of it (one layer with /app, entrypoint /app sleep) named
// TestImage, for `ctr images import`.
func buildTestImage(dir, tarball string) error {
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(testProgram), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module app\n\ngo 1.21\n"), 0o644); err != nil {
		return err
	}
	bin := filepath.Join(dir, "app")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	prog, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	var layer bytes.Buffer
	lw := tar.NewWriter(&layer)
	if err := lw.WriteHeader(&tar.Header{Name: "app", Mode: 0o755, Size: int64(len(prog)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	lw.Write(prog)
	lw.Close()

	blobs := map[string][]byte{}
	put := func(b []byte) (string, int) {
		sum := sha256.Sum256(b)
		d := "sha256:" + hex.EncodeToString(sum[:])
		blobs[d] = b
		return d, len(b)
	}
	layerDigest, layerSize := put(layer.Bytes())
	cfg, _ := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH, "os": "linux",
		"config": map[string]any{"Entrypoint": []string{"/app"}, "Cmd": []string{"sleep"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{layerDigest}},
	})
	cfgDigest, cfgSize := put(cfg)
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfgDigest, "size": cfgSize},
		"layers": []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layerDigest, "size": layerSize}},
	})
	mDigest, mSize := put(manifest)
	index, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
		"manifests": []any{map[string]any{
			"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mDigest, "size": mSize,
			"platform":    map[string]string{"architecture": runtime.GOARCH, "os": "linux"},
			"annotations": map[string]string{"io.containerd.image.name": TestImage, "org.opencontainers.image.ref.name": "1"},
		}},
	})

	f, err := os.Create(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	add := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	if err := add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)); err != nil {
		return err
	}
	if err := add("index.json", index); err != nil {
		return err
	}
	for d, b := range blobs {
		if err := add("blobs/sha256/"+strings.TrimPrefix(d, "sha256:"), b); err != nil {
			return err
		}
	}
	return tw.Close()
}
