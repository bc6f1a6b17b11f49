// Package detecttest holds what the detector packages' tests share: reading
// their testdata corpora and measuring a detector on the labeled data sets.
package detecttest

import (
	"bufio"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
)

// Sample is one corpus line: a value and where in a request it sits.
type Sample struct {
	Kind  detect.Kind
	Name  string
	Value string
	Line  int
}

// kinds maps the corpus' "@kind" prefixes to kinds.
var kinds = map[string]detect.Kind{
	"path": detect.KindPath, "query": detect.KindQuery, "argname": detect.KindArgName,
	"header": detect.KindHeader, "cookie": detect.KindCookie, "form": detect.KindForm,
	"filename": detect.KindFilename, "json": detect.KindJSON, "xml": detect.KindXML, "body": detect.KindBody,
}

// ReadCorpus reads testdata/name: one value a line, "#" comments, an
// optional "@kind" or "@kind:name" prefix (default def), and values written
// as Go strings after "go:" when they hold control bytes.
func ReadCorpus(tb testing.TB, name string, def detect.Kind) []Sample {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name)) // #nosec G304 -- a corpus file under the test's own testdata
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []Sample
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s := Sample{Kind: def, Value: line, Line: n}
		if strings.HasPrefix(line, "@") {
			head, rest, _ := strings.Cut(line[1:], " ")
			k, nm, _ := strings.Cut(head, ":")
			kd, ok := kinds[k]
			if !ok {
				tb.Fatalf("%s:%d: unknown kind %q", name, n, k)
			}
			s.Kind, s.Name, s.Value = kd, nm, rest
		}
		if v, ok := strings.CutPrefix(s.Value, "go:"); ok {
			u, err := strconv.Unquote(v)
			if err != nil {
				tb.Fatalf("%s:%d: %v", name, n, err)
			}
			s.Value = u
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Variants returns v and up to three layers of URL decoding of it, as the
// engine's generic decoding would give them.
func Variants(v string) []string {
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

// Score returns the paranoia-1 score d gives in: the sum of its distinct
// rules' strongest scores, as the engine counts them.
func Score(d detect.Detector, in *detect.Input) (int, []detect.Match) {
	ms := d.Detect(in, nil)
	best := map[string]int{}
	for _, m := range ms {
		if m.Paranoia <= 1 && m.Score > best[m.Rule] {
			best[m.Rule] = m.Score
		}
	}
	total := 0
	for _, s := range best {
		total += s
	}
	return total, ms
}

// Caught reports whether any decoded variant of value scores 5 or more.
func Caught(d detect.Detector, kind detect.Kind, name, value string) bool {
	for _, v := range Variants(value) {
		in := detect.Input{Value: v, Raw: value, Kind: kind, Name: name}
		if s, _ := Score(d, &in); s >= 5 {
			return true
		}
	}
	return false
}

// PlaceholderKind maps a GoTestWAF placeholder to the kind and name its
// payload reaches a detector with.
func PlaceholderKind(p string) (detect.Kind, string) {
	switch p {
	case "URLPath":
		return detect.KindPath, ""
	case "URLParam":
		return detect.KindQuery, "q"
	case "HTMLForm", "HTMLMultipartForm":
		return detect.KindForm, "f"
	case "JSONRequest", "JSONBody":
		return detect.KindJSON, "j"
	case "XMLBody", "SOAPBody":
		return detect.KindBody, ""
	case "Header":
		return detect.KindHeader, "x-test"
	case "UserAgent":
		return detect.KindHeader, "user-agent"
	case "Cookie":
		return detect.KindCookie, "c"
	}
	return detect.KindQuery, "q"
}

// benignKinds are the places a benign data-set value is tried in; it is a
// false positive when any of them scores 5.
var benignKinds = []struct {
	kind detect.Kind
	name string
}{
	{detect.KindQuery, "q"}, {detect.KindForm, "comment"}, {detect.KindJSON, "text"},
	{detect.KindHeader, "user-agent"}, {detect.KindCookie, "c"},
}

// Measure prints detection over the GoTestWAF samples of classes (per
// payload and placeholder) and false positives over every benign Sample of
// both data sets and the package's own benign corpus; it returns the
// detection ratio and the false-positive count.
func Measure(t *testing.T, d detect.Detector, own []Sample, classes ...string) (float64, int) {
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
	want := map[string]bool{}
	for _, c := range classes {
		want[c] = true
	}
	total, hit := 0, 0
	benign, fp := 0, 0
	for _, s := range append(hp, gw...) {
		switch {
		case s.Class == dataset.Benign:
			benign++
			for _, k := range benignKinds {
				if Caught(d, k.kind, k.name, s.Payload) {
					fp++
					t.Logf("false positive (%s, %s): %q", s.Set, k.kind, s.Payload)
					break
				}
			}
		case want[s.Class]:
			places := s.Placeholders
			if len(places) == 0 {
				places = []string{"URLParam"}
			}
			for _, p := range places {
				k, name := PlaceholderKind(p)
				total++
				if Caught(d, k, name, s.Payload) {
					hit++
				} else {
					t.Logf("missed %s (%s): %q", s.Class, p, s.Payload)
				}
			}
		}
	}
	for _, s := range own {
		benign++
		if Caught(d, s.Kind, s.Name, s.Value) {
			fp++
			t.Logf("false positive (own corpus line %d): %q", s.Line, s.Value)
		}
	}
	ratio := 1.0
	if total > 0 {
		ratio = float64(hit) / float64(total)
	}
	if len(classes) > 0 {
		t.Logf("%s: detected %d/%d (%.2f%%) of the %v samples (payload x placeholder)", d.Class(), hit, total, 100*ratio, classes)
	}
	t.Logf("%s: false positives %d/%d (%.3f%%) over all benign samples (httpparams, gotestwaf false-pos, own corpus)",
		d.Class(), fp, benign, 100*float64(fp)/float64(benign))
	return ratio, fp
}
