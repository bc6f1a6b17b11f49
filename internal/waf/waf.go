// Package waf is rampart's request inspection: it extracts every value a
// request carries (path, query, headers, cookies, bodies by content type),
// decodes each in bounded layers, runs the detectors of internal/waf/detect
// on them, scores the matches against the route's paranoia level and
// threshold, and returns a Verdict. The stage in stage.go turns a verdict
// into a block (403) or a logged detection.
//
// Two engines implement Inspector: the native Engine in this package and
// Coraza with the OWASP CRS in internal/waf/crs.
package waf

import (
	"context"
	"net/http"

	"rampart/internal/waf/detect"
)

// Request is what an inspector sees of one request.
type Request struct {
	// HTTP is the request; its Body is not read by inspectors.
	HTTP *http.Request
	// Body is the buffered request body, at most the route's inspection
	// bound.
	Body []byte
	// Truncated says more body followed than Body holds.
	Truncated bool
}

// Finding is one match, located in the request.
type Finding struct {
	detect.Match
	// Location names where the value was: "query:q", "path", "header:user-agent",
	// "cookie:sid", "form:comment", "json:$.user.name", "xml:/order/item".
	Location string
	// Excerpt is a short, redacted piece of the value around the match.
	Excerpt string
}

// Verdict is the result of inspecting one request.
type Verdict struct {
	// Attack says the score reached the threshold.
	Attack bool
	// Score is the sum of the findings' scores (each rule counted once).
	Score int
	// Threshold is the score at which the request counts as an attack.
	Threshold int
	// Findings lists what was found, strongest first.
	Findings []Finding
}

// Inspector inspects requests. Implementations are immutable once built and
// safe for concurrent use.
type Inspector interface {
	Inspect(ctx context.Context, req *Request) Verdict
}
