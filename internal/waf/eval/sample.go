package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"rampart/internal/waf/dataset"
)

// evalHost is the Host every sample is sent with, in both modes, so that
// an engine's rules about hosts (a numeric IP, a missing Host) judge every
// request alike.
const evalHost = "shop.example.com"

// header is one request header; samples keep them in order.
type header struct{ Name, Value string }

// sample is one labeled request.
type sample struct {
	Set    string // data set: httpparams, gotestwaf, corpus
	Class  string // detect.Class spelling, an api-* class, or dataset.Benign
	Where  string // where the payload sits: "query:q", "URLParam/Base64Flat", "cookie:session"
	Group  string // row of the by-location table: "URLParam/Base64Flat", "cookie", "json"
	Source string // file (and line) it came from
	// Payload is what the miss lists show: the data set's value, or the
	// corpus entry's note.
	Payload string

	Method  string
	Target  string // request-target: path and query as the client writes it
	Headers []header
	Body    []byte
}

// attack reports whether the sample is labeled as an attack.
func (s *sample) attack() bool { return s.Class != dataset.Benign }

// request builds the HTTP request for base ("http://127.0.0.1:8080"). It
// fails for samples no HTTP client would send: a URL that does not parse
// or a header value with control characters.
func (s *sample) request(ctx context.Context, base string) (*http.Request, error) {
	var body io.Reader
	if len(s.Body) > 0 {
		body = bytes.NewReader(s.Body)
	}
	req, err := http.NewRequestWithContext(ctx, s.Method, base+s.Target, body) // #nosec G704 -- base is the loopback gateway or a fixed in-process host
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Host = evalHost
	for _, h := range s.Headers {
		if !validHeader(h.Name, h.Value) {
			return nil, fmt.Errorf("build request: header %q: invalid value %q", h.Name, h.Value)
		}
		if strings.EqualFold(h.Name, "Host") {
			req.Host = h.Value
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	return req, nil
}

// validHeader is net/http's rule for what a client may send: a token for
// the name, no control characters but tab in the value.
func validHeader(name, value string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// browserHeaders are what a current desktop browser sends with a page
// request; httpparams samples and the corpus's defaults use them.
var browserHeaders = []header{
	{"User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"},
	{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
	{"Accept-Language", "en-US,en;q=0.8"},
	{"Accept-Encoding", "gzip, deflate, br"},
	{"Sec-Fetch-Site", "same-origin"},
	{"Sec-Fetch-Mode", "navigate"},
	{"Sec-Fetch-Dest", "document"},
}

// httpParamsSamples puts each httpparams value in a search query and, with
// body set, also in a form field.
func httpParamsSamples(dir string, body bool) ([]sample, error) {
	ss, err := dataset.HTTPParams(dir)
	if err != nil {
		return nil, err
	}
	out := make([]sample, 0, len(ss))
	for _, s := range ss {
		out = append(out, sample{
			Set: s.Set, Class: s.Class, Where: "query:q", Group: "query", Source: s.Source, Payload: s.Payload,
			Method: http.MethodGet, Target: "/search?q=" + url.QueryEscape(s.Payload),
			Headers: browserHeaders,
		})
	}
	if body {
		for _, s := range ss {
			form := "q=" + url.QueryEscape(s.Payload)
			out = append(out, sample{
				Set: s.Set, Class: s.Class, Where: "form:q", Group: "form", Source: s.Source, Payload: s.Payload,
				Method: http.MethodPost, Target: "/search",
				Headers: append([]header{{"Content-Type", "application/x-www-form-urlencoded"}}, browserHeaders...),
				Body:    []byte(form),
			})
		}
	}
	return out, nil
}

// corpusEntry is one line of testdata/requests/*.jsonl.
type corpusEntry struct {
	Class   string            `json:"class"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"` // raw, already encoded, without "?"
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Where   string            `json:"where"` // location of the attack, for the miss lists
	Note    string            `json:"note"`
}

// corpusSamples reads every *.jsonl under dir. Entries without a
// User-Agent get the browser headers; their own headers win.
func corpusSamples(dir string) ([]sample, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read corpus: no *.jsonl in %s", dir)
	}
	sort.Strings(files)
	var out []sample
	for _, name := range files {
		ss, err := readCorpus(name)
		if err != nil {
			return nil, err
		}
		out = append(out, ss...)
	}
	values, err := filepath.Glob(filepath.Join(dir, "values_*.txt"))
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	sort.Strings(values)
	for _, name := range values {
		ss, err := readValues(name)
		if err != nil {
			return nil, err
		}
		out = append(out, ss...)
	}
	return out, nil
}

// readValues reads a values_*.txt file: lines of "class<TAB>value" ('#'
// starts a comment line), each value sent twice, as a search query
// argument and as a JSON string.
func readValues(name string) ([]sample, error) {
	data, err := os.ReadFile(name) // #nosec G304 G703 -- a corpus file the user named
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	base := filepath.Base(name)
	var out []sample
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		class, value, ok := strings.Cut(line, "\t")
		if !ok || class == "" || value == "" {
			return nil, fmt.Errorf("read %s:%d: want class<TAB>value", base, i+1)
		}
		src := fmt.Sprintf("%s:%d", base, i+1)
		body, err := json.Marshal(map[string]string{"q": value})
		if err != nil {
			return nil, fmt.Errorf("read %s:%d: %w", base, i+1, err)
		}
		out = append(out,
			sample{Set: "corpus", Class: class, Where: "query:q", Group: "query", Source: src, Payload: value,
				Method: http.MethodGet, Target: "/search?q=" + url.QueryEscape(value), Headers: browserHeaders},
			sample{Set: "corpus", Class: class, Where: "json:$.q", Group: "json", Source: src, Payload: value,
				Method: http.MethodPost, Target: "/api/search", Body: body,
				Headers: append([]header{{"Content-Type", "application/json"}}, browserHeaders...)})
	}
	return out, nil
}

func readCorpus(name string) ([]sample, error) {
	f, err := os.Open(name) // #nosec G304 G703 -- a corpus file the user named
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	defer func() { _ = f.Close() }()
	var out []sample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	base := filepath.Base(name)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var e corpusEntry
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("read %s:%d: %w", base, line, err)
		}
		if e.Class == "" || e.Method == "" || !strings.HasPrefix(e.Path, "/") {
			return nil, fmt.Errorf("read %s:%d: want class, method and a path starting with /", base, line)
		}
		out = append(out, corpusSample(e, fmt.Sprintf("%s:%d", base, line)))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", base, err)
	}
	return out, nil
}

func corpusSample(e corpusEntry, source string) sample {
	s := sample{Set: "corpus", Class: e.Class, Where: e.Where, Source: source, Payload: e.Note,
		Method: e.Method, Target: e.Path, Body: []byte(e.Body)}
	if e.Query != "" {
		s.Target += "?" + e.Query
	}
	s.Group = corpusGroup(e)
	if s.Where == "" {
		s.Where = s.Group
	}
	names := make([]string, 0, len(e.Headers))
	for k := range e.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, h := range browserHeaders {
		if !hasHeader(e.Headers, h.Name) {
			s.Headers = append(s.Headers, h)
		}
	}
	for _, k := range names {
		s.Headers = append(s.Headers, header{k, e.Headers[k]})
	}
	return s
}

// corpusGroup is the kind of place an entry's payload sits in: the part of
// its "where" before ":" or " ", or, without one, what its body or URL is.
func corpusGroup(e corpusEntry) string {
	if e.Where != "" {
		if i := strings.IndexAny(e.Where, ": "); i > 0 {
			return e.Where[:i]
		}
		return e.Where
	}
	if e.Body != "" {
		ct := ""
		for k, v := range e.Headers {
			if strings.EqualFold(k, "Content-Type") {
				ct = strings.ToLower(v)
			}
		}
		switch {
		case strings.Contains(ct, "x-www-form-urlencoded"):
			return "form"
		case strings.Contains(ct, "multipart/"):
			return "multipart"
		case strings.Contains(ct, "json"):
			return "json"
		case strings.Contains(ct, "xml"):
			return "xml"
		}
		return "body"
	}
	if e.Query != "" {
		return "query"
	}
	return "path"
}

func hasHeader(m map[string]string, name string) bool {
	for k := range m {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// randomKey stands in for GoTestWAF's random hex names (RandomHex(5), ten
// hex digits): derived from the sample so runs are reproducible.
func randomKey(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = io.WriteString(h, p)
		_, _ = h.Write([]byte{0})
	}
	return fmt.Sprintf("%010x", h.Sum64()&0xffffffffff)
}

// limitPerClass keeps at most n samples of each (set, class, where),
// spread over the data set rather than its first n; n <= 0 keeps all.
func limitPerClass(ss []sample, n int) []sample {
	if n <= 0 {
		return ss
	}
	type key struct{ set, class, where string }
	groups := map[key][]int{}
	for i, s := range ss {
		k := key{s.Set, s.Class, s.Where}
		groups[k] = append(groups[k], i)
	}
	keep := make([]bool, len(ss))
	for _, idx := range groups {
		if len(idx) <= n {
			for _, i := range idx {
				keep[i] = true
			}
			continue
		}
		for j := 0; j < n; j++ {
			keep[idx[j*len(idx)/n]] = true
		}
	}
	out := ss[:0:0]
	for i, s := range ss {
		if keep[i] {
			out = append(out, s)
		}
	}
	return out
}
