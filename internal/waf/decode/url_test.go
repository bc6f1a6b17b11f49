package decode

import (
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct {
		name, in string
		plus     bool
		want     string
		flags    Flags
	}{
		{"plain", "abc", true, "abc", 0},
		{"one layer", "%3Cscript%3E", false, "<script>", Percent},
		{"lower hex", "%3cscript%3e", false, "<script>", Percent},
		{"plus as space", "a+b", true, "a b", Percent},
		{"plus kept", "a+b", false, "a+b", 0},
		{"double encoded", "%2527", false, "'", Percent | DoubleEncoded},
		{"triple encoded", "%25252e%25252e%25252f", false, "../", Percent | DoubleEncoded},
		{"four layers stop at three", "%2525252e", false, "%2e", Percent | DoubleEncoded},
		{"plus in the second layer", "%2B%2541", true, " A", Percent | DoubleEncoded},
		{"encoded plus", "%2B", true, " ", Percent},
		{"encoded plus without plus", "%2B", false, "+", Percent},
		{"encoded percent then text", "100%25", false, "100%", Percent},
		{"truncated escape", "%2", false, "%2", InvalidEscape},
		{"bad hex", "%zz%41", false, "%zzA", Percent | InvalidEscape},
		{"percent at end", "a%", false, "a%", InvalidEscape},
		{"percent u", "%u003cscript%u003E", false, "<script>", PercentU},
		{"percent u fullwidth", "%uFF1C", false, "\uff1c", PercentU},
		{"percent u surrogate pair", "%uD83D%uDE00", false, "\U0001F600", PercentU},
		{"percent u lone surrogate", "%uD83Dx", false, "\ufffdx", PercentU},
		{"percent u short", "%u12", false, "%u12", InvalidEscape},
		{"overlong bytes come through", "%c0%ae", false, "\xc0\xae", Percent},
		{"nul", "a%00b", false, "a\x00b", Percent},
		{"encoded percent u", "%25u0041", false, "A", Percent | DoubleEncoded | PercentU},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := URL(tt.in, tt.plus); got != tt.want {
				t.Errorf("URL(%q, %v) = %q, want %q", tt.in, tt.plus, got, tt.want)
			}
			_, _, f := urlLayers(nil, nil, []byte(tt.in), tt.plus)
			if f != tt.flags {
				t.Errorf("urlLayers(%q) flags = %v, want %v", tt.in, f, tt.flags)
			}
		})
	}
}

func TestURLRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a b", "<script>alert(1)</script>", "' OR 1=1 --", "ü € 😀", "a&b=c;d", "\x00\xff"} {
		if got := URL(url.QueryEscape(s), true); got != s {
			t.Errorf("URL(QueryEscape(%q), true) = %q", s, got)
		}
		if got := URL(url.PathEscape(s), false); got != s {
			t.Errorf("URL(PathEscape(%q), false) = %q", s, got)
		}
		if got := URL(url.QueryEscape(url.QueryEscape(s)), true); got != s {
			t.Errorf("URL(QueryEscape(QueryEscape(%q)), true) = %q", s, got)
		}
	}
}

func TestURLBound(t *testing.T) {
	in := strings.Repeat("%25%u0041%", 1000)
	if got := URL(in, true); len(got) > len(in) {
		t.Errorf("len(URL(…)) = %d > %d", len(got), len(in))
	}
}

func FuzzURL(f *testing.F) {
	for _, s := range []string{"%3C", "%2527", "a+b", "%u0041", "%uD83D%uDE00", "%", "%2", "%zz", "%252525"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, plus bool) {
		if len(s) > 4096 {
			return
		}
		got := URL(s, plus)
		if len(got) > len(s) {
			t.Fatalf("URL(%q) = %q is longer than its input", s, got)
		}
		// One layer agrees with net/url wherever net/url accepts the input.
		if plus && !strings.Contains(s, "%u") && !strings.Contains(s, "%U") {
			if want, err := url.QueryUnescape(s); err == nil {
				one, _ := appendURL(nil, []byte(s), true)
				if string(one) != want {
					t.Fatalf("one layer of %q = %q, net/url says %q", s, one, want)
				}
			}
		}
		if !strings.Contains(s, "%") && !strings.Contains(s, "+") {
			if got := URL(url.QueryEscape(s), true); got != s {
				t.Fatalf("URL(QueryEscape(%q)) = %q", s, got)
			}
		}
	})
}
