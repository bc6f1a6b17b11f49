package request

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"
)

// MaxIDLen is the longest request ID accepted from a trusted proxy.
const MaxIDLen = 128

// idPrefix makes IDs unique across restarts and nodes; idSeq makes them
// unique within a process without a syscall per request.
var (
	idPrefix = func() [12]byte {
		var b [8]byte
		_, _ = rand.Read(b[:])
		var out [12]byte
		encodeBase32(out[:], binary.BigEndian.Uint64(b[:]))
		return out
	}()
	idSeq atomic.Uint64
)

const base32Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

func encodeBase32(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = base32Alphabet[v&31]
		v >>= 5
	}
}

// NewID returns a new request ID: 24 characters of Crockford-style base32,
// a random per-process prefix followed by a counter. IDs are unique, not
// secret: never use one as a token.
func NewID() string {
	var b [24]byte
	copy(b[:12], idPrefix[:])
	encodeBase32(b[12:], idSeq.Add(1))
	return string(b[:])
}

// ValidID reports whether id is acceptable as an incoming request ID: 1 to
// MaxIDLen characters of letters, digits, '-', '_', '.', ':' or '='. Anything
// else could inject into logs or headers and is replaced by a new ID.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '=':
		default:
			return false
		}
	}
	return true
}
