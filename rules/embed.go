package rules

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed *.yaml
var files embed.FS

// File is one embedded rules file.
type File struct {
	Name    string // e.g. "saker_rules.yaml"
	Content []byte
}

// Default returns the default rules files in load order (by name).
func Default() []File {
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		panic(err) // the pattern is constant
	}
	sort.Strings(names)
	out := make([]File, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			panic(err) // embedded files are always readable
		}
		out = append(out, File{Name: n, Content: b})
	}
	return out
}
