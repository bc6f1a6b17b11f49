package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
)

// TestMain lets the test binary stand in for "rampart proxy" in the gateway
// test, so that test does not build the whole gateway.
func TestMain(m *testing.M) {
	if os.Getenv("RAMPART_EVAL_FAKE_PROXY") == "1" {
		fakeProxy(os.Args[1:])
		return
	}
	os.Exit(m.Run())
}

// fakeProxy is a stand-in for "rampart proxy --from ADDR --to URL ...": it
// answers 403 to requests whose query mentions <script, and proxies the
// rest to the upstream.
func fakeProxy(args []string) {
	var from, to string
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "--from":
			from = args[i+1]
		case "--to":
			to = args[i+1]
		}
	}
	up, err := url.Parse(to)
	if err != nil || from == "" {
		os.Exit(2)
	}
	rp := httputil.NewSingleHostReverseProxy(up)
	srv := &http.Server{Addr: from, ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q, _ := url.QueryUnescape(r.URL.RawQuery); strings.Contains(q, "<script") {
			http.Error(w, "blocked", http.StatusForbidden)
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt)
		<-c
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		os.Exit(1)
	}
}

func TestEvalInProcess(t *testing.T) {
	if _, err := dataset.Dir(); err != nil {
		t.Skip("no data sets:", err)
	}
	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "eval.json")
	var out, errOut bytes.Buffer
	args := []string{"-engine", "crs", "-per-class", "2", "-misses", "2", "-q", "-json", jsonFile}
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("run(%q): %v\n%s", args, err, errOut.String())
	}
	md := out.String()
	for _, want := range []string{"## httpparams", "## gotestwaf", "## corpus", "| sqli |", "benign blocked", "crs in-process", "## Throughput"} {
		if !strings.Contains(md, want) {
			t.Errorf("output lacks %q:\n%s", want, md)
		}
	}
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var rep jsonReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("json report: %v", err)
	}
	if len(rep.Runs) != 1 || len(rep.Runs[0].Sets) != 3 {
		t.Fatalf("json report: %d runs, want 1 with 3 sets: %s", len(rep.Runs), b)
	}
	for _, s := range rep.Runs[0].Sets {
		if s.Attacks.Samples == 0 || s.Benign.Samples == 0 {
			t.Errorf("set %s: %d attacks, %d benign inspected; want both", s.Name, s.Attacks.Samples, s.Benign.Samples)
		}
		// CRS at paranoia 1 catches a fair share of every set; zero
		// would mean requests are built wrong.
		if s.CaughtPercent < 30 {
			t.Errorf("set %s: crs caught %.1f%%, want a working engine", s.Name, s.CaughtPercent)
		}
	}
}

func TestParseFlags(t *testing.T) {
	bad := [][]string{
		{"-engine", "modsec"},
		{"-mode", "fast"},
		{"-paranoia", "5"},
		{"-data", "imdb"},
		{"-concurrency", "0"},
		{"extra"},
	}
	for _, args := range bad {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q): no error", args)
		}
	}
	o, err := parseFlags([]string{"-engine", "crs,crs", "-mode", "both"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.engines) != 1 || len(o.modes) != 2 || o.paranoia != 1 {
		t.Errorf("parseFlags = %+v", o)
	}
}

func TestCorpus(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := corpusSamples(filepath.Join(root, "internal", "waf", "testdata", "requests"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{dataset.Benign: true, "ssi": true}
	for _, c := range classOrder {
		known[c] = true
	}
	counts := map[string]int{}
	groups := map[string]bool{}
	for _, s := range ss {
		if !known[s.Class] {
			t.Errorf("%s: class %q is not a detect class", s.Source, s.Class)
		}
		counts[s.Class]++
		if s.attack() {
			groups[s.Group] = true
		}
		if _, err := s.request(context.Background(), "http://"+evalHost); err != nil {
			t.Errorf("%s: %v", s.Source, err)
		}
	}
	if counts[dataset.Benign] < 300 {
		t.Errorf("%d benign requests, want at least 300", counts[dataset.Benign])
	}
	for _, c := range []detect.Class{detect.SQLi, detect.XSS, detect.Cmdi, detect.Traversal, detect.RFI, detect.SSRF,
		detect.XXE, detect.NoSQLi, detect.SSTI, detect.LDAPi, detect.CRLF, detect.JNDI, detect.Scanner} {
		if counts[string(c)] < 5 {
			t.Errorf("%d %s attacks, want at least 5", counts[string(c)], c)
		}
	}
	for _, g := range []string{"query", "path", "header", "cookie", "form", "json", "xml", "multipart"} {
		if !groups[g] {
			t.Errorf("no attack in %s", g)
		}
	}
}

func TestEncode(t *testing.T) {
	tests := []struct{ enc, in, want string }{
		{"Plain", "<a b>", "<a b>"},
		{"URL", "<a b>&", "%3Ca+b%3E%26"},
		{"Base64", "ab", "YWI="},
		{"Base64Flat", "ab", "YWI"},
		{"JSUnicode", "a<ë", `\u0061\u003c\u00eb`},
		{"JSUnicode", "😀", `\ud83d\ude00`},
		{"XMLEntity", `<"a'>&`, "<string>&lt;&#34;a&#39;&gt;&amp;</string>"},
	}
	for _, tt := range tests {
		got, err := encode(tt.enc, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("encode(%s, %q) = %q, %v; want %q", tt.enc, tt.in, got, err, tt.want)
		}
	}
	if _, err := encode("ROT13", "x"); err == nil {
		t.Error("encode(ROT13): no error")
	}
}

func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", "a<b", "😀", "\x00\xff", "' OR 1=1--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		b64, _ := encode("Base64Flat", s)
		if dec, err := base64.RawStdEncoding.DecodeString(b64); err != nil || string(dec) != s {
			t.Errorf("Base64Flat(%q) = %q does not decode back", s, b64)
		}
		u, _ := encode("URL", s)
		if dec, err := url.QueryUnescape(u); err != nil || dec != s {
			t.Errorf("URL(%q) = %q does not decode back", s, u)
		}
		js, _ := encode("JSUnicode", s)
		var dec string
		if err := json.Unmarshal([]byte(`"`+js+`"`), &dec); err != nil {
			t.Errorf("JSUnicode(%q) = %q is not a JSON string body: %v", s, js, err)
		} else if want := string(utf16.Decode(utf16.Encode([]rune(s)))); dec != want {
			t.Errorf("JSUnicode(%q) decodes to %q, want %q", s, dec, want)
		}
	})
}

func TestPlace(t *testing.T) {
	const key = "0123456789"
	tests := []struct {
		placeholder string
		raw         map[string]any
		check       func(t *testing.T, r *http.Request, body []byte)
	}{
		{"URLPath", nil, func(t *testing.T, r *http.Request, _ []byte) {
			if r.Method != "GET" || r.URL.Path != "/PAY+LOAD" {
				t.Errorf("URLPath: %s %q", r.Method, r.URL.Path)
			}
		}},
		{"URLParam", nil, func(t *testing.T, r *http.Request, _ []byte) {
			if r.URL.Query().Get(key) != "PAY LOAD" {
				t.Errorf("URLParam: query %q", r.URL.RawQuery)
			}
		}},
		{"Header", nil, func(t *testing.T, r *http.Request, _ []byte) {
			if r.Header.Get("X-"+key) != "PAY+LOAD" {
				t.Errorf("Header: %v", r.Header)
			}
		}},
		{"UserAgent", nil, func(t *testing.T, r *http.Request, _ []byte) {
			if r.UserAgent() != "PAY+LOAD" {
				t.Errorf("UserAgent: %q", r.UserAgent())
			}
		}},
		{"HTMLForm", nil, func(t *testing.T, r *http.Request, body []byte) {
			v, _ := url.ParseQuery(string(body))
			if r.Method != "POST" || v.Get(key) != "PAY LOAD" {
				t.Errorf("HTMLForm: %s %q", r.Method, body)
			}
		}},
		{"HTMLMultipartForm", nil, func(t *testing.T, r *http.Request, body []byte) {
			_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			p, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextPart()
			if err != nil {
				t.Fatalf("HTMLMultipartForm: %v", err)
			}
			v, _ := io.ReadAll(p)
			if p.FormName() != key || string(v) != "PAY+LOAD" {
				t.Errorf("HTMLMultipartForm: field %q = %q", p.FormName(), v)
			}
		}},
		{"JSONRequest", nil, func(t *testing.T, r *http.Request, body []byte) {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil || m[key] != "PAY+LOAD" || m["test"] != true {
				t.Errorf("JSONRequest: %s (%v)", body, err)
			}
		}},
		{"XMLBody", nil, func(t *testing.T, r *http.Request, body []byte) {
			if r.Header.Get("Content-Type") != "text/xml" || string(body) != "PAY+LOAD" {
				t.Errorf("XMLBody: %q", body)
			}
		}},
		{"SOAPBody", nil, func(t *testing.T, r *http.Request, body []byte) {
			if !strings.Contains(string(body), "<ab"+key+"><string>PAY+LOAD</string></ab"+key+">") {
				t.Errorf("SOAPBody: %s", body)
			}
		}},
		{"GraphQL", map[string]any{"method": "GET"}, func(t *testing.T, r *http.Request, _ []byte) {
			if r.URL.Path != "/graphql" || r.URL.Query().Get("query") != "PAY+LOAD" {
				t.Errorf("GraphQL GET: %s", r.URL)
			}
		}},
		{"GraphQL", map[string]any{"method": "POST"}, func(t *testing.T, r *http.Request, body []byte) {
			if r.Method != "POST" || string(body) != "PAY+LOAD" {
				t.Errorf("GraphQL POST: %s %q", r.Method, body)
			}
		}},
		{"gRPC", nil, func(t *testing.T, r *http.Request, body []byte) {
			if len(body) < 7 || binary.BigEndian.Uint32(body[1:5]) != uint32(len(body)-5) || !bytes.HasSuffix(body, []byte("PAY+LOAD")) {
				t.Errorf("gRPC frame % x", body)
			}
		}},
		{"RawRequest", map[string]any{"method": "CUST", "path": "/x/{{payload}}", "headers": map[string]any{"X-A": "v-{{payload}}"}, "body": "b={{payload}}"},
			func(t *testing.T, r *http.Request, body []byte) {
				if r.Method != "CUST" || r.URL.Path != "/x/PAY+LOAD" || r.Header.Get("X-A") != "v-PAY+LOAD" || string(body) != "b=PAY+LOAD" {
					t.Errorf("RawRequest: %s %s %v %q", r.Method, r.URL, r.Header, body)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.placeholder, func(t *testing.T) {
			s := sample{}
			if err := place(&s, tt.placeholder, "PAY+LOAD", key, tt.raw); err != nil {
				t.Fatal(err)
			}
			r, err := s.request(context.Background(), "http://"+evalHost)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r, s.Body)
		})
	}
	if err := place(&sample{}, "Carrier-Pigeon", "x", key, nil); err == nil {
		t.Error("place(unknown placeholder): no error")
	}
}

func TestRequestRejectsUnsendable(t *testing.T) {
	for _, s := range []sample{
		{Method: "GET", Target: "/%zz"},
		{Method: "GET", Target: "/", Headers: []header{{"X-A", "a\r\nb"}}},
		{Method: "GET", Target: "/", Headers: []header{{"Bad Name", "a"}}},
	} {
		if _, err := s.request(context.Background(), "http://"+evalHost); err == nil {
			t.Errorf("request(%+v): no error", s)
		}
	}
}

func TestLimitPerClass(t *testing.T) {
	var ss []sample
	for i := range 10 {
		ss = append(ss, sample{Set: "s", Class: "sqli", Where: "q", Payload: string(rune('a' + i))})
	}
	ss = append(ss, sample{Set: "s", Class: "xss", Where: "q"})
	got := limitPerClass(ss, 3)
	if len(got) != 4 || got[0].Payload != "a" || got[1].Payload == "b" {
		t.Errorf("limitPerClass(10 sqli + 1 xss, 3) = %+v", got)
	}
	if len(limitPerClass(ss, 0)) != len(ss) {
		t.Error("limitPerClass(0) dropped samples")
	}
}

// TestGateway runs the gateway plumbing against the test binary posing as
// rampart (see TestMain): start, wait until it answers, send, judge by
// status, stop.
func TestGateway(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	t.Setenv("RAMPART_EVAL_FAKE_PROXY", "1")
	srv, up, err := upstream()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	mk := func(class, q string) sample {
		return sample{Set: "t", Class: class, Method: "GET", Target: "/search?q=" + url.QueryEscape(q), Headers: browserHeaders}
	}
	sets := []set{{Name: "t", Samples: []sample{
		mk("xss", "<script>alert(1)</script>"), mk(dataset.Benign, "garden hose"), mk("xss", "<script src=x>"),
		{Set: "t", Class: "sqli", Method: "GET", Target: "/", Headers: []header{{"X-A", "a\nb"}}},
	}}}
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	r, err := runGateway(context.Background(), exe, "crs", up, t.TempDir(), sets,
		gatewayOptions{Paranoia: 1, Concurrency: 2, Timeout: 30 * time.Second}, log)
	if err != nil {
		t.Fatal(err)
	}
	res := r.Results["t"]
	want := []result{{Flagged: true, Status: 403}, {Status: 200}, {Flagged: true, Status: 403}, {Skipped: true}}
	for i, w := range want {
		if res[i].Flagged != w.Flagged || res[i].Status != w.Status || res[i].Skipped != w.Skipped {
			t.Errorf("sample %d: %+v, want %+v", i, res[i], w)
		}
	}
	if r.Statuses[403] != 2 || r.Statuses[200] != 1 {
		t.Errorf("statuses %v", r.Statuses)
	}
	// The process is gone once runGateway returns.
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(up, "http://"), time.Second); err != nil {
		t.Errorf("upstream gone too: %v", err)
	}
}
