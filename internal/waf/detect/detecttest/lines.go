package detecttest

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

// ReadLines reads a corpus of plain values at path: one value a line,
// "# " comment lines and blank lines skipped (a value may start with "#"),
// lines starting with '"' unquoted as Go strings.
func ReadLines(tb testing.TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path) // #nosec G304 -- a corpus file under the test's own testdata
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "# ") || line == "#" {
			continue
		}
		if strings.HasPrefix(line, `"`) {
			u, err := strconv.Unquote(line)
			if err != nil {
				tb.Fatalf("%s: %q: %v", path, line, err)
			}
			line = u
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Sum returns the sum of every paranoia-1 score d gives in, with Raw
// defaulting to Value and Kind to KindQuery, and the matches.
func Sum(d detect.Detector, in detect.Input) (int, []detect.Match) {
	if in.Raw == "" {
		in.Raw = in.Value
	}
	if in.Kind == 0 {
		in.Kind = detect.KindQuery
	}
	ms := d.Detect(&in, nil)
	total := 0
	for _, m := range ms {
		if m.Paranoia <= 1 {
			total += m.Score
		}
	}
	return total, ms
}

// Windows cuts v as the engine does for long values.
func Windows(v string) []string {
	const window, overlap = detect.MaxValue, 1024
	if len(v) <= window {
		return []string{v}
	}
	var out []string
	for off := 0; ; off += window - overlap {
		end := min(off+window, len(v))
		out = append(out, v[off:end])
		if end == len(v) {
			return out
		}
	}
}

// Detected reports whether any window and URL-decoded variant of v, as a
// query value, scores 5 or more at paranoia 1 with the detectors together.
func Detected(ds []detect.Detector, v string) bool {
	for _, w := range Windows(v) {
		for _, vr := range Variants(w) {
			in := detect.Input{Value: vr, Raw: w, Kind: detect.KindQuery}
			total := 0
			for _, d := range ds {
				for _, m := range d.Detect(&in, nil) {
					if m.Paranoia <= 1 {
						total += m.Score
					}
				}
			}
			if total >= 5 {
				return true
			}
		}
	}
	return false
}
