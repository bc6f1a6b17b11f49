package active

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helpers of the server-side injection tests (SQL, NoSQL, OS command,
// template, traversal, XXE).

// injDelay is the delay of time-based payloads in tests: long enough to
// stand out from the jitter of a loaded test machine, short enough that
// a confirmed finding costs about a second.
const injDelay = 300 * time.Millisecond

// injServer starts h on a loopback port for the test.
func injServer(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

// injCounter is a Sender that counts requests, so tests can bound them.
type injCounter struct {
	ClientSender
	mu sync.Mutex
	n  int
}

func (c *injCounter) Send(ctx context.Context, req *http.Request) (*Response, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.ClientSender.Send(ctx, req)
}

func (c *injCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func injSender(srv *httptest.Server) *injCounter {
	return &injCounter{ClientSender: ClientSender{Client: srv.Client()}}
}

// lockedRand makes a seeded ChaCha8 safe for concurrent use.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func (l *lockedRand) Read(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(b)
}

// injOptions are the options of the tests: a short delay and a seeded
// source, so a failure repeats.
func injOptions(seed uint64) Options {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return Options{Delay: injDelay, Rand: &lockedRand{r: rand.NewChaCha8(s)}}
}

// injPoint is the point named name of a request to srv: a query
// parameter (GET), a form field (POST, form given) or a JSON field (POST,
// body given).
func injPoint(tb testing.TB, srv *httptest.Server, target string, form url.Values, body any, kind Kind, name string) Point {
	tb.Helper()
	u, err := url.Parse(srv.URL + target)
	if err != nil {
		tb.Fatal(err)
	}
	method := http.MethodGet
	if form != nil || body != nil {
		method = http.MethodPost
	}
	for _, p := range Points(method, u, form, body, nil, nil) {
		if p.Kind == kind && p.Name == name {
			return p
		}
	}
	tb.Fatalf("no point %s:%s in %s", kind, name, target)
	return Point{}
}

// injChecks lists the checks of results.
func injChecks(rs []Result) string {
	var cs []string
	for _, r := range rs {
		cs = append(cs, r.Check)
	}
	return strings.Join(cs, ",")
}

// injVerify checks what every Result must carry.
func injVerify(tb testing.TB, rs []Result) {
	tb.Helper()
	for _, r := range rs {
		if r.Payload == "" || r.Detail == "" || r.Request == "" || r.Response == "" {
			tb.Errorf("result %s lacks evidence: %+v", r.Check, r)
		}
		if _, ok := CheckInfo(r.Check); !ok {
			tb.Errorf("result %s has no Info", r.Check)
		}
	}
}
