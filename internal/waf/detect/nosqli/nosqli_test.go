package nosqli

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

func TestTokenize(t *testing.T) {
	var buf [maxTokens]token
	toks := tokenize(`a.b('x\'y') || 1==1 // c`, 0, buf[:0])
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text)
	}
	want := []string{"a", ".", "b", "(", `'x\'y'`, ")", "||", "1", "==", "1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("tokenize = %q, want %q", got, want)
	}
}

// FuzzDetect checks the tokenizer and Detect never panic, keep tokens
// inside the value and locate matches inside it.
func FuzzDetect(f *testing.F) {
	for _, s := range readCorpus(f, "attack.txt", detect.KindQuery) {
		f.Add(s.Value, s.Kind == detect.KindArgName)
	}
	d := New()
	f.Fuzz(func(t *testing.T, s string, argName bool) {
		if len(s) > 4096 {
			return
		}
		var buf [maxTokens]token
		for _, tk := range tokenize(s, 0, buf[:0]) {
			if off := tk.off; off < 0 || off+len(tk.text) > len(s) || s[off:off+len(tk.text)] != tk.text {
				t.Errorf("tokenize(%q) gave %+v, not a piece of the input", s, tk)
			}
		}
		kind := detect.KindJSON
		if argName {
			kind = detect.KindArgName
		}
		for _, m := range d.Detect(&detect.Input{Value: s, Raw: s, Kind: kind}, nil) {
			if m.Off < 0 || m.Off+m.Len > len(s) {
				t.Errorf("Detect(%q) locates %+v outside the value", s, m)
			}
		}
	})
}

func TestDatasets(t *testing.T) {
	ratio, fp := measure(t, New(), readCorpus(t, "benign.txt", detect.KindQuery), "nosqli")
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
	for _, v := range []string{"Zoë O'Brien, 12 Select Street", "if (a == b) { return true; }", "';return true;var x='"} {
		in := detect.Input{Value: v, Raw: v, Kind: detect.KindQuery}
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
func BenchmarkBenignPunct(b *testing.B) {
	benchmark(b, detect.KindQuery, "It's 5 o'clock; time for tea & cake (and $5 coffee)")
}
func BenchmarkBenignArgName(b *testing.B) { benchmark(b, detect.KindArgName, "user[address][city]") }
func BenchmarkAttack(b *testing.B)        { benchmark(b, detect.KindQuery, "';return true;var x='") }
