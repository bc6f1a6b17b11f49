package store

import (
	"context"
	"log/slog"
	"time"

	"rampart/internal/events"
)

// SinkOptions tune Sink. Zero fields take the defaults shown.
type SinkOptions struct {
	Batch    int           // events per write: 256
	Interval time.Duration // longest wait before a partial batch is written: 250ms
	Retries  int           // attempts per batch before it is dropped and logged: 5
}

// Sink writes the events of sub to s in batches until the subscription's
// channel is closed (then it writes what is left and returns) or ctx ends.
// A failed write is retried with backoff; a batch that still fails is
// logged with its size and dropped, so a broken store cannot stall the
// gateway.
func Sink(ctx context.Context, sub *events.Subscription, s Events, log *slog.Logger, o SinkOptions) {
	if o.Batch <= 0 {
		o.Batch = 256
	}
	if o.Interval <= 0 {
		o.Interval = 250 * time.Millisecond
	}
	if o.Retries <= 0 {
		o.Retries = 5
	}
	batch := make([]events.Event, 0, o.Batch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		wctx := context.WithoutCancel(ctx)
		var err error
		for attempt := 0; attempt < o.Retries; attempt++ {
			if err = s.AppendEvents(wctx, batch); err == nil {
				batch = batch[:0]
				return
			}
			time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
		}
		log.Error("events not stored", "count", len(batch), "err", err)
		batch = batch[:0]
	}
	add := func(e events.Event) {
		batch = append(batch, e)
		if len(batch) >= o.Batch {
			flush()
		}
	}
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// Drain what is already queued, without waiting for more.
			for {
				select {
				case e, ok := <-sub.C():
					if !ok {
						flush()
						return
					}
					add(e)
				default:
					flush()
					return
				}
			}
		case e, ok := <-sub.C():
			if !ok {
				flush()
				return
			}
			add(e)
		case <-tick.C:
			flush()
		}
	}
}
