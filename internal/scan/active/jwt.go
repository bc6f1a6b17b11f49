package active

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

// jwtInfo describes the token forgery checks.
var jwtInfo = map[string]Info{
	"jwt.alg-none": {
		Title:    "Unsigned JSON Web Tokens accepted (alg: none)",
		Severity: "critical",
		CWE:      347,
		OWASP:    "A07:2021-Identification and Authentication Failures",
		Description: "The site accepts a token whose header says \"alg\": \"none\" and which has no signature. Anyone can " +
			"write such a token with any claims (another user, an admin role) and the site takes it. The scanner " +
			"confirmed it: a page that answers differently without the token answered the unsigned copy of the scan's " +
			"own token as it answers the real one, twice.",
		Fix: "Verify every token against an allowlist of the algorithms you issue (never none), with the library's " +
			"verifying call rather than a decode; RFC 8725 lists the pitfalls.",
		References: []string{
			"https://datatracker.ietf.org/doc/html/rfc8725#section-3.1",
			"https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/347.html",
		},
	},
	"jwt.unverified": {
		Title:    "JSON Web Token signatures not verified",
		Severity: "critical",
		CWE:      347,
		OWASP:    "A07:2021-Identification and Authentication Failures",
		Description: "The site accepts a token whose signature was broken: it decodes tokens without verifying them, so " +
			"anyone can change the claims (user, role, expiry). The scanner confirmed it: a page that answers " +
			"differently without the token answered the copy with a wrong signature as it answers the real one, twice.",
		Fix: "Verify the signature of every token before reading its claims (the library's verify call, not decode), " +
			"with the algorithms you issue allowlisted.",
		References: []string{
			"https://datatracker.ietf.org/doc/html/rfc8725#section-2",
			"https://cwe.mitre.org/data/definitions/347.html",
		},
	},
}

// jwtTokenRE finds a compact JWS in a header or cookie value.
var jwtTokenRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)

// jwtNoneAlgs are the spellings of "none" tried: libraries that refuse
// "none" have accepted "None" or "NONE".
var jwtNoneAlgs = []string{"none", "None", "NONE", "nOnE"}

// JWTForgery checks whether the site accepts forged copies of a token the
// scan holds. p is the header or cookie that carries the token (its
// Value holds it, "Bearer eyJ…" or the cookie's value), on a request
// whose answer depends on the token: the check first makes sure that
// the page without the token, and the page with a made-up token of
// another user, differ from the page with it, and that two requests with
// it agree. Then a copy with a broken signature, and
// copies with "alg": "none" and no signature, must each get the page the
// real token gets, twice, to be reported.
func JWTForgery(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	if p.Kind != Header && p.Kind != Cookie {
		return nil, nil
	}
	loc := jwtTokenRE.FindStringIndex(p.Value)
	if loc == nil {
		return nil, nil
	}
	pre, tok, post := p.Value[:loc[0]], p.Value[loc[0]:loc[1]], p.Value[loc[1]:]
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, nil
	}
	var sigs []pageSig
	for range 2 {
		_, r, err := send(ctx, s, p, p.Value)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, newPageSig(r))
	}
	base := newPageBaseOK(sigs)
	if base == nil {
		return nil, nil
	}
	_, anon, err := send(ctx, s, p, strings.TrimSpace(pre+post))
	if err != nil {
		return nil, err
	}
	if !base.differs(newPageSig(anon), nil) {
		return nil, nil // the token changes nothing on this page
	}
	// A page that only looks for a token, any token, proves nothing: a
	// well-formed token of someone else, with a signature of random
	// bytes, must not get the real token's page.
	other := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"rmp-`+opt.randWord(8)+`","iat":1}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(opt.randWord(32)))
	_, r, err := send(ctx, s, p, pre+other+post)
	if err != nil {
		return nil, err
	}
	if !base.differs(newPageSig(r), nil) {
		return nil, nil
	}
	accepted := func(forged string) (bool, error) {
		for range 2 {
			_, r, err := send(ctx, s, p, pre+forged+post)
			if err != nil {
				return false, err
			}
			if !base.same(newPageSig(r), nil) {
				return false, nil
			}
		}
		return true, nil
	}
	result := func(check, forged, detail string) []Result {
		value := pre + forged + post
		_, r, _ := send(ctx, s, p, value)
		return []Result{{
			Check: check, Point: p, Payload: value, Confirmed: true,
			Detail:   detail,
			Request:  requestExcerpt(p, value),
			Response: responseExcerpt(r, ""),
		}}
	}
	if parts[2] != "" {
		broken := parts[0] + "." + parts[1] + "." + jwtBreak(parts[2])
		ok, err := accepted(broken)
		if err != nil {
			return nil, err
		}
		if ok {
			return result("jwt.unverified", broken, fmt.Sprintf("With the token's signature changed, %s got the page the real token gets "+
				"(twice), while without the token the page differs: the signature is not checked.", p)), nil
		}
	}
	for _, alg := range jwtNoneAlgs {
		forged := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"`+alg+`","typ":"JWT"}`)) + "." + parts[1] + "."
		ok, err := accepted(forged)
		if err != nil {
			return nil, err
		}
		if ok {
			return result("jwt.alg-none", forged, fmt.Sprintf("An unsigned copy of the scan's token (header alg %q, no signature) in %s got "+
				"the page the real token gets (twice), while without the token the page differs.", alg, p)), nil
		}
	}
	return nil, nil
}

// jwtBreak changes a base64url signature into another of the same
// length: its first character, which carries six bits of the signature.
func jwtBreak(sig string) string {
	c := byte('A')
	if sig[0] == 'A' {
		c = 'B'
	}
	return string(c) + sig[1:]
}
