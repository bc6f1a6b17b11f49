package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	key := testKey(0xf0) // bytes with the high bit set, so base64 uses + / - _
	std := base64.StdEncoding.EncodeToString(key)
	url := base64.URLEncoding.EncodeToString(key)
	if std == url {
		t.Fatal("test key encodes the same in both alphabets")
	}
	tests := []struct{ name, in string }{
		{"base64 std padded", std},
		{"base64 std raw", strings.TrimRight(std, "=")},
		{"base64 url padded", url},
		{"base64 url raw", strings.TrimRight(url, "=")},
		{"hex lower", hex.EncodeToString(key)},
		{"hex upper", strings.ToUpper(hex.EncodeToString(key))},
		{"trailing newline from a file", std + "\n"},
		{"surrounding spaces", "  " + hex.EncodeToString(key) + "\t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.in)
			if err != nil {
				t.Fatalf("ParseKey(%q) = %v", tt.in, err)
			}
			if !bytes.Equal(got, key) {
				t.Errorf("ParseKey(%q) = %x, want %x", tt.in, got, key)
			}
		})
	}
}

func TestParseKeyErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(testKey(1)[:16])
	tests := []struct{ name, in, want string }{
		{"empty", "", "the key is empty"},
		{"blank", " \n", "the key is empty"},
		{"16 bytes base64", short, "decodes to 16 bytes"},
		{"48 bytes base64", base64.StdEncoding.EncodeToString(append(testKey(1), testKey(2)[:16]...)), "decodes to 48 bytes"},
		{"32 hex digits", hex.EncodeToString(testKey(1)[:16]), "32 hex digits"},
		{"66 hex digits", hex.EncodeToString(append(testKey(1), 1)), "66 hex digits"},
		{"not base64", "this is not a key, it is a sentence!", "neither base64 nor hex"},
		{"unexpanded reference", "${env:RAMPART_SEAL_KEY}", "neither base64 nor hex"},
		{"all zeros", base64.StdEncoding.EncodeToString(make([]byte, 32)), "all zeros"},
		{"too long", strings.Repeat("A", 1000), "1000 characters"},
		{"non-canonical padding bits", strings.TrimRight(base64.StdEncoding.EncodeToString(testKey(1)), "=")[:42] + "B", "neither base64 nor hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.in)
			if err == nil {
				t.Fatalf("ParseKey(%q) = %x, nil; want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseKey(%q) = %q; want it to contain %q", tt.in, err, tt.want)
			}
			if !strings.Contains(err.Error(), "base64 32") {
				t.Errorf("ParseKey(%q) = %q; want it to say how to make a key", tt.in, err)
			}
			if len(tt.in) > 8 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
				t.Errorf("ParseKey(%q) error repeats the input", tt.in)
			}
		})
	}
}

func FuzzParseKey(f *testing.F) {
	key := testKey(0xf0)
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key),
		hex.EncodeToString(key), "", "${file:seal.key}", strings.Repeat("A", 44),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4*maxKeyText {
			return
		}
		key, err := ParseKey(s)
		if err != nil {
			if key != nil {
				t.Errorf("ParseKey(%q) = %x, %v; want nil key with an error", s, key, err)
			}
			return
		}
		if len(key) != KeySize {
			t.Fatalf("ParseKey(%q) = %d bytes, want %d", s, len(key), KeySize)
		}
		// Whatever was accepted is one of the canonical encodings of key.
		in := strings.TrimSpace(s)
		ok := strings.EqualFold(in, hex.EncodeToString(key))
		for _, enc := range keyEncodings {
			ok = ok || strings.ReplaceAll(strings.ReplaceAll(in, "\r", ""), "\n", "") == enc.EncodeToString(key)
		}
		if !ok {
			t.Errorf("ParseKey(%q) = %x, which no accepted encoding writes as the input", s, key)
		}
	})
}
