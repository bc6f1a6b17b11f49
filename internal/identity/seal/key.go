package seal

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// maxKeyText bounds what ParseKey reads; a key in base64 is 44 characters.
const maxKeyText = 256

// keyHelp ends every ParseKey error with how to make a good key.
const keyHelp = "want 32 random bytes as base64 or as 64 hex digits (openssl rand -base64 32)"

// ParseKey reads a 32-byte key from configuration text: base64 (standard
// or URL alphabet, with or without padding) or 64 hex digits. Surrounding
// white space, such as the newline that ends a key file, is ignored. Its
// errors say what is wrong and never repeat the text.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, errors.New("parse key: the key is empty; " + keyHelp)
	case len(s) > maxKeyText:
		return nil, fmt.Errorf("parse key: the key is %d characters long; %s", len(s), keyHelp)
	}
	key, err := decodeKey(s)
	if err != nil {
		return nil, fmt.Errorf("parse key: %w; %s", err, keyHelp)
	}
	if allZero(key) {
		return nil, errors.New("parse key: the key is all zeros, a placeholder; " + keyHelp)
	}
	return key, nil
}

var keyEncodings = []*base64.Encoding{
	base64.StdEncoding.Strict(),
	base64.RawStdEncoding.Strict(),
	base64.URLEncoding.Strict(),
	base64.RawURLEncoding.Strict(),
}

// decodeKey decodes s as hex or base64 and checks the length; the error
// names the form s seems to be in.
func decodeKey(s string) ([]byte, error) {
	hexDigits := isHex(s)
	if hexDigits && len(s) == 2*KeySize {
		return hex.DecodeString(s)
	}
	base64Len := -1
	for _, enc := range keyEncodings {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) == KeySize {
			return b, nil
		}
		base64Len = len(b)
	}
	switch {
	case hexDigits:
		return nil, fmt.Errorf("the key is %d hex digits", len(s))
	case base64Len >= 0:
		return nil, fmt.Errorf("the key decodes to %d bytes", base64Len)
	default:
		return nil, errors.New("the key is neither base64 nor hex")
	}
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func allZero(b []byte) bool {
	var or byte
	for _, c := range b {
		or |= c
	}
	return or == 0
}
