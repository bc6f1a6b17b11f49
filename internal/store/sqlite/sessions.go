package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rampart/internal/store"
)

const sessionColumns = `id, user_id, created_at, last_seen_at, expires_at, idle_timeout, client_ip, user_agent, mfa`

// CreateSession stores s.
func (db *DB) CreateSession(ctx context.Context, s store.Session) error {
	const op = "create session"
	if err := db.open(op); err != nil {
		return err
	}
	if s.ID == "" || s.UserID == "" {
		return fmt.Errorf("%s: session needs an ID and a user", op)
	}
	if s.IdleTimeout < 0 {
		return fmt.Errorf("%s: negative idle timeout %s", op, s.IdleTimeout)
	}
	if s.LastSeenAt.IsZero() {
		s.LastSeenAt = s.CreatedAt
	}
	var ta timeArgs
	created := ta.required("CreatedAt", s.CreatedAt)
	seen := ta.required("LastSeenAt", s.LastSeenAt)
	expires := ta.required("ExpiresAt", s.ExpiresAt)
	if ta.err != nil {
		return fmt.Errorf("%s: %w", op, ta.err)
	}
	_, err := db.w.ExecContext(ctx, "INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		s.ID, s.UserID, created, seen, expires, int64(s.IdleTimeout), s.ClientIP, s.UserAgent, s.MFA)
	if err != nil {
		return db.writeErr(op+" for user "+s.UserID, err)
	}
	return nil
}

// Session returns the session with the given ID.
func (db *DB) Session(ctx context.Context, id string) (store.Session, error) {
	const op = "session"
	if err := db.open(op); err != nil {
		return store.Session{}, err
	}
	s, err := scanSession(db.r.QueryRowContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Session{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.Session{}, db.wrap(op, err)
	}
	return s, nil
}

// TouchSession moves the session's LastSeenAt forward to lastSeen.
func (db *DB) TouchSession(ctx context.Context, id string, lastSeen time.Time) error {
	const op = "touch session"
	if err := db.open(op); err != nil {
		return err
	}
	seen, err := mustTime("last seen", lastSeen)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	// SQLite counts a matched row as changed even when max() keeps its value.
	res, err := db.w.ExecContext(ctx, "UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?", seen, id)
	n, err := db.rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

// DeleteSession deletes the session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	const op = "delete session"
	if err := db.open(op); err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", id)
	n, err := db.rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

// DeleteUserSessions deletes the user's sessions but except.
func (db *DB) DeleteUserSessions(ctx context.Context, userID, except string) (int64, error) {
	op := "delete sessions of user " + userID
	if err := db.open(op); err != nil {
		return 0, err
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND id != ?", userID, except)
	return db.rowsAffected(op, res, err)
}

// ListUserSessions returns the user's sessions, newest first.
func (db *DB) ListUserSessions(ctx context.Context, userID string) ([]store.Session, error) {
	op := "sessions of user " + userID
	if err := db.open(op); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+sessionColumns+` FROM sessions
		WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	ss := []store.Session{}
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, db.wrap(op, err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap(op, err)
	}
	return ss, nil
}

// DeleteExpiredSessions deletes the sessions store.Session.Expired reports
// at now.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	const op = "delete expired sessions"
	if err := db.open(op); err != nil {
		return 0, err
	}
	// last_seen_at + idle_timeout turns into a REAL rather than wrapping
	// when it overflows, so the comparison stays right.
	res, err := db.w.ExecContext(ctx, `DELETE FROM sessions
		WHERE expires_at <= ?1 OR (idle_timeout > 0 AND last_seen_at + idle_timeout <= ?1)`, nanos(now))
	return db.rowsAffected(op, res, err)
}

func scanSession(sc scanner) (store.Session, error) {
	var (
		s                      store.Session
		created, seen, expires int64
		idle                   int64
	)
	if err := sc.Scan(&s.ID, &s.UserID, &created, &seen, &expires, &idle, &s.ClientIP, &s.UserAgent, &s.MFA); err != nil {
		return store.Session{}, err
	}
	s.CreatedAt = nullTime(&created)
	s.LastSeenAt = nullTime(&seen)
	s.ExpiresAt = nullTime(&expires)
	s.IdleTimeout = time.Duration(idle)
	return s, nil
}
