package traversal

import (
	"bufio"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

// readCorpus reads a testdata corpus: one value per line, '#' comments and
// blank lines skipped, lines starting with '"' unquoted as Go strings.
func readCorpus(tb testing.TB, name string) []string {
	tb.Helper()
	f, err := os.Open(name)
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
				tb.Fatalf("%s: %q: %v", name, line, err)
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

// score returns the total paranoia-1 score d gives v and the matches.
func score(d detect.Detector, in detect.Input) (int, []detect.Match) {
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

// variants returns v as the engine would show it: raw, and URL-decoded up
// to three times.
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

// windows cuts v as the engine does for long values.
func windows(v string) []string {
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

// detected reports whether any window and variant of v scores >= 5 at
// paranoia 1 with the detectors together.
func detected(ds []detect.Detector, v string) bool {
	for _, w := range windows(v) {
		for _, vr := range variants(w) {
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
