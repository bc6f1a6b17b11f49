package portal

import (
	"context"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"rampart/internal/browsertest"
	"rampart/internal/identity/passkey"
	"rampart/internal/store"
)

// TestBrowserPasskey registers a passkey in headless Chromium with a
// virtual authenticator (the DevTools WebAuthn domain: CTAP2, internal
// transport, resident keys, user verification), signs out and signs in
// again with the passkey alone: passkey.js, the JSON endpoints, the
// ceremony cookie and the CSP of a real browser.
//
// WebAuthn needs a secure context and a domain as RP ID, so the portal
// runs over plain HTTP (InsecureCookies) at http://localhost, which
// browsers treat as secure.
func TestBrowserPasskey(t *testing.T) {
	path := browsertest.Find(t)
	const pw = "correct horse battery"
	e := newEnv(t, func(c *Config, _ *Deps) { c.InsecureCookies = true }, withPasskeys(t, passkey.Config{}))
	srv := httptest.NewServer(e.p)
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	base := "http://localhost:" + port + prefix
	e.addUser("alice", pw, nil)
	ctx := headless(t, path, 90*time.Second)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	var authID webauthn.AuthenticatorID
	run(t, ctx, "add a virtual authenticator", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		res, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol:                    webauthn.AuthenticatorProtocolCtap2,
				Ctap2version:                webauthn.Ctap2versionCtap21,
				Transport:                   webauthn.AuthenticatorTransportInternal,
				HasResidentKey:              true,
				HasUserVerification:         true,
				IsUserVerified:              true,
				AutomaticPresenceSimulation: true,
			},
		})
		authID = res.AuthenticatorID
		return err
	}))

	addButton := css(`[data-passkey="create"] button`)
	run(t, ctx, "sign in with the password", chromedp.Steps(
		chromedp.Navigate(base+"login?rd="+url.QueryEscape(prefix+"passkeys")),
		chromedp.WaitVisible(css("#password")),
		chromedp.SendKeys(css("#username"), "alice"),
		chromedp.SendKeys(css("#password"), pw),
		chromedp.Click(css(`form[action$="/login"] button[type=submit]`)),
		chromedp.WaitVisible(addButton), // shown by passkey.js
	))
	run(t, ctx, "add a passkey", chromedp.Steps(
		chromedp.SendKeys(css("#passkey-name"), "Virtual authenticator"),
		chromedp.Click(addButton),
		chromedp.WaitVisible(css("ul.passkeys .name")),
	))
	if name := run(t, ctx, "read the passkey's name", chromedp.Text(css("ul.passkeys .name"))); name != "Virtual authenticator" {
		t.Fatalf("passkeys page lists %q, want Virtual authenticator", name)
	}
	creds := run(t, ctx, "read the authenticator's credentials", func(ctx context.Context, tg *chromedp.Target) ([]*webauthn.Credential, error) {
		res, err := cdp.Call(ctx, tg, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authID})
		return res.Credentials, err
	})
	stored, err := e.db.UserCredentials(t.Context(), "id-alice", store.CredentialWebAuthn)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || !creds[0].IsResidentCredential || creds[0].RpID != "localhost" || len(stored) != 1 ||
		stored[0].ID != passkey.CredentialID(creds[0].CredentialID) {
		t.Fatalf("authenticator holds %+v, store %+v; want one resident credential for localhost, stored", creds, stored)
	}
	screenshot(t, ctx, "portal-passkey-registered.png")

	loginButton := css(`[data-passkey="get"] button`)
	run(t, ctx, "sign out", chromedp.Steps(
		chromedp.Click(css(`form[action$="/logout"] button[type=submit]`)),
		chromedp.WaitVisible(loginButton),
	))
	accountLink := css(`a[href$="/totp/new"]`) // on the account page only
	run(t, ctx, "open the sign-in page", chromedp.Steps(
		chromedp.Navigate(base+"login?rd="+url.QueryEscape(prefix+"account")),
		chromedp.WaitVisible(loginButton),
	))
	screenshot(t, ctx, "portal-passkey-login.png")
	run(t, ctx, "sign in with the passkey", chromedp.Steps(
		chromedp.Click(loginButton),
		chromedp.WaitVisible(accountLink),
	))
	// The account page wants the second factor of a user who has one: the
	// passkey was both.
	who := run(t, ctx, "read the user name", chromedp.Text(css("main strong")))
	keys := run(t, ctx, "read the passkeys", chromedp.Text(css("ul.passkey-names")))
	if who != "alice" || strings.TrimSpace(keys) != "Virtual authenticator" {
		t.Fatalf("account page after the passkey: %q with passkeys %q, want alice with Virtual authenticator", who, keys)
	}
	stored, err = e.db.UserCredentials(t.Context(), "id-alice", store.CredentialWebAuthn)
	if err != nil || len(stored) != 1 || stored[0].LastUsedAt.IsZero() || stored[0].Counter == 0 {
		t.Errorf("stored passkey after the sign-in = %+v, %v; want last used and a counter", stored, err)
	}
	screenshot(t, ctx, "portal-passkey-signed-in.png")
}

// screenshot keeps a PNG of the browser's page in the artifact directory.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := run(t, ctx, "take a screenshot", chromedp.FullScreenshot(100)) // quality 100 is PNG
	p := filepath.Join(browsertest.ArtifactDir(t), name)
	if err := os.WriteFile(p, png, 0o600); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
	t.Logf("screenshot: %s", p)
}
