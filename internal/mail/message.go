package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on a message.
const (
	// MaxSubject is the most bytes of a subject.
	MaxSubject = 998
	// MaxBody is the most bytes of a body.
	MaxBody = 1 << 20
	// maxAddress is the most bytes of an address (RFC 5321: 64 + 1 + 255).
	maxAddress = 320
)

// Message is a plain-text e-mail to one recipient.
type Message struct {
	// To is the recipient's address, "user@example.com" (no display name).
	To string
	// Subject is one line of text; it is encoded as needed.
	Subject string
	// Text is the body: UTF-8 text; every line end (LF, CRLF or a lone CR)
	// is sent as CRLF.
	Text string
}

// ErrInvalid wraps every refusal of a message's fields.
var ErrInvalid = errors.New("invalid message")

// ParseAddress checks that s is one bare e-mail address, as a user may type
// it, and returns it trimmed. Display names, address lists, comments,
// route syntax and control characters are refused.
func ParseAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty address", ErrInvalid)
	}
	if len(s) > maxAddress {
		return "", fmt.Errorf("%w: address longer than %d bytes", ErrInvalid, maxAddress)
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: address is not UTF-8", ErrInvalid)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == ' ' || r == '<' || r == '>' || r == ',' || r == ';' || r == '"' || r == '(' || r == ')' || r == '\\' || r == '[' || r == ']' || r == ':' {
			return "", fmt.Errorf("%w: address %q: want one address like name@example.com", ErrInvalid, s)
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", fmt.Errorf("%w: address %q: want one address like name@example.com", ErrInvalid, s)
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 {
		return "", fmt.Errorf("%w: address %q: want one address like name@example.com", ErrInvalid, s)
	}
	return s, nil
}

// Domain returns the part of addr after the last "@", for logs that must
// not name the recipient.
func Domain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// Bytes returns the message as RFC 5322 text from from, dated now, with
// CRLF line ends. It refuses (with ErrInvalid) an address that is not one
// bare address, a subject with a control character or longer than
// MaxSubject, and a body longer than MaxBody or not UTF-8.
func (m Message) Bytes(from string, now time.Time) ([]byte, error) {
	to, err := ParseAddress(m.To)
	if err != nil {
		return nil, err
	}
	fromAddr, err := ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if len(m.Subject) > MaxSubject || !utf8.ValidString(m.Subject) || strings.ContainsFunc(m.Subject, isControl) {
		return nil, fmt.Errorf("%w: subject: want one line of at most %d bytes of UTF-8 text", ErrInvalid, MaxSubject)
	}
	if len(m.Text) > MaxBody || !utf8.ValidString(m.Text) || strings.ContainsRune(m.Text, 0) {
		return nil, fmt.Errorf("%w: body: want at most %d bytes of UTF-8 text", ErrInvalid, MaxBody)
	}
	var id [16]byte
	_, _ = rand.Read(id[:])

	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", fromAddr)
	header("To", to)
	header("Subject", encodeSubject(m.Subject))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+Domain(fromAddr)+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(normalizeLines(m.Text), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}

// encodeSubject returns s as it goes in the Subject header: as is when it
// is short printable ASCII, without blanks at its ends, that no reader
// would take for an encoded word,
// else as base64 encoded words of at most 45 bytes each (60 characters),
// one to a folded line, split between characters.
func encodeSubject(s string) string {
	plain := len(s) <= 70 && !strings.Contains(s, "=?") && s == strings.TrimSpace(s)
	for i := 0; plain && i < len(s); i++ {
		plain = s[i] >= 0x20 && s[i] < 0x7f
	}
	if plain {
		return s
	}
	var b strings.Builder
	for s != "" {
		n := min(len(s), 45)
		for n < len(s) && n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		if b.Len() > 0 {
			b.WriteString("\r\n ")
		}
		b.WriteString("=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(s[:n])) + "?=")
		s = s[n:]
	}
	return b.String()
}

// normalizeLines turns every line end (CRLF, a lone CR, LF) into LF: SMTP
// forbids a bare CR.
func normalizeLines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
