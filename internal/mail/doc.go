// Package mail sends rampart's own e-mail: confirmation links, password
// resets and notices to users, and later alerts. It writes plain-text
// messages (UTF-8, quoted-printable) and hands them to an SMTP server over
// STARTTLS, implicit TLS ("SMTPS", port 465) or, on loopback only, plain
// TCP.
//
// [Message.Bytes] refuses a header that could smuggle another header or
// recipient (a line break, a NUL, an address list where one address is
// wanted), so that a value a user typed never changes a message's
// envelope.
//
// [SMTP] sends one message per connection and reports the server's answer.
// [Outbox] queues messages in memory and sends them from one goroutine,
// retrying with backoff when the server is down or answers with a
// temporary error: callers on a request path return at once, and whether
// an address gets mail does not show in how long the answer takes. The
// queue is bounded; when it is full, Send fails at once rather than
// holding memory. A message still queued when the process stops is lost,
// and says so in the log.
//
// Bodies carry secrets (confirmation links): nothing in this package logs
// a body or a subject, only recipients' domains and the outcome.
package mail
