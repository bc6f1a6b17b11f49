// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go, no cgo). It is rampart's default store for a
// single node.
//
// Open opens or creates the database file (mode 0600) in WAL mode with a busy
// timeout, foreign keys on and synchronous=NORMAL, set on every connection.
// Open does not change the schema: Migrate applies the embedded migrations in
// migrations/, each in its own transaction, and refuses to touch a database
// whose schema is newer than this binary knows.
//
// The identity tables (users, sessions, credentials, api_keys, tokens; see
// migrations/0002_identity.sql) hang off users with ON DELETE CASCADE.
// Case-insensitive keys are computed in Go with store.FoldName, not with
// COLLATE NOCASE, which folds ASCII only. Every check-and-change
// (UpdateUser's version, UseTOTPStep, UseRecoveryCode, ConsumeToken) is one
// conditional statement judged by the rows it changed or returned, which is
// what keeps it atomic when store/postgres runs it from several nodes.
//
// All writes go through a single connection, so writers in one process queue
// in Go instead of failing with SQLITE_BUSY; reads use a separate pool of
// read-only connections, which WAL lets run alongside the writer. Another
// process writing to the same file (rampart migrate while rampart serve runs)
// is covered by the busy timeout. The package does not support in-memory
// databases, and it does not replicate: several nodes share
// store/postgres instead.
//
// A *DB is safe for concurrent use by multiple goroutines.
package sqlite
