package scap

import (
	"encoding/binary"
	"strings"
)

// cursor reads little-endian fields from a block body. Its first error
// sticks (later reads return zero values), so decoders read a whole entry
// and check err once. base is the file offset of b[0], for error messages.
type cursor struct {
	b    []byte
	pos  int
	base int64
	err  error
}

func (c *cursor) remaining() int { return len(c.b) - c.pos }

func (c *cursor) off() int64 { return c.base + int64(c.pos) }

func (c *cursor) take(n int, what string) []byte {
	if c.err != nil {
		return nil
	}
	if n < 0 || n > c.remaining() {
		c.err = formatErr(c.off(), "%s: need %d bytes, %d left", what, n, c.remaining())
		return nil
	}
	p := c.b[c.pos : c.pos+n]
	c.pos += n
	return p
}

func (c *cursor) u8(what string) uint8 {
	if p := c.take(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (c *cursor) u16(what string) uint16 {
	if p := c.take(2, what); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (c *cursor) u32(what string) uint32 {
	if p := c.take(4, what); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (c *cursor) u64(what string) uint64 {
	if p := c.take(8, what); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

// lenBytes reads a u16 length and that many bytes (libscap's string
// encoding in metadata blocks: no NUL terminator).
func (c *cursor) lenBytes(what string) []byte {
	n := c.u16(what + " length")
	return c.take(int(n), what)
}

// str reads a u16-length string and copies it out of the block.
func (c *cursor) str(what string) string {
	return strings.Clone(string(c.lenBytes(what)))
}

// sub returns a cursor over the next n bytes and advances past them.
func (c *cursor) sub(n int, what string) cursor {
	base := c.off()
	p := c.take(n, what)
	return cursor{b: p, base: base, err: c.err}
}

// splitNUL splits a NUL-separated list; a trailing NUL does not make an
// empty last element.
func splitNUL(p []byte) []string {
	if len(p) == 0 {
		return nil
	}
	if p[len(p)-1] == 0 {
		p = p[:len(p)-1]
	}
	return strings.Split(string(p), "\x00")
}
