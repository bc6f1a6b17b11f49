// Package recovery makes one-time recovery codes, which let a user who has
// lost their second factor sign in, and turns what a user types into the
// hash the store keeps.
//
// A code is 12 characters in three groups of four, such as
// "x7kq-m2vp-9hta", drawn uniformly by crypto/rand from a 31-character
// alphabet, "23456789abcdefghjkmnpqrstuvwxyz": the digits and lower-case
// letters without 0, o, 1, l and i, which are read and written for one
// another. That is 12 × log2(31) ≈ 59.4 bits per code. [Generate] makes
// [DefaultCount] of them at a time, all different.
//
// The store keeps only [Hash] of each code's normal form, bound to its
// user: SHA-256 in hex of the user ID, a NUL and the 12 characters without
// dashes or spaces, in lower case. A fast hash is used rather than a
// password hash because the codes are random, not chosen: a guess costs
// the same as a guess at a random 59-bit key. Binding the hash to the user
// makes an attacker holding the database guess each user's codes apart
// (2^59 / 10 guesses per user), rather than test every guess against every
// stored hash at once; and a code only replaces the second factor, so the
// password is still needed.
//
// [Normalize] accepts what a user types: any case, dashes and spaces
// anywhere. It judges the shape only, 12 ASCII letters and digits; a
// letter outside the alphabet makes a code that simply matches nothing.
// Using a code once is the store's job: it deletes the hash it matched.
//
// All functions are safe for concurrent use.
package recovery

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

const (
	// Alphabet is what codes are made of: no 0, o, 1, l or i.
	Alphabet = "23456789abcdefghjkmnpqrstuvwxyz"

	// Length is the number of characters in a code, without dashes.
	Length = 12
	// groupLen is the number of characters between dashes.
	groupLen = 4

	// DefaultCount is how many codes a user gets at a time.
	DefaultCount = 10
	// MaxCount bounds Generate.
	MaxCount = 100

	// maxInput bounds what Normalize reads: a code with generous spacing.
	maxInput = 64
)

// Generate returns n different codes formatted as "abcd-efgh-jkmn", and the
// Hash of each, in the same order. Only the hashes are stored; the codes
// are shown to the user once.
func Generate(userID string, n int) (codes []string, hashes []string, err error) {
	if n < 1 || n > MaxCount {
		return nil, nil, fmt.Errorf("generate recovery codes: count %d is not between 1 and %d", n, MaxCount)
	}
	codes = make([]string, 0, n)
	hashes = make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(codes) < n {
		norm := randomCode()
		if seen[norm] { // about 2^-56 for ten codes, but cheap to rule out
			continue
		}
		seen[norm] = true
		codes = append(codes, format(norm))
		hashes = append(hashes, Hash(userID, norm))
	}
	return codes, hashes, nil
}

// randomCode draws Length characters uniformly from Alphabet. A byte is
// used only when it is below the largest multiple of 31 that fits in a
// byte (248), so that no character is likelier than another.
func randomCode() string {
	const limit = 256 - 256%len(Alphabet)
	var out [Length]byte
	var buf [2 * Length]byte
	for n := 0; n < Length; {
		_, _ = rand.Read(buf[:]) // never fails: crypto/rand crashes the program instead
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out[n] = Alphabet[int(b)%len(Alphabet)]
			if n++; n == Length {
				break
			}
		}
	}
	return string(out[:])
}

// format puts dashes between groups of a normal-form code.
func format(norm string) string {
	var sb strings.Builder
	sb.Grow(Length + Length/groupLen - 1)
	for i := 0; i < len(norm); i += groupLen {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(norm[i : i+groupLen])
	}
	return sb.String()
}

// Normalize turns a code as typed into its normal form: dashes and spaces
// removed, letters in lower case. It reports false unless what is left is
// exactly 12 ASCII letters and digits.
func Normalize(input string) (string, bool) {
	if len(input) > maxInput {
		return "", false
	}
	out := make([]byte, 0, Length)
	for i := 0; i < len(input); i++ {
		c := input[i]
		switch {
		case c == '-' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		default:
			return "", false
		}
		if len(out) == Length {
			return "", false
		}
		out = append(out, c)
	}
	if len(out) != Length {
		return "", false
	}
	return string(out), true
}

// Hash returns the SHA-256 of userID, a NUL and a normal-form code, in
// lower-case hex, as the store keeps it. Call Normalize first: Hash does
// not.
func Hash(userID, normalised string) string {
	h := sha256.New()
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(normalised))
	return hex.EncodeToString(h.Sum(nil))
}
