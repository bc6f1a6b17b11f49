package active

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// csrfInfo describes the CSRF checks.
var csrfInfo = map[string]Info{
	"csrf.form": {
		Title:    "Form without anti-CSRF protection",
		Severity: "medium",
		CWE:      352,
		OWASP:    "A01:2021-Broken Access Control",
		Description: "A form that changes state is submitted with no anti-CSRF token, so another site can " +
			"submit it in the victim's browser, with the victim's cookies: change their email or password, " +
			"make a transfer, post content. SameSite cookies mitigate this only where every cookie has " +
			"them and the browser applies them.",
		Fix: "Add a per-session or per-request unpredictable token to every state-changing form and check " +
			"it on the server (most frameworks do this: Django csrf_token, Rails authenticity_token, " +
			"ASP.NET antiforgery, Spring Security); set SameSite=Lax or Strict on session cookies; ask for " +
			"the current password before changing credentials.",
		References: []string{
			"https://owasp.org/www-community/attacks/csrf",
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/352.html",
		},
	},
	"csrf.get": {
		Title:    "State change by a GET request",
		Severity: "medium",
		CWE:      352,
		OWASP:    "A01:2021-Broken Access Control",
		Description: "A form changes state with a GET request and no anti-CSRF token: an image tag or a link " +
			"on any site makes the victim's browser do it, SameSite=Lax cookies included, and the " +
			"parameters (a new password) end up in logs, history and Referer headers.",
		Fix: "Make state-changing actions POST (or PUT, PATCH, DELETE) only, reject GET for them on the " +
			"server, and protect them with an anti-CSRF token.",
		References: []string{
			"https://owasp.org/www-community/attacks/csrf",
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/352.html",
		},
	},
}

// HTMLForm is a form as the CSRF check needs it; the scanner converts
// the crawler's forms to it.
type HTMLForm struct {
	// Page is the URL of the page that holds the form ("" if unknown);
	// a form that submits to another site is not this site's to protect.
	Page string
	// Action is the URL the form submits to, absolute or relative to
	// Page.
	Action string
	// Method is the form's method, GET when empty.
	Method string
	Fields []FormField
}

// FormField is one named field of an HTMLForm.
type FormField struct {
	Name  string
	Type  string // input type in lowercase, or "textarea", "select"
	Value string // default value
}

var (
	// csrfTokenNameRE matches the field names of anti-CSRF tokens of
	// the common frameworks and hand-made ones.
	csrfTokenNameRE = regexp.MustCompile(`(?i)csrf|xsrf|token|authenticity|requestverification|nonce|antiforgery|__viewstateuserkey|form_key|formkey|sesskey|captcha`)
	// csrfLogoutRE matches sign-out actions, which are not worth a finding.
	csrfLogoutRE = regexp.MustCompile(`(?i)log_?out|sign_?out|log-out|sign-out`)
	// csrfCurrentPassRE matches a field asking for the current password,
	// which an attacker cannot supply.
	csrfCurrentPassRE = regexp.MustCompile(`(?i)current|old|orig|existing`)
	// csrfUserRE matches the user name field of a login form.
	csrfUserRE = regexp.MustCompile(`(?i)user|login|e-?mail|name|account|^id$|uid`)
)

// csrfStateWords are words of actions, field names and buttons that
// change state.
var csrfStateWords = map[string]bool{
	"delete": true, "del": true, "remove": true, "update": true, "change": true, "transfer": true,
	"password": true, "passwd": true, "email": true, "edit": true, "modify": true, "create": true,
	"add": true, "save": true, "upload": true, "withdraw": true, "deposit": true, "pay": true,
	"payment": true, "purchase": true, "buy": true, "checkout": true, "approve": true, "grant": true,
	"revoke": true, "role": true, "promote": true, "reset": true, "disable": true, "enable": true,
	"send": true, "comment": true, "vote": true, "follow": true, "subscribe": true, "unsubscribe": true,
	"invite": true, "amount": true, "confirm": true, "register": true, "signup": true,
}

// csrfSearchWords are names of search and display fields.
var csrfSearchWords = map[string]bool{
	"q": true, "s": true, "query": true, "search": true, "keyword": true, "keywords": true, "term": true,
	"find": true, "filter": true, "sort": true, "lang": true, "language": true, "locale": true, "page": true,
}

// csrfWords splits names into lowercase words at non-letters and at
// camelCase boundaries: "password_new" and "newPassword" give "new",
// "password".
func csrfWords(names ...string) []string {
	var out []string
	for _, n := range names {
		var w []rune
		flush := func() {
			if len(w) > 0 {
				out = append(out, strings.ToLower(string(w)))
				w = w[:0]
			}
		}
		prevLower := false
		for _, r := range n {
			isUpper := 'A' <= r && r <= 'Z'
			isLetter := isUpper || ('a' <= r && r <= 'z')
			if !isLetter || (isUpper && prevLower) {
				flush()
			}
			if isLetter {
				w = append(w, r)
			}
			prevLower = 'a' <= r && r <= 'z'
		}
		flush()
	}
	return out
}

// csrfTokenValue says whether a hidden field's value looks like a token:
// at least 16 characters of a token alphabet, letters and digits mixed,
// and at least 3 bits of entropy per character.
func csrfTokenValue(v string) bool {
	if len(v) < 16 || len(v) > 4096 {
		return false
	}
	var letter, digit bool
	counts := map[rune]int{}
	for _, r := range v {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			letter = true
		case '0' <= r && r <= '9':
			digit = true
		case strings.ContainsRune("+/=_-.:", r):
		default:
			return false
		}
		counts[r]++
	}
	if !letter || !digit {
		return false
	}
	var h float64
	n := float64(len(v))
	for _, c := range counts {
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h >= 3
}

// csrfProtected says whether a form carries an anti-CSRF token (by name,
// or a hidden field holding a random-looking value), a CAPTCHA, or asks
// for the current password.
func csrfProtected(f HTMLForm) (string, bool) {
	for _, fd := range f.Fields {
		switch {
		case csrfTokenNameRE.MatchString(fd.Name):
			return "field " + fd.Name, true
		case fd.Type == "hidden" && csrfTokenValue(fd.Value):
			return "hidden field " + fd.Name + " with a random value", true
		case fd.Type == "password" && csrfCurrentPassRE.MatchString(fd.Name):
			return "current password field " + fd.Name, true
		}
	}
	return "", false
}

// csrfKind classifies a form: "" when it needs no protection (a search,
// a login, a sign-out, a form to another site), else the check to report
// it under and why it changes state.
func csrfKind(f HTMLForm) (check, why string) {
	method := strings.ToUpper(strings.TrimSpace(f.Method))
	if method == "" {
		method = http.MethodGet
	}
	if method == "DIALOG" {
		return "", ""
	}
	action := f.Action
	if page, err := url.Parse(f.Page); err == nil && f.Page != "" {
		a, err := page.Parse(f.Action)
		if err != nil {
			return "", ""
		}
		if a.Host != page.Host || (a.Scheme != "http" && a.Scheme != "https") {
			return "", "" // another site's form, or mailto:/javascript:
		}
		action = a.Path
	} else if a, err := url.Parse(f.Action); err == nil {
		action = a.Path
	}
	if csrfLogoutRE.MatchString(action) {
		return "", ""
	}
	var names []string
	var inputs, passwords, searches, users int
	for _, fd := range f.Fields {
		switch fd.Type {
		case "submit", "button", "reset", "image":
			names = append(names, fd.Name, fd.Value)
			continue
		case "password":
			passwords++
		case "hidden":
		default:
			if csrfSearchWords[strings.ToLower(fd.Name)] {
				searches++
			}
			if csrfUserRE.MatchString(fd.Name) {
				users++
			}
		}
		names = append(names, fd.Name)
		if fd.Type != "hidden" {
			inputs++
		}
	}
	stateWord := ""
	for _, w := range csrfWords(append([]string{action}, names...)...) {
		if csrfStateWords[w] {
			stateWord = w
			break
		}
	}
	words := " " + strings.Join(csrfWords(append([]string{action}, names...)...), " ") + " "
	// A login form: one password and a user name, nothing that changes
	// an account.
	login := passwords == 1 && users >= 1 && inputs <= 3 &&
		!strings.Contains(words, " new ") && !strings.Contains(words, " change ") && !strings.Contains(words, " reset ") &&
		!strings.Contains(words, " register ") && !strings.Contains(words, " signup ") && !strings.Contains(words, " update ")
	search := inputs > 0 && searches == inputs && passwords == 0
	if login || (search && (stateWord == "" || strings.Contains(words, " search "))) {
		return "", ""
	}
	if method == http.MethodGet {
		if stateWord == "" && passwords == 0 {
			return "", ""
		}
		if stateWord == "" {
			stateWord = "password"
		}
		return "csrf.get", fmt.Sprintf("a GET form that looks state-changing (%q)", stateWord)
	}
	return "csrf.form", "a " + method + " form"
}

// CSRF reports a form that changes state without anti-CSRF protection:
// "csrf.form" for a POST (PUT, PATCH, DELETE) form with no token field
// (csrf, xsrf, token, authenticity_token, __RequestVerificationToken,
// _token, nonce, …, or a hidden field with a random value of 16 or more
// characters), no CAPTCHA and no current-password field; "csrf.get" for
// a GET form whose action or fields name a state change (delete, update,
// change, transfer, password, email, …) or that has a password field.
// Search, login and sign-out forms, and forms that submit to another
// site, are not reported. It sends nothing; results are firm, not
// confirmed, since the server may check a header or Origin instead.
func CSRF(f HTMLForm) []Result {
	check, why := csrfKind(f)
	if check == "" {
		return nil
	}
	if _, ok := csrfProtected(f); ok {
		return nil
	}
	method := strings.ToUpper(strings.TrimSpace(f.Method))
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(f.Action)
	if page, perr := url.Parse(f.Page); perr == nil && f.Page != "" {
		u, err = page.Parse(f.Action)
	}
	if err != nil {
		u = &url.URL{Path: f.Action}
	}
	values := url.Values{}
	var desc strings.Builder
	fmt.Fprintf(&desc, "<form method=%q action=%q>\n", method, f.Action)
	for _, fd := range f.Fields {
		if fd.Name == "" {
			continue
		}
		values.Add(fd.Name, fd.Value)
		fmt.Fprintf(&desc, "  <input type=%q name=%q>\n", fd.Type, fd.Name)
	}
	desc.WriteString("</form>")
	p := Point{Method: method, URL: u, Kind: Form, Form: values}
	if method == http.MethodGet {
		p.Kind, p.Form = Query, nil
	}
	where := ""
	if f.Page != "" {
		where = " on " + f.Page
	}
	return []Result{{
		Check:   check,
		Point:   p,
		Detail:  fmt.Sprintf("The form%s submitting to %s is %s and has no anti-CSRF token.", where, u.Redacted(), why),
		Request: clip(desc.String(), 2*excerptLen),
	}}
}
