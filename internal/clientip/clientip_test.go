package clientip

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"rampart/internal/request"
)

func mustResolver(tb testing.TB, cidrs ...string) *Resolver {
	tb.Helper()
	r, err := New(cidrs)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestResolve(t *testing.T) {
	xff := mustResolver(t, "10.0.0.0/8", "192.168.1.1", "fd00::/8")
	fwd, err := NewWithHeader([]string{"10.0.0.0/8", "192.168.1.1", "fd00::/8"}, Forwarded)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		peer      string
		forwarded []string
		xff       []string
		want      string
	}{
		{"untrusted peer spoofing xff", "203.0.113.9", nil, []string{"1.2.3.4"}, "203.0.113.9"},
		{"untrusted peer spoofing forwarded", "203.0.113.9", []string{"for=1.2.3.4"}, nil, "203.0.113.9"},
		{"xff resolver ignores a client-sent forwarded", "10.1.1.1", []string{"for=6.6.6.6"}, []string{"198.51.100.7"}, "198.51.100.7"},
		{"trusted peer no header", "10.1.1.1", nil, nil, "10.1.1.1"},
		{"trusted peer xff", "10.1.1.1", nil, []string{"198.51.100.7"}, "198.51.100.7"},
		{"client spoofs leftmost", "10.1.1.1", nil, []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"chain of trusted proxies", "10.1.1.1", nil, []string{"198.51.100.7, 10.2.2.2, 192.168.1.1"}, "198.51.100.7"},
		{"several header lines", "10.1.1.1", nil, []string{"6.6.6.6", "198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"all trusted", "10.1.1.1", nil, []string{"10.3.3.3, 10.2.2.2"}, "10.3.3.3"},
		{"garbage nearest stops walk", "10.1.1.1", nil, []string{"198.51.100.7, bogus"}, "10.1.1.1"},
		{"garbage beyond trusted hop", "10.1.1.1", nil, []string{"bogus, 10.2.2.2"}, "10.2.2.2"},
		{"xff with port", "10.1.1.1", nil, []string{"198.51.100.7:1234"}, "198.51.100.7"},
		{"xff ipv6", "10.1.1.1", nil, []string{"2001:db8::1"}, "2001:db8::1"},
		{"xff ipv6 bracketed", "10.1.1.1", nil, []string{"[2001:db8::1]:80"}, "2001:db8::1"},
		{"fwd: quoted v6", "10.1.1.1", []string{`for="[2001:db8:cafe::17]:4711"`}, nil, "2001:db8:cafe::17"},
		{"fwd: ignores a client-sent xff", "10.1.1.1", []string{"for=198.51.100.8;proto=https"}, []string{"6.6.6.6"}, "198.51.100.8"},
		{"fwd: only xff present", "10.1.1.1", nil, []string{"6.6.6.6"}, "10.1.1.1"},
		{"fwd: chain", "10.1.1.1", []string{"for=6.6.6.6, for=198.51.100.8;by=10.0.0.1, for=10.2.2.2"}, nil, "198.51.100.8"},
		{"fwd: unknown", "10.1.1.1", []string{"for=unknown"}, nil, "10.1.1.1"},
		{"fwd: unquoted v6 invalid", "10.1.1.1", []string{"for=[2001:db8::1]"}, nil, "10.1.1.1"},
		{"fwd: no for", "10.1.1.1", []string{"proto=https"}, nil, "10.1.1.1"},
		{"mapped v4 peer", "::ffff:10.1.1.1", nil, []string{"198.51.100.7"}, "198.51.100.7"},
		{"trusted v6 peer", "fd00::5", nil, []string{"198.51.100.7"}, "198.51.100.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := xff
			if strings.HasPrefix(tt.name, "fwd: ") {
				r = fwd
			}
			got := r.Resolve(netip.MustParseAddr(tt.peer), tt.forwarded, tt.xff)
			if got.String() != tt.want {
				t.Errorf("Resolve(%s, %q, %q) = %s, want %s", tt.peer, tt.forwarded, tt.xff, got, tt.want)
			}
		})
	}
}

func TestXFFBounded(t *testing.T) {
	r := mustResolver(t, "10.0.0.0/8")
	long := strings.Repeat("6.6.6.6, ", 1000) + "198.51.100.7, 10.0.0.2"
	got := r.Resolve(netip.MustParseAddr("10.0.0.1"), nil, []string{long})
	if got.String() != "198.51.100.7" {
		t.Errorf("Resolve(long chain) = %s, want 198.51.100.7", got)
	}
	hops, ok := ParseXFF(nil, []string{long})
	if ok || len(hops) != MaxHops {
		t.Errorf("ParseXFF(long) = %d hops, ok=%v; want %d, false", len(hops), ok, MaxHops)
	}
	if hops[len(hops)-1].String() != "10.0.0.2" {
		t.Errorf("last hop = %s, want 10.0.0.2", hops[len(hops)-1])
	}
}

func TestNewRejectsBadCIDR(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "nonsense", ""} {
		if _, err := New([]string{s}); err == nil {
			t.Errorf("New(%q) = nil error, want error", s)
		}
	}
}

func TestStage(t *testing.T) {
	r := mustResolver(t, "127.0.0.0/8")
	var got *request.Info
	h := r.Handler(httpHandlerFunc(func(info *request.Info) { got = info }))
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "127.0.0.1:4000"
	req.Header.Set("X-Forwarded-For", "198.51.100.7")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got.ClientIP.String() != "198.51.100.7" || !got.TrustedPeer || got.PeerIP.String() != "127.0.0.1" {
		t.Errorf("info = %+v", got)
	}
	req.RemoteAddr = "203.0.113.1:4000"
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got.ClientIP.String() != "203.0.113.1" || got.TrustedPeer {
		t.Errorf("untrusted: info = %+v", got)
	}
}

func BenchmarkResolve(b *testing.B) {
	r := mustResolver(b, "10.0.0.0/8", "172.16.0.0/12")
	peer := netip.MustParseAddr("10.0.0.1")
	xff := []string{"198.51.100.7, 10.2.3.4"}
	b.ReportAllocs()
	for b.Loop() {
		r.Resolve(peer, nil, xff)
	}
}

func TestResolveNoAllocs(t *testing.T) {
	r := mustResolver(t, "10.0.0.0/8")
	peer := netip.MustParseAddr("10.0.0.1")
	xff := []string{"198.51.100.7, 10.2.3.4"}
	if n := testing.AllocsPerRun(100, func() { r.Resolve(peer, nil, xff) }); n != 0 {
		t.Errorf("Resolve allocates %v times, want 0", n)
	}
}
