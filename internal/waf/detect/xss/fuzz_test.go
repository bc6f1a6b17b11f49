package xss

import (
	"strings"
	"testing"
	"unicode/utf8"

	"rampart/internal/waf/detect"
)

// maxFuzz bounds fuzzed values to what the engine hands detectors.
const maxFuzz = detect.MaxValue

// seed adds the corpora and a few hand-made shapes to f.
func seed(f *testing.F) {
	for _, s := range readCorpus(f, "attack/*.txt") {
		f.Add(s.v)
	}
	for _, s := range readCorpus(f, "benign/*.txt") {
		f.Add(s.v)
	}
	for _, s := range []string{"", "<", "</", "<a", "<a b", "<a b=", "<a b='", `<a b="`, "<?", "<!--", "(", ")", "`", ":",
		"=", "{", "{{", "${", "&{", "[", "'", `"`, "\\", "/*", "*/", "javascript:", "on=", "onx=", "<scr<script>",
		"\x00", "\xff\xfe", "alert(", "alert`", ")(", "](", "a.constructor(", `\41`, "o<x>n"} {
		f.Add(s)
	}
}

// FuzzDetect checks that Detect does not panic on any value, reports each
// rule once, locates every match inside the value, and gives the same
// answer twice.
func FuzzDetect(f *testing.F) {
	seed(f)
	d := New()
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > maxFuzz {
			return
		}
		for _, k := range []detect.Kind{detect.KindQuery, detect.KindForm} {
			in := detect.Input{Value: v, Raw: v, Kind: k}
			ms := d.Detect(&in, nil)
			again := d.Detect(&in, nil)
			if len(ms) != len(again) {
				t.Fatalf("Detect(%q) is not deterministic: %v then %v", v, ms, again)
			}
			seen := map[string]bool{}
			for _, m := range ms {
				if seen[m.Rule] {
					t.Errorf("Detect(%q): rule %s reported twice", v, m.Rule)
				}
				seen[m.Rule] = true
				if m.Class != detect.XSS || m.Score < 2 || m.Score > 5 || m.Paranoia < 1 || m.Paranoia > 4 {
					t.Errorf("Detect(%q): bad match %+v", v, m)
				}
				if m.Off < 0 || m.Len < 0 || m.Off+m.Len > len(v) {
					t.Errorf("Detect(%q): match %s at [%d:+%d] outside the value", v, m.Rule, m.Off, m.Len)
				}
			}
		}
	})
}

// FuzzTag checks the tokenizer on its own: a tag parse ends inside the
// value and after the '<', and scanning any value stays in bounds.
func FuzzTag(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > maxFuzz {
			return
		}
		for i := 0; i < len(v); i++ {
			if v[i] != '<' {
				continue
			}
			sc := newScanner(v, false)
			if end := sc.tag(i, len(v), 0); end < i || end > len(v) {
				t.Fatalf("tag(%q, %d) = %d, outside [%d, %d]", v, i, end, i, len(v))
			}
		}
	})
}

// FuzzCSSUnescape checks the CSS unescaper: valid UTF-8 for valid input,
// no growth beyond what escapes can produce, and identity without
// backslashes.
func FuzzCSSUnescape(f *testing.F) {
	for _, s := range []string{`\75 rl(`, `\0075\0072\006C`, `exp\ression`, `\`, `\110000`, `\0`, `a\`, `\zz`, "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > maxFuzz {
			return
		}
		u := cssUnescape(v)
		if !strings.Contains(v, `\`) && u != v {
			t.Fatalf("cssUnescape(%q) = %q, want it unchanged", v, u)
		}
		if len(u) > 2*len(v)+4 {
			t.Fatalf("cssUnescape(%q) grew to %d bytes", v, len(u))
		}
		if utf8.ValidString(v) && !utf8.ValidString(u) {
			t.Fatalf("cssUnescape(%q) = %q, not UTF-8", v, u)
		}
	})
}

// FuzzStripTags checks that stripping tags only removes bytes and leaves
// no bare tag behind it.
func FuzzStripTags(f *testing.F) {
	for _, s := range []string{"o<x>nclick", "<b>x</b>", "<<x>>", "a<x", "<x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > maxFuzz {
			return
		}
		if u := stripTags(v); len(u) > len(v) {
			t.Fatalf("stripTags(%q) = %q, longer than its input", v, u)
		}
	})
}
