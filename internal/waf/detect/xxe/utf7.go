package xxe

import (
	"strings"
	"unicode/utf16"
)

// decodeUTF7 decodes RFC 2152 UTF-7 ("+ADw-" is "<"). Bytes outside
// "+...-" runs are copied, so text that is not UTF-7 comes back as it was.
// Each base64 digit adds at most 6 bits, so the result is at most about
// 1.2 times as long as s.
func decodeUTF7(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '+' {
			b.WriteByte(c)
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isBase64(s[j]) {
			j++
		}
		if j == i+1 {
			b.WriteByte('+')
			i = j
			if j < len(s) && s[j] == '-' {
				i++ // "+-" is a plus sign
			}
			continue
		}
		var bits uint32
		nbits := 0
		var high rune
		for k := i + 1; k < j; k++ {
			bits = bits<<6 | base64Value(s[k])
			nbits += 6
			if nbits < 16 {
				continue
			}
			nbits -= 16
			u := rune(bits >> nbits & 0xffff)
			switch {
			case utf16.IsSurrogate(u) && u < 0xdc00:
				high = u
			case high != 0:
				b.WriteRune(utf16.DecodeRune(high, u))
				high = 0
			default:
				b.WriteRune(u)
			}
		}
		i = j
		if i < len(s) && s[i] == '-' {
			i++
		}
	}
	return b.String()
}

// isBase64 reports a base64 digit.
func isBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// base64Value returns the value of a base64 digit (0 for other bytes).
func base64Value(c byte) uint32 {
	switch {
	case c >= 'A' && c <= 'Z':
		return uint32(c - 'A')
	case c >= 'a' && c <= 'z':
		return uint32(c-'a') + 26
	case c >= '0' && c <= '9':
		return uint32(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return 0
}
