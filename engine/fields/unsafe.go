package fields

import "unsafe"

// unsafeString views b as a string without copying. The caller guarantees
// b is not modified while the string is in use (extractor buffers are
// rewritten only by the next extraction, after the value's lifetime).
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
