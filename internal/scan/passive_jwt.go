package scan

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// This file checks the JSON Web Tokens a site hands out (in cookies, in
// response bodies) or the scan was given: a token signed with a secret
// from a list of well-known ones (defaults of libraries and tutorials,
// placeholders) is confirmed offline, by verifying its signature with
// that secret; a token with "alg": "none" is unsigned. Whether the site
// accepts forged tokens is an active check (jwt_active.go).

// maxJWTs bounds the tokens checked in a scan.
const maxJWTs = 100

// jwtRE matches a JWS in compact form: a header and a payload that are
// base64url JSON objects ("eyJ" is `{"`), and a signature.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)

// jwtSecrets are the HMAC secrets tried: defaults of JWT libraries'
// documentation and tutorials (jwt.io's "your-256-bit-secret", express's
// "keyboard cat", "shhhhh"), framework placeholders and common weak
// passwords. A secret a person could guess from this list is one an
// attacker tries first.
var jwtSecrets = []string{
	"secret", "Secret", "SECRET", "secretkey", "secretKey", "secret_key", "secret-key", "SECRET_KEY",
	"your-256-bit-secret", "your-384-bit-secret", "your-512-bit-secret", "your-secret-key", "your_secret_key",
	"your-secret", "yoursecret", "jwt_secret", "jwtsecret", "jwt-secret", "JWT_SECRET", "jwtSecret", "jwt",
	"JWT", "jwtkey", "jwt_key", "jwt-key", "token_secret", "tokensecret", "auth_secret", "authsecret",
	"changeme", "change_me", "change-me", "changeit", "change-this", "changethis", "CHANGE_ME",
	"password", "Password", "passw0rd", "P@ssw0rd", "pass", "123456", "12345678", "1234567890", "qwerty",
	"admin", "root", "key", "Key", "private", "privatekey", "private_key", "mysecret", "mysecretkey",
	"my_secret", "my-secret", "mySecret", "my_secret_key", "s3cr3t", "s3cret", "supersecret", "super_secret",
	"super-secret", "supersecretkey", "topsecret", "top_secret", "default", "test", "testing", "dev",
	"development", "production", "hello", "hmac", "token", "auth", "app", "random", "shhhhh",
	"shhhhhhared-secret", "keyboard cat", "gophers", "secret123", "Secret123", "abc123", "example",
	"demo", "sample", "api", "apikey", "session", "notasecret", "none", "null", "letmein", "welcome",
	"access", "insecure", "unsafe", "0123456789abcdef", "AllYourBase", "your_jwt_secret", "jwt-secret-key",
	"HS256", "hs256", "HS512",
}

var (
	kindJWTWeakSecret = kind{
		check: "jwt.weak-secret", title: "JSON Web Token signed with a guessable secret",
		sev: SeverityCritical, conf: ConfidenceConfirmed, cwe: 798, owasp: OWASPCryptographicFailures,
		desc: "A token the site issued verifies with a secret from a short list of well-known ones (library defaults, tutorial " +
			"placeholders, common passwords). Anyone who tries that list can sign tokens of their own: any user, any role, " +
			"no expiry.",
		fix: "Sign tokens with a random secret of at least 256 bits kept out of the code (a secret store or the environment), " +
			"or with an asymmetric key (ES256, EdDSA); rotate it now, which signs every user out.",
		refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html", "https://datatracker.ietf.org/doc/html/rfc8725#section-3.5", cweRef(798)},
	}
	kindJWTUnsigned = kind{
		check: "jwt.unsigned", title: "Unsigned JSON Web Token",
		sev: SeverityHigh, conf: ConfidenceFirm, cwe: 347, owasp: OWASPCryptographicFailures,
		desc: "The site hands out a token with \"alg\": \"none\" and no signature. A server that trusts such tokens trusts " +
			"whatever a client writes into them.",
		fix:  "Sign every token, and verify tokens against an allowlist of algorithms that does not include none (RFC 8725).",
		refs: []string{"https://datatracker.ietf.org/doc/html/rfc8725#section-3.1", cweRef(347)},
	}
)

// jwtHeader is the part of a token's header the checks read.
type jwtHeader struct {
	Alg string `json:"alg"`
}

// parseJWT splits a compact JWS and decodes its header; ok is false for
// anything else.
func parseJWT(tok string) (hdr jwtHeader, parts []string, ok bool) {
	parts = strings.Split(tok, ".")
	if len(parts) != 3 {
		return hdr, nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return hdr, nil, false
	}
	if err := json.Unmarshal(raw, &hdr); err != nil || hdr.Alg == "" {
		return hdr, nil, false
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
		return hdr, nil, false
	}
	return hdr, parts, true
}

// jwtHash is the hash of an HMAC algorithm, nil for another.
func jwtHash(alg string) func() hash.Hash {
	switch alg {
	case "HS256":
		return sha256.New
	case "HS384":
		return sha512.New384
	case "HS512":
		return sha512.New
	}
	return nil
}

// crackJWT returns the secret of jwtSecrets that tok's HMAC signature
// verifies with.
func crackJWT(parts []string, alg string) (string, bool) {
	h := jwtHash(alg)
	if h == nil {
		return "", false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) == 0 {
		return "", false
	}
	signed := []byte(parts[0] + "." + parts[1])
	for _, secret := range jwtSecrets {
		m := hmac.New(h, []byte(secret))
		m.Write(signed)
		if hmac.Equal(m.Sum(nil), sig) {
			return secret, true
		}
	}
	return "", false
}

// hint shows a secret's shape without the secret: its first and last
// characters and its length.
func hint(secret string) string {
	switch n := len(secret); {
	case n == 0:
		return "the empty string"
	case n <= 3:
		return strings.Repeat("*", n) + " (" + strconv.Itoa(n) + " characters)"
	default:
		return secret[:1] + strings.Repeat("*", n-2) + secret[n-1:] + " (" + strconv.Itoa(n) + " characters)"
	}
}

// checkJWTs looks at the tokens of a response: in its Set-Cookie lines
// and body, and in the request's Authorization header and cookies (what
// the scan was given or the site set).
func checkJWTs(s *Scanner, p *Page) {
	type found struct{ tok, where, param string }
	var toks []found
	add := func(text, where, param string) {
		if !strings.Contains(text, "eyJ") {
			return
		}
		for _, t := range jwtRE.FindAllString(text, 8) {
			toks = append(toks, found{t, where, param})
		}
	}
	for _, line := range p.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil {
			add(c.Value, "the cookie "+c.Name, "cookie:"+c.Name)
		}
	}
	if isTextual(p) || strings.Contains(p.ContentType, "json") {
		add(string(p.Body[:min(len(p.Body), 256<<10)]), "the response body", "")
	}
	if p.reqHead != nil {
		add(p.reqHead.Get("Authorization"), "the Authorization header", "header:Authorization")
		if cs, err := http.ParseCookie(p.reqHead.Get("Cookie")); err == nil {
			for _, c := range cs {
				add(c.Value, "the cookie "+c.Name, "cookie:"+c.Name)
			}
		}
	}
	for _, f := range toks {
		hdr, parts, ok := parseJWT(f.tok)
		if !ok || !s.newJWT(f.tok, f.param != "") {
			continue
		}
		s.red.Add(f.tok)
		switch {
		case strings.EqualFold(hdr.Alg, "none"):
			k := kindJWTUnsigned
			if f.param == "" {
				k.conf = ConfidenceTentative
			}
			s.report(k.at(p, f.param, Evidence{
				Request:  reqExcerpt(p),
				Response: respExcerpt(p, []string{"Set-Cookie"}, ""),
				Detail:   "A token in " + f.where + " has the header alg \"" + hdr.Alg + "\" and no signature.",
			}), true)
		default:
			if secret, ok := crackJWT(parts, hdr.Alg); ok {
				if f.param == "" && jwtSampleSecrets[secret] {
					continue // the jwt.io sample on a page about tokens
				}
				k := kindJWTWeakSecret
				if f.param == "" {
					// A token in a body may be an example, not one the
					// site issued.
					k.conf = ConfidenceFirm
				}
				s.report(k.at(p, f.param, Evidence{
					Request:  reqExcerpt(p),
					Response: respExcerpt(p, []string{"Set-Cookie"}, ""),
					Detail: "A token in " + f.where + " (" + hdr.Alg + ") verifies with the well-known secret " + hint(secret) +
						"; the scan found it offline, sending nothing.",
				}), true)
			}
		}
	}
}

// jwtSampleSecrets sign the sample tokens of jwt.io and of documentation
// that copies it: in a response body they are an example, not a token
// of the site's.
var jwtSampleSecrets = map[string]bool{"your-256-bit-secret": true, "your-384-bit-secret": true, "your-512-bit-secret": true}

// newJWT says tok was not seen before in this scan (and there is room
// for it); used says the site set it in a cookie or the scan sends it,
// rather than a body showing it.
func (s *Scanner) newJWT(tok string, used bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jwts == nil {
		s.jwts = map[string]bool{}
	}
	if _, seen := s.jwts[tok]; seen || len(s.jwts) >= maxJWTs {
		if used {
			s.jwts[tok] = true
		}
		return false
	}
	s.jwts[tok] = used
	return true
}
