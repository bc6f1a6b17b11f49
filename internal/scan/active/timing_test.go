package active

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// scriptSender answers at once with the duration its script gives for
// the value of parameter q: the timing logic, tested without sleeping.
type scriptSender struct {
	mu     sync.Mutex
	n      int
	script func(n int, q string) time.Duration
}

func (s *scriptSender) Send(_ context.Context, req *http.Request) (*Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return &Response{Status: 200, Header: http.Header{}, Body: []byte("ok"), Duration: s.script(s.n, req.URL.Query().Get("q"))}, nil
}

func TestDelayProbe(t *testing.T) {
	const ms = time.Millisecond
	// sleeps reads the delay a payload "sleep N" asks for.
	sleeps := func(q string) time.Duration {
		_, arg, ok := strings.Cut(q, "sleep ")
		if !ok {
			return 0
		}
		d, _ := time.ParseDuration(strings.TrimSuffix(arg, ";") + "s")
		return d
	}
	tests := []struct {
		name   string
		script func(n int, q string) time.Duration
		want   bool
	}{
		{"injectable", func(_ int, q string) time.Duration { return 20*ms + sleeps(q) }, true},
		{"injectable, jittery", func(n int, q string) time.Duration { return time.Duration(10+n*7%40)*ms + sleeps(q) }, true},
		{"slow endpoint", func(n int, _ string) time.Duration { return 3000*ms + time.Duration(n*37%200)*ms }, false},
		{"slow now and then", func(n int, _ string) time.Duration {
			if n%2 == 0 {
				return 3000 * ms
			}
			return 20 * ms
		}, false},
		{"slow on any payload", func(_ int, q string) time.Duration {
			if strings.Contains(q, "sleep") {
				return 3000 * ms
			}
			return 20 * ms
		}, false},
		{"too short", func(_ int, q string) time.Duration { return 20*ms + sleeps(q)/2 }, false},
		{"once only", func(n int, q string) time.Duration {
			if n < 6 {
				return 20*ms + sleeps(q)
			}
			return 20 * ms
		}, false},
	}
	u, _ := url.Parse("http://app.test/ping?q=1")
	p := Points(http.MethodGet, u, nil, nil, nil, nil)[0]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scriptSender{script: tt.script}
			d := &delayProbe{s: s, p: p, opt: Options{}}
			if err := d.baseline(context.Background()); err != nil {
				t.Fatal(err)
			}
			e, ok, err := d.test(context.Background(), func(d time.Duration) string { return "1;sleep " + sqliSeconds(d) + ";" })
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.want {
				t.Errorf("test = %v, want %v (%+v)", ok, tt.want, e)
			}
			if ok && (len(e.delays) != 2 || len(e.zeros) != 2) {
				t.Errorf("evidence %+v", e)
			}
		})
	}
}

func TestSQLiDelayFormats(t *testing.T) {
	tests := []struct {
		d             time.Duration
		secs, waitfor string
		pings         int
	}{
		{3 * time.Second, "3", "0:0:3", 4},
		{300 * time.Millisecond, "0.3", "0:0:0.300", 2},
		{0, "0", "0:0:0", 1},
	}
	for _, tt := range tests {
		if got := sqliSeconds(tt.d); got != tt.secs {
			t.Errorf("sqliSeconds(%v) = %q, want %q", tt.d, got, tt.secs)
		}
		if got := sqliWaitfor(tt.d); got != tt.waitfor {
			t.Errorf("sqliWaitfor(%v) = %q, want %q", tt.d, got, tt.waitfor)
		}
		if got := cmdiPings(tt.d); got != tt.pings {
			t.Errorf("cmdiPings(%v) = %d, want %d", tt.d, got, tt.pings)
		}
	}
}
