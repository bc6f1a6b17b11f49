package lab

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
)

// Vuln is one flaw of the lab: the class, and where a scanner must find
// it (the request method, the URL path and the parameter; no parameter
// for an exposed file).
type Vuln struct {
	// Class is one of "sqli", "xss", "xss-stored", "cmdi", "traversal",
	// "redirect", "ssti", "crlf", "exposed-file".
	Class  string
	Method string
	Path   string
	Param  string
}

// Truth returns the lab's flaws: every one a scanner should report.
// The site has others that are not listed (no security headers, a
// session cookie without flags, forms without CSRF tokens).
func Truth() []Vuln {
	return []Vuln{
		{"sqli", http.MethodGet, "/product", "id"},
		{"sqli", http.MethodGet, "/search", "q"},
		{"sqli", http.MethodGet, "/api/products", "category"},
		{"xss", http.MethodGet, "/search", "q"},
		{"xss", http.MethodGet, "/products", "filter"},
		{"xss-stored", http.MethodPost, "/guestbook", "message"},
		{"cmdi", http.MethodPost, "/tools/ping", "host"},
		{"traversal", http.MethodGet, "/docs", "file"},
		{"redirect", http.MethodGet, "/cart/add", "next"},
		{"ssti", http.MethodGet, "/greeting", "text"},
		{"crlf", http.MethodGet, "/currency", "code"},
		{"exposed-file", http.MethodGet, "/.git/HEAD", ""},
		{"exposed-file", http.MethodGet, "/.env", ""},
	}
}

// SafePrefix is where the fixed twins live: the path of a flaw with
// this in front is the same page, repaired.
const SafePrefix = "/safe"

// Fixed returns the paths of the fixed twins of Truth's flaws, each
// taking the same parameters: a report on any of them is a false
// alarm. /safe/.git/HEAD and /safe/.env do not exist and get the soft
// 404.
func Fixed() []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range Truth() {
		if p := SafePrefix + v.Path; !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// Lab is the vulnerable shop, an http.Handler. Make one with New and
// Close it when done.
type Lab struct {
	db  *sql.DB
	dir string
	fs  fakeFS
	mux *http.ServeMux
}

// New creates a lab with a fresh database (in a temporary directory that
// Close removes).
func New() (*Lab, error) {
	dir, err := os.MkdirTemp("", "rampart-lab-")
	if err != nil {
		return nil, fmt.Errorf("create the lab's directory: %w", err)
	}
	db, err := openDB(context.Background(), dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	l := &Lab{db: db, dir: dir, fs: newFakeFS(), mux: http.NewServeMux()}
	l.routes("", false)
	l.routes(SafePrefix, true)
	l.mux.HandleFunc("/", l.static)
	return l, nil
}

// Close closes the database and removes its directory.
func (l *Lab) Close() error {
	return errors.Join(l.db.Close(), os.RemoveAll(l.dir))
}

// ServeHTTP serves the shop.
func (l *Lab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mux.ServeHTTP(w, r)
}

// routes registers the shop's pages under prefix: the flawed shop at ""
// and its fixed twin at SafePrefix.
func (l *Lab) routes(prefix string, fixed bool) {
	s := &site{Lab: l, prefix: prefix, fixed: fixed}
	m := l.mux
	m.HandleFunc("GET "+prefix+"/{$}", s.home)
	m.HandleFunc("GET "+prefix+"/products", s.products)
	m.HandleFunc("GET "+prefix+"/product", s.product)
	m.HandleFunc("GET "+prefix+"/search", s.search)
	m.HandleFunc("GET "+prefix+"/catalog", s.catalog)
	m.HandleFunc("GET "+prefix+"/api/products", s.apiProducts)
	m.HandleFunc("GET "+prefix+"/guestbook", s.guestbook)
	m.HandleFunc("POST "+prefix+"/guestbook", s.sign)
	m.HandleFunc("GET "+prefix+"/tools/ping", s.pingForm)
	m.HandleFunc("POST "+prefix+"/tools/ping", s.ping)
	m.HandleFunc("GET "+prefix+"/docs", s.docs)
	m.HandleFunc("GET "+prefix+"/cart", s.cart)
	m.HandleFunc("GET "+prefix+"/cart/add", s.cartAdd)
	m.HandleFunc("GET "+prefix+"/greeting", s.greeting)
	m.HandleFunc("GET "+prefix+"/currency", s.currency)
}
