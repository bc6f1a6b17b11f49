package limits

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"rampart/internal/events"
	"rampart/internal/request"
)

func TestCheck(t *testing.T) {
	s := New(Config{MaxURLBytes: 100, MaxHeaderBytes: 500, MaxHeaderCount: 5, MaxBodyBytes: 50}, nil, slog.New(slog.DiscardHandler))
	tests := []struct {
		name   string
		req    func() *http.Request
		wire   request.WireFacts
		status int // 0: passes
	}{
		{"plain get", func() *http.Request { return httptest.NewRequest("GET", "/a?b=c", nil) }, request.WireFacts{}, 0},
		{"long url", func() *http.Request { return httptest.NewRequest("GET", "/?q="+strings.Repeat("a", 200), nil) }, request.WireFacts{}, 414},
		{"many headers", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			for _, k := range []string{"A", "B", "C", "D", "E", "F"} {
				r.Header.Set("X-"+k, "1")
			}
			return r
		}, request.WireFacts{}, 431},
		{"big header", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("X-Big", strings.Repeat("b", 600))
			return r
		}, request.WireFacts{}, 431},
		{"wire header bytes", func() *http.Request { return httptest.NewRequest("GET", "/", nil) },
			request.WireFacts{Known: true, HeaderBytes: 900, HeaderCount: 2}, 431},
		{"wire anomaly", func() *http.Request { return httptest.NewRequest("POST", "/", nil) },
			request.WireFacts{Known: true, Anomaly: "content-length with transfer-encoding"}, 400},
		{"body over limit", func() *http.Request {
			return httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 51)))
		}, request.WireFacts{}, 413},
		{"body at limit", func() *http.Request {
			return httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 50)))
		}, request.WireFacts{}, 0},
		{"unknown length over limit", func() *http.Request {
			r := httptest.NewRequest("POST", "/", io.NopCloser(strings.NewReader(strings.Repeat("x", 80))))
			r.ContentLength = -1
			return r
		}, request.WireFacts{}, 413},
		{"unknown length within limit", func() *http.Request {
			r := httptest.NewRequest("POST", "/", io.NopCloser(strings.NewReader("hello")))
			r.ContentLength = -1
			r.TransferEncoding = []string{"chunked"}
			return r
		}, request.WireFacts{}, 0},
		{"broken chunked body", func() *http.Request {
			r := httptest.NewRequest("POST", "/", io.NopCloser(io.MultiReader(strings.NewReader("ab"), errReader{})))
			r.ContentLength = -1
			return r
		}, request.WireFacts{}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req()
			info := &request.Info{ID: "rid", Wire: tt.wire}
			r = r.WithContext(request.NewContext(r.Context(), info))
			w := httptest.NewRecorder()
			ok := s.Check(w, r)
			if tt.status == 0 {
				if !ok {
					t.Fatalf("Check refused with %d, want pass", w.Code)
				}
				if r.ContentLength < 0 {
					t.Error("body left without a length")
				}
				return
			}
			if ok || w.Code != tt.status {
				t.Errorf("Check = %v, status %d; want refused with %d", ok, w.Code, tt.status)
			}
			if !strings.Contains(w.Body.String(), "rid") {
				t.Errorf("error page lacks the request ID: %s", w.Body.String())
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestBufferedBodyForwarded(t *testing.T) {
	s := New(Config{MaxBodyBytes: 1 << 10}, nil, nil)
	var got string
	var gotLen int64
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, gotLen = string(b), r.ContentLength
	}))
	r := httptest.NewRequest("POST", "/", io.NopCloser(strings.NewReader("payload")))
	r.ContentLength = -1
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != "payload" || gotLen != 7 {
		t.Errorf("next saw body %q with length %d", got, gotLen)
	}
}

func TestRejectionEvent(t *testing.T) {
	bus := events.NewBus("t")
	sub := bus.Subscribe("t", 4)
	s := New(Config{MaxURLBytes: 10}, bus, nil)
	r := httptest.NewRequest("GET", "/0123456789abcdef", nil)
	info := &request.Info{ID: "rid-1", Route: "app"}
	r = r.WithContext(request.NewContext(r.Context(), info))
	s.Check(httptest.NewRecorder(), r)
	e := <-sub.C()
	if e.Type != events.RequestRejected || e.RequestID != "rid-1" || e.Route != "app" || e.Details["status"] != "414" {
		t.Errorf("event = %+v", e)
	}
}
