package scan

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// spaFixture is a single-page application: its links and API calls
// exist only once its scripts run. The start page's script posts a JSON
// search to /api/search (SQL-injectable: a stray quote gives a SQLite
// error), renders a link to /hidden?x=1 (which reflects x into HTML),
// and links the route #/search, whose script writes the q of the route
// into innerHTML, and the route #/login, whose button (no form) posts
// the e-mail and password as JSON to /api/login (SQL-injectable). It
// renders a form to /find (which reflects term) and a "Delete my
// account" form. /api/fixed is the parameterised twin, posted by the
// same script; /api/delete is posted too and must not be attacked at
// --active safe, nor the delete form submitted. The route's "Log out"
// button and a form to /admin/ (excluded by the test) must never reach
// the server (forbidden counts them). Every request to /api/ needs the X-Api-Key header and
// the session cookie the scan is given; noKey counts the requests that arrive without it, and
// deletes the requests to /api/delete with another id than the page's.
type spaFixture struct {
	noKey, deletes, forbidden atomic.Int64
}

const spaKey = "k-7f3a9c"

func (f *spaFixture) handler() http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, htmlPage(body))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		page(w, `<div id="app">loading</div><div id="route"></div>
<script>
function post(path, body) {
  return fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)}).then(r => r.text());
}
post('/api/search', {q: 'apple', limit: 10}).then(t => {
  document.getElementById('app').innerHTML = '<a href="/hidden?x=1">hidden</a> <a href="#/search">search</a> <a href="#/login">log in</a>' +
    '<form action="/find" method="get"><input name="term"></form>' +
    '<form action="/admin/purge" method="post"><input name="what"><button>Go</button></form>' +
    '<form id="del"><input name="reason"><button>Delete my account</button></form>';
  document.getElementById('del').addEventListener('submit', e => { e.preventDefault(); post('/api/delete', {id: 'form'}); });
});
post('/api/fixed', {q: 'apple'});
post('/api/delete', {id: '7'});
function show() {
  var h = location.hash;
  if (h.indexOf('#/search') === 0) {
    var q = new URLSearchParams(h.split('?')[1] || '').get('q') || '';
    document.getElementById('route').innerHTML = 'Results for ' + q;
  }
  if (h === '#/login') {
    document.getElementById('route').innerHTML = '<input id="email" placeholder="Email"> <input id="password" type="password"> <button id="loginButton">Log in</button>' +
      ' <button id="out">Log out</button>';
    document.getElementById('out').addEventListener('click', () => { fetch('/api/session/end', {method: 'POST'}); });
    document.getElementById('loginButton').addEventListener('click', () => {
      post('/api/login', {email: document.getElementById('email').value, password: document.getElementById('password').value});
    });
  }
}
window.addEventListener('hashchange', show); show();
</script>`)
	})
	api := func(name string, fn func(w http.ResponseWriter, q string)) {
		mux.HandleFunc("/api/"+name, func(w http.ResponseWriter, r *http.Request) {
			if c, err := r.Cookie("sid"); r.Header.Get("X-Api-Key") != spaKey || err != nil || c.Value != "s-1" {
				f.noKey.Add(1)
				http.Error(w, "no key", http.StatusUnauthorized)
				return
			}
			var body struct {
				Q     any `json:"q"`
				ID    any `json:"id"`
				Email any `json:"email"`
			}
			if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil {
				http.Error(w, "bad json", http.StatusBadRequest)
				return
			}
			switch name {
			case "delete":
				fn(w, fmt.Sprint(body.ID))
				return
			case "login":
				fn(w, fmt.Sprint(body.Email))
				return
			}
			fn(w, fmt.Sprint(body.Q))
		})
	}
	api("search", func(w http.ResponseWriter, q string) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Count(q, "'")%2 == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":"SQLITE_ERROR: unrecognized token: \"'`+strings.ReplaceAll(q, `"`, `\"`)+`\""}`)
			return
		}
		_, _ = io.WriteString(w, `{"items":[]}`)
	})
	api("login", func(w http.ResponseWriter, email string) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Count(email, "'")%2 == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":"SQLITE_ERROR: near \"'\": syntax error"}`)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"Invalid email or password."}`)
	})
	api("fixed", func(w http.ResponseWriter, _ string) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"items":[]}`)
	})
	api("delete", func(w http.ResponseWriter, id string) {
		if id != "7" {
			f.deletes.Add(1) // not what the page sends: an attack
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	mux.HandleFunc("/api/session/end", func(w http.ResponseWriter, r *http.Request) {
		f.forbidden.Add(1)
	})
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		f.forbidden.Add(1)
	})
	mux.HandleFunc("/find", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<p>Found `+r.URL.Query().Get("term")+`</p>`)
	})
	mux.HandleFunc("/hidden", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<p>Item `+r.URL.Query().Get("x")+`</p>`)
	})
	return mux
}

// TestBrowserCrawl: the browser crawl finds what only the scripts know,
// with the scan's header on the browser's requests, and the checks
// attack it.
func TestBrowserCrawl(t *testing.T) {
	domBrowser(t)
	fx := &spaFixture{}
	cfg := fastConfig(serve(t, fx.handler()))
	cfg.Browser = true
	cfg.Active = ActiveSafe
	cfg.ActiveDelay = 200 * time.Millisecond
	cfg.MaxTime = 2 * time.Minute
	cfg.Header = http.Header{"X-Api-Key": {spaKey}}
	cfg.Cookies = []*http.Cookie{{Name: "sid", Value: "s-1"}}
	cfg.Exclude = []*regexp.Regexp{regexp.MustCompile(`/admin/`)}
	rep := runScan(t, cfg)
	for _, n := range rep.Notes {
		if strings.Contains(n, "did not run") || strings.Contains(n, "could not load") {
			t.Fatalf("note %q", n)
		}
	}
	if n := fx.noKey.Load(); n != 0 {
		t.Errorf("%d requests to /api/ came without the scan's X-Api-Key header or session cookie", n)
	}
	has := func(check, path, param string) bool {
		for _, f := range rep.Findings {
			if !strings.HasPrefix(f.Check, check) || f.Parameter != param {
				continue
			}
			for _, raw := range f.URLs {
				if u, err := url.Parse(raw); err == nil && u.Path == path {
					return true
				}
			}
		}
		return false
	}
	if !has("sqli.", "/api/search", "json:q") {
		t.Errorf("no sqli on json:q of /api/search, which only the page's script posts; findings: %v", checks(rep))
	}
	if has("sqli.", "/api/fixed", "json:q") {
		t.Errorf("sqli reported on the fixed twin /api/fixed")
	}
	if !has("xss.reflected", "/hidden", "query:x") {
		t.Errorf("no xss.reflected on /hidden?x=, linked only from the rendered page; findings: %v", checks(rep))
	}
	if !has("sqli.", "/api/login", "json:email") {
		t.Errorf("no sqli on json:email of /api/login, posted by a button of the route #/login; findings: %v", checks(rep))
	}
	if !has("xss.reflected", "/find", "query:term") {
		t.Errorf("no xss.reflected on /find?term=, a form the page's script rendered; findings: %v", checks(rep))
	}
	if !has("xss.dom", "/", "fragment:q") {
		t.Errorf("no xss.dom on the q of the route #/search; findings: %v", checks(rep))
	}
	// The page posts to /api/delete on every load; the scan must never
	// send it a payload at --active safe.
	if n := fx.deletes.Load(); n > 0 {
		t.Errorf("/api/delete got %d requests with payloads, or from the Delete my account form: attacked at --active safe", n)
	}
	if n := fx.forbidden.Load(); n > 0 {
		t.Errorf("%d requests to the sign-out endpoint or to the excluded /admin/", n)
	}
	if rep.Stats.Requests == 0 {
		t.Errorf("stats: no requests counted")
	}
}

func TestSafeToAttack(t *testing.T) {
	tests := []struct {
		method, path string
		fields       []string
		want         bool
	}{
		{"GET", "/search", []string{"q"}, true},
		{"POST", "/search", []string{"q"}, true},
		{"POST", "/login", []string{"username", "password"}, true},
		{"POST", "/vulnerabilities/exec/", []string{"ip", "Submit"}, true},
		{"POST", "/guestbook", []string{"name", "message"}, true},
		{"POST", "/items", []string{"q", "order", "sortOrder"}, true},
		{"POST", "/account/delete", []string{"confirm"}, false},
		{"POST", "/api/v1/transfer", []string{"to", "amount"}, false},
		{"POST", "/cart", []string{"item", "checkout"}, false},
		{"POST", "/vulnerabilities/csrf/", []string{"password_new", "password_conf", "Change"}, false},
		{"POST", "/profile", []string{"newPassword"}, false},
		{"POST", "/register", []string{"user", "password", "password2"}, false},
		{"POST", "/profile", []string{"new_email"}, false},
		{"POST", "/newsletter", []string{"email"}, true},
		{"GET", "/vulnerabilities/csrf/", []string{"password_new", "password_conf", "Change"}, false},
		{"GET", "/item", []string{"id", "action"}, true},
		{"GET", "/user/delete", []string{"id"}, false},
		{"PUT", "/items/1", []string{"name"}, false},
		{"DELETE", "/items/1", nil, false},
		{"PATCH", "/items/1", []string{"name"}, false},
	}
	for _, tt := range tests {
		u := &url.URL{Path: tt.path}
		if got := safeToAttack(tt.method, u, tt.fields); got != tt.want {
			t.Errorf("safeToAttack(%s %s %v) = %v, want %v", tt.method, tt.path, tt.fields, got, tt.want)
		}
	}
}

// reviewsApp is a single-page app whose reviews are posted as JSON and
// rendered by the page's script with innerHTML (fixed: textContent). No
// HTML response ever holds a review.
func reviewsApp(fixed bool) http.Handler {
	var mu sync.Mutex
	var reviews []string
	sink := "innerHTML"
	if fixed {
		sink = "textContent"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, htmlPage(`<ul id="list"></ul>
<form id="f"><textarea name="text" placeholder="Your review"></textarea><button>Post review</button></form>
<script>
fetch('/api/reviews').then(r => r.json()).then(rs => {
  for (const t of rs) { const li = document.createElement('li'); li.`+sink+` = t; document.getElementById('list').appendChild(li); }
});
document.getElementById('f').addEventListener('submit', e => {
  e.preventDefault();
  fetch('/api/reviews', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({text: e.target.text.value, stars: 5})});
});
</script>`))
	})
	mux.HandleFunc("GET /api/reviews", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(append([]string{}, reviews...))
	})
	mux.HandleFunc("POST /api/reviews", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Text string `json:"text"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		mu.Lock()
		if len(reviews) < 1000 {
			reviews = append(reviews, body.Text)
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	return mux
}

// TestBrowserStoredXSS: at --active full, a review posted as JSON and
// rendered by the page's script is found; the fixed twin is not.
func TestBrowserStoredXSS(t *testing.T) {
	domBrowser(t)
	for _, fixed := range []bool{false, true} {
		t.Run(fmt.Sprintf("fixed=%v", fixed), func(t *testing.T) {
			cfg := fastConfig(serve(t, reviewsApp(fixed)))
			cfg.Browser = true
			cfg.Active = ActiveFull
			cfg.ActiveDelay = 200 * time.Millisecond
			cfg.MaxTime = 2 * time.Minute
			rep := runScan(t, cfg)
			found := false
			for _, f := range find(rep, "xss.stored") {
				if f.Parameter == "json:text" {
					found = true
				}
			}
			if found == fixed {
				t.Errorf("xss.stored on json:text = %v, want %v; findings %v", found, !fixed, checks(rep))
			}
		})
	}
}

// TestSPAHint: without --browser, a start page that is a script shell
// gets a note that suggests it; a site of plain pages does not.
func TestSPAHint(t *testing.T) {
	spa := http.NewServeMux()
	spa.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, `<!doctype html><html><head><title>Shop</title><script src="/main.js"></script></head><body><app-root></app-root></body></html>`)
	})
	rep := runScan(t, fastConfig(serve(t, spa)))
	if !contains(rep.Notes, "single-page application") {
		t.Errorf("notes %q: want the --browser hint", rep.Notes)
	}
	plain := http.NewServeMux()
	plain.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, htmlPage(`<h1>Shop</h1><p>`+strings.Repeat("Lamps, chairs and tables. ", 100)+`</p><a href="/a">a</a>`))
	})
	rep = runScan(t, fastConfig(serve(t, plain)))
	if contains(rep.Notes, "single-page application") {
		t.Errorf("notes %q: no hint for a page of text", rep.Notes)
	}
}
