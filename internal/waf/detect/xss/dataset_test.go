package xss

import (
	"fmt"
	"html"
	"net/url"
	"sort"
	"strings"
	"testing"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
)

// variants returns the values the engine would hand the detector for a
// raw payload: the payload itself, up to three URL-decoding layers, and
// each of those with HTML entities decoded. Values longer than
// detect.MaxValue are cut into overlapping windows, as the engine does.
func variants(raw string) []string {
	out := []string{raw}
	add := func(v string) {
		for _, o := range out {
			if o == v {
				return
			}
		}
		out = append(out, v)
	}
	v := raw
	for range 3 {
		u, err := url.QueryUnescape(v)
		if err != nil || u == v {
			break
		}
		add(u)
		v = u
	}
	for _, o := range out {
		add(html.UnescapeString(o))
	}
	var win []string
	for _, o := range out {
		win = append(win, windows(o)...)
	}
	return win
}

// windows cuts s into detect.MaxValue-sized pieces overlapping by 4 KiB.
func windows(s string) []string {
	const overlap = 4 << 10
	if len(s) <= detect.MaxValue {
		return []string{s}
	}
	var out []string
	for i := 0; ; i += detect.MaxValue - overlap {
		end := min(len(s), i+detect.MaxValue)
		out = append(out, s[i:end])
		if end == len(s) {
			return out
		}
	}
}

// detected reports whether any variant of raw, as a value of kind k,
// scores 5 at paranoia 1.
func detected(d *Detector, raw string, k detect.Kind) (bool, []string) {
	var all []string
	for _, v := range variants(raw) {
		got, rules := score(d, v, k, 1)
		if got >= 5 {
			return true, rules
		}
		all = append(all, rules...)
	}
	return false, all
}

// placeholderKinds maps GoTestWAF placeholders to the kind of value the
// engine extracts from them.
var placeholderKinds = map[string]detect.Kind{
	"URLParam": detect.KindQuery, "URLPath": detect.KindPath,
	"HTMLForm": detect.KindForm, "HTMLMultipartForm": detect.KindForm,
	"Header": detect.KindHeader, "UserAgent": detect.KindHeader,
	"JSONRequest": detect.KindJSON, "GraphQL": detect.KindJSON,
	"XMLBody": detect.KindXML, "SOAPBody": detect.KindXML,
	"RawRequest": detect.KindBody, "gRPC": detect.KindBody,
}

// TestDatasets measures detection on the labeled XSS samples and false
// positives on every benign sample, at paranoia 1. HttpParamsDataset
// values are query parameters; GoTestWAF payloads count once per
// placeholder they are sent in. Run with -v to see the numbers and the
// misses:
//
//	go test -run TestDatasets -v ./internal/waf/detect/xss/
func TestDatasets(t *testing.T) {
	dir, err := dataset.Dir()
	if err != nil {
		t.Skip(err)
	}
	hp, err := dataset.HTTPParams(dir)
	if err != nil {
		t.Fatal(err)
	}
	gt, err := dataset.GoTestWAF(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := New()
	type tally struct {
		n, hit int
		misses []string
	}
	sets := map[string]*tally{}
	count := func(key, payload string, k detect.Kind, want bool) {
		tl := sets[key]
		if tl == nil {
			tl = &tally{}
			sets[key] = tl
		}
		tl.n++
		got, rules := detected(d, payload, k)
		if got {
			tl.hit++
		}
		if got != want {
			p := payload
			if len(p) > 160 {
				p = p[:160] + "..."
			}
			tl.misses = append(tl.misses, fmt.Sprintf("%q as %v %v", p, k, rules))
		}
	}
	for _, s := range hp {
		switch s.Class {
		case "xss":
			count("httpparams xss", s.Payload, detect.KindQuery, true)
			count("httpparams xss (as form)", s.Payload, detect.KindForm, true)
		case dataset.Benign:
			count("httpparams benign", s.Payload, detect.KindQuery, false)
		default:
			count("httpparams other", s.Payload, detect.KindQuery, false)
		}
	}
	for _, s := range gt {
		for _, p := range s.Placeholders {
			k, ok := placeholderKinds[p]
			if !ok {
				t.Fatalf("%s: unknown placeholder %s", s.Source, p)
			}
			switch s.Class {
			case "xss":
				count("gotestwaf xss", s.Payload, k, true)
			case dataset.Benign:
				count("gotestwaf benign", s.Payload, k, false)
			default:
				count("gotestwaf other", s.Payload, k, false)
			}
		}
	}
	for _, s := range readCorpus(t, "benign/*.txt") {
		for _, k := range s.kinds {
			count("own benign", s.v, k, false)
		}
	}
	keys := make([]string, 0, len(sets))
	for k := range sets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	benignN, benignHit := 0, 0
	for _, k := range keys {
		tl := sets[k]
		t.Logf("%-26s %6d samples, %6d flagged (%.2f%%)", k, tl.n, tl.hit, 100*float64(tl.hit)/float64(tl.n))
		if strings.HasSuffix(k, "benign") {
			benignN += tl.n
			benignHit += tl.hit
		}
		if strings.HasSuffix(k, "other") {
			continue // other attack classes: some carry XSS too
		}
		for i, m := range tl.misses {
			if i == 40 {
				t.Logf("  ... %d more", len(tl.misses)-i)
				break
			}
			t.Logf("  %s: %s", map[bool]string{true: "FP", false: "miss"}[strings.HasSuffix(k, "benign")], m)
		}
	}
	t.Logf("all benign: %d samples, %d false positives (%.3f%%)", benignN, benignHit, 100*float64(benignHit)/float64(benignN))
	for _, k := range []string{"httpparams xss", "gotestwaf xss"} {
		if tl := sets[k]; tl != nil && float64(tl.hit) < 0.99*float64(tl.n) {
			t.Errorf("%s: detected %d of %d, want >= 99%%", k, tl.hit, tl.n)
		}
	}
	if float64(benignHit) > 0.001*float64(benignN) {
		t.Errorf("false positives: %d of %d benign samples, want <= 0.1%%", benignHit, benignN)
	}
}
