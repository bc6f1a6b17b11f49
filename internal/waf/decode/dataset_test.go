package decode

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
)

// gotestwafEncode encodes p as GoTestWAF's encoder of that name does.
func gotestwafEncode(enc, p string) string {
	switch enc {
	case "Base64":
		return base64.StdEncoding.EncodeToString([]byte(p))
	case "Base64Flat":
		return strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(p)), "=")
	case "URL":
		return url.QueryEscape(p)
	case "JSUnicode":
		return unicodeEscapes(p)
	case "XMLEntity":
		var b strings.Builder
		for _, r := range p {
			fmt.Fprintf(&b, "&#x%x;", r)
		}
		return b.String()
	}
	return p
}

// TestGoTestWAFEncodings checks that every GoTestWAF payload, encoded by
// every encoder and then put in a query string, comes back as one of its
// variants. Base64 of payloads too short to tell from words is exempt.
func TestGoTestWAFEncodings(t *testing.T) {
	dir, err := dataset.Dir()
	if err != nil {
		t.Skip(err)
	}
	samples, err := dataset.GoTestWAF(dir)
	if err != nil {
		t.Fatal(err)
	}
	var d Decoder
	total, missed, short, tooDeep := 0, 0, 0, 0
	for _, s := range samples {
		if len(s.Payload) > 4096 {
			continue
		}
		// The payload decoded as an application would, or any form on
		// the way.
		want := append(d.Variants(s.Payload, detect.KindQuery, nil), Fold(s.Payload))
		for _, enc := range []string{"Plain", "URL", "Base64", "Base64Flat", "JSUnicode", "XMLEntity"} {
			e := gotestwafEncode(enc, s.Payload)
			for _, v := range []string{e, url.QueryEscape(e)} {
				total++
				got := d.Variants(v, detect.KindQuery, nil)
				found := false
				for _, g := range got {
					found = found || slices.Contains(want, g)
				}
				switch {
				case found:
				case strings.HasPrefix(enc, "Base64") && len(e) < MinBase64:
					short++
					t.Logf("too short for base64: %q", s.Payload)
				case deep(v):
					tooDeep++
				default:
					missed++
					if missed <= 10 {
						t.Logf("%s %q: variants %q", enc, v, got)
					}
				}
			}
		}
	}
	t.Logf("%d encoded payloads, %d not recovered, %d base64 too short to try, %d encoded more than %d times",
		total, missed, short, tooDeep, MaxURLLayers)
	if missed*1000 > total {
		t.Errorf("%d of %d encoded payloads not recovered", missed, total)
	}
}

// deep reports whether v is percent-encoded more than MaxURLLayers times.
func deep(v string) bool {
	return strings.Contains(strings.ToLower(v), "%252525")
}

// TestBase64Benign measures how often benign parameter values are taken
// for base64: every such value is decoded and inspected twice.
func TestBase64Benign(t *testing.T) {
	dir, err := dataset.Dir()
	if err != nil {
		t.Skip(err)
	}
	samples, err := dataset.HTTPParams(dir)
	if err != nil {
		t.Fatal(err)
	}
	n, hits := 0, 0
	for _, s := range samples {
		if s.Class != dataset.Benign {
			continue
		}
		n++
		if _, ok := Base64(URL(s.Payload, true)); ok {
			hits++
			t.Logf("benign value taken for base64: %q", s.Payload)
		}
	}
	if hits*1000 > n {
		t.Errorf("%d of %d benign values taken for base64", hits, n)
	}
}
