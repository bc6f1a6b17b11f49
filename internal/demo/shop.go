package demo

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"
)

// product is one item of the shop's fixed catalogue.
type product struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	PriceCents  int    `json:"price_cents"`
	Description string `json:"description"`
}

// Price is the product's price for display, "$12.00".
func (p product) Price() string { return formatPrice(p.PriceCents) }

// products is the catalogue. It is never modified.
var products = []product{
	{1, "Rampart Mug", 1200, "Stoneware mug that holds 350 ml of coffee and withstands a siege."},
	{2, "Castle Hoodie", 4500, "Heavy cotton hoodie with a small embroidered tower."},
	{3, "Moat Water Bottle", 1850, "Insulated steel bottle; keeps water cold for 24 hours."},
	{4, "Drawbridge Notebook", 995, "A5 dotted notebook, 120 pages, lies flat when open."},
	{5, "Portcullis Sticker Pack", 499, "Eight vinyl stickers for laptops that need defending."},
	{6, "Battlement Desk Lamp", 3900, "Dimmable LED lamp with a crenellated shade."},
	{7, "Sentry Socks", 1100, "Merino socks for long watches on cold walls."},
	{8, "Keep Backpack", 6400, "25 litre backpack with a padded laptop keep."},
}

// productByID returns the product with id, or false.
func productByID(id int) (product, bool) {
	for _, p := range products {
		if p.ID == id {
			return p, true
		}
	}
	return product{}, false
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "home", struct {
		Title    string
		Products []product
	}{"Home", products})
}

// fakeSQL is the query the search page pretends to run: q pasted into the
// string, the classic SQL injection.
func fakeSQL(q string) string {
	return "SELECT * FROM products WHERE name LIKE '%" + q + "%'"
}

func (a *App) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	sql := fakeSQL(q)
	if strings.Contains(strings.ReplaceAll(q, "''", ""), "'") {
		// A lone quote "breaks" the pasted SQL (a doubled one is an
		// escaped quote inside the string, as in SQL), and the app shows its debug
		// traceback to the client, as a careless app in debug mode would.
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "fake sql error shown", slog.String("sql", sql))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(fakeTraceback(sql)))
		return
	}

	var results []product
	if q != "" {
		lq := strings.ToLower(q)
		for _, p := range products {
			if strings.Contains(strings.ToLower(p.Name), lq) {
				results = append(results, p)
			}
		}
	}
	a.render(w, r, http.StatusOK, "search", struct {
		Title     string
		Query     string
		Reflected template.HTML
		SQL       string
		Results   []product
	}{
		Title: "Search",
		Query: q,
		// DELIBERATELY UNSAFE, for the demo only: template.HTML tells
		// html/template not to escape the user's query, so a query such as
		// <script>alert(1)</script> runs in the page (reflected XSS) and the
		// gateway's WAF has something to stop. Never copy this.
		Reflected: template.HTML(q),
		SQL:       sql,
		Results:   results,
	})
}

// fakeTraceback is the debug page a careless Python app would show when the
// pasted SQL fails. Every path and line in it is made up.
func fakeTraceback(sql string) string {
	return `Internal Server Error

Traceback (most recent call last):
  File "/srv/demoshop/venv/lib/python3.8/site-packages/flask/app.py", line 2447, in wsgi_app
    response = self.full_dispatch_request()
  File "/srv/demoshop/venv/lib/python3.8/site-packages/flask/app.py", line 1952, in full_dispatch_request
    rv = self.handle_user_exception(e)
  File "/srv/demoshop/app/views/search.py", line 27, in search
    rows = db.execute(sql).fetchall()
sqlite3.OperationalError: near "'": syntax error

query:    ` + sql + `
database: /srv/demoshop/instance/shop.db
debug:    True
`
}
