package cmdi

import (
	"testing"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/detecttest"
)

func loadDatasets(t *testing.T) []dataset.Sample {
	t.Helper()
	dir, err := dataset.Dir()
	if err != nil {
		t.Skipf("data sets not found: %v", err)
	}
	hp, err := dataset.HTTPParams(dir)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := dataset.GoTestWAF(dir)
	if err != nil {
		t.Fatal(err)
	}
	return append(hp, gw...)
}

func short(s string) string {
	if len(s) > 100 {
		return s[:60] + "..." + s[len(s)-30:]
	}
	return s
}

// TestDatasets prints detection of command injection on the labeled data
// sets and false positives over every benign sample; run with -v to see
// them and the misses.
func TestDatasets(t *testing.T) {
	samples := loadDatasets(t)
	ds := []detect.Detector{New()}
	bySet := map[string][2]int{}
	for _, s := range samples {
		if s.Class != string(detect.Cmdi) {
			continue
		}
		c := bySet[s.Set]
		c[1]++
		if detecttest.Detected(ds, s.Payload) {
			c[0]++
		} else {
			t.Logf("miss %s %s: %q", s.Set, s.Source, short(s.Payload))
		}
		bySet[s.Set] = c
	}
	for set, c := range bySet {
		t.Logf("cmdi %s: %d/%d detected (%.1f%%)", set, c[0], c[1], 100*float64(c[0])/float64(c[1]))
	}
	benign, fp := 0, 0
	check := func(src, v string) {
		benign++
		if detecttest.Detected(ds, v) {
			fp++
			t.Logf("false positive %s: %q", src, short(v))
		}
	}
	for _, s := range samples {
		if s.Class == dataset.Benign {
			check(s.Set, s.Payload)
		}
	}
	for _, v := range detecttest.ReadLines(t, "testdata/benign.txt") {
		check("testdata", v)
	}
	t.Logf("cmdi false positives: %d/%d benign (%.3f%%)", fp, benign, 100*float64(fp)/float64(benign))
}
