package scan

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"rampart/internal/scan/active"
)

// maxJWTPages bounds the pages the token forgery check tries for one
// token: it needs one whose answer depends on the token.
const maxJWTPages = 10

// jwtSite runs the token forgery check (active.JWTForgery) for each
// JSON Web Token the scan sends: in the Authorization header it was
// given, in a cookie it was given or the site set. Tokens the site
// handed out in a response body are tried as a bearer token. Each is
// tried on the start page and the crawled pages until one answers
// differently without the token.
func jwtSite(ctx context.Context, s *Scanner) {
	type carrier struct {
		kind  active.Kind
		name  string
		value string
	}
	var carriers []carrier
	seen := map[string]bool{}
	if v := s.cfg.Header.Get("Authorization"); jwtRE.MatchString(v) {
		carriers = append(carriers, carrier{active.Header, "Authorization", v})
		seen[jwtRE.FindString(v)] = true
	}
	cookieHeader := s.client.cookieHeader(s.target)
	if cs, err := http.ParseCookie(cookieHeader); err == nil {
		for _, c := range cs {
			if t := jwtRE.FindString(c.Value); t != "" && !seen[t] {
				seen[t] = true
				carriers = append(carriers, carrier{active.Cookie, c.Name, c.Value})
			}
		}
	}
	if s.cfg.Header.Get("Authorization") == "" {
		// Tokens the site handed out in a body (a sign-in answer), tried
		// as bearer tokens: the ones also seen in use first.
		s.mu.Lock()
		used := maps.Clone(s.jwts)
		s.mu.Unlock()
		toks := slices.Collect(maps.Keys(used))
		slices.SortFunc(toks, func(a, b string) int {
			ua, ub := used[a], used[b]
			switch {
			case ua && !ub:
				return -1
			case ub && !ua:
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, t := range toks {
			if !seen[t] && len(carriers) < 4 {
				seen[t] = true
				carriers = append(carriers, carrier{active.Header, "Authorization", "Bearer " + t})
			}
		}
	}
	if len(carriers) == 0 {
		return
	}
	urls := []*url.URL{s.target}
	for _, pg := range s.Pages() {
		if len(urls) >= maxJWTPages {
			break
		}
		if pg.Method == http.MethodGet && pg.Status < 500 && pg.u != nil && pg.u.String() != s.target.String() && !isSignOut(pg.u, "") {
			urls = append(urls, pg.u)
		}
	}
	send := scanSender{s}
	for _, c := range carriers {
		for _, u := range urls {
			if ctx.Err() != nil {
				return
			}
			hdr := http.Header{}
			switch c.kind {
			case active.Header:
				hdr.Set(c.name, c.value)
			case active.Cookie:
				hdr.Set("Cookie", s.client.cookieHeader(u))
			}
			p := active.Point{Method: http.MethodGet, URL: u, Kind: c.kind, Name: c.name, Value: c.value, Header: hdr}
			rs, err := active.JWTForgery(ctx, send, p, active.Options{})
			if err != nil && ctx.Err() == nil {
				s.log.LogAttrs(ctx, slog.LevelDebug, "token forgery check failed", slog.String("url", s.red.URL(u.String())), slog.Any("err", err))
			}
			for _, r := range rs {
				s.reportActive(r)
			}
			if len(rs) > 0 {
				break
			}
		}
	}
}
