package sqli

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

// readCorpus reads one value per line; blank lines and lines starting
// with "# " are skipped. Write a literal newline as \n, a tab as \t.
func readCorpus(tb testing.TB, name string) []string {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		line = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\v`, "\v", `\0`, "\x00").Replace(line)
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// score returns the paranoia-1 score of v and the rules that matched.
func score(d *Detector, v string) (int, []string) {
	in := detect.Input{Value: v, Raw: v, Kind: detect.KindQuery, Name: "q"}
	total := 0
	var rules []string
	for _, m := range d.Detect(&in, nil) {
		if m.Paranoia <= 1 {
			total += m.Score
		}
		rules = append(rules, m.Rule)
	}
	return total, rules
}

func TestAttackCorpus(t *testing.T) {
	d := New()
	for _, v := range readCorpus(t, "testdata/attack.txt") {
		if s, rules := score(d, v); s < 5 {
			t.Errorf("Detect(%q) = score %d %v, want >= 5", v, s, rules)
		}
	}
}

func TestBenignCorpus(t *testing.T) {
	d := New()
	for _, v := range readCorpus(t, "testdata/benign.txt") {
		if s, rules := score(d, v); s >= 5 {
			t.Errorf("Detect(%q) = score %d %v, want < 5", v, s, rules)
		}
	}
}

var explain = flag.String("sqli.explain", "", "print how the detector reads this value")

// TestExplain prints the tokens and findings of each context for the
// value given with -sqli.explain.
func TestExplain(t *testing.T) {
	if *explain == "" {
		t.Skip("set -sqli.explain")
	}
	v := *explain
	show := func(name, s string, quote byte, pre string) {
		toks := tokenize(s, nil)
		var b strings.Builder
		for _, tk := range toks {
			fmt.Fprintf(&b, "[%d %q kw%d] ", tk.kind, s[tk.off:tk.end], tk.kw)
		}
		var p parser
		p.init(s, nil, quote, pre)
		p.run()
		t.Logf("%s: %s\n  stopped at %d/%d strong=%b weak=%b", name, b.String(), p.i, len(toks), p.strong, p.weak)
	}
	show("bare", v, 0, "")
	if q := breakout(v, '\''); q >= 0 {
		show("single", v[q+1:], '\'', v[:q])
	}
	if q := breakout(v, '"'); q >= 0 {
		show("double", v[q+1:], '"', v[:q])
	}
	if q := breakout(v, '`'); q >= 0 {
		show("backtick", v[q+1:], '`', v[:q])
	}
	s, rules := score(New(), v)
	t.Logf("score %d %v", s, rules)
}

var benchValues = []struct{ name, v string }{
	{"word", "despernada"},
	{"number", "46624"},
	{"email", "john.doe@example.com"},
	{"date", "2024-01-15"},
	{"address", "calle dinamarca 14, 3 izda"},
	{"sentence", "I would like to request a random number between 1 and 10, please."},
	{"name-quote", "Zoë O'Brien, 12 Select Street, Union City"},
	{"json-ish", `{"name": "O'Brien", "age": 30}`},
	{"tautology", "' OR '1'='1"},
	{"union", "-1 UNION SELECT 1,@@version,3--"},
	{"time", "1' AND (SELECT * FROM (SELECT(SLEEP(5)))abc)-- -"},
	{"sqlmap", "1') as jpxj where 6153=6153 or 8156=(select count(*) from generate_series(1,5000000))--"},
	// Benign, but parses as SQL far enough for libinjection to be asked.
	{"near-miss", "(cats OR dogs) AND birds"},
	{"user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"},
}

func BenchmarkDetect(b *testing.B) {
	d := New()
	for _, bv := range benchValues {
		b.Run(bv.name, func(b *testing.B) {
			in := detect.Input{Value: bv.v, Raw: bv.v, Kind: detect.KindQuery, Name: "q"}
			dst := make([]detect.Match, 0, 8)
			b.ReportAllocs()
			for b.Loop() {
				dst = d.Detect(&in, dst[:0])
			}
		})
	}
}

// TestDetectAllocs locks the allocation-free path: values the prefilter
// passes, values parsed without asking libinjection, and attacks.
func TestDetectAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	d := New()
	dst := make([]detect.Match, 0, 8)
	for _, bv := range benchValues {
		if bv.name == "near-miss" {
			continue // libinjection allocates
		}
		in := detect.Input{Value: bv.v, Raw: bv.v, Kind: detect.KindQuery, Name: "q"}
		if n := testing.AllocsPerRun(100, func() { dst = d.Detect(&in, dst[:0]) }); n != 0 {
			t.Errorf("Detect(%q) allocates %v times, want 0", bv.v, n)
		}
	}
}
