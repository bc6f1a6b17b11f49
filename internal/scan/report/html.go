package report

import (
	"crypto/sha256"
	_ "embed" // the HTML template and its style sheet
	"encoding/base64"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"rampart/internal/scan"
)

//go:embed html.tmpl
var htmlTemplate string

//go:embed html.css
var htmlCSS string

// htmlMaxURLs is how many URLs a finding lists before the rest fold away.
const htmlMaxURLs = 10

// htmlCSP is the report's own Content-Security-Policy: nothing may load
// and no script may run, only the inline style sheet (by its hash) and
// data: images. Even a payload that escaped html/template would do
// nothing in the report.
var htmlCSP = func() string {
	sum := sha256.Sum256([]byte(htmlCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src data:; base-uri 'none'; form-action 'none'"
}()

// htmlTmpl is parsed once. The style sheet is static template text, so
// html/template writes it as it is and its hash in htmlCSP holds.
var htmlTmpl = template.Must(template.New("report").Parse(strings.Replace(htmlTemplate, "/*CSS*/", htmlCSS, 1)))

type htmlData struct {
	R        *scan.Report
	CSP      string
	Tool     string
	Started  string
	Took     string
	Cards    []htmlCard
	TLS      *htmlTLS
	Findings []htmlFinding
}

type htmlCard struct {
	Severity string
	Count    int
}

type htmlTLS struct {
	Host, Grade, GradeClass, HSTS string
	Reasons                       []string
	Protocols                     []htmlProtocol
	Ciphers                       []htmlCiphers
	Cert                          *htmlCert
}

type htmlProtocol struct {
	Name          string
	Offered, Weak bool
}

type htmlCiphers struct {
	Protocol string
	Names    []string
}

type htmlCert struct {
	scan.CertInfo
	NotBefore, NotAfter string
}

type htmlFinding struct {
	scan.Finding
	Anchor, CWEURL, OWASPURL string
	FirstURLs, MoreURLs      []string
}

// HTML writes r as one self-contained HTML page: inline CSS, no scripts,
// nothing loaded from elsewhere, a Content-Security-Policy that forbids
// both, and every string escaped by html/template. It shows a card per
// severity, the TLS grade when there is one, the notes, a table of the
// findings and each finding with what was seen, why it matters, how to
// fix it, its URLs (as text, not links), CWE and OWASP links and its
// evidence folded in a <details>.
func HTML(w io.Writer, r *scan.Report, opts Options) error {
	red := opts.Redact
	opts.Redact = func(s string) string {
		if red != nil {
			s = red(s)
		}
		// Control characters are parse errors in HTML; they show as
		// U+FFFD.
		return controlFree(s)
	}
	r = prepare(r, opts)
	d := htmlData{R: r, CSP: htmlCSP, Tool: strings.TrimSpace(r.Tool + " " + r.Version)}
	if !r.Started.IsZero() {
		d.Started = r.Started.UTC().Format("2006-01-02 15:04:05 UTC")
		if !r.Finished.IsZero() {
			d.Took = r.Finished.Sub(r.Started).Round(time.Second).String()
		}
	}
	n := counts(r.Findings)
	for _, sev := range severitiesDown {
		d.Cards = append(d.Cards, htmlCard{Severity: sev.String(), Count: n[sev]})
	}
	if t := r.TLS; t != nil {
		ht := &htmlTLS{Host: t.Host, Grade: nonEmpty(t.Grade, "?"), HSTS: t.HSTS, Reasons: t.Reasons}
		ht.GradeClass = gradeClass(t.Grade)
		for _, p := range protocols(t.Protocols) {
			weak := p != "TLS 1.3" && p != "TLS 1.2" // deprecated by RFC 8996, or older
			ht.Protocols = append(ht.Protocols, htmlProtocol{Name: p, Offered: t.Protocols[p], Weak: weak})
		}
		names := slices.Collect(maps.Keys(t.Ciphers))
		slices.SortFunc(names, func(a, b string) int {
			return slices.Index(protocolOrder, a) - slices.Index(protocolOrder, b)
		})
		for _, p := range names {
			ht.Ciphers = append(ht.Ciphers, htmlCiphers{Protocol: p, Names: t.Ciphers[p]})
		}
		if c := t.Certificate; c != nil {
			ht.Cert = &htmlCert{CertInfo: *c, NotBefore: c.NotBefore.UTC().Format(time.DateOnly), NotAfter: c.NotAfter.UTC().Format(time.DateOnly)}
		}
		d.TLS = ht
	}
	for _, f := range r.Findings {
		hf := htmlFinding{Finding: f, Anchor: "f-" + f.Key(), OWASPURL: owaspURL(f.OWASP)}
		hf.Title = nonEmpty(f.Title, f.Check)
		if f.CWE != 0 {
			hf.CWEURL = cweURL(f.CWE)
		}
		hf.FirstURLs = f.URLs
		if len(f.URLs) > htmlMaxURLs {
			hf.FirstURLs, hf.MoreURLs = f.URLs[:htmlMaxURLs], f.URLs[htmlMaxURLs:]
		}
		// CWE and OWASP have links of their own; the rest are references.
		hf.References = slices.DeleteFunc(slices.Clone(f.References), func(u string) bool {
			return u == hf.CWEURL || (u != "" && u == hf.OWASPURL)
		})
		d.Findings = append(d.Findings, hf)
	}
	return htmlTmpl.Execute(w, d)
}

// gradeClass is the CSS class suffix of a TLS grade: "a" for "A+".
func gradeClass(g string) string {
	if g == "" {
		return "none"
	}
	c := strings.ToLower(g[:1])
	if strings.Contains("abcdeft", c) {
		return c
	}
	return "none"
}
