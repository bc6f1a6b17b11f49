package scan

import (
	"bytes"
	"fmt"
	"regexp"
)

var (
	kindDirListing = kind{
		check: "content.directory-listing", title: "Directory listing enabled",
		sev: SeverityMedium, conf: ConfidenceFirm, cwe: 548, owasp: OWASPBrokenAccessControl,
		desc: "The server lists the files of a directory. Files that are not linked anywhere (backups, configuration, uploads, source) become easy to find and download.",
		fix:  "Turn off automatic indexes (Options -Indexes in Apache, autoindex off in nginx, directoryBrowse enabled=\"false\" in IIS) and keep files that must not be public out of the web root.",
		refs: []string{"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information", cweRef(548)},
	}
	kindMixedActive = kind{
		check: "content.mixed-active", title: "HTTPS page loads scripts, frames or styles over HTTP",
		sev: SeverityMedium, conf: ConfidenceFirm, cwe: 311, owasp: OWASPCryptographicFailures,
		desc: "An HTTPS page loads a script, frame, stylesheet or plugin, or submits a form, over plain HTTP. A man in the middle can replace that content and so take over the page, or read what the form sends. Browsers block most active mixed content, which breaks the page instead.",
		fix:  "Load every resource and submit every form over HTTPS (use https:// or relative URLs), and send Content-Security-Policy: upgrade-insecure-requests.",
		refs: []string{"https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content", cweRef(311)},
	}
	kindMixedPassive = kind{
		check: "content.mixed-passive", title: "HTTPS page loads images or media over HTTP",
		sev: SeverityLow, conf: ConfidenceFirm, cwe: 311, owasp: OWASPCryptographicFailures,
		desc: "An HTTPS page loads images, audio or video over plain HTTP. A man in the middle can see which ones and replace them, and the page no longer shows as fully secure.",
		fix:  "Load every resource over HTTPS (use https:// or relative URLs), and send Content-Security-Policy: upgrade-insecure-requests.",
		refs: []string{"https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content", cweRef(311)},
	}
)

// dirListings are the markers of automatic directory indexes: Apache,
// nginx and lighttpd ("Index of /"), Python's http.server, Tomcat, IIS,
// Jetty, Node's serve-index.
var dirListings = []struct {
	server string
	re     *regexp.Regexp
}{
	{"Apache, nginx or lighttpd autoindex", regexp.MustCompile(`(?i)<title>\s*Index of /[^<]{0,500}</title>`)},
	{"Python http.server listing", regexp.MustCompile(`<title>Directory listing for /[^<]{0,500}</title>`)},
	{"Tomcat listing", regexp.MustCompile(`<title>Directory Listing For \[?/[^<]{0,500}</title>`)},
	{"IIS listing", regexp.MustCompile(`\[To Parent Directory\]</[aA]>`)},
	{"Jetty listing", regexp.MustCompile(`<title>Directory: /[^<]{0,500}</title>`)},
	{"Node.js serve-index listing", regexp.MustCompile(`<title>listing directory /[^<]{0,500}</title>`)},
}

// activeMixed are the resource kinds whose HTTP copies can change the
// page.
var activeMixed = map[string]bool{"script": true, "iframe": true, "frame": true, "stylesheet": true, "object": true, "embed": true, "form": true}

// checkContent finds directory listings, and mixed content on HTTPS
// pages.
func checkContent(s *Scanner, p *Page) {
	if !p.isHTML() || !hasBody(p) {
		return
	}
	if p.Status == 200 && (bytes.Contains(p.Body, []byte("<title>")) || bytes.Contains(p.Body, []byte("To Parent Directory"))) {
		for _, dl := range dirListings {
			if m := dl.re.FindIndex(p.Body); m != nil {
				s.report(kindDirListing.at(p, "", Evidence{
					Request:  reqExcerpt(p),
					Response: respExcerpt(p, []string{"Content-Type", "Server"}, snippet(p.Body, m[0], m[1])),
					Detail:   dl.server,
				}), false)
				break
			}
		}
	}
	if !p.isHTTPS() || p.doc == nil || upgradesInsecure(p) {
		return
	}
	var active, passive *resource
	for i := range p.doc.resources {
		r := &p.doc.resources[i]
		if r.url.Scheme != "http" {
			continue
		}
		if activeMixed[r.tag] {
			if active == nil {
				active = r
			}
		} else if passive == nil {
			passive = r
		}
	}
	for _, m := range []struct {
		r *resource
		k *kind
	}{{active, &kindMixedActive}, {passive, &kindMixedPassive}} {
		if m.r == nil {
			continue
		}
		what := fmt.Sprintf("a <%s> loads %s", m.r.tag, m.r.url)
		if m.r.tag == "form" {
			what = fmt.Sprintf("a <form> submits to %s", m.r.url)
		}
		if m.r.tag == "stylesheet" {
			what = fmt.Sprintf("a stylesheet <link> loads %s", m.r.url)
		}
		from, to := mixedAt(p.Body, m.r.url.String())
		s.report(m.k.at(p, "", Evidence{
			Request:  reqExcerpt(p),
			Response: respExcerpt(p, []string{"Content-Type"}, snippet(p.Body, from, to)),
			Detail:   what,
		}), false)
	}
}

// mixedAt is where u appears in body (for the excerpt), or nothing.
func mixedAt(body []byte, u string) (int, int) {
	if i := bytes.Index(body, []byte(u)); i >= 0 {
		return i, i + len(u)
	}
	if i := bytes.Index(body, []byte("http://")); i >= 0 {
		return i, i + 7
	}
	return 0, 0
}

// upgradesInsecure says the page's policy has the browser upgrade or
// block its http:// subresources, so they are no mixed content.
func upgradesInsecure(p *Page) bool {
	policies := p.Header.Values("Content-Security-Policy")
	if p.doc != nil {
		policies = append(policies[:len(policies):len(policies)], p.doc.metaCSP...)
	}
	for _, v := range policies {
		for _, pol := range parseCSP(v) {
			if _, ok := pol["upgrade-insecure-requests"]; ok {
				return true
			}
			if _, ok := pol["block-all-mixed-content"]; ok {
				return true
			}
		}
	}
	return false
}
