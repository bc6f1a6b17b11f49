package active

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// rawHTTPServer answers every request on a loopback listener with a
// redirect whose Location holds the lang parameter as lang(v) makes it,
// written by hand: Go's own server would refuse line breaks in a header.
func rawHTTPServer(tb testing.TB, lang func(string) string) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				v := lang(req.URL.Query().Get("lang"))
				fmt.Fprintf(c, "HTTP/1.1 302 Found\r\nLocation: /home?lang=%s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", v)
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// latin1 writes each rune as its low byte, as a server that encodes
// header strings as Latin-1 does.
func latin1(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r)) // #nosec G115 -- the truncation is the flaw this fixture has
	}
	return b.String()
}

func TestCRLF(t *testing.T) {
	strip := strings.NewReplacer("\r", "", "\n", "")
	tests := []struct {
		name string
		lang func(string) string
		want bool
	}{
		{"raw", func(s string) string { return s }, true},
		{"line breaks stripped, then Latin-1", func(s string) string { return latin1(strip.Replace(s)) }, true},
		{"URL-decoded twice", func(s string) string { v, _ := url.QueryUnescape(s); return v }, true},
		{"line breaks stripped", func(s string) string { return strip.Replace(s) }, false},
		{"URL-encoded", url.QueryEscape, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := rawHTTPServer(t, tt.lang)
			u, _ := url.Parse(base + "/set?lang=en")
			p := Points(http.MethodGet, u, nil, nil, nil, nil)[0]
			res, err := CRLF(context.Background(), ClientSender{&http.Client{}}, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res) > 0; got != tt.want {
				t.Fatalf("CRLF found %v, want %v: %+v", got, tt.want, res)
			}
			if tt.want && (res[0].Check != "crlf" || !strings.Contains(res[0].Response, "X-Rmp-")) {
				t.Errorf("result %+v", res[0])
			}
		})
	}
}

// TestCRLFGoServer is a fixed twin by the server: Go's net/http turns
// line breaks in header values into spaces.
func TestCRLFGoServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/home?lang="+r.URL.Query().Get("lang"))
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: r.URL.Query().Get("lang")})
		w.WriteHeader(http.StatusFound)
	}))
	defer srv.Close()
	res, err := CRLF(context.Background(), ClientSender{srv.Client()}, queryPoint(t, srv, "/set", "lang", "en"))
	if err != nil || len(res) != 0 {
		t.Fatalf("CRLF = %+v, %v; want nothing", res, err)
	}
}
