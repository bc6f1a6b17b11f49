package traversal

import (
	"strings"
	"testing"

	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/detecttest"
)

const fuzzMax = 8 << 10

func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"testdata/attack.txt", "testdata/benign.txt"} {
		for _, v := range detecttest.ReadLines(f, name) {
			f.Add(v)
		}
	}
	for _, v := range []string{"%", "%c0", "%c0%", "%e0%80", "\xc0", "\xe0\x80", "0x", "0x2", "file:", "file://", "\\\\", "//x", "a://", "data:,", "..;", ".. ", "c:"} {
		f.Add(v)
	}
}

// FuzzNormalize checks the path normaliser: it never writes more than it
// reads or than its buffer, leaves plain paths alone, and its output
// cleans without panicking.
func FuzzNormalize(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > fuzzMax {
			return
		}
		var p norm
		p.normalize(s)
		if p.n > len(s) || p.n > tokenMax {
			t.Fatalf("normalize(%q) wrote %d bytes", s, p.n)
		}
		plain := !strings.ContainsAny(s, "%\\\x00") && !strings.Contains(strings.ToLower(s), "0x")
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				plain = false
			}
		}
		if plain && len(s) <= tokenMax && string(p.buf[:p.n]) != s {
			t.Fatalf("normalize(%q) = %q, want it unchanged", s, p.buf[:p.n])
		}
		a := analyse(p.buf[:p.n], p.nul)
		if a.escapes > a.ups || a.segs > segMax {
			t.Fatalf("analyse(%q) = %+v", p.buf[:p.n], a)
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
		for _, k := range []detect.Kind{detect.KindQuery, detect.KindPath, detect.KindFilename} {
			in := detect.Input{Value: s, Raw: s, Kind: k, Name: "file"}
			for _, m := range d.Detect(&in, nil) {
				if m.Class != detect.Traversal && m.Class != detect.RFI || m.Score < 1 || m.Score > 5 ||
					m.Paranoia < 1 || m.Paranoia > 4 || m.Off < 0 || m.Len < 0 || m.Off+m.Len > len(s) || m.Rule == "" {
					t.Fatalf("Detect(%q) = %+v: malformed match", s, m)
				}
			}
		}
	})
}
