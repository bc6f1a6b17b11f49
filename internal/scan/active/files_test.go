package active

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// leakyFiles are files a careless deployment serves, and the check each
// must be reported under.
var leakyFiles = map[string]struct{ body, check string }{
	"/.git/HEAD":     {"ref: refs/heads/main\n", "files.vcs"},
	"/.git/config":   {"[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n", "files.vcs"},
	"/.env":          {"APP_ENV=production\nAPP_KEY=base64:c2VjcmV0\nDB_PASSWORD=hunter2\n", "files.secrets"},
	"/id_rsa":        {"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", "files.secrets"},
	"/phpinfo.php":   {"<!DOCTYPE html><html><head><title>PHP 8.2.1 - phpinfo()</title></head><body><h1>PHP Version 8.2.1</h1></body></html>", "files.debug"},
	"/server-status": {"<html><head><title>Apache Status</title></head><body><h1>Apache Server Status for localhost (via 127.0.0.1)</h1></body></html>", "files.debug"},
	"/backup.zip":    {"PK\x03\x04\x14\x00\x00\x00\x08\x00site/index.php", "files.dump"},
	"/dump.sql":      {"-- MySQL dump 10.13\nCREATE TABLE `users` (`id` int);\nINSERT INTO `users` VALUES (1,'admin');\n", "files.dump"},
	"/index.php.bak": {"<?php\n$db = new PDO('mysql:host=db', 'root', 'toor');\n?>\n<html></html>", "files.backup"},
	"/package.json":  {`{"name":"shop","version":"1.0.0","dependencies":{"express":"4.17.1"}}`, "files.info"},
}

// soft404Page is a catch-all page full of text that signatures look for,
// as a blog about server hardening might be.
const soft404Page = `<!doctype html><html><head><title>Hardening notes</title></head><body>
<h1>Page not found</h1><p>%s</p>
<article><p>Never leave phpinfo() around: it prints PHP Version 8.1.2, the Zend Engine and the PHP License.</p>
<pre>Apache Server Status for example.org</pre><pre>-----BEGIN RSA PRIVATE KEY-----</pre>
<pre>CREATE TABLE users (id int); INSERT INTO users VALUES (1);</pre><pre><?php echo "hi"; ?></pre>
<p>Types of profiles available. H2 Console. Symfony Profiler. Tomcat Web Application Manager.</p>
<p>Served at %d.</p></article></body></html>`

func filesServer(tb testing.TB, files map[string]string, notFound func(w http.ResponseWriter, r *http.Request)) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := files[r.URL.Path]; ok {
			if strings.HasPrefix(b, "<") {
				w.Header().Set("Content-Type", "text/html")
			} else {
				w.Header().Set("Content-Type", "application/octet-stream")
			}
			fmt.Fprint(w, b)
			return
		}
		notFound(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func TestFiles(t *testing.T) {
	leaky := map[string]string{"/index.php": "<html><body>Welcome</body></html>"}
	for p, f := range leakyFiles {
		leaky[p] = f.body
	}
	catchAll := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, soft404Page, "Sorry.", 1700000000)
	}
	echoPath := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, soft404Page, "The page "+r.URL.Path+" does not exist.", rand.IntN(1e9))
	}
	notFound := func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/.") {
			http.Error(w, "Forbidden", http.StatusForbidden)
			return
		}
		http.NotFound(w, r)
	}
	spa := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><html><head><title>Shop</title><script src="/app.js"></script></head><body><div id="root"></div></body></html>`)
	}
	tests := []struct {
		name     string
		files    map[string]string
		notFound func(w http.ResponseWriter, r *http.Request)
		want     []string // paths
	}{
		{"leaky", leaky, http.NotFound, slices.Sorted(func(yield func(string) bool) {
			for p := range leakyFiles {
				if !yield(p) {
					return
				}
			}
		})},
		{"fixed twin", map[string]string{"/index.php": "<html>Welcome</html>"}, notFound, nil},
		{"soft 404, same template", map[string]string{"/index.php": "<html>Welcome</html>"}, catchAll, nil},
		{"soft 404, echoes the path", map[string]string{"/index.php": "<html>Welcome</html>"}, echoPath, nil},
		{"redirect to login", map[string]string{"/index.php": "<html>Welcome</html>"}, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusFound)
		}, nil},
		{"env route is an HTML page", map[string]string{
			"/.env": `<html><body><h1>Docs</h1><pre>APP_KEY=change-me
DB_PASSWORD=change-me</pre></body></html>`,
		}, http.NotFound, nil},
		{"soft 404 with real files", map[string]string{
			"/.git/config": leakyFiles["/.git/config"].body,
			"/.env":        leakyFiles["/.env"].body,
		}, spa, []string{"/.env", "/.git/config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := filesServer(t, tt.files, tt.notFound)
			base, _ := url.Parse(srv.URL + "/")
			res, err := Files(context.Background(), ClientSender{srv.Client()}, base, []string{"/index.php", srv.URL + "/about"}, FilesOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res {
				got = append(got, r.Payload)
				if f, ok := leakyFiles[r.Payload]; ok && f.check != r.Check {
					t.Errorf("%s reported as %s, want %s", r.Payload, r.Check, f.check)
				}
				if _, ok := CheckInfo(r.Check); !ok || r.Detail == "" || r.Response == "" || r.Request == "" {
					t.Errorf("result %+v", r)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Files reported %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFilesPoint(t *testing.T) {
	u, _ := url.Parse("http://app.example/a/%23index.php%23")
	u.Path = "/a/#index.php#"
	p := filesPoint(u)
	req, err := p.Request(context.Background(), p.Value)
	if err != nil || req.URL.String() != "http://app.example/a/%23index.php%23" {
		t.Errorf("filesPoint(%s).Request = %v, %v", u, req.URL, err)
	}
}

func TestSoft404Shape(t *testing.T) {
	tests := []struct {
		in   string
		want soft404Shape
	}{
		{"/.git/HEAD", soft404Shape{dir: "/.git/"}},
		{"/.env", soft404Shape{dir: "/", prefix: "."}},
		{"/backup.tar.gz", soft404Shape{dir: "/", ext: ".tar.gz"}},
		{"/a/index.php~", soft404Shape{dir: "/a/", ext: ".php~"}},
		{"/a/.index.php.swp", soft404Shape{dir: "/a/", prefix: ".", ext: ".php.swp"}},
		{"/#index.php#", soft404Shape{dir: "/", prefix: "#", ext: ".php#"}},
		{"/debug/pprof/", soft404Shape{dir: "/debug/", slash: true}},
		{"/config~", soft404Shape{dir: "/", ext: "~"}},
	}
	for _, tt := range tests {
		if got := soft404ShapeOf(tt.in); got != tt.want {
			t.Errorf("soft404ShapeOf(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	if got := soft404ShapeOf("/a/.index.php.swp").randomPath("rmpx"); got != "/a/.rmpx.php.swp" {
		t.Errorf("randomPath = %q", got)
	}
}

func TestSoft404Print(t *testing.T) {
	page := func(p string, n int) *Response {
		return &Response{Status: 200, Body: fmt.Appendf(nil, soft404Page, "No page at "+p+".", n)}
	}
	fp := newSoft404Print([]*Response{page("/rmpa.php", 1), page("/rmpb.php", 2)}, []string{"/rmpa.php", "/rmpb.php"})
	if fp.threshold != 0.9 {
		t.Errorf("threshold %v for identical pages", fp.threshold)
	}
	if !fp.matches(page("/config.php.bak", 77), "/config.php.bak") {
		t.Error("the catch-all page for another path did not match")
	}
	for _, r := range []*Response{
		{Status: 200, Body: []byte("<?php $password = 'x'; ?>")},
		{Status: 404, Body: page("/x", 1).Body},
		{Status: 200, Body: []byte(strings.Repeat("a different page with other words ", 40))},
	} {
		if fp.matches(r, "/config.php.bak") {
			t.Errorf("%d %.40q matched the soft-404 print", r.Status, r.Body)
		}
	}
}

func TestSoft404Similarity(t *testing.T) {
	sim := func(a, b string) float64 {
		wa, na := soft404Words([]byte(a), "/p")
		wb, nb := soft404Words([]byte(b), "/q")
		return soft404Similarity(wa, na, wb, nb)
	}
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"", "", 1, 1},
		{"a b c", "", 0, 0},
		{"not found /p", "not found /q", 1, 1},
		{"Not Found at 12:01", "not found at 13:59", 1, 1},
		{"a b c d", "a b c e", 0.75, 0.75},
		{"a b", "c d", 0, 0},
	}
	for _, tt := range tests {
		if got := sim(tt.a, tt.b); got < tt.min || got > tt.max {
			t.Errorf("similarity(%q, %q) = %v, want in [%v, %v]", tt.a, tt.b, got, tt.min, tt.max)
		}
	}
}

func FuzzSoft404(f *testing.F) {
	f.Add([]byte("<html>Not found: /x.php</html>"), []byte("<html>Not found: /y.php</html>"), "/x.php")
	f.Add([]byte(""), []byte("PK\x03\x04"), "/")
	f.Add([]byte("a a a b"), []byte("a b b"), "/.env")
	f.Fuzz(func(t *testing.T, a, b []byte, p string) {
		if len(a) > 32<<10 || len(b) > 32<<10 || len(p) > 256 {
			return
		}
		wa, na := soft404Words(a, p)
		wb, nb := soft404Words(b, p)
		s1, s2 := soft404Similarity(wa, na, wb, nb), soft404Similarity(wb, nb, wa, na)
		if s1 != s2 || s1 < 0 || s1 > 1 {
			t.Fatalf("similarity %v / %v", s1, s2)
		}
		if s := soft404Similarity(wa, na, wa, na); s != 1 {
			t.Fatalf("self-similarity %v", s)
		}
		fp := newSoft404Print([]*Response{{Status: 200, Body: a}, {Status: 200, Body: a}}, []string{p, p})
		if !fp.matches(&Response{Status: 200, Body: a}, p) {
			t.Fatal("a page does not match its own print")
		}
		_ = soft404ShapeOf("/" + p).randomPath("rmpx")
	})
}
