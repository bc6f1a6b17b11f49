package password

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Policy decides whether a new password may be set, after NIST SP 800-63B:
// length limits, a check against common and breached passwords and against
// the user's own name, and no composition rules (no "one digit, one symbol"),
// which make passwords harder to remember and no harder to guess. Every
// character is allowed; length is counted in Unicode code points.
//
// The zero value checks lengths with the defaults but not the list of common
// passwords; DefaultPolicy checks both.
type Policy struct {
	// MinLength is the fewest characters a password may have: at least 8,
	// as NIST requires; 0 means 12. NIST asks for 15 when the password is the
	// only factor.
	MinLength int
	// MaxLength is the most characters a password may have: at least 128 so
	// passphrases fit; 0 means 256. It bounds the input to hashing.
	MaxLength int
	// CheckCommon rejects passwords on the embedded list of about 427 000
	// common and breached passwords, matched exactly or in lower case.
	CheckCommon bool
}

// DefaultPolicy is the policy rampart applies unless configured otherwise.
var DefaultPolicy = Policy{MinLength: 12, MaxLength: 256, CheckCommon: true}

const (
	defaultMinLength = 12
	defaultMaxLength = 256
	lowestMinLength  = 8
	lowestMaxLength  = 128
)

// Validate reports whether p is a usable policy: MinLength 0 or at least 8,
// MaxLength 0 or at least 128, and MinLength at most MaxLength.
func (p Policy) Validate() error {
	p = p.withDefaults()
	switch {
	case p.MinLength < lowestMinLength:
		return fmt.Errorf("password policy: minimum length %d is below %d", p.MinLength, lowestMinLength)
	case p.MaxLength < lowestMaxLength:
		return fmt.Errorf("password policy: maximum length %d is below %d", p.MaxLength, lowestMaxLength)
	case p.MinLength > p.MaxLength:
		return fmt.Errorf("password policy: minimum length %d is above the maximum %d", p.MinLength, p.MaxLength)
	}
	return nil
}

func (p Policy) withDefaults() Policy {
	if p.MinLength == 0 {
		p.MinLength = defaultMinLength
	}
	if p.MaxLength == 0 {
		p.MaxLength = defaultMaxLength
	}
	return p
}

// Reason says why a password was refused.
type Reason int

// The reasons a PolicyError gives.
const (
	TooShort   Reason = iota + 1 // fewer than MinLength characters
	TooLong                      // more than MaxLength characters
	NotText                      // not valid UTF-8
	Common                       // on the list of common and breached passwords
	SameAsUser                   // the username, e-mail address or another context word
)

// A PolicyError is a password that the policy refused. Its message is meant
// for the user who chose the password.
type PolicyError struct {
	Reason Reason
	Limit  int // the length limit for TooShort and TooLong
}

func (e *PolicyError) Error() string {
	switch e.Reason {
	case TooShort:
		return fmt.Sprintf("password must be at least %d characters long", e.Limit)
	case TooLong:
		return fmt.Sprintf("password must be at most %d characters long", e.Limit)
	case NotText:
		return "password contains bytes that are not valid text"
	case Common:
		return "password is on a list of common or breached passwords; choose another"
	case SameAsUser:
		return "password must not be your username or e-mail address"
	}
	return "password is not allowed"
}

// Check returns nil if pw may be set as a password, or a *PolicyError saying
// why not. context holds words the password must not equal, ignoring case:
// the username, the e-mail address (whose local part counts too), the name
// of the service. An invalid policy gives the error of Validate; a failure to
// load the common passwords (which cannot happen with a correct build) is
// returned as it is, so it is not shown to the user as a PolicyError.
func (p Policy) Check(pw string, context ...string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p = p.withDefaults()
	// A code point is at most 4 bytes: a longer string is too long without
	// counting it.
	if len(pw) > 4*p.MaxLength {
		return &PolicyError{Reason: TooLong, Limit: p.MaxLength}
	}
	if !utf8.ValidString(pw) {
		return &PolicyError{Reason: NotText}
	}
	n := utf8.RuneCountInString(pw)
	if n > p.MaxLength {
		return &PolicyError{Reason: TooLong, Limit: p.MaxLength}
	}
	if n < p.MinLength {
		return &PolicyError{Reason: TooShort, Limit: p.MinLength}
	}
	for _, c := range context {
		if sameAsContext(pw, c) {
			return &PolicyError{Reason: SameAsUser}
		}
	}
	if p.CheckCommon {
		common, err := isCommon(pw)
		if err != nil {
			return fmt.Errorf("password policy: %w", err)
		}
		if common {
			return &PolicyError{Reason: Common}
		}
	}
	return nil
}

// sameAsContext reports whether pw is c, or the local part of c when c is an
// e-mail address, ignoring case.
func sameAsContext(pw, c string) bool {
	c = strings.TrimSpace(c)
	if c == "" {
		return false
	}
	if strings.EqualFold(pw, c) {
		return true
	}
	local, _, ok := strings.Cut(c, "@")
	return ok && local != "" && strings.EqualFold(pw, local)
}
