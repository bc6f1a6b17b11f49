package scan

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestBucketSpacing(t *testing.T) {
	b := newBucket(4) // every 250ms
	t0 := time.Unix(1000, 0)
	waits := []time.Duration{b.reserve(t0), b.reserve(t0), b.reserve(t0), b.reserve(t0.Add(2 * time.Second))}
	want := []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 0}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("reserve #%d waits %v, want %v", i, waits[i], want[i])
		}
	}
	if d := newBucket(0).reserve(t0); d != 0 {
		t.Errorf("an unlimited bucket waits %v", d)
	}
}

func TestBodyBound(t *testing.T) {
	big := strings.Repeat("a", maxBody+1000)
	target := serve(t, site{
		"/":    {body: htmlPage(`<a href="/big">big</a>`)},
		"/big": {ctype: "text/plain", body: big},
	})
	cfg := fastConfig(target)
	s, err := New(cfg, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, p := range s.Pages() {
		if strings.HasSuffix(p.URL, "/big") {
			found = true
			if !p.Truncated || len(p.Body) != maxBody {
				t.Errorf("/big: truncated %v, %d bytes kept", p.Truncated, len(p.Body))
			}
		}
	}
	if !found {
		t.Fatal("/big was not crawled")
	}
	if !contains(rep.Notes, "larger than 2 MiB") {
		t.Errorf("Notes %q do not count the truncated response", rep.Notes)
	}
}

func TestErrorsCounted(t *testing.T) {
	target := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(htmlPage(`<a href="/hang">x</a>`)))
			return
		}
		// Close the connection without an answer.
		hj, ok := w.(http.Hijacker)
		if !ok {
			return
		}
		c, _, err := hj.Hijack()
		if err == nil {
			_ = c.Close()
		}
	}))
	rep := runScan(t, fastConfig(target))
	if rep.Stats.Errors == 0 {
		t.Errorf("Stats = %+v, want errors counted", rep.Stats)
	}
}

func TestBlockedCounted(t *testing.T) {
	target := serve(t, site{
		"/":        {body: htmlPage(`<a href="/admin">a</a><a href="/private">p</a>`)},
		"/admin":   {status: http.StatusForbidden, body: "<h1>403</h1><p>The request was blocked by the security policy of this site.</p>"},
		"/private": {status: http.StatusForbidden, body: htmlPage("You need to sign in.")},
	})
	rep := runScan(t, fastConfig(target))
	if rep.Stats.Blocked != 1 {
		t.Errorf("Stats.Blocked = %d, want 1 (a block page and a plain 403)", rep.Stats.Blocked)
	}
}

func TestUnreachableTargetNoted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	target := srv.URL
	srv.Close()
	rep := runScan(t, fastConfig(target))
	if rep.Stats.Pages != 0 || !contains(rep.Notes, "nothing could be fetched") {
		t.Errorf("Stats %+v, Notes %q", rep.Stats, rep.Notes)
	}
}
