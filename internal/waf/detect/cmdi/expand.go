package cmdi

import "bytes"

// A pass remembers the variables a value assigns (x=id, export x=id,
// set x=who) so that a command word built from them ($x, $a$b, ${x:0:2})
// is judged by the name it expands to. The table and the values are
// bounded; a value the pass cannot follow is remembered as unknown.
const (
	maxVars = 8  // variables remembered per pass
	varMax  = 32 // bytes of a variable name
	valMax  = 64 // bytes of a value, and of an expanded command name
)

// binding is one variable the value assigns.
type binding struct {
	name    [varMax]byte
	nn      int
	val     [valMax]byte
	nv      int
	unknown bool // the value holds what the pass cannot expand
}

// vars are the variables assigned so far in a pass.
type vars struct {
	b [maxVars]binding
	n int
}

func (vs *vars) find(name string, win bool) *binding {
	for i := vs.n - 1; i >= 0; i-- {
		b := &vs.b[i]
		if string(b.name[:b.nn]) == name || win && equalFold(b.name[:b.nn], name) {
			return b
		}
	}
	return nil
}

// set assigns val to name; once the table is full, new names are dropped.
func (vs *vars) set(name, val []byte, unknown bool) {
	if len(name) == 0 || len(name) > varMax {
		return
	}
	var b *binding
	for i := 0; i < vs.n; i++ {
		if bytes.Equal(vs.b[i].name[:vs.b[i].nn], name) {
			b = &vs.b[i]
			break
		}
	}
	if b == nil {
		if vs.n == maxVars {
			return
		}
		b = &vs.b[vs.n]
		vs.n++
		b.nn = copy(b.name[:], name)
	}
	b.nv = copy(b.val[:], val)
	b.unknown = unknown || b.nv < len(val)
}

// equalFold compares ASCII letters without case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// expansion is a word whose expansions the value determines replaced by
// their values.
type expansion struct {
	text    []byte
	changed bool // some expansion was replaced by a value assigned, or one every shell has
	whole   bool // every expansion was replaced (also by a default word)
	bound   bool // every expansion names a variable the value assigns
}

// expand writes text[from:] of the word t to dst (whose capacity bounds
// it), replacing each expansion the value determines: a variable it
// assigned ($x, ${x}, %x%), a substring of one (${x:1:2}) or of a variable
// every shell has that starts with '/' (${PATH:0:1}), the default word of
// an unset variable (${x:-id}), and $SHELL or $BASH, a shell. Others keep
// their placeholder.
func (p *pass) expand(dst []byte, t token, from int) expansion {
	e := expansion{whole: true, bound: true}
	out, i, fit := dst, from, true
	for _, r := range t.refs {
		if r.pos < from || r.pos >= len(t.text) {
			continue
		}
		out, fit = put(out, t.text[i:r.pos], fit)
		var ok, bound, dflt bool
		out, ok, bound, dflt, fit = p.value(out, r, fit)
		if ok {
			e.changed = e.changed || !dflt
		} else {
			out, fit = put(out, t.text[r.pos:r.pos+1], fit)
			e.whole = false
		}
		e.bound = e.bound && bound
		i = r.pos + 1
	}
	out, fit = put(out, t.text[i:], fit)
	if !fit || t.flags&(wManyRefs|wTrunc) != 0 {
		e.whole, e.bound = false, false
	}
	e.text = out
	return e
}

// value appends the value of the expansion r to out if the value being
// lexed determines it. bound tells whether r names a variable the value
// assigns; dflt that the value is the default word of an unset one
// (${x:-id}), which is ordinary template syntax rather than evasion.
func (p *pass) value(out []byte, r ref, fit bool) (res []byte, ok, bound, dflt, fits bool) {
	name := r.name.of(p.s)
	b := p.vars.find(name, r.win)
	known := b != nil && !b.unknown
	switch r.op {
	case xPlain:
		switch {
		case known:
			out, fit = put(out, b.val[:b.nv], fit)
			return out, true, true, false, fit
		case b == nil && !r.win:
			if v := envProgram(name); v != "" {
				out, fit = put(out, v, fit)
				return out, true, false, false, fit
			}
		}
	case xDefault:
		switch {
		case known && b.nv > 0:
			out, fit = put(out, b.val[:b.nv], fit)
			return out, true, true, false, fit
		case (known || b == nil && !envSet(name)) && plainWord(r.arg.of(p.s)):
			out, fit = put(out, r.arg.of(p.s), fit)
			return out, true, b != nil, true, fit
		}
	case xSubstr:
		if r.n == -2 {
			break
		}
		if known {
			if v, ok := substring(b.val[:b.nv], r.off, r.n, true); ok {
				out, fit = put(out, v, fit)
				return out, true, true, false, fit
			}
			break
		}
		if b == nil {
			if v, ok := substring([]byte(envPrefix(name)), r.off, r.n, false); ok {
				out, fit = put(out, v, fit)
				return out, true, false, false, fit
			}
		}
	}
	return out, false, b != nil, false, fit
}

// substring returns ${x:off:n} of v; n < 0 is to the end, a negative off
// counts from the end. Of a value known only by its prefix (whole false),
// only what lies inside the prefix.
func substring(v []byte, off, n int, whole bool) ([]byte, bool) {
	if off < 0 {
		if !whole {
			return nil, false
		}
		off = max(0, len(v)+off)
	}
	if n < 0 {
		if !whole {
			return nil, false
		}
		n = len(v) - min(off, len(v))
	}
	if off+n > len(v) {
		if !whole {
			return nil, false
		}
		off, n = min(off, len(v)), len(v)-min(off, len(v))
	}
	return v[off : off+n], true
}

// put appends s to out within its capacity, reporting in fit whether all
// of it (and all before) fitted.
func put[T ~string | ~[]byte](out []byte, s T, fit bool) ([]byte, bool) {
	n := copy(out[len(out):cap(out)], s)
	return out[:len(out)+n], fit && n == len(s)
}

// envPrefix is how a variable every Unix shell sets starts: a directory,
// so ${PATH:0:1} is "/".
func envPrefix(name string) string {
	switch name {
	case "PATH", "HOME", "PWD", "SHELL", "BASH":
		return "/"
	}
	return ""
}

// envProgram is the program a variable every shell sets names.
func envProgram(name string) string {
	switch name {
	case "SHELL":
		return "/bin/sh"
	case "BASH":
		return "/bin/bash"
	}
	return ""
}

// envSet reports whether a shell sets the variable: its default word
// (${HOME:-/tmp}) is then not used.
func envSet(name string) bool {
	switch name {
	case "USER", "LOGNAME", "LANG", "TERM", "HOSTNAME", "SHLVL", "IFS", "PS1", "PS2", "PS4", "OLDPWD", "UID", "EUID", "PPID", "RANDOM":
		return true
	}
	return envPrefix(name) != ""
}

// plainWord reports whether a default word is literal: a name or a path,
// no quotes or expansions.
func plainWord(s string) bool {
	if len(s) == 0 || len(s) > valMax {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isNameChar(c) && c != '/' && c != '.' && c != '-' && c != '+' && c != ',' && c != ':' && c != '@' {
			return false
		}
	}
	return true
}

func hasLetter(w []byte) bool {
	for _, c := range w {
		if isAlpha(c) {
			return true
		}
	}
	return false
}

// onlyRefs reports whether the word t is nothing but parameter expansions
// ($x, "$a$b", ${x}, %a%%b%).
func onlyRefs(t token) bool {
	return len(t.refs) > 0 && len(t.refs) == len(t.text) && t.flags&(wManyRefs|wTrunc) == 0
}

// assign remembers the variable a NAME=value word assigns, its value
// expanded as far as the pass can.
func (p *pass) assign(t token) {
	eq := bytes.IndexByte(t.text, '=')
	if eq <= 0 || eq > varMax {
		return
	}
	e := p.expand(p.xbuf[:0], t, eq+1)
	// x=$(cmd), x=`cmd`: the word stops where the substitution starts.
	unknown := !e.whole || t.end < len(p.s) && (p.s[t.end] == '$' || p.s[t.end] == '`')
	p.vars.set(t.text[:eq], e.text, unknown)
}

// inTicks reports whether the lexer is inside a backtick substitution,
// where ${a/b}, ${!a} and ${a%b} are more likely JavaScript template
// literals than shell.
func (p *pass) inTicks() bool {
	return p.lx.depth > 0 && p.lx.stack[p.lx.depth-1].open == '`'
}

// resolveWord resolves a word in command position, its expansions replaced as
// far as the value determines them, and marks it:
//   - evasive: a command we know whose name the value builds from its own
//     variables, a default word, substrings or transformations;
//   - dyn: no command we know, but a word made only of expansions ($x,
//     $a$b) or one that obfuscates (${X:0:1}bin, ${!x}).
func (p *pass) resolveWord(t token) command {
	if len(t.refs) == 0 && t.flags&(wSubstr|wXform) == 0 {
		return p.d.resolve(t.text, t.flags)
	}
	tick := p.inTicks()
	e := p.expand(p.xbuf[:0], t, 0)
	flags := t.flags
	if e.whole {
		flags &^= wExpand
	}
	if bytes.ContainsAny(e.text, "*?[") {
		flags |= wGlob
	}
	c := p.d.resolve(e.text, flags)
	obf := t.flags&wSubstr != 0 || t.flags&wXform != 0 && !tick
	switch {
	case c.known || c.binpath:
		c.evasive = e.changed || obf
	case onlyRefs(t) || obf:
		// a=1;b=2;$a$b expands to a number, not a command name.
		c.dyn, c.obf, c.bound = true, obf, e.bound && e.whole && hasLetter(e.text)
	}
	c.tick = tick
	return c
}
