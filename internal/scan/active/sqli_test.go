package active

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// sqliDB is a real SQLite database with a few users.
func sqliDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", filepath.Join(tb.TempDir(), "app.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT)`,
		`INSERT INTO users VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', 'bob@example.com'), (3, 'carol', 'carol@example.com')`,
	} {
		if _, err := db.Exec(q); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// sqliApp is an application over db. Its vulnerable handlers paste the
// parameter into SQL; the fixed twins bind it.
func sqliApp(db *sql.DB) http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, title, body string) {
		fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body><nav><a href=/>Home</a> <a href=/users>Users</a></nav><h1>%s</h1>%s<footer>Demo shop</footer></body></html>",
			title, title, body)
	}
	list := func(rows *sql.Rows) string {
		var b strings.Builder
		b.WriteString("<table><tr><th>Name</th><th>Email</th></tr>")
		n := 0
		for rows.Next() {
			var name, email string
			if err := rows.Scan(&name, &email); err != nil {
				break
			}
			n++
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td></tr>", html.EscapeString(name), html.EscapeString(email))
		}
		b.WriteString("</table>")
		if n == 0 {
			return "<p>No such user.</p>"
		}
		return b.String()
	}
	// query runs q; verbose shows the database error, as a debug build
	// does, otherwise the page says only that nothing was found.
	query := func(w http.ResponseWriter, r *http.Request, verbose bool, q string, args ...any) {
		rows, err := db.QueryContext(r.Context(), q, args...)
		if err != nil {
			if verbose {
				w.WriteHeader(http.StatusInternalServerError)
				page(w, "Error", "<p>Query failed: "+html.EscapeString(err.Error())+"</p>")
				return
			}
			page(w, "User", "<p>No such user.</p>")
			return
		}
		defer rows.Close()
		page(w, "User", "<p>You searched for "+html.EscapeString(r.FormValue("id")+r.FormValue("name"))+"</p>"+list(rows))
	}
	mux.HandleFunc("/vuln/item", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, true, "SELECT name, email FROM users WHERE id = "+r.FormValue("id"))
	})
	mux.HandleFunc("/vuln/user", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, true, "SELECT name, email FROM users WHERE name = '"+r.FormValue("name")+"' ORDER BY id")
	})
	mux.HandleFunc("/blind/item", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, false, "SELECT name, email FROM users WHERE id = "+r.FormValue("id"))
	})
	mux.HandleFunc("/blind/user", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, false, "SELECT name, email FROM users WHERE (name = '"+r.FormValue("name")+"')")
	})
	mux.HandleFunc("/blind/search", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, false, "SELECT name, email FROM users WHERE email LIKE '%"+r.FormValue("name")+"%' ORDER BY id")
	})
	// /timeblind/item runs the query and shows the same page whatever
	// it found: only time tells.
	mux.HandleFunc("/timeblind/item", func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.QueryContext(r.Context(), "SELECT name FROM users WHERE id = "+r.FormValue("id"))
		if err == nil {
			for rows.Next() {
			}
			rows.Close()
		}
		page(w, "Thanks", "<p>Your request was recorded.</p>")
	})
	mux.HandleFunc("/fixed/item", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, true, "SELECT name, email FROM users WHERE id = ?", r.FormValue("id"))
	})
	mux.HandleFunc("/fixed/user", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, true, "SELECT name, email FROM users WHERE name = ? ORDER BY id", r.FormValue("name"))
	})
	mux.HandleFunc("/fixed/search", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, false, "SELECT name, email FROM users WHERE email LIKE '%' || ? || '%' ORDER BY id", r.FormValue("name"))
	})
	// /slow takes about the delay for every request, injectable or not.
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(injDelay + time.Duration(rand.IntN(40))*time.Millisecond)
		query(w, r, false, "SELECT name, email FROM users WHERE id = ?", r.FormValue("id"))
	})
	// /random shows content that changes with every request.
	mux.HandleFunc("/random", func(w http.ResponseWriter, r *http.Request) {
		news := []string{"Spring sale starts today", "New arrivals in the garden section", "Free shipping over fifty euros",
			"Our store opens late on Thursdays", "Meet the team behind the shop"}
		extra := fmt.Sprintf("<aside>%s. Visitors online: %d. Token %x.</aside>", news[rand.IntN(len(news))], rand.IntN(500), rand.Uint64())
		if rand.IntN(3) == 0 {
			extra += "<p>Recommended for you: " + news[rand.IntN(len(news))] + "</p>"
		}
		rows, err := db.QueryContext(r.Context(), "SELECT name, email FROM users WHERE id = ?", r.FormValue("id"))
		if err != nil {
			page(w, "Error", "")
			return
		}
		defer rows.Close()
		page(w, "User", extra+list(rows))
	})
	// /alwayserror shows a MySQL error on every page, whatever the
	// parameter.
	mux.HandleFunc("/alwayserror", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<p>Warning: You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '' at line 1</p>"))
		query(w, r, false, "SELECT name, email FROM users WHERE id = ?", r.FormValue("id"))
	})
	return mux
}

func TestSQLi(t *testing.T) {
	srv := injServer(t, sqliApp(sqliDB(t)))
	tests := []struct {
		name, target, param, want string
	}{
		{"error numeric", "/vuln/item?id=1", "id", "sqli.error"},
		{"error string", "/vuln/user?name=alice", "name", "sqli.error"},
		{"boolean numeric", "/blind/item?id=2", "id", "sqli.boolean"},
		{"boolean string in parentheses", "/blind/user?name=bob", "name", "sqli.boolean"},
		{"boolean LIKE", "/blind/search?name=carol", "name", "sqli.boolean"},
		{"time SQLite", "/timeblind/item?id=1", "id", "sqli.time"},
		{"fixed numeric", "/fixed/item?id=1", "id", ""},
		{"fixed string", "/fixed/user?name=alice", "name", ""},
		{"fixed LIKE", "/fixed/search?name=carol", "name", ""},
		{"random content", "/random?id=1", "id", ""},
		{"error on every page", "/alwayserror?id=1", "id", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := injSender(srv)
			p := injPoint(t, srv, tt.target, nil, nil, Query, tt.param)
			rs, err := SQLi(context.Background(), s, p, injOptions(uint64(i)))
			// SQLite has no sleep: its delay is a counting query, CPU
			// time that a loaded machine (the race detector, parallel
			// packages) stretches unevenly, so the check may miss there.
			// It must never report where there is nothing (the guards
			// below run once); a miss of the real flaw is tried again.
			for try := 1; tt.want == "sqli.time" && err == nil && injChecks(rs) == "" && try < 3; try++ {
				t.Logf("time-based SQLite check missed on try %d; trying again", try)
				rs, err = SQLi(context.Background(), s, p, injOptions(uint64(i+100*try)))
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := injChecks(rs); got != tt.want {
				t.Errorf("SQLi(%s) = %q, want %q (%+v)", tt.target, got, tt.want, rs)
			}
			injVerify(t, rs)
			if n := s.count(); n > 80 && tt.want != "sqli.time" {
				t.Errorf("SQLi(%s) sent %d requests", tt.target, n)
			}
			for _, r := range rs {
				t.Logf("%s: %s\n%s", r.Check, r.Detail, r.Payload)
			}
		})
	}
}

// TestTimeChecksSlowEndpoint runs the time-based checks against an
// endpoint that takes about the delay for every request: no delay may be
// reported. The checks run in parallel, as the endpoint makes each slow.
func TestTimeChecksSlowEndpoint(t *testing.T) {
	srv := injServer(t, sqliApp(sqliDB(t)))
	cmd := injServer(t, cmdiApp())
	t.Run("SQLi", func(t *testing.T) {
		t.Parallel()
		rs, err := SQLi(context.Background(), injSender(srv), injPoint(t, srv, "/slow?id=1", nil, nil, Query, "id"), injOptions(1))
		if err != nil || len(rs) > 0 {
			t.Errorf("SQLi(/slow) = %+v, %v; want nothing", rs, err)
		}
	})
	t.Run("CommandInjection", func(t *testing.T) {
		t.Parallel()
		rs, err := CommandInjection(context.Background(), injSender(cmd), injPoint(t, cmd, "/slow?host=127.0.0.1", nil, nil, Query, "host"), injOptions(2))
		if err != nil || len(rs) > 0 {
			t.Errorf("CommandInjection(/slow) = %+v, %v; want nothing", rs, err)
		}
	})
}
