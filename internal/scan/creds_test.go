package scan

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// credsApp is a sign-in form with a per-session CSRF token, as DVWA's
// is. mode: "default" accepts admin/password; "strong" accepts only a
// long random password; "lockout" shows a page without the form after
// three failures from anyone.
func credsApp(mode string) (http.Handler, *int) {
	var mu sync.Mutex
	tokens := map[string]string{} // session → token
	signedIn := map[string]bool{}
	failures := 0
	attempts := new(int)
	newID := func() string {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	session := func(w http.ResponseWriter, r *http.Request) string {
		if c, err := r.Cookie("PHPSESSID"); err == nil {
			return c.Value
		}
		id := newID()
		http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		return id
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`<a href="/login.php">Sign in</a>`))
	})
	mux.HandleFunc("/login.php", func(w http.ResponseWriter, r *http.Request) {
		sid := session(w, r)
		w.Header().Set("Content-Type", "text/html")
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			*attempts++
			_ = r.ParseForm()
			ok := r.PostForm.Get("user_token") == tokens[sid] && r.PostForm.Get("Login") == "Login"
			user, pass := r.PostForm.Get("username"), r.PostForm.Get("password")
			switch mode {
			case "default", "lockout":
				ok = ok && user == "admin" && pass == "password"
			case "strong":
				ok = ok && user == "admin" && pass == "q8#Lr2!vZ9@mW4$k"
			}
			if mode == "lockout" && failures >= 3 {
				fmt.Fprint(w, htmlPage(`<p>Too many failed attempts. Try again in 15 minutes.</p>`))
				return
			}
			if !ok {
				failures++
				http.Redirect(w, r, "/login.php", http.StatusFound)
				return
			}
			signedIn[sid] = true
			http.Redirect(w, r, "/index.php", http.StatusFound)
			return
		}
		tok := newID()
		tokens[sid] = tok
		fmt.Fprint(w, htmlPage(`<form action="login.php" method="post"><input type="text" name="username">
<input type="password" name="password"><input type="submit" value="Login" name="Login">
<input type="hidden" name="user_token" value="`+tok+`"></form>`))
	})
	mux.HandleFunc("/index.php", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("PHPSESSID")
		mu.Lock()
		in := err == nil && signedIn[c.Value]
		mu.Unlock()
		if !in {
			http.Redirect(w, r, "/login.php", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`<h1>Welcome, admin</h1><a href="/logout.php">Logout</a>`))
	})
	return mux, attempts
}

func TestDefaultCredentials(t *testing.T) {
	for _, tt := range []struct {
		mode  string
		level Active
		want  bool
	}{
		{"default", ActiveFull, true},
		{"default", ActiveSafe, false},
		{"strong", ActiveFull, false},
		{"lockout", ActiveFull, false},
	} {
		t.Run(fmt.Sprintf("%s level=%d", tt.mode, tt.level), func(t *testing.T) {
			h, attempts := credsApp(tt.mode)
			cfg := fastConfig(serve(t, h))
			cfg.Active = tt.level
			cfg.ActiveDelay = 200 * time.Millisecond
			rep := runScan(t, cfg)
			fs := find(rep, "auth.default-credentials")
			if got := len(fs) > 0; got != tt.want {
				t.Fatalf("auth.default-credentials = %v, want %v; findings %v", got, tt.want, checks(rep))
			}
			if tt.want {
				if d := fs[0].Evidence.Detail; !contains([]string{d}, `"admin"`) || contains([]string{d}, "password)") {
					t.Errorf("detail %q: want the user and only the password's shape", d)
				}
				if js := reportJSON(t, rep); contains([]string{js}, "=password") {
					t.Error("the report shows the password")
				}
			}
			if tt.level == ActiveSafe && *attempts > 2 {
				// The crawl and the active checks post the form; the
				// default pairs are not tried at safe.
				t.Logf("%d sign-in posts at safe", *attempts)
			}
		})
	}
}
