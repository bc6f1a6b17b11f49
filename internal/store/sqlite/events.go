package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"rampart/internal/events"
	"rampart/internal/store"
)

// Times are stored as Unix nanoseconds, which reach from 1677 to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

const insertEvent = `INSERT INTO events
	(id, time, type, severity, client_ip, route, user_name, request_id, node, message, details)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO NOTHING`

// AppendEvents stores evs in one transaction. An event whose ID is already
// stored is skipped. Every event needs an ID and a time between 1678 and
// 2262; otherwise nothing is stored.
func (db *DB) AppendEvents(ctx context.Context, evs []events.Event) (err error) {
	if db.closed.Load() {
		return fmt.Errorf("append events: %w", store.ErrClosed)
	}
	if len(evs) == 0 {
		return nil
	}
	for i := range evs {
		if err := checkEvent(&evs[i]); err != nil {
			return fmt.Errorf("append events: %w", err)
		}
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.wrap("append events", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	stmt, err := tx.PrepareContext(ctx, insertEvent)
	if err != nil {
		return db.wrap("append events", err)
	}
	defer stmt.Close()
	for i := range evs {
		e := &evs[i]
		var details sql.NullString
		if len(e.Details) > 0 {
			b, err := json.Marshal(e.Details)
			if err != nil {
				return fmt.Errorf("append events: event %s details: %w", e.ID, err)
			}
			details = sql.NullString{String: string(b), Valid: true}
		}
		if _, err := stmt.ExecContext(ctx, e.ID, e.Time.UnixNano(), string(e.Type), int64(e.Severity),
			e.ClientIP, e.Route, e.User, e.RequestID, e.Node, e.Message, details); err != nil {
			return db.wrap("append events: event "+e.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return db.wrap("append events", err)
	}
	return nil
}

func checkEvent(e *events.Event) error {
	if e.ID == "" {
		return errors.New("event has no ID")
	}
	if e.Time.IsZero() {
		return fmt.Errorf("event %s has no time", e.ID)
	}
	if e.Time.Before(minTime) || e.Time.After(maxTime) {
		return fmt.Errorf("event %s: time %s is out of range", e.ID, e.Time)
	}
	return nil
}

const selectEvents = `SELECT id, time, type, severity, client_ip, route, user_name, request_id, node, message, details
	FROM events`

// Events returns the events matching f, newest first; events with the same
// time come in descending ID order.
func (db *DB) Events(ctx context.Context, f store.EventFilter) ([]events.Event, error) {
	if db.closed.Load() {
		return nil, fmt.Errorf("events: %w", store.ErrClosed)
	}
	var (
		where []string
		args  []any
	)
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, nanos(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, "time < ?")
		args = append(args, nanos(f.Until))
	}
	if len(f.Types) > 0 {
		where = append(where, "type IN (?"+strings.Repeat(", ?", len(f.Types)-1)+")")
		for _, t := range f.Types {
			args = append(args, string(t))
		}
	}
	if f.MinSeverity > 0 {
		where = append(where, "severity >= ?")
		args = append(args, int64(f.MinSeverity))
	}
	if f.ClientIP != "" {
		where = append(where, "client_ip = ?")
		args = append(args, f.ClientIP)
	}
	if f.Route != "" {
		where = append(where, "route = ?")
		args = append(args, f.Route)
	}
	if f.RequestID != "" {
		where = append(where, "request_id = ?")
		args = append(args, f.RequestID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultEventLimit
	}
	limit = min(limit, store.MaxEventLimit)

	var q strings.Builder
	q.WriteString(selectEvents)
	if len(where) > 0 {
		q.WriteString(" WHERE ")
		q.WriteString(strings.Join(where, " AND "))
	}
	q.WriteString(" ORDER BY time DESC, id DESC LIMIT ?")
	args = append(args, limit)

	rows, err := db.r.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, db.wrap("events", err)
	}
	defer rows.Close()
	evs := []events.Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, db.wrap("events", err)
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrap("events", err)
	}
	return evs, nil
}

// nanos returns t in Unix nanoseconds, clamped to the range they can hold.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Event returns the event with the given ID, or an error wrapping
// store.ErrNotFound.
func (db *DB) Event(ctx context.Context, id string) (events.Event, error) {
	if db.closed.Load() {
		return events.Event{}, fmt.Errorf("event %s: %w", id, store.ErrClosed)
	}
	row := db.r.QueryRowContext(ctx, selectEvents+" WHERE id = ?", id)
	e, err := scanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return events.Event{}, fmt.Errorf("event %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return events.Event{}, db.wrap("event "+id, err)
	}
	return e, nil
}

type scanner interface {
	Scan(dest ...any) error
}

func scanEvent(s scanner) (events.Event, error) {
	var (
		e       events.Event
		ns      int64
		typ     string
		sev     int64
		details sql.NullString
	)
	if err := s.Scan(&e.ID, &ns, &typ, &sev, &e.ClientIP, &e.Route, &e.User,
		&e.RequestID, &e.Node, &e.Message, &details); err != nil {
		return events.Event{}, err
	}
	e.Time = time.Unix(0, ns).UTC()
	e.Type = events.Type(typ)
	e.Severity = events.Severity(sev)
	if details.Valid {
		if err := json.Unmarshal([]byte(details.String), &e.Details); err != nil {
			return events.Event{}, fmt.Errorf("event %s details: %w", e.ID, err)
		}
	}
	return e, nil
}

// DeleteEventsBefore deletes the events older than t and returns how many
// it deleted.
func (db *DB) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	if db.closed.Load() {
		return 0, fmt.Errorf("delete events: %w", store.ErrClosed)
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM events WHERE time < ?", nanos(t))
	if err != nil {
		return 0, db.wrap("delete events", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, db.wrap("delete events", err)
	}
	return n, nil
}
