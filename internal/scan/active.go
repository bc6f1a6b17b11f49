package scan

// activeChecks are the checks that send payloads (phaseActive). They run
// only when Config.Active is not ActiveOff: their page functions on
// every crawled response, their site functions once after the crawl,
// with the inventory complete (Scanner.Pages, Scanner.Requests) and the
// scan's client (s.client.do: rate limit, concurrency bound, configured
// headers and cookies, no redirects followed). Findings go through
// s.report, which redacts and deduplicates them.
//
// The checks themselves are in package active; active_run.go runs them.
// The DOM check (dom.go) runs only when Config.Browser asks for it.
func activeChecks() []check {
	return []check{
		{name: "active", phase: phaseActive, site: activeSite},
		{name: "jwt", phase: phaseActive, site: jwtSite},
		{name: "dom", phase: phaseActive, site: domSite},
		// Last: its sign-ins must not come before the other checks.
		{name: "creds", phase: phaseActive, site: credsSite},
	}
}
