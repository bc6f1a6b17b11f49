package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rampart/internal/store"
)

// #nosec G101 -- a column list, not a credential
const tokenColumns = `hash, user_id, purpose, data, created_at, expires_at`

// CreateToken stores t.
func (db *DB) CreateToken(ctx context.Context, t store.Token) error {
	const op = "create token"
	if err := db.open(op); err != nil {
		return err
	}
	if t.Hash == "" || t.UserID == "" || t.Purpose == "" {
		return fmt.Errorf("%s: token needs a hash, a user and a purpose", op)
	}
	var ta timeArgs
	created := ta.required("CreatedAt", t.CreatedAt)
	expires := ta.required("ExpiresAt", t.ExpiresAt)
	if ta.err != nil {
		return fmt.Errorf("%s: %w", op, ta.err)
	}
	_, err := db.w.ExecContext(ctx, "INSERT INTO tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		t.Hash, t.UserID, string(t.Purpose), t.Data, created, expires)
	if err != nil {
		return db.writeErr(op+" for user "+t.UserID, err)
	}
	return nil
}

// ConsumeToken deletes and returns the token if it has the purpose and has
// not expired at now, in one DELETE … RETURNING.
func (db *DB) ConsumeToken(ctx context.Context, hash string, purpose store.TokenPurpose, now time.Time) (store.Token, error) {
	op := fmt.Sprintf("consume %s token", purpose)
	if err := db.open(op); err != nil {
		return store.Token{}, err
	}
	// All of a statement's changes happen at its first step, so reading
	// the one row is enough to commit the DELETE.
	row := db.w.QueryRowContext(ctx, `DELETE FROM tokens WHERE hash = ? AND purpose = ? AND expires_at > ?
		RETURNING `+tokenColumns, hash, string(purpose), nanos(now))
	return scanToken(op, row, db.wrap)
}

// Token returns the token if it has the purpose and has not expired at now,
// and leaves it in place.
func (db *DB) Token(ctx context.Context, hash string, purpose store.TokenPurpose, now time.Time) (store.Token, error) {
	op := fmt.Sprintf("read %s token", purpose)
	if err := db.open(op); err != nil {
		return store.Token{}, err
	}
	row := db.r.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE hash = ? AND purpose = ? AND expires_at > ?",
		hash, string(purpose), nanos(now))
	return scanToken(op, row, db.wrap)
}

func scanToken(op string, row *sql.Row, wrap func(string, error) error) (store.Token, error) {
	var (
		t                store.Token
		p                string
		created, expires int64
	)
	err := row.Scan(&t.Hash, &t.UserID, &p, &t.Data, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Token{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.Token{}, wrap(op, err)
	}
	t.Purpose = store.TokenPurpose(p)
	t.CreatedAt = nullTime(&created)
	t.ExpiresAt = nullTime(&expires)
	return t, nil
}

// DeleteUserTokens deletes the user's tokens of purpose, or of every purpose
// for "".
func (db *DB) DeleteUserTokens(ctx context.Context, userID string, purpose store.TokenPurpose) (int64, error) {
	op := "delete tokens of user " + userID
	if err := db.open(op); err != nil {
		return 0, err
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM tokens WHERE user_id = ?1 AND (?2 = '' OR purpose = ?2)",
		userID, string(purpose))
	return db.rowsAffected(op, res, err)
}

// DeleteExpiredTokens deletes the tokens expired at now.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	const op = "delete expired tokens"
	if err := db.open(op); err != nil {
		return 0, err
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM tokens WHERE expires_at <= ?", nanos(now))
	return db.rowsAffected(op, res, err)
}
