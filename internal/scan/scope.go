package scan

import (
	"net"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// scope says which URLs a scan may request: the target's scheme, host and
// port, narrowed by the Include and Exclude patterns.
type scope struct {
	scheme, host string // host with its port, lowercase
	include      []*regexp.Regexp
	exclude      []*regexp.Regexp
}

func newScope(target *url.URL, include, exclude []*regexp.Regexp) *scope {
	return &scope{scheme: target.Scheme, host: hostPort(target), include: include, exclude: exclude}
}

// contains says u may be requested.
func (s *scope) contains(u *url.URL) bool {
	if u == nil || u.Scheme != s.scheme || hostPort(u) != s.host {
		return false
	}
	n := normalize(u)
	if n == nil {
		return false
	}
	full := n.String()
	if len(s.include) > 0 {
		ok := false
		for _, re := range s.include {
			if re.MatchString(full) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, re := range s.exclude {
		if re.MatchString(full) {
			return false
		}
	}
	return true
}

// hostPort is u's host and port, lowercase, with the scheme's default
// port made explicit.
func hostPort(u *url.URL) string {
	h := strings.ToLower(u.Hostname())
	p := u.Port()
	if p == "" {
		switch u.Scheme {
		case "https":
			p = "443"
		default:
			p = "80"
		}
	}
	return net.JoinHostPort(h, p)
}

// maxURLLen bounds the URLs the crawler keeps; longer ones are traps or
// garbage.
const maxURLLen = 2048

// resolve turns ref, found on a page at base, into an absolute http(s)
// URL without fragment, with scheme and host in lowercase, the default
// port dropped and the path cleaned of dot segments. It returns nil for
// anything else (mailto:, javascript:, data:, garbage).
func resolve(base *url.URL, ref string) *url.URL {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > maxURLLen || strings.HasPrefix(ref, "#") {
		return nil
	}
	r, err := url.Parse(ref)
	if err != nil {
		return nil
	}
	var u *url.URL
	if base != nil {
		u = base.ResolveReference(r)
	} else {
		u = r
	}
	return normalize(u)
}

// normalize returns a cleaned copy of u, or nil when u is not an
// absolute http(s) URL.
func normalize(in *url.URL) *url.URL {
	u := *in
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil
	}
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return nil
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	} else if strings.Contains(u.Path, "/.") {
		trail := strings.HasSuffix(u.Path, "/")
		p := path.Clean(u.Path)
		if trail && p != "/" {
			p += "/"
		}
		u.Path, u.RawPath = p, ""
	}
	u.ForceQuery = false
	if len(u.String()) > maxURLLen {
		return nil
	}
	return &u
}

// reSignOut matches URL paths and queries, and link texts, of links that
// would end the scanner's session.
var reSignOut = regexp.MustCompile(`(?i)(?:^|[^a-z])(?:log[-_ ]?out|log[-_ ]?off|sign[-_ ]?out|sign[-_ ]?off|exit|quit|abmelden|ausloggen|abmeldung|d[eé]connexion|se d[eé]connecter|disconnect|end[-_ ]?session|kill[-_ ]?session|destroy[-_ ]?session|session[-_ /]?(?:end|close|destroy|kill)|cerrar[-_ ]sesi[oó]n|uitloggen|afmelden|esci|disconnetti|wyloguj|sair)(?:[^a-z]|$)`)

// isSignOut says following u (with link text text) would likely sign the
// scanner out.
func isSignOut(u *url.URL, text string) bool {
	if u != nil {
		if reSignOut.MatchString(u.Path) || (u.RawQuery != "" && reSignOut.MatchString(u.RawQuery)) {
			return true
		}
	}
	return text != "" && len(text) < 200 && reSignOut.MatchString(text)
}

// skipExt are file types the crawler does not fetch: nothing in them for
// the checks, and they are large.
var skipExt = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".bmp": true, ".ico": true, ".svgz": true, ".tif": true, ".tiff": true, ".avif": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true,
	".mp3": true, ".mp4": true, ".m4a": true, ".m4v": true, ".webm": true, ".ogg": true, ".ogv": true, ".wav": true, ".avi": true, ".mov": true, ".mkv": true, ".flac": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true, ".rar": true, ".tar": true,
	".pdf": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".odt": true,
	".exe": true, ".dmg": true, ".iso": true, ".msi": true, ".deb": true, ".rpm": true, ".apk": true, ".bin": true,
}

// skipFetch says the crawler should not fetch u for its file type.
func skipFetch(u *url.URL) bool {
	return skipExt[strings.ToLower(path.Ext(u.Path))]
}
