package lab

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"

	_ "modernc.org/sqlite" // the shop's database: a real SQLite, so that injected SQL runs
)

// product is a row of the products table, as text: the shop prints
// whatever the query gives, as a PHP or Python page would (so a UNION
// SELECT shows its columns, NULLs included).
type product struct {
	ID, Name, Category, Price, Description string
}

// schema is the shop's database: products, the customers an injection
// can read, and the guestbooks of the flawed and the fixed shop (apart,
// so that what is posted to one is never shown by the other).
const schema = `
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, price REAL NOT NULL, description TEXT NOT NULL);
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE guestbook (id INTEGER PRIMARY KEY, name TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE guestbook_safe (id INTEGER PRIMARY KEY, name TEXT NOT NULL, message TEXT NOT NULL);
INSERT INTO products VALUES
  (1, 'Rope Doormat', 'home', 24.50, 'Hand-knotted from old mooring lines.'),
  (2, 'Storm Lantern', 'home', 39.00, 'Paraffin lantern that stays lit in a gale.'),
  (3, 'Oilskin Jacket', 'clothing', 129.00, 'Waxed cotton, taped seams, a hood that fits over a cap.'),
  (4, 'Fisherman Sweater', 'clothing', 89.00, 'Undyed wool, knitted close enough to turn spray.'),
  (5, 'Brass Compass', 'gear', 59.90, 'Liquid-damped card, reads true on a rolling deck.'),
  (6, 'Tide Clock', 'gear', 45.00, 'Shows high and low water instead of hours.');
INSERT INTO customers VALUES
  (1, 'ada@harbour-goods.test', '$2y$10$Qm9hdGhvb2tzLmV4YW1wbGUuY29tL3NhbHQx'),
  (2, 'grace@example.test', '$2y$10$U2FsdHlEb2dTZWFzaWRlLmV4YW1wbGUuMjAy');
INSERT INTO guestbook (name, message) VALUES ('Ada', 'The lantern survived a winter on the quay. <b>Recommended!</b>');
INSERT INTO guestbook_safe (name, message) VALUES ('Ada', 'The lantern survived a winter on the quay.');
`

// openDB creates the shop's database in dir: a file in WAL mode, so that
// one slow query (a scanner's heavy time-based payload) does not hold up
// the pages that other requests read.
func openDB(ctx context.Context, dir string) (*sql.DB, error) {
	path := filepath.Join(dir, "shop.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("create the shop's tables: %w", err)
	}
	return db, nil
}

// scanProducts reads rows of (id, name, category, price, description).
func scanProducts(rows *sql.Rows) ([]product, error) {
	defer rows.Close()
	var ps []product
	for rows.Next() {
		var v [5]any
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
			return nil, fmt.Errorf("read a product: %w", err)
		}
		var t [5]string
		for i, x := range v {
			switch x := x.(type) {
			case nil:
				t[i] = ""
			case []byte:
				t[i] = string(x)
			case float64:
				t[i] = strconv.FormatFloat(x, 'f', 2, 64)
			default:
				t[i] = fmt.Sprint(x)
			}
		}
		ps = append(ps, product{ID: t[0], Name: t[1], Category: t[2], Price: t[3], Description: t[4]})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	return ps, nil
}
