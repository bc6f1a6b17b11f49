package events

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultQueue is the per-subscriber queue length used when none is given.
const DefaultQueue = 4096

// Bus fans events out to subscribers. The zero value is not usable; call
// NewBus.
type Bus struct {
	mu     sync.RWMutex
	subs   []*Subscription
	node   string
	now    func() time.Time
	closed bool
}

// Subscription is one consumer's queue on a Bus.
type Subscription struct {
	name    string
	ch      chan Event
	dropped atomic.Uint64
}

// C returns the channel the subscriber reads events from. It is closed when
// the bus is closed.
func (s *Subscription) C() <-chan Event { return s.ch }

// Name returns the subscriber's name.
func (s *Subscription) Name() string { return s.name }

// Dropped returns how many events did not fit into this subscriber's queue.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// NewBus returns a Bus stamping events with node (a name for this gateway
// process; "" leaves it empty).
func NewBus(node string) *Bus {
	return &Bus{node: node, now: time.Now}
}

// Subscribe adds a subscriber with a queue of n events (DefaultQueue if n
// is 0 or less). Subscribe before publishing starts to see every event.
func (b *Bus) Subscribe(name string, n int) *Subscription {
	if n <= 0 {
		n = DefaultQueue
	}
	s := &Subscription{name: name, ch: make(chan Event, n)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.ch)
		return s
	}
	b.subs = append(b.subs, s)
	return s
}

// Publish stamps e with an ID, time and node where those are empty and hands
// it to every subscriber without blocking. It is safe to call after Close
// (the event is discarded).
func (b *Bus) Publish(e Event) {
	if b == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = b.now().UTC()
	}
	if e.ID == "" {
		e.ID = NewID(e.Time)
	}
	if e.Node == "" {
		e.Node = b.node
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return
	}
	for _, s := range b.subs {
		select {
		case s.ch <- e:
		default:
			s.dropped.Add(1)
		}
	}
}

// Subscriptions returns the current subscribers (for metrics).
func (b *Bus) Subscriptions() []*Subscription {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append([]*Subscription(nil), b.subs...)
}

// Close closes every subscriber's channel after the events already queued;
// subscribers drain what is left and stop.
func (b *Bus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for _, s := range b.subs {
		close(s.ch)
	}
}

// LogSink writes each event of sub to log as one line, until the channel is
// closed or ctx ends. It is the security log.
func LogSink(ctx context.Context, sub *Subscription, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C():
			if !ok {
				return
			}
			level := slog.LevelInfo
			if e.Severity >= SeverityMedium {
				level = slog.LevelWarn
			}
			attrs := make([]slog.Attr, 0, 10)
			attrs = append(attrs,
				slog.String("event_id", e.ID),
				slog.String("type", string(e.Type)),
				slog.String("severity", e.Severity.String()))
			if e.RequestID != "" {
				attrs = append(attrs, slog.String("request_id", e.RequestID))
			}
			if e.ClientIP != "" {
				attrs = append(attrs, slog.String("client_ip", e.ClientIP))
			}
			if e.Route != "" {
				attrs = append(attrs, slog.String("route", e.Route))
			}
			if e.User != "" {
				attrs = append(attrs, slog.String("user", e.User))
			}
			if len(e.Details) > 0 {
				d := make([]any, 0, 2*len(e.Details))
				for k, v := range e.Details {
					d = append(d, slog.String(k, v))
				}
				attrs = append(attrs, slog.Group("details", d...))
			}
			log.LogAttrs(ctx, level, e.Message, attrs...)
		}
	}
}
