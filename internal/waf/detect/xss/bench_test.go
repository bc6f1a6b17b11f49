package xss

import (
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

// benchValues are typical values: what most requests carry, markup a
// rich-text field carries, and attacks.
var benchValues = []struct{ name, v string }{
	{"benign/name", "Zoë O'Brien"},
	{"benign/address", "c/ del ferrocarril, 152, 3º 2ª"},
	{"benign/number", "1442431887503330"},
	{"benign/url", "https://example.com/search?q=select+a+plan&page=2"},
	{"benign/sentence", "Please confirm (yes/no) that the 12:30 meeting moved to Room 4."},
	{"benign/richtext", `<p>Hello <b>world</b>, see <a href="https://example.com/docs">the docs</a>.</p>`},
	{"benign/useragent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"},
	{"benign/text-1k", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 23)},
	{"attack/event-handler", `"><svg onload=alert(1)>`},
	{"attack/img-onerror", `<img src=x onerror=alert(document.cookie)>`},
	{"attack/breakout", `';alert(document.cookie)//`},
	{"attack/js-url", `<a href="java	script:alert(1)">x</a>`},
	{"attack/template", `{{constructor.constructor('alert(1)')()}}`},
}

func BenchmarkDetect(b *testing.B) {
	d := New()
	dst := make([]detect.Match, 0, 16)
	for _, bv := range benchValues {
		b.Run(bv.name, func(b *testing.B) {
			in := detect.Input{Value: bv.v, Raw: bv.v, Kind: detect.KindQuery}
			b.SetBytes(int64(len(bv.v)))
			b.ReportAllocs()
			for b.Loop() {
				dst = d.Detect(&in, dst[:0])
			}
		})
	}
}

// BenchmarkDetectWorst measures adversarial 64 KiB values: every few bytes
// a trigger, unclosed tags, calls, strings and expressions.
func BenchmarkDetectWorst(b *testing.B) {
	d := New()
	dst := make([]detect.Match, 0, 16)
	for _, w := range []struct {
		name, unit string
		kind       detect.Kind
	}{
		{"tags", "<a b='<a b='", detect.KindForm},
		{"calls", "alert(alert(", detect.KindForm},
		{"callbacks", "f.map(g.find(", detect.KindForm},
		{"quotes", `'"'-alert(`, detect.KindForm},
		{"brackets", "window[window[", detect.KindForm},
		{"handlers", " onload=onload=", detect.KindForm},
		{"schemes", "javascript:javascript:", detect.KindForm},
		{"braces", "{{${{{${", detect.KindForm},
		{"sink-vars", "a=alert;", detect.KindForm},
		{"styles", "<style>@import", detect.KindForm},
		{"breakouts", `' a=' b=`, detect.KindQuery},
		{"css-escapes", `<p style=\75>`, detect.KindForm},
		{"stripped", "o<x>n", detect.KindForm},
	} {
		v := strings.Repeat(w.unit, detect.MaxValue/len(w.unit))
		b.Run(w.name, func(b *testing.B) {
			in := detect.Input{Value: v, Raw: v, Kind: w.kind}
			b.SetBytes(int64(len(v)))
			b.ReportAllocs()
			for b.Loop() {
				dst = d.Detect(&in, dst[:0])
			}
		})
	}
}
