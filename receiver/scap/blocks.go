package scap

// Block type ids. Old writers used the 0x80xxABCD form for the first
// versions of some blocks; the reader accepts both.
const (
	blockSHB = 0x0A0D0D0A

	blockMI    = 0x201
	blockMIOld = 0x8002ABCD

	blockPLV1    = 0x202
	blockPLV1Old = 0x8000ABCD
	blockPLV2    = 0x207
	blockPLV2Old = 0x8013ABCD
	blockPLV3    = 0x209
	blockPLV3Old = 0x8014ABCD
	blockPLV4    = 0x210
	blockPLV5    = 0x211
	blockPLV6    = 0x212
	blockPLV7    = 0x213
	blockPLV8    = 0x214
	blockPLV9    = 0x215

	blockFDL    = 0x203
	blockFDLOld = 0x8001ABCD
	blockFDLV2  = 0x218

	blockIL    = 0x205
	blockILOld = 0x8011ABCD
	blockILV2  = 0x219

	blockUL    = 0x206
	blockULOld = 0x8012ABCD
	blockULV2  = 0x220

	blockEV         = 0x204
	blockEVOld      = 0x8010ABCD
	blockEVF        = 0x208
	blockEVV2       = 0x216
	blockEVFV2      = 0x217
	blockEVV2Large  = 0x221
	blockEVFV2Large = 0x222
)

// shbMagic is the byte-order magic of the section header block.
const shbMagic = 0x1A2B3C4D

// MaxBlockSize bounds the total length of one block. Real blocks are far
// smaller (a process list of a busy host is a few MB; an event is at most a
// few hundred KB); a larger length field is treated as corruption.
const MaxBlockSize = 256 << 20

// blockHeaderSize is u32 type + u32 total length; the trailer repeats the
// length in another 4 bytes.
const (
	blockHeaderSize  = 8
	blockTrailerSize = 4
)

// plVersion returns the process-list version (1–9) of a block type, or 0.
func plVersion(t uint32) int {
	switch t {
	case blockPLV1, blockPLV1Old:
		return 1
	case blockPLV2, blockPLV2Old:
		return 2
	case blockPLV3, blockPLV3Old:
		return 3
	case blockPLV4:
		return 4
	case blockPLV5:
		return 5
	case blockPLV6:
		return 6
	case blockPLV7:
		return 7
	case blockPLV8:
		return 8
	case blockPLV9:
		return 9
	}
	return 0
}

// eventBlock describes an event block type: whether it carries the 32-bit
// flags word and whether its events have the old 22-byte header.
type eventBlock struct {
	ok, flags, v1 bool
}

func eventBlockKind(t uint32) eventBlock {
	switch t {
	case blockEV, blockEVOld:
		return eventBlock{ok: true, v1: true}
	case blockEVF:
		return eventBlock{ok: true, flags: true, v1: true}
	case blockEVV2, blockEVV2Large:
		return eventBlock{ok: true}
	case blockEVFV2, blockEVFV2Large:
		return eventBlock{ok: true, flags: true}
	}
	return eventBlock{}
}
