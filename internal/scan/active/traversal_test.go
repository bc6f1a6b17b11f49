package active

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// travPasswdFile is the fake /etc/passwd of the fixtures.
const travPasswdFile = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"

// travRoot is a fake file system root: the fixtures read only under it,
// resolving paths as the kernel would at /.
func travRoot(tb testing.TB) fs.FS {
	tb.Helper()
	dir := tb.TempDir()
	files := map[string]string{
		"etc/passwd":              travPasswdFile,
		"var/www/pages/home.txt":  "Welcome home.",
		"var/www/pages/about.txt": "About us.",
		"var/www/pages/en.txt":    "Hello.",
		"var/www/pages/index.php": "<?php echo 'Welcome'; ?>\n",
		"windows/win.ini":         "; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n[mci extensions]\r\n[files]\r\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return os.DirFS(dir)
}

// travRead reads an absolute path of the fake root; .. at the root stays
// at the root.
func travRead(root fs.FS, abs string) ([]byte, error) {
	p := strings.TrimPrefix(path.Clean("/"+abs), "/")
	if p == "" {
		p = "."
	}
	return fs.ReadFile(root, p)
}

func travApp(root fs.FS) http.Handler {
	mux := http.NewServeMux()
	show := func(w http.ResponseWriter, b []byte, err error) {
		if err != nil {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "<html><body><p>Page not found.</p></body></html>")
			return
		}
		fmt.Fprintf(w, "<html><body><h1>Pages</h1><pre>%s</pre></body></html>", html.EscapeString(string(b)))
	}
	const pages = "/var/www/pages/"
	// /vuln/page joins the name to the pages directory.
	mux.HandleFunc("/vuln/page", func(w http.ResponseWriter, r *http.Request) {
		b, err := travRead(root, pages+r.FormValue("file"))
		show(w, b, err)
	})
	// /vuln/open takes an absolute path as it is, as fopen does.
	mux.HandleFunc("/vuln/open", func(w http.ResponseWriter, r *http.Request) {
		f := r.FormValue("file")
		if !strings.HasPrefix(f, "/") {
			f = pages + f
		}
		b, err := travRead(root, f)
		show(w, b, err)
	})
	// /vuln/lang appends .txt, and an old PHP stops at a NUL byte.
	mux.HandleFunc("/vuln/lang", func(w http.ResponseWriter, r *http.Request) {
		f := pages + r.FormValue("lang") + ".txt"
		if i := strings.IndexByte(f, 0); i >= 0 {
			f = f[:i]
		}
		b, err := travRead(root, f)
		show(w, b, err)
	})
	// /vuln/filtered removes ../ once.
	mux.HandleFunc("/vuln/filtered", func(w http.ResponseWriter, r *http.Request) {
		b, err := travRead(root, pages+strings.ReplaceAll(r.FormValue("file"), "../", ""))
		show(w, b, err)
	})
	// /vuln/include includes a page as PHP does, stream wrappers and all:
	// a .php file runs (here: prints Welcome), anything else is shown.
	mux.HandleFunc("/vuln/include", func(w http.ResponseWriter, r *http.Request) {
		page := r.FormValue("page")
		if rest, ok := strings.CutPrefix(page, "php://filter/"); ok {
			i := strings.Index(rest, "resource=")
			if i < 0 {
				show(w, nil, fs.ErrNotExist)
				return
			}
			res := rest[i+len("resource="):]
			if !strings.HasPrefix(res, "/") {
				res = pages + res
			}
			b, err := travRead(root, res)
			if err == nil && strings.Contains(rest[:i], "base64-encode") {
				b = []byte(base64.StdEncoding.EncodeToString(b))
			}
			show(w, b, err)
			return
		}
		if !strings.HasPrefix(page, "/") {
			page = pages + page
		}
		b, err := travRead(root, page)
		if err == nil && strings.HasSuffix(page, ".php") {
			b = []byte("Welcome")
		}
		show(w, b, err)
	})
	// /vuln/win reads as a Windows server would: backslashes, drive
	// letters, and no /etc.
	mux.HandleFunc("/vuln/win", func(w http.ResponseWriter, r *http.Request) {
		f := strings.ReplaceAll(r.FormValue("file"), `\`, "/")
		if len(f) > 2 && f[1] == ':' {
			f = f[2:]
		} else {
			f = pages + f
		}
		if strings.HasPrefix(path.Clean("/"+f), "/etc/") {
			show(w, nil, fs.ErrNotExist)
			return
		}
		b, err := travRead(root, f)
		show(w, b, err)
	})
	// /fixed/page keeps only the base name.
	mux.HandleFunc("/fixed/page", func(w http.ResponseWriter, r *http.Request) {
		b, err := travRead(root, pages+path.Base("/"+r.FormValue("file")))
		show(w, b, err)
	})
	// /docs always shows a passwd line, in its documentation.
	mux.HandleFunc("/docs", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<html><body><h1>Docs: %s</h1><p>A passwd entry looks like <code>root:x:0:0:root:/root:/bin/bash</code>.</p></body></html>",
			html.EscapeString(r.FormValue("file")))
	})
	// /search shows a passwd line when the query names the file.
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		q := r.FormValue("file")
		fmt.Fprintf(w, "<html><body><h1>Results for %s</h1>", html.EscapeString(q))
		if strings.Contains(q, "passwd") {
			fmt.Fprint(w, "<p>Manual page passwd(5): each line is like root:x:0:0:root:/root:/bin/bash</p>")
		}
		fmt.Fprint(w, "</body></html>")
	})
	return mux
}

func TestTraversal(t *testing.T) {
	srv := injServer(t, travApp(travRoot(t)))
	tests := []struct{ name, target, param, want string }{
		{"relative", "/vuln/page?file=home.txt", "file", "traversal"},
		{"absolute", "/vuln/open?file=home.txt", "file", "traversal"},
		{"suffix cut by NUL", "/vuln/lang?lang=en", "lang", "traversal"},
		{"../ removed once", "/vuln/filtered?file=home.txt", "file", "traversal"},
		{"PHP include", "/vuln/include?page=index.php", "page", "traversal"},
		{"Windows", "/vuln/win?file=home.txt", "file", "traversal"},
		{"fixed", "/fixed/page?file=home.txt", "file", ""},
		{"documentation", "/docs?file=intro", "file", ""},
		{"search", "/search?file=users", "file", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := injSender(srv)
			p := injPoint(t, srv, tt.target, nil, nil, Query, tt.param)
			rs, err := Traversal(context.Background(), s, p, injOptions(uint64(i)))
			if err != nil {
				t.Fatal(err)
			}
			if got := injChecks(rs); got != tt.want {
				t.Errorf("Traversal(%s) = %q, want %q (%+v)", tt.target, got, tt.want, rs)
			}
			injVerify(t, rs)
			for _, r := range rs {
				if !r.Confirmed {
					t.Errorf("Traversal(%s) not confirmed: %s", tt.target, r.Detail)
				}
				t.Logf("%s: %s\n%q", r.Check, r.Detail, r.Payload)
			}
			if n := s.count(); n > 40 {
				t.Errorf("Traversal(%s) sent %d requests", tt.target, n)
			}
		})
	}
}

// TestTraversalInclusion reads a PHP page's source through php://filter
// where the include appends .php, so no system file can be read.
func TestTraversalInclusion(t *testing.T) {
	root := travRoot(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/index.php", func(w http.ResponseWriter, r *http.Request) {
		page := r.FormValue("page") + ".php"
		if rest, ok := strings.CutPrefix(page, "php://filter/"); ok {
			i := strings.Index(rest, "resource=")
			b, err := travRead(root, "/var/www/pages/"+rest[i+len("resource="):])
			if err != nil {
				http.NotFound(w, r)
				return
			}
			fmt.Fprintf(w, "<html><body>%s</body></html>", base64.StdEncoding.EncodeToString(b))
			return
		}
		if _, err := travRead(root, "/var/www/pages/"+page); err != nil {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "<html><body>Welcome</body></html>")
	})
	srv := injServer(t, mux)
	p := injPoint(t, srv, "/index.php?"+url.Values{"page": {"index"}}.Encode(), nil, nil, Query, "page")
	rs, err := Traversal(context.Background(), injSender(srv), p, injOptions(1))
	if err != nil {
		t.Fatal(err)
	}
	if injChecks(rs) != "inclusion" || !rs[0].Confirmed {
		t.Fatalf("Traversal(php://filter source) = %+v, want a confirmed inclusion", rs)
	}
	injVerify(t, rs)
	t.Log(rs[0].Detail)
}

func TestTravEvidence(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"passwd", "<pre>" + travPasswdFile + "</pre>", travUsers},
		{"passwd no password", "root::0:0:root:/root:/bin/sh", travUsers},
		{"win.ini", "; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n", travWinINI},
		{"passwd base64", "<p>" + base64.StdEncoding.EncodeToString([]byte(travPasswdFile)) + "</p>", travUsers64},
		{"php base64", base64.StdEncoding.EncodeToString([]byte("<?php phpinfo(); ?>")), travPHPSource},
		{"user root elsewhere", "root:x:1000:1000:not root", ""},
		{"fonts only", "[fonts] are nice", ""},
		{"random base64", base64.StdEncoding.EncodeToString([]byte("hello world, nothing here at all")), ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := travEvidence([]byte(tt.body)); got != tt.want {
				t.Errorf("travEvidence(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func FuzzTravEvidence(f *testing.F) {
	f.Add([]byte(travPasswdFile))
	f.Add([]byte("; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n"))
	f.Add([]byte(base64.StdEncoding.EncodeToString([]byte(travPasswdFile))))
	f.Add([]byte("<html>" + strings.Repeat("QUJD", 40) + "</html>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		kind, mark := travEvidence(body)
		if (kind == "") != (mark == "") {
			t.Fatalf("travEvidence(%q) = %q, %q", body, kind, mark)
		}
		if mark != "" && !strings.Contains(string(body), mark) {
			t.Fatalf("travEvidence(%q): mark %q not in the body", body, mark)
		}
	})
}
