package request

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFailPage(t *testing.T) {
	tests := []struct {
		name, accept string
		status       int
		wantType     string
	}{
		{"html", "text/html", 502, "text/html; charset=utf-8"},
		{"json", "application/json", 403, "application/json"},
		{"browser prefers html", "text/html,application/json", 404, "text/html; charset=utf-8"},
		{"no accept", "", 400, "text/html; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Accept", tt.accept)
			r = r.WithContext(NewContext(r.Context(), &Info{ID: "req-<42>"}))
			var logs bytes.Buffer
			w := httptest.NewRecorder()
			w.Header().Set("X-Leak", "upstream detail")
			Failer{Log: slog.New(slog.NewTextHandler(&logs, nil))}.Fail(w, r, tt.status, errors.New("dial tcp 10.1.2.3:5432: connection refused"))
			body := w.Body.String()
			if w.Code != tt.status || w.Header().Get("Content-Type") != tt.wantType {
				t.Errorf("status %d type %q", w.Code, w.Header().Get("Content-Type"))
			}
			if strings.Contains(body, "10.1.2.3") || strings.Contains(body, "connection refused") || w.Header().Get("X-Leak") != "" {
				t.Errorf("internal detail leaked: %s", body)
			}
			if !strings.Contains(body, "req-") || (strings.HasPrefix(tt.wantType, "text/html") && strings.Contains(body, "<42>")) {
				t.Errorf("request ID missing or unescaped: %s", body)
			}
			if w.Header().Get("X-Request-Id") != "req-<42>" {
				t.Errorf("X-Request-Id = %q", w.Header().Get("X-Request-Id"))
			}
			logged := logs.String()
			if tt.status >= 500 && !strings.Contains(logged, "connection refused") {
				t.Errorf("5xx cause not logged: %s", logged)
			}
			if tt.status < 500 && logged != "" {
				t.Errorf("4xx logged: %s", logged)
			}
		})
	}
}

func TestFailHead(t *testing.T) {
	r := httptest.NewRequest("HEAD", "/", nil)
	w := httptest.NewRecorder()
	Fail(w, r, http.StatusNotFound, nil)
	if w.Body.Len() != 0 || w.Code != 404 {
		t.Errorf("HEAD: %d with %d body bytes", w.Code, w.Body.Len())
	}
}

func TestValidID(t *testing.T) {
	for _, id := range []string{"abc", "A-b_c.d:e=f", NewID()} {
		if !ValidID(id) {
			t.Errorf("ValidID(%q) = false", id)
		}
	}
	for _, id := range []string{"", "a b", "a\nb", "a\"b", "<script>", strings.Repeat("a", MaxIDLen+1)} {
		if ValidID(id) {
			t.Errorf("ValidID(%q) = true", id)
		}
	}
}

func TestAccessors(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if ID(r.Context()) != "" || Route(r.Context()) != "" || ClientIP(r.Context()).IsValid() {
		t.Error("accessors on a bare context should be empty")
	}
	info, r2 := Get(r)
	info.ID, info.Route = "x", "app"
	if ID(r2.Context()) != "x" || Route(r2.Context()) != "app" {
		t.Error("Get did not attach the Info")
	}
	if again, _ := Get(r2); again != info {
		t.Error("Get made a second Info")
	}
}
