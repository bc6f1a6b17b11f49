package scan

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// shop is a small site with a search page, a product page backed by
// SQLite, a link preview that fetches any URL (blind SSRF), a comment
// form and a leaked .env; fixed is its repaired twin.
func shop(t *testing.T, fixed bool) http.Handler {
	t.Helper()
	db := testDB(t, `CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, name TEXT);
		INSERT OR IGNORE INTO products VALUES (1, 'shoes'), (2, 'hats');`)
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><head><title>Shop</title></head><body>%s</body></html>", body)
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		token := ""
		if fixed {
			token = `<input type="hidden" name="csrf_token" value="b1f0c3a9e8d74f2a9c6e5d4b3a291807">`
		}
		page(w, `<a href="/search?q=shoes">search</a> <a href="/product?id=1">product</a> <a href="/preview?link=https%3A%2F%2Fshop.example%2Fnews">news</a>
<form method="post" action="/comment">`+token+`<input name="text"><button>Post</button></form>`)
	})
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if fixed {
			q = html.EscapeString(q)
		}
		page(w, "<h1>Results for "+q+"</h1><p>No products found.</p>")
	})
	mux.HandleFunc("/product", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		var rows *sql.Rows
		var err error
		if fixed {
			rows, err = db.Query("SELECT name FROM products WHERE id = ?", id)
		} else {
			rows, err = db.Query("SELECT name FROM products WHERE id = '" + id + "'") // the flaw
		}
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			page(w, "<pre>database error: "+html.EscapeString(err.Error())+"</pre>")
			return
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			_ = rows.Scan(&n)
			names = append(names, html.EscapeString(n))
		}
		page(w, "<ul><li>"+strings.Join(names, "</li><li>")+"</li></ul>")
	})
	mux.HandleFunc("/preview", func(w http.ResponseWriter, r *http.Request) {
		// Link previews are fetched in the background, and nothing of
		// them is shown: only a request to the scan's listener tells.
		link := r.URL.Query().Get("link")
		if u, err := url.Parse(link); err == nil && (!fixed || u.Hostname() == "shop.example") && (u.Scheme == "http" || u.Scheme == "https") {
			go func() {
				req, err := http.NewRequest(http.MethodGet, link, nil)
				if err != nil {
					return
				}
				req.Header.Set("User-Agent", "shop-preview/2")
				cl := &http.Client{Timeout: time.Second}
				if resp, err := cl.Do(req); err == nil {
					resp.Body.Close()
				}
			}()
		}
		page(w, "<p>Preview queued.</p>")
	})
	mux.HandleFunc("POST /comment", func(w http.ResponseWriter, r *http.Request) {
		page(w, "<p>Thanks.</p>")
	})
	mux.HandleFunc("/.env", func(w http.ResponseWriter, r *http.Request) {
		if fixed {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "APP_ENV=production\nDB_PASSWORD=hunter2hunter2\nSECRET_KEY=9f8e7d6c5b4a\n")
	})
	return mux
}

func TestActiveScan(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		t.Run(fmt.Sprintf("fixed=%v", fixed), func(t *testing.T) {
			cfg := fastConfig(serve(t, shop(t, fixed)))
			cfg.Active = ActiveSafe
			cfg.ActiveDelay = 300 * time.Millisecond
			cfg.MaxTime = 2 * time.Minute
			s, err := New(cfg, testLog(t))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := s.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, f := range rep.Findings {
				got[f.Check] = true
				if strings.HasPrefix(f.Check, "xss.") || strings.HasPrefix(f.Check, "sqli.") {
					if f.Title == "" || f.CWE == 0 || f.OWASP == "" || f.Fix == "" || f.Evidence.Request == "" {
						t.Errorf("finding %s lacks its description: %+v", f.Check, f)
					}
				}
			}
			t.Logf("findings: %v", checks(rep))
			sqli := false
			for c := range got {
				if strings.HasPrefix(c, "sqli.") {
					sqli = true
				}
			}
			want := map[string]bool{"xss.reflected": true, "files.secrets": true, "csrf.form": true, "ssrf": true}
			for c := range want {
				if got[c] == fixed {
					t.Errorf("fixed=%v: finding %s present=%v; all: %v", fixed, c, got[c], checks(rep))
				}
			}
			if sqli == fixed {
				t.Errorf("fixed=%v: SQL injection found=%v; all: %v", fixed, sqli, checks(rep))
			}
			for _, f := range rep.Findings {
				if strings.Contains(f.Evidence.Response, "hunter2hunter2") {
					t.Errorf("a leaked secret shows in the evidence of %s: %q", f.Check, f.Evidence.Response)
				}
			}
		})
	}
}

// TestActiveFullUpload: at level full an upload form that runs scripts is
// found through the crawl; at level safe it is left alone.
func TestActiveFullUpload(t *testing.T) {
	var posts int
	var mu sync.Mutex
	files := map[string]string{}
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><form method="post" action="/up" enctype="multipart/form-data"><input type="file" name="f"><button>Go</button></form></body></html>`)
	})
	mux.HandleFunc("POST /up", func(w http.ResponseWriter, r *http.Request) {
		f, h, err := r.FormFile("f")
		if err != nil {
			http.Error(w, "no file", http.StatusBadRequest)
			return
		}
		b := make([]byte, 4096)
		n, _ := f.Read(b)
		mu.Lock()
		posts++
		files[h.Filename] = string(b[:n])
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<p>ok</p>")
	})
	mux.HandleFunc("/uploads/{name}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		body, ok := files[r.PathValue("name")]
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html") // serves pages as pages
		fmt.Fprint(w, body)
	})
	for _, level := range []Active{ActiveSafe, ActiveFull} {
		cfg := fastConfig(serve(t, mux))
		cfg.Active = level
		cfg.ActiveDelay = 200 * time.Millisecond
		rep := runScan(t, cfg)
		if got := len(find(rep, "upload.html")) > 0; got != (level == ActiveFull) {
			t.Errorf("level %d: upload.html reported=%v; all %v", level, got, checks(rep))
		}
	}
	if posts == 0 {
		t.Fatal("the upload form was never used")
	}
}
