package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Sender delivers a message. *SMTP and *Outbox are Senders.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrQueueFull is returned by Outbox.Send when the queue holds QueueSize
// messages.
var ErrQueueFull = errors.New("mail queue full")

// ErrClosed is returned by Outbox.Send after Close.
var ErrClosed = errors.New("mail queue closed")

// OutboxConfig sets an Outbox's bounds. Zero fields take the defaults.
type OutboxConfig struct {
	// QueueSize is the most messages waiting (default 1000).
	QueueSize int
	// Attempts is how many times a message is tried when the server fails
	// temporarily (default 6).
	Attempts int
	// Backoff is the wait before the second attempt; it doubles for each
	// next one up to MaxBackoff (defaults 5s and 10m: six attempts span
	// about five minutes).
	Backoff    time.Duration
	MaxBackoff time.Duration
}

func (c OutboxConfig) withDefaults() OutboxConfig {
	if c.QueueSize <= 0 {
		c.QueueSize = 1000
	}
	if c.Attempts <= 0 {
		c.Attempts = 6
	}
	if c.Backoff <= 0 {
		c.Backoff = 5 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
	return c
}

// Outbox queues messages and delivers them through a Sender from one
// goroutine, with retries. Its Send returns as soon as the message is
// queued.
type Outbox struct {
	s   Sender
	cfg OutboxConfig
	log *slog.Logger

	mu      sync.Mutex
	closed  bool
	pending int // queued or waiting for a retry
	q       chan item
	retries map[*time.Timer]item
	stop    chan struct{}
	done    chan struct{}
}

type item struct {
	m       Message
	attempt int
}

// NewOutbox starts an outbox in front of s. log may be nil.
func NewOutbox(s Sender, cfg OutboxConfig, log *slog.Logger) *Outbox {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o := &Outbox{
		s: s, cfg: cfg, log: log.With("component", "mail"),
		q:       make(chan item, cfg.QueueSize),
		retries: map[*time.Timer]item{},
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go o.run()
	return o
}

// Send queues m after checking its recipient and subject.
func (o *Outbox) Send(_ context.Context, m Message) error {
	if _, err := m.Bytes("check@localhost", time.Time{}); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return ErrClosed
	}
	if o.pending >= o.cfg.QueueSize {
		return ErrQueueFull
	}
	o.pending++
	o.q <- item{m: m, attempt: 1} // room: pending counts what is in q
	return nil
}

// Pending returns how many messages wait to be sent (queued or waiting for
// a retry).
func (o *Outbox) Pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pending
}

func (o *Outbox) run() {
	defer close(o.done)
	for {
		select {
		case it := <-o.q:
			o.deliver(it)
		case <-o.stop:
			return
		}
	}
}

func (o *Outbox) deliver(it item) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-o.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := o.s.Send(ctx, it.m)
	cancel()
	domain := slog.String("to_domain", Domain(it.m.To))
	if err == nil {
		o.log.Info("mail sent", domain, slog.Int("attempt", it.attempt))
		o.finish()
		return
	}
	if !Temporary(err) || it.attempt >= o.cfg.Attempts {
		o.log.Error("mail not sent, giving up", domain, slog.Int("attempt", it.attempt), slog.Any("err", err))
		o.finish()
		return
	}
	wait := o.cfg.Backoff
	for i := 1; i < it.attempt && wait < o.cfg.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, o.cfg.MaxBackoff)
	o.log.Warn("mail not sent, will retry", domain, slog.Int("attempt", it.attempt), slog.Duration("retry_in", wait), slog.Any("err", err))
	it.attempt++
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		o.pending--
		o.log.Error("mail not sent: shutting down", domain)
		return
	}
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if _, ok := o.retries[t]; !ok {
			return // Close took it
		}
		delete(o.retries, t)
		o.q <- it // room: it is counted in pending
	})
	o.retries[t] = it
}

func (o *Outbox) finish() {
	o.mu.Lock()
	o.pending--
	o.mu.Unlock()
}

// Close stops taking messages and delivers what is queued (not what waits
// for a retry) until ctx ends. What is left is lost; the log says how much.
func (o *Outbox) Close(ctx context.Context) error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	for t := range o.retries {
		t.Stop()
	}
	lostRetries := len(o.retries)
	o.pending -= lostRetries
	clear(o.retries)
	o.mu.Unlock()

	var err error
	for done := false; !done; {
		if o.Pending() == 0 {
			break
		}
		select {
		case <-ctx.Done():
			err = ctx.Err()
			done = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	close(o.stop)
	<-o.done
	lost := lostRetries + o.Pending()
	if lost > 0 {
		o.log.Error("mail lost at shutdown", slog.Int("messages", lost))
		if err == nil {
			err = fmt.Errorf("%d messages not sent", lost)
		}
	}
	return err
}
