package scan

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// opString renders an operation as "METHOD URL [enctype] [body]".
func opString(r Request) string {
	s := r.Method + " " + r.URL.String()
	if r.Enctype != "" {
		s += " " + r.Enctype
	}
	if r.JSON != nil {
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return s + " " + err.Error()
		}
		s += " " + string(b)
	}
	if r.Form != nil {
		s += " " + r.Form.Encode()
	}
	return s
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "openapi", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestParseAPISpec(t *testing.T) {
	specURL := mustURL(t, "http://api.test/docs/openapi.json")
	tests := []struct {
		file    string
		version string
		want    []string
	}{
		{"users-api.json", "3.0.3", []string{
			`GET http://localhost:5000/api/v1/items/1`,
			`POST http://localhost:5000/api/v1/orders application/json {"item":1,"note":"test"}`,
			`POST http://localhost:5000/api/v1/users/search application/json {"name":"alice"}`,
			`PUT http://localhost:5000/api/v1/users/1 application/json {"email":"user@example.com","name":"test"}`,
			`DELETE http://localhost:5000/api/v1/users/1`,
		}},
		{"petstore-swagger2.yaml", "2.0", []string{
			`POST https://petstore.example.com/v2/pet application/json {"category":{"id":1,"name":"test"},"name":"doggie","photoUrls":["http://example.com/"],"status":"available"}`,
			`PUT https://petstore.example.com/v2/pet application/json {"category":{"id":1,"name":"test"},"name":"doggie","photoUrls":["http://example.com/"],"status":"available"}`,
			`GET https://petstore.example.com/v2/pet/findByStatus?status=available`,
			`GET https://petstore.example.com/v2/pet/1`,
			`POST https://petstore.example.com/v2/pet/1 application/x-www-form-urlencoded name=test&status=test`,
			`DELETE https://petstore.example.com/v2/pet/1`,
			`POST https://petstore.example.com/v2/pet/1/uploadImage multipart/form-data additionalMetadata=test&file=test`,
		}},
		{"shop-openapi31.yaml", "3.1.0", []string{
			`POST https://shop.example.com:8443/api/v2/events`,
			`POST https://shop.example.com:8443/api/v2/orders application/json {"customerEmail":"user@example.com","items":[{"qty":2,"sku":"test"}],"payment":{"number":"testaaaaaaaaaaaa"},"when":"2024-01-01T00:00:00Z"}`,
			`GET https://shop.example.com:8443/api/v2/products?color=red&q=shoes&size=38`,
			`GET https://shop.example.com:8443/api/v2/products/AB-12`,
			`POST https://shop.example.com:8443/api/v2/search application/x-www-form-urlencoded page=1&term=test`,
		}},
		{"cycles.json", "3.0.0", []string{
			`POST http://api.test/broken application/json {}`,
			`POST http://api.test/loop application/json {}`,
			`POST http://api.test/mutual application/json {"label":"test"}`,
			`POST http://api.test/remote application/json {"ext":"test","name":"test"}`,
			`POST http://api.test/tree application/json {"children":[],"name":"test"}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			spec, err := parseAPISpec(readTestdata(t, tt.file), specURL)
			if err != nil {
				t.Fatalf("parseAPISpec(%s) = %v", tt.file, err)
			}
			var got []string
			for _, op := range spec.ops {
				got = append(got, opString(op.Request))
			}
			if spec.version != tt.version || spec.more || !slices.Equal(got, tt.want) {
				t.Errorf("parseAPISpec(%s) = version %q, more %v, operations\n%s\nwant version %q, operations\n%s",
					tt.file, spec.version, spec.more, strings.Join(got, "\n"), tt.version, strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseAPISpecServers(t *testing.T) {
	specURL := mustURL(t, "https://app.test/docs/openapi.json")
	tests := []struct{ name, doc, want string }{
		{"no servers", `{"openapi":"3.0.0","paths":{"/a":{"get":{}}}}`, "https://app.test/a"},
		{"absolute path", `{"openapi":"3.0.0","servers":[{"url":"/api"}],"paths":{"/a":{"get":{}}}}`, "https://app.test/api/a"},
		{"relative to the document", `{"openapi":"3.0.0","servers":[{"url":"v1/"}],"paths":{"/a":{"get":{}}}}`, "https://app.test/docs/v1/a"},
		{"operation server wins", `{"openapi":"3.0.0","servers":[{"url":"/api"}],"paths":{"/a":{"servers":[{"url":"/p"}],"get":{"servers":[{"url":"http://other.test/o"}]}}}}`, "http://other.test/o/a"},
		{"path server", `{"openapi":"3.0.0","servers":[{"url":"/api"}],"paths":{"/a":{"servers":[{"url":"/p"}],"get":{}}}}`, "https://app.test/p/a"},
		{"variable without default", `{"openapi":"3.0.0","servers":[{"url":"/{v}/x"}],"paths":{"/a":{"get":{}}}}`, "https://app.test/x/a"},
		{"swagger without host", `{"swagger":"2.0","basePath":"/b","paths":{"/a":{"get":{}}}}`, "https://app.test/b/a"},
		{"swagger host and scheme", `{"swagger":"2.0","host":"api.test:8080","schemes":["http"],"paths":{"/a":{"get":{}}}}`, "http://api.test:8080/a"},
		{"escaped path value", `{"openapi":"3.0.0","paths":{"/f/{name}":{"get":{"parameters":[{"name":"name","in":"path","example":"a b/c"}]}}}}`, "https://app.test/f/a%20b%2Fc"},
		{"object query exploded", `{"openapi":"3.0.0","paths":{"/a":{"get":{"parameters":[{"name":"f","in":"query","example":{"x":1,"y":"z"}},{"name":"h","in":"header"}]}}}}`, "https://app.test/a?x=1&y=z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := parseAPISpec([]byte(tt.doc), specURL)
			if err != nil {
				t.Fatalf("parseAPISpec(%s) = %v", tt.doc, err)
			}
			if len(spec.ops) != 1 || spec.ops[0].URL.String() != tt.want {
				var got []string
				for _, op := range spec.ops {
					got = append(got, op.URL.String())
				}
				t.Errorf("parseAPISpec(%s) URLs = %q, want %q", tt.doc, got, tt.want)
			}
		})
	}
}

func TestParseAPISpecNotASpec(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"empty", "  \n"},
		{"html page", "<!doctype html><html><body><div id=app></div></body></html>"},
		{"json status", `{"status":"ok"}`},
		{"json array", `[1,2,3]`},
		{"broken json", `{"openapi": "3.0.0", "paths": {`},
		{"yaml string", "just some text"},
		{"yaml list", "- a\n- b\n"},
		{"openapi 2", `{"openapi":"2.0","paths":{}}`},
		{"swagger 1.2", "swagger: '1.2'\npaths: {}\n"},
		{"no paths", `{"openapi":"3.0.0","info":{"title":"x"}}`},
		{"paths a list", `{"openapi":"3.0.0","paths":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := parseAPISpec([]byte(tt.doc), nil)
			if !errors.Is(err, errNotAPISpec) {
				t.Errorf("parseAPISpec(%q) = %v, %v; want an error wrapping errNotAPISpec", tt.doc, spec, err)
			}
		})
	}
}

func TestParseAPISpecBounds(t *testing.T) {
	t.Run("size", func(t *testing.T) {
		big := make([]byte, maxAPISpecBytes+1)
		if _, err := parseAPISpec(big, nil); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("parseAPISpec of %d bytes = %v, want a size error", len(big), err)
		}
	})
	t.Run("operations", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"openapi":"3.0.0","paths":{`)
		for i := range maxAPIOps + 500 {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"/p%05d":{"get":{}}`, i)
		}
		b.WriteString("}}")
		spec, err := parseAPISpec([]byte(b.String()), nil)
		if err != nil || len(spec.ops) != maxAPIOps || !spec.more {
			t.Fatalf("parseAPISpec of %d operations = %d operations, more %v, %v; want %d, true", maxAPIOps+500, len(spec.ops), spec.more, err, maxAPIOps)
		}
	})
	t.Run("alias bomb", func(t *testing.T) {
		// Each level repeats the one before nine times: 9^9 values if
		// expanded, used as the example of every operation's body.
		var b strings.Builder
		b.WriteString("openapi: 3.0.0\nx-bomb:\n  l0: &l0 {a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x, i: x}\n")
		for i := 1; i < 10; i++ {
			fmt.Fprintf(&b, "  l%d: &l%d {a: *l%d, b: *l%d, c: *l%d, d: *l%d, e: *l%d, f: *l%d, g: *l%d, h: *l%d, i: *l%d}\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
		}
		b.WriteString("paths:\n")
		for i := range 50 {
			fmt.Fprintf(&b, "  /p%d:\n    post:\n      requestBody:\n        content:\n          application/json:\n            example: *l9\n            schema: {type: object, properties: {q: {type: string}}}\n", i)
		}
		start := time.Now()
		spec, err := parseAPISpec([]byte(b.String()), nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("parseAPISpec of an alias bomb took %s", d)
		}
		for _, op := range spec.ops {
			if got := opString(op.Request); !strings.HasSuffix(got, `{"q":"test"}`) {
				t.Fatalf("operation of an alias bomb = %.200s, want the example made up from the schema", got)
			}
		}
	})
	t.Run("wide schemas", func(t *testing.T) {
		// Every level has 20 properties of the next: the example is
		// bounded by maxAPIExampleValues, not 20^depth.
		var b strings.Builder
		b.WriteString(`{"openapi":"3.0.0","components":{"schemas":{`)
		for i := range 12 {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"S%d":{"type":"object","properties":{`, i)
			for j := range 20 {
				if j > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `"p%d":{"$ref":"#/components/schemas/S%d"}`, j, i+1)
			}
			b.WriteString("}}")
		}
		b.WriteString(`}},"paths":{"/a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/S0"}}}}}}}}`)
		spec, err := parseAPISpec([]byte(b.String()), nil)
		if err != nil {
			t.Fatal(err)
		}
		if n := countValues(spec.ops[0].JSON, 1<<20); n > maxAPIExampleValues+1 {
			t.Errorf("example of a wide schema has %d values, want at most %d", n, maxAPIExampleValues+1)
		}
	})
}

func TestAPIAttacked(t *testing.T) {
	tests := []struct {
		method, path, id string
		safe, full       bool
	}{
		{"GET", "/items/{id}", "getItem", true, true},
		{"HEAD", "/items", "", true, true},
		{"POST", "/users/search", "", true, true},
		{"POST", "/api/query", "", true, true},
		{"POST", "/things", "findThings", true, true},
		{"POST", "/auth/sign-in", "", true, true},
		{"POST", "/session", "signIn", true, true},
		{"POST", "/oauth/token", "", true, true},
		{"POST", "/lookups", "", true, true},
		{"POST", "/graphql", "", true, true},
		{"POST", "/orders", "createOrder", false, true},
		{"POST", "/checkout", "", false, true},
		{"POST", "/authors", "", false, true},
		{"POST", "/search-index/rebuild", "", false, true},
		{"POST", "/searches", "createSavedSearch", false, true},
		{"PUT", "/users/{id}", "updateUser", false, true},
		{"PATCH", "/users/{id}/search", "", false, true},
		{"DELETE", "/users/{id}", "deleteUser", false, false},
		{"DELETE", "/search", "", false, false},
	}
	for _, tt := range tests {
		safe := apiAttacked(ActiveSafe, tt.method, tt.path, tt.id)
		full := apiAttacked(ActiveFull, tt.method, tt.path, tt.id)
		off := apiAttacked(ActiveOff, tt.method, tt.path, tt.id)
		if safe != tt.safe || full != tt.full || off {
			t.Errorf("apiAttacked(%s %s %q) = safe %v, full %v, off %v; want %v, %v, false", tt.method, tt.path, tt.id, safe, full, off, tt.safe, tt.full)
		}
	}
}

// usersAPI is a JSON API whose only way in is its description at
// /openapi.json: a user search on SQLite and an item page; its calls
// counts the requests by "METHOD /path-pattern". fixed is its repaired
// twin.
type usersAPI struct {
	mu    sync.Mutex
	calls map[string]int
}

func (a *usersAPI) count(k string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[k]
}

func newUsersAPI(t *testing.T, fixed bool) (*usersAPI, http.Handler) {
	t.Helper()
	db := testDB(t, `CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT);
		INSERT OR IGNORE INTO users VALUES (1, 'alice'), (2, 'bob');`)
	spec := readTestdata(t, "users-api.json")
	a := &usersAPI{calls: map[string]int{}}
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			a.mu.Lock()
			a.calls[pattern]++
			a.mu.Unlock()
			h(w, r)
		})
	}
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	handle("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, htmlPage("<h1>Users</h1><p>Our API is for partners.</p>"))
	})
	handle("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(spec)
	})
	handle("POST /api/v1/users/search", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&q); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad JSON"})
			return
		}
		var rows *sql.Rows
		var err error
		if fixed {
			rows, err = db.Query("SELECT id, name FROM users WHERE name = ?", q.Name)
		} else {
			rows, err = db.Query("SELECT id, name FROM users WHERE name = '" + q.Name + "'") // the flaw
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		defer rows.Close()
		users := []map[string]any{}
		for rows.Next() {
			var id int
			var name string
			_ = rows.Scan(&id, &name)
			users = append(users, map[string]any{"id": id, "name": name})
		}
		writeJSON(w, http.StatusOK, map[string]any{"users": users})
	})
	handle("GET /api/v1/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if fixed {
			id = html.EscapeString(id)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, htmlPage("<h1>Item "+id+"</h1><p>In stock.</p>")) // the flaw, unless fixed
	})
	for _, p := range []string{"PUT /api/v1/users/{id}", "DELETE /api/v1/users/{id}", "POST /api/v1/orders"} {
		handle(p, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "done"})
		})
	}
	return a, mux
}

// TestAPISpecScan: a JSON API found only through its description at
// /openapi.json, whose server is localhost:5000, is attacked at the
// target: the SQL injection in a JSON field and the XSS in a path
// parameter are found, and the fixed twin reports neither. PUT, DELETE
// and the POST that creates are never sent at --active safe.
func TestAPISpecScan(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		t.Run(fmt.Sprintf("fixed=%v", fixed), func(t *testing.T) {
			api, h := newUsersAPI(t, fixed)
			target := serve(t, h)
			cfg := fastConfig(target)
			cfg.Active = ActiveSafe
			cfg.ActiveDelay = 300 * time.Millisecond
			cfg.MaxTime = 2 * time.Minute
			rep := runScan(t, cfg)
			t.Logf("findings: %v; notes: %q", checks(rep), rep.Notes)

			sqli := slices.ContainsFunc(rep.Findings, func(f Finding) bool {
				return strings.HasPrefix(f.Check, "sqli.") && f.Parameter == "json:name" && strings.Contains(f.URLs[0], "/api/v1/users/search")
			})
			xss := slices.ContainsFunc(rep.Findings, func(f Finding) bool {
				return f.Check == "xss.reflected" && strings.HasPrefix(f.Parameter, "path:") && strings.Contains(f.URLs[0], "/api/v1/items/")
			})
			if sqli == fixed || xss == fixed {
				t.Errorf("fixed=%v: SQL injection in json:name found=%v, XSS in the item path found=%v; all: %v", fixed, sqli, xss, checks(rep))
			}
			want := fmt.Sprintf("API description %s/openapi.json: 5 operations (2 attacked at --active safe)", target)
			if !slices.Contains(rep.Notes, want) {
				t.Errorf("notes = %q, want %q", rep.Notes, want)
			}
			for _, p := range []string{"PUT /api/v1/users/{id}", "DELETE /api/v1/users/{id}", "POST /api/v1/orders"} {
				if n := api.count(p); n != 0 {
					t.Errorf("%s was requested %d times at --active safe", p, n)
				}
			}
			if api.count("GET /api/v1/items/{id}") == 0 {
				t.Error("the item page was never requested")
			}
		})
	}
}

// TestAPISpecFull: at --active full, PUT and the creating POST are
// attacked too, DELETE never.
func TestAPISpecFull(t *testing.T) {
	api, h := newUsersAPI(t, true)
	target := serve(t, h)
	cfg := fastConfig(target)
	cfg.Active = ActiveFull
	cfg.ActiveDelay = 200 * time.Millisecond
	cfg.MaxTime = 2 * time.Minute
	rep := runScan(t, cfg)
	want := fmt.Sprintf("API description %s/openapi.json: 5 operations (4 attacked at --active full)", target)
	if !slices.Contains(rep.Notes, want) {
		t.Errorf("notes = %q, want %q", rep.Notes, want)
	}
	if api.count("PUT /api/v1/users/{id}") == 0 || api.count("POST /api/v1/orders") == 0 {
		t.Errorf("at --active full PUT was requested %d times, POST /orders %d times; want both", api.count("PUT /api/v1/users/{id}"), api.count("POST /api/v1/orders"))
	}
	if n := api.count("DELETE /api/v1/users/{id}"); n != 0 {
		t.Errorf("DELETE was requested %d times at --active full", n)
	}
}

// newTestScanner is a Scanner of target for calling its steps one by one.
func newTestScanner(t *testing.T, cfg Config) *Scanner {
	t.Helper()
	s, err := New(cfg, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func requestStrings(s *Scanner) []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, opString(r))
	}
	return out
}

// TestAPIDiscoveryCatchAll: a site that answers 200 with a page (or a
// JSON status) on every path gives no API description, silently; robots
// and --no-api-discovery keep the probes away.
func TestAPIDiscoveryCatchAll(t *testing.T) {
	for _, body := range []string{htmlPage(`<div id="app"></div><script src="/app.js"></script>`), `{"status":"ok"}`} {
		var h hits
		target := serve(t, h.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				fmt.Fprint(w, "User-agent: *\nDisallow: /v2/\n")
				return
			}
			fmt.Fprint(w, body)
		})))
		cfg := fastConfig(target)
		cfg.Active = ActiveSafe
		s := newTestScanner(t, cfg)
		s.loadRobots(context.Background())
		jobs := s.loadAPISpecs(context.Background())
		if len(jobs) != 0 || len(s.Requests()) != 0 || len(s.notes) != 0 {
			t.Errorf("catch-all %.20q: jobs %v, requests %q, notes %q; want none", body, jobs, requestStrings(s), s.notes)
		}
		for _, p := range apiSpecPaths {
			want := 1
			if strings.HasPrefix(p, "/v2/") {
				want = 0
			}
			if got := h.count(p); got != want {
				t.Errorf("catch-all %.20q: %s probed %d times, want %d", body, p, got, want)
			}
		}
	}

	var h hits
	target := serve(t, h.wrap(site{"/openapi.json": {body: string(readTestdata(t, "users-api.json")), ctype: "application/json"}}))
	cfg := fastConfig(target)
	cfg.Active = ActiveFull
	cfg.NoAPIDiscovery = true
	s := newTestScanner(t, cfg)
	if jobs := s.loadAPISpecs(context.Background()); len(jobs) != 0 || h.total() != 0 {
		t.Errorf("--no-api-discovery: %d jobs, %d requests; want none", len(jobs), h.total())
	}
}

// TestAPISpecsConfigured: Config.APISpecs reads files and URLs; the
// server the description names (petstore.example.com) is mapped to the
// target, keeping its base path; a URL outside the scope is fetched
// without the scan's credentials; what cannot be read is in the notes.
func TestAPISpecsConfigured(t *testing.T) {
	var h hits
	target := serve(t, h.wrap(site{}))
	var mu sync.Mutex
	var otherAuth []string
	other := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		otherAuth = append(otherAuth, r.Header.Get("Authorization")+r.Header.Get("Cookie"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(readTestdata(t, "users-api.json"))
	}))
	file := filepath.Join("testdata", "openapi", "petstore-swagger2.yaml")
	missing := filepath.Join(t.TempDir(), "none.yaml")
	notSpec := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(notSpec, []byte(htmlPage("hi")), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, level := range []Active{ActiveOff, ActiveSafe, ActiveFull} {
		cfg := fastConfig(target)
		cfg.Active = level
		cfg.NoAPIDiscovery = true
		cfg.Header = http.Header{"Authorization": {"Bearer s3cret-token-value"}}
		cfg.APISpecs = []string{file, missing, notSpec, other + "/openapi.json"}
		s := newTestScanner(t, cfg)
		jobs := s.loadAPISpecs(context.Background())

		var jobURLs []string
		for _, j := range jobs {
			jobURLs = append(jobURLs, j.u.String())
		}
		wantJobs := []string{target + "/v2/pet/findByStatus?status=available", target + "/v2/pet/1", target + "/api/v1/items/1"}
		if !slices.Equal(jobURLs, wantJobs) {
			t.Errorf("level %d: jobs %q, want %q", level, jobURLs, wantJobs)
		}
		got := requestStrings(s)
		var want []string
		switch level {
		case ActiveSafe:
			want = []string{
				"GET " + target + "/v2/pet/findByStatus?status=available",
				"GET " + target + "/v2/pet/1",
				"GET " + target + "/api/v1/items/1",
				"POST " + target + `/api/v1/users/search application/json {"name":"alice"}`,
			}
		case ActiveFull:
			want = []string{
				"POST " + target + `/v2/pet application/json {"category":{"id":1,"name":"test"},"name":"doggie","photoUrls":["http://example.com/"],"status":"available"}`,
				"PUT " + target + `/v2/pet application/json {"category":{"id":1,"name":"test"},"name":"doggie","photoUrls":["http://example.com/"],"status":"available"}`,
				"GET " + target + "/v2/pet/findByStatus?status=available",
				"GET " + target + "/v2/pet/1",
				"POST " + target + "/v2/pet/1 application/x-www-form-urlencoded name=test&status=test",
				"POST " + target + "/v2/pet/1/uploadImage multipart/form-data additionalMetadata=test&file=test",
				"GET " + target + "/api/v1/items/1",
				"POST " + target + `/api/v1/orders application/json {"item":1,"note":"test"}`,
				"POST " + target + `/api/v1/users/search application/json {"name":"alice"}`,
				"PUT " + target + `/api/v1/users/1 application/json {"email":"user@example.com","name":"test"}`,
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("level %d: requests\n%s\nwant\n%s", level, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		notes := strings.Join(s.notes, "\n")
		for _, w := range []string{
			"API description " + file + ": 7 operations (",
			"API description " + missing + " not loaded: open ",
			"API description " + notSpec + " not loaded: not an OpenAPI 3 or Swagger 2.0 description: the document is HTML or XML",
			"API description " + other + "/openapi.json: 5 operations (",
		} {
			if !strings.Contains(notes, w) {
				t.Errorf("level %d: notes lack %q:\n%s", level, w, notes)
			}
		}
		if level == ActiveSafe && !strings.Contains(notes, "7 operations (2 attacked at --active safe)") {
			t.Errorf("level safe: notes:\n%s", notes)
		}
	}
	if h.total() != 0 {
		t.Errorf("the target got %d requests while reading files and another host's URL", h.total())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(otherAuth) == 0 || slices.ContainsFunc(otherAuth, func(s string) bool { return s != "" }) {
		t.Errorf("the other host got credentials %q (or no request)", otherAuth)
	}
}

// TestAPISpecCrawled: a description the crawl meets (linked from a
// documentation page, at a path that is not a well-known one) adds its
// operations.
func TestAPISpecCrawled(t *testing.T) {
	target := serve(t, site{
		"/":                   {body: htmlPage(`<a href="/docs/">API documentation</a>`)},
		"/docs/":              {body: htmlPage(`<div id="swagger-ui"></div><a href="/docs/petstore.yaml">petstore.yaml</a>`)},
		"/docs/petstore.yaml": {body: string(readTestdata(t, "petstore-swagger2.yaml")), ctype: "application/yaml"},
	})
	cfg := fastConfig(target)
	cfg.Active = ActiveSafe
	cfg.ActiveDelay = 200 * time.Millisecond
	s := newTestScanner(t, cfg)
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := requestStrings(s)
	if !slices.Contains(got, "GET "+target+"/v2/pet/findByStatus?status=available") {
		t.Errorf("requests %q lack the crawled description's operations", got)
	}
	want := "API description " + target + "/docs/petstore.yaml: 7 operations (2 attacked at --active safe)"
	if !slices.Contains(rep.Notes, want) {
		t.Errorf("notes = %q, want %q", rep.Notes, want)
	}
}

func FuzzParseAPISpec(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "openapi"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(string(readTestdata(f, e.Name())))
	}
	f.Add(`{"openapi":"3.1.0","paths":{"/a/{b}":{"post":{"parameters":[{"name":"b","in":"path","schema":{"type":["integer","null"]}}],"requestBody":{"content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#"}}}}}}}}}`)
	f.Add("swagger: '2.0'\npaths:\n  /x:\n    post:\n      parameters:\n        - {in: formData, name: f, type: file}\n        - {in: body, name: b, schema: {$ref: '#/definitions/A'}}\ndefinitions:\n  A: {allOf: [{$ref: '#/definitions/A'}]}\n")
	f.Add("openapi: 3.0.0\nx: &a [*a]\npaths: {}\n")
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > maxFuzzInput {
			return
		}
		spec, err := parseAPISpec([]byte(in), mustURL(t, "http://api.test/openapi.json"))
		if err != nil {
			if spec != nil {
				t.Fatalf("spec %v with error %v", spec, err)
			}
			return
		}
		if len(spec.ops) > maxAPIOps {
			t.Fatalf("%d operations", len(spec.ops))
		}
		for _, op := range spec.ops {
			if op.URL == nil || (op.URL.Scheme != "http" && op.URL.Scheme != "https") || op.URL.Host == "" || len(op.URL.String()) > maxURLLen {
				t.Fatalf("operation URL %v", op.URL)
			}
			if !slices.Contains(apiMethods, strings.ToLower(op.Method)) {
				t.Fatalf("method %q", op.Method)
			}
			if op.JSON != nil {
				if op.Enctype != "application/json" {
					t.Fatalf("JSON body with enctype %q", op.Enctype)
				}
				if n := countValues(op.JSON, 1<<20); n > 4*maxAPIExampleValues {
					t.Fatalf("JSON body of %d values", n)
				}
				if _, err := json.Marshal(op.JSON); err != nil {
					t.Fatalf("JSON body does not encode: %v", err)
				}
			}
			if op.Form != nil && op.Enctype != "application/x-www-form-urlencoded" && op.Enctype != "multipart/form-data" {
				t.Fatalf("form with enctype %q", op.Enctype)
			}
			if _, err := url.Parse(op.URL.String()); err != nil {
				t.Fatalf("URL %q does not parse: %v", op.URL, err)
			}
		}
	})
}
