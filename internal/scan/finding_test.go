package scan

import (
	"slices"
	"testing"
)

func TestSetDeduplicates(t *testing.T) {
	s := NewSet()
	hsts := func(u string) Finding {
		return Finding{Check: "headers.hsts", Severity: SeverityMedium, Confidence: ConfidenceFirm, URLs: []string{u}}
	}
	s.Add(hsts("https://a.example/z"))
	s.Add(hsts("https://a.example/b"))
	s.Add(hsts("https://a.example/b"))
	s.Add(hsts("https://other.example/"))
	xss := Finding{Check: "xss.reflected", Severity: SeverityHigh, Confidence: ConfidenceFirm, Parameter: "query:q", URLs: []string{"https://a.example/search?q=1"}}
	s.Add(xss)
	better := xss
	better.Confidence = ConfidenceConfirmed
	better.URLs = []string{"https://a.example/search?q=2"}
	better.Evidence.Detail = "parsed"
	s.Add(better)
	other := xss
	other.URLs = []string{"https://a.example/find?q=1"} // another path: another flaw
	s.Add(other)

	fs := s.Findings()
	if len(fs) != 4 {
		t.Fatalf("%d findings, want 4: %+v", len(fs), fs)
	}
	if fs[0].Check != "xss.reflected" || fs[1].Check != "xss.reflected" || fs[0].Severity != SeverityHigh {
		t.Errorf("not sorted by severity: %s %s", fs[0].Check, fs[1].Check)
	}
	for _, f := range fs {
		switch {
		case f.Check == "headers.hsts" && f.URLs[0] == "https://a.example/z":
			if !slices.Equal(f.URLs, []string{"https://a.example/z", "https://a.example/b"}) {
				t.Errorf("hsts URLs %v", f.URLs)
			}
		case f.Check == "xss.reflected" && slices.Contains(f.URLs, "https://a.example/search?q=1"):
			if f.Confidence != ConfidenceConfirmed || f.Evidence.Detail != "parsed" || f.URLs[0] != "https://a.example/search?q=2" {
				t.Errorf("the confirmed report did not win: %+v", f)
			}
		}
	}
}

func TestParseSeverity(t *testing.T) {
	for _, s := range []string{"info", "LOW", "Medium", "high", "critical"} {
		if _, err := ParseSeverity(s); err != nil {
			t.Errorf("ParseSeverity(%q) = %v", s, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity(severe) accepted")
	}
}

func BenchmarkSetAddSameFinding(b *testing.B) {
	s := NewSet()
	urls := make([]string, 2000)
	for i := range urls {
		urls[i] = "https://a.example/p" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
	}
	b.ResetTimer()
	for i := range b.N {
		s.Add(Finding{Check: "headers.hsts", URLs: []string{urls[i%len(urls)]}})
	}
}
