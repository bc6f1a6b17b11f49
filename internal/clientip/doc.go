// Package clientip resolves the real client address of a request.
//
// X-Forwarded-For and Forwarded (RFC 7239) are believed only when the TCP
// peer is a configured trusted proxy, and then only as far back as the chain
// runs through trusted proxies: the client is the rightmost address that is
// not itself a trusted proxy. A spoofed header from an untrusted client is
// ignored. The parsers are bounded (MaxHeaderLen, MaxHops) and never
// allocate more than the hops they return.
//
// A Resolver is immutable and safe for concurrent use.
package clientip
