package active

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

var codeInfo = map[string]Info{
	"code.eval": {
		Title:    "Server-side code injection",
		Severity: "critical",
		CWE:      94,
		OWASP:    "A03:2021-Injection",
		Description: "The parameter is run as code on the server (eval, exec, Function, assert, create_function and " +
			"the like): an expression that only a programming language evaluates, a function of its standard " +
			"library applied to two random numbers, came back as their product, for two different pairs. Whoever " +
			"sends it runs code of their choice with the application's rights.",
		Fix: "Never pass input to eval or its kin. Parse what the feature needs (a number: parseInt, int(), " +
			"intval) and compute with it; for user formulas, use a parser of a small expression language that " +
			"cannot call functions.",
		References: []string{
			"https://owasp.org/www-community/attacks/Code_Injection",
			"https://cwe.mitre.org/data/definitions/94.html",
		},
	},
}

// codeProbe is an expression that only one language evaluates, with A
// and B for the operands; concat joins it to a string in that language.
type codeProbe struct {
	lang, expr, concat string
}

var codeProbes = []codeProbe{
	{"JavaScript (Node.js)", "Math.imul(A,B)", "+"},
	{"Python", "int(str(A))*B", "+"},
	{"PHP", "intval(strval(A))*B", "."},
	{"Ruby", "A.to_s.to_i*B", "+"},
}

// codePayloads are the probe alone (the input is the whole expression)
// and broken out of a single- and a double-quoted string.
func codePayloads(pr codeProbe, a, b int) []string {
	e := strings.NewReplacer("A", strconv.Itoa(a), "B", strconv.Itoa(b)).Replace(pr.expr)
	if pr.lang == "Python" {
		e = "str(" + e + ")" // Python does not join a number to a string
	}
	c := pr.concat
	return []string{e, "'" + c + e + c + "'", `"` + c + e + c + `"`}
}

// CodeInjection tests one point for server-side code injection: for each
// language, an expression only that language evaluates (a standard
// library function applied to two random numbers), alone and broken out
// of quotes, must come back as the product that the original response
// does not show, and a second pair must do the same in the same form. A
// calculator does not call Math.imul or intval, and a reflection shows
// the expression, not its value. It returns at most one Result.
func CodeInjection(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	switch p.Kind {
	case Query, Form, JSON, Cookie:
	default:
		return nil, nil
	}
	_, orig, err := send(ctx, s, p, p.Value)
	if err != nil {
		return nil, err
	}
	for _, pr := range codeProbes {
		for i := range len(codePayloads(pr, 1, 1)) {
			ev, err := productTwice(ctx, s, p, orig, opt, func(a, b int) string { return codePayloads(pr, a, b)[i] })
			if err != nil {
				return nil, err
			}
			if ev == nil {
				continue
			}
			return []Result{{
				Check: "code.eval", Point: p, Payload: ev.payload, Confirmed: true,
				Detail: fmt.Sprintf("%s: the response to %q shows %s, the product of %d and %d, and %q gave %d as well.",
					pr.lang, ev.payload, ev.shown, ev.a, ev.b, ev.again, ev.c*ev.d),
				Request:  requestExcerpt(p, ev.payload),
				Response: responseExcerpt(ev.resp, ev.shown),
			}}, nil
		}
	}
	return nil, nil
}
