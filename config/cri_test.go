package config

import (
	"flag"
	"io"
	"slices"
	"testing"

	"github.com/sakersec/saker/receiver/cri"
)

// container_engines.cri: Falco's defaults, the -o and flag forms (--cri is
// repeatable and replaces the list; --disable-cri-async), and a falco.yaml
// with the other engines loads with a warning for them only.
func TestContainerEnginesCRI(t *testing.T) {
	c := mustLoad(t, LoadOptions{Overrides: []string{noIncludes}})
	if got := c.ContainerEngines.CRI; !got.Enabled || got.DisableAsync || !slices.Equal(got.Sockets, cri.DefaultSockets) {
		t.Errorf("defaults: %+v, want enabled with %v", got, cri.DefaultSockets)
	}

	var cl CommandLine
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cl.List(fs, "cri", "container_engines.cri.sockets", "")
	cl.Const(fs, "disable-cri-async", "container_engines.cri.disable_async", true, "")
	if err := fs.Parse([]string{"--cri", "/a.sock", "--cri", "/b.sock", "--disable-cri-async"}); err != nil {
		t.Fatal(err)
	}
	c = mustLoad(t, LoadOptions{Overrides: []string{noIncludes}, CommandLine: &cl})
	if got := c.ContainerEngines.CRI; !got.DisableAsync || !slices.Equal(got.Sockets, []string{"/a.sock", "/b.sock"}) {
		t.Errorf("flags: %+v", got)
	}

	dir := t.TempDir()
	f := writeFile(t, dir, "falco.yaml", `container_engines:
  docker:
    enabled: true
  cri:
    enabled: false
    sockets: ["/run/containerd/containerd.sock"]
    disable_async: false
  podman:
    enabled: true
`)
	c = mustLoad(t, LoadOptions{File: f, Overrides: []string{noIncludes}})
	if c.ContainerEngines.CRI.Enabled {
		t.Error("container_engines.cri.enabled: false not applied")
	}
	var warned []string
	for _, w := range c.Warnings() {
		warned = append(warned, w.Key)
	}
	if !slices.Contains(warned, "container_engines.docker") || !slices.Contains(warned, "container_engines.podman") {
		t.Errorf("warnings %v: want the docker and podman keys", warned)
	}
	for _, k := range warned {
		if len(k) > 21 && k[:21] == "container_engines.cri" {
			t.Errorf("warning for %s", k)
		}
	}
}
