package scan

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// redactedText replaces a secret in every output.
const redactedText = "[redacted]"

// Redactor removes secrets from text: the values the scan was given
// (header and cookie values, the login password, Config.Secrets), the
// session cookies it was handed, and whatever looks like a credential
// (Authorization, Cookie and Set-Cookie values, query and form parameters
// named like a password, token or session ID, JWTs, bearer tokens, cloud
// keys, private key blocks). Every Finding's URLs and Evidence and every
// log line of a scan pass through it.
//
// A Redactor is safe for concurrent use. The zero value redacts the
// patterns but knows no secrets.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
	rep     *strings.Replacer
}

// maxSecrets bounds how many literal secrets a Redactor keeps; session
// cookies handed out during a crawl are added as they come.
const maxSecrets = 2000

// minSecretLen is the shortest literal secret replaced: shorter values
// ("1", "on") would blank out ordinary text.
const minSecretLen = 4

// NewRedactor returns a Redactor for the secrets in cfg: Header values,
// Cookie values, the Login password and Secrets.
func NewRedactor(cfg Config) *Redactor {
	r := &Redactor{}
	var s []string
	for name, vs := range cfg.Header {
		if isHarmlessHeader(name) {
			continue
		}
		for _, v := range vs {
			s = append(s, v)
			// "Bearer abc…": the token alone may show up elsewhere.
			if _, tok, ok := strings.Cut(v, " "); ok {
				s = append(s, strings.TrimSpace(tok))
			}
		}
	}
	for _, c := range cfg.Cookies {
		if c != nil {
			s = append(s, c.Value)
		}
	}
	if cfg.Login != nil {
		s = append(s, cfg.Login.Password)
	}
	s = append(s, cfg.Secrets...)
	r.Add(s...)
	return r
}

// isHarmlessHeader names request headers whose values are not secrets
// (a configured Accept or User-Agent must not blank out "text/html").
func isHarmlessHeader(name string) bool {
	switch strings.ToLower(name) {
	case "accept", "accept-language", "accept-encoding", "user-agent", "content-type", "origin", "referer", "cache-control", "pragma":
		return true
	}
	return false
}

// Add records further literal secrets (and their URL- and
// base64-encoded forms). Values shorter than four bytes are ignored.
func (r *Redactor) Add(secrets ...string) {
	var add []string
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if len(s) < minSecretLen {
			continue
		}
		add = append(add, s, url.QueryEscape(s), url.PathEscape(s), base64.StdEncoding.EncodeToString([]byte(s)))
	}
	if len(add) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, s := range add {
		if len(r.secrets) >= maxSecrets {
			break
		}
		if !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
			changed = true
		}
	}
	if !changed {
		return
	}
	// Longest first, so a secret that contains another goes whole.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(r.secrets))
	for _, s := range r.secrets {
		pairs = append(pairs, s, redactedText)
	}
	r.rep = strings.NewReplacer(pairs...)
}

var (
	reAuthHeader = regexp.MustCompile(`(?im)\b(authorization|proxy-authorization|x-api-key|api-key|apikey|x-auth-token|x-access-token|x-amz-security-token|private-token)([ \t]*:[ \t]*)([^\r\n]*)`)
	reCookieHdr  = regexp.MustCompile(`(?i)\b(set-cookie|cookie)([ \t]*:[ \t]*)([^\r\n]*)`)
	reUserinfo   = regexp.MustCompile(`(://[^/\s:@"'<>]+:)([^@\s/"'<>]+)@`)
	reJWT        = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	reBearer     = regexp.MustCompile(`(?i)\b(bearer)(\s+)([A-Za-z0-9\-._~+/]{12,}=*)`)
	rePrivateKey = regexp.MustCompile(`(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`)
	reCloudKey   = regexp.MustCompile(`\b(AKIA|ASIA|AIza|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|xox[abprs]-|sk_live_|rk_live_)([A-Za-z0-9_\-]{8,})`)
	reNameValue  = regexp.MustCompile(`([A-Za-z0-9_.\-\[\]]{1,64})=([^&\s"'<>#;,]+)`)
	// reAssign finds "name": "value", name: 'value', name = "value"
	// in JSON, JavaScript and configuration text.
	reAssign = regexp.MustCompile(`(["']?)([A-Za-z0-9_.\-]{1,64})(["']?\s*[:=]\s*)(["'])((?:[^"'\\\r\n]|\\.){1,1000})(["'])`)
)

// String returns s with every secret replaced by "[redacted]". Cloud keys
// keep their prefix and last four characters, so a reader can tell which
// key leaked.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		r.mu.RLock()
		rep := r.rep
		r.mu.RUnlock()
		if rep != nil {
			s = rep.Replace(s)
		}
	}
	if strings.Contains(s, "PRIVATE KEY-----") {
		s = rePrivateKey.ReplaceAllString(s, "${1}\n"+redactedText+"\n${2}")
	}
	s = reAuthHeader.ReplaceAllStringFunc(s, func(m string) string {
		g := reAuthHeader.FindStringSubmatch(m)
		val := g[3]
		if scheme, _, ok := strings.Cut(val, " "); ok && isAuthScheme(scheme) {
			return g[1] + g[2] + scheme + " " + redactedText
		}
		return g[1] + g[2] + redactedText
	})
	s = reCookieHdr.ReplaceAllStringFunc(s, func(m string) string {
		g := reCookieHdr.FindStringSubmatch(m)
		if strings.EqualFold(g[1], "set-cookie") {
			return g[1] + g[2] + redactSetCookie(g[3])
		}
		return g[1] + g[2] + redactCookiePairs(g[3])
	})
	if strings.Contains(s, "@") {
		s = reUserinfo.ReplaceAllString(s, "${1}"+redactedText+"@")
	}
	if strings.Contains(s, "eyJ") {
		s = reJWT.ReplaceAllString(s, redactedText)
	}
	s = reBearer.ReplaceAllString(s, "${1}${2}"+redactedText)
	s = reCloudKey.ReplaceAllStringFunc(s, maskKey)
	if strings.IndexByte(s, '=') >= 0 {
		s = reNameValue.ReplaceAllStringFunc(s, func(m string) string {
			name, val, _ := strings.Cut(m, "=")
			if val == redactedText || !sensitiveName(name) {
				return m
			}
			return name + "=" + redactedText
		})
	}
	if strings.ContainsAny(s, `"'`) {
		s = reAssign.ReplaceAllStringFunc(s, func(m string) string {
			g := reAssign.FindStringSubmatch(m)
			if g[5] == redactedText || !sensitiveName(g[2]) {
				return m
			}
			return g[1] + g[2] + g[3] + g[4] + redactedText + g[6]
		})
	}
	return s
}

// URL returns u redacted as String does; it exists so callers say what
// they redact.
func (r *Redactor) URL(u string) string { return r.String(u) }

func isAuthScheme(s string) bool {
	switch strings.ToLower(s) {
	case "basic", "bearer", "digest", "negotiate", "ntlm", "token", "aws4-hmac-sha256", "hoba", "mutual":
		return true
	}
	return false
}

// redactCookiePairs redacts every value of a Cookie header.
func redactCookiePairs(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if ok && strings.TrimSpace(val) != "" && strings.TrimSpace(val) != redactedText {
			parts[i] = name + "=" + redactedText
		}
	}
	return strings.Join(parts, ";")
}

// redactSetCookie redacts the value of a Set-Cookie header and keeps its
// attributes, which checks report on.
func redactSetCookie(v string) string {
	pair, attrs, hasAttrs := strings.Cut(v, ";")
	name, val, ok := strings.Cut(pair, "=")
	if ok && strings.TrimSpace(val) != "" && strings.TrimSpace(val) != redactedText {
		pair = name + "=" + redactedText
	}
	if hasAttrs {
		return pair + ";" + attrs
	}
	return pair
}

// maskKey keeps a cloud key's prefix and last four characters.
func maskKey(m string) string {
	g := reCloudKey.FindStringSubmatch(m)
	body := g[2]
	if len(body) <= 8 {
		return g[1] + strings.Repeat("*", len(body))
	}
	return g[1] + strings.Repeat("*", len(body)-4) + body[len(body)-4:]
}

// sensitiveWords are parameter, field and cookie name parts whose values
// are secrets.
var sensitiveWords = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true, "passphrase": true, "pw": true,
	"secret": true, "token": true, "session": true, "sessid": true, "sessionid": true, "sid": true,
	"jsessionid": true, "phpsessid": true, "aspsessionid": true, "cfid": true, "cftoken": true,
	"apikey": true, "auth": true, "authorization": true, "credential": true, "credentials": true,
	"signature": true, "sig": true, "otp": true, "totp": true, "jwt": true, "bearer": true,
}

// sensitiveParts are found inside names written together
// ("authToken", "x_api_key", "user_password").
var sensitiveParts = []string{"password", "passwd", "secret", "token", "sessid", "sessionid", "apikey", "accesskey", "privatekey", "clientsecret", "credential"}

// sensitiveName says a parameter, field or cookie named name holds a
// secret.
func sensitiveName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	lower := strings.ToLower(name)
	var joined strings.Builder
	for _, tok := range strings.FieldsFunc(lower, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') }) {
		if sensitiveWords[tok] {
			return true
		}
		joined.WriteString(tok)
	}
	j := joined.String()
	if sensitiveWords[j] {
		return true
	}
	for _, p := range sensitiveParts {
		if strings.Contains(j, p) {
			return true
		}
	}
	return false
}

// Handler wraps h so that every message and attribute it writes is
// redacted.
func (r *Redactor) Handler(h slog.Handler) slog.Handler { return &redactHandler{h: h, r: r} }

type redactHandler struct {
	h slog.Handler
	r *Redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.attr(a)
	}
	return &redactHandler{h: h.h.WithAttrs(red), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{h: h.h.WithGroup(name), r: h.r}
}

func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, e := range g {
			red[i] = h.attr(e)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.r.String(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, h.r.String(x.String()))
		default:
			return slog.String(a.Key, h.r.String(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
