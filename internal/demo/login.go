package demo

import (
	"crypto/rand"
	"crypto/subtle"
	"log/slog"
	"net/http"
)

// sessionCookie names the shop's session cookie.
const sessionCookie = "demo_session"

func (a *App) loginForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "login", loginPage{Title: "Log in"})
}

// loginPage is the data of the login template.
type loginPage struct {
	Title    string
	Username string
	Error    string
}

func (a *App) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	user, pass := r.PostForm.Get("username"), r.PostForm.Get("password")
	if user != Username || subtle.ConstantTimeCompare([]byte(pass), []byte(Password)) != 1 {
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "login failed", slog.String("user", user))
		// 401 rather than 200 so that failed logins show in the gateway's
		// logs and detectors. The username is reflected, but escaped.
		a.render(w, r, http.StatusUnauthorized, "login", loginPage{
			Title:    "Log in",
			Username: user,
			Error:    "Wrong password for user " + user + ".",
		})
		return
	}

	token := rand.Text()
	a.mu.Lock()
	if len(a.sessions) >= maxSessions {
		for k := range a.sessions { // drop an arbitrary one
			delete(a.sessions, k)
			break
		}
	}
	a.sessions[token] = user
	a.mu.Unlock()
	a.log.LogAttrs(r.Context(), slog.LevelInfo, "login succeeded", slog.String("user", user))

	// DELIBERATELY WEAK, for the demo only: no Secure, HttpOnly or SameSite,
	// so that the gateway's cookie hardening has something to fix.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/"})
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// sessionUser returns the user of r's session cookie, or false.
func (a *App) sessionUser(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	user, ok := a.sessions[c.Value]
	return user, ok
}

func (a *App) account(w http.ResponseWriter, r *http.Request) {
	user, ok := a.sessionUser(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	a.render(w, r, http.StatusOK, "account", struct {
		Title string
		User  string
	}{"Account", user})
}

// logout ends the session. It answers GET too, which lets any page log the
// user out (a CSRF the demo does not mind).
func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
