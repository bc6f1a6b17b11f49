package decode

import "unicode/utf8"

// JS decodes the backslash escapes of JavaScript and JSON strings in s:
// \xHH, \uHHHH (surrogate pairs joined), \u{H…}, octal \OOO, \n \r \t \b
// \f \v \0, line continuations, and an escaped ordinary character standing
// for itself (\' \" \\ \/ \a). CSS escapes (\3c followed by an optional
// space) are decoded too where they cannot be read as JavaScript. Malformed
// escapes (\x4, \u12) are kept as they are. It returns s itself when s has
// no backslash.
func JS(s string) string {
	b := []byte(s)
	if !hasByte(b, '\\') {
		return s
	}
	out, _ := appendJS(nil, b)
	return string(out)
}

// appendJS appends src with its escapes decoded to dst. The output is
// never longer than src.
func appendJS(dst, src []byte) ([]byte, Flags) {
	var f Flags
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '\\' || i+1 >= len(src) {
			dst = append(dst, c)
			continue
		}
		e := src[i+1]
		n := 2 // bytes taken, the backslash included
		switch e {
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'v':
			dst = append(dst, '\v')
		case '\n':
			n = 2 // line continuation
		case '\r':
			if i+2 < len(src) && src[i+2] == '\n' {
				n = 3
			}
		case 'x':
			if i+3 < len(src) && ishex(src[i+2]) && ishex(src[i+3]) {
				dst = utf8.AppendRune(dst, rune(unhex(src[i+2])<<4|unhex(src[i+3])))
				n = 4
			} else {
				dst = append(dst, '\\', 'x')
				f |= InvalidEscape
			}
		case 'u':
			var r rune
			r, n = unicodeEscape(src[i:])
			if n == 0 {
				dst = append(dst, '\\', 'u')
				f |= InvalidEscape
				n = 2
			} else {
				dst = utf8.AppendRune(dst, r)
			}
		default:
			if cssOrOctal(src[i:]) {
				var r rune
				r, n = numericEscape(src[i:])
				dst = utf8.AppendRune(dst, r)
			} else {
				switch e {
				case 'b':
					dst = append(dst, '\b')
				case 'f':
					dst = append(dst, '\f')
				default:
					// \' \" \\ \/ and any other character: itself.
					dst = append(dst, e)
				}
			}
		}
		f |= JSEscape
		i += n - 1
	}
	return dst, f
}

// cssOrOctal reports whether the escape s starts with is a number (octal
// or CSS hex) rather than a letter escape: a digit follows the backslash.
// Every ASCII character's CSS escape starts with a digit ("\3c", "\00003c",
// "\6a "), so a hex letter is read as JavaScript ("\b" a backspace, "\e"
// an 'e').
func cssOrOctal(s []byte) bool {
	return s[1] >= '0' && s[1] <= '9'
}

// unicodeEscape decodes the \uHHHH or \u{H…} escape s starts with, joining
// a surrogate pair written as two escapes, and returns the rune and the
// bytes it took, or 0 bytes when the escape is malformed. Lone surrogates
// and values beyond Unicode become U+FFFD.
func unicodeEscape(s []byte) (rune, int) {
	if len(s) > 3 && s[2] == '{' {
		var x uint32
		i := 3
		for ; i < len(s) && i < 3+8 && ishex(s[i]); i++ {
			x = x<<4 | uint32(unhex(s[i]))
		}
		if i == 3 || i >= len(s) || s[i] != '}' {
			return 0, 0
		}
		r := rune(x)
		if x > utf8.MaxRune || isHighSurrogate(r) || isLowSurrogate(r) {
			r = utf8.RuneError
		}
		return r, i + 1
	}
	if !ishex4(s[2:]) {
		return 0, 0
	}
	r := hex4(s[2:])
	if isHighSurrogate(r) && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' && ishex4(s[8:]) {
		if lo := hex4(s[8:]); isLowSurrogate(lo) {
			return combineSurrogates(r, lo), 12
		}
	}
	if isHighSurrogate(r) || isLowSurrogate(r) {
		r = utf8.RuneError
	}
	return r, 6
}

// numericEscape decodes the escape s starts with when a digit follows the
// backslash: JavaScript octal (\74, \074, \0 — at most three octal
// digits up to \377) or CSS hex (\3c, \00003c, one to six hex digits and
// an optional whitespace after them). A run of hex digits that is not all
// octal, or of two or more followed by whitespace, is read as CSS, except
// that \0 followed by fewer than five more hex digits and no whitespace
// is JavaScript's NUL. It returns the rune and the bytes it took.
func numericEscape(s []byte) (rune, int) {
	i := 1
	octal := true
	for i < len(s) && i < 7 && ishex(s[i]) {
		if s[i] < '0' || s[i] > '7' {
			octal = false
		}
		i++
	}
	digits := i - 1
	space := i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f')
	css := !octal || space && digits >= 2
	if s[1] == '0' && digits < 6 && !space {
		css = false // JavaScript's \0, as in "\0b"
	}
	if !css {
		var x rune
		j := 1
		for ; j < len(s) && j < 4 && s[j] >= '0' && s[j] <= '7'; j++ {
			if y := x<<3 | rune(s[j]-'0'); y <= 0377 {
				x = y
			} else {
				break
			}
		}
		return x, j
	}
	var x uint32
	for j := 1; j < i; j++ {
		x = x<<4 | uint32(unhex(s[j]))
	}
	n := i
	if space {
		n++
		if s[i] == '\r' && n < len(s) && s[n] == '\n' {
			n++
		}
	}
	r := rune(x)
	if x > utf8.MaxRune || isHighSurrogate(r) || isLowSurrogate(r) {
		r = utf8.RuneError
	}
	return r, n
}
