package clientip

import (
	"fmt"
	"net/netip"
	"strings"
)

// Bounds on forwarding headers. A longer header or chain is cut from the
// left (the end a client controls), keeping the hops nearest to us.
const (
	MaxHeaderLen = 8192
	MaxHops      = 32
)

// Resolver decides which address is the client's.
type Resolver struct {
	trusted   []netip.Prefix
	forwarded bool // read Forwarded (RFC 7239) instead of X-Forwarded-For
}

// Header names the forwarding header a Resolver reads.
type Header int

// The forwarding headers.
const (
	XForwardedFor Header = iota // X-Forwarded-For (default)
	Forwarded                   // Forwarded, RFC 7239
)

// New returns a Resolver trusting the given CIDRs or single addresses and
// reading X-Forwarded-For.
func New(trusted []string) (*Resolver, error) {
	return NewWithHeader(trusted, XForwardedFor)
}

// NewWithHeader is New reading header h. Only that header is believed: a
// trusted proxy that appends to one passes a client's copy of the other
// through untouched.
func NewWithHeader(trusted []string, h Header) (*Resolver, error) {
	r := &Resolver{forwarded: h == Forwarded}
	for _, s := range trusted {
		p, err := ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		r.trusted = append(r.trusted, p)
	}
	return r, nil
}

// ParsePrefix parses a CIDR or a single address (as a /32 or /128).
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("trusted proxy %q: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("trusted proxy %q: %w", s, err)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Trusted reports whether a is a trusted proxy.
func (r *Resolver) Trusted(a netip.Addr) bool {
	if r == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Resolve returns the client address for a request from peer carrying the
// given Forwarded and X-Forwarded-For header values (all lines of each).
// Only the header the Resolver was made for is read. When the peer is
// untrusted, or the header is absent or malformed, the answer is the
// nearest address we can vouch for.
func (r *Resolver) Resolve(peer netip.Addr, forwarded, xff []string) netip.Addr {
	peer = peer.Unmap()
	if !r.Trusted(peer) {
		return peer
	}
	var buf [MaxHops]netip.Addr
	var hops []netip.Addr
	switch {
	case r.forwarded && len(forwarded) > 0:
		hops, _ = ParseForwarded(buf[:0], forwarded)
	case !r.forwarded && len(xff) > 0:
		hops, _ = ParseXFF(buf[:0], xff)
	default:
		return peer
	}
	// Walk from the nearest hop outwards; the client is the first address
	// that is not a trusted proxy. A malformed entry stops the walk: what
	// lies beyond it cannot be trusted, so the last trusted hop answers.
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		h := hops[i]
		if !h.IsValid() {
			return client
		}
		client = h
		if !r.Trusted(h) {
			return h
		}
	}
	return client
}

// ParseXFF appends to dst the addresses of X-Forwarded-For values, in order
// from the farthest hop to the nearest. An entry that is not an IP address
// (with an optional port) is appended as the zero Addr, so callers stop
// there. ok is false when the input was cut for exceeding the bounds.
func ParseXFF(dst []netip.Addr, values []string) (hops []netip.Addr, ok bool) {
	ok = true
	total := 0
	for _, v := range values {
		total += len(v)
	}
	start := 0
	if total > MaxHeaderLen {
		ok = false
	}
	for vi, v := range values {
		_ = vi
		for len(v) > 0 {
			var item string
			if i := strings.IndexByte(v, ','); i >= 0 {
				item, v = v[:i], v[i+1:]
			} else {
				item, v = v, ""
			}
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			dst = appendBounded(dst, parseNode(item), &start, &ok)
		}
	}
	return rotate(dst, start), ok
}

// ParseForwarded appends to dst the for= addresses of RFC 7239 Forwarded
// values, farthest first, as ParseXFF does. Elements without for=, or with
// an obfuscated or "unknown" node, are appended as the zero Addr.
func ParseForwarded(dst []netip.Addr, values []string) (hops []netip.Addr, ok bool) {
	ok = true
	start := 0
	total := 0
	for _, v := range values {
		total += len(v)
	}
	if total > MaxHeaderLen {
		ok = false
	}
	for _, v := range values {
		for len(v) > 0 {
			var elem string
			elem, v = cutElement(v)
			elem = strings.TrimSpace(elem)
			if elem == "" {
				continue
			}
			var addr netip.Addr
			found := false
			for len(elem) > 0 {
				var pair string
				if i := indexUnquoted(elem, ';'); i >= 0 {
					pair, elem = elem[:i], elem[i+1:]
				} else {
					pair, elem = elem, ""
				}
				pair = strings.TrimSpace(pair)
				eq := strings.IndexByte(pair, '=')
				if eq <= 0 {
					found = false
					addr = netip.Addr{}
					break
				}
				if !strings.EqualFold(strings.TrimSpace(pair[:eq]), "for") {
					continue
				}
				if found { // for= twice in one element: malformed
					addr = netip.Addr{}
					break
				}
				found = true
				val := strings.TrimSpace(pair[eq+1:])
				if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
					val = val[1 : len(val)-1]
				} else if strings.ContainsAny(val, "\"[]") {
					// A bracketed or quoted node must be a quoted-string.
					val = ""
				}
				addr = parseNode(val)
			}
			dst = appendBounded(dst, addr, &start, &ok)
		}
	}
	return rotate(dst, start), ok
}

// appendBounded keeps the last MaxHops entries in a ring within dst.
func appendBounded(dst []netip.Addr, a netip.Addr, start *int, ok *bool) []netip.Addr {
	if len(dst) < MaxHops {
		return append(dst, a)
	}
	*ok = false
	dst[*start] = a
	*start = (*start + 1) % MaxHops
	return dst
}

// rotate puts the ring in order, oldest first.
func rotate(dst []netip.Addr, start int) []netip.Addr {
	if start == 0 {
		return dst
	}
	var tmp [MaxHops]netip.Addr
	n := copy(tmp[:], dst[start:])
	copy(tmp[n:], dst[:start])
	copy(dst, tmp[:len(dst)])
	return dst
}

// cutElement splits off the first comma-separated element, honouring quotes.
func cutElement(s string) (elem, rest string) {
	if i := indexUnquoted(s, ','); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

func indexUnquoted(s string, c byte) int {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case c:
			if !inQuote {
				return i
			}
		}
	}
	return -1
}

// parseNode parses "1.2.3.4", "1.2.3.4:80", "[::1]", "[::1]:80" or "::1".
func parseNode(s string) netip.Addr {
	if s == "" || len(s) > 64 {
		return netip.Addr{}
	}
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}
		}
		rest := s[end+1:]
		if rest != "" && (rest[0] != ':' || !isPort(rest[1:])) {
			return netip.Addr{}
		}
		a, err := netip.ParseAddr(s[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.Addr{}
		}
		return a.Unmap()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.Addr{}
		}
		return a.Unmap()
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 && isPort(s[i+1:]) {
		a, err := netip.ParseAddr(s[:i])
		if err == nil && a.Is4() {
			return a
		}
	}
	return netip.Addr{}
}

func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= 65535
}
