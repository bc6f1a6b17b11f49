// Command upstream is the benchmark's origin server: it answers every request
// with the same 1 KiB body, so what wrk measures in front of it is the proxy.
package main

import (
	"bytes"
	"flag"
	"log"
	"net/http"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "address to listen on")
	size := flag.Int("size", 1024, "response body size in bytes")
	flag.Parse()

	body := bytes.Repeat([]byte("x"), *size)
	length := []string{strconv.Itoa(len(body))}
	ctype := []string{"text/plain; charset=utf-8"}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd["Content-Type"] = ctype
		hd["Content-Length"] = length
		_, _ = w.Write(body)
	})
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
