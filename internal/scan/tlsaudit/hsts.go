package tlsaudit

import (
	"strconv"
	"strings"
)

// hstsMinAge is the max-age below which HSTS counts as weak, and the one
// A+ needs: 180 days, as SSL Labs asks.
const hstsMinAge = 180 * 24 * 60 * 60

// hstsResult is the Strict-Transport-Security header of the answer to
// GET /.
type hstsResult struct {
	// checked: an HTTP answer was read (status says which).
	checked bool
	status  string
	// value is the first header (RFC 6797, 8.1: a browser heeds only
	// that one); "" when there was none.
	value string
	// maxAge is the max-age directive in seconds, -1 when the header is
	// missing or has no valid max-age.
	maxAge            int64
	includeSubDomains bool
	preload           bool
	// err says why no answer was read.
	err error
}

// parseHSTS reads the Strict-Transport-Security headers of an answer
// (RFC 6797, 6.1): directives separated by ";", names in any case,
// max-age's value maybe quoted; a header with a repeated directive or no
// valid max-age is invalid as a whole.
func parseHSTS(status string, values []string) hstsResult {
	h := hstsResult{checked: true, status: status, maxAge: -1}
	if len(values) == 0 {
		return h
	}
	h.value = values[0]
	seen := map[string]bool{}
	maxAge := int64(-1)
	var sub, preload bool
	for d := range strings.SplitSeq(h.value, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if seen[name] {
			return h // repeated directive: the header is invalid
		}
		seen[name] = true
		switch name {
		case "max-age":
			val = strings.Trim(strings.TrimSpace(val), `"`)
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n < 0 {
				return h
			}
			maxAge = n
		case "includesubdomains":
			sub = true
		case "preload":
			preload = true
		}
	}
	if maxAge < 0 {
		return h // max-age is required
	}
	h.maxAge, h.includeSubDomains, h.preload = maxAge, sub, preload
	return h
}
