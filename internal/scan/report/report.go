package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"rampart/internal/scan"
)

// Options change what the writers write.
type Options struct {
	// Redact, when set, is applied to every string of the report before
	// it is written: (*scan.Redactor).String of the scan's Redactor.
	Redact func(string) string
	// FailOn is the severity from which a finding fails: JUnit writes a
	// failure for it (findings below are skipped test cases) and Text
	// names the threshold in its summary. The zero value, SeverityInfo,
	// makes every finding a failure.
	FailOn scan.Severity
}

// Format names an output format.
type Format string

// Formats, as --format names them.
const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatSARIF Format = "sarif"
	FormatHTML  Format = "html"
	FormatJUnit Format = "junit"
)

// Formats lists every format, in the order the help text shows them.
var Formats = []Format{FormatText, FormatJSON, FormatSARIF, FormatHTML, FormatJUnit}

// ParseFormat reads a format name in any case.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("format %q: want one of %s", s, strings.Join(names, ", "))
}

// Ext is the usual file name extension of the format, with its dot.
func (f Format) Ext() string {
	switch f {
	case FormatText:
		return ".txt"
	case FormatSARIF:
		return ".sarif"
	case FormatJUnit:
		return ".junit.xml"
	}
	return "." + string(f)
}

// Write writes r in format f.
func Write(w io.Writer, f Format, r *scan.Report, opts Options) error {
	switch f {
	case FormatText:
		return Text(w, r, opts)
	case FormatJSON:
		return JSON(w, r, opts)
	case FormatSARIF:
		return SARIF(w, r, opts)
	case FormatHTML:
		return HTML(w, r, opts)
	case FormatJUnit:
		return JUnit(w, r, opts)
	}
	return fmt.Errorf("format %q: unknown", f)
}

// redactedMark is what scan.Redactor writes for a secret.
const redactedMark = "[redacted]"

// prepare returns a deep copy of r with redact applied to every string,
// the findings sorted and nil slices made empty, so the writers cannot
// leak a secret or change the caller's report.
func prepare(r *scan.Report, opts Options) *scan.Report {
	red := opts.Redact
	if red == nil {
		red = func(s string) string { return s }
	}
	strs := func(in []string) []string {
		out := make([]string, len(in))
		for i, s := range in {
			out[i] = red(s)
		}
		return out
	}
	c := *r
	c.Target, c.Tool, c.Version = red(c.Target), red(c.Tool), red(c.Version)
	if c.Tool == "" {
		c.Tool = "rampart"
	}
	c.Notes = strs(r.Notes)
	c.Findings = make([]scan.Finding, len(r.Findings))
	for i, f := range r.Findings {
		f.Check, f.Title, f.OWASP = red(f.Check), red(f.Title), red(f.OWASP)
		f.Description, f.Fix, f.Parameter = red(f.Description), red(f.Fix), red(f.Parameter)
		f.URLs, f.References = strs(f.URLs), strs(f.References)
		f.Evidence = scan.Evidence{
			Request:  red(f.Evidence.Request),
			Response: red(f.Evidence.Response),
			Detail:   red(f.Evidence.Detail),
		}
		c.Findings[i] = f
	}
	scan.SortFindings(c.Findings)
	if r.TLS != nil {
		t := *r.TLS
		t.Host, t.Grade, t.HSTS = red(t.Host), red(t.Grade), red(t.HSTS)
		t.Reasons = strs(t.Reasons)
		t.Protocols = maps.Clone(t.Protocols)
		if t.Ciphers != nil {
			t.Ciphers = make(map[string][]string, len(r.TLS.Ciphers))
			for p, cs := range r.TLS.Ciphers {
				t.Ciphers[p] = strs(cs)
			}
		}
		if t.Certificate != nil {
			ci := *t.Certificate
			ci.Subject, ci.Issuer, ci.KeyType = red(ci.Subject), red(ci.Issuer), red(ci.KeyType)
			ci.Signature, ci.TrustError = red(ci.Signature), red(ci.TrustError)
			ci.DNSNames = strs(ci.DNSNames)
			t.Certificate = &ci
		}
		c.TLS = &t
	}
	return &c
}

// counts is the number of findings per severity, indexed by severity.
func counts(fs []scan.Finding) [scan.SeverityCritical + 1]int {
	var n [scan.SeverityCritical + 1]int
	for _, f := range fs {
		if f.Severity >= 0 && f.Severity <= scan.SeverityCritical {
			n[f.Severity]++
		}
	}
	return n
}

// severitiesDown lists the severities most severe first.
var severitiesDown = []scan.Severity{scan.SeverityCritical, scan.SeverityHigh, scan.SeverityMedium, scan.SeverityLow, scan.SeverityInfo}

// protocolOrder is the order TLS protocols are shown in, newest first.
var protocolOrder = []string{"TLS 1.3", "TLS 1.2", "TLS 1.1", "TLS 1.0", "SSL 3.0", "SSL 2.0"}

// protocols returns the protocol names of t in protocolOrder, then any
// others sorted.
func protocols(m map[string]bool) []string {
	var out []string
	for _, p := range protocolOrder {
		if _, ok := m[p]; ok {
			out = append(out, p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(protocolOrder, p) {
			out = append(out, p)
		}
	}
	return out
}

// cweURL links a CWE number to its MITRE page.
func cweURL(n int) string { return fmt.Sprintf("https://cwe.mitre.org/data/definitions/%d.html", n) }

// owaspURL links an OWASP Top 10 (2021) category ("A03:2021-Injection") to
// its page, or returns "" for a name that is not one.
func owaspURL(cat string) string {
	id, name, ok := strings.Cut(cat, "-")
	if !ok || !strings.HasSuffix(id, ":2021") || len(id) != len("A01:2021") {
		return ""
	}
	slug := strings.ReplaceAll(name, " ", "_")
	if id == "A10:2021" {
		slug += "_%28SSRF%29" // the page's name has the abbreviation
	}
	return "https://owasp.org/Top10/" + strings.TrimSuffix(id, ":2021") + "_2021-" + slug + "/"
}

// owaspID is the short id of a category: "A03:2021".
func owaspID(cat string) string {
	id, _, _ := strings.Cut(cat, "-")
	return id
}

// checkClass is the first part of a dotted check name: "xss" of
// "xss.reflected".
func checkClass(check string) string {
	c, _, _ := strings.Cut(check, ".")
	if c == "" {
		return "scan"
	}
	return c
}
