package extract

import (
	"net/http"
	"slices"
	"strings"

	"rampart/internal/waf/detect"
)

// headers adds the values of the headers cfg selects, in the order of
// their names, so targets come out the same way every time.
func (x *extractor) headers(r *http.Request) {
	var buf [32]string
	keys := buf[:0]
	for k := range r.Header {
		if x.wantHeader(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if x.full() {
			return
		}
		loc := x.lowerLoc("header", k)
		name := loc[len("header:"):]
		for _, v := range r.Header[k] {
			if v != "" {
				x.add(detect.KindHeader, name, loc, v)
			}
		}
	}
	if r.Host != "" && (x.cfg.AllHeaders || x.configured("Host")) {
		x.add(detect.KindHeader, "host", "header:host", r.Host)
	}
}

// wantHeader reports whether the header with key k is inspected.
func (x *extractor) wantHeader(k string) bool {
	k = http.CanonicalHeaderKey(k) // k itself when it is canonical, as servers make it
	switch k {
	case "User-Agent", "Referer":
		return true
	case "Cookie":
		return false // parsed into cookies
	case "Forwarded", "X-Real-Ip":
		if !x.cfg.TrustedPeer {
			return true
		}
	default:
		if strings.HasPrefix(k, "X-Forwarded-") && !x.cfg.TrustedPeer {
			return true
		}
	}
	if x.cfg.AllHeaders && !mechanical(k) {
		return true
	}
	return x.configured(k)
}

// configured reports whether Config.Headers names k.
func (x *extractor) configured(k string) bool {
	for _, h := range x.cfg.Headers {
		if strings.EqualFold(h, k) {
			return true
		}
	}
	return false
}

// mechanical reports whether the header with canonical key k carries only
// protocol mechanics (framing, caching, fetch metadata) or credentials,
// which AllHeaders leaves out: their syntax is fixed by the server or the
// browser, and credentials must not end up in events.
func mechanical(k string) bool {
	switch k {
	case "Authorization", "Proxy-Authorization", "Connection", "Keep-Alive", "Te", "Trailer",
		"Transfer-Encoding", "Upgrade", "Content-Length", "Accept-Encoding", "Cache-Control",
		"Pragma", "If-Modified-Since", "If-Unmodified-Since", "If-None-Match", "If-Match",
		"Upgrade-Insecure-Requests", "Dnt", "Priority", "Sec-Websocket-Key", "Sec-Websocket-Version",
		"Sec-Websocket-Accept", "Sec-Websocket-Extensions":
		return true
	}
	return strings.HasPrefix(k, "Sec-Fetch-") || strings.HasPrefix(k, "Sec-Ch-")
}

// lowerLoc returns prefix+":"+lower-case name as a string owned by the
// extraction.
func (x *extractor) lowerLoc(prefix, name string) string {
	if len(name) > maxLoc {
		name = name[:maxLoc]
	}
	start := x.sb.Len()
	x.sb.WriteString(prefix)
	x.sb.WriteByte(':')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		x.sb.WriteByte(c)
	}
	return x.sb.String()[start:]
}
