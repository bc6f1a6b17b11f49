package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
)

// Username and Password log in as the shop's one user; `rampart demo` can
// print them next to the URLs so that users can try the login.
const (
	Username = "alice"
	Password = "correct horse battery staple"
)

// Banners the app sends on every response, so that the gateway's banner
// stripping has something to strip.
const (
	serverBanner    = "DemoShop/0.1 (Python/3.8)"
	poweredByBanner = "Express"
)

const (
	maxOrders   = 1000    // oldest orders are dropped beyond this
	maxSessions = 1000    // an arbitrary session is dropped beyond this
	maxBody     = 1 << 20 // request bodies (forms and JSON), 1 MiB
)

// App is the demo shop. It is an http.Handler; the zero value is not usable,
// create one with NewApp.
type App struct {
	log   *slog.Logger
	mux   *http.ServeMux
	pages map[string]*template.Template

	mu          sync.Mutex
	orders      []order           // oldest first, at most maxOrders
	nextOrderID int               // last ID handed out
	sessions    map[string]string // session token → username
}

// NewApp returns the demo shop, logging through log (nil discards). The error
// reports a broken page template and means a bug in this package.
func NewApp(log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	a := &App{
		log:      log.With("component", "demo"),
		mux:      http.NewServeMux(),
		pages:    pages,
		sessions: make(map[string]string),
	}
	a.routes()
	return a, nil
}

func (a *App) routes() {
	a.mux.HandleFunc("GET /{$}", a.home)
	a.mux.HandleFunc("GET /search", a.search)
	a.mux.HandleFunc("GET /login", a.loginForm)
	a.mux.HandleFunc("POST /login", a.login)
	a.mux.HandleFunc("GET /account", a.account)
	a.mux.HandleFunc("GET /logout", a.logout)
	a.mux.HandleFunc("POST /logout", a.logout)

	a.mux.HandleFunc("GET /api/health", a.health)
	a.mux.HandleFunc("GET /api/products", a.listProducts)
	a.mux.HandleFunc("GET /api/products/{id}", a.getProduct)
	a.mux.HandleFunc("POST /api/orders", a.createOrder)
}

// ServeHTTP serves the shop. Every response, errors included, carries the
// Server and X-Powered-By banners and no security headers.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Server", serverBanner)
	h.Set("X-Powered-By", poweredByBanner)
	a.mux.ServeHTTP(noSniffDropper{w}, r)
}

// noSniffDropper removes the X-Content-Type-Options header that http.Error
// (and so the mux's 404 and 405 answers) sets, so that the app really sends
// no security headers and the gateway visibly adds them.
type noSniffDropper struct{ http.ResponseWriter }

func (w noSniffDropper) WriteHeader(status int) {
	w.Header().Del("X-Content-Type-Options")
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w noSniffDropper) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// render executes the page template name with data and writes it with status.
// The page is built in memory first so that a template error still gets a
// clean 500.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := a.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelError, "render page failed",
			slog.String("page", name), slog.String("err", err.Error()))
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeJSON writes v as JSON with status.
func (a *App) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelError, "encode json failed", slog.String("err", err.Error()))
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// apiError is the body of every JSON error answer.
type apiError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"` // field → what is wrong with it
}

func (a *App) health(w http.ResponseWriter, r *http.Request) {
	a.writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

// formatPrice renders cents as dollars, 1999 → "$19.99".
func formatPrice(cents int) string {
	return fmt.Sprintf("$%d.%02d", cents/100, cents%100)
}
