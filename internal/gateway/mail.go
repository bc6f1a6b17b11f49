package gateway

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"rampart/internal/config"
	"rampart/internal/mail"
	"rampart/internal/portal"
)

// mailCloseTimeout is how long Close waits for queued mail to go out.
const mailCloseTimeout = 10 * time.Second

// smtpSender sends through the SMTP settings of the newest config: the
// outbox in front of it outlives reloads (its queue must), the server
// settings do not.
type smtpSender struct{ cur atomic.Pointer[mail.SMTP] }

func (s *smtpSender) Send(ctx context.Context, m mail.Message) error {
	c := s.cur.Load()
	if c == nil {
		return errors.New("mail is off (smtp.addr is empty)")
	}
	return c.Send(ctx, m)
}

// mailer returns the portal's mailer for cfg: nil when smtp.addr is empty,
// else the gateway's one outbox, which sends with cfg's server settings
// from now on.
func (g *Gateway) mailer(cfg *config.Config) (portal.Mailer, error) {
	if cfg.SMTP.Addr == "" {
		return nil, nil
	}
	s, err := mail.NewSMTP(cfg.SMTP.MailConfig())
	if err != nil {
		return nil, err
	}
	g.mailMu.Lock()
	defer g.mailMu.Unlock()
	if g.outbox == nil {
		g.sender = &smtpSender{}
		g.outbox = mail.NewOutbox(g.sender, mail.OutboxConfig{}, g.log)
	}
	g.sender.cur.Store(s)
	return g.outbox, nil
}

// closeMail sends what is queued, for up to mailCloseTimeout.
func (g *Gateway) closeMail() {
	g.mailMu.Lock()
	o := g.outbox
	g.outbox = nil
	g.mailMu.Unlock()
	if o == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), mailCloseTimeout)
	defer cancel()
	_ = o.Close(ctx) // the outbox logs what it lost
}
