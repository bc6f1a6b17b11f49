package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"rampart/internal/store"
)

// #nosec G101 -- a column list, not a credential
const credentialColumns = `id, user_id, kind, name, secret, data, created_at, last_used_at, counter, last_step`

// AddCredential stores c.
func (db *DB) AddCredential(ctx context.Context, c store.Credential) error {
	op := "add credential " + c.ID
	if err := db.open(op); err != nil {
		return err
	}
	switch {
	case c.ID == "" || c.UserID == "" || c.Kind == "":
		return fmt.Errorf("%s: credential needs an ID, a user and a kind", op)
	case c.Kind == store.CredentialRecovery && len(c.Secret) == 0:
		return fmt.Errorf("%s: recovery code has no hash", op)
	}
	var ta timeArgs
	created := ta.required("CreatedAt", c.CreatedAt)
	used := ta.optional("LastUsedAt", c.LastUsedAt)
	if ta.err != nil {
		return fmt.Errorf("%s: %w", op, ta.err)
	}
	_, err := db.w.ExecContext(ctx, "INSERT INTO credentials ("+credentialColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		c.ID, c.UserID, string(c.Kind), c.Name, c.Secret, c.Data, created, used, int64(c.Counter), c.LastStep)
	if err != nil {
		return db.writeErr(op+" for user "+c.UserID, err)
	}
	return nil
}

// Credential returns the credential with the given ID.
func (db *DB) Credential(ctx context.Context, id string) (store.Credential, error) {
	op := "credential " + id
	if err := db.open(op); err != nil {
		return store.Credential{}, err
	}
	c, err := scanCredential(db.r.QueryRowContext(ctx, "SELECT "+credentialColumns+" FROM credentials WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Credential{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.Credential{}, db.wrap(op, err)
	}
	return c, nil
}

// UserCredentials returns the user's credentials of kind, or of every kind
// for "", oldest first.
func (db *DB) UserCredentials(ctx context.Context, userID string, kind store.CredentialKind) ([]store.Credential, error) {
	op := "credentials of user " + userID
	if err := db.open(op); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+credentialColumns+` FROM credentials
		WHERE user_id = ?1 AND (?2 = '' OR kind = ?2) ORDER BY created_at, id`, userID, string(kind))
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	cs := []store.Credential{}
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, db.wrap(op, err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap(op, err)
	}
	return cs, nil
}

// UpdateCredential stores c's name, secret, data, counter and last use.
func (db *DB) UpdateCredential(ctx context.Context, c store.Credential) error {
	op := "update credential " + c.ID
	if err := db.open(op); err != nil {
		return err
	}
	used, err := timeCol("LastUsedAt", c.LastUsedAt)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	// NULL > ?4 is NULL, so a first use is stored; a NULL ?4 keeps the last.
	res, err := db.w.ExecContext(ctx, `UPDATE credentials SET name = ?1, secret = ?2, data = ?3,
		last_used_at = CASE WHEN ?4 IS NULL OR last_used_at > ?4 THEN last_used_at ELSE ?4 END,
		counter = max(counter, ?5)
		WHERE id = ?6 AND user_id = ?7`,
		c.Name, c.Secret, c.Data, used, int64(c.Counter), c.ID, c.UserID)
	n, err := db.rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s of user %s: %w", op, c.UserID, store.ErrNotFound)
	}
	return nil
}

// DeleteCredential deletes the user's credential id.
func (db *DB) DeleteCredential(ctx context.Context, userID, id string) error {
	op := "delete credential " + id
	if err := db.open(op); err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM credentials WHERE id = ? AND user_id = ?", id, userID)
	n, err := db.rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s of user %s: %w", op, userID, store.ErrNotFound)
	}
	return nil
}

// UseTOTPStep advances the TOTP credential's last step to step if step is
// later, in one conditional UPDATE.
func (db *DB) UseTOTPStep(ctx context.Context, credID string, step int64) (bool, error) {
	op := "use TOTP step of credential " + credID
	if err := db.open(op); err != nil {
		return false, err
	}
	res, err := db.w.ExecContext(ctx, `UPDATE credentials SET last_step = ?1
		WHERE id = ?2 AND kind = ?3 AND last_step < ?1`, step, credID, string(store.CredentialTOTP))
	n, err := db.rowsAffected(op, res, err)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	// A replay, or no such credential.
	var found int
	err = db.r.QueryRowContext(ctx, "SELECT count(*) FROM credentials WHERE id = ? AND kind = ?",
		credID, string(store.CredentialTOTP)).Scan(&found)
	if err != nil {
		return false, db.wrap(op, err)
	}
	if found == 0 {
		return false, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return false, nil
}

// UseRecoveryCode deletes the user's recovery code with the hash codeHash,
// in one DELETE, and reports whether there was one.
func (db *DB) UseRecoveryCode(ctx context.Context, userID, codeHash string) (bool, error) {
	op := "use recovery code of user " + userID
	if err := db.open(op); err != nil {
		return false, err
	}
	if codeHash == "" {
		return false, nil
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM credentials WHERE user_id = ? AND kind = ? AND secret = ?",
		userID, string(store.CredentialRecovery), []byte(codeHash))
	n, err := db.rowsAffected(op, res, err)
	if err != nil {
		return false, err
	}
	return n > 0, nil
}

func scanCredential(s scanner) (store.Credential, error) {
	var (
		c       store.Credential
		kind    string
		created int64
		used    *int64
		counter int64
	)
	if err := s.Scan(&c.ID, &c.UserID, &kind, &c.Name, &c.Secret, &c.Data, &created, &used, &counter, &c.LastStep); err != nil {
		return store.Credential{}, err
	}
	c.Kind = store.CredentialKind(kind)
	c.CreatedAt = nullTime(&created)
	c.LastUsedAt = nullTime(used)
	c.Counter = uint32(counter) // #nosec G115 -- stored from a uint32
	return c, nil
}
