package scan

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rampart/internal/browsertest"
)

// domBrowser skips the test when no Chromium is on PATH, unless
// RAMPART_TEST_BROWSER=1 (as CI sets), where a missing browser is a
// failure.
func domBrowser(t *testing.T) { browsertest.Find(t) }

// domFixture is a site with DOM-based XSS in the fragment, in a query
// parameter and in window.name, fixed twins of the first two, a page without script and a page whose
// server reflects the parameter (reflected XSS, not DOM).
func domFixture() http.Handler {
	mux := http.NewServeMux()
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(htmlPage(body)))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		html(w, `<a href="/hash">hash</a> <a href="/search?q=hello">search</a> <a href="/fixed">fixed</a>
<a href="/fixedq?q=hello">fixed search</a> <a href="/plain">plain</a> <a href="/echo?q=hello">echo</a>
<a href="/name">name</a> <a href="/msg">msg</a> <a href="/msgsafe">msgsafe</a>`)
	})
	mux.HandleFunc("/hash", func(w http.ResponseWriter, _ *http.Request) {
		html(w, `<div id="x"></div><script>document.getElementById('x').innerHTML = decodeURIComponent(location.hash.slice(1));</script>`)
	})
	mux.HandleFunc("/search", func(w http.ResponseWriter, _ *http.Request) {
		html(w, `<p id="out"></p><script>var p = new URLSearchParams(location.search).get('q') || '';
eval("var q = '" + p + "'"); document.getElementById('out').textContent = 'ok';</script>`)
	})
	mux.HandleFunc("/name", func(w http.ResponseWriter, _ *http.Request) {
		html(w, `<div id="x"></div><script>document.getElementById('x').innerHTML = window.name;</script>`)
	})
	mux.HandleFunc("/msg", func(w http.ResponseWriter, _ *http.Request) {
		html(w, `<div id="x"></div><script>window.addEventListener('message', e => {
  const d = typeof e.data === 'string' ? e.data : e.data.html; if (d) document.getElementById('x').innerHTML = d; });</script>`)
	})
	mux.HandleFunc("/msgsafe", func(w http.ResponseWriter, _ *http.Request) {
		html(w, `<div id="x"></div><script>window.addEventListener('message', e => {
  if (e.origin !== location.origin) return;
  document.getElementById('x').innerHTML = e.data; });</script>`)
	})
	mux.HandleFunc("/fixed", func(w http.ResponseWriter, _ *http.Request) {
		html(w, `<div id="x"></div><script>document.getElementById('x').textContent = decodeURIComponent(location.hash.slice(1));</script>`)
	})
	mux.HandleFunc("/fixedq", func(w http.ResponseWriter, _ *http.Request) {
		html(w, `<p id="out"></p><script>document.getElementById('out').textContent = new URLSearchParams(location.search).get('q') || '';</script>`)
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, _ *http.Request) {
		html(w, `<p>No script here.</p>`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		// The server writes the parameter into a script: reflected XSS,
		// which the DOM check leaves to the reflected check.
		html(w, `<script>var q = '`+r.URL.Query().Get("q")+`';</script>`)
	})
	return mux
}

func TestDomXSS(t *testing.T) {
	domBrowser(t)
	cfg := fastConfig(serve(t, domFixture()))
	cfg.Browser = true
	cfg.Active = ActiveSafe
	cfg.ActiveDelay = 200 * time.Millisecond
	cfg.MaxTime = 2 * time.Minute
	rep := runScan(t, cfg)
	for _, n := range rep.Notes {
		if strings.Contains(n, "DOM checks did not run") {
			t.Fatalf("note %q", n)
		}
	}

	got := map[string]bool{}
	for _, f := range find(rep, "xss.dom") {
		for _, raw := range f.URLs {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("finding URL %q: %v", raw, err)
			}
			got[u.RequestURI()+" "+f.Parameter] = true
		}
		if f.Severity != SeverityHigh || f.Confidence != ConfidenceConfirmed || f.CWE != 79 {
			t.Errorf("finding %s %s: severity %v, confidence %v, CWE %d; want high, confirmed, 79", f.Check, f.Parameter, f.Severity, f.Confidence, f.CWE)
		}
		if !strings.Contains(f.Evidence.Detail, domBinding+"('") {
			t.Errorf("finding %s %s: evidence %q does not show the call", f.Check, f.Parameter, f.Evidence.Detail)
		}
	}
	tests := []struct {
		name, key string
		want      bool
	}{
		{"innerHTML of location.hash", "/hash fragment", true},
		{"eval of a query parameter", "/search?q=hello query:q", true},
		{"innerHTML of window.name", "/name window.name", true},
		{"innerHTML of a message from anyone", "/msg postMessage", true},
		{"a message handler that checks the origin", "/msgsafe postMessage", false},
		{"textContent of location.hash", "/fixed fragment", false},
		{"textContent of a query parameter", "/fixedq?q=hello query:q", false},
		{"no script", "/plain fragment", false},
		{"reflected by the server", "/echo?q=hello query:q", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got[tt.key] != tt.want {
				t.Errorf("xss.dom %s reported = %v, want %v (all: %v)", tt.key, got[tt.key], tt.want, got)
			}
		})
	}
	for k := range got {
		if k != "/hash fragment" && k != "/search?q=hello query:q" && k != "/name window.name" && k != "/msg postMessage" {
			t.Errorf("unexpected xss.dom %s", k)
		}
	}
}

// TestDomNoBrowser: without Chromium the scan goes on and says the DOM
// checks did not run.
func TestDomNoBrowser(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	cfg := fastConfig(serve(t, domFixture()))
	cfg.Browser = true
	cfg.Active = ActiveSafe
	cfg.ActiveDelay = 200 * time.Millisecond
	rep := runScan(t, cfg)
	if !contains(rep.Notes, "DOM checks did not run") {
		t.Errorf("notes %q: want one saying the DOM checks did not run", rep.Notes)
	}
	if len(find(rep, "xss.dom")) != 0 {
		t.Errorf("xss.dom reported without a browser")
	}
}

func TestDomProbes(t *testing.T) {
	u, err := url.Parse("http://app.test/search?q=a&lang=en")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	probes := domProbes(&Page{u: u}, "rmpx", &n)
	count := map[string]int{}
	markers := map[string]bool{}
	for _, p := range probes {
		count[p.param]++
		if markers[p.marker] {
			t.Errorf("marker %s used twice", p.marker)
		}
		markers[p.marker] = true
		if !strings.Contains(p.payload, domBinding+"('"+p.marker+"')") {
			t.Errorf("probe %s: payload %q does not call %s with its marker %s", p.param, p.payload, domBinding, p.marker)
		}
		switch {
		case p.param == "fragment":
			if !strings.HasPrefix(p.url, "http://app.test/search?q=a&lang=en#") {
				t.Errorf("fragment probe URL %q", p.url)
			}
		case strings.HasPrefix(p.param, "query:"):
			pu, err := url.Parse(p.url)
			if err != nil {
				t.Fatalf("probe URL %q: %v", p.url, err)
			}
			name := strings.TrimPrefix(p.param, "query:")
			if got := pu.Query().Get(name); got != p.payload {
				t.Errorf("probe %s: %s = %q, want the payload %q", p.param, name, got, p.payload)
			}
		case p.param == "window.name":
			if p.name != p.payload || p.url != "http://app.test/search?q=a&lang=en" {
				t.Errorf("window.name probe: name %q, URL %q", p.name, p.url)
			}
		case p.param == "postMessage":
			if p.message != p.payload || p.url != "http://app.test/search?q=a&lang=en" {
				t.Errorf("postMessage probe: message %q, URL %q", p.message, p.url)
			}
		default:
			t.Errorf("unexpected source %q", p.param)
		}
	}
	want := map[string]int{"fragment": len(domPayloads), "query:q": len(domPayloads), "query:lang": len(domPayloads), "window.name": len(domWindowNamePayloads), "postMessage": len(domWindowNamePayloads)}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("probes of %s = %d, want %d", k, count[k], v)
		}
	}
	if len(count) != len(want) {
		t.Errorf("sources %v, want %v", count, want)
	}
}
