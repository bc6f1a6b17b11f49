package xss

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

// sample is one corpus value and the kinds of value it is tested as.
type sample struct {
	v     string
	kinds []detect.Kind
}

// kindNames maps the names used in "# kinds:" corpus lines.
var kindNames = map[string]detect.Kind{
	"query": detect.KindQuery, "path": detect.KindPath, "header": detect.KindHeader,
	"cookie": detect.KindCookie, "form": detect.KindForm, "json": detect.KindJSON,
	"xml": detect.KindXML, "body": detect.KindBody, "argname": detect.KindArgName,
}

// readCorpus reads testdata corpora: one value per line, # comments and
// blank lines skipped, a line starting with go: read as a Go string
// literal. A "# kinds: form json" line says which kinds of value the
// following lines are tested as (form when none is given).
func readCorpus(tb testing.TB, pattern string) []sample {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus %s: %v", pattern, err)
	}
	var out []sample
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		kinds := []detect.Kind{detect.KindForm}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for line := 1; sc.Scan(); line++ {
			v := sc.Text()
			if ks, ok := strings.CutPrefix(v, "# kinds:"); ok {
				kinds = nil
				for _, k := range strings.Fields(ks) {
					kind, ok := kindNames[k]
					if !ok {
						tb.Fatalf("%s:%d: unknown kind %q", name, line, k)
					}
					kinds = append(kinds, kind)
				}
				continue
			}
			if strings.TrimSpace(v) == "" || strings.HasPrefix(v, "#") {
				continue
			}
			if lit, ok := strings.CutPrefix(v, "go:"); ok {
				u, err := strconv.Unquote(lit)
				if err != nil {
					tb.Fatalf("%s:%d: %v", name, line, err)
				}
				v = u
			}
			out = append(out, sample{v, kinds})
		}
		_ = f.Close()
		if err := sc.Err(); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// score returns the total paranoia-p score of v as a value of kind k and
// the rules that made it.
func score(d *Detector, v string, k detect.Kind, p int) (int, []string) {
	in := detect.Input{Value: v, Raw: v, Kind: k, Name: "q"}
	total := 0
	var names []string
	for _, m := range d.Detect(&in, nil) {
		if m.Paranoia <= p {
			total += m.Score
			names = append(names, m.Rule)
		}
	}
	return total, names
}

func TestAttackCorpus(t *testing.T) {
	d := New()
	for _, s := range readCorpus(t, "attack/*.txt") {
		for _, k := range s.kinds {
			if got, rules := score(d, s.v, k, 1); got < 5 {
				t.Errorf("Detect(%q as %v) = score %d %v, want >= 5", s.v, k, got, rules)
			}
		}
	}
}

func TestBenignCorpus(t *testing.T) {
	d := New()
	for _, s := range readCorpus(t, "benign/*.txt") {
		for _, k := range s.kinds {
			if got, rules := score(d, s.v, k, 1); got >= 5 {
				t.Errorf("Detect(%q as %v) = score %d %v, want < 5", s.v, k, got, rules)
			}
		}
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name, in, rule string
	}{
		{"script tag", `<script>x</script>`, "xss.script-tag"},
		{"iframe", `<iframe src=//a.example>`, "xss.dangerous-tag"},
		{"handler on unknown tag", `<x onclick=y()>`, "xss.event-handler"},
		{"handler after slash", `<svg/onload=alert(1)>`, "xss.event-handler"},
		{"handler breakout", `" onmouseover="alert(1)`, "xss.event-handler"},
		{"js url in href", `<a href="java` + "\t" + `script:x()">`, "xss.js-url"},
		{"bare js url", `javascript:alert(1)`, "xss.js-url"},
		{"data url", `<iframe src="data:text/html,x">`, "xss.data-url"},
		{"srcdoc", `<iframe srcdoc="x">`, "xss.srcdoc"},
		{"angular", `{{constructor.constructor('alert(1)')()}}`, "xss.template-expression"},
		{"template literal", "${alert(1)}", "xss.template-expression"},
		{"quote breakout", `';alert(1)//`, "xss.js-breakout"},
		{"bare sink", `alert(1)`, "xss.js-sink"},
		{"css expression", `width:expression(alert(1))`, "xss.css-expression"},
		{"formaction", `<button formaction=x>`, "xss.dangerous-attr"},
		{"svg alone", `<svg>`, "xss.suspicious-tag"},
		{"tag with attributes", `<div class="x">hello</div>`, "xss.html-tag"},
		{"formatting", `<b>bold</b>`, "xss.html-markup"},
		{"link in a query", `<a href="https://evil.example/">x</a>`, "xss.html-injection"},
		{"document structure in a query", `</body></html>`, "xss.html-injection"},
		{"end of a script block", `x=1;</script>`, "xss.js-breakout"},
		{"stripped tags", `" autof<x>ocus o<x>nfocus=alert<x>(1)//`, "xss.event-handler"},
		{"css escapes", `<p style="background:\75 rl(javascript:alert(1))">`, "xss.js-url"},
		{"handler via attributeName", `<svg><set attributeName=onload to=alert(1)>`, "xss.event-handler"},
		{"meta refresh", `<meta http-equiv=refresh content="0;url=//evil.example">`, "xss.dangerous-tag"},
		{"data binding", `<span datasrc=#x datafld=a dataformatas=html>`, "xss.dangerous-attr"},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := detect.Input{Value: tt.in, Raw: tt.in, Kind: detect.KindQuery}
			ms := d.Detect(&in, nil)
			for _, m := range ms {
				if m.Rule == tt.rule {
					if m.Class != detect.XSS || m.Off < 0 || m.Off+m.Len > len(tt.in) {
						t.Errorf("Detect(%q): bad match %+v", tt.in, m)
					}
					return
				}
			}
			t.Errorf("Detect(%q) = %+v, want rule %s", tt.in, ms, tt.rule)
		})
	}
}

func TestKinds(t *testing.T) {
	// Markup that rich text carries passes in form fields and JSON but
	// is HTML injection in a query, path, header or cookie; script passes
	// nowhere.
	tests := []struct {
		in          string
		query, form bool // blocked as a query argument, as a form field
	}{
		{`<a href="https://example.com/">x</a>`, true, false},
		{`<img src="https://example.com/cat.jpg">`, true, false},
		{`<p style="color:red">x</p>`, true, false},
		{`<html><body>`, true, false},
		{`"><b>x</b>`, true, false},
		{`<a href="/docs/intro">Intro</a>`, false, false},
		{`<span class="x">y</span>`, false, false},
		{`<john@example.com>`, false, false},
		{`<https://api.example.com/?page=2>; rel="next"`, false, false},
		{`<img src=x onerror=alert(1)>`, true, true},
	}
	d := New()
	for _, tt := range tests {
		for k, want := range map[detect.Kind]bool{detect.KindQuery: tt.query, detect.KindForm: tt.form} {
			if got, rules := score(d, tt.in, k, 1); (got >= 5) != want {
				t.Errorf("Detect(%q as %v) = %d %v, want blocked=%v", tt.in, k, got, rules, want)
			}
		}
	}
}

func TestParanoia(t *testing.T) {
	tests := []struct {
		in   string
		p1   bool // blocks at paranoia 1
		p2   bool
		p3   bool
		desc string
	}{
		{`<b>bold</b>`, false, false, true, "formatting tag"},
		{`<div class="x">hello</div>`, false, true, true, "tag with attributes"},
		{`<img src=x onerror=alert(1)>`, true, true, true, "event handler"},
		{`a < b and c > d`, false, false, false, "comparison"},
	}
	d := New()
	for _, tt := range tests {
		for p, want := range map[int]bool{1: tt.p1, 2: tt.p2, 3: tt.p3} {
			if got, rules := score(d, tt.in, detect.KindForm, p); (got >= 5) != want {
				t.Errorf("%s: Detect(%q) at paranoia %d = %d %v, want blocked=%v", tt.desc, tt.in, p, got, rules, want)
			}
		}
	}
}

func TestDetectAppends(t *testing.T) {
	d := New()
	prev := []detect.Match{{Rule: "other"}}
	in := detect.Input{Value: `<svg onload=alert(1)>`}
	got := d.Detect(&in, prev)
	if len(got) < 2 || got[0].Rule != "other" {
		t.Errorf("Detect did not append to dst: %+v", got)
	}
	if d.Class() != detect.XSS {
		t.Errorf("Class() = %q, want xss", d.Class())
	}
}

func TestAllocs(t *testing.T) {
	d := New()
	dst := make([]detect.Match, 0, 16)
	for _, v := range []string{"zoe o'brien", "https://example.com/?a=b&c=d", `<a href="https://example.com">x</a>`,
		`<p class="x">Hi <b>there</b></p>`, "if (a < b) { f(x); }", `"><svg onload=alert(1)>`, `';alert(1)//`} {
		in := detect.Input{Value: v, Kind: detect.KindForm}
		if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n != 0 {
			t.Errorf("Detect(%q) allocates %v times, want 0", v, n)
		}
	}
}
