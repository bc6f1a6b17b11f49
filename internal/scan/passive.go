package scan

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// passiveChecks are the checks that read what the crawl fetched. Each
// runs on every page, concurrently with itself; cors also probes a few
// URLs after the crawl.
func passiveChecks() []check {
	return []check{
		{name: "headers", phase: phasePassive, page: checkHeaders},
		{name: "cookies", phase: phasePassive, page: checkCookies},
		{name: "leaks", phase: phasePassive, page: checkLeaks},
		{name: "content", phase: phasePassive, page: checkContent},
		{name: "jslibs", phase: phasePassive, page: checkJSLibs},
		{name: "cors", phase: phasePassive, page: noteCORSCandidate, site: checkCORS},
		{name: "jwt", phase: phasePassive, page: checkJWTs},
	}
}

// kind describes one class of finding: everything but where it was seen
// and the evidence.
type kind struct {
	check, title string
	sev          Severity
	conf         Confidence
	cwe          int
	owasp        string
	desc, fix    string
	refs         []string
}

// at is a finding of kind k on page p.
func (k *kind) at(p *Page, param string, ev Evidence) Finding {
	return Finding{
		Check:       k.check,
		Title:       k.title,
		Severity:    k.sev,
		Confidence:  k.conf,
		CWE:         k.cwe,
		OWASP:       k.owasp,
		Description: k.desc,
		Fix:         k.fix,
		Parameter:   param,
		URLs:        []string{p.URL},
		Evidence:    ev,
		References:  k.refs,
	}
}

func cweRef(n int) string { return fmt.Sprintf("https://cwe.mitre.org/data/definitions/%d.html", n) }

// reqExcerpt is the request line of p and the extra header lines given.
func reqExcerpt(p *Page, extra ...string) string {
	var b strings.Builder
	b.WriteString(p.Method + " " + p.URL + " HTTP/1.1")
	for _, e := range extra {
		b.WriteString("\n" + e)
	}
	return b.String()
}

// respExcerpt is the status line of p, its headers named (each line
// once per value, those missing left out) and a body excerpt.
func respExcerpt(p *Page, names []string, body string) string {
	var b strings.Builder
	proto := p.proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	fmt.Fprintf(&b, "%s %d %s", proto, p.Status, http.StatusText(p.Status))
	for _, n := range names {
		for _, v := range p.Header.Values(n) {
			b.WriteString("\n" + http.CanonicalHeaderKey(n) + ": " + clipString(v, 512))
		}
	}
	if body != "" {
		b.WriteString("\n\n" + body)
	}
	return b.String()
}

// excerptWindow is how much of a body around a match evidence shows.
const excerptWindow = 160

// snippet is the body around [start, end), at most excerptWindow bytes
// each side, on UTF-8 boundaries, with "…" where it was cut.
func snippet(body []byte, start, end int) string {
	start, end = max(0, min(start, len(body))), max(0, min(end, len(body)))
	if start > end {
		return ""
	}
	end = min(end, start+1024)
	from := max(0, start-excerptWindow)
	to := min(len(body), end+excerptWindow)
	for from > 0 && from < len(body) && !utf8.RuneStart(body[from]) {
		from++
	}
	for to < len(body) && !utf8.RuneStart(body[to]) {
		to++
	}
	s := strings.ToValidUTF8(string(body[from:to]), "\uFFFD")
	if from > 0 {
		s = "…" + s
	}
	if to < len(body) {
		s += "…"
	}
	return s
}

// hasBody says p's response carries content that checks of bodies and
// content headers apply to.
func hasBody(p *Page) bool {
	return p.Status >= 200 && p.Status != http.StatusNoContent && p.Status != http.StatusNotModified &&
		(p.Status < 300 || p.Status >= 400) && len(p.Body) > 0
}

// headerTarget says p is a response whose missing security headers are a
// finding: a success, or the sign-in wall of a protected page. Redirects
// and error pages are left out, so that a site that sets its headers on
// every page is not reported for its 404 page.
func headerTarget(p *Page) bool {
	return hasBody(p) && (p.Status < 300 || p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden)
}

// isTextual says p's body is text that leak patterns apply to.
func isTextual(p *Page) bool {
	ct := p.ContentType
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") ||
		strings.Contains(ct, "javascript") || strings.Contains(ct, "ecmascript") || ct == ""
}
