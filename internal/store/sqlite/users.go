package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"rampart/internal/store"
)

const userColumns = `id, username, email, email_verified, password_hash, roles, disabled, mfa_required,
	created_at, updated_at, password_changed_at, lockout_cleared_at, version`

// userArgs checks u and returns the values of the columns every write of a
// user sets, in this order: username, username_key, email, email_key,
// email_verified, password_hash, roles, disabled, mfa_required, updated_at,
// password_changed_at, lockout_cleared_at.
func userArgs(u *store.User) ([]any, error) {
	if u.ID == "" {
		return nil, errors.New("user has no ID")
	}
	if u.Username == "" {
		return nil, errors.New("user has no user name")
	}
	roles, err := rolesCol(u.Roles)
	if err != nil {
		return nil, err
	}
	var ta timeArgs
	updated := ta.required("UpdatedAt", u.UpdatedAt)
	pwChanged := ta.optional("PasswordChangedAt", u.PasswordChangedAt)
	lockoutCleared := ta.optional("LockoutClearedAt", u.LockoutClearedAt)
	if ta.err != nil {
		return nil, ta.err
	}
	return []any{u.Username, store.FoldName(u.Username), u.Email, store.FoldName(u.Email),
		u.EmailVerified, u.PasswordHash, roles, u.Disabled, u.MFARequired, updated, pwChanged, lockoutCleared}, nil
}

// CreateUser stores u with Version 1 and returns it as stored.
func (db *DB) CreateUser(ctx context.Context, u store.User) (store.User, error) {
	op := "create user " + u.ID
	if err := db.open(op); err != nil {
		return store.User{}, err
	}
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	created, err := mustTime("CreatedAt", u.CreatedAt)
	if err != nil {
		return store.User{}, fmt.Errorf("%s: %w", op, err)
	}
	args, err := userArgs(&u)
	if err != nil {
		return store.User{}, fmt.Errorf("%s: %w", op, err)
	}
	args = append([]any{u.ID, created}, args...)
	row := db.w.QueryRowContext(ctx, `INSERT INTO users
		(id, created_at, username, username_key, email, email_key, email_verified, password_hash, roles,
		 disabled, mfa_required, updated_at, password_changed_at, lockout_cleared_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
		RETURNING `+userColumns, args...)
	got, err := scanUser(row)
	if err != nil {
		return store.User{}, db.writeErr(op, err)
	}
	return got, nil
}

// User returns the user with the given ID.
func (db *DB) User(ctx context.Context, id string) (store.User, error) {
	return db.userWhere(ctx, "user "+id, "id = ?", id)
}

// UserByName returns the user whose user name folds to the same as
// username.
func (db *DB) UserByName(ctx context.Context, username string) (store.User, error) {
	return db.userWhere(ctx, "user by name", "username_key = ?", store.FoldName(username))
}

// UserByEmail returns the user whose e-mail address folds to the same as
// email.
func (db *DB) UserByEmail(ctx context.Context, email string) (store.User, error) {
	if email == "" {
		if err := db.open("user by e-mail"); err != nil {
			return store.User{}, err
		}
		return store.User{}, fmt.Errorf("user by e-mail: no address: %w", store.ErrNotFound)
	}
	return db.userWhere(ctx, "user by e-mail", "email_key = ?", store.FoldName(email))
}

func (db *DB) userWhere(ctx context.Context, op, where string, arg any) (store.User, error) {
	if err := db.open(op); err != nil {
		return store.User{}, err
	}
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return store.User{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.User{}, db.wrap(op, err)
	}
	return u, nil
}

// ListUsers returns a page of users in the order of their folded names.
func (db *DB) ListUsers(ctx context.Context, f store.UserFilter) ([]store.User, error) {
	const op = "list users"
	if err := db.open(op); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultUserLimit
	}
	limit = min(limit, store.MaxUserLimit)
	rows, err := db.r.QueryContext(ctx, "SELECT "+userColumns+` FROM users
		WHERE username_key > ? ORDER BY username_key LIMIT ?`, store.FoldName(f.After), limit)
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	us := []store.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, db.wrap(op, err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap(op, err)
	}
	return us, nil
}

// UpdateUser stores u if the stored user still has u.Version, and returns it
// as stored, with the next version.
func (db *DB) UpdateUser(ctx context.Context, u store.User) (store.User, error) {
	op := "update user " + u.ID
	if err := db.open(op); err != nil {
		return store.User{}, err
	}
	args, err := userArgs(&u)
	if err != nil {
		return store.User{}, fmt.Errorf("%s: %w", op, err)
	}
	args = append(args, u.ID, u.Version)
	row := db.w.QueryRowContext(ctx, `UPDATE users SET
		username = ?, username_key = ?, email = ?, email_key = ?, email_verified = ?, password_hash = ?,
		roles = ?, disabled = ?, mfa_required = ?, updated_at = ?, password_changed_at = ?,
		lockout_cleared_at = ?, version = version + 1
		WHERE id = ? AND version = ?
		RETURNING `+userColumns, args...)
	got, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		// Either there is no such user or it has another version.
		var v int64
		err := db.r.QueryRowContext(ctx, "SELECT version FROM users WHERE id = ?", u.ID).Scan(&v)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return store.User{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
		case err != nil:
			return store.User{}, db.wrap(op, err)
		}
		return store.User{}, fmt.Errorf("%s: version %d is stale, stored is %d: %w", op, u.Version, v, store.ErrConflict)
	}
	if err != nil {
		return store.User{}, db.writeErr(op, err)
	}
	return got, nil
}

// DeleteUser deletes the user; the foreign keys delete what belongs to it.
func (db *DB) DeleteUser(ctx context.Context, id string) error {
	op := "delete user " + id
	if err := db.open(op); err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
	n, err := db.rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

func scanUser(s scanner) (store.User, error) {
	var (
		u         store.User
		roles     string
		created   int64
		updated   int64
		pwChanged *int64
		lkCleared *int64
	)
	if err := s.Scan(&u.ID, &u.Username, &u.Email, &u.EmailVerified, &u.PasswordHash, &roles,
		&u.Disabled, &u.MFARequired, &created, &updated, &pwChanged, &lkCleared, &u.Version); err != nil {
		return store.User{}, err
	}
	var err error
	if u.Roles, err = parseRoles(roles); err != nil {
		return store.User{}, fmt.Errorf("user %s: %w", u.ID, err)
	}
	u.CreatedAt = nullTime(&created)
	u.UpdatedAt = nullTime(&updated)
	u.PasswordChangedAt = nullTime(pwChanged)
	u.LockoutClearedAt = nullTime(lkCleared)
	return u, nil
}
