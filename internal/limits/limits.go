// Package limits is the request-limits stage: it refuses requests whose
// framing is ambiguous (the smuggling shapes the wire checker reports), whose
// address, headers or body are larger than the route allows, and it turns a
// body of unknown length (chunked HTTP/1.1, HTTP/2 without Content-Length)
// into a complete, length-framed body before anything is forwarded, so that
// invalid chunking never reaches the upstream.
//
// Timeouts against slow clients and the concurrency cap are set on the
// listener and the gateway, not here. A Stage is immutable and safe for
// concurrent use.
package limits

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"rampart/internal/events"
	"rampart/internal/request"
)

// Config holds the bounds. Zero fields mean the defaults below.
type Config struct {
	MaxURLBytes    int
	MaxHeaderBytes int
	MaxHeaderCount int
	MaxBodyBytes   int64
}

// Defaults used for zero Config fields.
const (
	DefaultMaxURLBytes    = 8192
	DefaultMaxHeaderBytes = 32 << 10
	DefaultMaxHeaderCount = 100
	DefaultMaxBodyBytes   = 10 << 20
)

// Stage enforces a Config.
type Stage struct {
	cfg    Config
	bus    *events.Bus
	failer request.Failer
}

// New returns the stage for cfg, publishing rejections to bus (may be nil).
func New(cfg Config, bus *events.Bus, log *slog.Logger) *Stage {
	if cfg.MaxURLBytes <= 0 {
		cfg.MaxURLBytes = DefaultMaxURLBytes
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if cfg.MaxHeaderCount <= 0 {
		cfg.MaxHeaderCount = DefaultMaxHeaderCount
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return &Stage{cfg: cfg, bus: bus, failer: request.Failer{Log: log}}
}

// Handler wraps next with the stage.
func (s *Stage) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Check(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// Check enforces the limits on r. It answers the client and returns false
// when r is refused; it may replace r.Body with a buffered copy.
func (s *Stage) Check(w http.ResponseWriter, r *http.Request) bool {
	info, _ := request.Get(r)
	if a := info.Wire.Anomaly; a != "" {
		s.publish(r, http.StatusBadRequest, events.RequestSmuggling, events.SeverityHigh,
			"ambiguous request framing refused", "anomaly", a)
		refuseAndClose(w, r, info, http.StatusBadRequest)
		return false
	}
	if n := len(r.RequestURI); n > s.cfg.MaxURLBytes {
		s.reject(w, r, http.StatusRequestURITooLong, events.RequestRejected, events.SeverityLow,
			"request URL too long", "url_bytes", strconv.Itoa(n))
		return false
	}
	count, size := info.Wire.HeaderCount, info.Wire.HeaderBytes
	if !info.Wire.Known {
		count, size = headerSize(r.Header)
	}
	if count > s.cfg.MaxHeaderCount {
		s.reject(w, r, http.StatusRequestHeaderFieldsTooLarge, events.RequestRejected, events.SeverityLow,
			"too many request headers", "header_count", strconv.Itoa(count))
		return false
	}
	if size > s.cfg.MaxHeaderBytes {
		s.reject(w, r, http.StatusRequestHeaderFieldsTooLarge, events.RequestRejected, events.SeverityLow,
			"request headers too large", "header_bytes", strconv.Itoa(size))
		return false
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		w.Header().Set("Connection", "close")
		s.reject(w, r, http.StatusRequestEntityTooLarge, events.RequestRejected, events.SeverityLow,
			"request body too large", "body_bytes", strconv.FormatInt(r.ContentLength, 10))
		return false
	}
	if r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody {
		return s.buffer(w, r)
	}
	return true
}

// buffer reads a body of unknown length completely (up to the limit) so the
// upstream receives it length-framed, or refuses the request.
func (s *Stage) buffer(w http.ResponseWriter, r *http.Request) bool {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	_ = r.Body.Close()
	if err != nil {
		w.Header().Set("Connection", "close")
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.reject(w, r, http.StatusRequestEntityTooLarge, events.RequestRejected, events.SeverityLow,
				"request body too large", "body_bytes", ">"+strconv.FormatInt(mbe.Limit, 10))
			return false
		}
		s.reject(w, r, http.StatusBadRequest, events.RequestSmuggling, events.SeverityMedium,
			"malformed request body refused", "anomaly", "invalid chunked body")
		return false
	}
	if n > s.cfg.MaxBodyBytes {
		w.Header().Set("Connection", "close")
		s.reject(w, r, http.StatusRequestEntityTooLarge, events.RequestRejected, events.SeverityLow,
			"request body too large", "body_bytes", ">"+strconv.FormatInt(s.cfg.MaxBodyBytes, 10))
		return false
	}
	if info := request.FromContext(r.Context()); info != nil && info.WireConn != nil && info.WireConn.Poisoned() {
		// The body was readable, but its framing broke the wire rules
		// (say, a bare LF in a chunk line that net/http tolerates).
		s.publish(r, http.StatusBadRequest, events.RequestSmuggling, events.SeverityHigh,
			"malformed request body refused", "anomaly", "invalid chunked body framing")
		refuseAndClose(w, r, info, http.StatusBadRequest)
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	r.ContentLength = n
	r.TransferEncoding = nil
	r.Header.Del("Transfer-Encoding")
	return true
}

func (s *Stage) reject(w http.ResponseWriter, r *http.Request, status int, t events.Type, sev events.Severity, msg, key, val string) {
	s.publish(r, status, t, sev, msg, key, val)
	s.failer.Fail(w, r, status, nil)
}

func (s *Stage) publish(r *http.Request, status int, t events.Type, sev events.Severity, msg, key, val string) {
	if s.bus != nil {
		s.bus.Publish(events.ForRequest(r.Context(), t, sev, msg, map[string]string{
			key: val, "status": strconv.Itoa(status), "method": r.Method,
		}))
	}
}

// refuseAndClose answers status and closes the connection at once. The
// framing of what follows on the connection cannot be trusted, so net/http
// must not read on (it would try to drain the body first, and a request
// built to desynchronise would hold the connection until the read timeout).
func refuseAndClose(w http.ResponseWriter, r *http.Request, info *request.Info, status int) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a test recorder: answer normally and ask for a close.
		w.Header().Set("Connection", "close")
		request.Fail(w, r, status, nil)
		return
	}
	defer conn.Close()
	info.Status = status
	page := &pageBuffer{h: http.Header{}}
	request.WritePage(page, r, status, info.ID)
	resp := &http.Response{
		StatusCode: status, ProtoMajor: 1, ProtoMinor: 1, Header: page.h,
		Body: io.NopCloser(bytes.NewReader(page.body.Bytes())), ContentLength: int64(page.body.Len()), Close: true,
	}
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := resp.Write(brw); err == nil {
		_ = brw.Flush()
	}
}

type pageBuffer struct {
	h    http.Header
	body bytes.Buffer
}

func (p *pageBuffer) Header() http.Header         { return p.h }
func (p *pageBuffer) Write(b []byte) (int, error) { return p.body.Write(b) }
func (p *pageBuffer) WriteHeader(int)             {}

// headerSize counts fields and bytes as they would appear on the wire
// ("Name: value\r\n"), for requests that did not come over HTTP/1.x.
func headerSize(h http.Header) (count, size int) {
	for k, vs := range h {
		for _, v := range vs {
			count++
			size += len(k) + len(v) + 4
		}
	}
	return count, size
}
