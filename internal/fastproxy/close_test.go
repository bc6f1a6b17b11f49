package fastproxy

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
)

// TestCloseStopsKeepAlive: after Close (a reload replaced the proxy),
// connections that requests give back are closed, not kept idle forever.
func TestCloseStopsKeepAlive(t *testing.T) {
	var opened, closed atomic.Int64
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	up.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			opened.Add(1)
		case http.StateClosed:
			closed.Add(1)
		}
	}
	up.Start()
	defer up.Close()
	u, _ := url.Parse(up.URL)
	p, err := New(Config{Target: u})
	if err != nil {
		t.Fatal(err)
	}
	get := func() {
		w := httptest.NewRecorder()
		p.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	get()
	get()
	if opened.Load() != 1 {
		t.Fatalf("%d upstream connections before Close, want 1 (keep-alive)", opened.Load())
	}
	p.Close()
	get()
	get()
	if opened.Load() != 3 {
		t.Errorf("%d upstream connections after Close, want a new one per request (3 in all)", opened.Load())
	}
	p.conns.mu.Lock()
	idle := len(p.conns.idle)
	p.conns.mu.Unlock()
	if idle != 0 {
		t.Errorf("%d idle connections kept after Close", idle)
	}
}
