package xxe

import (
	"strings"
	"testing"
	"unicode/utf8"

	"rampart/internal/waf/detect"
)

func TestCorpus(t *testing.T) {
	d := New()
	for _, s := range readCorpus(t, "attack.txt", detect.KindBody) {
		if !caught(d, s.Kind, s.Name, s.Value) {
			_, ms := score(d, &detect.Input{Value: s.Value, Raw: s.Value, Kind: s.Kind, Name: s.Name})
			t.Errorf("attack.txt:%d: Detect(%s %q) = %v, want a score of 5", s.Line, s.Kind, s.Value, ms)
		}
	}
	for _, s := range readCorpus(t, "benign.txt", detect.KindBody) {
		if caught(d, s.Kind, s.Name, s.Value) {
			_, ms := score(d, &detect.Input{Value: s.Value, Raw: s.Value, Kind: s.Kind, Name: s.Name})
			t.Errorf("benign.txt:%d: Detect(%s %q) = %v, want below 5", s.Line, s.Kind, s.Value, ms)
		}
	}
}

func TestDecodeUTF7(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+ADw-foo+AD4-", "<foo>"},
		{"a+-b", "a+b"},
		{"+ADwAIQ-DOCTYPE", "<!DOCTYPE"},
		{"Hi Mom -+Jjo--!", "Hi Mom -\u263a-!"},
		{"+2D3cAA-", "\U0001f400"},
		{"1 + 1", "1 + 1"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := decodeUTF7(tt.in); got != tt.want {
			t.Errorf("decodeUTF7(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzDetect checks the declaration parser and the UTF-7 decoder never
// panic, stay bounded and locate matches inside the value.
func FuzzDetect(f *testing.F) {
	for _, s := range readCorpus(f, "attack.txt", detect.KindBody) {
		f.Add(s.Value)
	}
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		if u := decodeUTF7(s); len(u) > 2*len(s) || !strings.Contains(s, "+") && u != s && utf8.ValidString(s) {
			t.Errorf("decodeUTF7(%q) = %q", s, u)
		}
		for _, m := range d.Detect(&detect.Input{Value: s, Raw: s, Kind: detect.KindBody}, nil) {
			if m.Off < 0 || m.Off+m.Len > len(s) {
				t.Errorf("Detect(%q) locates %+v outside the value", s, m)
			}
		}
	})
}

func TestBounds(t *testing.T) {
	d := New()
	for _, v := range []string{
		strings.Repeat("<!DOCTYPE a [", 5000),
		strings.Repeat("<!ENTITY % a '&b;&c;'>", 3000),
		strings.Repeat("schemaLocation=\"a ", 3000),
		strings.Repeat("+ADw-", 13000),
		strings.Repeat("<a:include ", 6000),
	} {
		d.Detect(&detect.Input{Value: v, Raw: v, Kind: detect.KindBody}, nil)
	}
}

func TestDatasets(t *testing.T) {
	ratio, fp := measure(t, New(), readCorpus(t, "benign.txt", detect.KindBody), "xxe")
	if ratio < 0.99 {
		t.Errorf("detected %.2f%%, want 99%%", 100*ratio)
	}
	if fp > 0 {
		t.Errorf("%d false positives", fp)
	}
}

func TestAllocs(t *testing.T) {
	d := New()
	dst := make([]detect.Match, 0, 8)
	for _, v := range []string{"Zoë O'Brien, 12 Select Street", "<b>bold</b> and <a href=\"/x\">link</a>", "<!DOCTYPE a [<!ENTITY b SYSTEM \"file:///etc/passwd\">]>"} {
		in := detect.Input{Value: v, Raw: v, Kind: detect.KindBody}
		if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n > 0 {
			t.Errorf("Detect(%q) allocates %v times, want 0", v, n)
		}
	}
}

func benchmark(b *testing.B, v string) {
	d := New()
	in := detect.Input{Value: v, Raw: v, Kind: detect.KindBody}
	dst := make([]detect.Match, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		dst = d.Detect(&in, dst[:0])
	}
}

func BenchmarkBenign(b *testing.B) { benchmark(b, "Zoe O'Brien, 12 Select Street, Union City") }
func BenchmarkBenignXML(b *testing.B) {
	benchmark(b, `<?xml version="1.0" encoding="UTF-8"?><order><id>42</id><item sku="A-1">Zoe's mug</item><note>deliver after 5pm</note></order>`)
}
func BenchmarkAttack(b *testing.B) {
	benchmark(b, `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`)
}
