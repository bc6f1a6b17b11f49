package active

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// crlfInfo describes the CRLF injection check.
var crlfInfo = map[string]Info{
	"crlf": {
		Title:    "CRLF injection (HTTP response header injection)",
		Severity: "medium",
		CWE:      113,
		OWASP:    "A03:2021-Injection",
		Description: "A parameter is written into a response header without removing carriage returns and line " +
			"feeds, so a link can add headers of the attacker's choosing: set or fix cookies (session " +
			"fixation), turn off security headers, or split the response to inject a page. The scanner " +
			"confirmed it: a header it named in the payload came back as a header of the response.",
		Fix: "Never copy input into a header as it is: reject or strip CR (\\r), LF (\\n) and other control " +
			"characters, encode values you must reflect (URL-encode a redirect target), and use a framework " +
			"or server that refuses line breaks in header values.",
		References: []string{
			"https://owasp.org/www-community/vulnerabilities/CRLF_Injection",
			"https://owasp.org/www-community/attacks/HTTP_Response_Splitting",
			"https://cwe.mitre.org/data/definitions/113.html",
		},
	},
}

// crlfPayloads are the header injections tried, each with a different
// line break: CR LF, a bare LF, a bare CR, the UTF-8 characters U+560D
// U+560A whose low bytes are CR LF (servers that write strings as
// Latin-1 truncate them to those bytes), and the URL-encoded form for
// an application that decodes twice. orig is the point's value, kept in
// front of one variant for applications that check the start.
func crlfPayloads(header, cookie, orig string) []string {
	line := header + ": 1"
	ps := []string{
		"\r\n" + line,
		"\n" + line,
		"\r" + line,
		"\u560d\u560a" + line,
		"%0d%0a" + line,
		"\r\nSet-Cookie: " + cookie + "=1",
	}
	if orig != "" {
		ps = append(ps, orig+"\r\n"+line)
	}
	return ps
}

// CRLF tests one point (a query or form parameter, a JSON field or a
// path segment; a header or cookie value cannot carry a line break) for
// CRLF injection into a response header. Each payload injects a header
// X-Rmp-<marker> or a Set-Cookie of a marker cookie after a line break;
// "crlf" is reported when the response has that header or cookie. A
// server that strips line breaks, or that refuses them in header values
// as Go's does, shows neither.
func CRLF(ctx context.Context, s Sender, p Point) ([]Result, error) {
	switch p.Kind {
	case Query, Form, JSON, Path:
	default:
		return nil, nil
	}
	m := rmpMarker()
	header := http.CanonicalHeaderKey("X-Rmp-" + m)
	for _, payload := range crlfPayloads(header, m, p.Value) {
		req, r, err := send(ctx, s, p, payload)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if req == nil {
				return nil, err
			}
			continue
		}
		what := ""
		if len(r.Header.Values(header)) > 0 {
			what = "header " + header
		}
		for _, c := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(strings.TrimSpace(c), m+"=") {
				what = "cookie " + m
			}
		}
		if what == "" {
			continue
		}
		return []Result{{
			Check: "crlf", Point: p, Payload: payload, Confirmed: true,
			Detail:   fmt.Sprintf("The response has the %s that the payload injected after a line break.", what),
			Request:  requestExcerpt(p, payload),
			Response: crlfExcerpt(r),
		}}, nil
	}
	return nil, nil
}

// crlfExcerpt is the status line and the headers of a response.
func crlfExcerpt(r *Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s\n", r.Status, http.StatusText(r.Status))
	_ = r.Header.Write(&b)
	return clip(b.String(), 2*excerptLen)
}
