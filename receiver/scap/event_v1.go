package scap

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sakersec/saker/receiver/event"
)

var errV1Params = errors.New("parameter lengths match no parameter count")

// upgradeV1 rewrites an event with the old 22-byte header (no nparams)
// into the 26-byte layout in the reader's reusable buffer.
//
// The parameter count is not in the event, so it is derived as libscap
// does: start from the table's count for the type and decrease it until
// header + lengths + the parameters they announce add up to the event's
// length. Old writers stored PPME_NOTIFICATION_E and
// PPME_INFRASTRUCTURE_EVENT_E with a length 3 bytes too long; for those
// the extra bytes are dropped.
func (r *Reader) upgradeV1(raw []byte, t event.Type) ([]byte, error) {
	info := t.Info()
	lensz := 2
	if info.Flags&event.FlagLargePayload != 0 {
		lensz = 4
	}
	l := len(raw)
	body := raw[event.HeaderSizeV1:]
	n := len(info.Params)
	slack := 0
	if t == event.NotificationE || t == event.InfrastructureEventE {
		slack = 3
	}
	found := -1
	for ; n >= 0; n-- {
		if n*lensz > len(body) {
			continue
		}
		sum := event.HeaderSizeV1 + n*lensz
		for i := 0; i < n; i++ {
			if lensz == 2 {
				sum += int(binary.LittleEndian.Uint16(body[2*i:]))
			} else {
				sum += int(binary.LittleEndian.Uint32(body[4*i:]))
			}
		}
		if sum == l || (slack > 0 && sum+slack == l) {
			found = n
			l = sum
			break
		}
	}
	if found < 0 {
		return nil, fmt.Errorf("%w (type %v, %d bytes)", errV1Params, t, len(raw))
	}
	out := r.ev1[:0]
	out = append(out, raw[:16]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(l+4))
	out = append(out, raw[20:22]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(found))
	out = append(out, raw[event.HeaderSizeV1:l]...)
	r.ev1 = out
	return out, nil
}
