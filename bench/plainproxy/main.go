// Command plainproxy is the benchmark's baseline: a plain
// httputil.ReverseProxy with a transport tuned for one upstream on loopback
// (many idle keep-alive connections, no compression, pooled copy buffers).
// It does nothing else, so rampart's numbers can be read against it.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// bufferPool lends the 32 KiB buffers ReverseProxy copies bodies through.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32*1024)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }

func main() {
	addr := flag.String("addr", "127.0.0.1:9002", "address to listen on")
	to := flag.String("to", "http://127.0.0.1:9001", "upstream base URL")
	flag.Parse()

	target, err := url.Parse(*to)
	if err != nil {
		log.Fatalf("parse -to %q: %v", *to, err)
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
		},
		Transport:  tr,
		BufferPool: &bufferPool{},
	}
	srv := &http.Server{Addr: *addr, Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
