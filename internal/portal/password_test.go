package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rampart/internal/events"
	"rampart/internal/identity/session"
	"rampart/internal/store"
)

// passwordForm loads {prefix}password and returns its token.
func (b *browser) passwordForm() string {
	b.e.t.Helper()
	r := b.get(prefix + "password")
	if r.status != http.StatusOK {
		b.e.t.Fatalf("GET password = %d to %q:\n%s", r.status, r.location(), r.body)
	}
	return token(b.e.t, r.body, prefix+"password")
}

// changePassword posts the password form with a fresh token.
func (b *browser) changePassword(cur, pw, again string) result {
	b.e.t.Helper()
	tok := b.passwordForm()
	return b.post(prefix+"password", url.Values{"csrf": {tok}, "current": {cur}, "new": {pw}, "again": {again}})
}

func wantPasswordRefused(tb testing.TB, what string, r result, msg string) {
	tb.Helper()
	if r.status != http.StatusOK || !strings.Contains(r.body, msg) {
		tb.Fatalf("%s = %d, want 200 with %q; body:\n%s", what, r.status, msg, r.body)
	}
}

// wantPassword checks which of two passwords is alice's stored one.
func (e *env) wantPassword(userID, good, bad string) {
	e.t.Helper()
	u, err := e.db.User(e.t.Context(), userID)
	if err != nil {
		e.t.Fatal(err)
	}
	if ok, _, _ := e.hasher.Verify(good, u.PasswordHash); !ok {
		e.t.Errorf("stored hash does not verify %q", good)
	}
	if ok, _, _ := e.hasher.Verify(bad, u.PasswordHash); ok {
		e.t.Errorf("stored hash still verifies %q", bad)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	const (
		oldPW = "correct horse battery"
		newPW = "velvet quokka 7 lighthouse"
	)
	u := e.addUser("alice", oldPW, func(u *store.User) { u.Email = "alice.liddell@example.com" })
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", oldPW, ""), "/")
	other := e.browser()
	wantRedirect(t, "sign in elsewhere", other.login("alice", oldPW, ""), "/")
	e.events()

	if r := b.get(prefix + "account"); !strings.Contains(r.body, `href="`+prefix+`password"`) {
		t.Errorf("the account page has no link to %spassword:\n%s", prefix, r.body)
	}

	r := b.changePassword("wrong horse battery", newPW, newPW)
	wantPasswordRefused(t, "change with a wrong current password", r, msgWrongCurrent)
	evs := e.events()
	var failure *events.Event
	for i := range evs {
		if evs[i].Type == events.AuthFailure && evs[i].User == "alice" && evs[i].Details["reason"] == reasonWrongPassword {
			failure = &evs[i]
		}
	}
	if failure == nil || failure.Details["failures"] != "1" {
		t.Errorf("wrong current password: auth.failure = %+v, want one with failures 1", failure)
	}

	tests := []struct{ name, pw, again, msg string }{
		{"short", "short pw", "short pw", "The new password must be at least 12 characters long."},
		{"common", "password1234", "password1234", "The new password is on a list of common or breached passwords; choose another."},
		{"e-mail local part", "Alice.Liddell", "Alice.Liddell", "The new password must not be your username or e-mail address."},
		{"e-mail address", "alice.liddell@example.com", "alice.liddell@example.com", "The new password must not be your username or e-mail address."},
		{"not the same twice", newPW, newPW + "!", msgPasswordMismatch},
		{"same as now", oldPW, oldPW, msgPasswordSame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantPasswordRefused(t, "change to "+tt.name, b.changePassword(oldPW, tt.pw, tt.again), tt.msg)
		})
	}

	tok := b.passwordForm()
	form := url.Values{"current": {oldPW}, "new": {newPW}, "again": {newPW}}
	wantCSRFRefused(t, "POST password without a token", b.post(prefix+"password", form))
	form.Set("csrf", token(t, b.get(prefix+"account").body, prefix+"logout"))
	wantCSRFRefused(t, "POST password with the sign-out token", b.post(prefix+"password", form))
	form.Set("csrf", tok)
	wantCSRFRefused(t, "POST password from another site", b.post(prefix+"password", form, "Origin", "https://evil.example"))
	e.wantPassword(u.ID, oldPW, newPW)
	if evs := e.events(); hasEvent(evs, events.AuthPasswordChanged, "alice", "") {
		t.Fatal("auth.password_changed published before any change")
	}

	before := b.sessionSecret()
	beforeID := b.session().ID
	otherSecret := other.sessionSecret()
	r = b.post(prefix+"password", form)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Your password has been changed. Your other session was signed out.") {
		t.Fatalf("change password = %d:\n%s", r.status, r.body)
	}
	e.wantPassword(u.ID, newPW, oldPW)
	got, err := e.db.User(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.PasswordChangedAt.Equal(e.clk.Now()) {
		t.Errorf("PasswordChangedAt = %v, want %v", got.PasswordChangedAt, e.clk.Now())
	}

	// This browser stays signed in, under a new session ID; the other one
	// is signed out at once.
	if s := b.session(); b.sessionSecret() == before || s.ID == beforeID {
		t.Error("the session ID did not change with the password")
	}
	for what, secret := range map[string]string{"this browser's old session": before, "the other session": otherSecret} {
		if _, err := e.sessions.Validate(t.Context(), secret); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("Validate(%s) = %v, want ErrInvalid", what, err)
		}
	}
	if r := b.get(prefix + "account"); r.status != http.StatusOK {
		t.Errorf("GET account after the change = %d to %q", r.status, r.location())
	}
	wantRedirect(t, "GET account in the other browser", other.get(prefix+"account"), prefix+"login?rd="+url.QueryEscape(prefix+"account"))
	var changed bool
	for _, ev := range e.events() {
		if ev.Type == events.AuthPasswordChanged && ev.User == "alice" && ev.Details["sessions_revoked"] == "1" && ev.RequestID != "" {
			changed = true
		}
	}
	if !changed {
		t.Error("no auth.password_changed event with sessions_revoked 1")
	}

	wantWrongPassword(t, "sign in with the old password", e.browser().login("alice", oldPW, ""))
	wantRedirect(t, "sign in with the new password", e.browser().login("alice", newPW, ""), "/")
}

func TestChangePasswordLockout(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	const newPW = "velvet quokka 7 lighthouse"
	u := e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	for range maxFailures {
		wantPasswordRefused(t, "wrong current password", b.changePassword("wrong", newPW, newPW), msgWrongCurrent)
	}
	if !hasEvent(e.events(), events.AuthLockout, "alice", "") {
		t.Fatal("wrong current passwords did not lock the account")
	}
	wantPasswordRefused(t, "right current password while locked", b.changePassword(pw, newPW, newPW), msgWrongCurrent)
	e.wantPassword(u.ID, pw, newPW)
	wantWrongPassword(t, "sign in while locked", e.browser().login("alice", pw, ""))
}

func TestChangePasswordNeedsSecondFactor(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	u := e.addUser("alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	enrolTOTP(t, e, b)
	b.logout()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), prefix+"mfa")

	self := prefix + "mfa?rd=" + url.QueryEscape(prefix+"password")
	wantRedirect(t, "GET password before the second factor", b.get(prefix+"password"), self)
	tok := e.p.csrfToken(b.session().ID, prefix+"password")
	r := b.post(prefix+"password", url.Values{"csrf": {tok}, "current": {pw}, "new": {"velvet quokka 7 lighthouse"}, "again": {"velvet quokka 7 lighthouse"}})
	wantRedirect(t, "POST password before the second factor", r, self)
	e.wantPassword(u.ID, pw, "velvet quokka 7 lighthouse")

	signedOut := e.browser()
	wantRedirect(t, "GET password signed out", signedOut.get(prefix+"password"), prefix+"login?rd="+url.QueryEscape(prefix+"password"))
}

func TestChangePasswordNotUserName(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("wonderland.alice", pw, nil)
	b := e.browser()
	wantRedirect(t, "sign in", b.login("wonderland.alice", pw, ""), "/")
	wantPasswordRefused(t, "change to the user name", b.changePassword(pw, "Wonderland.ALICE", "Wonderland.ALICE"),
		"The new password must not be your username or e-mail address.")
}

func TestPolicyDefault(t *testing.T) {
	e := newEnv(t)
	if e.p.cfg.Policy.MinLength != 12 || !e.p.cfg.Policy.CheckCommon {
		t.Errorf("default policy = %+v, want password.DefaultPolicy", e.p.cfg.Policy)
	}
	cfg := e.p.cfg
	cfg.Policy.MinLength = 4
	if _, err := New(cfg, e.p.d); err == nil || !strings.Contains(err.Error(), "minimum length 4") {
		t.Errorf("New(policy with minimum length 4) = %v, want an error", err)
	}
}
