package traversal

// tokenMax bounds the part of one path token that is normalised; a longer
// token is looked at in its first and its last tokenMax bytes.
const tokenMax = 4096

// segMax bounds the segments of a cleaned path that are kept; deeper paths
// are counted but not matched against sensitive files.
const segMax = 64

// norm is a path token after normalisation: percent escapes of path
// characters decoded, overlong and fullwidth encodings of '.', '/' and '\'
// folded, hex literals (0x2e) folded, backslashes turned into slashes.
type norm struct {
	buf     [tokenMax]byte
	n       int
	evasion bool // an encoded, overlong or fullwidth dot or slash
	// form says the token is a form-encoded value as sent, where
	// browsers write every '/' and '\' as %2F and %5C: those escapes
	// are ordinary encoding there, not an evasion (an escaped dot still
	// is: no browser encodes '.').
	form bool
	back bool // had a backslash
	nul  int  // offset of the first NUL, or -1
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (p *norm) put(c byte) {
	if p.n < len(p.buf) {
		if c == 0 && p.nul < 0 {
			p.nul = p.n
		}
		p.buf[p.n] = c
		p.n++
	}
}

// pathByte maps a decoded code point to the path character it stands for
// ('.', '/' or 0 when none).
func pathByte(r int) byte {
	switch r {
	case '.', 0x2024, 0xfe52, 0xff0e: // full stop, one dot leader, small and fullwidth full stop
		return '.'
	case '/', '\\', 0x2215, 0x2216, 0xff0f, 0xff3c, 0x29f5, 0x2044: // slashes, backslashes, fraction slash
		return '/'
	case 0:
		return 0
	}
	return 0xff
}

// normalize folds s into p. It is linear in len(s) and writes at most
// tokenMax bytes.
func (p *norm) normalize(s string) {
	p.n, p.evasion, p.back, p.nul = 0, false, false, -1
	for i := 0; i < len(s) && p.n < len(p.buf); {
		c := s[i]
		switch {
		case c == '\\':
			p.back = true
			p.put('/')
			i++
			continue
		case c == '%':
			if r, k := percent(s[i:]); k > 0 {
				if b := pathByte(r); b != 0xff {
					p.put(b)
					p.evasion = p.evasion || b != 0 && !(p.form && k == 3 && (r == '/' || r == '\\'))
					i += k
					continue
				}
			}
		case c == '0' && i+3 < len(s) && s[i+1]|0x20 == 'x':
			// 0x2e, 0x2f, 0x5c written out as hex literals
			if h, l := hexVal(s[i+2]), hexVal(s[i+3]); h >= 0 && l >= 0 {
				if b := pathByte(h<<4 | l); b == '.' || b == '/' {
					p.put(b)
					p.evasion = true
					i += 4
					continue
				}
			}
		case c >= 0xc0:
			if r, k := overlong(s[i:]); k > 0 {
				if b := pathByte(r); b != 0xff {
					p.put(b)
					p.evasion = true
					i += k
					continue
				}
			}
		}
		p.put(c)
		i++
	}
}

// percent decodes a %XX or %uXXXX escape at the start of s, folding the
// overlong forms %c0%ae and %e0%80%ae. It returns the code point and the
// length consumed, or k == 0.
func percent(s string) (r, k int) {
	if len(s) >= 6 && s[1]|0x20 == 'u' {
		v := 0
		for j := 2; j < 6; j++ {
			h := hexVal(s[j])
			if h < 0 {
				return 0, 0
			}
			v = v<<4 | h
		}
		return v, 6
	}
	if len(s) < 3 {
		return 0, 0
	}
	h, l := hexVal(s[1]), hexVal(s[2])
	if h < 0 || l < 0 {
		return 0, 0
	}
	b := h<<4 | l
	if b < 0xc0 {
		return b, 3
	}
	// %c0%ae, %e0%80%ae: decode the following escapes, then fold.
	var raw [4]byte
	raw[0] = byte(b) // #nosec G115 -- b is a decoded hex pair, 0-255
	n, j := 1, 3
	for n < 4 && j+2 < len(s) && s[j] == '%' {
		h, l := hexVal(s[j+1]), hexVal(s[j+2])
		if h < 0 || l < 0 || h<<4|l < 0x80 || h<<4|l >= 0xc0 {
			break
		}
		raw[n] = byte(h<<4 | l) // #nosec G115 -- two hex digits, 0-255
		n++
		j += 3
	}
	if r, m := overlong(string(raw[:n])); m == n {
		return r, j
	}
	return 0, 0
}

// overlong decodes a UTF-8 sequence at the start of s, accepting the
// overlong forms decoders once let through (C0 AE for '.'). It returns the
// code point and its length, or k == 0 for an invalid sequence.
func overlong(s string) (r, k int) {
	c := s[0]
	var n int
	switch {
	case c&0xe0 == 0xc0:
		n, r = 2, int(c&0x1f)
	case c&0xf0 == 0xe0:
		n, r = 3, int(c&0x0f)
	case c&0xf8 == 0xf0:
		n, r = 4, int(c&0x07)
	default:
		return 0, 0
	}
	if len(s) < n {
		return 0, 0
	}
	for j := 1; j < n; j++ {
		if s[j]&0xc0 != 0x80 {
			return 0, 0
		}
		r = r<<6 | int(s[j]&0x3f)
	}
	return r, n
}
