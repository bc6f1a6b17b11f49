package active

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The boolean checks (SQL, NoSQL) compare pages as multisets of words:
// the order of a page rarely changes between two answers to the same
// query, but whole rows, messages and sections come and go. Words that
// look random (long tokens with digits: session IDs, CSRF tokens,
// timestamps run together) are folded into one, and the words of the
// payloads sent are left out, so a page that reflects the input does not
// look different for that alone.

// maxSigBody bounds the part of a body that is compared.
const maxSigBody = 512 << 10

// maxSigToken bounds a word; longer runs are folded (base64, hashes).
const maxSigToken = 32

// diffFar is the distance between pages of different statuses.
const diffFar = 1 << 20

// pageSig is a response reduced to what the boolean checks compare.
type pageSig struct {
	status int
	words  map[string]int
	n      int
}

// newPageSig reduces r. Every occurrence of a strip string (the payloads
// sent) is removed first, as sent and in the escaped forms a page shows
// it in.
func newPageSig(r *Response, strip ...string) pageSig {
	s := pageSig{words: map[string]int{}}
	if r == nil {
		return s
	}
	s.status = r.Status
	body := r.Body
	if len(body) > maxSigBody {
		body = body[:maxSigBody]
	}
	text := html.UnescapeString(string(body))
	if loc := r.Header.Get("Location"); loc != "" {
		text += " location " + loc
	}
	for _, p := range strip {
		for _, f := range diffForms(p) {
			text = strings.ReplaceAll(text, f, " ")
		}
	}
	diffWords(text, func(w string) {
		s.words[w]++
		s.n++
	})
	return s
}

// diffForms are the forms of a payload a page may show: as sent, HTML-,
// URL- and JSON-escaped. Short strings are left alone: removing "1"
// from a page would remove every 1.
func diffForms(p string) []string {
	if len(p) < 4 {
		return nil
	}
	forms := []string{p, url.QueryEscape(p), url.PathEscape(p), html.EscapeString(p)}
	if b, err := json.Marshal(p); err == nil && len(b) >= 2 {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	return forms
}

// diffWords calls f with each word of text, lower-cased, random-looking
// words folded to "~".
func diffWords(text string, f func(string)) {
	start := -1
	emit := func(end int) {
		if start < 0 {
			return
		}
		f(diffFold(text[start:end]))
		start = -1
	}
	for i := 0; i < len(text); {
		c := text[i]
		size := 1
		word := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
		if c >= utf8.RuneSelf {
			_, size = utf8.DecodeRuneInString(text[i:])
			word = true
		}
		if word {
			if start < 0 {
				start = i
			}
		} else {
			emit(i)
		}
		i += size
	}
	emit(len(text))
}

func diffFold(w string) string {
	if len(w) > maxSigToken {
		return "~"
	}
	if len(w) >= 8 && strings.ContainsAny(w, "0123456789") {
		return "~"
	}
	return strings.ToLower(w)
}

// diffIgnore is the set of words of the payloads, less the words of the
// original value: a page that reflects part of a payload differs only in
// those, while the words the original value brings (a name the page
// shows) still count.
func diffIgnore(orig string, payloads ...string) map[string]bool {
	keep := map[string]bool{}
	diffWords(orig, func(w string) { keep[w] = true })
	ign := map[string]bool{}
	for _, p := range payloads {
		for _, f := range append(diffForms(p), p) {
			diffWords(f, func(w string) {
				if !keep[w] {
					ign[w] = true
				}
			})
		}
	}
	return ign
}

// sigDist is the size of the multiset difference of two pages, leaving
// out the ignored words; diffFar when their statuses differ.
func sigDist(a, b pageSig, ignore map[string]bool) int {
	if a.status != b.status {
		return diffFar
	}
	d := 0
	for w, n := range a.words {
		if !ignore[w] {
			d += diffAbs(n - b.words[w])
		}
	}
	for w, n := range b.words {
		if _, ok := a.words[w]; !ok && !ignore[w] {
			d += n
		}
	}
	return d
}

func diffAbs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// pageBase is what several responses to the original value have in
// common: the words every one shows (stable) and the most of each word
// any one shows (union). A page is as far from it as it lacks stable
// words and has words beyond the union, so content that changes from
// one request to the next counts only when it goes beyond what the
// originals showed.
type pageBase struct {
	status           int
	stable, union    map[string]int
	stableWords      int
	noise            int
	sameTol, diffTol int
}

// newPageBase builds the base of at least two original responses, and
// false when they do not agree on the status.
func newPageBase(sigs []pageSig) (pageBase, bool) {
	if len(sigs) < 2 {
		return pageBase{}, false
	}
	b := diffBase(sigs)
	for _, s := range sigs {
		if s.status != b.status {
			return pageBase{}, false
		}
	}
	// The noise is how far each original is from the base of the
	// others: what one more request to an unchanged page may show.
	for i := range sigs {
		others := make([]pageSig, 0, len(sigs)-1)
		others = append(others, sigs[:i]...)
		others = append(others, sigs[i+1:]...)
		ob := diffBase(others)
		b.noise = max(b.noise, ob.dist(sigs[i], nil))
	}
	b.sameTol = b.noise + 2 + b.stableWords/1000
	b.diffTol = 2*b.sameTol + 1
	return b, true
}

func diffBase(sigs []pageSig) pageBase {
	b := pageBase{status: sigs[0].status, stable: map[string]int{}, union: map[string]int{}}
	for w, n := range sigs[0].words {
		b.stable[w] = n
	}
	for _, s := range sigs {
		for w, n := range b.stable {
			if m := s.words[w]; m < n {
				if m == 0 {
					delete(b.stable, w)
				} else {
					b.stable[w] = m
				}
			}
		}
		for w, n := range s.words {
			b.union[w] = max(b.union[w], n)
		}
	}
	for _, n := range b.stable {
		b.stableWords += n
	}
	return b
}

// dist is how far s is from the base: the stable words it lacks and the
// words it has beyond the union, leaving out the ignored words; diffFar
// for another status.
func (b pageBase) dist(s pageSig, ignore map[string]bool) int {
	if s.status != b.status {
		return diffFar
	}
	d := 0
	for w, n := range b.stable {
		if !ignore[w] && s.words[w] < n {
			d += n - s.words[w]
		}
	}
	for w, n := range s.words {
		if !ignore[w] && n > b.union[w] {
			d += n - b.union[w]
		}
	}
	return d
}

// same says s is the original page, give or take its noise.
func (b pageBase) same(s pageSig, ignore map[string]bool) bool {
	return b.dist(s, ignore) <= b.sameTol
}

// differs says s is clearly not the original page.
func (b pageBase) differs(s pageSig, ignore map[string]bool) bool {
	return b.dist(s, ignore) >= b.diffTol
}

// newPageBaseOK is newPageBase, nil when the pages disagree on the
// status.
func newPageBaseOK(sigs []pageSig) *pageBase {
	b, ok := newPageBase(sigs)
	if !ok {
		return nil
	}
	return &b
}
