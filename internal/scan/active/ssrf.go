package active

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ssrfInfo describes the server-side request forgery check.
var ssrfInfo = map[string]Info{
	"ssrf": {
		Title:    "Server-side request forgery",
		Severity: "high",
		CWE:      918,
		OWASP:    "A10:2021-Server-Side Request Forgery",
		Description: "The application fetches a URL taken from the request. An attacker points it at what only the " +
			"server can reach: cloud metadata endpoints that hand out credentials (169.254.169.254), admin " +
			"interfaces and databases on the internal network, or local files through file: URLs. The scanner " +
			"confirmed it: the server requested a URL of the scanner's own listener with a marker of this " +
			"parameter, or showed a local file's content for a file: URL.",
		Fix: "Fetch only what the feature needs: map user choices to URLs kept on the server, or check the URL " +
			"against an allowlist of schemes (https) and hosts after resolving it, refuse private, loopback and " +
			"link-local addresses (and check again after redirects, or do not follow them), and send the " +
			"requests from a network segment that cannot reach internal services.",
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
			"https://owasp.org/Top10/A10_2021-Server-Side_Request_Forgery_%28SSRF%29/",
			"https://cwe.mitre.org/data/definitions/918.html",
		},
	},
}

// Callback is an out-of-band listener for checks whose proof is a request
// the target sends (SSRF): a marker's URL points at the listener, and
// Hit reports whether the target requested it.
type Callback interface {
	// URL returns a URL of the listener for marker, reachable from the
	// target.
	URL(marker string) string
	// Hit reports whether a request for marker's URL arrived from
	// anything but the scanner itself, and from where.
	Hit(marker string) (from string, ok bool)
}

// ssrfWait is how long the check waits for the target's request to the
// listener after sending a payload.
const ssrfWait = 2 * time.Second

// ssrfNameParts mark a parameter that takes a URL or a host to fetch.
var ssrfNameParts = []string{
	"url", "uri", "link", "href", "src", "source", "dest", "target", "site", "host", "domain", "feed", "rss",
	"image", "img", "avatar", "photo", "picture", "icon", "logo", "webhook", "callback", "proxy", "fetch",
	"load", "remote", "endpoint", "server", "address", "download", "import", "preview", "website",
}

// ssrfCandidate says whether a point may take a URL the server fetches:
// its name says so, or its value is a URL.
func ssrfCandidate(p Point) bool {
	switch p.Kind {
	case Query, Form, JSON:
	default:
		return false
	}
	name := strings.ToLower(p.Name)
	if i := strings.LastIndexByte(name, '.'); i >= 0 && p.Kind == JSON {
		name = name[i+1:]
	}
	for _, part := range ssrfNameParts {
		if strings.Contains(name, part) {
			return true
		}
	}
	v := strings.ToLower(strings.TrimSpace(p.Value))
	return strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http%3a") ||
		strings.HasPrefix(v, "https%3a") || strings.HasPrefix(v, "file:") || strings.HasPrefix(v, "ftp://")
}

// ssrfPasswdRE matches the root entry of /etc/passwd.
var ssrfPasswdRE = regexp.MustCompile(`root:[^:\r\n]{0,40}:0:0:`)

// SSRF looks for server-side request forgery at a point that takes a URL:
// out of band, a URL of opt.Callback with a marker the server must
// request (the hit is the proof); in band, file:///etc/passwd, whose
// content the response must show while the original response does not.
func SSRF(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	if !ssrfCandidate(p) {
		return nil, nil
	}
	if cb := opt.Callback; cb != nil {
		marker := "rmp" + opt.randWord(12)
		payload := cb.URL(marker)
		_, r, err := send(ctx, s, p, payload)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The target may fetch after it answered (a queue, a
		// background job): wait a little for the hit.
		deadline := time.Now().Add(ssrfWait)
		for {
			if from, ok := cb.Hit(marker); ok {
				return []Result{{
					Check: "ssrf", Point: p, Payload: payload, Confirmed: true,
					Detail: fmt.Sprintf("The server requested the scanner's listener at %s (from %s) after this parameter was set to it; "+
						"the marker %s in the URL ties the request to this parameter.", payload, from, marker),
					Request:  requestExcerpt(p, payload),
					Response: responseExcerpt(r, ""),
				}}, nil
			}
			if time.Now().After(deadline) {
				break
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	_, orig, err := send(ctx, s, p, p.Value)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if ssrfPasswdRE.Match(orig.Body) {
		return nil, nil // the page shows it anyway
	}
	for _, payload := range []string{"file:///etc/passwd", "file://localhost/etc/passwd"} {
		_, r, err := send(ctx, s, p, payload)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if m := ssrfPasswdRE.Find(r.Body); m != nil {
			if _, plain, err := send(ctx, s, p, "/etc/passwd"); err == nil && ssrfPasswdRE.Match(plain.Body) {
				return nil, nil // a file path does it too: the traversal check's finding
			}
			return []Result{{
				Check: "ssrf", Point: p, Payload: payload, Confirmed: true,
				Detail: fmt.Sprintf("With the file: URL %s the response shows the root entry of /etc/passwd (%q), which the original response does not: "+
					"the server fetches URLs from this parameter, local files included.", payload, m),
				Request:  requestExcerpt(p, payload),
				Response: responseExcerpt(r, string(m)),
			}}, nil
		}
	}
	return nil, nil
}
