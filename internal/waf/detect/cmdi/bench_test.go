package cmdi

import (
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

func benchDetect(b *testing.B, v string) {
	d := New()
	in := detect.Input{Value: v, Raw: v, Kind: detect.KindQuery, Name: "q"}
	dst := make([]detect.Match, 0, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	for b.Loop() {
		dst = d.Detect(&in, dst[:0])
	}
}

func BenchmarkDetectBenignWord(b *testing.B) { benchDetect(b, "campello, el") }
func BenchmarkDetectBenignText(b *testing.B) {
	benchDetect(b, "Hello, I ordered the blue shoes (size 42) last week & they haven't arrived; can you check?")
}
func BenchmarkDetectBenignURL(b *testing.B) {
	benchDetect(b, "https://example.com/search?q=cat&page=2&sort=desc")
}
func BenchmarkDetectAttackChain(b *testing.B) { benchDetect(b, "127.0.0.1; cat /etc/passwd") }
func BenchmarkDetectAttackEvasion(b *testing.B) {
	benchDetect(b, ";c'a't${IFS}${PATH:0:1}etc${PATH:0:1}passwd")
}
func BenchmarkDetectAttackPHP(b *testing.B) { benchDetect(b, "<?php system($_GET['c']); ?>") }
func BenchmarkDetectLong(b *testing.B) {
	benchDetect(b, strings.Repeat("A", 8000)+";$(printf 'hsab/nib/ e- 4321 1.0.0.721 cn'|rev)")
}

// TestDetectAllocs locks in that an ordinary value costs no allocation.
func TestDetectAllocs(t *testing.T) {
	d := New()
	dst := make([]detect.Match, 0, 8)
	for _, v := range []string{"campello, el", "Tom & Jerry; R&D | sales", "127.0.0.1; cat /etc/passwd", "x'; id; echo '"} {
		in := detect.Input{Value: v, Raw: v, Kind: detect.KindQuery}
		if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n != 0 {
			t.Errorf("Detect(%q) allocates %v times, want 0", v, n)
		}
	}
}
