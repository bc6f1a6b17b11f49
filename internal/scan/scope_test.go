package scan

import (
	"regexp"
	"testing"
)

func TestResolve(t *testing.T) {
	base := mustURL(t, "http://Example.com:8080/a/b?x=1")
	tests := []struct{ ref, want string }{
		{"c", "http://example.com:8080/a/c"},
		{"/c#f", "http://example.com:8080/c"},
		{"?y=2", "http://example.com:8080/a/b?y=2"},
		{"//other.example:80/x", "http://other.example/x"},
		{"HTTPS://Other.Example:443", "https://other.example/"},
		{"https://user:pw@e.com/", "https://e.com/"},
		{"../../../../x", "http://example.com:8080/x"},
		{"/a/./b/../c/", "http://example.com:8080/a/c/"},
		{"http://[::1]:8080/v6", "http://[::1]:8080/v6"},
		{"mailto:x@y.z", ""},
		{"javascript:alert(1)", ""},
		{"#top", ""},
		{"", ""},
		{"http://", ""},
		{"http://%zz/", ""},
	}
	for _, tt := range tests {
		got := ""
		if u := resolve(base, tt.ref); u != nil {
			got = u.String()
		}
		if got != tt.want {
			t.Errorf("resolve(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
}

func TestScopeContains(t *testing.T) {
	s := newScope(mustURL(t, "https://app.example.com/"), []*regexp.Regexp{regexp.MustCompile(`^https://app\.example\.com/(shop|$)`)}, []*regexp.Regexp{regexp.MustCompile(`/shop/admin`)})
	tests := []struct {
		u    string
		want bool
	}{
		{"https://app.example.com/", true},
		{"https://app.example.com:443/shop/x", true},
		{"https://app.example.com/blog", false},
		{"https://app.example.com/shop/admin/users", false},
		{"http://app.example.com/shop", false},
		{"https://app.example.com:8443/shop", false},
		{"https://evil.example.com/shop", false},
		{"https://APP.example.com/shop", true},
	}
	for _, tt := range tests {
		if got := s.contains(mustURL(t, tt.u)); got != tt.want {
			t.Errorf("contains(%q) = %v, want %v", tt.u, got, tt.want)
		}
	}
}

func TestIsSignOut(t *testing.T) {
	tests := []struct {
		u, text string
		want    bool
	}{
		{"/logout", "", true},
		{"/user/log_out.php", "", true},
		{"/Account/SignOut", "", true},
		{"/index.php?action=logoff", "", true},
		{"/session/destroy-session", "", true},
		{"/api/session/end", "", true},
		{"/sessions/active", "", false},
		{"/api/session-close", "", true},
		{"/abmelden", "", true},
		{"/x", "Log out", true},
		{"/x", "Abmelden", true},
		{"/x", "Se déconnecter", true},
		{"/blogout", "", false},
		{"/catalog/outlet", "", false},
		{"/exits-and-entries", "", false},
		{"/login", "Sign in", false},
		{"/x", "Logo", false},
	}
	for _, tt := range tests {
		if got := isSignOut(mustURL(t, "http://e.com"+tt.u), tt.text); got != tt.want {
			t.Errorf("isSignOut(%q, %q) = %v, want %v", tt.u, tt.text, got, tt.want)
		}
	}
}
