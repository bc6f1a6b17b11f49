package waf

// wellFormedHeader reports whether value is a well-formed value of one of
// the content-negotiation headers (Accept, Accept-Language, Accept-Charset,
// Content-Type) in a strict subset of its grammar: lists of media types or
// language tags with simple parameters (";q=0.9", ";charset=utf-8"). Such a
// value is made of letters, digits, '-', '+', '.', '_', '/', '*', ',', ';',
// '=' and blanks in fixed places, and no attack syntax can be built from
// it (no quotes, parentheses, angle brackets, braces, '$', '%', '\\', no
// "..", no path beyond "type/subtype"), so the detectors are not run on it.
// Anything else — a quoted parameter, an unusual character, another header
// — is inspected as usual.
func wellFormedHeader(name, value string) bool {
	if len(value) == 0 || len(value) > 512 {
		return false
	}
	switch name {
	case "accept":
		return list(value, mediaRange)
	case "content-type":
		p := &parser{s: value}
		return mediaRange(p) && p.done()
	case "accept-language":
		return list(value, languageRange)
	case "accept-charset":
		return list(value, charset)
	}
	return false
}

// parser walks a header value.
type parser struct {
	s string
	i int
}

func (p *parser) done() bool { return p.i == len(p.s) }

func (p *parser) ows() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// list parses elem *( OWS "," OWS elem ).
func list(s string, elem func(*parser) bool) bool {
	p := &parser{s: s}
	for {
		p.ows()
		if !elem(p) {
			return false
		}
		p.ows()
		if p.done() {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}

// word reads 1..max bytes for which ok holds, starting with a letter or
// digit, with no two dots in a row.
func (p *parser) word(max int, ok func(byte) bool) bool {
	start := p.i
	for p.i < len(p.s) && p.i-start < max && ok(p.s[p.i]) {
		if p.s[p.i] == '.' && p.i > start && p.s[p.i-1] == '.' {
			return false
		}
		p.i++
	}
	return p.i > start && isAlnum(p.s[start])
}

// value reads a parameter value: like word, but it may start with '-'
// (multipart boundaries do: "----WebKitFormBoundary...").
func (p *parser) value(max int) bool {
	start := p.i
	for p.i < len(p.s) && p.i-start < max && p.s[p.i] == '-' {
		p.i++
	}
	if p.i-start == max {
		return true
	}
	return p.word(max-(p.i-start), tokenByte)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func tokenByte(c byte) bool { return isAlnum(c) || c == '-' || c == '+' || c == '.' || c == '_' }

// params parses *( OWS ";" OWS name "=" value ) with simple values.
func (p *parser) params() bool {
	for {
		save := p.i
		p.ows()
		if !p.eat(';') {
			p.i = save
			return true
		}
		p.ows()
		if !p.word(32, tokenByte) || !p.eat('=') || !p.value(70) {
			return false
		}
	}
}

// mediaRange parses type "/" subtype params, where either may be "*".
func mediaRange(p *parser) bool {
	if p.eat('*') {
		if !p.eat('/') || !p.eat('*') {
			return false
		}
	} else {
		if !p.word(64, tokenByte) || !p.eat('/') {
			return false
		}
		if !p.eat('*') && !p.word(128, tokenByte) {
			return false
		}
	}
	return p.params()
}

// languageRange parses "*" or 1*8ALPHA *("-" 1*8alphanum), then params.
func languageRange(p *parser) bool {
	if !p.eat('*') {
		for part := 0; ; part++ {
			start := p.i
			for p.i < len(p.s) && p.i-start < 8 && isAlnum(p.s[p.i]) {
				p.i++
			}
			if p.i == start {
				return false
			}
			if !p.eat('-') {
				break
			}
		}
	}
	return p.params()
}

// charset parses "*" or a token, then params.
func charset(p *parser) bool {
	if !p.eat('*') && !p.word(40, tokenByte) {
		return false
	}
	return p.params()
}
