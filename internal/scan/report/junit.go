package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"rampart/internal/scan"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit writes r as JUnit XML, the format GitLab, Jenkins and most CI
// dashboards show as tests: one test suite for the scan, one test case
// per finding (class "rampart.scan.CHECKCLASS", e.g. rampart.scan.xss),
// failed when the finding's severity is at or above opts.FailOn and
// skipped, with the reason, below it, and one passing test case that
// says the scan ran, so a clean scan is not an empty suite. The failure
// text has the URLs, description, fix and evidence.
func JUnit(w io.Writer, r *scan.Report, opts Options) error {
	r = prepare(r, opts)
	secs := "0"
	if !r.Started.IsZero() && !r.Finished.IsZero() {
		secs = fmt.Sprintf("%.3f", r.Finished.Sub(r.Started).Seconds())
	}
	suite := junitSuite{
		Name: "rampart scan " + r.Target,
		Time: secs,
		Properties: []junitProperty{
			{Name: "target", Value: r.Target},
			{Name: "tool", Value: strings.TrimSpace(r.Tool + " " + r.Version)},
			{Name: "fail_on", Value: opts.FailOn.String()},
			{Name: "requests", Value: fmt.Sprint(r.Stats.Requests)},
			{Name: "pages", Value: fmt.Sprint(r.Stats.Pages)},
		},
	}
	if !r.Started.IsZero() {
		suite.Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
	}
	if r.TLS != nil {
		suite.Properties = append(suite.Properties, junitProperty{Name: "tls_grade", Value: r.TLS.Grade})
	}
	ran := junitCase{
		Name:      "scan of " + r.Target,
		Classname: "rampart.scan",
		Time:      secs,
		SystemOut: fmt.Sprintf("%d requests, %d pages, %d errors, %d findings", r.Stats.Requests, r.Stats.Pages, r.Stats.Errors, len(r.Findings)),
	}
	suite.Cases = append(suite.Cases, ran)
	for _, f := range r.Findings {
		c := junitCase{
			Name:      junitName(f),
			Classname: "rampart.scan." + checkClass(f.Check),
			Time:      "0",
		}
		if len(f.URLs) > 0 {
			c.File = f.URLs[0]
		}
		if f.Severity >= opts.FailOn {
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("%s: %s", f.Severity, nonEmpty(f.Title, f.Check)),
				Type:    f.Check,
				Text:    junitText(f),
			}
			suite.Failures++
		} else {
			c.Skipped = &junitSkipped{Message: fmt.Sprintf("%s finding, below --fail-on %s", f.Severity, opts.FailOn)}
			c.SystemOut = junitText(f)
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	if len(r.Notes) > 0 {
		suite.SystemOut = strings.Join(r.Notes, "\n")
	}
	doc := junitSuites{
		Name: "rampart scan", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped,
		Time: secs, Suites: []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitName is what a dashboard lists: the title, the parameter and the
// first URL, enough to tell two findings of one check apart.
func junitName(f scan.Finding) string {
	name := nonEmpty(f.Title, f.Check)
	if f.Parameter != "" {
		name += " [" + f.Parameter + "]"
	}
	if len(f.URLs) > 0 {
		name += " at " + f.URLs[0]
	}
	return name
}

func junitText(f scan.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s), %s, confidence %s\n", nonEmpty(f.Title, f.Check), f.Check, f.Severity, f.Confidence)
	if f.CWE != 0 {
		fmt.Fprintf(&b, "CWE-%d %s\n", f.CWE, cweURL(f.CWE))
	}
	if f.OWASP != "" {
		fmt.Fprintf(&b, "OWASP %s\n", f.OWASP)
	}
	if f.Parameter != "" {
		fmt.Fprintf(&b, "parameter: %s\n", f.Parameter)
	}
	b.WriteString("URLs:\n")
	for _, u := range f.URLs {
		fmt.Fprintf(&b, "  %s\n", u)
	}
	if f.Description != "" {
		fmt.Fprintf(&b, "\n%s\n", f.Description)
	}
	if f.Fix != "" {
		fmt.Fprintf(&b, "\nFix: %s\n", f.Fix)
	}
	if f.Evidence.Detail != "" {
		fmt.Fprintf(&b, "\nSeen: %s\n", f.Evidence.Detail)
	}
	if f.Evidence.Request != "" {
		fmt.Fprintf(&b, "\nRequest:\n%s\n", f.Evidence.Request)
	}
	if f.Evidence.Response != "" {
		fmt.Fprintf(&b, "\nResponse:\n%s\n", f.Evidence.Response)
	}
	fmt.Fprintf(&b, "\nkey: %s\n", f.Key())
	return b.String()
}
