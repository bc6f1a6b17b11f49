package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"rampart/internal/scan"
)

// textMaxURLs is how many URLs Text lists per finding before "and N more".
const textMaxURLs = 5

// textMaxEvidenceLines is how many lines of a request or response excerpt
// Text shows; the other formats carry the whole excerpt.
const textMaxEvidenceLines = 12

// Text writes r for people reading a terminal or a CI log: a header, the
// TLS audit when there is one, the findings grouped by severity (most
// severe first) with where, why and how to fix, the notes, and a summary
// line. It uses no colour or control characters.
func Text(w io.Writer, r *scan.Report, opts Options) error {
	r = prepare(r, opts)
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("rampart scan of %s\n", oneLine(r.Target))
	if !r.Started.IsZero() {
		p("started %s", r.Started.UTC().Format(time.RFC3339))
		if !r.Finished.IsZero() {
			p(", took %s", r.Finished.Sub(r.Started).Round(time.Millisecond))
		}
		p("\n")
	}
	p("%d requests, %d pages, %d errors", r.Stats.Requests, r.Stats.Pages, r.Stats.Errors)
	if r.Stats.Blocked > 0 {
		p(", %d blocked", r.Stats.Blocked)
	}
	p("\n")

	if t := r.TLS; t != nil {
		p("\nTLS %s: grade %s\n", oneLine(t.Host), oneLine(t.Grade))
		for _, reason := range t.Reasons {
			p("  - %s\n", oneLine(reason))
		}
		var on, off []string
		for _, name := range protocols(t.Protocols) {
			if t.Protocols[name] {
				on = append(on, name)
			} else {
				off = append(off, name)
			}
		}
		if len(on) > 0 {
			p("  offered: %s\n", strings.Join(on, ", "))
		}
		if len(off) > 0 {
			p("  not offered: %s\n", strings.Join(off, ", "))
		}
		if c := t.Certificate; c != nil {
			p("  certificate: %s, issued by %s, %s %d bits, valid until %s", oneLine(c.Subject), oneLine(c.Issuer),
				oneLine(c.KeyType), c.KeyBits, c.NotAfter.UTC().Format(time.DateOnly))
			if !c.Trusted {
				p(", NOT TRUSTED")
				if c.TrustError != "" {
					p(" (%s)", oneLine(c.TrustError))
				}
			}
			p("\n")
		}
	}

	n := counts(r.Findings)
	i := 0
	for _, sev := range severitiesDown {
		if n[sev] == 0 {
			continue
		}
		p("\n%s (%d)\n", strings.ToUpper(sev.String()), n[sev])
		for ; i < len(r.Findings) && r.Findings[i].Severity == sev; i++ {
			textFinding(b, r.Findings[i])
		}
	}
	if len(r.Findings) == 0 {
		p("\nNo findings.\n")
	}

	if len(r.Notes) > 0 {
		p("\nNotes:\n")
		for _, note := range r.Notes {
			p("  - %s\n", oneLine(note))
		}
	}

	p("\n%s\n", summaryLine(r.Findings, n, opts.FailOn))
	return b.Flush()
}

func textFinding(b *bufio.Writer, f scan.Finding) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("\n  [%s] %s (%s, %s)\n", f.Severity, oneLine(f.Title), oneLine(f.Check), f.Confidence)
	if f.Parameter != "" {
		p("    parameter: %s\n", oneLine(f.Parameter))
	}
	for j, u := range f.URLs {
		if j == textMaxURLs {
			p("    ... and %d more URLs\n", len(f.URLs)-textMaxURLs)
			break
		}
		p("    %s\n", oneLine(u))
	}
	var tags []string
	if f.CWE != 0 {
		tags = append(tags, fmt.Sprintf("CWE-%d", f.CWE))
	}
	if f.OWASP != "" {
		tags = append(tags, oneLine(f.OWASP))
	}
	if len(tags) > 0 {
		p("    %s\n", strings.Join(tags, " · "))
	}
	if f.Evidence.Detail != "" {
		p("    seen: %s\n", oneLine(f.Evidence.Detail))
	}
	if f.Description != "" {
		p("    %s\n", indent(f.Description, "    "))
	}
	if f.Fix != "" {
		p("    fix: %s\n", indent(f.Fix, "    "))
	}
	for _, ev := range []struct{ name, text string }{{"request", f.Evidence.Request}, {"response", f.Evidence.Response}} {
		if ev.text == "" {
			continue
		}
		p("    %s:\n", ev.name)
		lines := strings.Split(strings.TrimRight(controlFree(ev.text), "\n"), "\n")
		for j, l := range lines {
			if j == textMaxEvidenceLines {
				p("      ... (%d more lines)\n", len(lines)-textMaxEvidenceLines)
				break
			}
			p("      | %s\n", l)
		}
	}
	p("    key: %s\n", f.Key())
}

// summaryLine is the last line of the text report: the counts, and how
// many reach the fail-on threshold when it is above info.
func summaryLine(fs []scan.Finding, n [scan.SeverityCritical + 1]int, failOn scan.Severity) string {
	if len(fs) == 0 {
		return "0 findings."
	}
	var parts []string
	for _, sev := range severitiesDown {
		if n[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[sev], sev))
		}
	}
	word := "findings"
	if len(fs) == 1 {
		word = "finding"
	}
	line := fmt.Sprintf("%d %s: %s.", len(fs), word, strings.Join(parts, ", "))
	if failOn > scan.SeverityInfo {
		failing := 0
		for _, sev := range severitiesDown {
			if sev >= failOn {
				failing += n[sev]
			}
		}
		line += fmt.Sprintf(" %d at or above %s.", failing, failOn)
	}
	return line
}

// oneLine keeps s on one line of the report: a hostile URL or title
// cannot start a line that looks like another finding, nor move the
// cursor of the terminal that shows it.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if isControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// indent keeps each line of a multi-line text indented under its field.
func indent(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(controlFree(s), "\n"), "\n", "\n"+prefix)
}

// controlFree removes terminal control characters but keeps newlines and
// tabs.
func controlFree(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r == '\r' {
			return -1
		}
		if isControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
