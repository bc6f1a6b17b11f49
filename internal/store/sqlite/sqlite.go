package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"rampart/internal/store"
)

var _ store.Store = (*DB)(nil)

// busyTimeoutMS is how long a connection waits for a lock held by another
// process before failing with SQLITE_BUSY. Within one process writes are
// already serialized on one connection; five seconds rides out a concurrent
// rampart migrate or a long checkpoint without stalling requests for long.
const busyTimeoutMS = 5000

// DB is a SQLite-backed store.Store. Create one with Open and release it with
// Close. A *DB is safe for concurrent use.
type DB struct {
	path   string
	log    *slog.Logger
	w      *sql.DB // one connection, BEGIN IMMEDIATE: every write
	r      *sql.DB // read-only connections: every read
	closed atomic.Bool
}

// Open opens the SQLite database at path, creating the file with mode 0600
// if it does not exist. Its parent directory must exist. Open does not
// migrate; call Migrate before using the store.
func Open(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("open sqlite %q: need the path of a database file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Create the file ourselves so that it gets mode 0600: events name users
	// and client addresses. SQLite gives its -wal and -shm files the same
	// mode as the database file.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600) // #nosec G304 -- store.path from the operator's config
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}

	w, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One writer connection: writers queue on database/sql's pool instead of
	// contending for SQLite's lock. Keep it open for the life of the DB.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Connect the writer first: it switches the file to WAL before any
	// read-only connection (which cannot) opens it.
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}

	r, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		_ = r.Close()
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}

	log = log.With("component", "store", "driver", "sqlite")
	log.LogAttrs(ctx, slog.LevelDebug, "database opened", slog.String("path", abs))
	return &DB{path: abs, log: log, w: w, r: r}, nil
}

// dsn returns the modernc.org/sqlite data source name for the file at the
// absolute path abs. The pragmas run on every new connection of the pool.
func dsn(abs string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// NORMAL is durable against application crashes in WAL mode; a power
	// loss may lose the last transactions, never corrupt the file.
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		// Take the write lock at BEGIN so a transaction never fails halfway
		// when another process holds it; the busy timeout applies instead.
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if db.closed.Load() {
		return fmt.Errorf("ping: %w", store.ErrClosed)
	}
	var one int
	if err := db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return db.wrap("ping", err)
	}
	return nil
}

// Close closes the database. Methods called after Close return an error
// wrapping store.ErrClosed; closing twice does nothing.
func (db *DB) Close() error {
	if !db.closed.CompareAndSwap(false, true) {
		return nil
	}
	// The writer closes last: the last connection to close checkpoints the
	// WAL into the database file.
	err := errors.Join(db.r.Close(), db.w.Close())
	if err != nil {
		return fmt.Errorf("close sqlite %s: %w", db.path, err)
	}
	return nil
}

// wrap names the operation op in err, and adds store.ErrClosed when err came
// from a database closed while op ran.
func (db *DB) wrap(op string, err error) error {
	if db.closed.Load() && !errors.Is(err, store.ErrClosed) {
		return fmt.Errorf("%s: %w (%w)", op, store.ErrClosed, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
