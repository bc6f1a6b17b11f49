package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rampart/internal/identity/passkey"
	"rampart/internal/identity/passkey/passkeytest"
	"rampart/internal/store"
)

// TestPasskeyNeedsMailFromPasswordOnlySession: a session that only a
// password vouches for adds a passkey only after the mailbox confirms, in
// that session, and the grant is good for one passkey.
func TestPasskeyNeedsMailFromPasswordOnlySession(t *testing.T) {
	e := newMailEnv(t, withPasskeys(t, passkey.Config{}))
	const pw = "correct horse battery"
	e.addUser("alice", pw, func(u *store.User) { u.Email = "alice@example.com" })
	b := e.pkBrowser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")

	page := b.get(prefix + "passkeys")
	if page.status != http.StatusOK || strings.Contains(page.body, `data-passkey="create"`) {
		t.Fatalf("the add button shows before the confirmation: %d\n%s", page.status, page.body)
	}
	send := token(t, page.body, prefix+"passkeys/confirm/send")
	// Begin without the grant is refused even with a good token.
	ui := ceremonyUI{kind: "create", begin: prefix + "passkeys/register/begin", finish: prefix + "passkeys/register/finish",
		csrf: e.p.csrfToken(b.session().ID, prefix+"passkeys/register")}
	wantJSONError(t, "begin without the grant", b.begin(ui, nil), http.StatusForbidden)

	if r := b.post(prefix+"passkeys/confirm/send", url.Values{"csrf": {send}}); r.status != http.StatusOK || !strings.Contains(r.body, "Check your e-mail") {
		t.Fatalf("send = %d\n%s", r.status, r.body)
	}
	path := link(t, e.smtp.Wait(t, "alice@example.com", 0))

	// Another session of alice cannot use the link.
	other := e.pkBrowser()
	wantRedirect(t, "sign in elsewhere", other.login("alice", pw, ""), "/")
	if r := other.get(path); r.status != http.StatusBadRequest || !strings.Contains(r.body, "in the browser where you asked") {
		t.Fatalf("link in another session = %d\n%s", r.status, r.body)
	}
	if r := b.confirm(path); r.status != http.StatusSeeOther || r.location() != prefix+"passkeys" {
		t.Fatalf("confirm = %d %q\n%s", r.status, r.location(), r.body)
	}
	wantLinkRefused(t, "the link again", b.get(path))

	auth := &passkeytest.Authenticator{}
	b.registerPasskey(auth, "laptop")
	if n := len(e.passkeys("id-alice")); n != 1 {
		t.Fatalf("%d passkeys, want 1", n)
	}
	// The session now has a second factor (the passkey raised it), so a
	// second passkey needs no mail.
	b.registerPasskey(&passkeytest.Authenticator{}, "phone")
	if n := e.smtp.Count("alice@example.com"); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
}
