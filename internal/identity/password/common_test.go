package password

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func gz(tb testing.TB, s string) []byte {
	tb.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestCommonList(t *testing.T) {
	l, err := loadCommon()
	if err != nil {
		t.Fatalf("loadCommon() = %v", err)
	}
	// COMMON_PASSWORDS.md gives this number; change both together.
	if n := l.len(); n != 426886 {
		t.Errorf("the list has %d entries, want 426886 (at least the 100 000 most common)", n)
	}
	for _, pw := range []string{"123456", "password", "qwerty", "dragon", "iloveyou", "trustno1", "password1234", "123456789012"} {
		if !l.contains(pw) {
			t.Errorf("contains(%q) = false, want true", pw)
		}
	}
	for _, pw := range []string{"", "Zq8#mK2$wL9!", "correct horse battery staple rampart", "\n", "123456\n"} {
		if l.contains(pw) {
			t.Errorf("contains(%q) = true, want false", pw)
		}
	}
	first, last := l.entry(0), l.entry(l.len()-1)
	if first >= last || strings.ContainsRune(first, '\n') || strings.ContainsRune(last, '\n') {
		t.Errorf("first and last entries %q, %q are not sorted lines", first, last)
	}
}

func TestIsCommonLowerCase(t *testing.T) {
	tests := []struct {
		pw   string
		want bool
	}{
		{"password1234", true},
		{"PASSWORD1234", true},
		{"PassWord1234", true},
		{"Zq8#mK2$wL9!", false},
	}
	for _, tt := range tests {
		got, err := isCommon(tt.pw)
		if got != tt.want || err != nil {
			t.Errorf("isCommon(%q) = %v, %v; want %v, nil", tt.pw, got, err, tt.want)
		}
	}
}

func TestParseCommon(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		ok   bool
		want []string
	}{
		{"sorted", gz(t, "a\nb\nc\n"), true, []string{"a", "b", "c"}},
		{"one entry", gz(t, "x\n"), true, []string{"x"}},
		{"unsorted", gz(t, "b\na\n"), false, nil},
		{"duplicate", gz(t, "a\na\n"), false, nil},
		{"empty line", gz(t, "a\n\nb\n"), false, nil},
		{"no final newline", gz(t, "a\nb"), false, nil},
		{"empty", gz(t, ""), false, nil},
		{"not gzip", []byte("a\nb\n"), false, nil},
		{"truncated gzip", gz(t, "a\nb\n")[:10], false, nil},
		{"too large", gz(t, strings.Repeat("a", maxCommonSize)+"\n"), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := parseCommon(tt.data)
			if (err == nil) != tt.ok {
				t.Fatalf("parseCommon() = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			var got []string
			for i := range l.len() {
				got = append(got, l.entry(i))
				if !l.contains(l.entry(i)) {
					t.Errorf("contains(%q) = false for an entry", l.entry(i))
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("entries = %q, want %q", got, tt.want)
			}
		})
	}
}
