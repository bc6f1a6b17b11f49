package scan

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func testJWT(secret, claims string) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(claims))
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(h + "." + p))
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// jwtApp is an API whose /me needs a bearer token. The flawed one signs
// with "keyboard cat", trusts a token's "alg": "none", and hands out an
// unsigned preferences token; the fixed one has a random secret and
// verifies HS256 only.
func jwtApp(fixed bool, secret string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		if !fixed {
			prefs := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"theme":"dark"}`)) + "."
			http.SetCookie(w, &http.Cookie{Name: "prefs", Value: prefs, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`<a href="/me">me</a> <a href="/about">about</a>`))
	})
	mux.HandleFunc("/about", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`<p>A small shop.</p>`))
	})
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		parts := strings.Split(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), ".")
		ok := len(parts) == 3
		var hdr struct{ Alg string }
		var claims struct{ Sub string }
		if ok {
			hb, e1 := base64.RawURLEncoding.DecodeString(parts[0])
			pb, e2 := base64.RawURLEncoding.DecodeString(parts[1])
			ok = e1 == nil && e2 == nil && json.Unmarshal(hb, &hdr) == nil && json.Unmarshal(pb, &claims) == nil
		}
		if ok && !(hdr.Alg == "none" && !fixed) {
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(parts[0] + "." + parts[1]))
			sig, err := base64.RawURLEncoding.DecodeString(parts[2])
			ok = hdr.Alg == "HS256" && err == nil && hmac.Equal(sig, m.Sum(nil))
		}
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"sign in first"}`)
			return
		}
		fmt.Fprintf(w, `{"name":%q,"orders":[7,8,9],"address":"1 Main St"}`, claims.Sub)
	})
	return mux
}

func TestJWTScan(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		t.Run(fmt.Sprintf("fixed=%v", fixed), func(t *testing.T) {
			secret := "keyboard cat"
			if fixed {
				secret = "7c1e5b0f9a2d48e6b3f01c9d8e7a6b5c"
			}
			tok := testJWT(secret, `{"sub":"alice"}`)
			cfg := fastConfig(serve(t, jwtApp(fixed, secret)))
			cfg.Active = ActiveSafe
			cfg.ActiveDelay = 200 * time.Millisecond
			cfg.Header = http.Header{"Authorization": {"Bearer " + tok}}
			rep := runScan(t, cfg)
			for check, want := range map[string]bool{"jwt.weak-secret": !fixed, "jwt.unsigned": !fixed, "jwt.alg-none": !fixed, "jwt.unverified": false} {
				if got := len(find(rep, check)) > 0; got != want {
					t.Errorf("%s reported = %v, want %v; findings %v", check, got, want, checks(rep))
				}
			}
			js := reportJSON(t, rep)
			if strings.Contains(js, tok) || strings.Contains(js, secret) {
				t.Error("the report shows the token or the secret")
			}
			for _, f := range find(rep, "jwt.weak-secret") {
				if !strings.Contains(f.Evidence.Detail, "k**********t (12 characters)") {
					t.Errorf("weak-secret detail %q: want the secret's shape", f.Evidence.Detail)
				}
			}
		})
	}
}

func TestCrackJWT(t *testing.T) {
	for _, secret := range []string{"secret", "your-256-bit-secret", "shhhhh"} {
		_, parts, ok := parseJWT(testJWT(secret, `{"sub":"x"}`))
		if !ok {
			t.Fatal("parseJWT failed")
		}
		if got, ok := crackJWT(parts, "HS256"); !ok || got != secret {
			t.Errorf("crackJWT(%q) = %q, %v", secret, got, ok)
		}
	}
	_, parts, _ := parseJWT(testJWT("n0t-in-any-list-4f3e2d1c", `{"sub":"x"}`))
	if got, ok := crackJWT(parts, "HS256"); ok {
		t.Errorf("crackJWT of a random secret = %q", got)
	}
	for _, bad := range []string{"eyJhbGciOiJIUzI1NiJ9", "a.b.c", "eyJ.eyJ.", "eyJhbGciOiJIUzI1NiJ9.!!!.x"} {
		if _, _, ok := parseJWT(bad); ok {
			t.Errorf("parseJWT(%q) ok", bad)
		}
	}
}

// FuzzJWT: token parsing and the secret check never panic, on any text a
// response may hold.
func FuzzJWT(f *testing.F) {
	f.Add(testJWT("secret", `{"sub":"x"}`))
	f.Add("eyJhbGciOiJub25lIn0.eyJhIjoxfQ.")
	f.Add("eyJhbGciOiJIUzUxMiJ9.eyJ9.AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		for _, tok := range jwtRE.FindAllString(s, 4) {
			if hdr, parts, ok := parseJWT(tok); ok {
				crackJWT(parts, hdr.Alg)
			}
		}
		if hdr, parts, ok := parseJWT(s); ok {
			crackJWT(parts, hdr.Alg)
		}
	})
}

// TestJWTSampleInBody: the jwt.io sample token on a documentation page is
// not a token of the site's; a weak token in a body is reported, but only
// as firm.
func TestJWTSampleInBody(t *testing.T) {
	sample := testJWT("your-256-bit-secret", `{"sub":"1234567890","name":"John Doe","iat":1516239022}`)
	weak := testJWT("changeme", `{"sub":"42"}`)
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`<p>Send a token such as <code>`+sample+`</code>.</p><a href="/api/login">login</a>`))
	})
	mux.HandleFunc("/api/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token":%q}`, weak)
	})
	rep := runScan(t, fastConfig(serve(t, mux)))
	fs := find(rep, "jwt.weak-secret")
	if len(fs) != 1 {
		t.Fatalf("jwt.weak-secret findings: %d, want 1 (the login answer's, not the sample); all %v", len(fs), checks(rep))
	}
	if fs[0].Confidence != ConfidenceFirm || !strings.HasSuffix(fs[0].URLs[0], "/api/login") {
		t.Errorf("finding %v at %v: want firm at /api/login", fs[0].Confidence, fs[0].URLs)
	}
}
