package active

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

var sstiInfo = map[string]Info{
	"ssti": {
		Title:    "Server-side template injection",
		Severity: "critical",
		CWE:      1336,
		OWASP:    "A03:2021-Injection",
		Description: "A template expression in the parameter was evaluated on the server: the response showed the " +
			"product of two random numbers the expression multiplied, for two different pairs, and the " +
			"bare multiplication was not evaluated. Template engines reach the language they are written " +
			"in, so this usually means running code on the server.",
		Fix: "Never build a template from input: pass input to a fixed template as data. Where users must " +
			"write templates, use a logic-less or sandboxed engine.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/18-Testing_for_Server-side_Template_Injection",
			"https://portswigger.net/research/server-side-template-injection",
			"https://cwe.mitre.org/data/definitions/1336.html",
		},
	},
}

// sstiSyntax is an expression syntax and the engines that use it.
type sstiSyntax struct {
	engines string
	build   func(a, b int) string
}

func sstiWrap(open, close string) func(a, b int) string {
	return func(a, b int) string { return fmt.Sprintf("%s%d*%d%s", open, a, b, close) }
}

var sstiSyntaxes = []sstiSyntax{
	{"{{ }}: Jinja2, Twig, Nunjucks, Tornado, Pebble", sstiWrap("{{", "}}")},
	{"${ }: FreeMarker, Mako, JSP/Spring EL, Groovy, JavaScript template literals", sstiWrap("${", "}")},
	{"<%= %>: ERB, EJS", sstiWrap("<%=", "%>")},
	{"#{ }: Ruby interpolation, Pug, Slim, JSF EL", sstiWrap("#{", "}")},
	{"{{= }}: doT", sstiWrap("{{=", "}}")},
	{"*{ }: Thymeleaf", sstiWrap("*{", "}")},
	{"[[${ }]]: Thymeleaf inline", sstiWrap("[[${", "}]]")},
	{"{ }: Smarty", sstiWrap("{", "}")},
	{"@( ): Razor", sstiWrap("@(", ")")},
	{"#set: Velocity", func(a, b int) string { return fmt.Sprintf("#set($rmp=%d*%d)${rmp}", a, b) }},
}

// sstiForms are the ways an engine prints a number: plain, or grouped
// by thousands as FreeMarker and others do by locale.
func sstiForms(n int) []string {
	s := strconv.Itoa(n)
	forms := []string{s}
	if len(s) <= 3 {
		return forms
	}
	for _, sep := range []string{",", ".", " ", "\u00a0", "\u202f", "'"} {
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteString(sep)
			}
			b.WriteRune(c)
		}
		forms = append(forms, b.String())
	}
	return forms
}

// sstiShown returns the form of the product that body shows, or "".
func sstiShown(body []byte, product int) string {
	for _, f := range sstiForms(product) {
		if strings.Contains(string(body), f) {
			return f
		}
	}
	return ""
}

// sstiOperands draws two 3-4 digit numbers whose product is not in the
// payload as text, so no reflection of the payload shows it.
func sstiOperands(opt Options, v string) (int, int) {
	for {
		a, b := opt.randInt(101, 9999), opt.randInt(101, 9999)
		p := strconv.Itoa(a * b)
		if !strings.Contains(v+strconv.Itoa(a)+"*"+strconv.Itoa(b), p) {
			return a, b
		}
	}
}

// SSTI tests one point for server-side template injection: for each
// expression syntax it sends the original value followed by a product of
// two random 3-4 digit numbers, and reports when the response shows the
// product (plain or grouped by thousands) that the original response does
// not, a second pair does the same, and the bare multiplication is not
// evaluated (a calculator is not a template). A page that shows the
// payload as sent is plain reflection and is not reported. It returns at
// most one Result.
func SSTI(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	_, orig, err := send(ctx, s, p, p.Value)
	if err != nil {
		return nil, err
	}
	for _, sy := range sstiSyntaxes {
		ev, err := productTwice(ctx, s, p, orig, opt, func(a, b int) string { return p.Value + sy.build(a, b) })
		if err != nil {
			return nil, err
		}
		if ev == nil {
			continue
		}
		payload, shown, r, a, b, c, d := ev.payload, ev.shown, ev.resp, ev.a, ev.b, ev.c, ev.d
		bare := fmt.Sprintf("%s%d*%d", p.Value, c, d)
		_, r3, err := send(ctx, s, p, bare)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if sstiShown(r3.Body, c*d) != "" {
			return nil, nil // the page does arithmetic on any input
		}
		return []Result{{
			Check: "ssti", Point: p, Payload: payload, Confirmed: true,
			Detail: fmt.Sprintf("%s: the response shows %s, the product of %d*%d, and %d*%d gave %d as well; the bare %d*%d was not evaluated",
				sy.engines, shown, a, b, c, d, c*d, c, d),
			Request:  requestExcerpt(p, payload),
			Response: responseExcerpt(r, shown),
		}}, nil
	}
	return nil, nil
}

// productEvidence is what productTwice saw.
type productEvidence struct {
	payload, again string // the two payloads
	shown          string // how the first response shows the product
	resp           *Response
	a, b, c, d     int
}

// productTwice sends build(a, b) for random a and b and, when the
// response shows a*b that orig does not, build(c, d) for another pair,
// which must show c*d too: an expression evaluated on the server. It
// returns nil when the point does not evaluate it.
func productTwice(ctx context.Context, s Sender, p Point, orig *Response, opt Options, build func(a, b int) string) (*productEvidence, error) {
	a, b := sstiOperands(opt, p.Value)
	payload := build(a, b)
	_, r, err := send(ctx, s, p, payload)
	if err != nil {
		return nil, ctx.Err()
	}
	shown := sstiShown(r.Body, a*b)
	if shown == "" || sstiShown(orig.Body, a*b) != "" {
		return nil, nil
	}
	c, d := sstiOperands(opt, p.Value)
	for c*d == a*b {
		c++
	}
	again := build(c, d)
	_, r2, err := send(ctx, s, p, again)
	if err != nil {
		return nil, ctx.Err()
	}
	if sstiShown(r2.Body, c*d) == "" || sstiShown(orig.Body, c*d) != "" {
		return nil, nil
	}
	return &productEvidence{payload: payload, again: again, shown: shown, resp: r, a: a, b: b, c: c, d: d}, nil
}
