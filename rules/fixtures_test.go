package rules

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	enginerules "github.com/sakersec/saker/engine/rules"
	"github.com/sakersec/saker/internal/childtest"
)

// loadDefault loads the embedded rules as `saker run` does when no rules
// files are configured, failing on any load error.
func loadDefault() (*enginerules.Ruleset, error) {
	l := enginerules.NewLoader(enginerules.Config{})
	for _, f := range Default() {
		if r := l.Load("saker:"+f.Name, f.Content); !r.Successful() {
			return nil, fmt.Errorf("%s", r.Text(true))
		}
	}
	rs := l.Ruleset()
	if rs == nil {
		return nil, fmt.Errorf("no rules loaded")
	}
	return rs, nil
}

// fixtures are host objects shared by the tests and removed at the end:
// the container cgroup.
var fixtures fixtureSet

type fixtureSet struct {
	mu        sync.Mutex
	cgErr     error
	cgOnce    sync.Once
	cgDir     string   // the container's cgroup directory
	cgRemove  []string // directories to remove, deepest first
	container string   // container.id (12 hex characters)
}

// containerCgroup returns a throwaway cgroup whose path is the one Docker's
// cgroupfs driver gives a container (…/docker/<64 hex>), which is how
// saker's state tracker (like libs) recognises a process in a container.
func (f *fixtureSet) containerCgroup(t testing.TB) string {
	t.Helper()
	f.cgOnce.Do(func() {
		base := childtest.CgroupBase()
		if base == "" {
			f.cgErr = fmt.Errorf("no writable cgroup hierarchy under /sys/fs/cgroup")
			return
		}
		var id [32]byte
		rand.Read(id[:])
		full := hex.EncodeToString(id[:])
		top := filepath.Join(base, fmt.Sprintf("saker-rules-%d", os.Getpid()))
		docker := filepath.Join(top, "docker")
		dir := filepath.Join(docker, full)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			f.cgErr = err
			return
		}
		f.cgDir, f.container = dir, full[:12]
		f.cgRemove = []string{dir, docker, top}
	})
	if f.cgErr != nil {
		childtest.SkipOrFail(t, "container cgroup: %v", f.cgErr)
	}
	return f.cgDir
}

// containerID is container.id of processes in the container cgroup.
func (f *fixtureSet) containerID(t testing.TB) string {
	f.containerCgroup(t)
	return f.container
}

func (f *fixtureSet) cleanup() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.cgRemove {
		// A cgroup can be removed once its last process is gone, which the
		// kernel notices a moment after the exit.
		for i := 0; i < 50; i++ {
			if err := os.Remove(d); err == nil || os.IsNotExist(err) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// tool returns the path of a program the test runs, failing under CI
// (skipping otherwise) when it is missing.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		childtest.SkipOrFail(t, "%s not found: %v", name, err)
	}
	return p
}

// randName returns a name unique to this run, for files the tests create
// in system directories.
func randName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s%d-%s", prefix, os.Getpid(), hex.EncodeToString(b[:]))
}

// removeLater removes path at the end of the test, whatever happened.
func removeLater(t testing.TB, path string) {
	t.Cleanup(func() { os.RemoveAll(path) })
}
