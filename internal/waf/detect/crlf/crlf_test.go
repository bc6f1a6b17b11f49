package crlf

import (
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

func TestCorpus(t *testing.T) {
	d := New()
	for _, s := range readCorpus(t, "attack.txt", detect.KindQuery) {
		if !caught(d, s.Kind, s.Name, s.Value) {
			_, ms := score(d, &detect.Input{Value: s.Value, Raw: s.Value, Kind: s.Kind, Name: s.Name})
			t.Errorf("attack.txt:%d: Detect(%s %q) = %v, want a score of 5", s.Line, s.Kind, s.Value, ms)
		}
	}
	for _, s := range readCorpus(t, "benign.txt", detect.KindQuery) {
		if caught(d, s.Kind, s.Name, s.Value) {
			_, ms := score(d, &detect.Input{Value: s.Value, Raw: s.Value, Kind: s.Kind, Name: s.Name})
			t.Errorf("benign.txt:%d: Detect(%s %q) = %v, want below 5", s.Line, s.Kind, s.Value, ms)
		}
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"RCPT TO: <a@b>", true},
		{"mail from:<a@b>", true},
		{"QUIT", true},
		{"Quit", false},
		{"A001 FETCH 1:*", true},
		{"V100 CAPABILITY", true},
		{"12 SELECT STREET", false},
		{"A1 select x", false},
		{"EHLO x", true},
		{"EHLO", false},
	}
	for _, tt := range tests {
		if got := commandLine(tt.in); got != tt.want {
			t.Errorf("commandLine(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzDetect checks Detect never panics, locates matches inside the value
// and finds nothing in a value without line-break candidates.
func FuzzDetect(f *testing.F) {
	for _, s := range readCorpus(f, "attack.txt", detect.KindQuery) {
		f.Add(s.Value, uint8(s.Kind))
	}
	d := New()
	f.Fuzz(func(t *testing.T, s string, kind uint8) {
		if len(s) > 4096 {
			return
		}
		in := detect.Input{Value: s, Raw: s, Kind: detect.Kind(kind%10 + 1)}
		ms := d.Detect(&in, nil)
		for _, m := range ms {
			if m.Off < 0 || m.Off+m.Len > len(s) {
				t.Errorf("Detect(%q) locates %+v outside the value", s, m)
			}
		}
		if len(ms) > 0 && !strings.ContainsAny(s, "\r\n") && !hasBreakCandidate(s) {
			t.Errorf("Detect(%q) = %v without a line break", s, ms)
		}
	})
}

func TestDatasets(t *testing.T) {
	ratio, fp := measure(t, New(), readCorpus(t, "benign.txt", detect.KindQuery), "crlf")
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
	for _, v := range []string{"Zoë O'Brien, 12 Select Street, Union City", "Hello,\nI would like to change my address.\nThanks", "a\r\nSet-Cookie: a=b"} {
		in := detect.Input{Value: v, Raw: v, Kind: detect.KindForm}
		if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n > 0 {
			t.Errorf("Detect(%q) allocates %v times, want 0", v, n)
		}
	}
}

func benchmark(b *testing.B, kind detect.Kind, v string) {
	d := New()
	in := detect.Input{Value: v, Raw: v, Kind: kind, Name: "q"}
	dst := make([]detect.Match, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		dst = d.Detect(&in, dst[:0])
	}
}

func BenchmarkBenign(b *testing.B) {
	benchmark(b, detect.KindQuery, "Zoe O'Brien, 12 Select Street, Union City")
}
func BenchmarkBenignText(b *testing.B) {
	benchmark(b, detect.KindForm, "Hello,\n\nI would like to change my delivery address to Zoë O'Brien, 12 Select Street.\nThanks")
}
func BenchmarkAttack(b *testing.B) {
	benchmark(b, detect.KindForm, "victim@example.com\r\nBcc: spam1@example.net")
}
