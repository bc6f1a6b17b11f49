package ssi

import (
	"testing"

	"rampart/internal/waf/detect"
)

func benchDetect(b *testing.B, v string) {
	d := New()
	in := detect.Input{Value: v, Raw: v, Kind: detect.KindQuery}
	dst := make([]detect.Match, 0, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	for b.Loop() {
		dst = d.Detect(&in, dst[:0])
	}
}

func BenchmarkDetectBenign(b *testing.B) { benchDetect(b, "Hello, I ordered the blue shoes last week") }
func BenchmarkDetectBenignHTML(b *testing.B) {
	benchDetect(b, "<p>Hello <!-- name --> <b>world</b></p>")
}
func BenchmarkDetectAttack(b *testing.B) { benchDetect(b, `<!--#exec cmd="cat /etc/passwd" -->`) }
