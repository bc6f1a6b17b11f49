package active

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	"time"
)

// Level says how far a check goes.
type Level int

// Levels of active checks.
const (
	// LevelSafe sends payloads that change nothing on a correct server:
	// quotes, boolean conditions, arithmetic, sleeps, file reads.
	LevelSafe Level = iota
	// LevelFull also sends the payload variants that cost many more
	// requests (every traversal depth, more separators and contexts).
	LevelFull
)

// Options tune the checks. The zero value is ready to use.
type Options struct {
	// Delay is the sleep a time-based payload asks for (default 3s). It
	// has to stand clear of the target's jitter: a delay is reported only
	// when every delayed response takes at least the slowest baseline
	// response plus 0.8×Delay and the zero-delay control stays fast.
	Delay time.Duration
	// Level is LevelSafe or LevelFull.
	Level Level
	// Callback, when set, is the out-of-band listener of the SSRF check.
	Callback Callback
	// Rand is the source of markers and random operands (default
	// crypto/rand). Checks running at once share it, so it must be safe
	// for concurrent use.
	Rand io.Reader
}

// defaultDelay is long enough to stand out from the jitter of a loaded
// web application, and short enough that a confirmed finding, which
// waits for it twice, costs seconds.
const defaultDelay = 3 * time.Second

func (o Options) delay() time.Duration {
	if o.Delay <= 0 {
		return defaultDelay
	}
	return o.Delay
}

// randUint64 reads a random number from o.Rand, or from crypto/rand when
// o.Rand is unset or fails.
func (o Options) randUint64() uint64 {
	var b [8]byte
	r := o.Rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, b[:]); err != nil {
		_, _ = rand.Read(b[:])
	}
	return binary.LittleEndian.Uint64(b[:])
}

// randInt is a random number in [lo, hi].
func (o Options) randInt(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + int(o.randUint64()%uint64(hi-lo+1)) // #nosec G115 -- hi-lo+1 is positive and small
}

// randWord is n random lowercase letters: a marker that no page shows by
// chance and no filter mangles.
func (o Options) randWord(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[o.randUint64()%uint64(len(letters))]
	}
	return string(b)
}

// injOne makes a check's single Result, or none, its return value.
func injOne(r *Result) []Result {
	if r == nil {
		return nil
	}
	return []Result{*r}
}
