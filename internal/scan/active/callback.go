package active

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxCallbackHits bounds the markers a Listener remembers.
const maxCallbackHits = 10000

// Listener is a Callback over a small HTTP server: a request for
// /MARKER (or anything under it) is a hit for MARKER. The marker, random
// and sent only in a payload, is the proof; the scanner's own clients
// never request the listener (its port is out of the scan's scope). It
// answers every request with 204 and an empty body.
type Listener struct {
	base string
	srv  *http.Server
	ln   net.Listener

	mu   sync.Mutex
	hits map[string]string // marker → remote address of the first hit
}

// Listen starts a Listener on addr (host:port; port 0 picks one). base,
// when not empty, is the URL the target reaches it by (behind NAT);
// else it is http://ADDR.
func Listen(addr, base string) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("callback listener on %s: %w", addr, err)
	}
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	l := &Listener{base: strings.TrimSuffix(base, "/"), ln: ln, hits: map[string]string{}}
	l.srv = &http.Server{
		Handler:           http.HandlerFunc(l.serve),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      5 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	go func() {
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	return l, nil
}

func (l *Listener) serve(w http.ResponseWriter, r *http.Request) {
	marker, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if marker != "" && len(marker) <= 64 {
		l.mu.Lock()
		if _, ok := l.hits[marker]; !ok && len(l.hits) < maxCallbackHits {
			l.hits[marker] = r.RemoteAddr
		}
		l.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

// URL is the listener's URL for marker.
func (l *Listener) URL(marker string) string { return l.base + "/" + marker }

// Hit reports whether marker's URL was requested, and from where.
func (l *Listener) Hit(marker string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	from, ok := l.hits[marker]
	return from, ok
}

// Close stops the listener.
func (l *Listener) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return l.srv.Shutdown(ctx)
}
