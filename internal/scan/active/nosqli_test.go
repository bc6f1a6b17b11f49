package active

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A fake MongoDB: a collection of users, queried with filters built the
// way Express (qs) and PHP build them from request parameters, with the
// operators $eq, $ne, $gt, $in, $nin and $where (a small JavaScript of
// this.field, string literals, ==, !=, && and ||).

var mongoUsers = []map[string]any{
	{"name": "alice", "password": "s3cret", "email": "alice@example.com"},
	{"name": "bob", "password": "hunter2", "email": "bob@example.com"},
}

func mongoFind(filter map[string]any) ([]map[string]any, error) {
	var out []map[string]any
	for _, d := range mongoUsers {
		ok, err := mongoMatch(d, filter)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, nil
}

func mongoMatch(doc, filter map[string]any) (bool, error) {
	for k, cond := range filter {
		if k == "$where" {
			js, _ := cond.(string)
			ok, err := mongoJS(js, doc)
			if err != nil || !ok {
				return false, err
			}
			continue
		}
		if strings.HasPrefix(k, "$") {
			return false, fmt.Errorf("unknown top level operator: %s", k)
		}
		v := doc[k]
		ops, isOps := cond.(map[string]any)
		if !isOps {
			if v != cond {
				return false, nil
			}
			continue
		}
		for op, arg := range ops {
			var ok bool
			switch op {
			case "$eq":
				ok = v == arg
			case "$ne":
				ok = v != arg
			case "$gt":
				vs, ok1 := v.(string)
				as, ok2 := arg.(string)
				ok = ok1 && ok2 && vs > as
			case "$in", "$nin":
				list, _ := arg.([]any)
				for _, e := range list {
					ok = ok || e == v
				}
				if op == "$nin" {
					ok = !ok
				}
			default:
				return false, fmt.Errorf("unknown operator: %s", op)
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

// mongoJS evaluates a $where condition.
func mongoJS(src string, doc map[string]any) (bool, error) {
	toks, err := mongoLex(src)
	if err != nil {
		return false, err
	}
	p := &mongoParser{toks: toks, doc: doc}
	v := p.or()
	if p.err == nil && p.i < len(p.toks) {
		p.err = errors.New("SyntaxError: unexpected token " + p.toks[p.i])
	}
	return v != "", p.err
}

var mongoTokRE = regexp.MustCompile(`^\s*(?:'[^']*'|"[^"]*"|this\.\w+|\d+|==|!=|&&|\|\||[()])`)

func mongoLex(src string) ([]string, error) {
	var toks []string
	for strings.TrimSpace(src) != "" {
		m := mongoTokRE.FindString(src)
		if m == "" {
			return nil, errors.New("SyntaxError: unterminated string or bad token")
		}
		toks = append(toks, strings.TrimSpace(m))
		src = src[len(m):]
	}
	return toks, nil
}

type mongoParser struct {
	toks []string
	i    int
	doc  map[string]any
	err  error
}

func (p *mongoParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func truth(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func (p *mongoParser) or() string {
	v := p.and()
	for p.peek() == "||" {
		p.i++
		w := p.and()
		v = truth(v != "" || w != "")
	}
	return v
}

func (p *mongoParser) and() string {
	v := p.cmp()
	for p.peek() == "&&" {
		p.i++
		w := p.cmp()
		v = truth(v != "" && w != "")
	}
	return v
}

func (p *mongoParser) cmp() string {
	v := p.primary()
	if op := p.peek(); op == "==" || op == "!=" {
		p.i++
		w := p.primary()
		return truth((v == w) == (op == "=="))
	}
	return v
}

func (p *mongoParser) primary() string {
	t := p.peek()
	p.i++
	switch {
	case t == "(":
		v := p.or()
		if p.peek() != ")" {
			p.err = errors.New("SyntaxError: missing )")
		}
		p.i++
		return v
	case strings.HasPrefix(t, "this."):
		s, _ := p.doc[strings.TrimPrefix(t, "this.")].(string)
		return s
	case len(t) >= 2 && (t[0] == '\'' || t[0] == '"'):
		return t[1 : len(t)-1]
	case t != "" && t[0] >= '0' && t[0] <= '9':
		return t // == compares loosely: '1' == 1
	}
	p.err = errors.New("SyntaxError: unexpected token " + t)
	return ""
}

// qsParse reads parameters as Express's qs does: a[b]=c is {a: {b: c}},
// a[b][]=c is {a: {b: [c]}}.
func qsParse(vs url.Values) map[string]any {
	re := regexp.MustCompile(`^(\w+)\[([$\w]+)\](\[\])?$`)
	out := map[string]any{}
	for k, v := range vs {
		m := re.FindStringSubmatch(k)
		if m == nil {
			out[k] = v[0]
			continue
		}
		obj, _ := out[m[1]].(map[string]any)
		if obj == nil {
			obj = map[string]any{}
			out[m[1]] = obj
		}
		if m[3] != "" {
			list := make([]any, len(v))
			for i, e := range v {
				list[i] = e
			}
			obj[m[2]] = list
		} else {
			obj[m[2]] = v[0]
		}
	}
	return out
}

func nosqliApp() http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		fmt.Fprintf(w, "<html><body><nav>Shop</nav><h1>Account</h1>%s<footer>Contact us</footer></body></html>", body)
	}
	// login shows database errors unless quiet, as most applications do
	// not.
	login := func(w http.ResponseWriter, filter map[string]any, quiet bool) {
		users, err := mongoFind(filter)
		if err != nil && quiet {
			users, err = nil, nil
		}
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			page(w, "<p>MongoServerError: "+html.EscapeString(err.Error())+"</p>")
			return
		}
		if len(users) == 0 {
			page(w, "<p>Invalid username or password.</p>")
			return
		}
		page(w, fmt.Sprintf("<p>Welcome back, %s!</p><ul><li>Orders</li><li>Settings</li><li>Sign out</li></ul>", users[0]["name"]))
	}
	for _, prefix := range []string{"", "/quiet"} {
		mux.HandleFunc("POST "+prefix+"/login", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			f := qsParse(r.PostForm)
			login(w, map[string]any{"name": f["username"], "password": f["password"]}, prefix != "")
		})
	}
	mux.HandleFunc("POST /fixed/login", func(w http.ResponseWriter, r *http.Request) {
		login(w, map[string]any{"name": r.PostFormValue("username"), "password": r.PostFormValue("password")}, false)
	})
	for _, prefix := range []string{"", "/quiet"} {
		mux.HandleFunc("POST "+prefix+"/api/login", func(w http.ResponseWriter, r *http.Request) {
			var b map[string]any
			if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
				http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
				return
			}
			users, err := mongoFind(map[string]any{"name": b["username"], "password": b["password"]})
			if prefix != "" {
				err = nil
			}
			w.Header().Set("Content-Type", "application/json")
			switch {
			case err != nil:
				w.WriteHeader(http.StatusInternalServerError)
				json.NewEncoder(w).Encode(map[string]any{"error": err.Error()})
			case len(users) == 0:
				w.WriteHeader(http.StatusUnauthorized)
				json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid credentials"})
			default:
				json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": users[0]["name"], "token": fmt.Sprintf("%x", rand.Uint64())})
			}
		})
	}
	mux.HandleFunc("POST /fixed/api/login", func(w http.ResponseWriter, r *http.Request) {
		var b struct{ Username, Password string }
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		users, _ := mongoFind(map[string]any{"name": b.Username, "password": b.Password})
		w.Header().Set("Content-Type", "application/json")
		if len(users) == 0 {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid credentials"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": users[0]["name"]})
	})
	profile := func(w http.ResponseWriter, filter map[string]any, extra string) {
		users, err := mongoFind(filter)
		if err != nil && extra == "quiet" {
			users, err, extra = nil, nil, ""
		}
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			page(w, "<p>MongoServerError: "+html.EscapeString(err.Error())+"</p>")
			return
		}
		if len(users) == 0 {
			page(w, extra+"<p>No such user.</p>")
			return
		}
		page(w, fmt.Sprintf("%s<dl><dt>Name</dt><dd>%s</dd><dt>Email</dt><dd>%s</dd></dl>", extra, users[0]["name"], users[0]["email"]))
	}
	mux.HandleFunc("GET /profile", func(w http.ResponseWriter, r *http.Request) {
		profile(w, map[string]any{"name": qsParse(r.URL.Query())["name"]}, "")
	})
	mux.HandleFunc("GET /quiet/profile", func(w http.ResponseWriter, r *http.Request) {
		profile(w, map[string]any{"name": qsParse(r.URL.Query())["name"]}, "quiet")
	})
	mux.HandleFunc("GET /where-number", func(w http.ResponseWriter, r *http.Request) {
		profile(w, map[string]any{"$where": "this.name == 'alice' && '1' == " + r.FormValue("id")}, "")
	})
	mux.HandleFunc("GET /where", func(w http.ResponseWriter, r *http.Request) {
		profile(w, map[string]any{"$where": "this.name == '" + r.FormValue("name") + "'"}, "")
	})
	mux.HandleFunc("GET /fixed/profile", func(w http.ResponseWriter, r *http.Request) {
		profile(w, map[string]any{"name": r.FormValue("name")}, "")
	})
	mux.HandleFunc("GET /random", func(w http.ResponseWriter, r *http.Request) {
		tips := []string{"Tip: use a password manager", "Tip: turn on two-factor sign-in", "Tip: check your orders",
			"Tip: update your address", "Tip: invite a friend"}
		extra := fmt.Sprintf("<aside>%s. %d people online. Ref %x.</aside>", tips[rand.IntN(len(tips))], rand.IntN(100), rand.Uint64())
		profile(w, map[string]any{"name": r.FormValue("name")}, extra)
	})
	return mux
}

func TestNoSQLi(t *testing.T) {
	srv := injServer(t, nosqliApp())
	form := url.Values{"username": {"alice"}, "password": {"wrong"}}
	body := map[string]any{"username": "alice", "password": "wrong"}
	tests := []struct {
		name, target string
		form         url.Values
		body         any
		kind         Kind
		param, want  string
	}{
		{"form login", "/login", form, nil, Form, "password", "nosqli"},
		{"JSON login", "/api/login", nil, body, JSON, "password", "nosqli"},
		{"query lookup", "/profile?name=alice", nil, nil, Query, "name", "nosqli"},
		{"$where", "/where?name=alice", nil, nil, Query, "name", "nosqli"},
		{"$where after a number", "/where-number?id=1", nil, nil, Query, "id", "nosqli"},
		{"form login, errors hidden", "/quiet/login", form, nil, Form, "password", "nosqli"},
		{"JSON login, errors hidden", "/quiet/api/login", nil, body, JSON, "password", "nosqli"},
		{"query lookup, errors hidden", "/quiet/profile?name=alice", nil, nil, Query, "name", "nosqli"},
		{"fixed form login", "/fixed/login", form, nil, Form, "password", ""},
		{"fixed JSON login", "/fixed/api/login", nil, body, JSON, "password", ""},
		{"fixed lookup", "/fixed/profile?name=alice", nil, nil, Query, "name", ""},
		{"random content", "/random?name=alice", nil, nil, Query, "name", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := injSender(srv)
			p := injPoint(t, srv, tt.target, tt.form, tt.body, tt.kind, tt.param)
			rs, err := NoSQLi(context.Background(), s, p, injOptions(uint64(i)))
			if err != nil {
				t.Fatal(err)
			}
			if got := injChecks(rs); got != tt.want {
				t.Errorf("NoSQLi(%s) = %q, want %q (%+v)", tt.target, got, tt.want, rs)
			}
			injVerify(t, rs)
			if n := s.count(); n > 20 {
				t.Errorf("NoSQLi(%s) sent %d requests", tt.target, n)
			}
			for _, r := range rs {
				t.Logf("%s (confirmed %v): %s\n%s", r.Check, r.Confirmed, r.Detail, r.Request)
			}
		})
	}
}

func TestMongoFake(t *testing.T) {
	tests := []struct {
		filter map[string]any
		want   int
	}{
		{map[string]any{"name": "alice"}, 1},
		{map[string]any{"name": map[string]any{"$ne": "x"}}, 2},
		{map[string]any{"name": map[string]any{"$in": []any{"bob"}}}, 1},
		{map[string]any{"$where": "this.name == 'alice' || 'a'=='a'"}, 2},
		{map[string]any{"$where": "this.name == 'alice' && 'a'=='b'"}, 0},
	}
	for _, tt := range tests {
		got, err := mongoFind(tt.filter)
		if err != nil || len(got) != tt.want {
			t.Errorf("mongoFind(%v) = %d users, %v; want %d", tt.filter, len(got), err, tt.want)
		}
	}
	if _, err := mongoFind(map[string]any{"$where": "this.name == 'x''"}); err == nil {
		t.Error("a broken $where did not fail")
	}
}
