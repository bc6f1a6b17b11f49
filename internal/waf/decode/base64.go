package decode

import "unicode/utf8"

// MinBase64 is the shortest value [Base64] considers (six decoded bytes).
// Shorter runs of letters and digits are too often ordinary words.
const MinBase64 = 8

// shortBase64 is the decoded length below which only ASCII text counts as
// printable: a short word of letters decodes to valid UTF-8 now and then.
const shortBase64 = 16

// Base64 decodes s when it is clearly base64 and returns the decoded text
// and true; otherwise it returns "" and false. Clearly base64 means: at
// least [MinBase64] bytes, only the standard alphabet (A-Z a-z 0-9 + /) or
// only the URL-safe one (- _ instead of + /), '=' padding only at the end
// of a length that is a multiple of four, or no padding (as GoTestWAF's
// "Base64Flat" sends it), and a result that is mostly printable text —
// which random identifiers, hashes and binary tokens almost never are
// (short results must be printable ASCII throughout).
func Base64(s string) (string, bool) {
	b := []byte(s)
	if !base64Shape(b) {
		return "", false
	}
	out, ok := appendBase64(nil, b)
	if !ok {
		return "", false
	}
	return string(out), true
}

// base64Shape reports whether b has the length and alphabet of base64.
func base64Shape(b []byte) bool {
	n := len(b)
	if n < MinBase64 {
		return false
	}
	pad := 0
	for pad < 2 && n > 0 && b[n-1] == '=' {
		n--
		pad++
	}
	if pad > 0 && len(b)%4 != 0 || n%4 == 1 {
		return false
	}
	var seen byte
	for _, c := range b[:n] {
		k := b64class[c]
		if k == 0 {
			return false
		}
		seen |= k
	}
	return seen&(b64Std|b64URL) != b64Std|b64URL
}

// appendBase64 appends the decoding of b, which has base64's shape, to dst
// and reports whether the result is mostly printable text. dst is returned
// grown but its new bytes are meaningless when the result is false.
func appendBase64(dst, b []byte) ([]byte, bool) {
	for len(b) > 0 && b[len(b)-1] == '=' {
		b = b[:len(b)-1]
	}
	start := len(dst)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<6 | uint32(b64val[c])
		bits += 6
		if bits >= 8 {
			bits -= 8
			dst = append(dst, byte(acc>>bits)) // #nosec G115 -- the low byte is the one wanted
		}
	}
	out := dst[start:]
	if len(out) < shortBase64 {
		for _, c := range out {
			if c >= utf8.RuneSelf {
				return dst, false
			}
		}
	}
	return dst, printable(out)
}

// printable reports whether b is mostly text: at most one byte in twenty
// that is neither printable ASCII, tab, CR, LF nor part of valid UTF-8.
func printable(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	bad, limit := 0, len(b)/20
	for i := 0; i < len(b) && bad <= limit; {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || r < 0xa0 {
			bad++
		}
		i += n
	}
	return bad <= limit
}

// Classes of base64 alphabet bytes.
const (
	b64Common = 1 << iota // A-Z a-z 0-9
	b64Std                // + /
	b64URL                // - _
)

var b64class, b64val = func() (class, val [256]byte) {
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		class[std[i]] = b64Common
		val[std[i]] = byte(i)
	}
	class['+'], class['/'] = b64Std, b64Std
	class['-'], class['_'] = b64URL, b64URL
	val['-'], val['_'] = 62, 63
	return class, val
}()
