package decode

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHTML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "abc", "abc"},
		{"named", "&lt;script&gt;", "<script>"},
		{"named no semicolon", "&ltscript&gt", "<script>"},
		{"legacy prefix", "&amplt;", "&lt;"},
		{"not legacy without semicolon", "&colon", "&colon"},
		{"common with semicolon", "javascript&colon;alert&lpar;1&rpar;", "javascript:alert(1)"},
		{"tab and newline", "java&Tab;script&NewLine;", "java\tscript\n"},
		{"rare name", "&notin; &CounterClockwiseContourIntegral;", "∉ ∳"},
		{"two runes", "&NotEqualTilde;", "≂̸"},
		{"unknown name", "&foo; &bar", "&foo; &bar"},
		{"decimal", "&#60;", "<"},
		{"decimal no semicolon", "&#60script", "<script"},
		{"leading zeros", "&#0000060&#x00003c;", "<<"},
		{"hex", "&#x3C;&#X3e;", "<>"},
		{"hex no semicolon", "&#x3cscript", "<script"},
		{"windows-1252", "&#128;&#x9f;", "€Ÿ"},
		{"zero is a nul", "&#0;&#x0000", "\x00\x00"},
		{"surrogate", "&#xd800;", "\ufffd"},
		{"too large", "&#99999999999999999999;", "\ufffd"},
		{"no digits", "&#;&#x;&#xg", "&#;&#x;&#xg"},
		{"last digit", "&#9", "\t"},
		{"bare ampersand", "a & b &", "a & b &"},
		{"astral", "&#128512;", "😀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTML(tt.in); got != tt.want {
				t.Errorf("HTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLAgreesWithStdlib(t *testing.T) {
	for _, s := range []string{
		"&amp;&lt;&gt;&quot;&apos;&#39;", "&AMP &LT &GT", "&notit; &not &notin", "&copy2024",
		"&Aacute;&aacute&szlig;", "&frac12x", "&lt;&lt&l", "&ampamp;", "&#60;&#x3C;&#060",
	} {
		if got, want := HTML(s), html.UnescapeString(s); got != want {
			t.Errorf("HTML(%q) = %q, html.UnescapeString says %q", s, got, want)
		}
	}
}

func TestHTMLRoundTrip(t *testing.T) {
	for _, s := range []string{"", "<script>alert('x')</script>", "a & b", "&lt;", "ü € 😀 \"q\""} {
		if got := HTML(html.EscapeString(s)); got != s {
			t.Errorf("HTML(EscapeString(%q)) = %q", s, got)
		}
		if got := HTML(numericRefs(s, "&#%d;")); got != s {
			t.Errorf("HTML(decimal refs of %q) = %q", s, got)
		}
		if got := HTML(numericRefs(s, "&#x%08X")); got != s {
			t.Errorf("HTML(hex refs without ';' of %q) = %q", s, got)
		}
	}
}

// numericRefs writes every rune of s as a numeric reference.
func numericRefs(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

func TestHTMLBound(t *testing.T) {
	for _, unit := range []string{"&#0", "&#1", "&#9;", "&acE;", "&lt", "&#x10FFFF;", "&#128", "&notin;"} {
		in := strings.Repeat(unit, 100)
		if got := HTML(in); len(got) > len(in) {
			t.Errorf("len(HTML(%q×100)) = %d > %d", unit, len(got), len(in))
		}
	}
}

func FuzzHTML(f *testing.F) {
	for _, s := range []string{"&lt;", "&#60", "&#x3c;", "&ltscript", "&notin;", "&acE;", "&#0000060", "&", "&#", "&#x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		got := HTML(s)
		if len(got) > len(s) {
			t.Fatalf("HTML(%q) = %q is longer than its input", s, got)
		}
		// Named references: exactly the html package's answer.
		if !strings.Contains(s, "&#") {
			if want := html.UnescapeString(s); got != want {
				t.Fatalf("HTML(%q) = %q, html.UnescapeString says %q", s, got, want)
			}
		}
		if utf8.ValidString(s) {
			if got := HTML(html.EscapeString(s)); got != s {
				t.Fatalf("HTML(EscapeString(%q)) = %q", s, got)
			}
		}
	})
}
