package access

import (
	"fmt"
	"testing"
)

// benchRules returns 1 000 rules of the kinds a large site has: per-host
// API routes with methods, admin areas, wildcard tenants, any-host globs;
// rule 995 is the one benchRequests' "late hit" needs.
func benchRules() []Rule {
	rules := []Rule{
		{Paths: []string{"/**/.git/**", "/**/.env", "/**/wp-admin/**"}, Policy: PolicyDeny},
		{Paths: []string{"/healthz", "/static/**", "/favicon.ico"}, Methods: []string{"GET", "HEAD"}, Policy: PolicyPublic},
	}
	for i := 0; len(rules) < 995; i++ {
		host := fmt.Sprintf("svc%02d.example.com", i%40)
		tenant := fmt.Sprintf("*.t%02d.example.net", i%25)
		var r Rule
		switch i % 10 {
		case 0:
			r = Rule{Hosts: []string{host}, Paths: []string{fmt.Sprintf("/api/v%d/items%d/", i%3+1, i)}, Methods: []string{"GET", "HEAD"}, Policy: PolicyAuthenticated}
		case 1:
			r = Rule{Hosts: []string{host}, Paths: []string{fmt.Sprintf("/admin/section%d", i)}, Policy: PolicyRoles, Roles: []string{"admin"}, MFA: true}
		case 2:
			r = Rule{Hosts: []string{tenant}, Paths: []string{fmt.Sprintf("/api/*/reports%d", i)}, Methods: []string{"POST"}, Policy: PolicyRoles, Roles: []string{"analyst", "admin"}}
		case 3:
			r = Rule{Paths: []string{fmt.Sprintf("/api/v1/users/*/keys%d", i)}, Policy: PolicyAuthenticated, MFA: true}
		case 4:
			r = Rule{Hosts: []string{host, "api.example.com"}, Paths: []string{fmt.Sprintf("/api/v2/orders%d", i)}, Methods: []string{"PUT", "PATCH", "DELETE"}, Policy: PolicyRoles, Roles: []string{"orders"}}
		case 5:
			r = Rule{Hosts: []string{"*.example.com"}, Paths: []string{fmt.Sprintf("/docs/%d/**", i)}, Policy: PolicyPublic}
		case 6:
			r = Rule{Paths: []string{fmt.Sprintf("/u/*/settings%d", i)}, Methods: []string{"GET", "POST"}, Policy: PolicyAuthenticated}
		case 7:
			// Rules that every request to /api on any host under
			// example.com has to pass over: same trie node, wrong method.
			r = Rule{Hosts: []string{"*.example.com"}, Paths: []string{"/api/*/orders/**"}, Methods: []string{"GET"}, Policy: PolicyAuthenticated}
		case 8:
			r = Rule{Hosts: []string{host}, Paths: []string{fmt.Sprintf("/api/v2/orders/%d", i)}, Methods: []string{"GET"}, Policy: PolicyAuthenticated}
		case 9:
			r = Rule{Paths: []string{fmt.Sprintf("/api/**/export%d", i)}, Methods: []string{"GET"}, Policy: PolicyRoles, Roles: []string{"export"}}
		}
		rules = append(rules, r)
	}
	rules = append(rules,
		Rule{Hosts: []string{"*.example.com"}, Paths: []string{"/api/*/orders/**"}, Methods: []string{"DELETE"}, Policy: PolicyRoles, Roles: []string{"orders-admin"}, MFA: true},
		Rule{Hosts: []string{"example.com", "*.example.com"}, Paths: []string{"/api/"}, Policy: PolicyAuthenticated},
		Rule{Paths: []string{"/api/"}, Policy: PolicyDeny},
		Rule{Hosts: []string{"*.example.com"}, Policy: PolicyAuthenticated},
		Rule{Hosts: []string{"*.example.org"}, Policy: PolicyAuthenticated},
	)
	return rules
}

var benchRequests = []struct {
	name, host, path, method string
	want                     int
}{
	{"hit-early", "svc07.example.com", "/static/app.css", "GET", 1},
	{"hit-late", "svc07.example.com:443", "/api/v2/orders/123456/lines", "DELETE", 995},
	{"miss", "unknown.example.net", "/nothing/here/at/all", "GET", -1},
}

func BenchmarkMatch1000(b *testing.B) {
	s := mustCompile(b, Config{Rules: benchRules()})
	if s.Len() != 1000 {
		b.Fatalf("%d rules, want 1000", s.Len())
	}
	for _, r := range benchRequests {
		if got, _ := s.Match(r.host, r.path, r.method); got != r.want {
			b.Fatalf("Match(%q, %q, %q) = rule %d, want %d", r.host, r.path, r.method, got, r.want)
		}
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Match(r.host, r.path, r.method)
			}
		})
	}
}
