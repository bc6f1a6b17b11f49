package decode

import (
	"path"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	tests := []struct {
		in, want string
		escapes  bool
	}{
		{"", "", false},
		{"/", "/", false},
		{"/a/b", "/a/b", false},
		{"/a//b/./c/", "/a/b/c", false},
		{"/a/../b", "/b", false},
		{"/../etc/passwd", "/etc/passwd", true},
		{"/static/img/../../etc/passwd", "/etc/passwd", false},
		{"/static/img/../../../etc/passwd", "/etc/passwd", true},
		{`..\..\windows\win.ini`, "../../windows/win.ini", true},
		{`\\server\share\..\..\x`, "/x", false},
		{`\\server\..\..\x`, "/x", true},
		{"a/b/../../..", "..", true},
		{"a/./b/..", "a", false},
		{".", ".", false},
		{"./", ".", false},
		{"..", "..", true},
		{"../a/..", "..", true},
		{"....//", "....", false},
	}
	for _, tt := range tests {
		got, esc := Path(tt.in)
		if got != tt.want || esc != tt.escapes {
			t.Errorf("Path(%q) = %q, %v, want %q, %v", tt.in, got, esc, tt.want, tt.escapes)
		}
	}
}

func FuzzPath(f *testing.F) {
	for _, s := range []string{"/a/../b", "../../etc", `..\..\x`, "a//b/./c/", "/..", "....//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, esc := Path(s)
		if s == "" {
			return
		}
		if want := path.Clean(strings.ReplaceAll(s, `\`, "/")); got != want {
			t.Fatalf("Path(%q) = %q, path.Clean says %q", s, got, want)
		}
		if len(got) > len(s) && got != "." {
			t.Fatalf("Path(%q) = %q is longer than its input", s, got)
		}
		if esc && !strings.Contains(s, "..") {
			t.Fatalf("Path(%q) escapes without a ..", s)
		}
	})
}
