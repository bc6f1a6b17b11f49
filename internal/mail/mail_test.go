package mail_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	rmail "rampart/internal/mail"
	"rampart/internal/mail/mailtest"
)

func sender(t *testing.T, srv *mailtest.Server, sec rmail.Security) *rmail.SMTP {
	t.Helper()
	s, err := rmail.NewSMTP(rmail.Config{
		Addr: srv.Addr, Security: sec, From: "rampart@example.com",
		Username: mailtest.Username, Password: mailtest.Password,
		RootCAs: srv.RootCAs, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendSTARTTLSAndImplicitTLS(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode mailtest.Mode
		sec  rmail.Security
	}{
		{"starttls", mailtest.STARTTLS, rmail.SecuritySTARTTLS},
		{"tls", mailtest.ImplicitTLS, rmail.SecurityTLS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.mode)
			s := sender(t, srv, tc.sec)
			long := strings.Repeat("ü", 200)
			msg := rmail.Message{
				To:      "Alice@Example.com",
				Subject: "Bestätigen Sie Ihre Adresse",
				Text:    "Hello,\n\nopen https://app.example.com/.rampart/confirm?t=abc_DEF-123 within 30 minutes.\n" + long + "\n.\n..\n",
			}
			if err := s.Send(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			got := srv.Wait(t, "alice@example.com", 0)
			if !got.TLS || !got.Auth {
				t.Errorf("TLS=%v Auth=%v, want both", got.TLS, got.Auth)
			}
			if got.From != "rampart@example.com" || got.Subject != msg.Subject {
				t.Errorf("from %q subject %q", got.From, got.Subject)
			}
			if got.Text != msg.Text {
				t.Errorf("body:\n%q\nwant\n%q", got.Text, msg.Text)
			}
			if l := got.Links(); len(l) != 1 || l[0] != "https://app.example.com/.rampart/confirm?t=abc_DEF-123" {
				t.Errorf("links %q", l)
			}
			for _, line := range bytes.Split(got.Raw, []byte("\r\n")) {
				if len(line) > 998 {
					t.Fatalf("line of %d bytes", len(line))
				}
			}
		})
	}
}

func TestSTARTTLSIsRequired(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Plain)
	s, err := rmail.NewSMTP(rmail.Config{Addr: srv.Addr, From: "rampart@example.com", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), rmail.Message{To: "a@example.com", Subject: "x", Text: "y"})
	if err == nil {
		t.Fatal("sent without STARTTLS")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("server got %d messages", n)
	}
}

func TestCertificateIsVerified(t *testing.T) {
	srv := mailtest.Start(t, mailtest.ImplicitTLS)
	s, err := rmail.NewSMTP(rmail.Config{Addr: srv.Addr, Security: rmail.SecurityTLS, From: "rampart@example.com", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), rmail.Message{To: "a@example.com", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("sent to a server whose certificate nobody trusts")
	}
}

func TestPlainOnlyToLoopback(t *testing.T) {
	if _, err := rmail.NewSMTP(rmail.Config{Addr: "mail.example.com:25", Security: rmail.SecurityNone, From: "a@example.com"}); err == nil {
		t.Fatal("plain SMTP to a remote host accepted")
	}
	srv := mailtest.Start(t, mailtest.Plain)
	s, err := rmail.NewSMTP(rmail.Config{Addr: srv.Addr, Security: rmail.SecurityNone, From: "rampart@example.com", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), rmail.Message{To: "a@example.com", Subject: "x", Text: "y"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Wait(t, "a@example.com", 0); got.TLS {
		t.Error("plain relay reported TLS")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []rmail.Config{
		{Addr: "nohost", From: "a@example.com"},
		{Addr: "h:25", From: "not an address"},
		{Addr: "h:25", From: "a@example.com", Security: "ssl"},
		{Addr: "h:25", From: "a@example.com", Username: "u\r\nMAIL FROM:<x>"},
	} {
		if _, err := rmail.NewSMTP(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	for _, m := range []rmail.Message{
		{To: "a@example.com\r\nBcc: evil@example.com", Subject: "x"},
		{To: "a@example.com, evil@example.com", Subject: "x"},
		{To: "Alice <a@example.com>", Subject: "x"},
		{To: "a@example.com", Subject: "x\r\nBcc: evil@example.com"},
		{To: "a@example.com", Subject: "x\nBcc: evil@example.com"},
		{To: "a@example.com", Subject: "ok", Text: "nul\x00"},
		{To: "", Subject: "x"},
	} {
		_, err := m.Bytes("rampart@example.com", time.Now())
		if !errors.Is(err, rmail.ErrInvalid) {
			t.Errorf("%q: err %v, want ErrInvalid", m.To+" | "+m.Subject, err)
		}
	}
}

func TestTemporary(t *testing.T) {
	srv := mailtest.Start(t, mailtest.STARTTLS)
	s := sender(t, srv, rmail.SecuritySTARTTLS)
	m := rmail.Message{To: "a@example.com", Subject: "x", Text: "y"}
	srv.FailWith(451)
	if err := s.Send(context.Background(), m); !rmail.Temporary(err) {
		t.Errorf("451: %v, want temporary", err)
	}
	srv.FailWith(550)
	if err := s.Send(context.Background(), m); err == nil || rmail.Temporary(err) {
		t.Errorf("550: %v, want permanent", err)
	}
	if _, err := (rmail.Message{To: "x"}).Bytes("a@example.com", time.Now()); rmail.Temporary(err) {
		t.Error("invalid message called temporary")
	}
}

func TestOutboxRetriesThenDelivers(t *testing.T) {
	srv := mailtest.Start(t, mailtest.STARTTLS)
	s := sender(t, srv, rmail.SecuritySTARTTLS)
	srv.FailWith(421)
	o := rmail.NewOutbox(s, rmail.OutboxConfig{Backoff: 50 * time.Millisecond, Attempts: 10}, nil)
	if err := o.Send(context.Background(), rmail.Message{To: "b@example.com", Subject: "x", Text: "y"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	if srv.Count("b@example.com") != 0 {
		t.Fatal("delivered while the server refused")
	}
	srv.FailWith(0)
	srv.Wait(t, "b@example.com", 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), rmail.Message{To: "b@example.com", Subject: "x"}); !errors.Is(err, rmail.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
}

func TestOutboxGivesUpOnPermanentFailure(t *testing.T) {
	srv := mailtest.Start(t, mailtest.STARTTLS)
	s := sender(t, srv, rmail.SecuritySTARTTLS)
	srv.FailWith(550)
	o := rmail.NewOutbox(s, rmail.OutboxConfig{Backoff: 10 * time.Millisecond}, nil)
	if err := o.Send(context.Background(), rmail.Message{To: "c@example.com", Subject: "x"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for o.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if o.Pending() != 0 {
		t.Fatal("a permanent failure is still queued")
	}
	if err := o.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// blocked is a Sender that waits until released.
type blocked struct{ release chan struct{} }

func (b blocked) Send(ctx context.Context, _ rmail.Message) error {
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestOutboxBounded(t *testing.T) {
	b := blocked{release: make(chan struct{})}
	o := rmail.NewOutbox(b, rmail.OutboxConfig{QueueSize: 3}, nil)
	m := rmail.Message{To: "d@example.com", Subject: "x"}
	for i := range 3 {
		if err := o.Send(context.Background(), m); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if err := o.Send(context.Background(), m); !errors.Is(err, rmail.ErrQueueFull) {
		t.Fatalf("4th send: %v, want ErrQueueFull", err)
	}
	if err := o.Send(context.Background(), rmail.Message{To: "bad"}); !errors.Is(err, rmail.ErrInvalid) {
		t.Fatalf("invalid message queued: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := o.Close(ctx); err == nil {
		t.Fatal("close reported nothing lost")
	}
}

func FuzzMessageBytes(f *testing.F) {
	f.Add("a@example.com", "Subject", "body\n")
	f.Add("a@example.com\r\nBcc: x@y", "s", "")
	f.Add("a@b.c", "=?utf-8?q?x?=", ".\r\n.\r\n")
	f.Add("\"a b\"@example.com", "ü\u2028", "line\rline")
	f.Fuzz(func(t *testing.T, to, subject, text string) {
		m := rmail.Message{To: to, Subject: subject, Text: text}
		raw, err := m.Bytes("rampart@example.com", time.Unix(0, 0))
		if err != nil {
			return
		}
		pm, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("unreadable message: %v\n%q", err, raw)
		}
		if len(pm.Header) != 9 {
			t.Fatalf("%d header fields, want 9: %q", len(pm.Header), raw)
		}
		addrs, err := pm.Header.AddressList("To")
		if err != nil || len(addrs) != 1 || addrs[0].Address != strings.TrimSpace(to) {
			t.Fatalf("To %v (%v), want %q", addrs, err, to)
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject"))
		if err != nil || subj != subject {
			t.Fatalf("subject %q (%v), want %q", subj, err, subject)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(pm.Body))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		got := strings.ReplaceAll(string(body), "\r\n", "\n")
		if !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if got != want && got != strings.TrimSuffix(want, "\n") {
			t.Fatalf("body %q, want %q", got, want)
		}
	})
}
