package scan

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRobotsAllowed(t *testing.T) {
	const txt = "# comment\r\nUser-agent: Googlebot\nDisallow: /\n\nUser-agent: *\nUser-agent: other\nDisallow: /private\nAllow: /private/ok\nDisallow: /*.php$\nDisallow: /search*q=\nDisallow:\nCrawl-delay: 5\nSitemap: https://e.com/sm.xml\n"
	r := parseRobots([]byte(txt), "rampart-scan")
	tests := []struct {
		path string
		want bool
	}{
		{"/", true},
		{"/private", false},
		{"/private/x", false},
		{"/private/ok", true},
		{"/private/ok/deeper", true},
		{"/index.php", false},
		{"/index.php?x=1", true},
		{"/search?q=a", false},
		{"/search/all?x=1&q=a", false},
		{"/searching", true},
		{"/public", true},
	}
	for _, tt := range tests {
		if got := r.allowed(tt.path); got != tt.want {
			t.Errorf("allowed(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	if !slices.Equal(r.sitemaps, []string{"https://e.com/sm.xml"}) {
		t.Errorf("sitemaps = %q", r.sitemaps)
	}
}

func TestRobotsGroups(t *testing.T) {
	tests := []struct {
		name, txt, path string
		want            bool
	}{
		{"own group beats star", "User-agent: *\nDisallow: /\n\nUser-agent: rampart-scan\nDisallow: /x\n", "/y", true},
		{"own group applies", "User-agent: *\nDisallow: /\n\nUser-agent: rampart-scan\nDisallow: /x\n", "/x", false},
		{"prefix of our name", "User-agent: rampart\nDisallow: /x\n", "/x", false},
		{"other bots only", "User-agent: Googlebot\nDisallow: /\n", "/", true},
		{"empty disallow", "User-agent: *\nDisallow:\n", "/anything", true},
		{"tie goes to allow", "User-agent: *\nDisallow: /a\nAllow: /a\n", "/a", true},
		{"case of directives", "USER-AGENT: *\nDISALLOW: /A\n", "/A", false},
		{"path is case sensitive", "User-agent: *\nDisallow: /A\n", "/a", true},
		{"lone CR lines", "User-agent: *\rDisallow: /cr\r", "/cr", false},
		{"no groups", "Disallow: /x\n", "/x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRobots([]byte(tt.txt), "rampart-scan").allowed(tt.path); got != tt.want {
				t.Errorf("allowed(%q) under %q = %v, want %v", tt.path, tt.txt, got, tt.want)
			}
		})
	}
	var nilR *robots
	if !nilR.allowed("/x") {
		t.Error("a nil robots disallows")
	}
}

func TestRobotsMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, path string
		want          bool
	}{
		{"/a", "/a/b", true},
		{"/a$", "/a", true},
		{"/a$", "/a/b", false},
		{"/*.gif$", "/x/y.gif", true},
		{"/*.gif$", "/x/y.gif?z", false},
		{"/a*b*c", "/a1b2c3", true},
		{"/a*b*c", "/a1c2b", false},
		{"*", "/anything", true},
		{"/x*", "/x", true},
	} {
		if got := robotsMatch(tt.pattern, tt.path); got != tt.want {
			t.Errorf("robotsMatch(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func FuzzParseRobots(f *testing.F) {
	f.Add("User-agent: *\nDisallow: /private\nAllow: /private/ok\nSitemap: /s.xml\n", "/private/x")
	f.Add("User-agent: rampart-scan\nDisallow: /*.php$\n", "/a.php")
	f.Add(strings.Repeat("Disallow: /*a*b*c\n", 100), "/aaaabbbbc")
	f.Fuzz(func(t *testing.T, txt, path string) {
		if len(txt) > maxFuzzInput || len(path) > 4096 {
			return
		}
		r := parseRobots([]byte(txt), "rampart-scan")
		if len(r.rules) > maxRobotsRules || len(r.sitemaps) > maxRobotsSitemaps {
			t.Fatalf("%d rules, %d sitemaps", len(r.rules), len(r.sitemaps))
		}
		if len(r.rules) == 0 && !r.allowed(path) {
			t.Fatalf("no rules but %q disallowed", path)
		}
		// robotsMatch agrees with a regular expression built from the
		// pattern.
		for _, rule := range r.rules {
			if !utf8.ValidString(rule.pattern) || !utf8.ValidString(path) {
				continue // the reference cannot compile it
			}
			if got, want := robotsMatch(rule.pattern, path), robotsRegexp(rule.pattern).MatchString(path); got != want {
				t.Fatalf("robotsMatch(%q, %q) = %v, regexp says %v", rule.pattern, path, got, want)
			}
		}
	})
}

// robotsRegexp is the reference for robotsMatch.
func robotsRegexp(pattern string) *regexp.Regexp {
	anchored := strings.HasSuffix(pattern, "$")
	pattern = strings.TrimSuffix(pattern, "$")
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := "(?s)^" + strings.Join(parts, ".*")
	if anchored {
		re += "$"
	}
	return regexp.MustCompile(re)
}
