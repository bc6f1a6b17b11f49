package ssi

import (
	"testing"

	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/detecttest"
)

// FuzzDetect checks that Detect never panics and reports well-formed
// matches located inside the value.
func FuzzDetect(f *testing.F) {
	for _, name := range []string{"testdata/attack.txt", "testdata/benign.txt"} {
		for _, v := range detecttest.ReadLines(f, name) {
			f.Add(v)
		}
	}
	f.Add("<!--#")
	f.Add("<esi:")
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 8<<10 {
			return
		}
		in := detect.Input{Value: s, Raw: s, Kind: detect.KindForm}
		for _, m := range d.Detect(&in, nil) {
			if m.Class != class || m.Score < 1 || m.Score > 5 || m.Paranoia < 1 || m.Paranoia > 4 ||
				m.Off < 0 || m.Len < 0 || m.Off+m.Len > len(s) || m.Rule == "" {
				t.Fatalf("Detect(%q) = %+v: malformed match", s, m)
			}
		}
	})
}
