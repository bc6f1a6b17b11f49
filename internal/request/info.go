package request

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/netip"
	"time"
)

// Info is everything the stages learn about one request. The gateway puts a
// single *Info in the request context at the outermost stage, so later stages
// fill in fields without allocating a new context or request each time.
type Info struct {
	// ID identifies the request in logs, events and error pages.
	ID string
	// ClientIP is the client's address after trusted-proxy resolution.
	ClientIP netip.Addr
	// PeerIP is the address of the TCP peer (a proxy or the client itself).
	PeerIP netip.Addr
	// TrustedPeer reports whether PeerIP is one of the configured trusted
	// proxies, so forwarding headers from it may be believed.
	TrustedPeer bool
	// Route is the name of the matched route, or "" before routing.
	Route string
	// User is the authenticated user, or "" (filled by the identity stage).
	User string
	// Start is when the gateway began serving the request.
	Start time.Time
	// TLS is the client connection's TLS state, or nil on plain HTTP.
	TLS *tls.ConnectionState
	// Wire holds what the listener saw of this request on the wire
	// (HTTP/1.x only; Wire.Known is false otherwise).
	Wire WireFacts
	// Upstream is the upstream URL that served the request, for logs.
	Upstream string
	// WireConn reports body-phase framing anomalies of the connection
	// (nil for HTTP/2): after reading a body completely, a stage asks
	// Poisoned() to learn whether the body was framed correctly.
	WireConn interface{ Poisoned() bool }
	// Status is set by a stage that answered on a hijacked connection, so
	// the access log and metrics still see the status it sent.
	Status int
}

// ConnInfo is implemented by connection wrappers that inspect the raw bytes
// of a request before net/http parses them.
type ConnInfo interface {
	// NextRequest returns the raw-wire facts for the next request read on
	// the connection, in order.
	NextRequest() WireFacts
}

// WireFacts are what the listener saw of one HTTP/1.x request on the wire.
type WireFacts struct {
	// Anomaly names the first framing problem (both Content-Length and
	// Transfer-Encoding, duplicate Content-Length, bad chunking, bytes not
	// allowed in a header...), or "" when the request was well formed.
	Anomaly string
	// RequestLineBytes is the length of the request line without CRLF.
	RequestLineBytes int
	// HeaderBytes is the size of the header block without the request line.
	HeaderBytes int
	// HeaderCount is the number of header fields.
	HeaderCount int
	// Known reports whether the facts are present (false for HTTP/2).
	Known bool
}

type infoKey struct{}

// NewContext returns a copy of ctx carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// FromContext returns the request's *Info, or nil outside the gateway.
func FromContext(ctx context.Context) *Info {
	info, _ := ctx.Value(infoKey{}).(*Info)
	return info
}

// ID returns the request ID in ctx, or "".
func ID(ctx context.Context) string {
	if info := FromContext(ctx); info != nil {
		return info.ID
	}
	return ""
}

// ClientIP returns the resolved client address in ctx, or the zero Addr.
func ClientIP(ctx context.Context) netip.Addr {
	if info := FromContext(ctx); info != nil {
		return info.ClientIP
	}
	return netip.Addr{}
}

// Route returns the matched route name in ctx, or "".
func Route(ctx context.Context) string {
	if info := FromContext(ctx); info != nil {
		return info.Route
	}
	return ""
}

// Get returns the *Info of r, creating an empty one if the request did not
// pass through the gateway's first stage (as in a unit test of one stage).
// The returned request must be used from then on.
func Get(r *http.Request) (*Info, *http.Request) {
	if info := FromContext(r.Context()); info != nil {
		return info, r
	}
	info := &Info{Start: time.Now()}
	return info, r.WithContext(NewContext(r.Context(), info))
}

// LogAttrs returns the standard attributes for a log line about r.
func LogAttrs(ctx context.Context) []slog.Attr {
	info := FromContext(ctx)
	if info == nil {
		return nil
	}
	attrs := []slog.Attr{slog.String("request_id", info.ID)}
	if info.ClientIP.IsValid() {
		attrs = append(attrs, slog.String("client_ip", info.ClientIP.String()))
	}
	if info.Route != "" {
		attrs = append(attrs, slog.String("route", info.Route))
	}
	return attrs
}
