package active

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"strings"
)

// Result is a confirmed (or, where said, firm) flaw at one point.
type Result struct {
	// Check names the check: "xss.reflected", "sqli.error",
	// "sqli.boolean", "sqli.time", "cmdi.time", "cmdi.output",
	// "traversal", "redirect.open", "ssti", "xxe", "crlf", "nosqli".
	Check string
	Point Point
	// Payload is the value that showed the flaw.
	Payload string
	// Confirmed says a second, independent test proved it; false means
	// firm (the response shows the flaw, nothing repeated it).
	Confirmed bool
	// Detail says in one sentence what was seen.
	Detail string
	// Request and Response are excerpts of the exchange that showed it
	// (the scanner redacts them before they reach a report).
	Request, Response string
}

// Info describes a check for reports.
type Info struct {
	Title string
	// Severity is "info", "low", "medium", "high" or "critical".
	Severity    string
	CWE         int
	OWASP       string // "A03:2021-Injection"
	Description string
	Fix         string
	References  []string
}

// infoTables are the check files' tables of Info by check name: each
// file that adds checks declares one (xssInfo in xss.go, …) and lists it
// here.
var infoTables = []map[string]Info{xssInfo, redirectInfo, crlfInfo, filesInfo, csrfInfo, sqliInfo, cmdiInfo, sstiInfo, traversalInfo, nosqliInfo, xxeInfo, uploadInfo, ssrfInfo, jwtInfo, codeInfo}

// CheckInfo returns the description of a check, and false for an unknown
// one.
func CheckInfo(check string) (Info, bool) {
	for _, t := range infoTables {
		if i, ok := t[check]; ok {
			return i, true
		}
	}
	return Info{}, false
}

// send builds and sends the point's request with value.
func send(ctx context.Context, s Sender, p Point, value string) (*http.Request, *Response, error) {
	req, err := p.Request(ctx, value)
	if err != nil {
		return nil, nil, err
	}
	resp, err := s.Send(ctx, req)
	if err != nil {
		return req, nil, fmt.Errorf("send %s: %w", p, err)
	}
	return req, resp, nil
}

// excerptLen bounds the body part of an evidence excerpt.
const excerptLen = 400

// requestExcerpt is the request line, the headers and up to excerptLen
// bytes of a form or JSON body as the point builds it.
func requestExcerpt(p Point, value string) string {
	req, err := p.Request(context.Background(), value)
	if err != nil {
		return ""
	}
	b, err := httputil.DumpRequestOut(req, true)
	if err != nil {
		return req.Method + " " + req.URL.String()
	}
	return clip(string(b), 2*excerptLen)
}

// responseExcerpt is the status line and up to excerptLen bytes of the
// body around the first occurrence of mark ("" for the start).
func responseExcerpt(r *Response, mark string) string {
	if r == nil {
		return ""
	}
	body := string(r.Body)
	start := 0
	if mark != "" {
		if i := strings.Index(body, mark); i >= 0 {
			start = max(0, i-excerptLen/2)
		}
	}
	end := min(len(body), start+excerptLen)
	return fmt.Sprintf("HTTP %d %s\n%s", r.Status, http.StatusText(r.Status), strings.ToValidUTF8(body[start:end], "\uFFFD"))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
