package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"rampart/internal/store"
)

// Helpers shared by the identity tables: users.go, sessions.go,
// credentials.go, apikeys.go and tokens.go.

var (
	_ store.Users       = (*DB)(nil)
	_ store.Sessions    = (*DB)(nil)
	_ store.Credentials = (*DB)(nil)
	_ store.APIKeys     = (*DB)(nil)
	_ store.Tokens      = (*DB)(nil)
)

// open returns an error wrapping store.ErrClosed for op when db is closed.
func (db *DB) open(op string) error {
	if db.closed.Load() {
		return fmt.Errorf("%s: %w", op, store.ErrClosed)
	}
	return nil
}

// writeErr is wrap for writes: a unique or primary key violation becomes
// store.ErrConflict and a foreign key violation (a child row for a user that
// does not exist) store.ErrNotFound, keeping SQLite's message.
func (db *DB) writeErr(op string, err error) error {
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%s: %w: %w", op, store.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%s: no such user: %w: %w", op, store.ErrNotFound, err)
		}
	}
	return db.wrap(op, err)
}

// timeCol returns t as the value of a nullable time column: NULL for the
// zero time, else Unix nanoseconds. A time those cannot hold is an error,
// not clamped, so that what is stored reads back the same.
func timeCol(field string, t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	return mustTime(field, t)
}

// mustTime returns t in Unix nanoseconds for a NOT NULL time column; the
// zero time is an error.
func mustTime(field string, t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, fmt.Errorf("%s is not set", field)
	}
	if t.Before(minTime) || t.After(maxTime) {
		return 0, fmt.Errorf("%s %s is out of range", field, t.Format(time.RFC3339Nano))
	}
	return t.UnixNano(), nil
}

// nullTime is the reverse of timeCol.
func nullTime(ns *int64) time.Time {
	if ns == nil {
		return time.Time{}
	}
	return time.Unix(0, *ns).UTC()
}

// rolesCol returns roles as a JSON array, [] for none.
func rolesCol(roles []string) (string, error) {
	if roles == nil {
		roles = []string{}
	}
	b, err := json.Marshal(roles)
	if err != nil {
		return "", fmt.Errorf("roles: %w", err)
	}
	return string(b), nil
}

func parseRoles(s string) ([]string, error) {
	var roles []string
	if err := json.Unmarshal([]byte(s), &roles); err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	return roles, nil
}

// timeArgs converts the named times for a statement, stopping at the first
// error: mustTime for a required one, timeCol for an optional one.
type timeArgs struct {
	err error
}

func (a *timeArgs) required(field string, t time.Time) int64 {
	if a.err != nil {
		return 0
	}
	ns, err := mustTime(field, t)
	a.err = err
	return ns
}

func (a *timeArgs) optional(field string, t time.Time) any {
	if a.err != nil {
		return nil
	}
	v, err := timeCol(field, t)
	a.err = err
	return v
}

// rowsAffected returns how many rows the write that returned res and err
// changed.
func (db *DB) rowsAffected(op string, res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, db.writeErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, db.wrap(op, err)
	}
	return n, nil
}
