package portal

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rampart/internal/browsertest"
	"rampart/internal/identity/totp"
)

// headless starts the browser at path and returns a tab whose context ends
// at timeout or when the test does.
func headless(t *testing.T, path string, timeout time.Duration) context.Context {
	t.Helper()
	return browsertest.Start(t, path, timeout,
		// The test server's certificate is self-signed, and the portal's
		// __Host- cookies need TLS. Only this throwaway profile trusts it.
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.WindowSize(1024, 768),
	)
}

// run runs a in the tab of ctx with a deadline of its own, so that a page
// that never comes names the step that waited for it, and shows where the
// browser was instead.
func run[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		loc, _ := chromedp.Run(dctx, chromedp.Location())
		body, _ := chromedp.Run(dctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nthe browser is at %s, showing:\n%s", step, err, loc, body)
	}
	return v
}

// TestBrowserTOTP signs in, enrols an authenticator app, signs out and
// signs in again with a code, in headless Chromium: what a person does,
// with the real cookies, redirects and forms of a browser.
func TestBrowserTOTP(t *testing.T) {
	path := browsertest.Find(t)
	e := newEnv(t)
	const pw = "correct horse battery"
	e.addUser("alice", pw, nil)
	ctx := headless(t, path, 60*time.Second)
	base := e.srv.URL + prefix
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	signIn := func(step string) {
		t.Helper()
		run(t, ctx, step, chromedp.Steps(
			chromedp.Navigate(base+"login?rd="+url.QueryEscape(prefix+"account")),
			chromedp.WaitVisible(css("#password")),
			chromedp.SendKeys(css("#username"), "alice"),
			chromedp.SendKeys(css("#password"), pw),
			chromedp.Click(css(`form[action$="/login"] button[type=submit]`)),
		))
	}
	accountLink := css(`a[href$="/totp/new"]`) // on the account page only

	signIn("sign in with the password")
	run(t, ctx, "wait for the account page", chromedp.WaitVisible(accountLink))
	if who := run(t, ctx, "read the user name", chromedp.Text(css("main strong"))); who != "alice" {
		t.Fatalf("account page signed in as %q, want alice", who)
	}

	run(t, ctx, "open the enrolment page", chromedp.Steps(
		chromedp.Click(accountLink),
		chromedp.WaitVisible(css("code.secret")),
	))
	secret := run(t, ctx, "read the key", chromedp.Text(css("code.secret")))
	secret = strings.ReplaceAll(strings.TrimSpace(secret), " ", "")
	code, err := totp.Code(secret, totp.Step(e.clk.Now()))
	if err != nil {
		t.Fatalf("totp.Code(key shown on the page) = %v", err)
	}
	run(t, ctx, "confirm the code", chromedp.Steps(
		chromedp.SendKeys(css("#name"), "browser"),
		chromedp.SendKeys(css("#code"), code),
		chromedp.Click(css(`form[action$="/totp/new"] button[type=submit]`)),
		chromedp.WaitVisible(css("ul.codes")),
	))
	codes := run(t, ctx, "read the recovery codes",
		chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("ul.codes code"), c => c.textContent)`))
	if len(codes) != 10 {
		t.Fatalf("recovery codes page shows %d codes, want 10: %q", len(codes), codes)
	}

	png := run(t, ctx, "take a screenshot", chromedp.FullScreenshot(100)) // quality 100 is PNG
	shot := filepath.Join(browsertest.ArtifactDir(t), "portal-totp-recovery-codes.png")
	if err := os.WriteFile(shot, png, 0o600); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
	t.Logf("screenshot of the recovery codes page: %s", shot)

	run(t, ctx, "sign out", chromedp.Steps(
		chromedp.Click(css(`form[action$="/logout"] button[type=submit]`)),
		chromedp.WaitVisible(css("#password")),
	))

	signIn("sign in again with the password")
	mfaCode := css(`form[action$="/mfa"] #code`)
	run(t, ctx, "wait for the second factor page", chromedp.WaitVisible(mfaCode))
	// The code proved at enrolment is refused within its step, so move the
	// portal's clock to a later step rather than wait for one.
	e.clk.Add(time.Minute)
	code, err = totp.Code(secret, totp.Step(e.clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "sign in with the code", chromedp.Steps(
		chromedp.SendKeys(mfaCode, code),
		chromedp.Click(css(`form[action$="/mfa"] button[type=submit]`)),
		chromedp.WaitVisible(accountLink),
	))
	who := run(t, ctx, "read the user name", chromedp.Text(css("main strong")))
	factors := run(t, ctx, "read the second factors", chromedp.Text(css("main h2 + ul"))) // the list under "Second factors"
	if who != "alice" || strings.TrimSpace(factors) != "browser" {
		t.Fatalf("account page after the code: signed in as %q with factors %q, want alice with browser", who, factors)
	}
}
