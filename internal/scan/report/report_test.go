package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rampart/internal/scan"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// secret is a header value the scan was given; no output may show it.
const secret = "Bearer tok-9f8e7d6c5b4a"

// hostile is what a hostile site can put in evidence, titles and URLs.
const hostile = `<script>alert("x")</script>]]><!-- --><img src=x onerror=alert(1)>` + "\x1b[31m\x00&amp;"

var (
	t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	t1 = t0.Add(42 * time.Second)
)

// sampleReport is a report with every kind of field filled: several
// severities and checks, a finding with many URLs, hostile strings in
// evidence, a secret in places a careless scanner could leave it, notes
// and a TLS audit.
func sampleReport() *scan.Report {
	manyURLs := []string{"https://shop.example/"}
	for i := range 14 {
		manyURLs = append(manyURLs, "https://shop.example/p/"+string(rune('a'+i)))
	}
	return &scan.Report{
		Target:   "https://shop.example/",
		Started:  t0,
		Finished: t1,
		Tool:     "rampart",
		Version:  "1.2.3",
		Stats:    scan.Stats{Requests: 321, Pages: 45, Errors: 2, Blocked: 1},
		Notes:    []string{"robots.txt was ignored (--ignore-robots)", "header Authorization: " + secret},
		Findings: []scan.Finding{
			{
				Check: "headers.hsts", Title: "Strict-Transport-Security missing", Severity: scan.SeverityLow,
				Confidence: scan.ConfidenceFirm, CWE: 319, OWASP: scan.OWASPSecurityMisconfig,
				Description: "Browsers may reach the site over plain HTTP.", Fix: "Send Strict-Transport-Security: max-age=31536000.",
				URLs: manyURLs,
			},
			{
				Check: "xss.reflected", Title: "Reflected cross-site scripting", Severity: scan.SeverityHigh,
				Confidence: scan.ConfidenceConfirmed, CWE: 79, OWASP: scan.OWASPInjection, Parameter: "query:q",
				Description: "The q parameter lands in the page as markup.\nAn attacker's link runs script in the victim's session.",
				Fix:         "Encode output for its HTML context; add a strict CSP.",
				URLs:        []string{"https://shop.example/search?q=x"},
				Evidence: scan.Evidence{
					Request:  "GET /search?q=" + hostile + " HTTP/1.1\nAuthorization: " + secret,
					Response: "HTTP/1.1 200 OK\n\n<p>" + hostile + "</p>",
					Detail:   "the payload landed as an element <script> in the parsed body",
				},
				References: []string{"https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html", "https://cwe.mitre.org/data/definitions/79.html"},
			},
			{
				Check: "sqli.error", Title: "SQL injection (error-based)", Severity: scan.SeverityCritical,
				Confidence: scan.ConfidenceFirm, CWE: 89, OWASP: scan.OWASPInjection, Parameter: "form:id",
				Description: "A quote in id makes the DBMS report a syntax error.", Fix: "Use parameterised queries.",
				URLs:     []string{"https://shop.example/item"},
				Evidence: scan.Evidence{Detail: "MySQL error signature after id=1'", Response: "You have an error in your SQL syntax"},
			},
			{
				Check: "info.banner", Title: "Server version banner " + hostile, Severity: scan.SeverityInfo,
				Confidence: scan.ConfidenceTentative, OWASP: scan.OWASPSecurityMisconfig,
				Description: "The Server header names the version.", Fix: "Remove the version.",
				URLs: []string{"https://shop.example/?session=" + secret},
			},
			{
				Check: "cookies.flags", Title: "Cookie without Secure", Severity: scan.SeverityMedium,
				Confidence: scan.ConfidenceFirm, CWE: 614, OWASP: scan.OWASPSecurityMisconfig, Parameter: "cookie:sid",
				Description: "The cookie can travel over HTTP.", Fix: "Set Secure.",
				URLs: []string{"https://shop.example/login"},
			},
		},
		TLS: &scan.TLSResult{
			Host: "shop.example:443", Grade: "B", Reasons: []string{"TLS 1.0 is offered (caps the grade at B)"},
			Protocols: map[string]bool{"TLS 1.3": true, "TLS 1.2": true, "TLS 1.1": false, "TLS 1.0": true, "SSL 3.0": false, "SSL 2.0": false},
			Ciphers:   map[string][]string{"TLS 1.2": {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, "TLS 1.0": {"TLS_RSA_WITH_AES_128_CBC_SHA"}},
			Certificate: &scan.CertInfo{
				Subject: "CN=shop.example", Issuer: "CN=Example CA", DNSNames: []string{"shop.example"},
				NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(0, 2, 0), KeyType: "RSA", KeyBits: 2048,
				Signature: "SHA256-RSA", Trusted: true, ChainLength: 2, ChainInOrder: true,
			},
			HSTS: "max-age=300",
		},
	}
}

func sampleOptions() Options {
	return Options{Redact: scan.NewRedactor(scan.Config{Secrets: []string{secret}}).String, FailOn: scan.SeverityHigh}
}

func write(tb testing.TB, f Format, r *scan.Report, opts Options) string {
	tb.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, r, opts); err != nil {
		tb.Fatalf("Write(%s) = %v", f, err)
	}
	return b.String()
}

// TestRedactEveryFormat: a secret anywhere in the report is in no format.
func TestRedactEveryFormat(t *testing.T) {
	r := sampleReport()
	r.Target = "https://shop.example/?t=" + secret
	r.TLS.Reasons = append(r.TLS.Reasons, secret)
	r.Findings[0].Fix += secret
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			out := write(t, f, r, sampleOptions())
			for _, form := range []string{secret, "tok-9f8e7d6c5b4a", "tok-9f8e7d6c5b4a"} {
				if strings.Contains(out, form) {
					t.Errorf("%s output contains the secret %q", f, form)
				}
			}
			if !strings.Contains(out, redactedMark) {
				t.Errorf("%s output has no %s mark", f, redactedMark)
			}
		})
	}
	if !strings.Contains(r.Notes[1], secret) {
		t.Errorf("writers changed the caller's report: notes %q", r.Notes)
	}
}

// TestRedactorNotApplied: without a redactor the writers print what they
// are given (the redaction above is the redactor's, not an accident).
func TestRedactorNotApplied(t *testing.T) {
	out := write(t, FormatJSON, sampleReport(), Options{})
	if !strings.Contains(out, "tok-9f8e7d6c5b4a") {
		t.Errorf("JSON without a redactor lost the text")
	}
}

func TestTextGolden(t *testing.T) {
	out := write(t, FormatText, sampleReport(), sampleOptions())
	golden := filepath.Join("testdata", "text.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/scan/report -run TestTextGolden -update)", err)
	}
	if out != string(want) {
		t.Errorf("Text output differs from %s (go test -update rewrites it):\n%s", golden, out)
	}
}

func TestText(t *testing.T) {
	out := write(t, FormatText, sampleReport(), sampleOptions())
	// Grouped by severity, most severe first.
	var last int
	for _, h := range []string{"\nCRITICAL (1)\n", "\nHIGH (1)\n", "\nMEDIUM (1)\n", "\nLOW (1)\n", "\nINFO (1)\n"} {
		i := strings.Index(out, h)
		if i < 0 || i < last {
			t.Fatalf("Text: heading %q missing or out of order:\n%s", h, out)
		}
		last = i
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if got, want := lines[len(lines)-1], "5 findings: 1 critical, 1 high, 1 medium, 1 low, 1 info. 2 at or above high."; got != want {
		t.Errorf("Text summary line = %q, want %q", got, want)
	}
	if strings.ContainsAny(out, "\x1b\x00\r") {
		t.Errorf("Text output has control characters: %q", out)
	}
	if !strings.Contains(out, "... and 10 more URLs") {
		t.Errorf("Text did not fold the URLs past %d", textMaxURLs)
	}
	empty := write(t, FormatText, &scan.Report{Target: "http://x.test/"}, Options{})
	if !strings.Contains(empty, "No findings.") || !strings.HasSuffix(empty, "0 findings.\n") {
		t.Errorf("Text of an empty report =\n%s", empty)
	}
}

func TestJSON(t *testing.T) {
	r := sampleReport()
	out := write(t, FormatJSON, r, Options{})
	var got scan.Report
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("JSON output does not decode: %v", err)
	}
	if len(got.Findings) != len(r.Findings) || got.Target != r.Target || got.TLS.Grade != "B" || !got.Started.Equal(t0) {
		t.Errorf("JSON round trip lost data: %+v", got)
	}
	if got.Findings[0].Severity != scan.SeverityCritical {
		t.Errorf("JSON findings not sorted: first is %s", got.Findings[0].Severity)
	}
	// Field names are an interface: tools read them.
	var raw map[string]any
	_ = json.Unmarshal([]byte(out), &raw)
	for _, k := range []string{"target", "started", "finished", "tool", "version", "findings", "stats", "notes", "tls"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON has no %q field", k)
		}
	}
	f0 := raw["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"check", "title", "severity", "confidence", "cwe", "owasp", "description", "fix", "urls", "evidence"} {
		if _, ok := f0[k]; !ok {
			t.Errorf("JSON finding has no %q field", k)
		}
	}
	if f0["severity"] != "critical" {
		t.Errorf("JSON severity = %v, want \"critical\"", f0["severity"])
	}
	empty := write(t, FormatJSON, &scan.Report{Target: "http://x.test/"}, Options{})
	if !strings.Contains(empty, `"findings": []`) {
		t.Errorf("JSON of an empty report has no empty findings array:\n%s", empty)
	}
}

func TestSARIF(t *testing.T) {
	r := sampleReport()
	out := write(t, FormatSARIF, r, sampleOptions())
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID                   string            `json:"id"`
						ShortDescription     map[string]string `json:"shortDescription"`
						FullDescription      map[string]string `json:"fullDescription"`
						Help                 map[string]string `json:"help"`
						DefaultConfiguration map[string]string `json:"defaultConfiguration"`
						Properties           struct {
							Tags             []string `json:"tags"`
							SecuritySeverity string   `json:"security-severity"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("SARIF version %q with %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "rampart" || len(run.Tool.Driver.Rules) != 5 || len(run.Results) != 5 {
		t.Fatalf("SARIF driver %q with %d rules, %d results; want rampart, 5, 5", run.Tool.Driver.Name, len(run.Tool.Driver.Rules), len(run.Results))
	}
	byCheck := map[string]scan.Finding{}
	for _, f := range r.Findings {
		byCheck[f.Check] = f
	}
	wantLevel := map[string]string{"sqli.error": "error", "xss.reflected": "error", "cookies.flags": "warning", "headers.hsts": "note", "info.banner": "note"}
	wantScore := map[string]string{"sqli.error": "9.5", "xss.reflected": "8.0", "cookies.flags": "5.5", "headers.hsts": "3.0", "info.banner": "0.0"}
	for _, res := range run.Results {
		f := byCheck[res.RuleID]
		rule := run.Tool.Driver.Rules[res.RuleIndex]
		if rule.ID != res.RuleID {
			t.Errorf("result %s points at rule %d, %s", res.RuleID, res.RuleIndex, rule.ID)
		}
		if res.Level != wantLevel[res.RuleID] || rule.DefaultConfiguration["level"] != wantLevel[res.RuleID] {
			t.Errorf("%s: level %q, rule level %q, want %q", res.RuleID, res.Level, rule.DefaultConfiguration["level"], wantLevel[res.RuleID])
		}
		if rule.Properties.SecuritySeverity != wantScore[res.RuleID] {
			t.Errorf("%s: security-severity %q, want %q", res.RuleID, rule.Properties.SecuritySeverity, wantScore[res.RuleID])
		}
		if got := res.PartialFingerprints[sarifFingerprint]; got != f.Key() {
			t.Errorf("%s: fingerprint %q, want Key() %q", res.RuleID, got, f.Key())
		}
		if len(res.Locations) != len(f.URLs) {
			t.Errorf("%s: %d locations for %d URLs", res.RuleID, len(res.Locations), len(f.URLs))
		}
		if f.CWE != 0 && !strings.Contains(strings.Join(rule.Properties.Tags, " "), "CWE-") {
			t.Errorf("%s: tags %q have no CWE", res.RuleID, rule.Properties.Tags)
		}
		if rule.ShortDescription["text"] == "" || rule.FullDescription["text"] == "" || rule.Help["text"] != f.Fix {
			t.Errorf("%s: rule texts short %q full %q help %q", res.RuleID, rule.ShortDescription["text"], rule.FullDescription["text"], rule.Help["text"])
		}
	}
	if got := run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "https://shop.example/item" {
		t.Errorf("first result's location = %q, want the critical finding's URL", got)
	}
}

func TestHTMLEscapes(t *testing.T) {
	out := write(t, FormatHTML, sampleReport(), sampleOptions())
	for _, bad := range []string{"<script", "<img", "]]><!--", "\x1b", "\x00"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML output contains %q unescaped", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("HTML output does not show the hostile evidence escaped")
	}
	// Self-contained: nothing loads from elsewhere.
	if m := regexp.MustCompile(`(?i)<(link|img|script|iframe|object|embed|base)\b|<[^>]*\ssrc=|@import|url\(`).FindString(out); m != "" {
		t.Errorf("HTML output loads a resource: %q", m)
	}
	// The style sheet matches the hash the CSP allows.
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(out)
	if m == nil || m[1] != htmlCSS {
		t.Fatalf("HTML <style> is not the style sheet as it is")
	}
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindStringSubmatch(out)
	if csp == nil || html.UnescapeString(csp[1]) != htmlCSP {
		t.Errorf("HTML CSP meta = %q, want %q", csp, htmlCSP)
	}
	for _, want := range []string{
		`href="https://cwe.mitre.org/data/definitions/79.html"`,
		`href="https://owasp.org/Top10/A03_2021-Injection/"`,
		`<details><summary>Evidence</summary>`,
		`<details><summary>5 more URLs</summary>`,
		`class="grade grade-b"`,
		`id="f-` + sampleReport().Findings[1].Key() + `"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML output has no %s", want)
		}
	}
	// Findings are in order: critical first.
	if i, j := strings.Index(out, "SQL injection (error-based)"), strings.Index(out, "Reflected cross-site scripting"); i < 0 || j < i {
		t.Errorf("HTML findings not sorted by severity")
	}
}

func TestHTMLHostileReference(t *testing.T) {
	r := &scan.Report{Target: "http://x.test/", Findings: []scan.Finding{{
		Check: "x", Title: "t", References: []string{"javascript:alert(1)"}, URLs: []string{"javascript:alert(2)"},
	}}}
	out := write(t, FormatHTML, r, Options{})
	if strings.Contains(out, `href="javascript:`) {
		t.Errorf("HTML links a javascript: URL")
	}
}

func TestJUnit(t *testing.T) {
	r := sampleReport()
	out := write(t, FormatJUnit, r, sampleOptions())
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct{} `xml:"skipped"`
				Out     string    `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("JUnit output is not XML: %v\n%s", err, out)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("JUnit has %d suites, want 1", len(doc.Suites))
	}
	// At --fail-on high: the critical and high findings fail, three skip,
	// and the "scan ran" case passes.
	if doc.Tests != 6 || doc.Failures != 2 || doc.Skipped != 3 {
		t.Errorf("JUnit tests=%d failures=%d skipped=%d, want 6, 2, 3", doc.Tests, doc.Failures, doc.Skipped)
	}
	var sawHostile bool
	for _, c := range doc.Suites[0].Cases {
		if !strings.HasPrefix(c.Classname, "rampart.scan") {
			t.Errorf("JUnit case %q has class %q", c.Name, c.Classname)
		}
		if c.Failure != nil && strings.Contains(c.Failure.Text, `<script>alert("x")</script>]]>`) {
			sawHostile = true
		}
	}
	if !sawHostile {
		t.Errorf("JUnit failure text lost the hostile evidence (escaping must keep it as text)")
	}
	if strings.Contains(out, "<script>") {
		t.Errorf("JUnit output has raw markup from evidence")
	}

	all := write(t, FormatJUnit, r, Options{})
	if !strings.Contains(all, `failures="5"`) {
		t.Errorf("JUnit with FailOn info does not fail every finding")
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	r := sampleReport()
	b := NewBaseline(r.Findings[:2], Baseline{{Key: r.Findings[1].Key(), Reason: "accepted: test page"}, {Key: "0000000000000000", Reason: "gone"}})
	var buf bytes.Buffer
	if err := WriteBaseline(&buf, b, sampleOptions()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), secret) {
		t.Errorf("baseline file has the secret")
	}
	got, err := ReadBaseline(&buf)
	if err != nil {
		t.Fatalf("ReadBaseline(written) = %v", err)
	}
	if len(got) != 2 || got[1].Reason != "accepted: test page" || got[0].Check != "headers.hsts" {
		t.Errorf("baseline round trip = %+v", got)
	}
	kept, suppressed := got.Apply(r.Findings)
	if len(kept) != 3 || len(suppressed) != 2 {
		t.Errorf("Apply kept %d, suppressed %d; want 3, 2", len(kept), len(suppressed))
	}
	for _, f := range kept {
		if f.Check == "headers.hsts" || f.Check == "xss.reflected" {
			t.Errorf("Apply kept baselined %s", f.Check)
		}
	}
}

func TestReadBaselineErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not an array", `{"key":"x"}`, "JSON array"},
		{"no key", `[{"check":"xss.reflected","url":"http://x/"}]`, "entry 0 (xss.reflected http://x/): no key"},
		{"unknown field", `[{"key":"ab","kye":"x"}]`, "unknown field"},
		{"empty file", ``, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadBaseline(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadBaseline(%q) = %v, want an error with %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestOWASPURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{scan.OWASPInjection, "https://owasp.org/Top10/A03_2021-Injection/"},
		{scan.OWASPSecurityMisconfig, "https://owasp.org/Top10/A05_2021-Security_Misconfiguration/"},
		{scan.OWASPServerSideRequestForgery, "https://owasp.org/Top10/A10_2021-Server-Side_Request_Forgery_%28SSRF%29/"},
		{"something else", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := owaspURL(tt.in); got != tt.want {
			t.Errorf("owaspURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(strings.ToUpper(string(f))); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", strings.ToUpper(string(f)), got, err)
		}
	}
	if _, err := ParseFormat("pdf"); err == nil || !strings.Contains(err.Error(), "text, json, sarif, html, junit") {
		t.Errorf("ParseFormat(pdf) = %v, want the list of formats", err)
	}
}

var htmlTagRE = regexp.MustCompile(`</?([a-zA-Z0-9!]+)`)

// templateTags are the tag names the HTML template writes.
var templateTags = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range htmlTagRE.FindAllStringSubmatch(htmlTemplate, -1) {
		m[strings.ToLower(t[1])] = true
	}
	return m
}()

// FuzzWriters: whatever a hostile site puts in a finding, the JSON and
// SARIF stay valid JSON, the JUnit valid XML, and the HTML has no markup
// of its making.
func FuzzWriters(f *testing.F) {
	f.Add(hostile, "https://x.test/?q=<svg/onload=1>", "form:a")
	f.Add("]]>\x00\x01\ufffe", "javascript:alert(1)", "")
	f.Add("{{.}}", "", "</details></pre>")
	f.Fuzz(func(t *testing.T, text, u, param string) {
		if len(text)+len(u)+len(param) > 4096 {
			return
		}
		r := &scan.Report{Target: u, Notes: []string{text}, Findings: []scan.Finding{{
			Check: "x.y", Title: text, Parameter: param, URLs: []string{u, text},
			Description: text, Fix: text, Evidence: scan.Evidence{Request: text, Response: text, Detail: text},
			References: []string{u},
		}}}
		for _, format := range []Format{FormatJSON, FormatSARIF} {
			if out := write(t, format, r, Options{}); !json.Valid([]byte(out)) {
				t.Fatalf("%s output is not JSON:\n%s", format, out)
			}
		}
		dec := xml.NewDecoder(strings.NewReader(write(t, FormatJUnit, r, Options{})))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("JUnit output is not XML: %v", err)
			}
		}
		// Every '<' in the HTML opens a tag of the template: text from the
		// finding is all escaped.
		out := write(t, FormatHTML, r, Options{})
		for _, m := range htmlTagRE.FindAllStringSubmatch(out, -1) {
			if !templateTags[strings.ToLower(m[1])] {
				t.Fatalf("HTML output has a tag %q the template does not", m[0])
			}
		}
		if strings.Count(out, "<") != len(htmlTagRE.FindAllString(out, -1)) {
			t.Fatalf("HTML output has a '<' that opens no tag of the template")
		}
	})
}
