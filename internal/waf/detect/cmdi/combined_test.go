package cmdi

import (
	"testing"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/detecttest"
	"rampart/internal/waf/detect/ssi"
	"rampart/internal/waf/detect/traversal"
)

// TestDatasetsCombined measures the three detectors of this task together,
// as the engine runs them: detection per class (a sample counts when its
// paranoia-1 total reaches 5) and false positives over every benign
// sample — the data sets' and the three packages' own corpora.
func TestDatasetsCombined(t *testing.T) {
	samples := loadDatasets(t)
	ds := []detect.Detector{New(), traversal.New(), ssi.New()}
	type count struct{ hit, n int }
	by := map[string]*count{}
	for _, s := range samples {
		switch s.Class {
		case string(detect.Cmdi), string(detect.Traversal), "ssi":
		default:
			continue
		}
		key := s.Class + " " + s.Set
		if by[key] == nil {
			by[key] = &count{}
		}
		by[key].n++
		if detecttest.Detected(ds, s.Payload) {
			by[key].hit++
		} else {
			t.Logf("miss %s: %q", key, short(s.Payload))
		}
	}
	for key, c := range by {
		t.Logf("%s: %d/%d detected (%.1f%%)", key, c.hit, c.n, 100*float64(c.hit)/float64(c.n))
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
			check(s.Set+"/"+s.Source, s.Payload)
		}
	}
	for _, name := range []string{"testdata/benign.txt", "../traversal/testdata/benign.txt", "../ssi/testdata/benign.txt"} {
		for _, v := range detecttest.ReadLines(t, name) {
			check(name, v)
		}
	}
	t.Logf("false positives (cmdi+traversal+ssi): %d/%d benign (%.3f%%)", fp, benign, 100*float64(fp)/float64(benign))
}
