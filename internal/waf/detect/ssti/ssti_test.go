package ssti

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

func TestAnalyse(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"7*7", fArith},
		{"name", 0},
		{"user.name | upper", 0},
		{"''.__class__", fDunder | fLitMember},
		{"config.items()", fGlobal | fChain},
		{"url_for('x')", fCall},
		{"a + 1", fCompute},
		{"T(java.lang.Runtime)", fCall | fStatic | fSink},
		{"app.request.server", fGlobal | fGlobalChain},
		{"request.args|join(',')", fGlobal | fCall},
		{"request.args|filter('system')", fGlobal | fGlobalChain | fCall | fSink},
		{"request.user.username", fGlobal},
		{"request.path", fGlobal},
		{"item.price|number_format(2)", fCall},
		{"list 1..3 as x", fRange},
		{"list 0..<n as i", 0},
	}
	for _, tt := range tests {
		if got := features(tt.in); got != tt.want {
			t.Errorf("features(%q) = %b, want %b", tt.in, got, tt.want)
		}
	}
}

func TestChunks(t *testing.T) {
	for n := 0; n < 3*chunk; n++ {
		in := strings.Repeat("a, ", n) + "''.__class__"
		if got := features(in); got&fDunder == 0 {
			t.Errorf("features(%d names, then a dunder) = %b, want the dunder", n, got)
		}
	}
}

// FuzzDetect checks the delimiter scanner and expression tokenizer never
// panic, keep tokens inside the input and locate matches inside the value.
func FuzzDetect(f *testing.F) {
	for _, s := range readCorpus(f, "attack.txt", detect.KindQuery) {
		f.Add(s.Value)
	}
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		var buf [chunk]token
		for _, tk := range tokenize(s, buf[:0]) {
			if tk.text == "" || tk.off+len(tk.text) > len(s) || s[tk.off:tk.off+len(tk.text)] != tk.text {
				t.Errorf("tokenize(%q) gave %+v, not a piece of the input", s, tk)
			}
		}
		_ = features(s)
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
		strings.Repeat("{{", 30000),
		strings.Repeat("${", 30000),
		strings.Repeat("{a(", 20000),
		strings.Repeat("$a.b(", 12000),
		strings.Repeat("#set(", 12000),
		strings.Repeat("<%", 30000),
	} {
		d.Detect(&detect.Input{Value: v, Raw: v, Kind: detect.KindQuery}, nil)
	}
}

func TestDatasets(t *testing.T) {
	ratio, fp := measure(t, New(), readCorpus(t, "benign.txt", detect.KindQuery), "ssti")
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
	for _, v := range []string{"Zoë O'Brien, 12 Select Street", "Hello {{name}}, your order {{order_id}} has shipped.", "{{''.__class__.__mro__}}"} {
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
func BenchmarkBenignTemplate(b *testing.B) {
	benchmark(b, "Hello {{name}}, your order {{order_id}} ships on ${date} to zoe@example.com #123")
}
func BenchmarkAttack(b *testing.B) { benchmark(b, "{{''.__class__.__mro__[1].__subclasses__()}}") }
