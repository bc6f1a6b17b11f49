package decode

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name, in, want string
		flags          Flags
	}{
		{"ascii", "abc", "abc", 0},
		{"unicode kept", "café 😀", "café 😀", 0},
		{"overlong dot slash", "\xc0\xae\xc0\xae\xc0\xaf", "../", Overlong},
		{"overlong three bytes", "\xe0\x80\xae\xe0\x80\xbc", ".<", Overlong},
		{"overlong four bytes", "\xf0\x80\x80\xaf", "/", Overlong},
		{"overlong to two bytes", "\xe0\x83\xa9", "é", Overlong},
		{"overlong nul", "a\xc0\x80b", "ab", Overlong | NUL},
		{"fullwidth", "＜ｓｃｒｉｐｔ＞", "<script>", Fullwidth},
		{"ideographic space", "a\u3000b", "a b", Fullwidth},
		{"nul removed", "a\x00b\x00", "ab", NUL},
		{"invalid kept", "a\xffb\xc3", "a\xffb\xc3", InvalidUTF8},
		{"lone continuation", "\x80", "\x80", InvalidUTF8},
		{"truncated overlong", "\xc0", "\xc0", InvalidUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if _, f := appendFold(nil, []byte(tt.in)); f != tt.flags {
				t.Errorf("appendFold(%q) flags = %v, want %v", tt.in, f, tt.flags)
			}
		})
	}
}

func TestFoldRoundTrip(t *testing.T) {
	const s = "<script>alert('x')</script> ../etc/passwd ~{}|"
	var full, over2, over3 strings.Builder
	for _, c := range []byte(s) {
		if c == ' ' {
			full.WriteRune('\u3000')
		} else {
			full.WriteRune(rune(c) - '!' + 0xff01)
		}
		over2.Write([]byte{0xc0 | c>>6, 0x80 | c&0x3f})
		over3.Write([]byte{0xe0, 0x80 | c>>6, 0x80 | c&0x3f})
	}
	for name, in := range map[string]string{"fullwidth": full.String(), "overlong2": over2.String(), "overlong3": over3.String()} {
		if got := Fold(in); got != s {
			t.Errorf("Fold(%s of %q) = %q", name, s, got)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"\xc0\xae", "\xe0\x80\xae", "\xf0\x80\x80\xae", "＜", "\x00", "\xff", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if len(got) > len(s) {
			t.Fatalf("Fold(%q) = %q is longer than its input", s, got)
		}
		if strings.IndexByte(got, 0) >= 0 {
			t.Fatalf("Fold(%q) = %q keeps a NUL", s, got)
		}
	})
}
