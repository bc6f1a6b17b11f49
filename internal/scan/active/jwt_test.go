package active

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

var jwtTestKey = []byte("a-long-random-server-secret-0f9e8d7c6b5a")

func signJWT(claims string) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(claims))
	m := hmac.New(sha256.New, jwtTestKey)
	m.Write([]byte(h + "." + p))
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// jwtUser reads the user of a token the way each fixture does: verify
// checks the signature and the algorithm; the flawed ones skip a step.
func jwtUser(tok, mode string) (string, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", false
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	pb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	if err1 != nil || err2 != nil {
		return "", false
	}
	var hdr struct{ Alg string }
	var claims struct{ Sub string }
	if json.Unmarshal(hb, &hdr) != nil || json.Unmarshal(pb, &claims) != nil {
		return "", false
	}
	switch mode {
	case "decode only": // no verification at all
		return claims.Sub, true
	case "trusts alg":
		if strings.EqualFold(hdr.Alg, "none") {
			return claims.Sub, true // the token says it needs no signature
		}
	}
	if hdr.Alg != "HS256" {
		return "", false
	}
	m := hmac.New(sha256.New, jwtTestKey)
	m.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, m.Sum(nil)) {
		return "", false
	}
	return claims.Sub, true
}

func TestJWTForgery(t *testing.T) {
	tok := signJWT(`{"sub":"alice","role":"user"}`)
	tests := []struct {
		mode   string
		cookie bool
		want   string
	}{
		{"decode only", false, "jwt.unverified"},
		{"trusts alg", false, "jwt.alg-none"},
		{"trusts alg", true, "jwt.alg-none"},
		{"verifies", false, ""},
		{"verifies", true, ""},
		{"public page", false, ""},
		{"any token", false, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s cookie=%v", tt.mode, tt.cookie), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.mode == "public page" {
					fmt.Fprint(w, "<h1>Welcome to the shop</h1><p>Products: shoes, hats.</p>")
					return
				}
				raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
				if tt.mode == "any token" {
					// A layout that shows the account menu to anyone with a
					// token-shaped header.
					if strings.HasPrefix(raw, "eyJ") {
						fmt.Fprint(w, `{"user":{"name":"alice","email":"alice@example.com","orders":[101,102]}}`)
						return
					}
					w.WriteHeader(http.StatusUnauthorized)
					fmt.Fprint(w, `{"error":"Unauthorized: sign in first"}`)
					return
				}
				if c, err := r.Cookie("token"); err == nil {
					raw = c.Value
				}
				user, ok := jwtUser(raw, tt.mode)
				if !ok {
					w.WriteHeader(http.StatusUnauthorized)
					fmt.Fprint(w, `{"error":"Unauthorized: sign in first"}`)
					return
				}
				fmt.Fprintf(w, `{"user":{"name":%q,"email":"%s@example.com","orders":[101,102]}}`, user, user)
			}))
			defer srv.Close()
			u, _ := url.Parse(srv.URL + "/rest/user/whoami")
			p := Point{Method: http.MethodGet, URL: u, Kind: Header, Name: "Authorization", Value: "Bearer " + tok,
				Header: http.Header{"Authorization": {"Bearer " + tok}}}
			if tt.cookie {
				p = Point{Method: http.MethodGet, URL: u, Kind: Cookie, Name: "token", Value: tok,
					Header: http.Header{"Cookie": {"lang=en; token=" + tok}}}
			}
			rs, err := JWTForgery(context.Background(), ClientSender{Client: srv.Client()}, p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(rs) > 0 {
				got = rs[0].Check
				if !rs[0].Confirmed || rs[0].Detail == "" {
					t.Errorf("result %+v: want confirmed with a detail", rs[0])
				}
			}
			if got != tt.want {
				t.Errorf("JWTForgery = %q, want %q", got, tt.want)
			}
		})
	}
}
