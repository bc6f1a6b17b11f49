package decode

import (
	"bytes"
	"strings"

	"rampart/internal/waf/detect"
)

// Flags tells which decoders changed a value and what unusual encoding they
// met. Several layers of encoding, NUL bytes, overlong UTF-8 and %u are
// rare in honest traffic, so the engine counts them as weak signals.
type Flags uint16

// Flag values.
const (
	Percent       Flags = 1 << iota // percent-escapes (or '+' for space) decoded
	DoubleEncoded                   // a second or third layer of percent-encoding decoded
	PercentU                        // IIS %uXXXX escapes decoded
	InvalidEscape                   // a '%', \x or \u that does not start a valid escape, kept as is
	HTMLEntity                      // HTML character references decoded
	JSEscape                        // JavaScript, JSON or CSS backslash escapes decoded
	Overlong                        // overlong UTF-8 sequences decoded
	InvalidUTF8                     // bytes that are not UTF-8, kept as is
	Fullwidth                       // fullwidth ASCII forms folded to ASCII
	NUL                             // NUL bytes removed
	Base64Encoded                   // the value (or its percent-decoded form) was base64 and was decoded
)

// Has reports whether all of g are set in f.
func (f Flags) Has(g Flags) bool { return f&g == g }

var flagNames = [...]string{
	"percent", "double-encoded", "percent-u", "invalid-escape", "html-entity",
	"js-escape", "overlong-utf8", "invalid-utf8", "fullwidth", "nul", "base64",
}

// String lists the set flags, separated by '|', or returns "none".
func (f Flags) String() string {
	if f == 0 {
		return "none"
	}
	var b strings.Builder
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

// MaxVariants is the most strings [Decoder.Variants] appends for one value:
// the value itself, one form after each of the four pipeline stages (two
// after the HTML one), and a base64 decoding.
const MaxVariants = 7

// maxKeep bounds the scratch a Decoder keeps between calls, so one huge
// value does not pin its buffers in a pool for ever.
const maxKeep = 256 << 10

// A Decoder produces the decoded variants of values. Its zero value is
// ready to use. It reuses its buffers from call to call, so it is not safe
// for concurrent use; the strings it returns are its callers' to keep.
type Decoder struct {
	a, b, c []byte // stage scratch
	b64     []byte // a base64 decoding
	arena   []byte // the variants of one call, back to back
	spans   [MaxVariants]int
	nspans  int
	flags   Flags
}

// Byte classes for the fast-path scan: special bytes send a value off the
// fast path ('+' only where it means a space), notBase64 bytes are in
// neither base64 alphabet nor padding.
const (
	special = 1 << iota
	plusSpecial
	notBase64
)

var byteClass = func() (t [256]byte) {
	for c := 0x80; c < 0x100; c++ {
		t[c] = special
	}
	t[0], t['%'], t['&'], t['\\'] = special, special, special, special
	t['+'] = plusSpecial
	for c := range 256 {
		if b64class[c] == 0 && c != '=' {
			t[c] |= notBase64
		}
	}
	return t
}()

// Variants appends to dst the distinct decoded forms of v and returns the
// extended slice. The first is v itself; then come, each only when it
// differs from every form before it, the results of a fixed pipeline,
// each stage working on the previous one's output:
//
//  1. percent-decoding in up to three layers, %uXXXX, and '+' as a space
//     for kinds whose values are form-encoded (query, form, argument
//     names, cookies, raw bodies);
//  2. HTML character references, in up to two layers;
//  3. JavaScript, JSON and CSS escapes;
//  4. overlong UTF-8, fullwidth ASCII and NUL bytes folded;
//
// (A value of another kind that has both a valid %XX escape and a '+' is
// decoded as form-encoded too: it is one, sent through a JSON string or a
// path.)
//
// and last a base64 decoding when v or its percent-decoded form is clearly
// base64 (see [Base64]). That makes at most [MaxVariants] strings, none
// longer than v, in time linear in len(v).
//
// A value with no '%', '&', '\\', NUL, non-ASCII byte or '+' (where '+'
// means a space) that is not shaped like base64 takes a fast path: only v
// is appended, and nothing is allocated when dst has room.
//
// [Decoder.Flags] tells afterwards what the decoders met.
func (d *Decoder) Variants(v string, kind detect.Kind, dst []string) []string {
	d.flags = 0
	dst = append(dst, v)
	plus := plusKind(kind)
	var seen byte
	for i := 0; i < len(v); i++ {
		seen |= byteClass[v[i]]
	}
	// A JSON string, XML text, header or path that holds a
	// form-encoded value (escapes and '+' together) is decoded as the
	// application that form-decodes it would: '+' as a space.
	if !plus && seen&plusSpecial != 0 && seen&special != 0 && hasEscape([]byte(v)) {
		plus = true
	}
	isSpecial := seen&special != 0 || plus && seen&plusSpecial != 0
	maybe64 := len(v) >= MinBase64 && seen&notBase64 == 0
	if !isSpecial && !maybe64 {
		return dst
	}

	d.arena = d.arena[:0]
	d.nspans = 0
	// d.a holds the current form and d.b is free after every stage.
	d.a = append(d.a[:0], v...)
	has64 := false
	if maybe64 && base64Shape(d.a) {
		d.b64, has64 = appendBase64(d.b64[:0], d.a)
	}
	if isSpecial {
		if needURL(d.a, plus) {
			// Base64 is tried on the first layer: a second one would
			// make its '+' (sent as %2B) spaces.
			one, f := appendURL(d.b[:0], d.a, plus)
			if !has64 && base64Shape(one) {
				d.b64, has64 = appendBase64(d.b64[:0], one)
			}
			if plus && !hasEscape(one) && hasByte(one, '+') {
				// A second layer would only turn '+' into spaces:
				// "%2B" was a '+' to an application that decodes
				// once ("'+(SELECT ...)+'"), so keep this layer too.
				d.add(v, one)
			}
			out, spare, f := moreURLLayers(one, d.c, plus, f)
			d.a, d.b, d.c = out, d.a, spare
			d.flags |= f
			d.add(v, d.a)
		}
		if hasByte(d.a, '&') {
			n := len(d.a)
			d.stage(v, appendHTML)
			// A second layer, as its own variant: "&amp;lpar;" is "("
			// to a page that unescapes twice (one that stores escaped
			// text and escapes it again).
			if len(d.a) < n && hasByte(d.a, '&') {
				d.stage(v, appendHTML)
			}
		}
		if hasByte(d.a, '\\') {
			d.stage(v, appendJS)
		}
		if needFold(d.a) {
			d.stage(v, appendFold)
		}
	}
	if has64 {
		d.flags |= Base64Encoded
		d.add(v, d.b64)
	}

	if d.nspans > 0 {
		s := string(d.arena)
		lo := 0
		for _, hi := range d.spans[:d.nspans] {
			dst = append(dst, s[lo:hi])
			lo = hi
		}
	}
	d.trim()
	return dst
}

// Flags returns what the decoders met in the last call to Variants.
func (d *Decoder) Flags() Flags { return d.flags }

// stage runs one decoder from d.a into d.b, records the result and makes
// it the current form.
func (d *Decoder) stage(v string, decode func(dst, src []byte) ([]byte, Flags)) {
	out, f := decode(d.b[:0], d.a)
	d.a, d.b = out, d.a
	d.flags |= f
	d.add(v, out)
}

// add records b as the next variant unless it equals v or one before it.
func (d *Decoder) add(v string, b []byte) {
	if string(b) == v || d.nspans == len(d.spans) {
		return
	}
	lo := 0
	for _, hi := range d.spans[:d.nspans] {
		if bytes.Equal(d.arena[lo:hi], b) {
			return
		}
		lo = hi
	}
	d.arena = append(d.arena, b...)
	d.spans[d.nspans] = len(d.arena)
	d.nspans++
}

// trim drops scratch grown beyond maxKeep.
func (d *Decoder) trim() {
	for _, p := range [...]*[]byte{&d.a, &d.b, &d.c, &d.b64, &d.arena} {
		if cap(*p) > maxKeep {
			*p = nil
		}
	}
}

// plusKind reports whether '+' stands for a space in values of kind k.
func plusKind(k detect.Kind) bool {
	switch k {
	case detect.KindQuery, detect.KindForm, detect.KindArgName, detect.KindCookie, detect.KindBody:
		return true
	}
	return false
}
