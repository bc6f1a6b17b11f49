package decode

import "unicode/utf8"

// Fold undoes Unicode tricks in s: overlong UTF-8 sequences (C0 AE,
// E0 80 AE, F0 80 80 AE for '.') become the character they encode,
// fullwidth ASCII (U+FF01-FF5E) and the ideographic space (U+3000) become
// ASCII, and NUL bytes are removed. Other invalid UTF-8 is kept byte for
// byte. It returns s itself when there is nothing to fold.
func Fold(s string) string {
	b := []byte(s)
	if !needFold(b) {
		return s
	}
	out, _ := appendFold(nil, b)
	return string(out)
}

// needFold reports whether b has a NUL or a non-ASCII byte.
func needFold(b []byte) bool {
	for _, c := range b {
		if c == 0 || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// appendFold appends the folded src to dst. The output is never longer
// than src.
func appendFold(dst, src []byte) ([]byte, Flags) {
	var f Flags
	for i := 0; i < len(src); {
		c := src[i]
		if c == 0 {
			f |= NUL
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if r, n := overlong(src[i:]); n > 0 {
			f |= Overlong
			if r == 0 {
				f |= NUL
			} else {
				dst = utf8.AppendRune(dst, r)
			}
			i += n
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			f |= InvalidUTF8
			dst = append(dst, c)
		case r >= 0xff01 && r <= 0xff5e:
			f |= Fullwidth
			dst = append(dst, byte(r-0xff01+'!'))
		case r == 0x3000:
			f |= Fullwidth
			dst = append(dst, ' ')
		default:
			dst = append(dst, src[i:i+n]...)
		}
		i += n
	}
	return dst, f
}

// overlong decodes the overlong UTF-8 sequence b starts with (a character
// written in more bytes than it needs, which lenient decoders accept) and
// returns the character and its length, or 0 bytes when b does not start
// with one.
func overlong(b []byte) (rune, int) {
	cont := func(i int) bool { return i < len(b) && b[i]&0xc0 == 0x80 }
	switch c := b[0]; {
	case c == 0xc0 || c == 0xc1:
		if cont(1) {
			return rune(c&0x1f)<<6 | rune(b[1]&0x3f), 2
		}
	case c == 0xe0:
		if cont(1) && b[1] < 0xa0 && cont(2) {
			return rune(b[1]&0x3f)<<6 | rune(b[2]&0x3f), 3
		}
	case c == 0xf0:
		if cont(1) && b[1] < 0x90 && cont(2) && cont(3) {
			return rune(b[1]&0x3f)<<12 | rune(b[2]&0x3f)<<6 | rune(b[3]&0x3f), 4
		}
	}
	return 0, 0
}
