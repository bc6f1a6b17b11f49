// Package scan is rampart's DAST scanner and TLS auditor (rampart scan):
// it crawls a site within a scope, runs passive checks on every response
// and, when asked, active checks at every insertion point, and reports
// deduplicated findings in the formats CI tools read.
//
// This file set holds the model every part shares: a Finding (severity,
// confidence, CWE, OWASP Top 10 category, redacted evidence, how to fix
// it), the Set that deduplicates findings, the Report a scan produces, and
// the Config a scan runs with. The crawler and checks (crawl*.go,
// passive*.go, active*.go), the TLS audit (scan/tlsaudit) and the report
// writers (scan/report) build on it.
//
// Requests come from the crawl (links, forms, sitemaps, URLs in scripts),
// from API descriptions (openapi.go), from GraphQL schemas (graphql.go)
// and, with Config.Browser, from what pages do in headless Chromium
// (browser.go). The injection checks themselves are in scan/active;
// active_run.go runs them over every insertion point, jwt_active.go,
// creds.go and dom.go add the checks that need the scanner's state (its
// tokens, its sign-in forms, its browser). login.go signs in, and in
// again when the site ends the session. docs/scan.md describes every
// check and how it is confirmed.
//
// The scanner imports no gateway stage: it is a client of any web site,
// rampart's own included.
package scan
