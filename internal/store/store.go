// Package store declares the persistence contracts of rampart. Callers use
// these interfaces only; store/sqlite (the embedded default) and later
// store/postgres implement them, and store/storetest is the contract suite
// every implementation runs. Only cmd/rampart picks a driver.
//
// Implementations must be safe for concurrent use.
package store

import (
	"context"
	"errors"
	"time"

	"rampart/internal/events"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotFound means the requested record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed means the store has been closed.
	ErrClosed = errors.New("store: closed")
	// ErrConflict means a write lost to another: a unique key (a user name,
	// an e-mail address, an ID) is taken, or the record changed since it was
	// read (optimistic concurrency, see Users.UpdateUser). Read again and
	// retry, or report the conflict.
	ErrConflict = errors.New("store: conflict")
)

// EventFilter selects events. Zero fields do not filter.
type EventFilter struct {
	// Since and Until bound the event time: Since <= Time < Until.
	Since, Until time.Time
	// Types keeps only these event types.
	Types []events.Type
	// MinSeverity keeps events at or above this severity.
	MinSeverity events.Severity
	ClientIP    string
	Route       string
	RequestID   string
	// Limit caps the number of events returned, newest first; 0 means
	// DefaultEventLimit and the cap is MaxEventLimit.
	Limit int
}

// Limits on EventFilter.Limit.
const (
	DefaultEventLimit = 100
	MaxEventLimit     = 10000
)

// Events persists security events.
type Events interface {
	// AppendEvents stores events in one transaction. Appending an event
	// whose ID is already stored is not an error and changes nothing, so a
	// buffered batch can be retried safely.
	AppendEvents(ctx context.Context, evs []events.Event) error
	// Events returns the events matching f, newest first.
	Events(ctx context.Context, f EventFilter) ([]events.Event, error)
	// Event returns the event with the given ID, or ErrNotFound.
	Event(ctx context.Context, id string) (events.Event, error)
	// DeleteEventsBefore removes events older than t (retention) and says
	// how many went.
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
}

// Store is the whole persistence layer of a gateway.
type Store interface {
	Events
	Users
	Sessions
	Credentials
	APIKeys
	Tokens
	// Migrate applies pending schema migrations and returns the versions it
	// applied, oldest first.
	Migrate(ctx context.Context) ([]int, error)
	// SchemaVersion returns the newest applied migration version.
	SchemaVersion(ctx context.Context) (int, error)
	// Ping reports whether the backend answers (readiness).
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}
