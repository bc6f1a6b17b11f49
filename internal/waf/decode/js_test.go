package decode

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJS(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "abc", "abc"},
		{"hex", `\x3cscript\x3E`, "<script>"},
		{"unicode", `\u003cscript\u003e`, "<script>"},
		{"unicode braces", `\u{3c}\u{1F600}`, "<😀"},
		{"surrogate pair", `\uD83D\uDE00`, "😀"},
		{"lone surrogate", `\uD83Dx`, "\ufffdx"},
		{"braces too large", `\u{110000}`, "\ufffd"},
		{"octal", `\74script\076`, "<script>"},
		{"octal nul", `a\0b`, "a\x00b"},
		{"octal stops at 377", `\4000`, " 00"},
		{"controls", `a\nb\rc\td\be\ff\vg`, "a\nb\rc\td\be\ff\vg"},
		{"control before hex", `\bad`, "\bad"},
		{"quotes", `\'\"\\\/`, `'"\/`},
		{"identity", `al\ert`, "alert"},
		{"line continuation", "a\\\nb\\\r\nc", "abc"},
		{"css hex", `\3c script\3E`, "<script>"},
		{"css six digits", `\00003cx`, "<x"},
		{"css with space", `\6a avascript`, "javascript"},
		{"hex letter is javascript", `\e9`, "e9"},
		{"nul then letters", `\0b`, "\x00b"},
		{"bad hex", `\x4g`, `\x4g`},
		{"bad unicode", `\u12`, `\u12`},
		{"bad braces", `\u{12`, `\u{12`},
		{"trailing backslash", `a\`, `a\`},
		{"backslash before non-ascii", `\ü`, "ü"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JS(tt.in); got != tt.want {
				t.Errorf("JS(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestJSRoundTrip(t *testing.T) {
	for _, s := range []string{"", "<script>alert('x')</script>", "a\\b\"c\n", "ü € 😀", "\x01\x1f"} {
		q, _ := json.Marshal(s)
		if got := JS(string(q[1 : len(q)-1])); got != s {
			t.Errorf("JS(json %s) = %q, want %q", q, got, s)
		}
		if got := JS(unicodeEscapes(s)); got != s {
			t.Errorf("JS(\\u escapes of %q) = %q", s, got)
		}
	}
}

// unicodeEscapes writes every rune of s as \uXXXX (a surrogate pair beyond
// the BMP), as GoTestWAF's JSUnicode encoder does.
func unicodeEscapes(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xffff {
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+r>>10, 0xdc00+r&0x3ff)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

func TestJSBound(t *testing.T) {
	for _, unit := range []string{`\u{0}`, `\x80`, `\377`, `\uD800`, `\80`, `\800`, `\10000`, `\10FFFF `, `\0`} {
		in := strings.Repeat(unit, 100)
		if got := JS(in); len(got) > len(in) {
			t.Errorf("len(JS(%q×100)) = %d > %d", unit, len(got), len(in))
		}
	}
}

func FuzzJS(f *testing.F) {
	for _, s := range []string{`\x3c`, `\u003c`, `\u{3c}`, `\uD83D\uDE00`, `\74`, `\3c `, `\`, `\x`, `\u{`, `\6a `, `\0b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		got := JS(s)
		if len(got) > len(s) {
			t.Fatalf("JS(%q) = %q is longer than its input", s, got)
		}
		if utf8.ValidString(s) {
			q, _ := json.Marshal(s)
			if got := JS(string(q[1 : len(q)-1])); got != s {
				t.Fatalf("JS(json %s) = %q", q, got)
			}
		}
	})
}
