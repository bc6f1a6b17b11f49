package ssrf

import (
	"net/netip"
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

func TestRules(t *testing.T) {
	tests := []struct {
		name, in, rule string
		score          int
	}{
		{"loopback", "http://127.0.0.1/", "ssrf.loopback", 5},
		{"metadata", "http://169.254.169.254/", "ssrf.metadata", 5},
		{"link-local", "http://169.254.1.1/", "ssrf.link-local", 5},
		{"private plain", "http://10.0.0.5/", "ssrf.private", 5},
		{"private name", "http://build.lan/", "ssrf.private", 3},
		{"private in text", "see http://10.0.0.5/ on the LAN", "ssrf.private", 2},
		{"private octal", "http://012.0.0.5/", "ssrf.private", 5},
		{"loopback in text", "try http://localhost:3000 please", "ssrf.loopback", 3},
		{"gopher", "gopher://example.com:70/", "ssrf.scheme", 5},
		{"ldap", "ldap://ldap.example.com/", "ssrf.scheme", 4},
		{"tftp", "tftp://evil.example/payload", "ssrf.scheme", 5},
		{"tftp after =", "file=tftp://10.0.0.1/boot", "ssrf.scheme", 5},
		{"tftp in text", "the tftp://10.0.0.1/boot server", "ssrf.scheme", 2},
		{"kubernetes", "https://kubernetes.default.svc/api/v1/secrets", "ssrf.metadata", 5},
		{"kubernetes fqdn", "https://Kubernetes.Default.Svc.Cluster.Local./api", "ssrf.metadata", 5},
		{"kubernetes short", "http://kubernetes.default:443/", "ssrf.metadata", 5},
		{"kubernetes whole host", "kubernetes.default.svc", "ssrf.metadata", 5},
		{"cluster service", "http://redis.prod.svc.cluster.local:6379/", "ssrf.private", 3},
		{"cluster name", "http://node1.cluster.local/", "ssrf.private", 3},
		{"public hex", "http://0x5db8d822/", "ssrf.ip-obfuscation", 3},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := d.Detect(&detect.Input{Value: tt.in, Raw: tt.in, Kind: detect.KindQuery}, nil)
			for _, m := range ms {
				if m.Rule == tt.rule && m.Score == tt.score {
					return
				}
			}
			t.Errorf("Detect(%q) = %v, want %s with score %d", tt.in, ms, tt.rule, tt.score)
		})
	}
}

func TestParseIPv4(t *testing.T) {
	tests := []struct {
		in        string
		want      string
		canonical bool
	}{
		{"127.0.0.1", "127.0.0.1", true},
		{"127.1", "127.0.0.1", false},
		{"127.0.1", "127.0.0.1", false},
		{"2130706433", "127.0.0.1", false},
		{"0x7f000001", "127.0.0.1", false},
		{"0X7F.0.0.1", "127.0.0.1", false},
		{"0177.0.0.1", "127.0.0.1", false},
		{"017700000001", "127.0.0.1", false},
		{"0", "0.0.0.0", false},
		{"10.0.0.1.", "10.0.0.1", true},
		{"192.168.0x1.1", "192.168.1.1", false},
	}
	for _, tt := range tests {
		ip, canonical, ok := parseIPv4(tt.in)
		got := netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}).String()
		if !ok || got != tt.want || canonical != tt.canonical {
			t.Errorf("parseIPv4(%q) = %s, %v, %v; want %s, %v, true", tt.in, got, canonical, ok, tt.want, tt.canonical)
		}
	}
	for _, in := range []string{"", ".", "1..1", "256.0.0.1", "1.2.3.4.5", "0x", "08.0.0.1", "4294967296", "1.16777216", "a.b.c.d", "1.2.3.4x", "1.2.3.."} {
		if _, _, ok := parseIPv4(in); ok {
			t.Errorf("parseIPv4(%q) ok, want an error", in)
		}
	}
}

// FuzzParseIPv4 checks parseIPv4 against net/netip on the dotted quads
// both accept, and that it never panics.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.1", "0x7f000001", "0177.0.0.1", "2130706433", "1.2.3.4.", "0x.1", "00000000000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, canonical, ok := parseIPv4(s)
		ref, err := netip.ParseAddr(s)
		if err == nil && ref.Is4() {
			b := ref.As4()
			want := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if !ok || ip != want || !canonical && !strings.HasPrefix(s, "0") {
				t.Errorf("parseIPv4(%q) = %x, %v, %v; netip says %x", s, ip, canonical, ok, want)
			}
		}
	})
}

// FuzzDetect checks Detect never panics and locates matches inside the value.
func FuzzDetect(f *testing.F) {
	for _, s := range readCorpus(f, "attack.txt", detect.KindQuery) {
		f.Add(s.Value)
	}
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return // longer values only take the same paths longer
		}
		for _, k := range []detect.Kind{detect.KindQuery, detect.KindHeader} {
			for _, m := range d.Detect(&detect.Input{Value: s, Raw: s, Kind: k, Name: "host"}, nil) {
				if m.Off < 0 || m.Off+m.Len > len(s) || m.Score < 1 || m.Score > 5 {
					t.Errorf("Detect(%q) = bad match %+v", s, m)
				}
			}
		}
	})
}

func TestDatasets(t *testing.T) {
	_, fp := measure(t, New(), readCorpus(t, "benign.txt", detect.KindQuery))
	if fp > 0 {
		t.Errorf("%d false positives", fp)
	}
}

func TestAllocs(t *testing.T) {
	d := New()
	dst := make([]detect.Match, 0, 8)
	for _, v := range []string{"Zoë O'Brien, 12 Select Street, Union City", "https://www.example.com/a?b=c", "http://127.0.0.1:8080/admin"} {
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
	b.SetBytes(int64(len(v)))
	for b.Loop() {
		dst = d.Detect(&in, dst[:0])
	}
}

func BenchmarkBenign(b *testing.B) { benchmark(b, "Zoë O'Brien, 12 Select Street, Union City") }
func BenchmarkBenignURL(b *testing.B) {
	benchmark(b, "https://www.example.com/products/view?id=1234&ref=newsletter")
}
func BenchmarkAttack(b *testing.B) { benchmark(b, "http://evil.com@0x7f000001:6379/") }
