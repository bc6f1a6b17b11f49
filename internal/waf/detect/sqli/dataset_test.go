package sqli

import (
	"flag"
	"net/url"
	"strings"
	"testing"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
)

var showMisses = flag.Bool("sqli.show", false, "print missed attacks and false positives of the data set test")

// variants returns the value as the engine may hand it over: raw, and URL
// decoded up to three times.
func variants(v string) []string {
	out := []string{v}
	for range 3 {
		u, err := url.QueryUnescape(v)
		if err != nil || u == v {
			break
		}
		out = append(out, u)
		v = u
	}
	return out
}

// blocks says whether any variant of v scores 5 or more at paranoia 1.
func blocks(d *Detector, v string) (bool, []detect.Match) {
	if len(v) > detect.MaxValue {
		// The engine hands long values over in overlapping windows.
		for off := 0; ; off += detect.MaxValue - 1024 {
			end := min(off+detect.MaxValue, len(v))
			if ok, ms := blocks(d, v[off:end]); ok {
				return ok, ms
			}
			if end == len(v) {
				return false, nil
			}
		}
	}
	for _, x := range variants(v) {
		in := detect.Input{Value: x, Raw: v, Kind: detect.KindQuery, Name: "q"}
		ms := d.Detect(&in, nil)
		score := 0
		for _, m := range ms {
			if m.Paranoia <= 1 {
				score += m.Score
			}
		}
		if score >= 5 {
			return true, ms
		}
	}
	return false, nil
}

// TestDataset measures detection and false positives on the labeled data
// sets. It prints the numbers; run with -v (and -sqli.show for the
// misses):
//
//	go test -run TestDataset -v ./internal/waf/detect/sqli/
func TestDataset(t *testing.T) {
	dir, err := dataset.Dir()
	if err != nil {
		t.Skip(err)
	}
	hp, err := dataset.HTTPParams(dir)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := dataset.GoTestWAF(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := New()
	type tally struct{ n, hit int }
	var hpSQLi, gwSQLi, benign tally
	// plusSQLi counts httpparams attacks caught when only the decoded
	// forms are seen, with every '+' a space, as happens when a client
	// sends SQL's '+' unencoded in a query string.
	var plusSQLi tally
	var hpBenign, gwBenign, ownBenign tally
	for _, s := range append(hp, gw...) {
		switch {
		case s.Class == "sqli":
			tl := &hpSQLi
			if s.Set == "gotestwaf" {
				tl = &gwSQLi
			}
			tl.n++
			if ok, _ := blocks(d, s.Payload); ok {
				tl.hit++
			} else if *showMisses {
				t.Logf("miss %s: %q", s.Set, s.Payload)
			}
			if s.Set == "httpparams" {
				plusSQLi.n++
				if ok, _ := blocks(d, strings.ReplaceAll(s.Payload, "+", " ")); ok {
					plusSQLi.hit++
				} else if *showMisses {
					t.Logf("miss with '+' as space: %q", s.Payload)
				}
			}
		case s.Class == dataset.Benign:
			tl := &hpBenign
			if s.Set == "gotestwaf" {
				tl = &gwBenign
			}
			tl.n++
			benign.n++
			if ok, ms := blocks(d, s.Payload); ok {
				tl.hit++
				benign.hit++
				t.Logf("false positive %s: %q %v", s.Set, s.Payload, rulesOf(ms))
			}
		}
	}
	for _, v := range readCorpus(t, "testdata/benign.txt") {
		ownBenign.n++
		benign.n++
		if ok, ms := blocks(d, v); ok {
			ownBenign.hit++
			benign.hit++
			t.Logf("false positive own: %q %v", v, rulesOf(ms))
		}
	}
	pct := func(x tally) float64 { return 100 * float64(x.hit) / float64(max(x.n, 1)) }
	t.Logf("httpparams sqli detected: %d/%d = %.2f%%", hpSQLi.hit, hpSQLi.n, pct(hpSQLi))
	t.Logf("httpparams sqli detected with '+' sent as space: %d/%d = %.2f%%", plusSQLi.hit, plusSQLi.n, pct(plusSQLi))
	t.Logf("gotestwaf sqli detected:  %d/%d = %.2f%%", gwSQLi.hit, gwSQLi.n, pct(gwSQLi))
	t.Logf("false positives: httpparams %d/%d, gotestwaf %d/%d, own corpus %d/%d; all benign %d/%d = %.3f%%",
		hpBenign.hit, hpBenign.n, gwBenign.hit, gwBenign.n, ownBenign.hit, ownBenign.n, benign.hit, benign.n, pct(benign))
}

func rulesOf(ms []detect.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Rule)
	}
	return out
}
