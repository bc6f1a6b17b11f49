package decode

import "unicode/utf8"

// MaxURLLayers is how many layers of percent-encoding [URL] and the
// [Decoder] take off. Three catches double and triple encoding; an
// application that decodes more often than that is rare.
const MaxURLLayers = 3

// URL percent-decodes s in up to [MaxURLLayers] layers, turning '+' into a
// space when plus is set (query and form values), and decoding IIS's
// %uXXXX. A layer after the first runs where the one before left an escape
// or, with plus, a '+'. Invalid escapes are kept as they are. It returns s
// itself when there is nothing to decode.
func URL(s string, plus bool) string {
	if !needURL([]byte(s), plus) {
		return s
	}
	out, _, _ := urlLayers(nil, nil, []byte(s), plus)
	return string(out)
}

// needURL reports whether b has a '%' (or a '+' when plus is set).
func needURL(b []byte, plus bool) bool {
	for _, c := range b {
		if c == '%' || plus && c == '+' {
			return true
		}
	}
	return false
}

// urlLayers decodes src in up to MaxURLLayers layers, using a and b as
// scratch (either may be nil; neither may overlap src). It returns the final
// layer, the other buffer for reuse, and what it found. The result is never
// longer than src.
func urlLayers(a, b, src []byte, plus bool) (out, spare []byte, f Flags) {
	out, f = appendURL(a[:0], src, plus)
	return moreURLLayers(out, b, plus, f)
}

// moreURLLayers decodes the layers after the first, out, which gave f.
func moreURLLayers(out, spare []byte, plus bool, f Flags) ([]byte, []byte, Flags) {
	for layer := 2; layer <= MaxURLLayers; layer++ {
		// Another layer where an escape is left, or a '+' that a
		// second decoding would make a space ("%2B" for "+" for " ").
		escaped := hasEscape(out)
		if !escaped && !(plus && f&Percent != 0 && hasByte(out, '+')) {
			break
		}
		var g Flags
		spare, g = appendURL(spare[:0], out, plus)
		out, spare = spare, out
		// Escapes left invalid in an inner layer are ordinary text
		// ("100%" after "100%25"), not a sign of tampering; nor is a
		// '+' decoded twice ("C%2B%2B").
		f |= g &^ InvalidEscape
		if escaped {
			f |= DoubleEncoded
		}
	}
	return out, spare, f
}

// hasEscape reports whether b holds a valid %XX or %uXXXX escape.
func hasEscape(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '%' {
			continue
		}
		if i+2 < len(b) && ishex(b[i+1]) && ishex(b[i+2]) {
			return true
		}
		if i+5 < len(b) && (b[i+1] == 'u' || b[i+1] == 'U') && ishex4(b[i+2:]) {
			return true
		}
	}
	return false
}

// appendURL appends one layer of percent-decoding of src to dst.
func appendURL(dst, src []byte, plus bool) ([]byte, Flags) {
	var f Flags
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '+' && plus:
			dst = append(dst, ' ')
			f |= Percent
		case c != '%':
			dst = append(dst, c)
		case i+2 < len(src) && ishex(src[i+1]) && ishex(src[i+2]):
			dst = append(dst, unhex(src[i+1])<<4|unhex(src[i+2]))
			f |= Percent
			i += 2
		case i+5 < len(src) && (src[i+1] == 'u' || src[i+1] == 'U') && ishex4(src[i+2:]):
			r := hex4(src[i+2:])
			n := 6
			if isHighSurrogate(r) && i+11 < len(src) && src[i+6] == '%' && (src[i+7] == 'u' || src[i+7] == 'U') && ishex4(src[i+8:]) {
				if lo := hex4(src[i+8:]); isLowSurrogate(lo) {
					r = combineSurrogates(r, lo)
					n = 12
				}
			}
			dst = utf8.AppendRune(dst, r) // a lone surrogate becomes U+FFFD
			f |= PercentU
			i += n - 1
		default:
			dst = append(dst, c)
			f |= InvalidEscape
		}
	}
	return dst, f
}

func ishex(c byte) bool { return hexval[c] != 0xff }

func unhex(c byte) byte { return hexval[c] }

// ishex4 reports whether b starts with four hex digits.
func ishex4(b []byte) bool {
	return len(b) >= 4 && ishex(b[0]) && ishex(b[1]) && ishex(b[2]) && ishex(b[3])
}

// hex4 is the value of the four hex digits b starts with.
func hex4(b []byte) rune {
	return rune(unhex(b[0]))<<12 | rune(unhex(b[1]))<<8 | rune(unhex(b[2]))<<4 | rune(unhex(b[3]))
}

func isHighSurrogate(r rune) bool { return r >= 0xd800 && r < 0xdc00 }

func isLowSurrogate(r rune) bool { return r >= 0xdc00 && r < 0xe000 }

func combineSurrogates(hi, lo rune) rune { return 0x10000 + (hi-0xd800)<<10 + (lo - 0xdc00) }

// hexval maps a byte to its hex value, or 0xff.
var hexval = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return t
}()
