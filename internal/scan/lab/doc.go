// Package lab is a deliberately vulnerable web shop that DAST scanners
// are measured against: rampart scan in an always-run test, and, side by
// side, Wapiti, sqlmap and testssl.sh in a gated one (compare_test.go,
// RAMPART_SCAN_COMPARE=1).
//
// WARNING: THIS APPLICATION IS INTENTIONALLY VULNERABLE. Serve it on
// loopback, in tests, and nowhere else.
//
// The shop ("Harbour Goods") is a small mixed site a crawler has to
// discover through links and forms: server-rendered pages with query
// parameters and GET and POST forms, and a JSON API that a page calls
// from an inline script. Its flaws are those of a naive application, not
// of a test fixture tuned to one scanner:
//
//   - SQL injection on a real SQLite database (a numeric id, a quoted
//     LIKE search, a JSON API's category), database errors shown as they
//     come;
//   - reflected cross-site scripting in HTML text and in an attribute,
//     and stored cross-site scripting in a guestbook;
//   - OS command injection in a ping tool, through an emulated shell
//     (shell.go): no real shell or program ever runs;
//   - path traversal in a document viewer that reads an in-memory fake
//     file system (fakefs.go), /etc/passwd included;
//   - an open redirect, a template injection in a greeting preview
//     (template.go), a CRLF injection into Set-Cookie;
//   - /.git/HEAD and /.env served from the web root, a session cookie
//     without flags and no security headers.
//
// Every flawed endpoint has a fixed twin of the same shape under /safe/
// (parameterized queries, escaped output, an allowlisted redirect, no
// shell), which a good scanner must not report, and unknown paths get a
// 200 "not found" page (a soft 404). Truth lists the flaws and Fixed the
// twins.
//
// A *Lab is safe for concurrent use. Each Lab has its own database, so
// what one scan stores in the guestbook is not seen by the next.
package lab
