package scanner

import (
	"testing"

	"rampart/internal/waf/detect"
)

func TestCorpus(t *testing.T) {
	d := New()
	for _, s := range readCorpus(t, "attack.txt", detect.KindHeader) {
		if s.Kind == detect.KindHeader && s.Name == "" {
			s.Name = "user-agent"
		}
		if !caught(d, s.Kind, s.Name, s.Value) {
			_, ms := score(d, &detect.Input{Value: s.Value, Raw: s.Value, Kind: s.Kind, Name: s.Name})
			t.Errorf("attack.txt:%d: Detect(%s %q) = %v, want a score of 5", s.Line, s.Kind, s.Value, ms)
		}
	}
	for _, s := range readCorpus(t, "benign.txt", detect.KindHeader) {
		if s.Kind == detect.KindHeader && s.Name == "" {
			s.Name = "user-agent"
		}
		if caught(d, s.Kind, s.Name, s.Value) {
			_, ms := score(d, &detect.Input{Value: s.Value, Raw: s.Value, Kind: s.Kind, Name: s.Name})
			t.Errorf("benign.txt:%d: Detect(%s %q) = %v, want below 5", s.Line, s.Kind, s.Value, ms)
		}
	}
}

func TestToolsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, tl := range tools {
		if seen[tl.token] {
			t.Errorf("tool %q listed twice", tl.token)
		}
		seen[tl.token] = true
		for i := 0; i < len(tl.token); i++ {
			if c := tl.token[i]; c >= 'A' && c <= 'Z' || i == 0 && (c < 'a' || c > 'z') {
				t.Errorf("tool %q must be lower case and start with a letter", tl.token)
			}
		}
	}
}

// FuzzDetect checks Detect never panics and locates matches inside the value.
func FuzzDetect(f *testing.F) {
	for _, s := range readCorpus(f, "attack.txt", detect.KindHeader) {
		f.Add(s.Value)
	}
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		for _, m := range d.Detect(&detect.Input{Value: s, Raw: s, Kind: detect.KindHeader, Name: "user-agent"}, nil) {
			if m.Off < 0 || m.Off+m.Len > len(s) {
				t.Errorf("Detect(%q) locates %+v outside the value", s, m)
			}
		}
	})
}

func TestDatasets(t *testing.T) {
	own := readCorpus(t, "benign.txt", detect.KindHeader)
	for i := range own {
		if own[i].Kind == detect.KindHeader && own[i].Name == "" {
			own[i].Name = "user-agent"
		}
	}
	ratio, fp := measure(t, New(), own, "scanner")
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
	in := detect.Input{Value: "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0", Kind: detect.KindHeader, Name: "user-agent"}
	if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n > 0 {
		t.Errorf("Detect allocates %v times, want 0", n)
	}
}

func benchmark(b *testing.B, v string) {
	d := New()
	in := detect.Input{Value: v, Raw: v, Kind: detect.KindHeader, Name: "user-agent"}
	dst := make([]detect.Match, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		dst = d.Detect(&in, dst[:0])
	}
}

func BenchmarkBenign(b *testing.B) {
	benchmark(b, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36")
}
func BenchmarkAttack(b *testing.B) { benchmark(b, "sqlmap/1.7.2#stable (https://sqlmap.org)") }
