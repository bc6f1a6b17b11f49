package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"rampart/internal/events"
	"rampart/internal/identity/passkey"
	"rampart/internal/identity/passkey/passkeytest"
	"rampart/internal/store"
)

// TestRecoveryCodesForPasskeyUser: a user whose only second factor is a
// passkey gets recovery codes on the account page, and one signs in.
func TestRecoveryCodesForPasskeyUser(t *testing.T) {
	e := newEnv(t, withPasskeys(t, passkey.Config{}))
	const pw = "correct horse battery"
	u := e.addUser("alice", pw, nil)
	b := e.pkBrowser()
	wantRedirect(t, "sign in", b.login("alice", pw, ""), "/")
	if r := b.get(prefix + "account"); regexp.MustCompile(`action="` + prefix + `recovery/new"`).MatchString(r.body) {
		t.Fatal("recovery codes offered to a user without a second factor")
	}
	b.registerPasskey(&passkeytest.Authenticator{}, "laptop")
	r := b.get(prefix + "account")
	r = b.post(prefix+"recovery/new", url.Values{"csrf": {token(t, r.body, prefix+"recovery/new")}})
	var codes []string
	for _, m := range regexp.MustCompile(`<li><code>([2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4})</code></li>`).FindAllStringSubmatch(r.body, -1) {
		codes = append(codes, m[1])
	}
	if r.status != http.StatusOK || len(codes) != 10 {
		t.Fatalf("new recovery codes = %d, %d codes:\n%s", r.status, len(codes), r.body)
	}
	if rc, _ := e.db.UserCredentials(t.Context(), u.ID, store.CredentialRecovery); len(rc) != 10 {
		t.Fatalf("%d recovery codes stored, want 10", len(rc))
	}
	if r := b.post(prefix+"recovery/new", url.Values{"csrf": {"forged"}}); r.status != http.StatusForbidden {
		t.Fatalf("new recovery codes without a token = %d, want 403", r.status)
	}
	evs := e.events()
	if !hasEvent(evs, events.AuthFactorAdded, "alice", "") {
		t.Error("no auth.factor_added event")
	}
	b.logout()
	wantRedirect(t, "password", b.login("alice", pw, ""), prefix+"mfa")
	m := b.get(prefix + "mfa")
	wantRedirect(t, "recovery code", b.post(prefix+"mfa", url.Values{"csrf": {token(t, m.body, prefix+"mfa")}, "code": {codes[3]}}), "/")
}
