// Package report writes a scan.Report in the formats people and CI tools
// read: Text for a terminal or a log, JSON (the Report itself), SARIF 2.1.0
// for code-scanning dashboards, HTML (one self-contained file, no scripts,
// nothing loaded from elsewhere) and JUnit XML for test dashboards. It also
// reads and writes baseline files, which suppress accepted findings.
//
// Every writer works on a copy of the report with Options.Redact applied to
// every string in it, so a secret the scanner was given (a header or cookie
// value, a password) is not printed even if it reached a finding. Writers
// sort the findings (scan.SortFindings) and do not change the report they
// are given.
//
// The writers do not crawl, check or decide exit codes; they only write.
// They are safe for concurrent use on one report.
package report
