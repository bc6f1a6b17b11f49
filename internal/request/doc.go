// Package request carries per-request facts through the stage chain: the
// request ID, the resolved client IP, the matched route and the connection's
// TLS state. Stages read and write them only through the accessors here.
//
// It also owns Fail, the one function that writes an error page to a client:
// a status, a plain sentence and the request ID, never internal detail.
//
// Package request is a leaf: it imports nothing of rampart's. An *Info is
// owned by the goroutine serving its request and is not safe for concurrent
// use by several goroutines.
package request
