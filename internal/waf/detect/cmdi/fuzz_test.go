package cmdi

import (
	"testing"

	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/detecttest"
)

// fuzzMax bounds fuzz inputs; the detector itself is bounded by
// detect.MaxValue.
const fuzzMax = 8 << 10

func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"testdata/attack.txt", "testdata/benign.txt"} {
		for _, v := range detecttest.ReadLines(f, name) {
			f.Add(v)
		}
	}
	for _, v := range []string{"{a,{b,c}", "$'\\x", "${", "$((", "%a:~1", "`$(`", "\"$(\"`)`\"", "c:\\x\\", "^", "2>&", "{,}", "((()))))"} {
		f.Add(v)
	}
}

// FuzzLexer checks that the shell lexer always finishes, consumes input
// on every call, keeps tokens in order and inside the input, and bounds
// its words.
func FuzzLexer(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > fuzzMax {
			return
		}
		for _, q := range []byte{0, '\'', '"'} {
			var l lexer
			l.reset(s, q)
			prev := 0
			for calls := 0; ; calls++ {
				if calls > len(s)+1 {
					t.Fatalf("lex(%q): more tokens than bytes", s)
				}
				before := l.i
				tk := l.next()
				if tk.kind == tokEOF {
					break
				}
				if l.i <= before {
					t.Fatalf("lex(%q): next consumed nothing at %d", s, before)
				}
				if tk.off < prev || tk.end < tk.off || tk.end > len(s) {
					t.Fatalf("lex(%q): token %+v out of order or bounds (prev %d)", s, tk, prev)
				}
				if len(tk.text) > wordMax {
					t.Fatalf("lex(%q): word of %d bytes", s, len(tk.text))
				}
				prev = tk.off
			}
		}
	})
}

// FuzzDetect checks that Detect never panics and reports well-formed
// matches located inside the value.
func FuzzDetect(f *testing.F) {
	fuzzSeeds(f)
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > fuzzMax {
			return
		}
		in := detect.Input{Value: s, Raw: s, Kind: detect.KindQuery, Name: "cmd"}
		for _, m := range d.Detect(&in, nil) {
			if m.Class != detect.Cmdi || m.Score < 1 || m.Score > 5 || m.Paranoia < 1 || m.Paranoia > 4 ||
				m.Off < 0 || m.Len < 0 || m.Off+m.Len > len(s) || m.Rule == "" {
				t.Fatalf("Detect(%q) = %+v: malformed match", s, m)
			}
		}
	})
}
