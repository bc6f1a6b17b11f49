package decode

import (
	"slices"
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

func TestVariants(t *testing.T) {
	tests := []struct {
		name  string
		kind  detect.Kind
		in    string
		want  []string
		flags Flags
	}{
		{"plain", detect.KindQuery, "hello world", []string{"hello world"}, 0},
		{"plus in a query", detect.KindQuery, "a+b", []string{"a+b", "a b"}, Percent},
		{"plus in a header", detect.KindHeader, "a+b", []string{"a+b"}, 0},
		{"url", detect.KindQuery, "%3Cscript%3E", []string{"%3Cscript%3E", "<script>"}, Percent},
		{"double url", detect.KindQuery, "%253Cscript%253E", []string{"%253Cscript%253E", "<script>"}, Percent | DoubleEncoded},
		{"url then html", detect.KindQuery, "%26lt%3Bscript%26gt%3B", []string{"%26lt%3Bscript%26gt%3B", "&lt;script&gt;", "<script>"}, Percent | HTMLEntity},
		{"html", detect.KindJSON, "&#x3c;img src=x onerror=alert(1)&#x3e;", []string{"&#x3c;img src=x onerror=alert(1)&#x3e;", "<img src=x onerror=alert(1)>"}, HTMLEntity},
		{"js", detect.KindJSON, `\u003cscript\u003e`, []string{`\u003cscript\u003e`, "<script>"}, JSEscape},
		{"overlong after url", detect.KindPath, "/%c0%ae%c0%ae/etc/passwd", []string{"/%c0%ae%c0%ae/etc/passwd", "/\xc0\xae\xc0\xae/etc/passwd", "/../etc/passwd"}, Percent | Overlong},
		{"percent u fullwidth", detect.KindQuery, "%uFF1Cscript%uFF1E", []string{"%uFF1Cscript%uFF1E", "＜script＞", "<script>"}, PercentU | Fullwidth},
		{"nul", detect.KindQuery, "ad%00min", []string{"ad%00min", "ad\x00min", "admin"}, Percent | NUL},
		{"unicode text", detect.KindForm, "Crème brûlée", []string{"Crème brûlée"}, 0},
		{"invalid escape only", detect.KindQuery, "100%", []string{"100%"}, InvalidEscape},
		{"base64", detect.KindQuery, "JyBvciAxPTEgLS0=", []string{"JyBvciAxPTEgLS0=", "' or 1=1 --"}, Base64Encoded},
		{"base64 flat", detect.KindQuery, "JyBvciAxPTEgLS0", []string{"JyBvciAxPTEgLS0", "' or 1=1 --"}, Base64Encoded},
		{"base64 with plus", detect.KindQuery, "Pj4+Pj4+Pj4+Pj4+", []string{"Pj4+Pj4+Pj4+Pj4+", "Pj4 Pj4 Pj4 Pj4 ", ">>>>>>>>>>>>"}, Percent | Base64Encoded},
		{"url-encoded base64", detect.KindQuery, "JyBvciAxPTEgLS0%3D", []string{"JyBvciAxPTEgLS0%3D", "JyBvciAxPTEgLS0=", "' or 1=1 --"}, Percent | Base64Encoded},
		{"not base64", detect.KindCookie, "5f4dcc3b5aa765d61d8327deb882cf99", []string{"5f4dcc3b5aa765d61d8327deb882cf99"}, 0},
		{"every stage", detect.KindQuery, "%26lt;\\x73%EF%BC%9E%00+dGhpcyBpcyBhIHRlc3Q=",
			[]string{"%26lt;\\x73%EF%BC%9E%00+dGhpcyBpcyBhIHRlc3Q=", "&lt;\\x73＞\x00 dGhpcyBpcyBhIHRlc3Q=", "<\\x73＞\x00 dGhpcyBpcyBhIHRlc3Q=", "<s＞\x00 dGhpcyBpcyBhIHRlc3Q=", "<s> dGhpcyBpcyBhIHRlc3Q="},
			Percent | HTMLEntity | JSEscape | Fullwidth | NUL},
		{"html that undoes itself", detect.KindJSON, "&amp;", []string{"&amp;", "&"}, HTMLEntity},
		{"plus sent as %2B", detect.KindQuery, "%27%2B%28SELECT+1%29%2B%27", []string{"%27%2B%28SELECT+1%29%2B%27", "'+(SELECT 1)+'", "' (SELECT 1) '"}, Percent},
		{"html twice", detect.KindJSON, "confirm&amp;lpar;1&amp;rpar;", []string{"confirm&amp;lpar;1&amp;rpar;", "confirm&lpar;1&rpar;", "confirm(1)"}, HTMLEntity},
		{"form-encoded json string", detect.KindJSON, "%3Ca+b%3E", []string{"%3Ca+b%3E", "<a b>"}, Percent},
		{"plus alone in json", detect.KindJSON, "C++ and a+b", []string{"C++ and a+b"}, 0},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Variants(tt.in, tt.kind, nil)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Variants(%q, %v) = %q, want %q", tt.in, tt.kind, got, tt.want)
			}
			if f := d.Flags(); f != tt.flags {
				t.Errorf("Variants(%q, %v) flags = %v, want %v", tt.in, tt.kind, f, tt.flags)
			}
		})
	}
}

func TestVariantsAppends(t *testing.T) {
	var d Decoder
	dst := d.Variants("%3C", detect.KindQuery, []string{"x"})
	if !slices.Equal(dst, []string{"x", "%3C", "<"}) {
		t.Errorf("Variants appended %q", dst)
	}
	// Strings from one call survive the next.
	again := d.Variants("%3E", detect.KindQuery, nil)
	if dst[2] != "<" || again[1] != ">" {
		t.Errorf("variants changed under reuse: %q, %q", dst, again)
	}
}

func TestVariantsFastPathAllocs(t *testing.T) {
	var d Decoder
	dst := make([]string, 0, MaxVariants)
	for _, v := range []string{
		"hello world", "/api/v1/users/42", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0",
		"5f4dcc3b5aa765d61d8327deb882cf99", "Crème brûlée", "100%", "a+b",
	} {
		d.Variants(v, detect.KindHeader, dst[:0]) // warm the buffers
		if n := testing.AllocsPerRun(100, func() { dst = d.Variants(v, detect.KindHeader, dst[:0]) }); n != 0 {
			t.Errorf("Variants(%q) allocates %v times", v, n)
		}
	}
}

func TestVariantsBound(t *testing.T) {
	var d Decoder
	for _, unit := range []string{"%25252e", "&#60;", `\u003c`, "%u003c", "\xc0\xae", "＜", "PHNjcmlwdD4=", "&acE;", "%F0%80%80%AE"} {
		in := strings.Repeat(unit, 2000)
		got := d.Variants(in, detect.KindQuery, nil)
		if len(got) > MaxVariants {
			t.Errorf("Variants(%q×2000) gave %d variants", unit, len(got))
		}
		for _, v := range got {
			if len(v) > len(in) {
				t.Errorf("Variants(%q×2000) has a variant of %d bytes > %d", unit, len(v), len(in))
			}
		}
	}
}

func FuzzVariants(f *testing.F) {
	for _, s := range []string{
		"hello", "%253Cscript%253E", "&lt;x&gt;", `\u003c`, "%c0%ae", "＜", "a%00b", "JyBvciAxPTEgLS0=",
		"%26lt;\\x73%EF%BC%9E%00+dGhpcyBpcyBhIHRlc3Q=", "%uD83D%uDE00", "&#0000060",
	} {
		f.Add(s, uint8(detect.KindQuery))
	}
	var d Decoder
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		if len(s) > 8192 {
			return
		}
		kind := detect.Kind(k%10 + 1)
		got := d.Variants(s, kind, nil)
		if len(got) == 0 || got[0] != s {
			t.Fatalf("Variants(%q)[0] = %q, want the value itself", s, got)
		}
		if len(got) > MaxVariants {
			t.Fatalf("Variants(%q) gave %d variants", s, len(got))
		}
		for i, v := range got {
			if len(v) > len(s) {
				t.Fatalf("Variants(%q)[%d] = %q is longer than the value", s, i, v)
			}
			for _, w := range got[:i] {
				if v == w {
					t.Fatalf("Variants(%q) repeats %q", s, v)
				}
			}
		}
		f1 := d.Flags()
		if again := d.Variants(s, kind, nil); !slices.Equal(again, got) || d.Flags() != f1 {
			t.Fatalf("Variants(%q) differs on a second call", s)
		}
	})
}

var benchValues = []struct{ name, v string }{
	{"plain", "select a plan for the summer"},
	{"ua", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"},
	{"token", "5f4dcc3b5aa765d61d8327deb882cf99"},
	{"encoded", "%3Cscript%3Ealert%28document.cookie%29%3C%2Fscript%3E"},
	{"double", "%253Cscript%253Ealert%25281%2529%253C%252Fscript%253E"},
	{"entities", "&lt;img src=x onerror=&#x61;lert(1)&gt;"},
	{"base64", "PHNjcmlwdD5hbGVydChkb2N1bWVudC5jb29raWUpPC9zY3JpcHQ+"},
}

func BenchmarkVariants(b *testing.B) {
	for _, bv := range benchValues {
		b.Run(bv.name, func(b *testing.B) {
			var d Decoder
			dst := make([]string, 0, MaxVariants)
			b.SetBytes(int64(len(bv.v)))
			b.ReportAllocs()
			for b.Loop() {
				dst = d.Variants(bv.v, detect.KindQuery, dst[:0])
			}
		})
	}
}
