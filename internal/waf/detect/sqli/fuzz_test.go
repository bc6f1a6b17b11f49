package sqli

import (
	"testing"
	"time"

	"rampart/internal/waf/detect"
)

// maxFuzz bounds fuzz inputs; detectors see at most detect.MaxValue.
const maxFuzz = 4 << 10

func seed(f *testing.F) {
	for _, name := range []string{"testdata/attack.txt", "testdata/benign.txt"} {
		for _, v := range readCorpus(f, name) {
			f.Add(v)
		}
	}
	for _, v := range []string{"", "'", "\"", "/*!", "/*", "--", "#", "\\", "@", "0x", "1e", "x'", "[", "`", "((((", "a/**/b"} {
		f.Add(v)
	}
}

// FuzzTokenize checks that tokens are ordered, do not overlap, stay in the
// value and never exceed maxTokens.
func FuzzTokenize(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzz {
			return
		}
		toks := tokenize(s, nil)
		if len(toks) > maxTokens {
			t.Fatalf("%d tokens, want at most %d", len(toks), maxTokens)
		}
		prev := 0
		for i, tk := range toks {
			if tk.off < prev || tk.end < tk.off || int(tk.end) > len(s) {
				t.Fatalf("token %d [%d, %d) out of order or bounds (previous end %d, len %d)", i, tk.off, tk.end, prev, len(s))
			}
			if tk.end == tk.off && tk.kind != tComment {
				t.Fatalf("token %d kind %d is empty", i, tk.kind)
			}
			if tk.kind == tComment && i != len(toks)-1 {
				t.Fatalf("comment token %d is not last", i)
			}
			prev = tk.end
		}
	})
}

// FuzzDetect checks that Detect neither panics nor reports matches outside
// the value, and that it gives the same answer twice (no state leaks
// through the pooled scratch space).
func FuzzDetect(f *testing.F) {
	seed(f)
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzz {
			return
		}
		in := detect.Input{Value: s, Raw: s, Kind: detect.KindQuery, Name: "q"}
		a := d.Detect(&in, nil)
		b := d.Detect(&in, nil)
		if len(a) != len(b) {
			t.Fatalf("Detect(%q) gave %d then %d matches", s, len(a), len(b))
		}
		for i, m := range a {
			if m != b[i] {
				t.Fatalf("Detect(%q) gave %+v then %+v", s, m, b[i])
			}
			if m.Off < 0 || m.Len < 0 || m.Off+m.Len > len(s) {
				t.Fatalf("Detect(%q) match %+v outside the value", s, m)
			}
			if m.Class != detect.SQLi || m.Score < 1 || m.Score > 5 || m.Paranoia < 1 || m.Paranoia > 4 {
				t.Fatalf("Detect(%q) match %+v malformed", s, m)
			}
		}
	})
}

// TestWorstCase runs long adversarial values; a parser that retries or
// backtracks without bound would take seconds here instead of
// milliseconds.
func TestWorstCase(t *testing.T) {
	d := New()
	unit := []string{
		"(", "((select ", "' or (", "1 and (1=1 and ", "exec a ", "case when 1=1 then ", "/*!", "a/**/b",
		"(select a from (select ", "sleep(", "' union select (", ",(", "1' (", "if(1,", "--\n", "'",
	}
	for _, u := range unit {
		var b []byte
		for len(b) < detect.MaxValue-len(u) {
			b = append(b, u...)
		}
		v := string(b)
		in := detect.Input{Value: v, Raw: v, Kind: detect.KindBody}
		start := time.Now()
		d.Detect(&in, nil)
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("Detect(%q repeated to %d bytes) took %v", u, len(v), el)
		} else {
			t.Logf("%q x %d: %v", u, len(v)/len(u), el)
		}
	}
}
