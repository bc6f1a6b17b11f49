package passkey

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"rampart/internal/identity/passkey/passkeytest"
	"rampart/internal/identity/seal"
	"rampart/internal/store"
)

// spentTokens is the store's CreateToken for tests: a hash works once.
type spentTokens struct {
	mu   sync.Mutex
	seen map[string]store.Token
}

func (s *spentTokens) CreateToken(_ context.Context, t store.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]store.Token{}
	}
	if _, ok := s.seen[t.Hash]; ok {
		return store.ErrConflict
	}
	s.seen[t.Hash] = t
	return nil
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func testKeys(tb testing.TB) *seal.Keyring {
	tb.Helper()
	k, err := seal.NewKeyring([]seal.Key{{ID: "k1", Secret: bytes.Repeat([]byte{3}, seal.KeySize)}})
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func newRP(tb testing.TB, cfg Config) (*RelyingParty, *clock, *spentTokens) {
	tb.Helper()
	clk := &clock{t: time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)}
	spent := &spentTokens{}
	rp, err := New(cfg, testKeys(tb), spent, clk.Now)
	if err != nil {
		tb.Fatalf("New(%+v) = %v", cfg, err)
	}
	return rp, clk, spent
}

func TestNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"RP ID with scheme", Config{RPID: "https://example.com"}, "RP ID"},
		{"RP ID with port", Config{RPID: "example.com:443"}, "RP ID"},
		{"RP ID an IP", Config{RPID: "192.0.2.1"}, "RP ID"},
		{"origin with path", Config{Origins: []string{"https://example.com/x"}}, "origin"},
		{"origin plain http", Config{Origins: []string{"http://example.com"}}, "plain http"},
		{"origin off the RP ID", Config{RPID: "example.com", Origins: []string{"https://example.org"}}, "not on example.com"},
		{"user verification", Config{UserVerification: "always"}, "user verification"},
		{"display name", Config{RPDisplayName: "a\nb"}, "display name"},
		{"timeout", Config{Timeout: time.Second}, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, testKeys(t), &spentTokens{}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%+v) = %v, want an error about %q", tt.cfg, err, tt.want)
			}
		})
	}
}

func TestSite(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		host       string
		secure     bool
		wantOrigin string
		wantRPID   string // "" when unavailable
	}{
		{"host", Config{}, "app.example.com", true, "https://app.example.com", "app.example.com"},
		{"host with port", Config{}, "App.Example.com:8443", true, "https://app.example.com:8443", "app.example.com"},
		{"default port dropped", Config{}, "example.com:443", true, "https://example.com", "example.com"},
		{"configured RP ID", Config{RPID: "example.com"}, "app.example.com", true, "https://app.example.com", "example.com"},
		{"the RP ID itself", Config{RPID: "example.com"}, "example.com", true, "https://example.com", "example.com"},
		{"outside the RP ID", Config{RPID: "example.com"}, "example.org", true, "", ""},
		{"suffix that is no subdomain", Config{RPID: "example.com"}, "badexample.com", true, "", ""},
		{"listed origin", Config{Origins: []string{"https://a.example"}}, "a.example", true, "https://a.example", "a.example"},
		{"unlisted origin", Config{Origins: []string{"https://a.example"}}, "b.example", true, "", ""},
		{"IPv4", Config{}, "127.0.0.1:8080", true, "", ""},
		{"IPv6", Config{}, "[::1]:8080", true, "", ""},
		{"plain http", Config{}, "localhost:8080", false, "", ""},
		{"plain http on localhost, allowed", Config{AllowHTTP: true}, "localhost:8080", false, "http://localhost:8080", "localhost"},
		{"plain http elsewhere, allowed", Config{AllowHTTP: true}, "example.com", false, "", ""},
		{"empty", Config{}, "", true, "", ""},
		{"bad port", Config{}, "example.com:x", true, "", ""},
		{"underscore", Config{}, "a_b.example", true, "", ""},
		{"trailing dot", Config{}, "example.com.", true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rp, _, _ := newRP(t, tt.cfg)
			s, err := rp.Site(tt.host, tt.secure)
			if tt.wantRPID == "" {
				if !errors.Is(err, ErrUnavailable) {
					t.Errorf("Site(%q, %v) = %+v, %v; want ErrUnavailable", tt.host, tt.secure, s, err)
				}
				return
			}
			if err != nil || s.Origin != tt.wantOrigin || s.RPID != tt.wantRPID {
				t.Errorf("Site(%q, %v) = %+v, %v; want %s with RP ID %s", tt.host, tt.secure, s, err, tt.wantOrigin, tt.wantRPID)
			}
		})
	}
}

// fixture is a relying party, a user and an authenticator at one site.
type fixture struct {
	rp    *RelyingParty
	clk   *clock
	spent *spentTokens
	site  Site
	user  User
	auth  *passkeytest.Authenticator
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	rp, clk, spent := newRP(t, Config{})
	site, err := rp.Site("example.com", true)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{rp: rp, clk: clk, spent: spent, site: site, user: User{ID: "u1", Name: "alice"}, auth: &passkeytest.Authenticator{}}
}

// register adds a passkey of f.auth to f.user.
func (f *fixture) register(t *testing.T) store.Credential {
	t.Helper()
	opts, state, err := f.rp.BeginRegistration(f.site, f.user, "session-1")
	if err != nil {
		t.Fatalf("BeginRegistration() = %v", err)
	}
	resp, err := f.auth.Create(opts, f.site.Origin)
	if err != nil {
		t.Fatalf("Create() = %v", err)
	}
	c, err := f.rp.FinishRegistration(t.Context(), f.site, f.user, "session-1", state, resp)
	if err != nil {
		t.Fatalf("FinishRegistration() = %v", err)
	}
	f.user.Credentials = append(f.user.Credentials, c)
	return c
}

func (f *fixture) lookup(_ context.Context, id string) (User, error) {
	for _, c := range f.user.Credentials {
		if c.ID == id {
			return f.user, nil
		}
	}
	return User{}, ErrUnknownCredential
}

func TestRegisterAndSignIn(t *testing.T) {
	f := newFixture(t)
	c := f.register(t)
	raw := f.auth.Credentials()[0]
	if c.ID != base64.RawURLEncoding.EncodeToString(raw.ID) || c.UserID != "u1" || c.Kind != store.CredentialWebAuthn || c.Counter != 0 {
		t.Fatalf("registered credential = %+v", c)
	}
	if !bytes.Equal(raw.UserHandle, Handle("u1")) {
		t.Errorf("user handle = %x, want Handle(u1)", raw.UserHandle)
	}
	if len(f.spent.seen) != 1 {
		t.Errorf("%d challenges spent, want 1", len(f.spent.seen))
	}

	// A second registration excludes the first passkey.
	opts, _, err := f.rp.BeginRegistration(f.site, f.user, "session-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.auth.Create(opts, f.site.Origin); !errors.Is(err, passkeytest.ErrExcluded) {
		t.Errorf("Create() with the passkey excluded = %v, want ErrExcluded", err)
	}

	// Second factor.
	opts, state, err := f.rp.BeginLogin(f.site, f.user, "session-2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(opts), `"allowCredentials"`) || !strings.Contains(string(opts), c.ID) {
		t.Errorf("login options do not allow the passkey: %s", opts)
	}
	resp, err := f.auth.Get(opts, f.site.Origin)
	if err != nil {
		t.Fatal(err)
	}
	f.clk.t = f.clk.t.Add(time.Minute)
	used, err := f.rp.FinishLogin(t.Context(), f.site, f.user, "session-2", state, resp)
	if err != nil {
		t.Fatalf("FinishLogin() = %v", err)
	}
	if used.ID != c.ID || used.Counter != 1 || !used.LastUsedAt.Equal(f.clk.t) {
		t.Errorf("FinishLogin() = %+v; want counter 1, last used now", used)
	}
	f.user.Credentials[0] = used

	// Without user name.
	opts, state, err = f.rp.BeginDiscoverable(f.site, "pre-session")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(opts), "allowCredentials") || !strings.Contains(string(opts), `"userVerification":"required"`) {
		t.Errorf("discoverable options = %s; want no allow list and user verification required", opts)
	}
	resp, err = f.auth.Get(opts, f.site.Origin)
	if err != nil {
		t.Fatal(err)
	}
	u, used, err := f.rp.FinishDiscoverable(t.Context(), f.site, "pre-session", state, resp, f.lookup)
	if err != nil {
		t.Fatalf("FinishDiscoverable() = %v", err)
	}
	if u.ID != "u1" || used.Counter != 2 {
		t.Errorf("FinishDiscoverable() = %s, counter %d; want u1, 2", u.ID, used.Counter)
	}
}

// TestRefused checks each way a finish must fail.
func TestRefused(t *testing.T) {
	type step struct {
		opts  []byte
		state string
	}
	tests := []struct {
		name string
		// run begins and finishes a discoverable sign-in, changed as the
		// case says, and returns the finish's error.
		run  func(t *testing.T, f *fixture, s step) error
		want error
	}{
		{"wrong origin", func(t *testing.T, f *fixture, s step) error {
			resp, err := f.auth.Get(s.opts, "https://evil.example")
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, resp, f.lookup)
			return err
		}, ErrInvalid},
		{"wrong challenge", func(t *testing.T, f *fixture, s step) error {
			other, _, err := f.rp.BeginDiscoverable(f.site, "b")
			if err != nil {
				t.Fatal(err)
			}
			resp, err := f.auth.Get(other, f.site.Origin)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, resp, f.lookup)
			return err
		}, ErrInvalid},
		{"replayed", func(t *testing.T, f *fixture, s step) error {
			resp, err := f.auth.Get(s.opts, f.site.Origin)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, resp, f.lookup); err != nil {
				t.Fatalf("first FinishDiscoverable() = %v", err)
			}
			_, _, err = f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, resp, f.lookup)
			return err
		}, ErrReplay},
		{"other binding", func(t *testing.T, f *fixture, s step) error {
			resp, _ := f.auth.Get(s.opts, f.site.Origin)
			_, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "another pre-session", s.state, resp, f.lookup)
			return err
		}, ErrState},
		{"other kind", func(t *testing.T, f *fixture, s step) error {
			resp, _ := f.auth.Get(s.opts, f.site.Origin)
			_, err := f.rp.FinishLogin(t.Context(), f.site, f.user, "b", s.state, resp)
			return err
		}, ErrState},
		{"other site", func(t *testing.T, f *fixture, s step) error {
			resp, _ := f.auth.Get(s.opts, f.site.Origin)
			other, err := f.rp.Site("other.example", true)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = f.rp.FinishDiscoverable(t.Context(), other, "b", s.state, resp, f.lookup)
			return err
		}, ErrState},
		{"expired", func(t *testing.T, f *fixture, s step) error {
			resp, _ := f.auth.Get(s.opts, f.site.Origin)
			f.clk.t = f.clk.t.Add(DefaultTimeout)
			_, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, resp, f.lookup)
			return err
		}, ErrState},
		{"tampered state", func(t *testing.T, f *fixture, s step) error {
			resp, _ := f.auth.Get(s.opts, f.site.Origin)
			b := []byte(s.state)
			b[len(b)/2] ^= 1
			_, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", string(b), resp, f.lookup)
			return err
		}, ErrState},
		{"no state", func(t *testing.T, f *fixture, s step) error {
			resp, _ := f.auth.Get(s.opts, f.site.Origin)
			_, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", "", resp, f.lookup)
			return err
		}, ErrState},
		{"no user verification", func(t *testing.T, f *fixture, s step) error {
			f.auth.NoUserVerification = true
			resp, _ := f.auth.Get(s.opts, f.site.Origin)
			_, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, resp, f.lookup)
			return err
		}, ErrInvalid},
		{"unknown credential", func(t *testing.T, f *fixture, s step) error {
			stranger := &passkeytest.Authenticator{}
			o, _, _ := f.rp.BeginRegistration(f.site, User{ID: "u2", Name: "bob"}, "x")
			if _, err := stranger.Create(o, f.site.Origin); err != nil {
				t.Fatal(err)
			}
			resp, _ := stranger.Get(s.opts, f.site.Origin)
			_, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, resp, f.lookup)
			return err
		}, ErrUnknownCredential},
		{"cloned", func(t *testing.T, f *fixture, s step) error {
			clone := f.auth.Clone()
			resp, _ := f.auth.Get(s.opts, f.site.Origin)
			u, c, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, resp, f.lookup)
			if err != nil {
				t.Fatal(err)
			}
			f.user = u
			f.user.Credentials[0] = c
			opts, state, _ := f.rp.BeginDiscoverable(f.site, "b")
			resp, _ = clone.Get(opts, f.site.Origin) // the clone's counter is behind
			_, _, err = f.rp.FinishDiscoverable(t.Context(), f.site, "b", state, resp, f.lookup)
			return err
		}, ErrCloned},
		{"garbage", func(t *testing.T, f *fixture, s step) error {
			_, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, []byte(`{"id":"AA"}`), f.lookup)
			return err
		}, ErrInvalid},
		{"too large", func(t *testing.T, f *fixture, s step) error {
			_, _, err := f.rp.FinishDiscoverable(t.Context(), f.site, "b", s.state, bytes.Repeat([]byte{' '}, MaxResponse+1), f.lookup)
			return err
		}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.register(t)
			opts, state, err := f.rp.BeginDiscoverable(f.site, "b")
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.run(t, f, step{opts, state}); !errors.Is(err, tt.want) {
				t.Errorf("finish = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSyncedPasskeyWithoutCounter(t *testing.T) {
	f := newFixture(t)
	f.auth.NoCounter, f.auth.BackupEligible = true, true
	f.register(t)
	for i := range 3 {
		opts, state, err := f.rp.BeginLogin(f.site, f.user, "s")
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := f.auth.Get(opts, f.site.Origin)
		c, err := f.rp.FinishLogin(t.Context(), f.site, f.user, "s", state, resp)
		if err != nil {
			t.Fatalf("sign-in %d with a counter of 0: %v", i, err)
		}
		f.user.Credentials[0] = c
	}
}

func TestRegistrationReplayAndOtherUser(t *testing.T) {
	f := newFixture(t)
	opts, state, err := f.rp.BeginRegistration(f.site, f.user, "s")
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := f.auth.Create(opts, f.site.Origin)
	bob := User{ID: "u2", Name: "bob"}
	if _, err := f.rp.FinishRegistration(t.Context(), f.site, bob, "s", state, resp); !errors.Is(err, ErrInvalid) {
		t.Errorf("FinishRegistration() for another user = %v, want ErrInvalid", err)
	}
	if _, err := f.rp.FinishRegistration(t.Context(), f.site, f.user, "s", state, resp); err != nil {
		t.Fatalf("FinishRegistration() = %v", err)
	}
	if _, err := f.rp.FinishRegistration(t.Context(), f.site, f.user, "s", state, resp); !errors.Is(err, ErrReplay) {
		t.Errorf("FinishRegistration() again = %v, want ErrReplay", err)
	}
}

func TestStateFitsACookie(t *testing.T) {
	f := newFixture(t)
	// Many passkeys with long IDs: the allow list stays out of the state.
	for i := range 20 {
		f.user.Credentials = append(f.user.Credentials, store.Credential{
			ID: base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{byte(i)}, 200)), Kind: store.CredentialWebAuthn,
			Data: []byte(`{"id":"` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{byte(i)}, 200)) + `","publicKey":"AA=="}`),
		})
	}
	_, state, err := f.rp.BeginLogin(f.site, f.user, strings.Repeat("b", 64))
	if err != nil {
		t.Fatal(err)
	}
	_, reg, err := f.rp.BeginRegistration(f.site, f.user, strings.Repeat("b", 64))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{state, reg} {
		if len(s) > 2048 {
			t.Errorf("state is %d characters; want it well under a cookie's 4096", len(s))
		}
	}
}

// FuzzOpenState feeds anything to the state parser: it must not panic,
// and only what was sealed for the kind and binding opens.
func FuzzOpenState(f *testing.F) {
	rp, clk, _ := newRP(f, Config{})
	site, _ := rp.Site("example.com", true)
	_, good, err := rp.BeginDiscoverable(site, "b")
	if err != nil {
		f.Fatal(err)
	}
	_, reg, _ := rp.BeginRegistration(site, User{ID: "u", Name: "u"}, "b")
	for _, s := range []string{good, reg, "", "AAAA", good[:len(good)-1], good + "A", strings.Repeat("A", MaxState+1), "=!"} {
		f.Add(s, "b")
	}
	f.Fuzz(func(t *testing.T, state, binding string) {
		c, err := rp.openState(kindDiscoverable, binding, state, clk.t)
		if err != nil {
			if !errors.Is(err, ErrState) {
				t.Fatalf("openState() = %v, want ErrState", err)
			}
			return
		}
		// Seeds are sealed by the fuzzing process, under the same fixed
		// key: only the discoverable state sealed for "b" may open.
		if binding != "b" || c.Kind != kindDiscoverable || c.Session.RelyingPartyID != "example.com" {
			t.Fatalf("openState(%q, %q) opened a state that was not sealed for it", state, binding)
		}
	})
}

func responses(f *testing.F) (reg, get []byte) {
	rp, _, _ := newRP(f, Config{})
	site, _ := rp.Site("example.com", true)
	auth := &passkeytest.Authenticator{}
	opts, _, _ := rp.BeginRegistration(site, User{ID: "u", Name: "u"}, "b")
	reg, err := auth.Create(opts, site.Origin)
	if err != nil {
		f.Fatal(err)
	}
	opts, _, _ = rp.BeginDiscoverable(site, "b")
	get, err = auth.Get(opts, site.Origin)
	if err != nil {
		f.Fatal(err)
	}
	return reg, get
}

// FuzzParseRegistration feeds anything to the registration response
// parser: no panic, nothing over MaxResponse, and what parses names the
// credential its raw ID is.
func FuzzParseRegistration(f *testing.F) {
	reg, get := responses(f)
	for _, s := range [][]byte{reg, get, []byte("{}"), []byte("null"), []byte(`{"id":"AA","rawId":"AA","type":"public-key"}`), reg[:len(reg)/2]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 2*MaxResponse {
			return
		}
		p, err := parseRegistration(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("parseRegistration() = %v, want ErrInvalid", err)
			}
			return
		}
		if len(b) > MaxResponse || CredentialID(p.RawID) != p.ID {
			t.Fatalf("parseRegistration(%d bytes) = ID %q, raw ID %x", len(b), p.ID, p.RawID)
		}
	})
}

// FuzzParseAssertion is FuzzParseRegistration for login responses.
func FuzzParseAssertion(f *testing.F) {
	reg, get := responses(f)
	for _, s := range [][]byte{get, reg, []byte("{}"), []byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{}}`), get[:len(get)-3]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 2*MaxResponse {
			return
		}
		p, err := parseAssertion(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("parseAssertion() = %v, want ErrInvalid", err)
			}
			return
		}
		if len(b) > MaxResponse || CredentialID(p.RawID) != p.ID {
			t.Fatalf("parseAssertion(%d bytes) = ID %q, raw ID %x", len(b), p.ID, p.RawID)
		}
		var v any
		if json.Unmarshal(b, &v) != nil {
			t.Fatalf("parseAssertion accepted invalid JSON %q", b)
		}
	})
}
