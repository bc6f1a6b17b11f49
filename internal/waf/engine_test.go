package waf

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

// wordDetector reports a fixed match wherever its word appears; it lets
// these tests drive the engine's scoring exactly.
type wordDetector struct {
	word string
	m    detect.Match
}

func (d wordDetector) Class() detect.Class { return d.m.Class }

func (d wordDetector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	if i := strings.Index(in.Value, d.word); i >= 0 {
		m := d.m
		m.Off, m.Len = i, len(d.word)
		dst = append(dst, m)
	}
	return dst
}

func testEngine(t *testing.T, cfg Config, ds ...detect.Detector) *Engine {
	t.Helper()
	e, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.detectors = ds
	return e
}

func inspectURL(e *Engine, u string) Verdict {
	r, _ := http.NewRequest("GET", u, nil)
	return e.Inspect(context.Background(), &Request{HTTP: r})
}

var (
	strong = wordDetector{"bo!om", detect.Match{Class: detect.SQLi, Rule: "sqli.bo!om", Score: 5, Paranoia: 1}}
	weakA  = wordDetector{"we!ak", detect.Match{Class: detect.XSS, Rule: "xss.weak", Score: 3, Paranoia: 1}}
	weakB  = wordDetector{"fa!int", detect.Match{Class: detect.Cmdi, Rule: "cmdi.faint", Score: 2, Paranoia: 1}}
	strict = wordDetector{"od!d", detect.Match{Class: detect.SQLi, Rule: "sqli.odd", Score: 5, Paranoia: 3}}
)

func TestScoring(t *testing.T) {
	e := testEngine(t, Config{}, strong, weakA, weakB, strict)
	cases := []struct {
		url    string
		attack bool
		score  int
	}{
		{"http://x/?a=hello", false, 0},
		{"http://x/?a=bo!om", true, 5},
		{"http://x/?a=we!ak", false, 3},
		{"http://x/?a=we!ak+fa!int", true, 5},              // weak signals add up in one value
		{"http://x/?a=we!ak&b=fa!int", false, 3},           // but not across values
		{"http://x/?a=we!ak+we!ak+we!ak", false, 3},        // one rule counts once
		{"http://x/?a=od!d", false, 0},                     // paranoia 3 rule is off at 1
		{"http://x/?a=%62%6f%21%6f%6d", true, 5},           // decoded before detection
		{"http://x/?a=%2562%256f%2521%256f%256d", true, 5}, // in layers
	}
	for _, c := range cases {
		v := inspectURL(e, c.url)
		if v.Attack != c.attack || v.Score != c.score {
			t.Errorf("%s: attack=%v score=%d, want %v %d (%+v)", c.url, v.Attack, v.Score, c.attack, c.score, v.Findings)
		}
	}
	p3 := testEngine(t, Config{Paranoia: 3}, strict)
	if v := inspectURL(p3, "http://x/?a=od!d"); !v.Attack || v.Threshold != 4 {
		t.Errorf("paranoia 3: %+v", v)
	}
}

func TestExclusions(t *testing.T) {
	e := testEngine(t, Config{Exclusions: []Exclusion{
		{Rule: "sqli.*", Location: "query:sql"},
		{Class: "xss"},
		{Rule: "cmdi.faint", Location: "header:x-*"},
	}}, strong, weakA, weakB)
	if v := inspectURL(e, "http://x/?sql=bo!om"); v.Attack || len(v.Findings) != 0 {
		t.Errorf("excluded rule at its location: %+v", v)
	}
	if v := inspectURL(e, "http://x/?q=bo!om"); !v.Attack {
		t.Errorf("exclusion leaked to another location: %+v", v)
	}
	if v := inspectURL(e, "http://x/?q=we!ak"); len(v.Findings) != 0 {
		t.Errorf("class exclusion: %+v", v)
	}
}

func TestCustomRules(t *testing.T) {
	e := testEngine(t, Config{Rules: []Rule{
		{ID: "dbg", Target: "query:debug", Operator: "equals", Value: "True"},
		{ID: "ver", Target: "any", Operator: "regex", Value: `^v0\.[0-9]+$`, Action: "log"},
		{ID: "wp", Target: "path", Operator: "prefix", Value: "/wp-admin"},
		{ID: "ext", Target: "query:*", Operator: "suffix", Value: ".bak"},
		{ID: "has", Target: "query:q", Operator: "contains", Value: "evil"},
	}})
	cases := []struct {
		url    string
		attack bool
		rule   string
	}{
		{"http://x/?debug=true", true, "custom.dbg"},
		{"http://x/?debug=false", false, ""},
		{"http://x/?other=true", false, ""},
		{"http://x/?v=v0.12", false, "custom.ver"},
		{"http://x/wp-admin/setup.php", true, "custom.wp"},
		{"http://x/?f=config.BAK", true, "custom.ext"},
		{"http://x/?q=very+EVIL+stuff", true, "custom.has"},
	}
	for _, c := range cases {
		v := inspectURL(e, c.url)
		got := ""
		if len(v.Findings) > 0 {
			got = v.Findings[0].Rule
		}
		if v.Attack != c.attack || got != c.rule {
			t.Errorf("%s: attack=%v rule=%q, want %v %q", c.url, v.Attack, got, c.attack, c.rule)
		}
	}
	if _, err := New(Config{Rules: []Rule{{ID: "x", Target: "any", Operator: "regex", Value: "("}}}, nil); err == nil {
		t.Error("bad regex accepted")
	}
	if _, err := New(Config{Rules: []Rule{{ID: "x", Target: "any", Operator: "like", Value: "a"}}}, nil); err == nil {
		t.Error("unknown operator accepted")
	}
}

func TestLongValueWindows(t *testing.T) {
	e := testEngine(t, Config{}, strong)
	long := strings.Repeat("a", 3*detect.MaxValue) + "bo!om"
	r, _ := http.NewRequest("POST", "http://x/", strings.NewReader(""))
	r.Header.Set("Content-Type", "text/plain")
	v := e.Inspect(context.Background(), &Request{HTTP: r, Body: []byte(long)})
	if !v.Attack {
		t.Errorf("attack at the end of a %d-byte body missed", len(long))
	}
	// A payload cut by a window border is whole in the overlap.
	border := strings.Repeat("a", detect.MaxValue-2) + "bo!om"
	v = e.Inspect(context.Background(), &Request{HTTP: r, Body: []byte(border)})
	if !v.Attack {
		t.Error("attack across a window border missed")
	}
}

func TestExcerptRedacted(t *testing.T) {
	e := testEngine(t, Config{}, strong)
	v := inspectURL(e, "http://x/?password=bo!om")
	if len(v.Findings) != 1 || v.Findings[0].Excerpt != "[redacted]" {
		t.Errorf("password excerpt: %+v", v.Findings)
	}
	v = inspectURL(e, "http://x/?card=4111111111111111bo!om")
	if len(v.Findings) != 1 || strings.Contains(v.Findings[0].Excerpt, "4111111111") {
		t.Errorf("card number in excerpt: %+v", v.Findings)
	}
	v = inspectURL(e, "http://x/?n=4111111111111111%0abo!om")
	if len(v.Findings) != 1 || strings.Contains(v.Findings[0].Excerpt, "111111111") || strings.ContainsAny(v.Findings[0].Excerpt, "\n") {
		t.Errorf("excerpt not masked: %+v", v.Findings)
	}
}

func TestBodyBound(t *testing.T) {
	e := testEngine(t, Config{InspectBodyBytes: 1024}, strong)
	r, _ := http.NewRequest("POST", "http://x/", nil)
	r.Header.Set("Content-Type", "text/plain")
	v := e.Inspect(context.Background(), &Request{HTTP: r, Body: []byte(strings.Repeat("a", 2048) + "bo!om")})
	if v.Attack {
		t.Error("inspected past InspectBodyBytes")
	}
}
