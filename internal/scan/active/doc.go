// Package active holds the scanner's active checks: each sends payloads
// into one insertion point of a request (a query or form parameter, a JSON
// field, a path segment, a header, a cookie) and reports a flaw only after
// confirming it — the payload parsed as markup, a DBMS error that the
// control request does not show, a response difference that a control
// pair reproduces, a delay repeated and measured against the baseline, an
// arithmetic result that came back.
//
// The package knows nothing of crawling or reports: the scanner gives it
// Points and a Sender (its rate-limited client) and turns each Result
// into a finding. That keeps every check testable against a single
// httptest handler: a vulnerable fixture it must find and a fixed twin it
// must not.
package active
