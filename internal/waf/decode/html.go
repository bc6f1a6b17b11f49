package decode

import (
	"html"
	"unicode/utf8"
)

// HTML decodes HTML character references in s the way a browser does in
// text: named ones (every name html.UnescapeString knows, the legacy ones
// such as "&lt" also without the semicolon), decimal and hex numeric ones
// with or without the semicolon and with any number of leading zeros. It
// returns s itself when s has no '&'.
//
// It differs from html.UnescapeString where a browser does (a numeric
// reference too large for Unicode becomes U+FFFD instead of wrapping
// around, and "&#9" at the very end of s is decoded) and in one place
// where it does not: "&#0;" is a NUL, not U+FFFD, so that "scr&#0;ipt"
// folds to "script" as a lenient server-side decoder would make it.
func HTML(s string) string {
	b := []byte(s)
	if !hasByte(b, '&') {
		return s
	}
	out, _ := appendHTML(nil, b)
	return string(out)
}

// maxEntityName is longer than any named character reference.
const maxEntityName = 32

// longestLegacy is the longest name a browser decodes without ';'.
const longestLegacy = 6

// appendHTML appends src with its character references decoded to dst.
// The output is never longer than src.
func appendHTML(dst, src []byte) ([]byte, Flags) {
	var f Flags
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '&' || i+1 >= len(src) {
			dst = append(dst, c)
			continue
		}
		if src[i+1] == '#' {
			r, n := numericRef(src[i:])
			if n == 0 {
				dst = append(dst, c)
				continue
			}
			dst = utf8.AppendRune(dst, r)
			f |= HTMLEntity
			i += n - 1
			continue
		}
		j := i + 1
		k := j
		for k < len(src) && isAlnum(src[k]) {
			k++
		}
		if k == j {
			dst = append(dst, c)
			continue
		}
		name := src[j:k]
		semi := k < len(src) && src[k] == ';'
		maxPrefix := len(name) - 1
		if semi {
			if v, ok := entities[string(name)]; ok {
				dst = append(dst, v...)
				f |= HTMLEntity
				i = k
				continue
			}
			if len(name) <= maxEntityName {
				// A rarer name: ask the html package about this one
				// reference. It allocates, but only here.
				ref := string(src[i : k+1])
				if v := html.UnescapeString(ref); v != ref {
					dst = append(dst, v...)
					f |= HTMLEntity
					i = k
					continue
				}
			}
			maxPrefix = len(name)
		} else if v, ok := legacyEntities[string(name)]; ok {
			dst = append(dst, v...)
			f |= HTMLEntity
			i = k - 1
			continue
		}
		// The longest legacy name name starts with, as in "&ltscript".
		n := 0
		for p := min(maxPrefix, longestLegacy); p > 1; p-- {
			if v, ok := legacyEntities[string(name[:p])]; ok {
				dst = append(dst, v...)
				n = p
				break
			}
		}
		if n == 0 {
			dst = append(dst, c)
			continue
		}
		f |= HTMLEntity
		i += n
	}
	return dst, f
}

// numericRef decodes the numeric character reference s starts with
// ("&#60;", "&#x3c", "&#0000060") and returns the rune and the bytes it
// took, or 0 bytes when s holds no digits after "&#".
func numericRef(s []byte) (rune, int) {
	i := 2
	hex := false
	if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
		hex = true
		i++
	}
	start := i
	var x uint32
	for ; i < len(s); i++ {
		c := s[i]
		var d uint32
		switch {
		case hex && ishex(c):
			d = uint32(unhex(c))
		case !hex && c >= '0' && c <= '9':
			d = uint32(c - '0')
		default:
			goto end
		}
		if x <= utf8.MaxRune {
			if hex {
				x = x<<4 | d
			} else {
				x = x*10 + d
			}
		}
	}
end:
	if i == start {
		return 0, 0
	}
	if i < len(s) && s[i] == ';' {
		i++
	}
	r := rune(x)
	switch {
	case 0x80 <= x && x <= 0x9f:
		r = windows1252[x-0x80]
	case 0xd800 <= x && x <= 0xdfff || x > utf8.MaxRune:
		r = utf8.RuneError
	}
	return r, i
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func hasByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// windows1252 is what browsers make of numeric references 0x80-0x9F.
var windows1252 = [32]rune{
	'\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
	'\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
	'\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
	'\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
}

// legacyNames are the references browsers decode without a semicolon
// (HTML's "legacy" named character references).
var legacyNames = [...]string{
	"AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil",
	"ETH", "Eacute", "Ecirc", "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT",
	"Ntilde", "Oacute", "Ocirc", "Ograve", "Oslash", "Otilde", "Ouml", "QUOT", "REG", "THORN",
	"Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute", "aacute", "acirc", "acute", "aelig", "agrave",
	"amp", "aring", "atilde", "auml", "brvbar", "ccedil", "cedil", "cent", "copy", "curren", "deg",
	"divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12", "frac14", "frac34", "gt",
	"iacute", "icirc", "iexcl", "igrave", "iquest", "iuml", "laquo", "lt", "macr", "micro",
	"middot", "nbsp", "not", "ntilde", "oacute", "ocirc", "ograve", "ordf", "ordm", "oslash",
	"otilde", "ouml", "para", "plusmn", "pound", "quot", "raquo", "reg", "sect", "shy", "sup1",
	"sup2", "sup3", "szlig", "thorn", "times", "uacute", "ucirc", "ugrave", "uml", "uuml",
	"yacute", "yen", "yuml",
}

// commonNames are the references that need a semicolon and show up in
// attacks and ordinary text often enough to decode without allocating.
var commonNames = [...]string{
	"Tab", "NewLine", "excl", "num", "dollar", "percnt", "apos", "lpar", "rpar", "ast",
	"midast", "plus", "comma", "period", "sol", "colon", "semi", "equals", "quest", "commat",
	"lsqb", "lbrack", "bsol", "rsqb", "rbrack", "Hat", "lowbar", "UnderBar", "grave", "DiacriticalGrave",
	"lcub", "lbrace", "verbar", "vert", "VerticalLine", "rcub", "rbrace", "hyphen", "dash",
	"ndash", "mdash", "lsquo", "rsquo", "ldquo", "rdquo", "hellip", "bull", "euro", "trade",
	"larr", "rarr", "uarr", "darr", "harr", "lsaquo", "rsaquo", "prime", "Prime",
}

// legacyEntities and entities map reference names (without '&' and ';')
// to their text. Their values come from the html package, so they agree
// with it by construction.
var legacyEntities, entities = func() (legacy, all map[string]string) {
	legacy = make(map[string]string, len(legacyNames))
	all = make(map[string]string, len(legacyNames)+len(commonNames))
	for _, n := range legacyNames {
		v := html.UnescapeString("&" + n + ";")
		legacy[n] = v
		all[n] = v
	}
	for _, n := range commonNames {
		all[n] = html.UnescapeString("&" + n + ";")
	}
	return legacy, all
}()
