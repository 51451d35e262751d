package deploytest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/sakersec/saker/internal/testenv"
)

// helmVersion is the Helm release the chart is tested with.
const helmVersion = "v3.22.0"

// repoRoot is the saker checkout; deployDir its deploy/ folder.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func deployDir(t testing.TB) string { return filepath.Join(repoRoot(t), "deploy") }

// goEnv is the environment for building tools outside saker's module.
func goEnv(extra ...string) []string {
	env := make([]string, 0, len(os.Environ())+4)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOWORK=") || strings.HasPrefix(kv, "GOFLAGS=") {
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "GOWORK=off", "GOFLAGS=-buildvcs=false"), extra...)
}

// cachedTool returns the path of a tool built by build into a cache
// directory named by key, building it once per machine. Concurrent test
// processes serialise on a lock file.
func cachedTool(name, key string, build func(dir, bin string) error) (string, error) {
	cache, err := testenv.CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, name+"-"+key)
	bin := filepath.Join(dir, name)
	if st, err := os.Stat(bin); err == nil && st.Mode()&0o111 != 0 {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if st, err := os.Stat(bin); err == nil && st.Mode()&0o111 != 0 {
		return bin, nil
	}
	tmp := bin + ".tmp"
	if err := build(dir, tmp); err != nil {
		return "", fmt.Errorf("building %s: %w", name, err)
	}
	return bin, os.Rename(tmp, bin)
}

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// helmBinary is the real Helm CLI, built from its Go module with
// `go install` (a few minutes on a cold module cache, once per machine).
func helmBinary(t testing.TB) string {
	t.Helper()
	helmOnce.Do(func() {
		helmPath, helmErr = cachedTool("helm", helmVersion, func(dir, bin string) error {
			gobin := filepath.Join(dir, "gobin")
			cmd := exec.Command("go", "install", "helm.sh/helm/v3/cmd/helm@"+helmVersion)
			cmd.Env = goEnv("GOBIN=" + gobin)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%v\n%s", err, out)
			}
			return os.Rename(filepath.Join(gobin, "helm"), bin)
		})
	})
	if helmErr != nil {
		testenv.Unavailable(t, "helm: %v", helmErr)
	}
	return helmPath
}

var (
	kubecheckOnce sync.Once
	kubecheckPath string
	kubecheckErr  error
)

// kubecheckBinary builds ./kubecheck (its own module), cached by a hash of
// its sources so an edit rebuilds it.
func kubecheckBinary(t testing.TB) string {
	t.Helper()
	kubecheckOnce.Do(func() {
		src, err := filepath.Abs("kubecheck")
		if err != nil {
			kubecheckErr = err
			return
		}
		h := sha256.New()
		var names []string
		_ = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				names = append(names, p)
			}
			return nil
		})
		sort.Strings(names)
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				kubecheckErr = err
				return
			}
			fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(n), len(b))
			h.Write(b)
		}
		key := hex.EncodeToString(h.Sum(nil))[:16]
		kubecheckPath, kubecheckErr = cachedTool("kubecheck", key, func(dir, bin string) error {
			cmd := exec.Command("go", "build", "-o", bin, ".")
			cmd.Dir = src
			cmd.Env = goEnv()
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%v\n%s", err, out)
			}
			return nil
		})
	})
	if kubecheckErr != nil {
		testenv.Unavailable(t, "kubecheck: %v", kubecheckErr)
	}
	return kubecheckPath
}

// lookTool finds a binary on PATH (Debian's prometheus package ships
// prometheus and promtool; hack/deps.sh installs it).
func lookTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		testenv.Unavailable(t, "%s not installed (apt-get install prometheus): %v", name, err)
	}
	return p
}

// run runs a command and fails the test with its output if it fails.
func run(t testing.TB, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

func execIn(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	return cmd
}
