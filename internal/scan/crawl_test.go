package scan

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestScopeOutOfScopeNeverRequested links, frames, scripts, redirects,
// sitemap entries and script strings to another server: it must get no
// request at all.
func TestScopeOutOfScopeNeverRequested(t *testing.T) {
	var other hits
	otherURL := serve(t, other.wrap(site{"/": {body: htmlPage("other")}}))
	var own hits
	var target string
	mux := http.NewServeMux()
	mux.Handle("/", site{
		"/": {body: htmlPage(fmt.Sprintf(`<a href="%[1]s/a">a</a><iframe src="%[1]s/frame"></iframe><script src="%[1]s/x.js"></script>
			<link rel="stylesheet" href="%[1]s/s.css"><form action="%[1]s/post"></form><a href="/in">in</a><a href="/go">go</a>
			<script>fetch("%[1]s/api/data"); var u = '/api/items';</script>`, otherURL))},
		"/in":        {body: htmlPage("in")},
		"/api/items": {ctype: "application/json", body: `{"next": "` + otherURL + `/api/next"}`},
		"/sitemap.xml": {ctype: "application/xml", body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
			<url><loc>` + otherURL + `/from-sitemap</loc></url></urlset>`},
	})
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+"/redirected", http.StatusFound)
	})
	target = serve(t, own.wrap(mux))
	rep := runScan(t, fastConfig(target))
	if n := other.total(); n != 0 {
		t.Errorf("the out-of-scope server got %d requests (%v), want 0", n, other.m)
	}
	for _, p := range []string{"/", "/in", "/go", "/api/items"} {
		if own.count(p) == 0 {
			t.Errorf("in-scope %s was not crawled", p)
		}
	}
	if rep.Stats.Pages < 4 {
		t.Errorf("Stats.Pages = %d, want at least 4", rep.Stats.Pages)
	}
}

func TestScopeExclude(t *testing.T) {
	var h hits
	target := serve(t, h.wrap(site{
		"/":            {body: htmlPage(`<a href="/admin/users">admin</a><a href="/docs/">docs</a>`)},
		"/admin/users": {body: htmlPage("admin")},
		"/docs/":       {body: htmlPage("docs")},
	}))
	cfg := fastConfig(target)
	cfg.Exclude = []*regexp.Regexp{regexp.MustCompile(`/admin`)}
	runScan(t, cfg)
	if h.count("/admin/users") != 0 {
		t.Error("an excluded URL was requested")
	}
	if h.count("/docs/") == 0 {
		t.Error("/docs/ was not crawled")
	}
}

// TestSignOutNeverFollowed offers sign-out links of every shape; none
// may be requested.
func TestSignOutNeverFollowed(t *testing.T) {
	var h hits
	target := serve(t, h.wrap(site{
		"/": {body: htmlPage(`<a href="/logout">x</a><a href="/account/signout">x</a><a href="/user?action=log-out">x</a>
			<a href="/session/end">Log out</a><a href="/abmelden">x</a><a href="/bye" title="Sign out">x</a>
			<form method="post" action="/auth/sign_out"><button>x</button></form><a href="/ok">fine</a><a href="/exit.php">x</a>`)},
		"/ok": {body: htmlPage("ok")},
	}))
	rep := runScan(t, fastConfig(target))
	for _, p := range []string{"/logout", "/account/signout", "/user", "/session/end", "/abmelden", "/bye", "/auth/sign_out", "/exit.php"} {
		if n := h.count(p); n != 0 {
			t.Errorf("sign-out link %s was requested %d times", p, n)
		}
	}
	if h.count("/ok") == 0 {
		t.Error("/ok was not crawled")
	}
	if !contains(rep.Notes, "sign-out") {
		t.Errorf("Notes %q do not mention the sign-out links", rep.Notes)
	}
}

func robotsSite() site {
	return site{
		"/robots.txt":     {ctype: "text/plain", body: "User-agent: *\nDisallow: /private\nAllow: /private/ok\n"},
		"/":               {body: htmlPage(`<a href="/private/secret">s</a><a href="/private/ok">ok</a><a href="/public">p</a>`)},
		"/private/secret": {body: htmlPage("secret")},
		"/private/ok":     {body: htmlPage("ok")},
		"/public":         {body: htmlPage("public")},
	}
}

func TestRobotsHonoured(t *testing.T) {
	var h hits
	target := serve(t, h.wrap(robotsSite()))
	rep := runScan(t, fastConfig(target))
	if h.count("/private/secret") != 0 {
		t.Error("a URL robots.txt disallows was requested")
	}
	if h.count("/private/ok") == 0 || h.count("/public") == 0 {
		t.Errorf("allowed URLs were not crawled: %v", h.m)
	}
	if contains(rep.Notes, "ignored") {
		t.Errorf("Notes %q say robots.txt was ignored", rep.Notes)
	}
}

func TestRobotsIgnored(t *testing.T) {
	var h hits
	target := serve(t, h.wrap(robotsSite()))
	cfg := fastConfig(target)
	cfg.IgnoreRobots = true
	rep := runScan(t, cfg)
	if h.count("/private/secret") == 0 {
		t.Error("--ignore-robots did not crawl the disallowed URL")
	}
	if !contains(rep.Notes, "robots.txt was ignored (--ignore-robots)") {
		t.Errorf("Notes %q do not say robots.txt was ignored", rep.Notes)
	}
}

func TestRobotsOwnGroup(t *testing.T) {
	var h hits
	target := serve(t, h.wrap(site{
		"/robots.txt":  {ctype: "text/plain", body: "User-agent: *\nDisallow:\n\nUser-agent: rampart-scan\nDisallow: /no-scanners\n"},
		"/":            {body: htmlPage(`<a href="/no-scanners">x</a>`)},
		"/no-scanners": {body: htmlPage("x")},
	}))
	runScan(t, fastConfig(target))
	if h.count("/no-scanners") != 0 {
		t.Error("the group for rampart-scan was not honoured")
	}
}

func TestSitemapSeeds(t *testing.T) {
	var h hits
	var target string
	mux := http.NewServeMux()
	mux.Handle("/", site{
		"/robots.txt": {ctype: "text/plain", body: "Sitemap: /maps/index.xml\n"},
		"/":           {body: htmlPage("no links")},
		"/hidden":     {body: htmlPage("hidden")},
		"/deeper":     {body: htmlPage("deeper")},
	})
	mux.HandleFunc("/maps/index.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<sitemapindex><sitemap><loc>%s/maps/pages.xml</loc></sitemap></sitemapindex>`, target)
	})
	mux.HandleFunc("/maps/pages.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<urlset><url><loc>%s/hidden</loc></url><url><loc>/deeper</loc></url></urlset>`, target)
	})
	target = serve(t, h.wrap(mux))
	runScan(t, fastConfig(target))
	if h.count("/hidden") == 0 || h.count("/deeper") == 0 {
		t.Errorf("sitemap URLs were not crawled: %v", h.m)
	}
}

// chain serves /, /1, /2, … /n, each linking to the next.
func chain(n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := 0
		if r.URL.Path != "/" {
			if _, err := fmt.Sscanf(r.URL.Path, "/%d", &i); err != nil || i > n {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><a href="/%d">next</a></body></html>`, i+1)
	})
}

func TestRateLimit(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	h := chain(12)
	target := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	cfg := fastConfig(target)
	cfg.Rate = 20
	rep := runScan(t, cfg)
	mu.Lock()
	defer mu.Unlock()
	n := len(times)
	if n < 10 || rep.Stats.Requests != n {
		t.Fatalf("the server saw %d requests, Stats.Requests = %d", n, rep.Stats.Requests)
	}
	span := times[n-1].Sub(times[0])
	// Requests start 1/20 s apart; the first may reach the server late
	// (connection setup), so allow a fifth less.
	if want := time.Duration(float64(n-1) / 20 * 0.8 * float64(time.Second)); span < want {
		t.Errorf("%d requests at rate 20 took %v, want at least %v", n, span, want)
	}
}

func TestMaxPages(t *testing.T) {
	var h hits
	target := serve(t, h.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		var b strings.Builder
		for i := range 20 {
			fmt.Fprintf(&b, `<a href="/p/%s/%d">x</a>`, strings.ReplaceAll(r.URL.Path, "/", "_"), i)
		}
		fmt.Fprint(w, htmlPage(b.String()))
	})))
	cfg := fastConfig(target)
	cfg.MaxPages = 15
	rep := runScan(t, cfg)
	if rep.Stats.Pages > 15 {
		t.Errorf("Stats.Pages = %d, want at most 15", rep.Stats.Pages)
	}
	// robots.txt, sitemap.xml, 15 pages, the CORS probes, and the probes
	// for API descriptions and GraphQL endpoints.
	if n := h.total(); n > 15+2+2*maxCORSProbes+len(apiSpecPaths)+len(graphqlPaths) {
		t.Errorf("the server got %d requests for MaxPages 15", n)
	}
	if !contains(rep.Notes, "max-pages") {
		t.Errorf("Notes %q do not say the crawl stopped at max-pages", rep.Notes)
	}
}

func TestMaxDepth(t *testing.T) {
	var h hits
	target := serve(t, h.wrap(chain(10)))
	cfg := fastConfig(target)
	cfg.MaxDepth = 3
	runScan(t, cfg)
	if h.count("/3") == 0 {
		t.Error("/3 (depth 3) was not crawled")
	}
	if h.count("/4") != 0 {
		t.Error("/4 (depth 4) was crawled with MaxDepth 3")
	}
}

func TestMaxTime(t *testing.T) {
	var h hits
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(150 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		chain(1000).ServeHTTP(w, r)
	})
	target := serve(t, h.wrap(slow))
	cfg := fastConfig(target)
	cfg.MaxTime = time.Second
	start := time.Now()
	rep := runScan(t, cfg)
	took := time.Since(start)
	if !contains(rep.Notes, "stopped at max-time") {
		t.Errorf("Notes %q do not say the scan stopped at max-time", rep.Notes)
	}
	if rep.Stats.Pages >= 1000 || rep.Stats.Pages == 0 {
		t.Errorf("Stats.Pages = %d", rep.Stats.Pages)
	}
	// Generous: the scan must stop, not finish on time to the millisecond.
	if took > 10*time.Second {
		t.Errorf("a scan with MaxTime 1s took %v", took)
	}
}

func TestRedirectsFollowedInScope(t *testing.T) {
	var h hits
	var other hits
	otherURL := serve(t, other.wrap(site{}))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			http.Redirect(w, r, "/home", http.StatusFound)
		case "/home":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, htmlPage(`<a href="/away">away</a>`))
		case "/away":
			http.Redirect(w, r, otherURL+"/x", http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	})
	target := serve(t, h.wrap(mux))
	runScan(t, fastConfig(target))
	if h.count("/home") == 0 {
		t.Error("the in-scope redirect was not followed")
	}
	if other.total() != 0 {
		t.Error("an out-of-scope redirect was followed")
	}
}

func TestConfiguredHeaderAndCookies(t *testing.T) {
	var mu sync.Mutex
	var missing []string
	target := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("session")
		if r.Header.Get("Authorization") != "Bearer t0k3n-abcdef" || err != nil || c.Value != "c00kie-value" || r.Header.Get("User-Agent") != "test-agent/1" {
			mu.Lock()
			missing = append(missing, r.URL.Path)
			mu.Unlock()
		}
		// The site's own cookie of the same name must not replace ours.
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "site-value", Path: "/"})
		chain(5).ServeHTTP(w, r)
	}))
	cfg := fastConfig(target)
	cfg.Header = http.Header{"Authorization": {"Bearer t0k3n-abcdef"}}
	cfg.Cookies = []*http.Cookie{{Name: "session", Value: "c00kie-value"}}
	cfg.UserAgent = "test-agent/1"
	runScan(t, cfg)
	if len(missing) > 0 {
		t.Errorf("requests without the configured header, cookie or User-Agent: %v", missing)
	}
}

// loginApp is a site with a sign-in form (with a CSRF token) in front of
// /account and its pages.
type loginApp struct {
	mu       sync.Mutex
	sessions map[string]bool
	// expireAfter, when not 0, ends a session after that many requests
	// with it, as a short session timeout would.
	expireAfter int
	uses        map[string]int
	issued      int
	// adminLinks, when not 0, is the number of links on /account to
	// pages the account may not see (they send it to the sign-in form).
	adminLinks int
	hits
}

const loginPassword = "Pa55w0rd!sekrit"

func newLoginApp() *loginApp { return &loginApp{sessions: map[string]bool{}, uses: map[string]int{}} }

func (a *loginApp) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`<a href="/login">Sign in</a><a href="/account">Account</a>`))
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.Method == http.MethodGet {
			http.SetCookie(w, &http.Cookie{Name: "csrf", Value: "tok-123", Path: "/"})
			fmt.Fprint(w, htmlPage(`<form method="post" action="/login"><input type="hidden" name="csrf" value="tok-123">
				<input name="user"><input type="password" name="pass"><button name="go" value="1">Sign in</button></form>`))
			return
		}
		c, _ := r.Cookie("csrf")
		if err := r.ParseForm(); err != nil || c == nil || r.PostForm.Get("csrf") != c.Value || r.PostForm.Get("user") != "alice" || r.PostForm.Get("pass") != loginPassword {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, htmlPage(`Wrong. <form method="post"><input type="password" name="pass"></form>`))
			return
		}
		a.mu.Lock()
		a.issued++
		id := fmt.Sprintf("sess-%d-d41d8cd98f00b204", a.issued)
		a.sessions[id] = true
		a.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/account", http.StatusSeeOther)
	})
	auth := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("sessionid")
			a.mu.Lock()
			ok := err == nil && a.sessions[c.Value]
			if ok && a.expireAfter > 0 {
				a.uses[c.Value]++
				if a.uses[c.Value] > a.expireAfter {
					delete(a.sessions, c.Value)
					ok = false
				}
			}
			a.mu.Unlock()
			if !ok {
				http.Redirect(w, r, "/login", http.StatusFound)
				return
			}
			next(w, r)
		}
	}
	mux.HandleFunc("/account", auth(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		links := ""
		for i := range a.adminLinks {
			links += fmt.Sprintf(`<a href="/account/admin/%d">admin %d</a> `, i, i)
		}
		fmt.Fprint(w, htmlPage(`Welcome, alice. <a href="/account/orders">Orders</a> <a href="/account/find?q=shoes">Find</a> `+links+`<a href="/logout">Sign out</a>`))
	}))
	mux.HandleFunc("/account/admin/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusFound)
	})
	mux.HandleFunc("/account/find", auth(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`Results for `+r.URL.Query().Get("q")))
	}))
	mux.HandleFunc("/account/orders", auth(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`Your orders`))
	}))
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.sessions = map[string]bool{}
		a.mu.Unlock()
		http.Redirect(w, r, "/", http.StatusFound)
	})
	return a.wrap(mux)
}

func TestLoginForm(t *testing.T) {
	t.Run("anonymous", func(t *testing.T) {
		app := newLoginApp()
		runScan(t, fastConfig(serve(t, app.handler())))
		if app.count("/account/orders") != 0 {
			t.Error("a page behind the sign-in was reached without signing in")
		}
	})
	t.Run("signed in", func(t *testing.T) {
		app := newLoginApp()
		cfg := fastConfig(serve(t, app.handler()))
		cfg.Login = &Login{URL: "/login", Username: "alice", Password: loginPassword, Check: "Welcome"}
		rep := runScan(t, cfg)
		if app.count("/account/orders") == 0 {
			t.Errorf("the page behind the sign-in was not crawled: %v", app.m)
		}
		if app.count("/logout") != 0 {
			t.Error("the scanner signed itself out")
		}
		if strings.Contains(reportJSON(t, rep), loginPassword) {
			t.Error("the password is in the report")
		}
	})
	t.Run("session ends", func(t *testing.T) {
		// Sessions last 4 requests: the active checks outlive many, and
		// the scan signs in again each time and sends the request again.
		app := newLoginApp()
		app.expireAfter = 4
		cfg := fastConfig(serve(t, app.handler()))
		cfg.Login = &Login{URL: "/login", Username: "alice", Password: loginPassword, Check: "Welcome"}
		cfg.Active = ActiveSafe
		cfg.ActiveDelay = 200 * time.Millisecond
		rep := runScan(t, cfg)
		if len(find(rep, "xss.reflected")) == 0 {
			t.Errorf("no xss.reflected on /account/find, behind a session that keeps ending; findings: %v", checks(rep))
		}
		if !contains(rep.Notes, "signed in again") {
			t.Errorf("notes %q: want one saying the scan signed in again", rep.Notes)
		}
		if app.count("/logout") != 0 {
			t.Error("the scanner signed itself out")
		}
	})
	t.Run("pages the account may not see", func(t *testing.T) {
		// 30 pages send the scan to the sign-in form while its session
		// is alive: no sign-in again for them.
		app := newLoginApp()
		app.adminLinks = 30
		cfg := fastConfig(serve(t, app.handler()))
		cfg.Login = &Login{URL: "/login", Username: "alice", Password: loginPassword, Check: "Welcome"}
		cfg.Active = ActiveSafe
		cfg.ActiveDelay = 200 * time.Millisecond
		rep := runScan(t, cfg)
		if app.issued != 1 {
			t.Errorf("%d sign-ins: the scan signed in again for pages it may not see", app.issued)
		}
		if contains(rep.Notes, "signed in again") {
			t.Errorf("notes %q: the session never ended", rep.Notes)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		app := newLoginApp()
		cfg := fastConfig(serve(t, app.handler()))
		cfg.Login = &Login{URL: "/login", UsernameField: "user", PasswordField: "pass", Username: "alice", Password: "wrong-password", Check: "Welcome"}
		s, err := New(cfg, testLog(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "sign in") {
			t.Errorf("Run with a wrong password: err = %v, want a sign-in error", err)
		} else if strings.Contains(err.Error(), "wrong-password") {
			t.Errorf("the error shows the password: %v", err)
		}
	})
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"empty", Config{}, "want an http:// or https:// URL"},
		{"ftp", Config{Target: "ftp://example.com/"}, "want an http:// or https:// URL"},
		{"no host", Config{Target: "http:///x"}, "no host"},
		{"negative rate", Config{Target: "http://example.com", Rate: -1}, "rate"},
		{"negative pages", Config{Target: "http://example.com", MaxPages: -1}, "max pages"},
		{"login without password", Config{Target: "http://example.com", Login: &Login{URL: "/login", Username: "a"}}, "username and password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%+v) = %v, want an error with %q", tt.cfg, err, tt.want)
			}
		})
	}
	s, err := New(Config{Target: "HTTP://Example.COM:80/a/../b#frag"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.Target != "http://example.com/b" || s.cfg.Rate != defaultRate || s.cfg.MaxPages != defaultMaxPages || !strings.HasPrefix(s.cfg.UserAgent, "rampart-scan/") {
		t.Errorf("defaults not applied: %+v", s.cfg)
	}
}

func TestRunTwice(t *testing.T) {
	s, err := New(fastConfig(serve(t, chain(2))), testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background()); err == nil {
		t.Error("a second Run did not fail")
	}
}

func TestInventory(t *testing.T) {
	target := serve(t, site{
		"/": {body: htmlPage(`<a href="/search?q=shoes&page=2">s</a>
			<form method="post" action="/comment" enctype="multipart/form-data"><input type="hidden" name="csrf" value="abc"><textarea name="text">hi</textarea><input type="file" name="pic"><input type="submit" name="send" value="Send"></form>
			<form action="/find"><input name="term" value="x"><select name="cat"><option value="a">A</option><option value="b" selected>B</option></select></form>`)},
		"/search": {body: htmlPage("results")},
	})
	cfg := fastConfig(target)
	s, err := New(cfg, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	var got []string
	for _, r := range reqs {
		line := r.Method + " " + strings.TrimPrefix(r.URL.String(), target)
		if r.Form != nil {
			line += " " + r.Form.Encode() + " " + r.Enctype
		}
		got = append(got, line)
	}
	for _, want := range []string{
		"GET /search?q=shoes&page=2",
		"POST /comment csrf=abc&pic=&send=Send&text=hi multipart/form-data",
		"GET /find?cat=b&term=x",
	} {
		if !contains(got, want) {
			t.Errorf("Requests() = %q, want one %q", got, want)
		}
	}
	if len(s.Pages()) < 2 {
		t.Errorf("Pages() = %d pages", len(s.Pages()))
	}
}

func TestProgress(t *testing.T) {
	var mu sync.Mutex
	var got []Progress
	cfg := fastConfig(serve(t, chain(5)))
	cfg.Progress = func(p Progress) {
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
	}
	runScan(t, cfg)
	mu.Lock()
	defer mu.Unlock()
	last := Progress{}
	for _, p := range got {
		if p.Phase == "crawl" {
			last = p
		}
	}
	if last.Done < 6 || last.Findings == 0 {
		t.Errorf("last crawl progress %+v, want 6 pages done and findings counted", last)
	}
}
