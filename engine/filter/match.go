package filter

import (
	"strings"

	"github.com/sakersec/saker/engine/condition"
)

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// containsFold reports whether s contains lowNeedle (already lower case),
// ignoring ASCII case, as strcasestr does. It does not allocate.
func containsFold(s, lowNeedle string) bool {
	n := len(lowNeedle)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && lowerASCII(s[i+j]) == lowNeedle[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

// containsFoldBoth is containsFold with a needle of any case.
func containsFoldBoth(s, needle string) bool {
	n := len(needle)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && lowerASCII(s[i+j]) == lowerASCII(needle[j]) {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

// globMatch is fnmatch(pattern, s, fold ? FNM_CASEFOLD : 0): '*' matches
// any run of bytes including '/', '?' one byte, '[...]' a class (with '!'
// or '^' negation and ranges), '\' escapes the next byte. It backtracks
// only to the last '*', so it runs in O(len(p)*len(s)) worst case.
func globMatch(p, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				pi++
				si++
				continue
			case '[':
				if ok, next, valid := matchClass(p, pi, s[si], fold); valid {
					if ok {
						pi = next
						si++
						continue
					}
				} else if eqByte('[', s[si], fold) {
					pi++
					si++
					continue
				}
			case '\\':
				if pi+1 < len(p) && eqByte(p[pi+1], s[si], fold) {
					pi += 2
					si++
					continue
				}
			default:
				if eqByte(c, s[si], fold) {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		pi = starP + 1
		starS++
		si = starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func eqByte(a, b byte, fold bool) bool {
	if fold {
		return lowerASCII(a) == lowerASCII(b)
	}
	return a == b
}

// matchClass matches c against the bracket expression at p[i]; valid is
// false when the bracket is not closed (then '[' is a literal).
func matchClass(p string, i int, c byte, fold bool) (ok bool, next int, valid bool) {
	j := i + 1
	neg := false
	if j < len(p) && (p[j] == '!' || p[j] == '^') {
		neg = true
		j++
	}
	first := true
	for j < len(p) && (p[j] != ']' || first) {
		first = false
		lo := p[j]
		if lo == '\\' && j+1 < len(p) {
			j++
			lo = p[j]
		}
		hi := lo
		if j+2 < len(p) && p[j+1] == '-' && p[j+2] != ']' {
			hi = p[j+2]
			j += 2
		}
		if fold {
			lc := lowerASCII(c)
			uc := lc
			if lc >= 'a' && lc <= 'z' {
				uc = lc - ('a' - 'A')
			}
			if (lc >= lo && lc <= hi) || (uc >= lo && uc <= hi) {
				ok = true
			}
		} else if c >= lo && c <= hi {
			ok = true
		}
		j++
	}
	if j >= len(p) {
		return false, 0, false
	}
	return ok != neg, j + 1, true
}

// pathSet implements pmatch: a value matches when one of the paths is
// equal to it or is a whole-component prefix of it (/usr/bin matches
// /usr/bin and /usr/bin/x, not /usr/binx).
type pathSet struct {
	paths []string
}

func newPathSet(items []*condition.Str) *pathSet {
	ps := &pathSet{}
	for _, it := range items {
		p := it.Text
		for len(p) > 1 && strings.HasSuffix(p, "/") {
			p = p[:len(p)-1]
		}
		ps.paths = append(ps.paths, p)
	}
	return ps
}

func (ps *pathSet) match(s string) bool {
	for _, p := range ps.paths {
		if p == "/" {
			if strings.HasPrefix(s, "/") {
				return true
			}
			continue
		}
		if strings.HasPrefix(s, p) && (len(s) == len(p) || s[len(p)] == '/') {
			return true
		}
	}
	return false
}
