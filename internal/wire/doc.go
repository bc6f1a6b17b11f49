// Package wire inspects the raw bytes of HTTP/1.x requests on a connection
// before net/http parses them, so the gateway can refuse request-smuggling
// shapes that net/http would otherwise repair without telling anyone: it
// deletes Content-Length when Transfer-Encoding: chunked is present, folds
// identical duplicate Content-Length headers into one, and so on.
//
// A [Listener] wraps a net.Listener and hands out a [*Conn] per connection.
// Conn.Read passes the bytes through unchanged while a small state machine
// follows the request framing (request line, header block, body by
// Content-Length or chunked encoding) and queues one
// [rampart/internal/request.WireFacts] per request. The handler takes them
// in order with [Conn.NextRequest]; a queue, not a single slot, is needed
// because net/http's reader reads ahead and may pass several pipelined
// requests through one Read.
//
// The first framing anomaly "poisons" the connection: the facts of the request
// it was found in carry the anomaly, and so do the facts of every later
// request ("connection poisoned by earlier anomaly"), because the boundaries
// between requests can no longer be trusted. The gateway answers 400 and
// closes the connection. The anomalies are short lowercase phrases:
//
//	invalid request line                  malformed method, target or version
//	unsupported http version              HTTP/x.y with x other than 1
//	h2c preface                           "PRI * HTTP/2.0": h2c is not served
//	bare cr                               CR not followed by LF in a line
//	invalid header name                   empty name or a byte that is not a tchar
//	whitespace before colon               "Content-Length : 5"
//	header line without colon             "Foo\r\n"
//	invalid header value                  a control byte other than HTAB (NUL, DEL...)
//	obsolete line folding                 a header line that starts with SP or HTAB
//	invalid content-length                not 1*DIGIT with optional OWS, or beyond int64
//	duplicate content-length              two Content-Length fields, or "5, 5"
//	content-length with transfer-encoding both framing headers
//	duplicate transfer-encoding           two Transfer-Encoding fields
//	unsupported transfer-encoding         anything but exactly "chunked"
//	transfer-encoding on http/1.0         any Transfer-Encoding on HTTP/1.0
//	invalid chunking                      see the chunked grammar below
//	invalid trailer                       a malformed trailer field, or a framing one
//	trailer section too large             over MaxHeaderBytes or MaxHeaderCount
//	connection poisoned by earlier anomaly
//
// Strictness, where RFC 9112 or net/http leave a choice:
//
//   - Lines of the request line and header block may end in LF alone, as
//     net/http accepts; a CR that is not followed by LF is an anomaly.
//   - Leading empty lines are skipped only after a POST request (up to four
//     CR or LF bytes), exactly as net/http does; anywhere else an empty
//     request line is an anomaly.
//   - Chunked bodies must use CRLF everywhere (chunk-size lines, after chunk
//     data, trailer lines, the final empty line); a bare LF is an anomaly.
//     A chunk-size line is 1*16HEXDIG [";" extension] CRLF, with no
//     whitespace (RFC 9112 allows BWS before ";", no real client sends it);
//     the size must fit in an int64; the extension may hold any byte but
//     control bytes other than HTAB and is at most 4 KiB.
//
// A request whose header block is malformed gets its facts queued at the
// first anomaly and completed when the block ends, so the facts are at the
// head of the queue whenever net/http hands the request to a handler.
// An anomaly found in a body (bad chunking, a bad trailer) comes after the
// handler has taken the facts of its request: it poisons the connection and
// is visible through [Conn.Poisoned], which a handler that has read the whole
// body may check before forwarding it.
//
// The queue stays in step with net/http only if every request net/http reads
// reaches the code that pops its facts, exactly once: pop in the outermost
// handler, and set http.Server.DisableGeneralOptionsHandler, or net/http
// answers "OPTIONS *" itself and the next request would get its facts. As a
// further check, RequestLineBytes (when within MaxRequestLine) equals
// len(Method)+len(RequestURI)+len(Proto)+2 of the request net/http parsed.
//
// What the package does not do: it never changes, buffers or copies bytes,
// never answers or closes a connection itself, and does not validate what is
// not framing (the target's syntax, the Host header, header values beyond
// their bytes). It does not speak HTTP/2: wrap only connections that serve
// HTTP/1.x, that is plain TCP, or TLS connections whose ALPN did not pick h2.
// After a connection is hijacked (WebSocket, CONNECT) the bytes are no longer
// HTTP and the parser stops at the first byte it does not understand.
//
// The parser keeps only counters and a few fixed buffers, so its memory does
// not grow with the input; [Limits] bound the counts it reports, which
// saturate one above the limit, and the trailer section. The facts queue holds
// 64 requests; a client that pipelines more than that beyond the request
// being served poisons its connection.
//
// A Conn's methods are safe for concurrent use: net/http reads from a
// background goroutine while the handler calls NextRequest. Read itself must
// not be called by two goroutines at once (net/http never does), since the
// parser must see the bytes in order.
package wire
