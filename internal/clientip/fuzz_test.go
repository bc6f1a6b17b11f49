package clientip

import (
	"net/netip"
	"strings"
	"testing"
)

func FuzzParseXFF(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "1.2.3.4, 10.0.0.1", "[::1]:80, ::1", "bogus,,", "1.2.3.4:99999", strings.Repeat("1.1.1.1,", 40)} {
		f.Add(s)
	}
	r, _ := New([]string{"10.0.0.0/8"})
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 16<<10 {
			return
		}
		hops, _ := ParseXFF(nil, []string{s})
		if len(hops) > MaxHops {
			t.Fatalf("ParseXFF returned %d hops, max %d", len(hops), MaxHops)
		}
		for _, h := range hops {
			if h.IsValid() && h.Is4In6() {
				t.Fatalf("hop %s not unmapped", h)
			}
		}
		// Every valid plain entry must agree with netip.ParseAddr.
		if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil && !strings.Contains(s, ",") && a.Zone() == "" {
			if len(hops) != 1 || hops[0] != a.Unmap() {
				t.Fatalf("ParseXFF(%q) = %v, want [%s]", s, hops, a)
			}
		}
		got := r.Resolve(netip.MustParseAddr("10.0.0.1"), nil, []string{s})
		if !got.IsValid() {
			t.Fatalf("Resolve returned invalid address for %q", s)
		}
	})
}

func FuzzParseForwarded(f *testing.F) {
	for _, s := range []string{`for=1.2.3.4`, `for="[2001:db8::1]:80";proto=https, for=10.0.0.1`, `for=unknown`, `for="\"x"`, `;;,,=`, `for=1.1.1.1;for=2.2.2.2`} {
		f.Add(s)
	}
	r, _ := NewWithHeader([]string{"10.0.0.0/8"}, Forwarded)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 16<<10 {
			return
		}
		hops, _ := ParseForwarded(nil, []string{s})
		if len(hops) > MaxHops {
			t.Fatalf("ParseForwarded returned %d hops, max %d", len(hops), MaxHops)
		}
		got := r.Resolve(netip.MustParseAddr("10.0.0.1"), []string{s}, nil)
		if !got.IsValid() {
			t.Fatalf("Resolve returned invalid address for %q", s)
		}
		// The answer is the peer or an address named in the header.
		if got != netip.MustParseAddr("10.0.0.1") {
			found := false
			for _, h := range hops {
				if h == got {
					found = true
				}
			}
			if !found {
				t.Fatalf("Resolve(%q) = %s, not among hops %v", s, got, hops)
			}
		}
	})
}
