package testenv

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// BuilderVersion is the collector builder (ocb) release used, which is also
// the collector core version it produces.
const BuilderVersion = "v0.162.0"

// builderConfigPath is the committed builder manifest, relative to the repo root.
const builderConfigPath = "deploy/collector/builder-config.yaml"

// binaryName must match dist.name in the builder config.
const binaryName = "otelcol-saker"

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildTook time.Duration
)

// CollectorBinary returns the path of the test collector, building it first
// if this machine has no cached copy. It is safe to call from many tests and
// many processes at once; the build runs at most once per config version.
// The returned duration is how long this call spent building (0 on a hit).
func CollectorBinary() (string, time.Duration, error) {
	buildOnce.Do(func() {
		start := time.Now()
		var built bool
		buildPath, built, buildErr = buildCollector()
		if built {
			buildTook = time.Since(start)
		}
	})
	return buildPath, buildTook, buildErr
}

// RepoRoot finds the saker module root by walking up from the working
// directory (go test runs in the package directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/sakersec/saker\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: saker module root not found above the working directory")
		}
		dir = parent
	}
}

// CacheDir is where built tools are kept between runs.
func CacheDir() (string, error) {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "saker"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("testenv: no cache directory: %w", err)
	}
	return filepath.Join(home, ".cache", "saker"), nil
}

func buildCollector() (path string, built bool, err error) {
	root, err := RepoRoot()
	if err != nil {
		return "", false, err
	}
	manifest, err := os.ReadFile(filepath.Join(root, builderConfigPath))
	if err != nil {
		return "", false, fmt.Errorf("testenv: %w", err)
	}
	sum := sha256.Sum256(manifest)
	cache, err := CacheDir()
	if err != nil {
		return "", false, err
	}
	base := filepath.Join(cache, "otelcol-"+BuilderVersion)
	dir := filepath.Join(base, hex.EncodeToString(sum[:])[:16])
	bin := filepath.Join(dir, binaryName)
	if isExecutable(bin) {
		return bin, false, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("testenv: %w", err)
	}

	// Another test process may be building the same thing: wait for it.
	unlock, err := lockFile(filepath.Join(base, "build.lock"))
	if err != nil {
		return "", false, err
	}
	defer unlock()
	if isExecutable(bin) {
		return bin, false, nil
	}

	logPath := filepath.Join(dir, "build.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return "", false, fmt.Errorf("testenv: %w", err)
	}
	defer logf.Close()
	fail := func(step string, err error) (string, bool, error) {
		return "", false, fmt.Errorf("testenv: building the collector (%s) failed: %v\n%s", step, err, tailFile(logPath, 30))
	}

	builder := filepath.Join(base, "bin", "builder")
	if !isExecutable(builder) {
		cmd := exec.Command("go", "install", "go.opentelemetry.io/collector/cmd/builder@"+BuilderVersion)
		cmd.Env = append(buildEnv(), "GOBIN="+filepath.Dir(builder))
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Run(); err != nil {
			return fail("go install builder", err)
		}
	}

	// The committed manifest writes to ./dist; point it into the cache.
	work := filepath.Join(dir, "work")
	_ = os.RemoveAll(work)
	var doc map[string]any
	if err := yaml.Unmarshal(manifest, &doc); err != nil {
		return fail("parse "+builderConfigPath, err)
	}
	dist, _ := doc["dist"].(map[string]any)
	if dist == nil {
		return fail("parse "+builderConfigPath, errors.New("no dist section"))
	}
	dist["output_path"] = work
	out, err := yaml.Marshal(doc)
	if err != nil {
		return fail("write manifest", err)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return fail("mkdir", err)
	}
	cfgPath := filepath.Join(dir, "builder-config.yaml")
	if err := os.WriteFile(cfgPath, out, 0o644); err != nil {
		return fail("write manifest", err)
	}
	cmd := exec.Command(builder, "--config", cfgPath)
	cmd.Dir = dir
	cmd.Env = buildEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Run(); err != nil {
		return fail("builder", err)
	}
	if err := os.Rename(filepath.Join(work, binaryName), bin); err != nil {
		return fail("install binary", err)
	}
	_ = os.RemoveAll(work) // generated sources; the module and build caches keep what matters
	return bin, true, nil
}

// buildEnv is the environment for go and the builder: outside any workspace
// and without flags meant for saker's own module.
func buildEnv() []string {
	env := make([]string, 0, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOWORK=") || strings.HasPrefix(kv, "GOFLAGS=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOWORK=off", "GOFLAGS=-buildvcs=false")
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

func lockFile(p string) (func(), error) {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("testenv: lock %s: %w", p, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// tailFile returns the last n lines of a file, for error messages.
func tailFile(p string, n int) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
