package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// maxLoginRedirects bounds the redirects followed after signing in.
const maxLoginRedirects = 10

// login signs in through the form at Config.Login.URL (with s.sess.mu
// held, or before the crawl): it fills the
// username and password fields, keeps the form's other fields (a CSRF
// token among them), submits it, follows the redirects and keeps the
// cookies. It fails when the answer does not show Login.Check, or, with
// no Check, when it still shows a password field.
func (s *Scanner) login(ctx context.Context) error {
	l := s.cfg.Login
	lu := resolve(s.target, l.URL)
	if lu == nil {
		return fmt.Errorf("login URL %q: not an http(s) URL", l.URL)
	}
	resp, err := s.client.get(ctx, lu, nil)
	if err != nil {
		return fmt.Errorf("load sign-in form: %w", err)
	}
	if resp.Status != http.StatusOK {
		return fmt.Errorf("load sign-in form %s: status %d", s.red.URL(lu.String()), resp.Status)
	}
	doc := extractHTML(lu, resp.Body)
	form, userField, passField := loginForm(doc.forms, l)
	if form == nil {
		return fmt.Errorf("no sign-in form with a password field at %s", s.red.URL(lu.String()))
	}
	vals := form.Values()
	if userField != "" {
		vals.Set(userField, l.Username)
	}
	vals.Set(passField, l.Password)
	action, err := url.Parse(form.Action)
	if err != nil {
		return fmt.Errorf("sign-in form action %q: %w", form.Action, err)
	}
	var req *http.Request
	if form.Method == http.MethodGet {
		// A sign-in form that sends the password in the URL: the
		// redactor keeps it out of the report.
		action.RawQuery = vals.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, action.String(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return fmt.Errorf("build sign-in request: %w", err)
	}
	req.Header.Set("Referer", lu.String())
	req.Header.Set("Origin", originOf(lu.String()))
	resp, err = s.client.do(req)
	if err != nil {
		return fmt.Errorf("submit sign-in form: %w", err)
	}
	for i := 0; i < maxLoginRedirects && resp.Status >= 300 && resp.Status < 400; i++ {
		next := resolve(resp.URL, resp.Header.Get("Location"))
		if next == nil || (!s.scope.contains(next) && hostPort(next) != hostPort(lu)) {
			break
		}
		if resp, err = s.client.get(ctx, next, nil); err != nil {
			return fmt.Errorf("follow sign-in redirect: %w", err)
		}
	}
	// Session cookies the sign-in handed out are secrets.
	for _, u := range []*url.URL{s.target, lu, action} {
		for _, c := range s.client.jar.Cookies(u) {
			s.red.Add(c.Value)
		}
	}
	switch {
	case l.Check != "":
		if !bytes.Contains(resp.Body, []byte(l.Check)) {
			return fmt.Errorf("the answer to the sign-in (status %d) does not contain %q: wrong credentials or field names?", resp.Status, l.Check)
		}
	case resp.Status >= 400:
		return fmt.Errorf("the sign-in was answered with status %d", resp.Status)
	case stillLoginPage(lu, resp):
		return errors.New("the answer to the sign-in still shows a password field: wrong credentials or field names?")
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "signed in", slog.String("url", lu.String()), slog.String("user", l.Username))
	s.sess.formURL = lu
	s.sess.gen++
	// The page the sign-in led to tells a lost session from a page the
	// account may not see, if a visitor without the session is sent away
	// from it.
	s.sess.landing = nil
	if resp.Status == http.StatusOK && resp.URL != nil && resp.URL.Path != lu.Path {
		if r, err := s.client.get(withOwnCookies(ctx), resp.URL, nil); err == nil &&
			(s.redirectsToForm(r) || r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden) {
			s.sess.landing = resp.URL
		}
	}
	if s.sess.cookies == nil {
		s.sess.cookies = map[string]bool{}
	}
	for _, u := range []*url.URL{s.target, lu, action} {
		for _, c := range s.client.jar.Cookies(u) {
			s.sess.cookies[c.Name] = true
		}
	}
	return nil
}

// loginForm picks the form with the password field (Login.PasswordField,
// or the first password input) and names its username field
// (Login.UsernameField, or the last text-like input before the password).
func loginForm(forms []Form, l *Login) (form *Form, userField, passField string) {
	for i := range forms {
		f := &forms[i]
		user, pass := "", ""
		for _, in := range f.Inputs {
			switch {
			case l.PasswordField != "" && in.Name == l.PasswordField:
				pass = in.Name
			case l.PasswordField == "" && in.Type == "password" && pass == "":
				pass = in.Name
			case l.UsernameField != "" && in.Name == l.UsernameField:
				user = in.Name
			case l.UsernameField == "" && pass == "" && (in.Type == "text" || in.Type == "email" || in.Type == "tel"):
				user = in.Name
			}
		}
		if pass != "" {
			return f, user, pass
		}
	}
	return nil, "", ""
}

// stillLoginPage says resp is the sign-in page again: a form with a
// password field.
func stillLoginPage(base *url.URL, resp *response) bool {
	if !strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "html") {
		return false
	}
	for _, f := range extractHTML(base, resp.Body).forms {
		for _, in := range f.Inputs {
			if in.Type == "password" {
				return true
			}
		}
	}
	return false
}

// maxRelogins bounds the sign-ins after the first, after the site ended
// the scan's session.
const maxRelogins = 50

// session is what the scanner knows of its sign-in, to sign in again
// when the site ends the session (a timeout, a payload that reset it).
type session struct {
	mu      sync.Mutex
	formURL *url.URL // the sign-in form; nil before the first sign-in
	// gen counts the sign-ins: a request sent before the last one saw
	// an older session, and is sent again without signing in once more.
	gen      int
	relogins int
	failed   bool // signing in again failed: not tried again
	// landing is the page the sign-in led to: a page the session sees,
	// asked before signing in again whether the session really ended.
	landing *url.URL
	// cookies are the names of the cookies the sign-in set: the active
	// checks leave them alone, as they leave the configured ones.
	cookies map[string]bool
	// denied are paths that send the scan to the sign-in form while the
	// session is alive: pages the account may not see.
	denied map[string]bool
}

// signedOut says resp sends the scan to the sign-in form from another
// page: the session ended. Paths that do so right after a sign-in are
// pages the account may not see, and do not count.
func (s *Scanner) signedOut(resp *response) bool {
	if s.cfg.Login == nil || resp == nil || resp.Status < 300 || resp.Status >= 400 {
		return false
	}
	s.sess.mu.Lock()
	form := s.sess.formURL
	denied := s.sess.denied[resp.URL.Path]
	s.sess.mu.Unlock()
	if form == nil || denied || resp.URL.Path == form.Path {
		return false
	}
	next := resolve(resp.URL, resp.Header.Get("Location"))
	return next != nil && hostPort(next) == hostPort(form) && next.Path == form.Path
}

// relogin signs in again after signedOut, once for all the requests that
// were sent with the session that ended (gen is the sign-in a request was
// sent with). It says whether the request should be sent again.
func (s *Scanner) relogin(ctx context.Context, gen int) bool {
	s.sess.mu.Lock()
	defer s.sess.mu.Unlock()
	if s.sess.gen != gen {
		return true // signed in again since the request was sent
	}
	if s.sess.failed || s.sess.relogins >= maxRelogins {
		return false
	}
	// Has the session ended, or is this a page the account may not see?
	// The page the sign-in led to tells.
	if l := s.sess.landing; l != nil {
		if r, err := s.client.get(ctx, l, nil); err == nil && !s.redirectsToForm(r) && r.Status < 400 {
			return false
		}
	}
	s.sess.relogins++
	if err := s.login(ctx); err != nil {
		if ctx.Err() == nil {
			s.note(fmt.Sprintf("signing in again failed: %v", err))
		}
		s.sess.failed = true // no point trying again
		return false
	}
	return true
}

// redirectsToForm says r sends the browser to the sign-in form (with
// s.sess.mu held).
func (s *Scanner) redirectsToForm(r *response) bool {
	form := s.sess.formURL
	if form == nil || r.Status < 300 || r.Status >= 400 {
		return false
	}
	next := resolve(r.URL, r.Header.Get("Location"))
	return next != nil && hostPort(next) == hostPort(form) && next.Path == form.Path
}

// signInCookie says name is a cookie the sign-in set.
func (s *Scanner) signInCookie(name string) bool {
	s.sess.mu.Lock()
	defer s.sess.mu.Unlock()
	return s.sess.cookies[name]
}

// deny records that path sends the scan to the sign-in form right after
// a sign-in.
func (s *Scanner) deny(path string) {
	s.sess.mu.Lock()
	defer s.sess.mu.Unlock()
	if s.sess.denied == nil {
		s.sess.denied = map[string]bool{}
	}
	s.sess.denied[path] = true
}

// sendSignedIn sends req with the client; when the answer shows the
// session ended, it signs in again and sends req once more. A request
// that carries a Cookie or Authorization header of its own (a check
// that changed the session, or left it out) is sent as it is: its answer
// says nothing about the scan's session.
func (s *Scanner) sendSignedIn(req *http.Request) (*response, error) {
	own := req.Header.Get("Cookie") != "" || req.Header.Get("Authorization") != s.cfg.Header.Get("Authorization")
	var retry *http.Request
	if s.cfg.Login != nil && !own {
		retry = req.Clone(req.Context())
		if req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			retry.Body = b
		} else if req.Body != nil && req.Body != http.NoBody {
			retry = nil // a body that cannot be read twice
		}
	}
	s.sess.mu.Lock()
	gen := s.sess.gen
	s.sess.mu.Unlock()
	resp, err := s.client.do(req)
	if err != nil || retry == nil || !s.signedOut(resp) || !s.relogin(req.Context(), gen) {
		return resp, err
	}
	retry.Header.Del("Cookie") // the new session's, from the jar
	again, err := s.client.do(retry)
	if err != nil {
		return resp, nil
	}
	if s.signedOut(again) {
		s.deny(again.URL.Path)
	}
	return again, nil
}
