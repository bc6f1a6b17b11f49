package scan

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchSite is a generated site of n pages: page i links to pages
// 10i+1 … 10i+10 (so a breadth-first crawl reaches them all within four
// links), has a search form, and is padded to about 5 KiB of HTML. Its
// headers leave a few passive checks something to find.
func benchSite(n int) http.Handler {
	pad := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ", 40)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := 0
		if r.URL.Path != "/" {
			v, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/page/"))
			if err != nil || v < 0 || v >= n {
				http.NotFound(w, r)
				return
			}
			i = v
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Server", "nginx/1.18.0")
		var b strings.Builder
		b.Grow(6 << 10)
		fmt.Fprintf(&b, "<!doctype html><html><head><title>Page %d</title><link rel=\"stylesheet\" href=\"https://cdn.example.com/site.css\"></head><body><nav>", i)
		for k := 1; k <= 10; k++ {
			fmt.Fprintf(&b, `<a href="/page/%d">Page %d</a> `, (10*i+k)%n, (10*i+k)%n)
		}
		fmt.Fprintf(&b, `</nav><form action="/search" method="get"><input type="hidden" name="from" value="%d"><input name="q"><select name="c"><option>all</option><option>docs</option></select><button>Go</button></form>`, i)
		fmt.Fprintf(&b, "<main><h1>Page %d</h1><p>%s</p></main></body></html>", i, pad)
		_, _ = w.Write([]byte(b.String()))
	})
}

// BenchmarkCrawlPassive crawls a local 2 000-page site with every passive
// check on and reports pages a second and the peak heap (server
// included, it runs in the same process).
func BenchmarkCrawlPassive(b *testing.B) {
	const pages = 2000
	target := serve(b, benchSite(pages))
	log := slog.New(slog.DiscardHandler)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	})
	b.ReportAllocs()
	total := 0
	var took time.Duration
	for b.Loop() {
		cfg := Config{Target: target, Rate: 1e6, Concurrency: 8, MaxPages: pages + 10, MaxDepth: 10, MaxTime: 5 * time.Minute, Timeout: 10 * time.Second}
		s, err := New(cfg, log)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		rep, err := s.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		total += rep.Stats.Pages
		if rep.Stats.Pages < pages {
			b.Fatalf("crawled %d pages of %d", rep.Stats.Pages, pages)
		}
	}
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(total)/took.Seconds(), "pages/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
