-- Identity: users, sessions, second factors, API keys, one-time e-mail
-- tokens. Times are Unix nanoseconds in UTC as in events, NULL where the Go
-- field's zero value means "not set". Every child row goes with its user
-- (ON DELETE CASCADE; the store opens every connection with foreign_keys on),
-- and every foreign key has an index so that the cascade does not scan.

-- username_key and email_key are store.FoldName of username and email,
-- computed in Go so that SQLite and PostgreSQL fold case alike (NOCASE folds
-- ASCII only). roles is a JSON array of strings. version counts writes for
-- optimistic concurrency.
CREATE TABLE users (
	id                  TEXT PRIMARY KEY,
	username            TEXT NOT NULL,
	username_key        TEXT NOT NULL UNIQUE CHECK (username_key != ''),
	email               TEXT NOT NULL DEFAULT '',
	email_key           TEXT NOT NULL DEFAULT '',
	email_verified      INTEGER NOT NULL DEFAULT 0,
	password_hash       TEXT NOT NULL DEFAULT '',
	roles               TEXT NOT NULL DEFAULT '[]',
	disabled            INTEGER NOT NULL DEFAULT 0,
	mfa_required        INTEGER NOT NULL DEFAULT 0,
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL,
	password_changed_at INTEGER,
	version             INTEGER NOT NULL
);

-- An address is unique when there is one; many users may have none.
CREATE UNIQUE INDEX users_email_key ON users (email_key) WHERE email_key != '';

-- id is the hex SHA-256 of the cookie secret. idle_timeout is in
-- nanoseconds, 0 for none.
CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	idle_timeout INTEGER NOT NULL DEFAULT 0,
	client_ip    TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT '',
	mfa          INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- secret is encrypted by the caller, or a recovery code's hash. counter is
-- the WebAuthn signature counter; last_step the last TOTP step accepted,
-- which UseTOTPStep advances with one conditional UPDATE.
CREATE TABLE credentials (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	name         TEXT NOT NULL DEFAULT '',
	secret       BLOB,
	data         BLOB,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	counter      INTEGER NOT NULL DEFAULT 0,
	last_step    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX credentials_user_kind ON credentials (user_id, kind);

-- user_id is NULL for a service key. hash is the hex SHA-256 of the secret.
CREATE TABLE api_keys (
	id           TEXT PRIMARY KEY,
	user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	hash         TEXT NOT NULL,
	roles        TEXT NOT NULL DEFAULT '[]',
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER,
	last_used_at INTEGER,
	revoked_at   INTEGER
);

CREATE INDEX api_keys_user ON api_keys (user_id);
CREATE INDEX api_keys_created ON api_keys (created_at, id);

-- hash is the hex SHA-256 of the secret in the e-mailed link.
CREATE TABLE tokens (
	hash       TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	purpose    TEXT NOT NULL,
	data       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);

CREATE INDEX tokens_user ON tokens (user_id, purpose);
CREATE INDEX tokens_expires ON tokens (expires_at);
