package traversal

import (
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

func BenchmarkDetectBenignWord(b *testing.B)    { benchDetect(b, "campello, el") }
func BenchmarkDetectBenignAddress(b *testing.B) { benchDetect(b, "c/ san pablo 130, 8h") }
func BenchmarkDetectBenignURL(b *testing.B) {
	benchDetect(b, "https://example.com/search?q=cat&page=2&sort=desc")
}
func BenchmarkDetectBenignPath(b *testing.B)  { benchDetect(b, "/static/js/app.min.js") }
func BenchmarkDetectAttackClimb(b *testing.B) { benchDetect(b, "../../../../etc/passwd") }
func BenchmarkDetectAttackEncoded(b *testing.B) {
	benchDetect(b, "%c0%ae%c0%ae/%c0%ae%c0%ae/windows/win.ini")
}
func BenchmarkDetectAttackWrapper(b *testing.B) {
	benchDetect(b, "php://filter/convert.base64-encode/resource=index.php")
}

// TestDetectAllocs locks in that inspecting a value costs no allocation.
func TestDetectAllocs(t *testing.T) {
	d := New()
	dst := make([]detect.Match, 0, 8)
	for _, v := range []string{"campello, el", "c/ san pablo 130, 8h", "../../../../etc/passwd", `\\10.0.0.1\share\x.php`, "http://203.0.113.9/x.txt?"} {
		in := detect.Input{Value: v, Raw: v, Kind: detect.KindQuery}
		if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n != 0 {
			t.Errorf("Detect(%q) allocates %v times, want 0", v, n)
		}
	}
}
