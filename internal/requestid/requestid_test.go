package requestid

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"rampart/internal/request"
)

func TestAssign(t *testing.T) {
	tests := []struct {
		name     string
		trusted  bool
		incoming string
		keep     bool
	}{
		{"trusted valid", true, "edge-1234", true},
		{"untrusted valid", false, "edge-1234", false},
		{"trusted with newline", true, "a\nb", false},
		{"trusted with space", true, "a b", false},
		{"trusted too long", true, string(make([]byte, request.MaxIDLen+1)), false},
		{"trusted empty", true, "", false},
	}
	s := New("")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.incoming != "" {
				r.Header["X-Request-Id"] = []string{tt.incoming}
			}
			info := &request.Info{TrustedPeer: tt.trusted}
			w := httptest.NewRecorder()
			s.Assign(info, w, r)
			if tt.keep != (info.ID == tt.incoming) {
				t.Errorf("ID = %q, incoming %q, keep = %v", info.ID, tt.incoming, tt.keep)
			}
			if !request.ValidID(info.ID) {
				t.Errorf("ID %q is not valid", info.ID)
			}
			if r.Header.Get("X-Request-Id") != info.ID || w.Header().Get("X-Request-Id") != info.ID {
				t.Errorf("headers: upstream %q, client %q, want %q", r.Header.Get("X-Request-Id"), w.Header().Get("X-Request-Id"), info.ID)
			}
		})
	}
}

func TestCustomHeader(t *testing.T) {
	s := New("x-correlation-id")
	r := httptest.NewRequest("GET", "/", nil)
	info := &request.Info{}
	w := httptest.NewRecorder()
	s.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(w, r)
	s.Assign(info, w, r)
	if r.Header.Get("X-Correlation-Id") != info.ID || w.Header().Get("X-Request-Id") != info.ID {
		t.Errorf("custom header not set: %v / %v", r.Header, w.Header())
	}
}

func TestNewIDUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 10000; i++ {
		id := request.NewID()
		if seen[id] {
			t.Fatalf("duplicate ID %q", id)
		}
		seen[id] = true
	}
}
