package gateway

import (
	"net/http"
	"path"
	"sort"
	"strings"
)

// route is one compiled route: its name, match and stage chain.
type route struct {
	name    string
	prefix  string
	handler http.Handler
	metrics *routeMetrics
}

// table matches requests to routes: exact hosts first, then wildcard
// suffixes (longest first), then routes for any host; within a host the
// longest path prefix wins.
type table struct {
	exact    map[string][]*route
	wildcard []wildcardRoutes
	any      []*route
	routes   []*route
}

type wildcardRoutes struct {
	suffix string // ".example.com"
	routes []*route
}

func newTable() *table { return &table{exact: map[string][]*route{}} }

func (t *table) add(hosts []string, r *route) {
	t.routes = append(t.routes, r)
	if len(hosts) == 0 {
		t.any = append(t.any, r)
		return
	}
	for _, h := range hosts {
		h = strings.ToLower(h)
		if strings.HasPrefix(h, "*.") {
			suffix := h[1:]
			found := false
			for i := range t.wildcard {
				if t.wildcard[i].suffix == suffix {
					t.wildcard[i].routes = append(t.wildcard[i].routes, r)
					found = true
				}
			}
			if !found {
				t.wildcard = append(t.wildcard, wildcardRoutes{suffix: suffix, routes: []*route{r}})
			}
			continue
		}
		t.exact[h] = append(t.exact[h], r)
	}
}

// finish sorts every list by descending prefix length.
func (t *table) finish() {
	byLen := func(rs []*route) {
		sort.SliceStable(rs, func(i, j int) bool { return len(rs[i].prefix) > len(rs[j].prefix) })
	}
	for _, rs := range t.exact {
		byLen(rs)
	}
	for i := range t.wildcard {
		byLen(t.wildcard[i].routes)
	}
	sort.SliceStable(t.wildcard, func(i, j int) bool { return len(t.wildcard[i].suffix) > len(t.wildcard[j].suffix) })
	byLen(t.any)
}

// hostKnown reports whether a route names host, exactly or by wildcard
// (routes for any host do not count).
func (t *table) hostKnown(host string) bool {
	host = hostOnly(host)
	if _, ok := t.exact[host]; ok {
		return true
	}
	for i := range t.wildcard {
		if w := t.wildcard[i].suffix; len(host) > len(w) && strings.HasSuffix(host, w) {
			return true
		}
	}
	return false
}

// match returns the route for host and path, or nil.
func (t *table) match(host, p string) *route {
	host = hostOnly(host)
	p = cleanPath(p)
	if rs, ok := t.exact[host]; ok {
		if r := matchPrefix(rs, p); r != nil {
			return r
		}
	}
	for i := range t.wildcard {
		w := &t.wildcard[i]
		if len(host) > len(w.suffix) && strings.HasSuffix(host, w.suffix) {
			if r := matchPrefix(w.routes, p); r != nil {
				return r
			}
		}
	}
	return matchPrefix(t.any, p)
}

func matchPrefix(rs []*route, p string) *route {
	for _, r := range rs {
		if prefixMatch(r.prefix, p) {
			return r
		}
	}
	return nil
}

// prefixMatch reports whether p lies under prefix at a segment boundary.
func prefixMatch(prefix, p string) bool {
	if prefix == "/" {
		return true
	}
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	return len(p) == len(prefix) || prefix[len(prefix)-1] == '/' || p[len(prefix)] == '/'
}

// hostOnly lowercases host and drops a port, allocating only when needed.
func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	for i := 0; i < len(h); i++ {
		if c := h[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(h)
		}
	}
	return h
}

// cleanPath resolves dot segments and doubled slashes for matching, so
// "/public/../admin" is routed as "/admin". It allocates only when p is not
// already clean.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	if !strings.Contains(p, "/.") && !strings.Contains(p, "//") && !strings.Contains(p, "\\") {
		return p
	}
	c := path.Clean(strings.ReplaceAll(p, "\\", "/"))
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}
