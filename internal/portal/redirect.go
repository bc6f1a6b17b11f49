package portal

import (
	"net/url"
	"strings"
)

// defaultRedirect is where a sign-in goes when it was given no target, or
// one that is not allowed.
const defaultRedirect = "/"

// maxRedirect bounds a redirect target.
const maxRedirect = 2048

// safeRedirect returns rd if the portal may send a browser there after
// sign-in, and defaultRedirect otherwise. Allowed are
//
//   - a path on this host: starting with "/" but not "//" or "/\" (which
//     browsers read as another host), without a scheme;
//   - an absolute https:// URL without user information whose host (with
//     its port, if any) is in allowed, compared in lower case.
//
// Either must be at most maxRedirect bytes of printable ASCII without
// blanks or backslashes: browsers drop tabs and newlines from URLs and read
// a backslash as a slash, so these are where open redirects hide.
func safeRedirect(rd string, allowed map[string]bool) string {
	if rd == "" || len(rd) > maxRedirect {
		return defaultRedirect
	}
	for i := 0; i < len(rd); i++ {
		if c := rd[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return defaultRedirect
		}
	}
	u, err := url.Parse(rd)
	if err != nil || u.Opaque != "" || u.User != nil {
		return defaultRedirect
	}
	if rd[0] == '/' {
		if strings.HasPrefix(rd, "//") || u.Scheme != "" || u.Host != "" {
			return defaultRedirect
		}
		return rd
	}
	if u.Scheme != "https" || !strings.HasPrefix(rd, "https://") || u.Host == "" {
		return defaultRedirect
	}
	if !allowed[strings.ToLower(u.Host)] {
		return defaultRedirect
	}
	return rd
}

// queryEscape escapes s for a query parameter.
func queryEscape(s string) string { return url.QueryEscape(s) }
