package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rampart/internal/events"
	"rampart/internal/mail"
	"rampart/internal/mail/mailtest"
	"rampart/internal/store"
)

const linkBase = "https://portal.example"

// mailEnv is a portal whose mail goes through an outbox to a real SMTP
// server (STARTTLS, AUTH) started for the test.
type mailEnv struct {
	*env
	smtp *mailtest.Server
}

func newMailEnv(t *testing.T, opts ...func(*Config, *Deps)) *mailEnv {
	t.Helper()
	srv := mailtest.Start(t, mailtest.STARTTLS)
	sender, err := mail.NewSMTP(mail.Config{
		Addr: srv.Addr, From: "rampart@portal.example",
		Username: mailtest.Username, Password: mailtest.Password,
		RootCAs: srv.RootCAs, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	out := mail.NewOutbox(sender, mail.OutboxConfig{Backoff: 20 * time.Millisecond}, testLogger(t))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = out.Close(ctx)
	})
	e := newEnv(t, append([]func(*Config, *Deps){func(c *Config, d *Deps) {
		c.LinkBase = linkBase
		d.Mail = out
		d.Tokens = d.Users.(store.Tokens)
	}}, opts...)...)
	return &mailEnv{env: e, smtp: srv}
}

// link returns the path and query of the one portal link in m.
func link(t *testing.T, m mailtest.Message) string {
	t.Helper()
	var found []string
	for _, l := range m.Links() {
		if strings.HasPrefix(l, linkBase+prefix) && strings.Contains(l, "?t=") {
			found = append(found, strings.TrimPrefix(l, linkBase))
		}
	}
	if len(found) != 1 {
		t.Fatalf("message %q has %d confirmation links, want 1:\n%s", m.Subject, len(found), m.Text)
	}
	return found[0]
}

// confirm opens a link and presses the confirmation page's button.
func (b *browser) confirm(path string) result {
	b.e.t.Helper()
	r := b.get(path)
	if r.status != http.StatusOK {
		b.e.t.Fatalf("GET %s = %d:\n%s", path, r.status, r.body)
	}
	action := path[:strings.IndexByte(path, '?')]
	secret := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(r.body)[1]
	return b.post(action, url.Values{"csrf": {token(b.e.t, r.body, action)}, "t": {secret}})
}

func wantLinkRefused(tb testing.TB, what string, r result) {
	tb.Helper()
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "This link has expired, was used already") {
		tb.Fatalf("%s = %d, want 400 with the invalid-link message:\n%s", what, r.status, r.body)
	}
}

func (e *mailEnv) askReset(b *browser, name string) result {
	e.t.Helper()
	r := b.get(prefix + "reset")
	if r.status != http.StatusOK {
		e.t.Fatalf("GET reset = %d", r.status)
	}
	return b.post(prefix+"reset", url.Values{"csrf": {token(e.t, r.body, prefix+"reset")}, "name": {name}})
}

func TestPasswordResetByEmail(t *testing.T) {
	e := newMailEnv(t)
	const oldPW, newPW = "correct horse battery", "a whole new passphrase"
	e.addUser("alice", oldPW, func(u *store.User) { u.Email = "alice@example.com" })
	e.addUser("nomail", oldPW, nil)

	// A session from before the reset.
	old := e.browser()
	wantRedirect(t, "sign in before the reset", old.login("alice", oldPW, ""), "/")

	if r := e.browser().get(prefix + "login"); !strings.Contains(r.body, `href="`+prefix+`reset"`) {
		t.Fatal("the sign-in page has no link to the reset page")
	}

	b := e.browser()
	unknown := e.askReset(b, "nobody")
	noMail := e.askReset(b, "nomail")
	known := e.askReset(b, "ALICE")
	for _, r := range []result{unknown, noMail, known} {
		if r.status != http.StatusOK || r.body != known.body {
			t.Fatalf("reset answers differ: %d\n%s\nvs\n%s", r.status, r.body, known.body)
		}
	}
	m := e.smtp.Wait(t, "alice@example.com", 0)
	if len(e.smtp.Messages()) != 1 {
		t.Fatalf("%d messages, want only alice's", len(e.smtp.Messages()))
	}
	if !strings.Contains(m.Subject, "set a new password") || !m.TLS || !m.Auth {
		t.Fatalf("reset mail: subject %q TLS %v auth %v", m.Subject, m.TLS, m.Auth)
	}
	path := link(t, m)
	evs := e.events()
	if !hasEvent(evs, events.AuthResetRequested, "alice", "") || !hasEvent(evs, events.AuthResetRequested, "nobody", reasonUnknownUser) {
		t.Errorf("reset events missing: %+v", evs)
	}

	// The page shows a form; refusals keep the link.
	r := b.get(path)
	if r.status != http.StatusOK || !strings.Contains(r.body, "alice") {
		t.Fatalf("GET reset link = %d:\n%s", r.status, r.body)
	}
	secret := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(r.body)[1]
	form := url.Values{"csrf": {token(t, r.body, prefix+"reset/confirm")}, "t": {secret}}
	form.Set("new", newPW)
	form.Set("again", newPW+"x")
	if r := b.post(prefix+"reset/confirm", form); !strings.Contains(r.body, msgPasswordMismatch) {
		t.Fatalf("mismatch: %d\n%s", r.status, r.body)
	}
	form.Set("new", "short")
	form.Set("again", "short")
	if r := b.post(prefix+"reset/confirm", form); !strings.Contains(r.body, "at least 12 characters") {
		t.Fatalf("short password: %d\n%s", r.status, r.body)
	}
	// Without the pre-session cookie the form is refused (another browser).
	if r := e.browser().post(prefix+"reset/confirm", form); r.status != http.StatusForbidden {
		t.Fatalf("reset confirm from another browser = %d, want 403", r.status)
	}
	form.Set("new", newPW)
	form.Set("again", newPW)
	r = b.post(prefix+"reset/confirm", form)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Your new password is set") {
		t.Fatalf("reset = %d:\n%s", r.status, r.body)
	}
	wantLinkRefused(t, "the link again", b.get(path))
	if r := b.post(prefix+"reset/confirm", form); r.status != http.StatusBadRequest {
		t.Fatalf("reset with a used link = %d, want 400", r.status)
	}

	if r := old.get(prefix + "account"); r.status != http.StatusSeeOther {
		t.Fatalf("the session from before the reset still works: %d", r.status)
	}
	wantWrongPassword(t, "old password", e.browser().login("alice", oldPW, ""))
	wantRedirect(t, "new password", e.browser().login("alice", newPW, ""), "/")
	u, _ := e.db.UserByName(t.Context(), "alice")
	if !u.EmailVerified {
		t.Error("a used reset link did not mark the address verified")
	}
	notice := e.smtp.Wait(t, "alice@example.com", 1)
	if !strings.Contains(notice.Subject, "password was changed") {
		t.Errorf("second mail %q, want the change notice", notice.Subject)
	}
	if !hasEvent(e.events(), events.AuthPasswordChanged, "alice", "") {
		t.Error("no auth.password_changed event")
	}
}

func TestResetLiftsLock(t *testing.T) {
	e := newMailEnv(t)
	const pw, newPW = "correct horse battery", "a whole new passphrase"
	e.addUser("alice", pw, func(u *store.User) { u.Email = "alice@example.com" })
	b := e.browser()
	for range maxFailures {
		b.login("alice", "wrong password!", "")
	}
	wantWrongPassword(t, "right password while locked", e.browser().login("alice", pw, ""))
	e.askReset(b, "alice")
	path := link(t, e.smtp.Wait(t, "alice@example.com", 0))
	r := b.get(path)
	secret := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(r.body)[1]
	r = b.post(prefix+"reset/confirm", url.Values{"csrf": {token(t, r.body, prefix+"reset/confirm")}, "t": {secret}, "new": {newPW}, "again": {newPW}})
	if r.status != http.StatusOK {
		t.Fatalf("reset = %d\n%s", r.status, r.body)
	}
	wantRedirect(t, "new password after the reset", e.browser().login("alice", newPW, ""), "/")
}

func TestResetLinkExpiresAndOnlyNewestWorks(t *testing.T) {
	e := newMailEnv(t)
	e.addUser("alice", "correct horse battery", func(u *store.User) { u.Email = "alice@example.com" })
	b := e.browser()
	e.askReset(b, "alice")
	first := link(t, e.smtp.Wait(t, "alice@example.com", 0))
	e.askReset(b, "alice@EXAMPLE.com") // by address, in another case
	second := link(t, e.smtp.Wait(t, "alice@example.com", 1))
	wantLinkRefused(t, "an older link", b.get(first))
	if r := b.get(second); r.status != http.StatusOK {
		t.Fatalf("newest link = %d", r.status)
	}
	e.clk.Add(DefaultLinkTTL)
	wantLinkRefused(t, "an expired link", b.get(second))
	for _, bad := range []string{"", "short", strings.Repeat("A", linkSecretLen+1), strings.Repeat("!", linkSecretLen)} {
		wantLinkRefused(t, "link "+bad, b.get(prefix+"reset/confirm?t="+url.QueryEscape(bad)))
	}
}

func TestMailIsThrottled(t *testing.T) {
	e := newMailEnv(t)
	e.addUser("alice", "correct horse battery", func(u *store.User) { u.Email = "alice@example.com" })
	b := e.browser()
	for range maxFailures + 3 {
		e.askReset(b, "alice")
	}
	e.smtp.Wait(t, "alice@example.com", maxFailures-1)
	time.Sleep(200 * time.Millisecond) // anything queued after would have arrived
	if n := e.smtp.Count("alice@example.com"); n != maxFailures {
		t.Fatalf("%d reset mails, want %d (the throttle)", n, maxFailures)
	}
	if !hasEvent(e.events(), events.AuthMailThrottled, "alice", "") {
		t.Error("no auth.mail_throttled event")
	}
}

func TestEmailChangeConfirmedByLink(t *testing.T) {
	e := newMailEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, func(u *store.User) { u.Email = "alice@example.com" })
	e.addUser("bob", pw, func(u *store.User) { u.Email = "bob@example.com" })
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	if r := b.get(prefix + "account"); !strings.Contains(r.body, `href="`+prefix+`email"`) {
		t.Fatalf("no e-mail link on the account page:\n%s", r.body)
	}
	change := func(addr, cur string) result {
		r := b.get(prefix + "email")
		if r.status != http.StatusOK {
			t.Fatalf("GET email = %d", r.status)
		}
		return b.post(prefix+"email", url.Values{"csrf": {token(t, r.body, prefix+"email")}, "email": {addr}, "current": {cur}})
	}
	if r := change("alice.new@example.org", "wrong password"); !strings.Contains(r.body, msgWrongCurrent) {
		t.Fatalf("wrong current password: %d\n%s", r.status, r.body)
	}
	if r := change("Alice <a@example.org>", pw); !strings.Contains(r.body, "That is not an e-mail address") {
		t.Fatalf("bad address: %d\n%s", r.status, r.body)
	}
	if r := change("alice.new@example.org", pw); r.status != http.StatusOK || !strings.Contains(r.body, "We sent a link to alice.new@example.org") {
		t.Fatalf("change = %d\n%s", r.status, r.body)
	}
	m := e.smtp.Wait(t, "alice.new@example.org", 0)
	path := link(t, m)
	if u, _ := e.db.UserByName(t.Context(), "alice"); u.Email != "alice@example.com" {
		t.Fatalf("address changed before the link was opened: %q", u.Email)
	}
	// Someone else's address: its owner is told, no link is made.
	if r := change("BOB@example.com", pw); r.status != http.StatusOK || !strings.Contains(r.body, "We sent a link") {
		t.Fatalf("taken address = %d\n%s", r.status, r.body)
	}
	taken := e.smtp.Wait(t, "BOB@example.com", 0)
	if !strings.Contains(taken.Subject, "already in use") || len(taken.Links()) != 0 {
		t.Fatalf("mail to a taken address: %q\n%s", taken.Subject, taken.Text)
	}

	other := e.browser() // a browser that opened nothing: no pre-session cookie
	r := b.get(path)
	secret := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(r.body)[1]
	if r := other.post(prefix+"email/confirm", url.Values{"t": {secret}}); r.status != http.StatusForbidden {
		t.Fatalf("confirm without a CSRF token = %d, want 403", r.status)
	}
	r = b.confirm(path)
	if r.status != http.StatusOK || !strings.Contains(r.body, "alice.new@example.org") {
		t.Fatalf("confirm = %d\n%s", r.status, r.body)
	}
	u, _ := e.db.UserByName(t.Context(), "alice")
	if u.Email != "alice.new@example.org" || !u.EmailVerified {
		t.Fatalf("after confirming: %q verified=%v", u.Email, u.EmailVerified)
	}
	wantLinkRefused(t, "the link again", b.get(path))
	notice := e.smtp.Wait(t, "alice@example.com", 0)
	if !strings.Contains(notice.Subject, "address was changed") || !strings.Contains(notice.Text, "a…w@example.org") {
		t.Fatalf("old address told %q:\n%s", notice.Subject, notice.Text)
	}
	evs := e.events()
	if !hasEvent(evs, events.AuthEmailChangeRequested, "alice", "") || !hasEvent(evs, events.AuthEmailChanged, "alice", "") {
		t.Errorf("e-mail change events missing")
	}
}

func TestPasswordChangeConfirmedByLink(t *testing.T) {
	e := newMailEnv(t)
	const oldPW, newPW = "correct horse battery", "a whole new passphrase"
	e.addUser("alice", oldPW, func(u *store.User) { u.Email = "alice@example.com" })
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", oldPW, ""), "/")
	r := b.get(prefix + "password")
	if !strings.Contains(r.body, "a…e@example.com") {
		t.Fatalf("the password page does not say where the link goes:\n%s", r.body)
	}
	r = b.post(prefix+"password", url.Values{"csrf": {token(t, r.body, prefix+"password")},
		"current": {oldPW}, "new": {newPW}, "again": {newPW}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "Check your e-mail") {
		t.Fatalf("change = %d\n%s", r.status, r.body)
	}
	path := link(t, e.smtp.Wait(t, "alice@example.com", 0))
	wantRedirect(t, "old password before confirming", e.browser().login("alice", oldPW, ""), "/")

	r = e.browser().confirm(path) // the link works in any browser: the mailbox is the proof
	if r.status != http.StatusOK || !strings.Contains(r.body, "Your new password is set") {
		t.Fatalf("confirm = %d\n%s", r.status, r.body)
	}
	if r := b.get(prefix + "account"); r.status != http.StatusSeeOther {
		t.Fatalf("a session survived the change: %d", r.status)
	}
	wantWrongPassword(t, "old password", e.browser().login("alice", oldPW, ""))
	wantRedirect(t, "new password", e.browser().login("alice", newPW, ""), "/")
	wantLinkRefused(t, "the link again", b.get(path))
}

func TestMFAResetByLink(t *testing.T) {
	e := newMailEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, func(u *store.User) { u.Email = "alice@example.com" })
	b := e.browser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	enrolTOTP(t, e.env, b)
	b.logout()

	wantRedirect(t, "password", b.login("alice", pw, ""), prefix+"mfa")
	r := b.get(prefix + "mfa")
	r = b.post(prefix+"mfa/reset", url.Values{"csrf": {token(t, r.body, prefix+"mfa/reset")}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "Check your e-mail") {
		t.Fatalf("ask reset = %d\n%s", r.status, r.body)
	}
	path := link(t, e.smtp.Wait(t, "alice@example.com", 0))
	r = b.confirm(path)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Second factors removed") {
		t.Fatalf("confirm = %d\n%s", r.status, r.body)
	}
	creds, err := e.db.UserCredentials(t.Context(), "id-alice", "")
	if err != nil || len(creds) != 0 {
		t.Fatalf("credentials after the reset: %d, %v", len(creds), err)
	}
	wantRedirect(t, "sign in after the reset", e.browser().login("alice", pw, ""), "/")
	if !hasEvent(e.events(), events.AuthMFAReset, "alice", "") {
		t.Error("no auth.mfa_reset event")
	}
	wantLinkRefused(t, "the link again", b.get(path))
}

func TestMailFlowsOffWithoutMailer(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, path := range []string{"reset", "email", "reset/confirm", "email/confirm", "password/confirm", "mfa/reset/confirm"} {
		if r := b.get(prefix + path); r.status != http.StatusNotFound {
			t.Errorf("GET %s without mail = %d, want 404", path, r.status)
		}
	}
	if r := b.get(prefix + "login"); strings.Contains(r.body, prefix+"reset") {
		t.Error("the sign-in page links to the reset page without mail")
	}
}

func TestLinkBaseChecked(t *testing.T) {
	for _, base := range []string{"", "app.example.com", "http://app.example.com", "https://app.example.com/path", "https://u:p@app.example.com", "https://app.example.com?x=1", "javascript:alert(1)"} {
		if _, err := checkLinkBase(base, false); err == nil {
			t.Errorf("link base %q accepted", base)
		}
	}
	for base, want := range map[string]string{
		"https://app.example.com":       "https://app.example.com",
		"https://app.example.com:8443/": "https://app.example.com:8443",
		"http://127.0.0.1:8080":         "http://127.0.0.1:8080",
	} {
		if got, err := checkLinkBase(base, false); err != nil || got != want {
			t.Errorf("link base %q = %q, %v; want %q", base, got, err, want)
		}
	}
}

func TestMaskAddress(t *testing.T) {
	for in, want := range map[string]string{
		"alice@example.com": "a…e@example.com",
		"al@example.com":    "a…@example.com",
		"é@example.com":     "é…@example.com",
		"broken":            "…",
	} {
		if got := maskAddress(in); got != want {
			t.Errorf("maskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseLinkSecret(f *testing.F) {
	s, _ := newLinkSecret()
	f.Add(s)
	f.Add("")
	f.Add(strings.Repeat("_", linkSecretLen))
	f.Add(strings.Repeat("A", linkSecretLen-1) + "B")
	f.Fuzz(func(t *testing.T, s string) {
		h, ok := parseLinkSecret(s)
		if !ok {
			return
		}
		if len(s) != linkSecretLen || h != linkHash(s) || len(h) != 64 {
			t.Fatalf("accepted %q as %q", s, h)
		}
	})
}
