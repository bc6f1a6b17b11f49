package clientip

import (
	"net/http"
	"net/netip"

	"rampart/internal/request"
)

// Handler returns the client-IP stage: it records the TCP peer, whether it
// is a trusted proxy, and the resolved client address in the request's
// *request.Info, then calls next.
func (r *Resolver) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		info, req := request.Get(req)
		r.Fill(info, req)
		next.ServeHTTP(w, req)
	})
}

// Fill sets info's PeerIP, TrustedPeer and ClientIP from req.
func (r *Resolver) Fill(info *request.Info, req *http.Request) {
	peer := PeerAddr(req.RemoteAddr)
	info.PeerIP = peer
	info.TrustedPeer = r.Trusted(peer)
	if !info.TrustedPeer {
		info.ClientIP = peer
		return
	}
	info.ClientIP = r.Resolve(peer, req.Header["Forwarded"], req.Header["X-Forwarded-For"])
}

// PeerAddr parses a RemoteAddr ("1.2.3.4:5678", "[::1]:5678").
func PeerAddr(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(remote); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}
