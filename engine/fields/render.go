package fields

import (
	"strconv"
	"strings"

	"github.com/sakersec/saker/receiver/event"
)

// AppendText appends the text rendering of an extracted value, as Falco
// prints it in outputs: numbers in decimal, booleans true/false, addresses
// in the usual notation, buffers with non-printable bytes as '.', lists as
// "(a,b,c)".
func (b *Bound) AppendText(buf []byte, v *Value) []byte {
	if b.Text != nil {
		return b.Text(buf, v)
	}
	if b.Shape != Scalar {
		buf = append(buf, '(')
		switch {
		case isStringType(b.Type):
			for i, s := range v.Strs {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, s...)
			}
		case isIPType(b.Type):
			for i, ip := range v.IPs {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = event.AppendIP(buf, ip)
			}
		default:
			for i, n := range v.Nums {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = appendNum(buf, b.Type, n)
			}
		}
		return append(buf, ')')
	}
	return AppendScalar(buf, b.Type, v)
}

// AppendScalar renders a scalar value of type t with the default rendering.
func AppendScalar(buf []byte, t Type, v *Value) []byte {
	switch {
	case t == event.PTBytebuf:
		for i := 0; i < len(v.S); i++ {
			c := v.S[i]
			if c < 0x20 || c >= 0x7f {
				c = '.'
			}
			buf = append(buf, c)
		}
		return buf
	case isStringType(t):
		return append(buf, v.S...)
	case isIPType(t):
		if !v.IP.IsValid() {
			return buf
		}
		return event.AppendIP(buf, v.IP)
	case t == event.PTBool:
		return strconv.AppendBool(buf, v.U != 0)
	case t == event.PTDouble:
		return strconv.AppendFloat(buf, v.F, 'f', -1, 64)
	}
	return appendNum(buf, t, v.U)
}

func appendNum(buf []byte, t Type, n uint64) []byte {
	if IsSigned(t) {
		return strconv.AppendInt(buf, int64(n), 10)
	}
	return strconv.AppendUint(buf, n, 10)
}

// JSONValue returns the typed value for an alert's output_fields: string,
// int64, uint64, float64, bool or []string.
func (b *Bound) JSONValue(v *Value) any {
	if b.JSON != nil {
		return b.JSON(v)
	}
	if b.Shape != Scalar {
		var out []string
		switch {
		case isStringType(b.Type):
			out = make([]string, len(v.Strs))
			for i, s := range v.Strs {
				out[i] = strings.Clone(s)
			}
		case isIPType(b.Type):
			for _, ip := range v.IPs {
				out = append(out, ip.String())
			}
		default:
			for _, n := range v.Nums {
				out = append(out, string(appendNum(nil, b.Type, n)))
			}
		}
		if out == nil {
			out = []string{}
		}
		return out
	}
	switch {
	case isStringType(b.Type) || isIPType(b.Type) || b.Type == event.PTBytebuf:
		return string(AppendScalar(nil, b.Type, v))
	case b.Type == event.PTBool:
		return v.U != 0
	case b.Type == event.PTDouble:
		return v.F
	case IsSigned(b.Type):
		return int64(v.U)
	}
	return v.U
}

func isStringType(t Type) bool {
	switch t {
	case event.PTCharbuf, event.PTFspath, event.PTFsrelpath, event.PTBytebuf, event.PTCharbufarray, event.PTCharbufPairArray:
		return true
	}
	return false
}

func isIPType(t Type) bool {
	switch t {
	case event.PTIpv4addr, event.PTIpv6addr, event.PTIpaddr, event.PTIpnet, event.PTIpv4net, event.PTIpv6net:
		return true
	}
	return false
}

// IsString reports whether values of t are strings (Value.S).
func IsString(t Type) bool { return isStringType(t) }

// IsIP reports whether values of t are addresses (Value.IP).
func IsIP(t Type) bool { return isIPType(t) }

// IsNumeric reports whether values of t are integers (Value.U).
func IsNumeric(t Type) bool {
	return !isStringType(t) && !isIPType(t) && t != event.PTBool && t != event.PTDouble && t != event.PTNone
}

// IsSigned reports whether an integer type is signed.
func IsSigned(t Type) bool {
	switch t {
	case event.PTInt8, event.PTInt16, event.PTInt32, event.PTInt64, event.PTErrno, event.PTFd, event.PTPid, event.PTFd32, event.PTPid32:
		return true
	}
	return false
}
