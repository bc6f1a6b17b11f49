package store_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"rampart/internal/events"
	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

func TestSinkStoresEverything(t *testing.T) {
	db, err := sqlite.Open(context.Background(), t.TempDir()+"/ev.db", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	bus := events.NewBus("n")
	sub := bus.Subscribe("store", 5000)
	done := make(chan struct{})
	go func() {
		store.Sink(context.Background(), sub, db, slog.New(slog.DiscardHandler), store.SinkOptions{Batch: 50})
		close(done)
	}()
	for i := 0; i < 1234; i++ {
		bus.Publish(events.Event{Type: events.RequestRejected, Message: "m"})
	}
	bus.Close()
	<-done
	evs, err := db.Events(context.Background(), store.EventFilter{Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1234 {
		t.Errorf("stored %d events, want 1234", len(evs))
	}
}

// flaky fails its first n writes.
type flaky struct {
	mu    sync.Mutex
	fails int
	got   []events.Event
}

func (f *flaky) AppendEvents(_ context.Context, evs []events.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return errors.New("database is locked")
	}
	f.got = append(f.got, evs...)
	return nil
}
func (f *flaky) Events(context.Context, store.EventFilter) ([]events.Event, error) { return nil, nil }
func (f *flaky) Event(context.Context, string) (events.Event, error)               { return events.Event{}, nil }
func (f *flaky) DeleteEventsBefore(context.Context, time.Time) (int64, error)      { return 0, nil }

func TestSinkRetries(t *testing.T) {
	f := &flaky{fails: 2}
	bus := events.NewBus("n")
	sub := bus.Subscribe("store", 10)
	bus.Publish(events.Event{Type: events.RequestRejected})
	bus.Close()
	store.Sink(context.Background(), sub, f, slog.New(slog.DiscardHandler), store.SinkOptions{})
	if len(f.got) != 1 {
		t.Errorf("stored %d events after transient failures, want 1", len(f.got))
	}
}
