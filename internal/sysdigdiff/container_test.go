package sysdigdiff

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/engine/output"
	"github.com/sakersec/saker/internal/oracle"
	"github.com/sakersec/saker/receiver/event"
	"github.com/sakersec/saker/receiver/scap"
)

// TestContainerMetadataFieldsMatchSysdig checks the container.* fields
// read from container events against sysdig 0.29 on a capture written
// here with the metadata the shared traces lack: mounts (container.mounts,
// container.mount[N] and [glob], container.mount.*), a health check, a
// privileged container, an old-style PPME_CONTAINER_E container, a
// container without metadata and a host process. Each field is rendered
// by engine/output as an alert would, sysdig with -p.
func TestContainerMetadataFieldsMatchSysdig(t *testing.T) {
	bin := oracle.Sysdig(t)
	const (
		idA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		idB = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
		idC = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	)
	proc := func(pid int64, comm, cid string) scap.Process {
		p := scap.Process{Tid: pid, Pid: pid, Ptid: 1, Sid: pid, Vpgid: pid, Pgid: pid, Comm: comm, Exe: comm,
			ExePath: "/usr/bin/" + comm, Cwd: "/", FDLimit: 1024, Vtid: pid, Vpid: pid, LoginUID: ^uint32(0)}
		if cid != "" {
			p.Cgroups = []string{"cpuset=/docker/" + cid, "memory=/docker/" + cid}
		}
		return p
	}
	md := &scap.Metadata{Major: 1, Minor: 2, Processes: []scap.Process{
		proc(100, "sshd", ""), proc(200, "nginx", idA), proc(300, "redis", idB), proc(400, "job", idC),
	}}
	path := filepath.Join(t.TempDir(), "containers.scap")
	w, err := scap.Create(path, md, scap.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b event.Builder
	var e event.Event
	ts := uint64(1_700_000_000_000_000_000)
	write := func() {
		if err := e.Reset(b.Finish(), 0); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteEvent(&e); err != nil {
			t.Fatal(err)
		}
	}
	json := `{"container":{"Mounts":[` +
		`{"Destination":"/data","Mode":"","Propagation":"rprivate","RW":true,"Source":"/var/lib/app/data"},` +
		`{"Destination":"/etc/conf","Mode":"ro","Propagation":"rslave","RW":false,"Source":"/srv/conf"}],` +
		`"Healthcheck":{"exe":"curl","args":["-f","http://localhost/"]},` +
		`"id":"` + idA[:12] + `","image":"registry.example/web:1.2","imagedigest":"sha256:abcd","imageid":"5e5e5e",` +
		`"imagerepo":"registry.example/web","imagetag":"1.2","ip":"172.17.0.5","name":"web","privileged":true,"type":0}}`
	ts++
	b.Begin(event.ContainerJsonE, ts, -1)
	b.String(json)
	write()
	ts++
	b.Begin(event.ContainerE, ts, -1)
	b.String(idB[:12])
	b.Uint32(0)
	b.String("cache")
	b.String("redis:7")
	write()
	for _, tid := range []int64{100, 200, 300, 400} {
		ts++
		b.Begin(event.SyscallCloseE, ts, tid)
		b.Int64(99)
		write()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	fieldList := []string{"container.id", "container.name", "container.image", "container.image.id", "container.image.repository",
		"container.image.tag", "container.image.digest", "container.type", "container.privileged", "container.mounts",
		"container.mount[0]", "container.mount[1]", "container.mount[2]", "container.mount[/var/lib/*]", "container.mount[/srv/co?f]",
		"container.mount.source[/data]", "container.mount.source[/etc/*]", "container.mount.dest[0]", "container.mount.dest[/srv/conf]",
		"container.mount.mode[1]", "container.mount.rdwr[0]", "container.mount.rdwr[/srv/*]", "container.mount.propagation[1]",
		"container.healthcheck", "container.liveness_probe", "container.readiness_probe"}
	format := "*%evt.num"
	for _, f := range fieldList {
		format += "|%" + f
	}
	out, err := RunSysdig(bin, path, "-p", format, "evt.type != container")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(out)), "\n")

	ofmt, err := output.Compile(strings.TrimPrefix(format, "*"), fields.Default)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var c fields.Ctx
	err = Replay(path, func(s *Step) error {
		if s.Vis != scap.Visible || s.Orig.Name() == "container" {
			return nil
		}
		c.State = s.State
		c.Reset(s.Conv)
		got = append(got, string(ofmt.Append(nil, &c)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("container fields differ from sysdig 0.29 (%s):\nsaker:\n%s\nsysdig:\n%s", format, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// the comparison must have seen the metadata
	if len(got) != 4 || !strings.Contains(got[1], "|web|") || !strings.Contains(got[1], "/var/lib/app/data:/data::true:rprivate") ||
		!strings.Contains(got[2], "|cache|redis:7|") {
		t.Fatalf("unexpected renderings:\n%s", strings.Join(got, "\n"))
	}
	t.Logf("%d events × %d container fields equal sysdig's; e.g. %s", len(got), len(fieldList), strconv.Quote(got[1]))
}
