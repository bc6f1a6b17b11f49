package scan

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// This file tries a few default credentials on the sign-in forms the
// crawl found (--active full only: a sign-in with a right password
// changes the scan's session, and failed ones count towards a lockout).
// Each attempt loads the form again, so a per-page CSRF token is fresh.
// A pair counts when two sign-ins with it leave the sign-in form behind,
// while two with a random user and password stay on it.

// Bounds of the default-credentials check.
const (
	maxCredForms     = 3
	maxCredRedirects = 5
)

// defaultCreds are the pairs tried: the defaults of appliances,
// frameworks and demo installs. "@" in a user name is completed with the
// target's host for forms that ask for an e-mail address.
var defaultCreds = []struct{ user, pass string }{
	{"admin", "admin"}, {"admin", "password"}, {"admin", "admin123"}, {"admin", "123456"},
	{"administrator", "administrator"}, {"root", "root"}, {"root", "toor"}, {"test", "test"},
	{"guest", "guest"}, {"user", "user"}, {"demo", "demo"}, {"admin@", "admin123"},
}

var kindDefaultCreds = kind{
	check: "auth.default-credentials", title: "Default credentials accepted",
	sev: SeverityHigh, conf: ConfidenceConfirmed, cwe: 1392, owasp: OWASPAuthFailures,
	desc: "The sign-in form accepts a well-known default user name and password. Anyone who tries the short list of " +
		"defaults that attackers start with is signed in, often as an administrator.",
	fix: "Change or remove the default account; make the first start require a new password, and refuse passwords " +
		"found in breach and default lists.",
	refs: []string{"https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/", cweRef(1392)},
}

// credForm is a sign-in form the crawl found.
type credForm struct {
	page           *url.URL // where the form is
	user, pass     string   // its field names
	email          bool     // the user field asks for an e-mail address
	action, method string
}

// credsSite is the default-credentials check's site function.
func credsSite(ctx context.Context, s *Scanner) {
	if s.cfg.Active != ActiveFull {
		return
	}
	var forms []credForm
	seen := map[string]bool{}
	for _, pg := range s.Pages() {
		for _, f := range pg.Forms {
			cf, ok := s.credCandidate(pg, f)
			if !ok || seen[cf.action] {
				continue
			}
			seen[cf.action] = true
			forms = append(forms, cf)
		}
	}
	if len(forms) > maxCredForms {
		forms = forms[:maxCredForms]
	}
	for _, cf := range forms {
		if ctx.Err() != nil {
			return
		}
		s.tryCreds(ctx, cf)
	}
}

// credCandidate says whether f is a sign-in form: one password field, a
// user name field, nothing else to fill in but hidden fields and
// checkboxes (a registration or a password change has more).
func (s *Scanner) credCandidate(pg *Page, f Form) (credForm, bool) {
	form, user, pass := loginForm([]Form{f}, &Login{})
	if form == nil || user == "" {
		return credForm{}, false
	}
	texts := 0
	for _, in := range f.Inputs {
		switch in.Type {
		case "password":
			if in.Name != pass {
				return credForm{}, false
			}
		case "text", "email", "tel", "", "textarea":
			texts++
		}
	}
	u, err := url.Parse(f.Action)
	if texts != 1 || err != nil || !s.scope.contains(u) || (f.Method != http.MethodPost && f.Method != http.MethodGet) {
		return credForm{}, false
	}
	cf := credForm{page: pg.u, user: user, pass: pass, action: f.Action, method: f.Method}
	for _, in := range f.Inputs {
		if in.Name == user && (in.Type == "email" || strings.Contains(strings.ToLower(in.Name), "mail")) {
			cf.email = true
		}
	}
	return cf, true
}

// tryCreds runs the check on one form.
func (s *Scanner) tryCreds(ctx context.Context, cf credForm) {
	rnd := domMarkerPrefix()
	randomStays := func() bool {
		rnd += "x"
		stays, ok := s.signIn(ctx, cf, rnd, rnd+"!Pw")
		return ok && stays
	}
	for range 2 {
		if !randomStays() {
			// A random pair gets through, or the form cannot be used:
			// nothing to tell a right password by.
			return
		}
	}
	for _, c := range defaultCreds {
		if ctx.Err() != nil {
			return
		}
		user := c.user
		if strings.HasSuffix(user, "@") {
			if !cf.email {
				continue
			}
			user += s.target.Hostname()
		} else if cf.email {
			continue
		}
		stays, ok := s.signIn(ctx, cf, user, c.pass)
		if !ok || stays {
			continue
		}
		if stays, ok = s.signIn(ctx, cf, user, c.pass); !ok || stays {
			continue
		}
		if !randomStays() {
			// Now anything gets through (or nothing shows the form: a
			// lockout page): the pair proves nothing.
			return
		}
		p := &Page{URL: cf.page.String(), Method: cf.method, u: cf.page}
		s.report(kindDefaultCreds.at(p, "form:"+cf.user, Evidence{
			Request: cf.method + " " + cf.action + "\n\n" + cf.user + "=" + user + "&" + cf.pass + "=" + hint(c.pass),
			Detail: fmt.Sprintf("Signing in as %q with a default password (%s) left the sign-in form behind, twice, while two random "+
				"user names and passwords stayed on it.", user, hint(c.pass)),
		}), false)
		return
	}
}

// signIn loads the form, fills in user and pass and submits it, following
// redirects in scope; stays says the answer still shows a password
// field, ok that the exchange worked.
func (s *Scanner) signIn(ctx context.Context, cf credForm, user, pass string) (stays, ok bool) {
	// Each attempt is a visitor of its own: a jar of its own, and the
	// scan's session left alone.
	ctx = withOwnCookies(ctx)
	jar, err := cookiejar.New(nil)
	if err != nil {
		return false, false
	}
	do := func(req *http.Request) (*response, error) {
		for _, c := range jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
		r, err := s.client.do(req)
		if err == nil {
			jar.SetCookies(req.URL, (&http.Response{Header: r.Header}).Cookies())
		}
		return r, err
	}
	get := func(u *url.URL) (*response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		return do(req)
	}
	resp, err := get(cf.page)
	if err != nil || resp.Status != http.StatusOK {
		return false, false
	}
	var form *Form
	for _, f := range extractHTML(cf.page, resp.Body).forms {
		if f.Action == cf.action {
			form = &f
			break
		}
	}
	if form == nil {
		return false, false
	}
	vals := form.Values()
	vals.Set(cf.user, user)
	vals.Set(cf.pass, pass)
	var req *http.Request
	if cf.method == http.MethodGet {
		u, err := url.Parse(cf.action)
		if err != nil {
			return false, false
		}
		u.RawQuery = vals.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return false, false
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, cf.action, strings.NewReader(vals.Encode()))
		if err != nil {
			return false, false
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Referer", cf.page.String())
	resp, err = do(req)
	for i := 0; err == nil && i < maxCredRedirects && resp.Status >= 300 && resp.Status < 400; i++ {
		next := resolve(resp.URL, resp.Header.Get("Location"))
		if next == nil || !s.scope.contains(next) || isSignOut(next, "") {
			break
		}
		resp, err = get(next)
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelDebug, "sign-in attempt failed", slog.String("url", s.red.URL(cf.action)), slog.Any("err", err))
		}
		return false, false
	}
	if resp.Status >= 300 && resp.Status < 400 {
		// A redirect out of scope or to a sign-out: not a page to judge.
		return false, false
	}
	return resp.Status >= 400 || stillLoginPage(resp.URL, resp), true
}
