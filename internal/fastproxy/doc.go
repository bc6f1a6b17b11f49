// Package fastproxy is a lean HTTP/1.1 reverse proxy to one upstream, for
// the common case of the gateway's traffic.
//
// httputil.ReverseProxy with http.Transport clones every request and hands
// it to per-connection read and write goroutines through channels; that is
// most of the gateway's cost. A Proxy instead writes the request line and
// headers straight into the buffered writer of a pooled keep-alive
// connection, reads the response with net/http's own parser
// (http.ReadResponse), and copies the body back, all on the handler's
// goroutine. The inbound side stays net/http's server.
//
// # What it does
//
//   - Joins Target's base path and query with the request's, as
//     httputil's ProxyRequest.SetURL does, and drops unparsable query
//     parameters, as ReverseProxy does.
//   - Drops hop-by-hop headers, the headers the client names in
//     Connection, and the client's Forwarded and X-Forwarded-For/-Host/
//     -Proto headers (the Rewrite hook adds the ones it trusts); drops any
//     header name or value that is not valid HTTP/1.1 (a CR, LF or NUL in a
//     value), so nothing can split the upstream request. It sends no
//     User-Agent when the client sent none.
//   - Removes hop-by-hop headers from the response, skips 1xx responses,
//     flushes server-sent events and bodies of unknown length as they
//     arrive, and forwards trailers, as ReverseProxy does.
//   - Reuses a connection only when the response was read to its end and
//     neither side asked to close it. A request that fails on a reused
//     connection before any response byte arrives is retried once on a
//     fresh connection when http.Transport would retry it: no body, and
//     either nothing was sent or the method is idempotent (GET, HEAD,
//     OPTIONS, TRACE, or an Idempotency-Key header).
//   - Aborts the upstream exchange when the client's context ends.
//
// # What it does not do
//
//   - HTTP/2 to the upstream: it speaks HTTP/1.1 only, and offers only
//     "http/1.1" in TLS ALPN.
//   - Protocol upgrades (WebSocket, h2c) and CONNECT: Handles reports
//     false for them; route those through httputil.ReverseProxy.
//   - Request bodies of unknown length (chunked, or HTTP/2 without
//     Content-Length): the caller buffers them first, or routes them
//     elsewhere (Handles reports false; ServeHTTP fails them with
//     ErrUnknownLength). Request trailers are not sent.
//   - Forwarding 1xx responses such as 103 Early Hints to the client: they
//     are read and dropped. net/http's server still answers the client's
//     Expect: 100-continue itself.
//   - Environment proxies, compression, or retries of requests with a body.
//
// A response that fails after its status was sent (the upstream breaks off
// the body, or the client goes away) is aborted with
// panic(http.ErrAbortHandler), as ReverseProxy does, when running under
// net/http's server, so that the client cannot mistake a truncated body for
// a whole one.
//
// A Proxy is safe for concurrent use by multiple goroutines; its hooks are
// called concurrently. It holds no lock across I/O and starts no goroutine
// per request, except to send a request body that does not fit in the
// connection's 8 KiB write buffer after the head, while the response is
// read.
package fastproxy
