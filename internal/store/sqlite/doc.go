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
