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
const apiKeyColumns = `id, user_id, name, hash, roles, created_at, expires_at, last_used_at, revoked_at`

// CreateAPIKey stores k.
func (db *DB) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	op := "create API key " + k.ID
	if err := db.open(op); err != nil {
		return err
	}
	if k.ID == "" || k.Hash == "" {
		return fmt.Errorf("%s: API key needs an ID and a hash", op)
	}
	roles, err := rolesCol(k.Roles)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var ta timeArgs
	created := ta.required("CreatedAt", k.CreatedAt)
	expires := ta.optional("ExpiresAt", k.ExpiresAt)
	used := ta.optional("LastUsedAt", k.LastUsedAt)
	revoked := ta.optional("RevokedAt", k.RevokedAt)
	if ta.err != nil {
		return fmt.Errorf("%s: %w", op, ta.err)
	}
	user := sql.NullString{String: k.UserID, Valid: k.UserID != ""}
	_, err = db.w.ExecContext(ctx, "INSERT INTO api_keys ("+apiKeyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		k.ID, user, k.Name, k.Hash, roles, created, expires, used, revoked)
	if err != nil {
		return db.writeErr(op, err)
	}
	return nil
}

// APIKey returns the key with the given ID.
func (db *DB) APIKey(ctx context.Context, id string) (store.APIKey, error) {
	op := "API key " + id
	if err := db.open(op); err != nil {
		return store.APIKey{}, err
	}
	k, err := scanAPIKey(db.r.QueryRowContext(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.APIKey{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.APIKey{}, db.wrap(op, err)
	}
	return k, nil
}

// ListAPIKeys returns the keys matching f, newest first.
func (db *DB) ListAPIKeys(ctx context.Context, f store.APIKeyFilter) ([]store.APIKey, error) {
	const op = "list API keys"
	if err := db.open(op); err != nil {
		return nil, err
	}
	q := "SELECT " + apiKeyColumns + " FROM api_keys"
	var args []any
	if f.UserID != "" {
		q += " WHERE user_id = ?"
		args = append(args, f.UserID)
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY created_at DESC, id DESC", args...)
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	ks := []store.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, db.wrap(op, err)
		}
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap(op, err)
	}
	return ks, nil
}

// RevokeAPIKey revokes the key at t unless it is revoked already.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, t time.Time) error {
	return db.setAPIKeyTime(ctx, "revoke API key "+id, "revoked_at = COALESCE(revoked_at, ?1)", id, t)
}

// TouchAPIKey moves the key's LastUsedAt forward to t.
func (db *DB) TouchAPIKey(ctx context.Context, id string, t time.Time) error {
	// NULL > ?1 is NULL, so the first use is stored.
	return db.setAPIKeyTime(ctx, "touch API key "+id,
		"last_used_at = CASE WHEN last_used_at > ?1 THEN last_used_at ELSE ?1 END", id, t)
}

func (db *DB) setAPIKeyTime(ctx context.Context, op, set, id string, t time.Time) error {
	if err := db.open(op); err != nil {
		return err
	}
	ns, err := mustTime("time", t)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	// #nosec G202 -- set is one of this file's constant assignments, never input
	res, err := db.w.ExecContext(ctx, "UPDATE api_keys SET "+set+" WHERE id = ?2", ns, id)
	n, err := db.rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

func scanAPIKey(s scanner) (store.APIKey, error) {
	var (
		k                      store.APIKey
		user                   sql.NullString
		roles                  string
		created                int64
		expires, used, revoked *int64
	)
	if err := s.Scan(&k.ID, &user, &k.Name, &k.Hash, &roles, &created, &expires, &used, &revoked); err != nil {
		return store.APIKey{}, err
	}
	var err error
	if k.Roles, err = parseRoles(roles); err != nil {
		return store.APIKey{}, fmt.Errorf("API key %s: %w", k.ID, err)
	}
	k.UserID = user.String
	k.CreatedAt = nullTime(&created)
	k.ExpiresAt = nullTime(expires)
	k.LastUsedAt = nullTime(used)
	k.RevokedAt = nullTime(revoked)
	return k, nil
}
