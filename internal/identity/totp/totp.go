package totp

import (
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	otptotp "github.com/pquerna/otp/totp"
)

const (
	// Digits is the length of a code.
	Digits = 6
	// Period is how long one step, and so one code, lasts.
	Period = 30 * time.Second
	// SecretSize is the length of a generated secret in bytes.
	SecretSize = 20

	// DefaultSkew accepts the steps either side of the current one, for
	// clocks a little off and codes typed as they change (RFC 6238
	// section 5.2 recommends at most one step back).
	DefaultSkew uint = 1
	// MaxSkew bounds the window; Validate treats a larger skew as MaxSkew.
	// Each step of skew makes a guessed code two steps more likely to hit.
	MaxSkew uint = 10

	// minSecretSize refuses secrets shorter than RFC 4226's 128 bits, and so
	// an empty secret from a broken record, with which anyone could make
	// codes.
	minSecretSize = 16
	// maxSecretText bounds a secret's base32 text (1 KiB of key).
	maxSecretText = 1640
	// maxField bounds the issuer and the account name.
	maxField = 256
)

// Key is a new TOTP key: the secret to store (sealed) and the otpauth://
// URL to show the user once, as a QR code and as text. String, GoString and
// LogValue hide both, since the URL holds the secret too.
type Key struct {
	Secret string // base32, no padding: 32 characters for 20 bytes
	URL    string // otpauth://totp/Issuer:account?secret=...&issuer=...
}

// String hides the secret.
func (Key) String() string { return "totp.Key{[redacted]}" }

// GoString hides the secret.
func (k Key) GoString() string { return k.String() }

// LogValue hides the secret.
func (Key) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Generate makes a key with a random 20-byte secret for account (a user
// name or e-mail address) at issuer (the name the authenticator app shows,
// such as the site's name). Neither may be empty or contain a colon, which
// separates them in the URL, or a control character.
func Generate(issuer, account string) (Key, error) {
	if err := checkField("issuer", issuer); err != nil {
		return Key{}, fmt.Errorf("generate TOTP key: %w", err)
	}
	if err := checkField("account", account); err != nil {
		return Key{}, fmt.Errorf("generate TOTP key: %w", err)
	}
	k, err := otptotp.Generate(otptotp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      uint(Period / time.Second),
		SecretSize:  SecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return Key{}, fmt.Errorf("generate TOTP key: %w", err)
	}
	return Key{Secret: k.Secret(), URL: k.URL()}, nil
}

func checkField(name, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", name)
	case len(s) > maxField:
		return fmt.Errorf("%s is %d bytes long; the limit is %d", name, len(s), maxField)
	case strings.Contains(s, ":"):
		return fmt.Errorf("%s %q contains a colon, which authenticator apps read as the end of the issuer", name, s)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("%s %q contains a control character", name, s)
	}
	return nil
}

// Step returns the number of the 30 s step that t falls in: the counter of
// RFC 6238, floor(Unix time / 30).
func Step(t time.Time) int64 {
	s := t.Unix()
	p := int64(Period / time.Second)
	if s < 0 && s%p != 0 {
		return s/p - 1
	}
	return s / p
}

// decodeSecret decodes a secret as Generate writes it: upper-case base32,
// padded or not. It refuses secrets shorter than 128 bits or longer than
// maxSecretText characters.
func decodeSecret(secret string) ([]byte, error) {
	if len(secret) > maxSecretText {
		return nil, fmt.Errorf("the TOTP secret is %d characters; the limit is %d", len(secret), maxSecretText)
	}
	enc := base32.StdEncoding
	if !strings.HasSuffix(secret, "=") {
		enc = enc.WithPadding(base32.NoPadding)
	}
	b, err := enc.DecodeString(secret)
	if err != nil || strings.ContainsAny(secret, "\r\n") {
		return nil, errors.New("the TOTP secret is not base32")
	}
	if len(b) < minSecretSize {
		return nil, fmt.Errorf("the TOTP secret is %d bytes; want at least %d", len(b), minSecretSize)
	}
	return b, nil
}

// Code returns the code for secret at step, as an authenticator app shows
// it. Tests and the enrolment page's self-check use it; logins use Validate.
func Code(secret string, step int64) (string, error) {
	if _, err := decodeSecret(secret); err != nil {
		return "", fmt.Errorf("TOTP code: %w", err)
	}
	if step < 0 {
		return "", fmt.Errorf("TOTP code: step %d is before 1970", step)
	}
	return codeAt(secret, step)
}

// codeAt computes the HOTP value of a checked secret at step.
func codeAt(secret string, step int64) (string, error) {
	if step < 0 {
		return "", errors.New("TOTP code: negative step")
	}
	c, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", fmt.Errorf("TOTP code: %w", err)
	}
	return c, nil
}

// WellFormed reports whether code is exactly six ASCII digits.
func WellFormed(code string) bool {
	if len(code) != Digits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// Validate reports whether code is the code for secret at a step from
// skew steps before now's to skew steps after it, and which step it is;
// pass DefaultSkew unless configured otherwise. A caller must still refuse
// a step already used (see Fresh). A malformed code or secret gives
// (0, false). When two steps of the window give the same code, the later
// one is returned, which is the safer one to record.
func Validate(code, secret string, now time.Time, skew uint) (step int64, ok bool) {
	if !WellFormed(code) {
		return 0, false
	}
	if _, err := decodeSecret(secret); err != nil {
		return 0, false
	}
	skew = min(skew, MaxSkew)
	cur := Step(now)
	for s := cur - int64(skew); s <= cur+int64(skew); s++ {
		if s < 0 {
			continue // before 1970
		}
		want, err := codeAt(secret, s)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, ok = s, true
		}
	}
	return step, ok
}

// Fresh reports whether step may be accepted for a credential whose last
// accepted step is lastUsed: only a later step may, so each code works once
// and an older code still inside the window cannot follow a newer one. A
// credential that has never accepted a code has lastUsed 0, which every
// real step is after.
func Fresh(step, lastUsed int64) bool { return step > lastUsed }
