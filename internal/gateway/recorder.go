package gateway

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
)

// recorder notes the status and size of a response. Recorders are pooled:
// the gateway is their only user and drops them when ServeHTTP returns.
type recorder struct {
	http.ResponseWriter
	status      int
	written     int64
	wroteHeader bool
}

var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

func getRecorder(w http.ResponseWriter) *recorder {
	rec := recorderPool.Get().(*recorder)
	*rec = recorder{ResponseWriter: w}
	return rec
}

func putRecorder(rec *recorder) {
	rec.ResponseWriter = nil
	recorderPool.Put(rec)
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		if code >= 200 || code == http.StatusSwitchingProtocols {
			r.wroteHeader = true
			r.status = code
		}
		if code == statusClientClosed {
			// Only for our logs: the client is gone.
			return
		}
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.wroteHeader = true
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush, deadlines and hijacking.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush implements http.Flusher for handlers that type-assert it.
func (r *recorder) Flush() {
	if !r.wroteHeader {
		r.wroteHeader = true
		r.status = http.StatusOK
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker (WebSocket upgrades through the proxy).
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		r.wroteHeader = true
		if r.status == 0 {
			r.status = http.StatusSwitchingProtocols
		}
		return h.Hijack()
	}
	return nil, nil, errors.New("hijack not supported")
}
