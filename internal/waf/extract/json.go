package extract

import (
	"strconv"
	"unicode/utf8"

	"rampart/internal/waf/detect"
)

// json adds the keys and values of a JSON body: every key (first
// occurrence of each name) as KindArgName located at argname:$.path, every
// string and number as KindJSON located at json:$.path. A body that is not
// valid JSON (RFC 8259, as encoding/json accepts it) is malformed and also
// added raw; when sniffed is set the body was only guessed to be JSON, so
// its targets are taken back instead and nothing is reported.
func (x *extractor) json(body []byte, sniffed bool) {
	mark, facts := len(x.dst), x.facts
	w := &x.jw
	w.x, w.s, w.i, w.keys, w.name = x, x.bodyString(body), 0, &x.keys, ""
	w.path = append(w.path[:0], '$')
	x.keys.reset()
	ok := w.walk()
	w.release()
	if ok {
		return
	}
	if sniffed {
		x.dst, x.facts = x.dst[:mark], facts
		return
	}
	x.malformed(body)
}

// jsonWalker walks one JSON text without recursion, so nesting costs one
// byte per level, and follows the path of each value up to MaxDepth.
type jsonWalker struct {
	x     *extractor
	s     string
	i     int
	stack []byte // '{' or '[' per open container
	// path is "$" and the segments of the current location; marks[d]
	// is its length before the segment of level d+1, and names[d] the
	// key that level is under, for the levels followed.
	path  []byte
	marks []int
	names []string
	index []int // element index per followed array level
	name  string
	keys  *nameSet
}

// release drops what w holds of a request, keeping its scratch unless it
// grew large.
func (w *jsonWalker) release() {
	clear(w.names[:cap(w.names)])
	w.x, w.s, w.keys, w.name = nil, "", nil, ""
	w.stack, w.path, w.marks, w.names, w.index = w.stack[:0], w.path[:0], w.marks[:0], w.names[:0], w.index[:0]
	if cap(w.stack) > 4096 {
		w.stack = nil
	}
}

// walk reports whether the whole text is one valid JSON value.
func (w *jsonWalker) walk() bool {
	if !w.value() {
		return false
	}
	w.ws()
	return w.i == len(w.s)
}

// value reads one value, containers included, adding targets as it goes.
func (w *jsonWalker) value() bool {
	for {
		w.ws()
		if w.i >= len(w.s) {
			return false
		}
		switch c := w.s[w.i]; {
		case c == '{':
			w.i++
			w.push('{')
			w.ws()
			if w.i < len(w.s) && w.s[w.i] == '}' {
				w.i++
				w.pop()
				break
			}
			if !w.key() {
				return false
			}
			continue
		case c == '[':
			w.i++
			w.push('[')
			w.ws()
			if w.i < len(w.s) && w.s[w.i] == ']' {
				w.i++
				w.pop()
				break
			}
			w.element(0)
			continue
		case c == '"':
			v, ok := w.str()
			if !ok {
				return false
			}
			w.emit(v)
		case c == '-' || '0' <= c && c <= '9':
			if !w.number() {
				return false
			}
		case c == 't':
			if !w.literal("true") {
				return false
			}
		case c == 'f':
			if !w.literal("false") {
				return false
			}
		case c == 'n':
			if !w.literal("null") {
				return false
			}
		default:
			return false
		}
		// A value is complete: close containers until another value is
		// due.
		for {
			if len(w.stack) == 0 {
				return true
			}
			w.ws()
			if w.i >= len(w.s) {
				return false
			}
			c := w.s[w.i]
			w.i++
			top := w.stack[len(w.stack)-1]
			if c == ',' {
				if top == '{' {
					w.ws()
					if !w.key() {
						return false
					}
				} else {
					w.element(-1)
				}
				break
			}
			if top == '{' && c == '}' || top == '[' && c == ']' {
				w.pop()
				continue
			}
			return false
		}
	}
}

func (w *jsonWalker) ws() {
	for w.i < len(w.s) {
		switch w.s[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// followed reports whether the current level's path is followed.
func (w *jsonWalker) followed() bool { return len(w.stack) <= len(w.marks) && len(w.stack) > 0 }

// push opens a container.
func (w *jsonWalker) push(c byte) {
	w.stack = append(w.stack, c)
	if len(w.stack) > w.x.depth {
		w.x.facts.TooDeep = true
		return
	}
	w.marks = append(w.marks, len(w.path))
	w.names = append(w.names, w.name)
	w.index = append(w.index, 0)
}

// pop closes a container.
func (w *jsonWalker) pop() {
	if w.followed() {
		d := len(w.stack) - 1
		w.path = w.path[:w.marks[d]]
		w.name = w.names[d]
		w.marks, w.names, w.index = w.marks[:d], w.names[:d], w.index[:d]
	}
	w.stack = w.stack[:len(w.stack)-1]
}

// segment starts the current level's last path segment: it cuts the path
// back to the level's start and reports whether pieces may be added.
func (w *jsonWalker) segment() bool {
	if !w.followed() {
		return false
	}
	w.path = w.path[:w.marks[len(w.stack)-1]]
	return true
}

// element starts array element i (-1: the one after the last).
func (w *jsonWalker) element(i int) {
	if !w.segment() {
		return
	}
	d := len(w.stack) - 1
	if i < 0 {
		w.index[d]++
	} else {
		w.index[d] = i
	}
	if len(w.path)+22 <= maxLoc {
		w.path = append(w.path, '[')
		w.path = strconv.AppendInt(w.path, int64(w.index[d]), 10)
		w.path = append(w.path, ']')
	}
}

// key reads an object key and the colon after it.
func (w *jsonWalker) key() bool {
	if w.i >= len(w.s) || w.s[w.i] != '"' {
		return false
	}
	k, ok := w.str()
	if !ok {
		return false
	}
	w.ws()
	if w.i >= len(w.s) || w.s[w.i] != ':' {
		return false
	}
	w.i++
	if w.segment() && len(w.path)+len(k)+4 <= maxLoc {
		if identifier(k) {
			w.path = append(w.path, '.')
			w.path = append(w.path, k...)
		} else {
			w.path = append(w.path, "['"...)
			w.path = append(w.path, k...)
			w.path = append(w.path, "']"...)
		}
	}
	w.name = k
	if k != "" && w.keys.add(k) {
		w.x.add(detect.KindArgName, k, w.x.locBytes("argname", w.path), k)
	}
	return true
}

// emit adds a string or number value at the current path.
func (w *jsonWalker) emit(v string) {
	name := w.name
	if len(w.stack) > 0 && w.stack[len(w.stack)-1] == '[' && w.followed() {
		name = w.names[len(w.stack)-1]
	}
	if v != "" {
		w.x.add(detect.KindJSON, name, w.x.locBytes("json", w.path), v)
	}
	if name == "query" && len(w.stack) <= 2 {
		w.x.graphQL(v, detect.KindJSON)
	}
}

// identifier reports whether k can follow a '.' in a path.
func identifier(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !isAlnum(c) && c != '_' && c != '-' && c != '$' {
			return false
		}
	}
	return true
}

// str reads a string and returns its value: a piece of the body when it
// has no escapes, else its unescaped copy.
func (w *jsonWalker) str() (string, bool) {
	w.i++ // the opening quote
	start := w.i
	for w.i < len(w.s) {
		c := w.s[w.i]
		switch {
		case c == '"':
			w.i++
			return w.s[start : w.i-1], true
		case c == '\\':
			return w.escaped(start)
		case c < 0x20:
			return "", false
		}
		w.i++
	}
	return "", false
}

// escaped finishes a string that started at start and has an escape at
// w.i, unescaping it into the extraction's memory.
func (w *jsonWalker) escaped(start int) (string, bool) {
	sb := &w.x.sb
	from := sb.Len()
	sb.WriteString(w.s[start:w.i])
	for w.i < len(w.s) {
		c := w.s[w.i]
		switch {
		case c == '"':
			w.i++
			return sb.String()[from:], true
		case c < 0x20:
			return "", false
		case c != '\\':
			sb.WriteByte(c)
			w.i++
			continue
		}
		if w.i+1 >= len(w.s) {
			return "", false
		}
		e := w.s[w.i+1]
		w.i += 2
		switch e {
		case '"', '\\', '/':
			sb.WriteByte(e)
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, ok := w.hex4()
			if !ok {
				return "", false
			}
			if r >= 0xd800 && r < 0xdc00 && w.i+1 < len(w.s) && w.s[w.i] == '\\' && w.s[w.i+1] == 'u' {
				save := w.i
				w.i += 2
				if lo, ok := w.hex4(); ok && lo >= 0xdc00 && lo < 0xe000 {
					r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
				} else {
					w.i = save
				}
			}
			var u [utf8.UTFMax]byte
			sb.Write(utf8.AppendRune(u[:0], r)) // a lone surrogate becomes U+FFFD
		default:
			return "", false
		}
	}
	return "", false
}

// hex4 reads the four hex digits of a \u escape.
func (w *jsonWalker) hex4() (rune, bool) {
	if w.i+4 > len(w.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(w.s[w.i : w.i+4]) {
		if !ishex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	w.i += 4
	return r, true
}

// number reads a number and adds it.
func (w *jsonWalker) number() bool {
	start := w.i
	if w.s[w.i] == '-' {
		w.i++
	}
	switch {
	case w.i < len(w.s) && w.s[w.i] == '0':
		w.i++
	case w.i < len(w.s) && '1' <= w.s[w.i] && w.s[w.i] <= '9':
		w.digits()
	default:
		return false
	}
	if w.i < len(w.s) && w.s[w.i] == '.' {
		w.i++
		if !w.digits() {
			return false
		}
	}
	if w.i < len(w.s) && (w.s[w.i] == 'e' || w.s[w.i] == 'E') {
		w.i++
		if w.i < len(w.s) && (w.s[w.i] == '+' || w.s[w.i] == '-') {
			w.i++
		}
		if !w.digits() {
			return false
		}
	}
	w.emit(w.s[start:w.i])
	return true
}

// digits reads one or more digits.
func (w *jsonWalker) digits() bool {
	start := w.i
	for w.i < len(w.s) && '0' <= w.s[w.i] && w.s[w.i] <= '9' {
		w.i++
	}
	return w.i > start
}

// literal reads true, false or null.
func (w *jsonWalker) literal(lit string) bool {
	if len(w.s)-w.i < len(lit) || w.s[w.i:w.i+len(lit)] != lit {
		return false
	}
	w.i += len(lit)
	return true
}
