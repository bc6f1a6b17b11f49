// Package requestid is the request-ID stage: it accepts a well-formed
// incoming ID from a trusted proxy or makes a new one, passes it upstream in
// the configured header, returns it to the client, and records it in the
// request's *request.Info for every log line and event.
//
// Run it after the client-IP stage, which decides whether the peer is a
// trusted proxy. A Stage is immutable and safe for concurrent use.
package requestid

import (
	"net/http"

	"rampart/internal/request"
)

// DefaultHeader is the header carrying request IDs.
const DefaultHeader = "X-Request-Id"

// Stage assigns request IDs.
type Stage struct {
	header string
}

// New returns a Stage using header (DefaultHeader if empty).
func New(header string) *Stage {
	if header == "" {
		header = DefaultHeader
	}
	return &Stage{header: http.CanonicalHeaderKey(header)}
}

// Header returns the canonical header name.
func (s *Stage) Header() string { return s.header }

// Handler wraps next with the stage.
func (s *Stage) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, r := request.Get(r)
		s.Assign(info, w, r)
		next.ServeHTTP(w, r)
	})
}

// Assign picks the ID for r, stores it in info and sets it on the request
// (for the upstream) and on the response.
func (s *Stage) Assign(info *request.Info, w http.ResponseWriter, r *http.Request) {
	id := ""
	if info.TrustedPeer {
		if v := r.Header[s.header]; len(v) == 1 && request.ValidID(v[0]) {
			id = v[0]
		}
	}
	if id == "" {
		id = request.NewID()
	}
	info.ID = id
	vals := []string{id, id}
	r.Header[s.header] = vals[0:1:1]
	w.Header()[s.header] = vals[1:2:2]
	if s.header != "X-Request-Id" {
		// The client always finds the ID under the standard name too, and
		// the upstream never sees a client-chosen one under that name.
		w.Header()["X-Request-Id"] = vals[1:2:2]
		delete(r.Header, "X-Request-Id")
	}
}
