package active

import (
	"html"
	"math/bits"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A soft 404 is a site's answer to a path it does not have that is not
// a 404: a catch-all page with status 200 (single-page apps, CMS routes),
// a redirect to the home page, a login page for every path. The sensitive
// files check learns what such an answer looks like for paths of the
// shape it probes (the same directory, a leading dot or not, the same
// extension) by fetching two random paths of that shape, and drops a
// probe whose response looks the same.

// Bounds on what the fingerprint reads of an untrusted body.
const (
	maxSoft404Body   = 64 << 10
	maxSoft404Tokens = 8192
)

// soft404Shape is what a random path copies of a probed path: its
// directory, the non-alphanumeric characters it starts with (".", "#"),
// everything from its first dot after the name (".php.bak", ".tar.gz",
// ".php~"), and a trailing slash.
type soft404Shape struct {
	dir, prefix, ext string
	slash            bool
}

// soft404ShapeOf returns the shape of an absolute URL path.
func soft404ShapeOf(p string) soft404Shape {
	var sh soft404Shape
	if strings.HasSuffix(p, "/") && p != "/" {
		sh.slash = true
		p = strings.TrimSuffix(p, "/")
	}
	dir, name := path.Split(p)
	sh.dir = dir
	i := 0
	for i < len(name) && !soft404Alnum(name[i]) {
		i++
	}
	sh.prefix = name[:i]
	rest := name[i:]
	if j := strings.IndexByte(rest, '.'); j >= 0 {
		sh.ext = rest[j:]
		return sh
	}
	for j := 0; j < len(rest); j++ {
		if c := rest[j]; c < utf8.RuneSelf && !soft404Alnum(c) && c != '-' && c != '_' {
			sh.ext = rest[j:] // "#name#", "name~"
			break
		}
	}
	return sh
}

func soft404Alnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// randomPath is a path of this shape that the site should not have.
func (sh soft404Shape) randomPath(name string) string {
	p := sh.dir + sh.prefix + name + sh.ext
	if sh.slash {
		p += "/"
	}
	return p
}

// soft404Sample is one response to a random path, reduced.
type soft404Sample struct {
	status int
	length int
	words  map[string]int
	n      int
	resp   *Response
}

// soft404Print is what a site answers for paths of one shape that it
// does not have.
type soft404Print struct {
	samples []soft404Sample
	// threshold is the similarity above which a response is the same
	// page: 0.9, lower when the random samples differ among themselves
	// (a page with a clock, a random banner).
	threshold float64
}

// newSoft404Print builds a fingerprint from the responses to random
// paths (given with the path each was fetched at).
func newSoft404Print(resps []*Response, paths []string) *soft404Print {
	fp := &soft404Print{threshold: 0.9}
	for i, r := range resps {
		if r == nil {
			continue
		}
		w, n := soft404Words(r.Body, paths[i])
		fp.samples = append(fp.samples, soft404Sample{status: r.Status, length: len(r.Body), words: w, n: n, resp: r})
	}
	for i := range fp.samples {
		for j := i + 1; j < len(fp.samples); j++ {
			a, b := fp.samples[i], fp.samples[j]
			if a.status != b.status {
				continue
			}
			if s := soft404Similarity(a.words, a.n, b.words, b.n); s-0.1 < fp.threshold {
				fp.threshold = max(0.5, s-0.1)
			}
		}
	}
	return fp
}

// soft404LenBucket puts a length into a power-of-two bucket.
func soft404LenBucket(n int) int { return bits.Len(uint(n)) } // #nosec G115 -- a length is never negative

// matches says whether r, the response to probe path p, is the site's
// answer to a path it does not have.
func (fp *soft404Print) matches(r *Response, p string) bool {
	var w map[string]int
	n := -1
	for _, s := range fp.samples {
		if s.status != r.Status {
			continue
		}
		// Bodies whose lengths are two or more powers of two apart are
		// different pages, whatever their words.
		if d := soft404LenBucket(len(r.Body)) - soft404LenBucket(s.length); d > 1 || d < -1 {
			continue
		}
		if n < 0 {
			w, n = soft404Words(r.Body, p)
		}
		if soft404Similarity(w, n, s.words, s.n) >= fp.threshold {
			return true
		}
	}
	return false
}

var soft404Digits = regexp.MustCompile(`[0-9]+`)

// soft404Words reduces a body to a multiset of words: the first
// maxSoft404Body bytes, lowercase, with the requested path (as sent,
// escaped, HTML-escaped, and its last segment) removed and runs of
// digits folded, so a page that echoes the path or shows a time is the
// same page for every path.
func soft404Words(body []byte, reqPath string) (map[string]int, int) {
	if len(body) > maxSoft404Body {
		body = body[:maxSoft404Body]
	}
	s := strings.ToLower(strings.ToValidUTF8(string(body), "\uFFFD"))
	var strip []string
	for _, p := range []string{reqPath, path.Base(strings.TrimSuffix(reqPath, "/"))} {
		if len(p) < 2 {
			continue
		}
		p = strings.ToLower(p)
		strip = append(strip, p, strings.ToLower(url.PathEscape(p)), strings.ToLower((&url.URL{Path: p}).EscapedPath()),
			html.EscapeString(p), strings.ToLower(url.QueryEscape(p)))
	}
	for _, p := range strip {
		if p != "" {
			s = strings.ReplaceAll(s, p, " ")
		}
	}
	s = soft404Digits.ReplaceAllString(s, "0")
	words := map[string]int{}
	n := 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if n >= maxSoft404Tokens {
			break
		}
		words[w]++
		n++
	}
	return words, n
}

// soft404Similarity is the Dice coefficient of two word multisets: 1 for
// the same words, 0 for none in common; two empty bodies are the same.
func soft404Similarity(a map[string]int, na int, b map[string]int, nb int) float64 {
	if na == 0 && nb == 0 {
		return 1
	}
	if na == 0 || nb == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	common := 0
	for w, ca := range a {
		common += min(ca, b[w])
	}
	return 2 * float64(common) / float64(na+nb)
}
