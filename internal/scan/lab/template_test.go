package lab

import (
	"strings"
	"testing"
)

func TestRenderGreeting(t *testing.T) {
	vars := greetingVars("Ada")
	tests := []struct{ name, in, want, err string }{
		{"placeholders", "Dear {{ name }}, from {{shop}}", "Dear Ada, from Harbour Goods", ""},
		{"arithmetic", "{{ 7*7 }} and {{ (1+2)*3 - 4 % 3 }}", "49 and 8", ""},
		{"string concatenation", "{{ 'Dear ' + name }}", "Dear Ada", ""},
		{"number variable", "{{ year + 1 }}", "2026", ""},
		{"no tags", "7*7 ${7*7} <%= 7*7 %>", "7*7 ${7*7} <%= 7*7 %>", ""},
		{"unclosed", "{{ 7*7", "", "unclosed tag"},
		{"undefined", "{{ config }}", "", "undefined: config"},
		{"string times", "{{ name * 2 }}", "", `"Ada" is not a number`},
		{"division by zero", "{{ 1/0 }}", "", "division by zero"},
		{"doT syntax", "{{= 7*7 }}", "", "unexpected"},
		{"deep", "{{" + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + "}}", "", "nested too deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderGreeting(tt.in, vars)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("renderGreeting(%q) error = %v, want one with %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("renderGreeting(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestFillGreeting: the fixed twin replaces placeholders and evaluates
// nothing, not even what a name brings in.
func TestFillGreeting(t *testing.T) {
	got := fillGreeting("Dear {{ name }}, {{ 7*7 }} {{shop}}", greetingVars("{{ shop }}"))
	if want := "Dear {{ shop }}, {{ 7*7 }} Harbour Goods"; got != want {
		t.Errorf("fillGreeting = %q, want %q", got, want)
	}
}

func FuzzRenderGreeting(f *testing.F) {
	for _, s := range []string{"Dear {{ name }}", "{{ 7*7 }}", "{{ 'a' + name }}", "{{ ((1)) }}", "{{", "{{ 1/0 }}", "{{-9223372036854775808/-1}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out, err := renderGreeting(text, greetingVars("Ada"))
		if err != nil {
			return
		}
		if !strings.Contains(text, "{{") && out != text {
			t.Fatalf("renderGreeting(%q) = %q: text without tags must come back as it is", text, out)
		}
		if len(out) > 4*len(text) {
			t.Fatalf("renderGreeting(%q) gave %d bytes", text, len(out))
		}
	})
}
