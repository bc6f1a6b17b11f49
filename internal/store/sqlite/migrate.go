package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"rampart/internal/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded schema change, migrations/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations, oldest first. It fails on a
// file name without a version or on a version used twice.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql with NNNN > 0", base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s: same version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	applied_at TEXT NOT NULL
)`

// Migrate applies the embedded migrations the database lacks, each in its
// own transaction, and returns their versions, oldest first. It applies
// nothing and returns an error when the database schema is newer than this
// binary knows.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	if db.closed.Load() {
		return nil, fmt.Errorf("migrate: %w", store.ErrClosed)
	}
	ms, err := migrations()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	if _, err := db.w.ExecContext(ctx, createSchemaMigrations); err != nil {
		return nil, db.wrap("migrate", err)
	}
	current, err := schemaVersion(ctx, db.w)
	if err != nil {
		return nil, db.wrap("migrate", err)
	}
	if current > known {
		return nil, fmt.Errorf("migrate %s: database schema version %d is newer than this rampart knows (%d); upgrade rampart", db.path, current, known)
	}

	var applied []int
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		ok, err := db.apply(ctx, m)
		if err != nil {
			return applied, db.wrap(fmt.Sprintf("migrate %s: apply %s", db.path, m.name), err)
		}
		if ok {
			applied = append(applied, m.version)
			db.log.LogAttrs(ctx, slog.LevelInfo, "migration applied",
				slog.Int("version", m.version), slog.String("migration", m.name))
		}
	}
	return applied, nil
}

// apply runs m in one transaction and records it. It reports false when
// another process applied m first.
func (db *DB) apply(ctx context.Context, m migration) (applied bool, err error) {
	tx, err := db.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: holds the write lock throughout
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, tx.Rollback()
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
		m.version, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// SchemaVersion returns the newest applied migration version, 0 when none.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	if db.closed.Load() {
		return 0, fmt.Errorf("schema version: %w", store.ErrClosed)
	}
	v, err := schemaVersion(ctx, db.r)
	if err != nil {
		return 0, db.wrap("schema version", err)
	}
	return v, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var n int
	err := q.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v int
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, err
	}
	return v, nil
}
