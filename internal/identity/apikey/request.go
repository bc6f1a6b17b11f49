package apikey

import (
	"net/http"
	"strings"
)

// FromRequest returns the API key a request presents, if any, without
// checking it (Validate does):
//
//   - "Authorization: Bearer rk_…" (the scheme in any case, RFC 9110
//     section 11.1). A bearer token without the "rk_" prefix is not taken:
//     it may be a JWT for another part of the identity stage.
//   - otherwise the header named header (for example "X-API-Key"), if
//     header is not "", whatever its value: a client that sends the header
//     means it as a key, so a malformed one should fail, not be ignored.
//
// Only the first value of each header counts.
func FromRequest(r *http.Request, header string) (string, bool) {
	if v := r.Header.Get("Authorization"); v != "" {
		scheme, token, ok := strings.Cut(v, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			if token = strings.TrimSpace(token); strings.HasPrefix(token, Prefix) {
				return token, true
			}
		}
	}
	if header == "" || http.CanonicalHeaderKey(header) == "Authorization" {
		return "", false
	}
	if v := strings.TrimSpace(r.Header.Get(header)); v != "" {
		return v, true
	}
	return "", false
}
