package lab

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// This file is the greeting-card "template engine": {{ expr }} tags
// whose expressions are integers, 'strings', variables and + - * / % with
// parentheses, the kind of engine a shop writes in an afternoon. The shell
// emulation uses the same evaluator for $(( )).

// Bounds on what the evaluator takes.
const (
	maxTemplateLen  = 4096
	maxTemplateTags = 64
	maxExprDepth    = 32
)

// value is what an expression gives: an integer or a string.
type value struct {
	n     int64
	s     string
	isStr bool
}

func (v value) String() string {
	if v.isStr {
		return v.s
	}
	return strconv.FormatInt(v.n, 10)
}

// num is v as an integer: a string must hold one.
func (v value) num() (int64, error) {
	if !v.isStr {
		return v.n, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", v.s)
	}
	return n, nil
}

// exprParser is a recursive-descent parser that evaluates as it goes.
type exprParser struct {
	src   string
	pos   int
	depth int
	vars  func(name string) (string, bool)
}

// evalExpr evaluates src; vars looks variables up.
func evalExpr(src string, vars func(string) (string, bool)) (value, error) {
	p := &exprParser{src: src, vars: vars}
	v, err := p.sum()
	if err != nil {
		return value{}, err
	}
	p.space()
	if p.pos < len(p.src) {
		return value{}, fmt.Errorf("unexpected %q at offset %d", p.src[p.pos:], p.pos)
	}
	return v, nil
}

func (p *exprParser) space() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *exprParser) peek() byte {
	p.space()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *exprParser) sum() (value, error) {
	l, err := p.product()
	if err != nil {
		return l, err
	}
	for {
		op := p.peek()
		if op != '+' && op != '-' {
			return l, nil
		}
		p.pos++
		r, err := p.product()
		if err != nil {
			return r, err
		}
		if op == '+' && (l.isStr || r.isStr) {
			// 'Dear ' + name
			l = value{s: l.String() + r.String(), isStr: true}
			continue
		}
		a, err := l.num()
		if err != nil {
			return l, err
		}
		b, err := r.num()
		if err != nil {
			return r, err
		}
		if op == '+' {
			l = value{n: a + b}
		} else {
			l = value{n: a - b}
		}
	}
}

func (p *exprParser) product() (value, error) {
	l, err := p.unary()
	if err != nil {
		return l, err
	}
	for {
		op := p.peek()
		if op != '*' && op != '/' && op != '%' {
			return l, nil
		}
		p.pos++
		r, err := p.unary()
		if err != nil {
			return r, err
		}
		a, err := l.num()
		if err != nil {
			return l, err
		}
		b, err := r.num()
		if err != nil {
			return r, err
		}
		switch {
		case op == '*':
			l = value{n: a * b}
		case b == 0:
			return l, errors.New("division by zero")
		case op == '/':
			l = value{n: a / b}
		default:
			l = value{n: a % b}
		}
	}
}

func (p *exprParser) unary() (value, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxExprDepth {
		return value{}, errors.New("expression nested too deep")
	}
	switch c := p.peek(); c {
	case '-', '+':
		p.pos++
		v, err := p.unary()
		if err != nil {
			return v, err
		}
		n, err := v.num()
		if err != nil {
			return v, err
		}
		if c == '-' {
			n = -n
		}
		return value{n: n}, nil
	}
	return p.primary()
}

func (p *exprParser) primary() (value, error) {
	c := p.peek()
	switch {
	case c == 0:
		return value{}, errors.New("unexpected end of expression")
	case c == '(':
		p.pos++
		v, err := p.sum()
		if err != nil {
			return v, err
		}
		if p.peek() != ')' {
			return v, fmt.Errorf("missing ) at offset %d", p.pos)
		}
		p.pos++
		return v, nil
	case c == '\'' || c == '"':
		end := strings.IndexByte(p.src[p.pos+1:], c)
		if end < 0 {
			return value{}, errors.New("unterminated string")
		}
		s := p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return value{s: s, isStr: true}, nil
	case '0' <= c && c <= '9':
		start := p.pos
		for p.pos < len(p.src) && '0' <= p.src[p.pos] && p.src[p.pos] <= '9' {
			p.pos++
		}
		n, err := strconv.ParseInt(p.src[start:p.pos], 10, 64)
		if err != nil {
			return value{}, fmt.Errorf("number %s: %w", p.src[start:p.pos], err)
		}
		return value{n: n}, nil
	case c == '_' || ('a' <= c|0x20 && c|0x20 <= 'z'):
		start := p.pos
		for p.pos < len(p.src) {
			c := p.src[p.pos]
			if c != '_' && !('a' <= c|0x20 && c|0x20 <= 'z') && !('0' <= c && c <= '9') {
				break
			}
			p.pos++
		}
		name := p.src[start:p.pos]
		v, ok := p.vars(name)
		if !ok {
			return value{}, fmt.Errorf("undefined: %s", name)
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return value{n: n}, nil
		}
		return value{s: v, isStr: true}, nil
	}
	return value{}, fmt.Errorf("unexpected %q at offset %d", string(c), p.pos)
}

// renderGreeting fills the {{ expr }} tags of text, evaluating each
// expression: the greeting preview's engine. It is the flaw: the text
// comes from the request, so anyone can compute with the server.
func renderGreeting(text string, vars map[string]string) (string, error) {
	if len(text) > maxTemplateLen {
		return "", fmt.Errorf("greeting longer than %d bytes", maxTemplateLen)
	}
	lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	var b strings.Builder
	for n := 0; ; n++ {
		i := strings.Index(text, "{{")
		if i < 0 {
			b.WriteString(text)
			return b.String(), nil
		}
		if n >= maxTemplateTags {
			return "", fmt.Errorf("more than %d tags", maxTemplateTags)
		}
		j := strings.Index(text[i+2:], "}}")
		if j < 0 {
			return "", fmt.Errorf("unclosed tag at offset %d", i)
		}
		v, err := evalExpr(text[i+2:i+2+j], lookup)
		if err != nil {
			return "", fmt.Errorf("tag %q: %w", text[i:i+4+j], err)
		}
		b.WriteString(text[:i])
		b.WriteString(v.String())
		text = text[i+4+j:]
	}
}

// fillGreeting is the fixed twin: it replaces the placeholders it knows,
// as plain text, and evaluates nothing.
func fillGreeting(text string, vars map[string]string) string {
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		pairs = append(pairs, "{{ "+k+" }}", vars[k], "{{"+k+"}}", vars[k])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}
