package request

import (
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// Failer writes error pages. The zero value writes pages without logging.
type Failer struct {
	// Log receives the cause of 5xx answers; nil means no logging.
	Log *slog.Logger
}

// Fail answers r with status, a plain sentence and the request ID. The cause
// err is logged for 5xx statuses and never shown to the client. Clients that
// prefer JSON (an Accept header naming application/json and not text/html)
// get {"error": ..., "status": ..., "request_id": ...}.
func (f Failer) Fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	id := ID(r.Context())
	if status >= 500 && f.Log != nil {
		attrs := LogAttrs(r.Context())
		if err != nil {
			attrs = append(attrs, slog.String("err", err.Error()))
		}
		attrs = append(attrs, slog.Int("status", status))
		f.Log.LogAttrs(r.Context(), slog.LevelError, "request failed", attrs...)
	}
	WritePage(w, r, status, id)
}

// Fail is Failer{}.Fail: it answers without logging.
func Fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	Failer{}.Fail(w, r, status, err)
}

// Sentence returns the plain sentence shown to clients for status.
func Sentence(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "The request was malformed and has been refused."
	case http.StatusForbidden:
		return "The request was blocked by the security policy of this site."
	case http.StatusNotFound:
		return "No page or service is configured at this address."
	case http.StatusRequestEntityTooLarge:
		return "The request body is larger than this site accepts."
	case http.StatusRequestURITooLong:
		return "The request address is longer than this site accepts."
	case http.StatusRequestHeaderFieldsTooLarge:
		return "The request headers are larger than this site accepts."
	case http.StatusTooManyRequests:
		return "Too many requests; please slow down and try again later."
	case http.StatusRequestTimeout:
		return "The request took too long to arrive."
	case http.StatusBadGateway:
		return "The service behind this gateway could not be reached."
	case http.StatusServiceUnavailable:
		return "The service is temporarily unavailable; please try again later."
	case http.StatusGatewayTimeout:
		return "The service behind this gateway took too long to answer."
	}
	if status >= 500 {
		return "The service had a problem answering this request."
	}
	return "The request could not be served."
}

// WritePage writes the error page for status carrying the request ID id.
func WritePage(w http.ResponseWriter, r *http.Request, status int, id string) {
	h := w.Header()
	for k := range h {
		switch k {
		case "Retry-After", "Connection":
			// Set by the caller for this answer; they carry no detail.
		default:
			delete(h, k)
		}
	}
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if id != "" {
		h.Set("X-Request-Id", id)
	}
	text := http.StatusText(status)
	if text == "" {
		text = "Error"
	}
	var b strings.Builder
	if wantsJSON(r) {
		h.Set("Content-Type", "application/json")
		js, _ := json.Marshal(struct {
			Error     string `json:"error"`
			Status    int    `json:"status"`
			RequestID string `json:"request_id"`
		}{Sentence(status), status, id})
		b.Write(js)
		b.WriteString("\n")
	} else {
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
		b.WriteString("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
		b.WriteString(strconv.Itoa(status))
		b.WriteString(" ")
		b.WriteString(html.EscapeString(text))
		b.WriteString("</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}code{background:#eee;padding:.1em .3em}</style></head><body><h1>")
		b.WriteString(strconv.Itoa(status))
		b.WriteString(" ")
		b.WriteString(html.EscapeString(text))
		b.WriteString("</h1><p>")
		b.WriteString(html.EscapeString(Sentence(status)))
		b.WriteString("</p>")
		if id != "" {
			b.WriteString("<p>Request ID: <code>")
			b.WriteString(html.EscapeString(id))
			b.WriteString("</code></p>")
		}
		b.WriteString("</body></html>\n")
	}
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r == nil || r.Method != http.MethodHead {
		_, _ = w.Write([]byte(b.String()))
	}
}

func wantsJSON(r *http.Request) bool {
	if r == nil {
		return false
	}
	accept := r.Header.Get("Accept")
	if strings.Contains(accept, "text/html") {
		return false
	}
	return strings.Contains(accept, "application/json") || strings.Contains(accept, "+json") ||
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
}
