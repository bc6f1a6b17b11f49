package access

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func mustCompile(tb testing.TB, cfg Config) *Set {
	tb.Helper()
	s, err := Compile(cfg)
	if err != nil {
		tb.Fatalf("Compile: %v", err)
	}
	return s
}

// TestMatchRule checks each kind of pattern alone: one rule, one request,
// does the rule match.
func TestMatchRule(t *testing.T) {
	type req struct{ host, path, method string }
	hosts := func(h ...string) Rule { return Rule{Hosts: h, Policy: PolicyDeny} }
	paths := func(p ...string) Rule { return Rule{Paths: p, Policy: PolicyDeny} }
	methods := func(m ...string) Rule { return Rule{Methods: m, Policy: PolicyDeny} }
	tests := []struct {
		name string
		rule Rule
		req  req
		want bool
	}{
		{"exact host", hosts("app.example.com"), req{"app.example.com", "/", "GET"}, true},
		{"exact host with port", hosts("app.example.com"), req{"app.example.com:8443", "/", "GET"}, true},
		{"exact host upper case", hosts("app.example.com"), req{"APP.Example.COM", "/", "GET"}, true},
		{"exact host trailing dot", hosts("app.example.com"), req{"app.example.com.", "/", "GET"}, true},
		{"exact host trailing dot and port", hosts("app.example.com"), req{"App.Example.com.:443", "/", "GET"}, true},
		{"exact host two trailing dots", hosts("app.example.com"), req{"app.example.com..", "/", "GET"}, false},
		{"pattern written in upper case with dot", hosts("App.EXAMPLE.com."), req{"app.example.com", "/", "GET"}, true},
		{"exact host other name", hosts("app.example.com"), req{"api.example.com", "/", "GET"}, false},
		{"exact host is not a suffix", hosts("app.example.com"), req{"evilapp.example.com", "/", "GET"}, false},
		{"exact host is not a wildcard", hosts("example.com"), req{"app.example.com", "/", "GET"}, false},
		{"exact host no host header", hosts("app.example.com"), req{"", "/", "GET"}, false},
		{"exact host second of two", hosts("a.example.com", "app.example.com"), req{"app.example.com", "/", "GET"}, true},
		{"wildcard one label", hosts("*.example.com"), req{"a.example.com", "/", "GET"}, true},
		{"wildcard two labels", hosts("*.example.com"), req{"a.b.example.com", "/", "GET"}, true},
		{"wildcard upper case and port", hosts("*.example.com"), req{"A.EXAMPLE.COM.:8080", "/", "GET"}, true},
		{"wildcard not the apex", hosts("*.example.com"), req{"example.com", "/", "GET"}, false},
		{"wildcard not the apex with port", hosts("*.example.com"), req{"example.com:443", "/", "GET"}, false},
		{"wildcard not the apex with dot", hosts("*.example.com"), req{"example.com.", "/", "GET"}, false},
		{"wildcard needs a label", hosts("*.example.com"), req{".example.com", "/", "GET"}, false},
		{"wildcard not a lookalike", hosts("*.example.com"), req{"notexample.com", "/", "GET"}, false},
		{"wildcard not a prefix", hosts("*.example.com"), req{"a.example.com.evil.net", "/", "GET"}, false},
		{"apex and wildcard", hosts("example.com", "*.example.com"), req{"example.com", "/", "GET"}, true},
		{"deeper wildcard", hosts("*.b.example.com"), req{"a.example.com", "/", "GET"}, false},
		{"wildcard long host", hosts("*.example.com"), req{strings.Repeat("A.", 200) + "example.com:1", "/", "GET"}, true},
		{"exact long host", hosts("example.com"), req{strings.Repeat("A.", 200) + "example.com", "/", "GET"}, false},
		{"ipv4", hosts("10.0.0.1"), req{"10.0.0.1:8080", "/", "GET"}, true},
		{"ipv6 in brackets", hosts("[::1]"), req{"[::1]:8080", "/", "GET"}, true},
		{"ipv6 bare pattern", hosts("::1"), req{"[::1]", "/", "GET"}, true},
		{"ipv6 bare request", hosts("2001:db8::1"), req{"2001:DB8::1", "/", "GET"}, true},
		{"no hosts match any", Rule{Policy: PolicyDeny}, req{"anything.test:1", "/", "GET"}, true},
		{"no hosts match none", Rule{Policy: PolicyDeny}, req{"", "/", "GET"}, true},

		{"prefix itself", paths("/admin"), req{"h", "/admin", "GET"}, true},
		{"prefix with slash", paths("/admin"), req{"h", "/admin/", "GET"}, true},
		{"prefix below", paths("/admin"), req{"h", "/admin/users/1", "GET"}, true},
		{"prefix not a longer name", paths("/admin"), req{"h", "/administrator", "GET"}, false},
		{"prefix case sensitive", paths("/admin"), req{"h", "/Admin", "GET"}, false},
		{"prefix not elsewhere", paths("/admin"), req{"h", "/x/admin", "GET"}, false},
		{"prefix not the parent", paths("/admin"), req{"h", "/", "GET"}, false},
		{"slash prefix itself", paths("/admin/"), req{"h", "/admin", "GET"}, true},
		{"slash prefix below", paths("/admin/"), req{"h", "/admin/x", "GET"}, true},
		{"slash prefix not a longer name", paths("/admin/"), req{"h", "/administrator", "GET"}, false},
		{"deep prefix", paths("/api/v1"), req{"h", "/api/v1/users", "GET"}, true},
		{"deep prefix sibling", paths("/api/v1"), req{"h", "/api/v10", "GET"}, false},
		{"root matches all", paths("/"), req{"h", "/anything/at/all", "GET"}, true},
		{"root matches asterisk", paths("/"), req{"h", "*", "OPTIONS"}, true},
		{"prefix not asterisk", paths("/admin"), req{"h", "*", "OPTIONS"}, false},
		{"second of two paths", paths("/a", "/admin"), req{"h", "/admin/x", "GET"}, true},
		{"no paths match any", Rule{Policy: PolicyDeny}, req{"h", "*", "OPTIONS"}, true},

		{"star one segment", paths("/api/*/admin"), req{"h", "/api/v1/admin", "GET"}, true},
		{"star needs a segment", paths("/api/*/admin"), req{"h", "/api/admin", "GET"}, false},
		{"star needs a non-empty segment", paths("/api/*/admin"), req{"h", "/api//admin", "GET"}, false},
		{"star not two segments", paths("/api/*/admin"), req{"h", "/api/v1/x/admin", "GET"}, false},
		{"glob matches the whole path", paths("/api/*/admin"), req{"h", "/api/v1/admin/users", "GET"}, false},
		{"glob no trailing slash", paths("/api/*/admin"), req{"h", "/api/v1/admin/", "GET"}, false},
		{"trailing star", paths("/api/*"), req{"h", "/api/x", "GET"}, true},
		{"trailing star not deeper", paths("/api/*"), req{"h", "/api/x/y", "GET"}, false},
		{"trailing star not empty", paths("/api/*"), req{"h", "/api/", "GET"}, false},
		{"trailing star not the parent", paths("/api/*"), req{"h", "/api", "GET"}, false},
		{"star then slash", paths("/u/*/"), req{"h", "/u/ann/", "GET"}, true},
		{"star then slash needs it", paths("/u/*/"), req{"h", "/u/ann", "GET"}, false},
		{"star case sensitive", paths("/api/*/admin"), req{"h", "/API/v1/admin", "GET"}, false},
		{"double star itself", paths("/static/**"), req{"h", "/static", "GET"}, true},
		{"double star slash", paths("/static/**"), req{"h", "/static/", "GET"}, true},
		{"double star deep", paths("/static/**"), req{"h", "/static/a/b/c.css", "GET"}, true},
		{"double star not a longer name", paths("/static/**"), req{"h", "/staticx", "GET"}, false},
		{"double star in the middle, none", paths("/a/**/b"), req{"h", "/a/b", "GET"}, true},
		{"double star in the middle, many", paths("/a/**/b"), req{"h", "/a/x/y/z/b", "GET"}, true},
		{"double star in the middle, not after", paths("/a/**/b"), req{"h", "/a/x/b/c", "GET"}, false},
		{"double star first", paths("/**/.git/**"), req{"h", "/.git", "GET"}, true},
		{"double star first, deep", paths("/**/.git/**"), req{"h", "/a/b/.git/config", "GET"}, true},
		{"double star first, lookalike", paths("/**/.git/**"), req{"h", "/a/.gitignore", "GET"}, false},
		{"double star first, not asterisk", paths("/**/.git"), req{"h", "*", "OPTIONS"}, false},
		{"double star alone matches asterisk", paths("/**"), req{"h", "*", "OPTIONS"}, true},
		{"star then double star", paths("/api/*/**"), req{"h", "/api/x/y/z", "GET"}, true},
		{"star then double star, one", paths("/api/*/**"), req{"h", "/api/x", "GET"}, true},
		{"star then double star, none", paths("/api/*/**"), req{"h", "/api", "GET"}, false},
		{"two double stars", paths("/**/a/**/b"), req{"h", "/x/a/y/z/b", "GET"}, true},
		{"two double stars, wrong order", paths("/**/a/**/b"), req{"h", "/b/a", "GET"}, false},
		{"suffix after prefix", paths("/a/**/a/b"), req{"h", "/a/a/b", "GET"}, true},
		{"suffix does not overlap prefix", paths("/a/**/a/b"), req{"h", "/a/b", "GET"}, false},
		{"run after prefix", paths("/a/**/a/**"), req{"h", "/a/x/a/y", "GET"}, true},
		{"run does not overlap prefix", paths("/a/**/a/**"), req{"h", "/a/b", "GET"}, false},
		{"run ends at a segment", paths("/**/.git/**"), req{"h", "/.gitx/.git2", "GET"}, false},
		{"run found second time", paths("/**/.git/**"), req{"h", "/.gitx/.git", "GET"}, true},
		{"glob needs a slash", paths("/*"), req{"h", "x", "GET"}, false},

		{"method", methods("GET"), req{"h", "/", "GET"}, true},
		{"method lower case request", methods("GET"), req{"h", "/", "get"}, true},
		{"method lower case rule", methods("post"), req{"h", "/", "POST"}, true},
		{"method GET is not HEAD", methods("GET"), req{"h", "/", "HEAD"}, false},
		{"method other", methods("GET", "POST"), req{"h", "/", "DELETE"}, false},
		{"method custom", methods("PROPFIND"), req{"h", "/", "propfind"}, true},
		{"method custom other", methods("PROPFIND"), req{"h", "/", "PROPPATCH"}, false},
		{"method ascii case only", methods("LINK"), req{"h", "/", "LIN\u212a"}, false},
		{"method not a prefix", methods("GET"), req{"h", "/", "GETS"}, false},
		{"no methods match any", Rule{Policy: PolicyDeny}, req{"h", "/", "BREW"}, true},

		{"all three", Rule{Hosts: []string{"*.example.com"}, Paths: []string{"/admin"}, Methods: []string{"POST"}, Policy: PolicyDeny},
			req{"a.example.com", "/admin/x", "POST"}, true},
		{"all three, wrong method", Rule{Hosts: []string{"*.example.com"}, Paths: []string{"/admin"}, Methods: []string{"POST"}, Policy: PolicyDeny},
			req{"a.example.com", "/admin/x", "GET"}, false},
		{"all three, wrong host", Rule{Hosts: []string{"*.example.com"}, Paths: []string{"/admin"}, Methods: []string{"POST"}, Policy: PolicyDeny},
			req{"example.com", "/admin/x", "POST"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Rules: []Rule{tt.rule}, Default: PolicyPublic}
			s := mustCompile(t, cfg)
			got, d := s.Match(tt.req.host, tt.req.path, tt.req.method)
			if want := map[bool]int{true: 0, false: -1}[tt.want]; got != want {
				t.Errorf("Match(%q, %q, %q) = rule %d, want %d", tt.req.host, tt.req.path, tt.req.method, got, want)
			}
			if wantPolicy := map[bool]Policy{true: PolicyDeny, false: PolicyPublic}[tt.want]; d.Policy != wantPolicy {
				t.Errorf("Match(%q, %q, %q) policy = %v, want %v", tt.req.host, tt.req.path, tt.req.method, d.Policy, wantPolicy)
			}
			// The reference agrees, or the table is wrong.
			if n, _ := naiveMatch(cfg, tt.req.host, tt.req.path, tt.req.method); n != got {
				t.Errorf("naiveMatch(%q, %q, %q) = rule %d, Match %d", tt.req.host, tt.req.path, tt.req.method, n, got)
			}
		})
	}
}

// TestMatchOrder checks that the first matching rule wins, whatever the
// host list or path trie it sits in, and that the default applies when
// none matches.
func TestMatchOrder(t *testing.T) {
	cfg := Config{Default: PolicyAuthenticated, Rules: []Rule{
		0: {Paths: []string{"/**/.git/**", "/**/.env"}, Policy: PolicyDeny},
		1: {Hosts: []string{"app.example.com"}, Paths: []string{"/static/**", "/healthz"}, Methods: []string{"GET", "HEAD"}, Policy: PolicyPublic},
		2: {Hosts: []string{"*.example.com"}, Paths: []string{"/admin/"}, Policy: PolicyRoles, Roles: []string{"admin"}, MFA: true},
		3: {Hosts: []string{"app.example.com"}, Paths: []string{"/admin/public"}, Policy: PolicyPublic}, // shadowed by 2
		4: {Paths: []string{"/api/*/admin"}, Policy: PolicyRoles, Roles: []string{"admin", "ops"}},
		5: {Hosts: []string{"app.example.com"}, Paths: []string{"/api"}, Methods: []string{"GET"}, Policy: PolicyAuthenticated},
		6: {Hosts: []string{"app.example.com"}, Paths: []string{"/api"}, Policy: PolicyAuthenticated, MFA: true},
		7: {Hosts: []string{"example.com"}, Policy: PolicyPublic},
		8: {Paths: []string{"/static"}, Policy: PolicyPublic},
	}}
	s := mustCompile(t, cfg)
	tests := []struct {
		host, path, method string
		want               int
		policy             Policy
	}{
		{"app.example.com", "/static/app.css", "GET", 1, PolicyPublic},
		{"app.example.com", "/static/.git/config", "GET", 0, PolicyDeny},
		{"app.example.com", "/static/app.css", "POST", 8, PolicyPublic},
		{"app.example.com", "/admin/public", "GET", 2, PolicyRoles},
		{"app.example.com", "/admin", "GET", 2, PolicyRoles},
		{"app.example.com", "/administrator", "GET", -1, PolicyAuthenticated},
		{"app.example.com", "/api/v1/admin", "GET", 4, PolicyRoles},
		{"app.example.com", "/api/v1/users", "GET", 5, PolicyAuthenticated},
		{"app.example.com", "/api/v1/users", "DELETE", 6, PolicyAuthenticated},
		{"example.com", "/admin", "GET", 7, PolicyPublic},
		{"example.com", "/.env", "GET", 0, PolicyDeny},
		{"example.com", "/api/v2/admin", "GET", 4, PolicyRoles},
		{"other.org", "/static", "GET", 8, PolicyPublic},
		{"other.org", "/", "GET", -1, PolicyAuthenticated},
		{"other.org", "*", "OPTIONS", -1, PolicyAuthenticated},
	}
	for _, tt := range tests {
		got, d := s.Match(tt.host, tt.path, tt.method)
		if got != tt.want || d.Policy != tt.policy {
			t.Errorf("Match(%q, %q, %q) = %d, %v; want %d, %v", tt.host, tt.path, tt.method, got, d.Policy, tt.want, tt.policy)
		}
		if n, nd := naiveMatch(cfg, tt.host, tt.path, tt.method); n != got || !sameDecision(nd, d) {
			t.Errorf("naiveMatch(%q, %q, %q) = %d, %+v; Match %d, %+v", tt.host, tt.path, tt.method, n, nd, got, d)
		}
	}
	if _, d := s.Match("app.example.com", "/admin", "GET"); !d.MFA || !slices.Equal(d.Roles, []string{"admin"}) {
		t.Errorf("Match(/admin) decision = %+v, want roles [admin] with MFA", d)
	}
}

func TestMatchDefault(t *testing.T) {
	for _, def := range []Policy{0, PolicyDeny, PolicyPublic, PolicyAuthenticated} {
		s := mustCompile(t, Config{Default: def, Rules: []Rule{{Paths: []string{"/x"}, Policy: PolicyPublic}}})
		want := def
		if want == 0 {
			want = PolicyDeny
		}
		if i, d := s.Match("h", "/y", "GET"); i != -1 || !sameDecision(d, Decision{Policy: want}) {
			t.Errorf("default %v: Match(/y) = %d, %+v; want -1, %v", def, i, d, want)
		}
	}
}

// TestMatchNoAlloc locks in the zero-allocation goal.
func TestMatchNoAlloc(t *testing.T) {
	s := mustCompile(t, Config{Rules: benchRules()})
	for _, r := range benchRequests {
		if n := testing.AllocsPerRun(100, func() { s.Match(r.host, r.path, r.method) }); n != 0 {
			t.Errorf("Match(%q, %q, %q) allocates %v times, want 0", r.host, r.path, r.method, n)
		}
	}
}

// TestMatchLikeNaive compares Match with a linear first-match scan over
// random rule sets and requests: once with segments of the kinds a site
// has, once with an alphabet so small that patterns overlap themselves.
func TestMatchLikeNaive(t *testing.T) {
	pools := []struct {
		name          string
		pattern, path []string
	}{
		{"site", patternSegs, pathSegs},
		{"tiny", []string{"a", "b", "*", "**"}, []string{"a", "b", ""}},
	}
	for _, pool := range pools {
		t.Run(pool.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			sets, reqs := 400, 300
			if testing.Short() {
				sets = 50
			}
			for range sets {
				cfg := Config{Rules: randomRules(rng, 1+rng.IntN(40), pool.pattern), Default: Policy(1 + rng.IntN(2))}
				s := mustCompile(t, cfg)
				for range reqs {
					host, path, method := randomRequest(rng, pool.path)
					compare(t, s, cfg, host, path, method)
				}
			}
		})
	}
}

func FuzzMatch(f *testing.F) {
	f.Add(uint64(0), "*.example.com", "/api/*/admin", "a.example.com", "/api/v1/admin", "GET")
	f.Add(uint64(1), "app.example.com", "/admin", "APP.example.com.:443", "/administrator", "get")
	f.Add(uint64(2), "", "/static/**", "h", "/static/a/b", "HEAD")
	f.Add(uint64(3), "[::1]", "/**/.git/**", "[::1]:8080", "/a/.git/config", "PROPFIND")
	f.Add(uint64(4), "example.com", "/a/**/b/*", "example.com", "/a/x/b/y", "POST")
	f.Add(uint64(5), "", "/", "", "*", "OPTIONS")
	f.Fuzz(func(t *testing.T, seed uint64, hostPat, pathPat, host, path, method string) {
		if len(hostPat)+len(pathPat)+len(host)+len(path)+len(method) > 512 {
			return
		}
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		rules := randomRules(rng, rng.IntN(12), patternSegs)
		r := Rule{Policy: PolicyDeny, Paths: []string{pathPat}}
		if hostPat != "" {
			r.Hosts = []string{hostPat}
		}
		rules = slices.Insert(rules, rng.IntN(len(rules)+1), r)
		cfg := Config{Rules: rules}
		s, err := Compile(cfg)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Key, "]") {
				t.Fatalf("Compile error %v is not an *Error with a key", err)
			}
			return
		}
		compare(t, s, cfg, host, path, method)
		compare(t, s, cfg, hostPat, pathPat, method)
		compare(t, s, cfg, host, pathPat, method)
		compare(t, s, cfg, hostPat, path, method)
	})
}

func compare(t *testing.T, s *Set, cfg Config, host, path, method string) {
	t.Helper()
	got, d := s.Match(host, path, method)
	want, wd := naiveMatch(cfg, host, path, method)
	if got != want || !sameDecision(d, wd) {
		var b strings.Builder
		for i, r := range cfg.Rules {
			fmt.Fprintf(&b, "\n\t%d: %+v", i, r)
		}
		t.Fatalf("Match(%q, %q, %q) = %d, %+v; naive scan %d, %+v; rules:%s", host, path, method, got, d, want, wd, b.String())
	}
}

func sameDecision(a, b Decision) bool {
	return a.Policy == b.Policy && a.MFA == b.MFA && slices.Equal(a.Roles, b.Roles)
}

// naiveMatch is the reference: every rule in order, each pattern checked
// the plain way, sharing no code with Match.
func naiveMatch(cfg Config, host, path, method string) (int, Decision) {
	h := naiveHost(host)
	anyOf := func(list []string, f func(string) bool) bool { return len(list) == 0 || slices.ContainsFunc(list, f) }
	for i, r := range cfg.Rules {
		if anyOf(r.Hosts, func(p string) bool { return naiveHostMatch(p, h) }) &&
			anyOf(r.Paths, func(p string) bool { return naivePathMatch(p, path) }) &&
			anyOf(r.Methods, func(m string) bool { return asciiLowerRef(m) == asciiLowerRef(method) }) {
			return i, Decision{Policy: r.Policy, Roles: r.Roles, MFA: r.MFA}
		}
	}
	if cfg.Default == 0 {
		return -1, Decision{Policy: PolicyDeny}
	}
	return -1, Decision{Policy: cfg.Default}
}

func asciiLowerRef(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 32
		}
		return r
	}, s)
}

func naiveHost(host string) string {
	switch {
	case strings.HasPrefix(host, "["):
		if end := strings.Index(host, "]"); end > 0 {
			host = host[1:end]
		}
		return asciiLowerRef(host)
	case strings.Count(host, ":") == 1:
		host, _, _ = strings.Cut(host, ":")
	}
	return asciiLowerRef(strings.TrimSuffix(host, "."))
}

func naiveHostMatch(pattern, h string) bool {
	p := asciiLowerRef(pattern)
	if strings.HasPrefix(p, "[") {
		p = strings.Trim(p, "[]")
	} else {
		p = strings.TrimSuffix(p, ".")
	}
	if rest, ok := strings.CutPrefix(p, "*."); ok {
		suffix := "." + rest
		return len(h) > len(suffix) && strings.HasSuffix(h, suffix)
	}
	return h == p
}

func naivePathMatch(pattern, path string) bool {
	isPrefix := func(pre string) bool { return pre == "" || path == pre || strings.HasPrefix(path, pre+"/") }
	if !strings.Contains(pattern, "*") {
		return isPrefix(strings.TrimSuffix(pattern, "/"))
	}
	var segs []string
	for s := range strings.SplitSeq(pattern[1:], "/") {
		if s == "**" && len(segs) > 0 && segs[len(segs)-1] == "**" {
			continue
		}
		segs = append(segs, s)
	}
	// Literal segments then ** mean that path and everything below it.
	if last := len(segs) - 1; segs[last] == "**" && !slices.ContainsFunc(segs[:last], func(s string) bool { return strings.Contains(s, "*") }) {
		if last == 0 {
			return true
		}
		return isPrefix("/" + strings.Join(segs[:last], "/"))
	}
	if !strings.HasPrefix(path, "/") {
		return false
	}
	return globSegments(segs, strings.Split(path[1:], "/"))
}

// globSegments reports whether the segments s match the pattern p, by
// dynamic programming: m[i][j] says whether p[i:] matches s[j:].
func globSegments(p, s []string) bool {
	m := make([][]bool, len(p)+1)
	for i := range m {
		m[i] = make([]bool, len(s)+1)
	}
	m[len(p)][len(s)] = true
	for i := len(p) - 1; i >= 0; i-- {
		for j := len(s); j >= 0; j-- {
			switch p[i] {
			case "**":
				m[i][j] = m[i+1][j] || (j < len(s) && m[i][j+1])
			case "*":
				m[i][j] = j < len(s) && s[j] != "" && m[i+1][j+1]
			default:
				m[i][j] = j < len(s) && s[j] == p[i] && m[i+1][j+1]
			}
		}
	}
	return m[0][0]
}

var (
	patternSegs = []string{"admin", "api", "v1", "static", "x", "*", "**", "**"}
	pathSegs    = []string{"admin", "administrator", "api", "v1", "static", "x", "y", ""}
)

// randomRules returns n valid rules drawn from small pools, so that
// requests from randomRequest often match several of them.
func randomRules(rng *rand.Rand, n int, segPool []string) []Rule {
	hostPool := []string{"a.example.com", "b.example.com", "*.example.com", "*.b.example.com", "example.com",
		"A.Example.COM.", "x.test", "*.test", "[::1]", "10.0.0.1"}
	methodPool := []string{"GET", "post", "DELETE", "PROPFIND", "head"}
	rules := make([]Rule, n)
	for i := range rules {
		r := &rules[i]
		for range rng.IntN(3) {
			r.Hosts = append(r.Hosts, hostPool[rng.IntN(len(hostPool))])
		}
		for range rng.IntN(3) {
			var b strings.Builder
			for range rng.IntN(5) {
				b.WriteString("/" + segPool[rng.IntN(len(segPool))])
			}
			if b.Len() == 0 || rng.IntN(5) == 0 {
				b.WriteString("/")
			}
			r.Paths = append(r.Paths, b.String())
		}
		for range rng.IntN(3) {
			r.Methods = append(r.Methods, methodPool[rng.IntN(len(methodPool))])
		}
		r.Policy = Policy(1 + rng.IntN(4))
		switch r.Policy {
		case PolicyRoles:
			r.Roles = [][]string{{"admin"}, {"dev", "ops"}}[rng.IntN(2)]
			r.MFA = rng.IntN(2) == 0
		case PolicyAuthenticated:
			r.MFA = rng.IntN(2) == 0
		}
	}
	return rules
}

func randomRequest(rng *rand.Rand, segs []string) (host, path, method string) {
	hosts := []string{"a.example.com", "A.EXAMPLE.COM:443", "b.example.com.", "c.b.example.com", "example.com",
		"example.com.:80", "x.test", "y.x.test", "[::1]:80", "10.0.0.1", "other.org", ""}
	methods := []string{"GET", "get", "HEAD", "POST", "DELETE", "propfind", "PATCH"}
	var b strings.Builder
	for range rng.IntN(6) {
		b.WriteString("/" + segs[rng.IntN(len(segs))])
	}
	path = b.String()
	switch {
	case path == "" && rng.IntN(4) == 0:
		path = "*"
	case path == "":
		path = "/"
	}
	return hosts[rng.IntN(len(hosts))], path, methods[rng.IntN(len(methods))]
}
