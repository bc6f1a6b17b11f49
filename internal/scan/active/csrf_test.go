package active

import (
	"strings"
	"testing"
)

func TestCSRF(t *testing.T) {
	text := func(n string) FormField { return FormField{Name: n, Type: "text"} }
	pass := func(n string) FormField { return FormField{Name: n, Type: "password"} }
	hidden := func(n, v string) FormField { return FormField{Name: n, Type: "hidden", Value: v} }
	submit := func(n, v string) FormField { return FormField{Name: n, Type: "submit", Value: v} }
	const page = "https://bank.example/account"
	tests := []struct {
		name string
		form HTMLForm
		want string
	}{
		// Vulnerable.
		{"POST profile without token", HTMLForm{Page: page, Action: "/profile", Method: "post",
			Fields: []FormField{text("email"), text("name"), submit("", "Save")}}, "csrf.form"},
		{"POST transfer with a short hidden id", HTMLForm{Page: page, Action: "transfer", Method: "POST",
			Fields: []FormField{hidden("from", "1001"), text("to"), text("amount")}}, "csrf.form"},
		{"POST add to cart, hidden fields only", HTMLForm{Page: page, Action: "/cart", Method: "POST",
			Fields: []FormField{hidden("product", "42"), submit("", "Add to cart")}}, "csrf.form"},
		{"POST with a hidden URL", HTMLForm{Page: page, Action: "/comment", Method: "POST",
			Fields: []FormField{hidden("return", "/posts/interesting-article-title"), {Name: "body", Type: "textarea"}}}, "csrf.form"},
		{"GET password change", HTMLForm{Page: page, Action: "#", Method: "GET",
			Fields: []FormField{pass("password_new"), pass("password_conf"), submit("Change", "Change")}}, "csrf.get"},
		{"GET delete", HTMLForm{Page: page, Action: "/items/delete", Method: "",
			Fields: []FormField{hidden("id", "7"), submit("", "Delete")}}, "csrf.get"},
		{"GET newEmail", HTMLForm{Page: page, Action: "/settings", Method: "get",
			Fields: []FormField{text("newEmail")}}, "csrf.get"},

		// Fixed twins and forms that need no token.
		{"POST profile with csrf token", HTMLForm{Page: page, Action: "/profile", Method: "post",
			Fields: []FormField{hidden("csrfmiddlewaretoken", "abc"), text("email")}}, ""},
		{"POST with Rails token", HTMLForm{Page: page, Action: "/profile", Method: "post",
			Fields: []FormField{hidden("authenticity_token", "x"), text("email")}}, ""},
		{"POST with ASP.NET token", HTMLForm{Page: page, Action: "/profile", Method: "post",
			Fields: []FormField{hidden("__RequestVerificationToken", "x"), text("email")}}, ""},
		{"POST with user_token", HTMLForm{Page: page, Action: "/profile", Method: "post",
			Fields: []FormField{hidden("user_token", "x"), pass("password_new")}}, ""},
		{"POST with an unnamed random hidden value", HTMLForm{Page: page, Action: "/profile", Method: "post",
			Fields: []FormField{hidden("sig", "9f86d081884c7d659a2feaa0c55ad015"), text("email")}}, ""},
		{"password change asking the current password", HTMLForm{Page: page, Action: "/password", Method: "post",
			Fields: []FormField{pass("password_current"), pass("password_new"), pass("password_conf")}}, ""},
		{"GET password change with token", HTMLForm{Page: page, Action: "#", Method: "GET",
			Fields: []FormField{pass("password_new"), pass("password_conf"), hidden("user_token", "4f1c"), submit("Change", "Change")}}, ""},
		{"GET search", HTMLForm{Page: page, Action: "/search", Method: "GET", Fields: []FormField{text("q")}}, ""},
		{"POST search", HTMLForm{Page: page, Action: "/search", Method: "POST", Fields: []FormField{text("query"), submit("", "Search")}}, ""},
		{"GET with sort order", HTMLForm{Page: page, Action: "/list", Method: "GET", Fields: []FormField{text("order_by"), text("sort")}}, ""},
		{"login", HTMLForm{Page: page, Action: "/login", Method: "POST", Fields: []FormField{text("username"), pass("password"), submit("", "Log in")}}, ""},
		{"logout", HTMLForm{Page: page, Action: "/logout", Method: "POST", Fields: []FormField{submit("", "Sign out")}}, ""},
		{"another site", HTMLForm{Page: page, Action: "https://pay.example/checkout", Method: "POST", Fields: []FormField{hidden("amount", "5")}}, ""},
		{"dialog", HTMLForm{Page: page, Method: "dialog", Fields: []FormField{submit("", "Close")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := CSRF(tt.form)
			got := ""
			if len(res) > 0 {
				got = res[0].Check
			}
			if got != tt.want {
				t.Fatalf("CSRF(%+v) = %q, want %q (%+v)", tt.form, got, tt.want, res)
			}
			if got != "" {
				r := res[0]
				if _, ok := CheckInfo(got); !ok || r.Detail == "" || !strings.Contains(r.Request, "<form") || r.Point.URL == nil {
					t.Errorf("result %+v", r)
				}
			}
		})
	}
}

func TestCSRFTokenValue(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"9f86d081884c7d659a2feaa0c55ad015", true},
		{"dGhpcyBpcyBhIHRva2VuIDEyMzQ1Njc4OQ==", true},
		{"/posts/interesting-article-title", false},
		{"1234567890123456", false},
		{"aaaaaaaaaaaaaaaa1", false},
		{"short1", false},
		{"has spaces in it 123456", false},
	}
	for _, tt := range tests {
		if got := csrfTokenValue(tt.v); got != tt.want {
			t.Errorf("csrfTokenValue(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestCSRFWords(t *testing.T) {
	if got := strings.Join(csrfWords("password_new", "newEmail", "X-Y"), " "); got != "password new new email x y" {
		t.Errorf("csrfWords = %q", got)
	}
}
