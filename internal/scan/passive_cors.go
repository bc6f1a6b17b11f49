package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// evilOrigin is the foreign origin the CORS check claims to come from.
const evilOrigin = "https://evil.example"

var (
	kindCORSReflectCreds = kind{
		check: "cors.reflect-credentials", title: "CORS trusts any origin, with credentials",
		sev: SeverityHigh, conf: ConfidenceConfirmed, cwe: 942, owasp: OWASPSecurityMisconfig,
		desc: "The server copies any Origin into Access-Control-Allow-Origin and sends Access-Control-Allow-Credentials: true, so a page on any site can read this response with the visitor's cookies: whatever a signed-in user can see, an attacker's page can steal.",
		fix:  "Compare the Origin with an exact list of trusted origins before echoing it; never reflect arbitrary origins when credentials are allowed.",
		refs: []string{"https://portswigger.net/web-security/cors", "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS", cweRef(942)},
	}
	kindCORSReflect = kind{
		check: "cors.reflect", title: "CORS trusts any origin",
		sev: SeverityLow, conf: ConfidenceConfirmed, cwe: 942, owasp: OWASPSecurityMisconfig,
		desc: "The server copies any Origin into Access-Control-Allow-Origin (without allowing credentials). Any site can read the response; this matters when it holds data reachable only from the visitor's network or IP address.",
		fix:  "Allow only the origins that need the data; use Access-Control-Allow-Origin: * only for public data.",
		refs: []string{"https://portswigger.net/web-security/cors", cweRef(942)},
	}
	kindCORSNullCreds = kind{
		check: "cors.null-origin-credentials", title: "CORS trusts the null origin, with credentials",
		sev: SeverityHigh, conf: ConfidenceConfirmed, cwe: 942, owasp: OWASPSecurityMisconfig,
		desc: "The server answers Origin: null with Access-Control-Allow-Origin: null and allows credentials. Any site can get the null origin (a sandboxed iframe, a data: URL) and read this response with the visitor's cookies.",
		fix:  "Never trust the null origin; compare the Origin with an exact list of trusted origins.",
		refs: []string{"https://portswigger.net/web-security/cors#whitelisted-null-origin-value", cweRef(942)},
	}
	kindCORSNull = kind{
		check: "cors.null-origin", title: "CORS trusts the null origin",
		sev: SeverityLow, conf: ConfidenceConfirmed, cwe: 942, owasp: OWASPSecurityMisconfig,
		desc: "The server answers Origin: null with Access-Control-Allow-Origin: null. Any site can get the null origin (a sandboxed iframe) and read the response.",
		fix:  "Never trust the null origin; compare the Origin with an exact list of trusted origins.",
		refs: []string{"https://portswigger.net/web-security/cors#whitelisted-null-origin-value", cweRef(942)},
	}
)

// noteCORSCandidate remembers pages worth a CORS probe: the target, and
// pages that already answer with CORS headers or JSON.
func noteCORSCandidate(s *Scanner, p *Page) {
	if p.Status >= 300 && p.Status < 400 {
		return
	}
	// The target (or the first pages, when it redirects), and pages that
	// already speak CORS or JSON.
	cand := p.URL == s.target.String() || (p.Depth <= 1 && p.Status < 300 && len(s.corsCandidates()) < 2) ||
		p.Header.Get("Access-Control-Allow-Origin") != "" ||
		p.Header.Get("Access-Control-Allow-Credentials") != "" || strings.Contains(p.ContentType, "json")
	if !cand {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := originOf(p.URL) + p.u.Path
	if len(s.cors) < maxCORSProbes && !s.corsSeen[key] {
		s.corsSeen[key] = true
		s.cors = append(s.cors, p.u)
	}
}

func (s *Scanner) corsCandidates() []*url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cors
}

// checkCORS sends each candidate again with a foreign Origin and with
// Origin: null and reports what the answers allow.
func checkCORS(ctx context.Context, s *Scanner) {
	s.mu.Lock()
	urls := append(s.cors[:0:0], s.cors...)
	s.mu.Unlock()
	for _, u := range urls {
		for _, origin := range []string{evilOrigin, "null"} {
			if ctx.Err() != nil {
				return
			}
			resp, err := s.client.get(ctx, u, http.Header{"Origin": {origin}})
			if err != nil {
				continue
			}
			acao := strings.TrimSpace(resp.Header.Get("Access-Control-Allow-Origin"))
			if acao != origin {
				continue
			}
			creds := strings.EqualFold(strings.TrimSpace(resp.Header.Get("Access-Control-Allow-Credentials")), "true")
			var k *kind
			switch {
			case origin == "null" && creds:
				k = &kindCORSNullCreds
			case origin == "null":
				k = &kindCORSNull
			case creds:
				k = &kindCORSReflectCreds
			default:
				k = &kindCORSReflect
			}
			p := &Page{URL: u.String(), Method: http.MethodGet, Status: resp.Status, Header: resp.Header, proto: resp.Proto, u: u}
			detail := fmt.Sprintf("Origin: %s came back in Access-Control-Allow-Origin", origin)
			if creds {
				detail += ", with Access-Control-Allow-Credentials: true"
			}
			s.report(k.at(p, "", Evidence{
				Request:  reqExcerpt(p, "Origin: "+origin),
				Response: respExcerpt(p, []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Vary"}, ""),
				Detail:   detail,
			}), false)
		}
	}
}
