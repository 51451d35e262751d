package state

import (
	"strings"
	"unsafe"
)

// maxPath bounds a resolved path, as libs' SCAP_MAX_PATH_SIZE does.
const maxPath = 4096

// AppendJoinClean appends to dst the lexically normalized form of
// dir + "/" + name (or of name alone when it is absolute or dir is empty):
// repeated slashes collapse, "." elements go, ".." removes the element
// before it (never above the root), and there is no trailing slash except
// for the root itself. This is how libs makes fd names and cwds absolute;
// nothing touches the filesystem (symlinks are not resolved).
func AppendJoinClean(dst []byte, dir, name string) []byte {
	start := len(dst)
	if len(name) > 0 && name[0] == '/' || dir == "" {
		dst = appendClean(dst, name, start)
	} else {
		dst = appendClean(dst, dir, start)
		dst = appendClean(dst, name, start)
	}
	if len(dst) == start {
		dst = append(dst, '/')
	} else if len(dst)-start > 1 && dst[len(dst)-1] == '/' {
		dst = dst[:len(dst)-1]
	}
	if len(dst)-start > maxPath {
		dst = dst[:start+maxPath]
	}
	return dst
}

// appendClean adds the elements of p to the path being built in
// dst[start:], which is either empty or an absolute, clean path.
func appendClean(dst []byte, p string, start int) []byte {
	if len(dst) == start {
		dst = append(dst, '/')
	}
	i := 0
	for i < len(p) {
		for i < len(p) && p[i] == '/' {
			i++
		}
		j := i
		for j < len(p) && p[j] != '/' {
			j++
		}
		elem := p[i:j]
		i = j
		switch elem {
		case "", ".":
			continue
		case "..":
			// drop the last element (keep the root slash)
			k := len(dst)
			if k > start+1 && dst[k-1] == '/' {
				k--
			}
			for k > start+1 && dst[k-1] != '/' {
				k--
			}
			dst = dst[:k]
			continue
		}
		if dst[len(dst)-1] != '/' {
			dst = append(dst, '/')
		}
		dst = append(dst, elem...)
	}
	return dst
}

// withTrailingSlash returns p ending in "/" (libs keeps cwds that way).
func withTrailingSlash(p []byte) []byte {
	if len(p) == 0 || p[len(p)-1] != '/' {
		p = append(p, '/')
	}
	return p
}

// interner hands out immutable copies of byte strings, reusing the copy
// for a string it has seen. Paths repeat (the same files are opened again
// and again), so an open on the steady path allocates nothing. The table
// is bounded: when it is full it is emptied and refilled.
type interner struct {
	m   map[string]string
	max int
}

func newInterner(max int) interner {
	return interner{m: make(map[string]string, 256), max: max}
}

func (in *interner) bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := in.m[unsafeString(b)]; ok {
		return s
	}
	if len(in.m) >= in.max {
		clear(in.m)
	}
	s := string(b)
	in.m[s] = s
	return s
}

// str interns a string that may alias an event buffer.
func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.m[s]; ok {
		return v
	}
	if len(in.m) >= in.max {
		clear(in.m)
	}
	v := strings.Clone(s)
	in.m[v] = v
	return v
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// baseName returns the last element of a slash-separated path.
func baseName(p string) string {
	for len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
