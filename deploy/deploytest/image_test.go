package deploytest

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// dockerfile is the parsed subset of deploy/image/Dockerfile the test needs.
type dockerfile struct {
	froms  []string   // base image of each stage
	copies [][]string // sources of each COPY without --from, relative to the context
	runs   []string
	env    []string
}

func parseDockerfile(t testing.TB, path string) dockerfile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var d dockerfile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			d.froms = append(d.froms, fields[1])
		case "COPY":
			args := fields[1:]
			if strings.HasPrefix(args[0], "--from") {
				continue
			}
			d.copies = append(d.copies, args[:len(args)-1])
		case "RUN":
			d.runs = append(d.runs, strings.Join(fields[1:], " "))
		case "ENV":
			d.env = append(d.env, fields[1:]...)
		}
	}
	return d
}

// ignored reports whether a context path matches a .dockerignore pattern
// (the subset used: exact paths, directories, and * / ** globs).
func ignored(patterns []string, path string) bool {
	for _, p := range patterns {
		if p == path || strings.HasPrefix(path, p+"/") {
			return true
		}
		if strings.HasPrefix(p, "**/") {
			rest := strings.TrimPrefix(p, "**/")
			parts := strings.Split(path, "/")
			for i := range parts {
				if ok, _ := filepath.Match(rest, strings.Join(parts[i:], "/")); ok {
					return true
				}
			}
			continue
		}
		if ok, _ := filepath.Match(p, path); ok {
			return true
		}
	}
	return false
}

func readIgnore(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.TrimSuffix(l, "/"))
		}
	}
	return out
}

// The image build, without Docker: the build context the Dockerfile would
// see (tracked files minus Dockerfile.dockerignore) builds with the
// Dockerfile's command into a static binary (distroless/static has no libc),
// and the files the runtime stage copies are in that context.
func TestDockerfile(t *testing.T) {
	root := repoRoot(t)
	d := parseDockerfile(t, filepath.Join(deployDir(t), "image", "Dockerfile"))
	if len(d.froms) != 2 || !strings.HasPrefix(d.froms[0], "golang:1.26") || !strings.Contains(d.froms[1], "distroless/static") {
		t.Fatalf("stages %v, want golang:1.26 then distroless/static", d.froms)
	}
	if !contains(d.env, "CGO_ENABLED=0") {
		t.Errorf("build stage env %v lacks CGO_ENABLED=0", d.env)
	}
	var build string
	for _, r := range d.runs {
		if strings.HasPrefix(r, "make build") {
			build = r
		}
	}
	if build == "" {
		t.Fatalf("no `make build` in %v", d.runs)
	}
	patterns := readIgnore(t, filepath.Join(deployDir(t), "image", "Dockerfile.dockerignore"))

	// The context: tracked files not ignored.
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout)", err)
	}
	ctx := t.TempDir()
	files := map[string]bool{}
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f == "" || ignored(patterns, f) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the working tree
		}
		files[f] = true
		dst := filepath.Join(ctx, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(filepath.Join(root, f))
		if err := os.WriteFile(dst, b, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	for _, srcs := range d.copies {
		for _, s := range srcs {
			if s == "." || s == "./" {
				continue
			}
			if !files[s] {
				t.Errorf("COPY %s: not in the build context (missing or ignored)", s)
			}
		}
	}

	// RUN make build VERSION=${VERSION} BIN=/out/saker, with a local BIN.
	bin := filepath.Join(t.TempDir(), "saker")
	args := []string{"build", "VERSION=image-test", "BIN=" + bin}
	cmd := exec.Command("make", args...)
	cmd.Dir = ctx
	cmd.Env = append(goEnv(), "CGO_ENABLED=0")
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build in the image's context: %v\n%s", err, o)
	}
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("binary has an ELF interpreter: it is not static and will not run on distroless/static")
		}
	}
	if libs, _ := ef.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("binary needs shared libraries %v", libs)
	}
	v, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(v), "image-test") {
		t.Errorf("saker version: %v\n%s", err, v)
	}
}

func flatten(l [][]string) []string {
	var out []string
	for _, e := range l {
		out = append(out, e...)
	}
	return out
}

func TestDockerignoreMatching(t *testing.T) {
	p := []string{".git", "bin", "*.test", "**/testdata/*.scap", "deploy/helm"}
	for path, want := range map[string]bool{
		".git/config": true, "bin/saker": true, "x.test": true, "a/b/testdata/t.scap": true,
		"deploy/helm/saker/Chart.yaml": true, "deploy/helmfile": false, "cmd/saker/main.go": false, "testdata/t.scap": true,
	} {
		if got := ignored(p, path); got != want {
			t.Errorf("ignored(%s) = %v, want %v", path, got, want)
		}
	}
}
