package filter

import "unsafe"

// bytesView views b as a string without copying; b is owned by the
// compiled node and rewritten only on its next evaluation.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// stringBytes views s as bytes without copying; the result must not be
// modified.
func stringBytes(s string) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
