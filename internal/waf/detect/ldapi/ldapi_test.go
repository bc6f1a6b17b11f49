package ldapi

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

func TestParser(t *testing.T) {
	tests := []struct {
		in         string
		items, ops int
		ok         bool
	}{
		{"(uid=x)", 1, 0, true},
		{"(&(a=1)(b=2))", 2, 1, true},
		{"(|(a=1)(!(b=2)))", 2, 2, true},
		{"(&)", 0, 1, true},
		{"(&(a=1", 1, 1, true},
		{"(cn:dn:2.5.13.5:=x)", 1, 0, true},
		{"(a~=b)", 1, 0, true},
		{"(see above)", 0, 0, false},
		{"(=x)", 0, 0, false},
		{"(!(a=1)(b=2))", 0, 0, false},
		{"(a=(b))", 0, 0, false},
	}
	for _, tt := range tests {
		p := parser{s: tt.in}
		sh, ok := p.filter(0)
		if ok != tt.ok || ok && (sh.items != tt.items || sh.ops != tt.ops) {
			t.Errorf("filter(%q) = %+v, %v; want items %d, ops %d, %v", tt.in, sh, ok, tt.items, tt.ops, tt.ok)
		}
	}
}

// FuzzParser checks the filter parser never panics or reads past its
// input, and that Detect locates matches inside the value.
func FuzzParser(f *testing.F) {
	for _, s := range readCorpus(f, "attack.txt", detect.KindQuery) {
		f.Add(s.Value)
	}
	f.Add(strings.Repeat("(&", 40))
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		p := parser{s: s}
		if _, ok := p.filter(0); ok && p.pos > len(s) {
			t.Errorf("filter(%q) ended at %d, past the input", s, p.pos)
		}
		for _, m := range d.Detect(&detect.Input{Value: s, Raw: s, Kind: detect.KindQuery}, nil) {
			if m.Off < 0 || m.Off+m.Len > len(s) {
				t.Errorf("Detect(%q) locates %+v outside the value", s, m)
			}
		}
	})
}

func TestBounds(t *testing.T) {
	d := New()
	for _, v := range []string{
		strings.Repeat("(&", 30000),
		strings.Repeat(")(a=", 16000),
		strings.Repeat("(", 65536),
		strings.Repeat(":1.1:=", 10000),
	} {
		d.Detect(&detect.Input{Value: v, Raw: v, Kind: detect.KindQuery}, nil)
	}
}

func TestDatasets(t *testing.T) {
	ratio, fp := measure(t, New(), readCorpus(t, "benign.txt", detect.KindQuery), "ldapi")
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
	for _, v := range []string{"Zoë O'Brien (née Smith), 12 Select Street", "*)(uid=*))(|(uid=*"} {
		in := detect.Input{Value: v, Raw: v, Kind: detect.KindQuery}
		if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n > 0 {
			t.Errorf("Detect(%q) allocates %v times, want 0", v, n)
		}
	}
}

func benchmark(b *testing.B, v string) {
	d := New()
	in := detect.Input{Value: v, Raw: v, Kind: detect.KindQuery, Name: "q"}
	dst := make([]detect.Match, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		dst = d.Detect(&in, dst[:0])
	}
}

func BenchmarkBenign(b *testing.B) { benchmark(b, "Zoe O'Brien, 12 Select Street, Union City") }
func BenchmarkBenignParens(b *testing.B) {
	benchmark(b, "the filter (uid=jdoe) is used (see above) by f(x)=(a=b)")
}
func BenchmarkAttack(b *testing.B) { benchmark(b, "*)(uid=*))(|(uid=*") }
