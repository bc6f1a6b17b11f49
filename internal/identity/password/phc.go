package password

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

type argonVariant int

const (
	argon2i argonVariant = iota + 1
	argon2id
)

func (v argonVariant) String() string {
	if v == argon2i {
		return "argon2i"
	}
	return "argon2id"
}

// argonHash is a decoded argon2 PHC string. params.SaltLen and params.KeyLen
// are the lengths of salt and key.
type argonHash struct {
	variant argonVariant
	version int
	params  Params
	salt    []byte
	key     []byte
}

// phcB64 is the PHC string format's base64: standard alphabet, no padding,
// and (Strict) no stray bits, so every hash has exactly one encoding.
var phcB64 = base64.RawStdEncoding.Strict()

// encode returns a in PHC string format.
func (a argonHash) encode() string {
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s", a.variant, a.version,
		a.params.Memory, a.params.Time, a.params.Threads,
		phcB64.EncodeToString(a.salt), phcB64.EncodeToString(a.key))
}

// hasParams reports whether a is argon2id v=19 with exactly p.
func (a argonHash) hasParams(p Params) bool {
	return a.variant == argon2id && a.version == argon2.Version && a.params == p
}

// parsePHC decodes an argon2i or argon2id hash in PHC string format,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// checking it against the package's bounds before anything is allocated for
// it. Numbers are decimal without leading zeros, as the PHC format requires;
// parameters other than m, t and p (keyid, data) are not supported.
func parsePHC(s string) (argonHash, error) {
	var a argonHash
	if len(s) > maxEncodedLen {
		return a, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxEncodedLen)
	}
	f := strings.Split(s, "$")
	if len(f) < 2 || f[0] != "" {
		return a, fmt.Errorf("%w: argon2 hash does not start with $", ErrMalformed)
	}
	switch f[1] {
	case "argon2id":
		a.variant = argon2id
	case "argon2i":
		a.variant = argon2i
	case "argon2d":
		return a, fmt.Errorf("%w: argon2d", ErrUnsupported)
	default:
		return a, fmt.Errorf("%w: not an argon2 hash", ErrUnsupported)
	}
	if len(f) == 5 && strings.HasPrefix(f[2], "m=") {
		// Without v= the PHC format means version 0x10, which
		// golang.org/x/crypto/argon2 does not implement.
		return a, fmt.Errorf("%w: argon2 version 16 (no v= field); only 19 is supported", ErrUnsupported)
	}
	if len(f) != 6 {
		return a, fmt.Errorf("%w: argon2 hash has %d fields, want 6", ErrMalformed, len(f))
	}

	v, ok := strings.CutPrefix(f[2], "v=")
	if !ok {
		return a, fmt.Errorf("%w: argon2 version field does not start with v=", ErrMalformed)
	}
	version, err := decimal(v)
	if err != nil {
		return a, fmt.Errorf("%w: argon2 version: %v", ErrMalformed, err)
	}
	if version != argon2.Version {
		return a, fmt.Errorf("%w: argon2 version %d; only 19 is supported", ErrUnsupported, version)
	}
	a.version = argon2.Version

	params := strings.Split(f[3], ",")
	if len(params) != 3 {
		return a, fmt.Errorf("%w: argon2 parameters are not m=,t=,p=", ErrMalformed)
	}
	var m, t, p uint64
	for i, dst := range []*uint64{&m, &t, &p} {
		name := "mtp"[i : i+1]
		val, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return a, fmt.Errorf("%w: argon2 parameters are not m=,t=,p=", ErrMalformed)
		}
		if *dst, err = decimal(val); err != nil {
			return a, fmt.Errorf("%w: argon2 parameter %s: %v", ErrMalformed, name, err)
		}
	}
	switch {
	case t < 1:
		return a, fmt.Errorf("%w: argon2 t=0", ErrMalformed)
	case t > maxArgonTime:
		return a, fmt.Errorf("%w: argon2 t=%d is above the limit of %d", ErrUnsupported, t, maxArgonTime)
	case p < 1:
		return a, fmt.Errorf("%w: argon2 p=0", ErrMalformed)
	case p > maxArgonThreads:
		return a, fmt.Errorf("%w: argon2 p=%d is above the limit of %d", ErrUnsupported, p, maxArgonThreads)
	case m > maxArgonMemory:
		return a, fmt.Errorf("%w: argon2 m=%d KiB is above the limit of %d KiB (1 GiB)", ErrUnsupported, m, maxArgonMemory)
	case m < 8*p:
		return a, fmt.Errorf("%w: argon2 m=%d KiB is below 8 KiB per lane", ErrMalformed, m)
	}
	a.params.Memory = uint32(m)
	a.params.Time = uint32(t)
	a.params.Threads = uint8(p)

	if a.salt, err = decodeBounded(phcB64, f[4], "argon2 salt", minArgonSalt, maxArgonSalt); err != nil {
		return a, err
	}
	if a.key, err = decodeBounded(phcB64, f[5], "argon2 hash", minArgonKey, maxArgonKey); err != nil {
		return a, err
	}
	a.params.SaltLen = uint32(len(a.salt)) // #nosec G115 -- at most maxArgonSalt
	a.params.KeyLen = uint32(len(a.key))   // #nosec G115 -- at most maxArgonKey
	return a, nil
}

// decodeBounded decodes s, which must hold between lo and hi bytes. It checks
// the encoded length first, so an oversized field is refused unread.
func decodeBounded(enc *base64.Encoding, s, what string, lo, hi int) ([]byte, error) {
	if len(s) > enc.EncodedLen(hi) {
		return nil, fmt.Errorf("%w: %s is longer than the limit of %d bytes", ErrUnsupported, what, hi)
	}
	// encoding/base64 skips CR and LF; a PHC field holds neither, and
	// accepting them would let two spellings stand for one hash.
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("%w: %s holds a line break", ErrMalformed, what)
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	if len(b) < lo {
		return nil, fmt.Errorf("%w: %s of %d bytes is shorter than %d", ErrMalformed, what, len(b), lo)
	}
	if len(b) > hi {
		return nil, fmt.Errorf("%w: %s of %d bytes is longer than the limit of %d", ErrUnsupported, what, len(b), hi)
	}
	return b, nil
}

// decimal parses a non-negative decimal number of at most 10 digits without
// sign or leading zeros.
func decimal(s string) (uint64, error) {
	switch {
	case s == "":
		return 0, fmt.Errorf("empty number")
	case len(s) > 10:
		return 0, fmt.Errorf("number of %d digits", len(s))
	case len(s) > 1 && s[0] == '0':
		return 0, fmt.Errorf("number with a leading zero")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("not a decimal number")
		}
	}
	return strconv.ParseUint(s, 10, 64)
}
