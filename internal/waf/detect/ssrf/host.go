package ssrf

import (
	"net/netip"
	"strings"
	"unicode/utf8"
)

// category is where a host points.
type category uint8

const (
	catNone      category = iota // not a host we can judge, or a public one
	catPublic                    // a public address, spelled as an IP
	catPrivate                   // RFC 1918, CGNAT, fc00::/7, internal DNS suffixes
	catLinkLocal                 // 169.254/16, fe80::/10
	catLoopback                  // 127/8, 0/8, ::1, ::, localhost
	catMetadata                  // cloud instance metadata services
)

// maxHost bounds the host names and IP spellings the parsers look at; DNS
// names are at most 253 bytes, and longer "hosts" are not hosts.
const maxHost = 256

// hostInfo is what classify learns about a host.
type hostInfo struct {
	cat category
	// obfuscated says the host was spelled in a way no one types by
	// hand: an IPv4 address as one number, in octal or hex, in short form,
	// IPv4 inside IPv6, full-width digits, or a wildcard-DNS name that
	// embeds an address.
	obfuscated bool
	// literal says the host was a plain IP address (set by the URL
	// scanner, not by classify).
	literal bool
}

// classify judges host, a URL's host as written (brackets, a zone and a
// trailing dot allowed; no port).
func classify(host string) hostInfo {
	if host == "" || len(host) > maxHost {
		return hostInfo{}
	}
	var buf [maxHost]byte
	h, folded := fold(host, buf[:0])
	if len(h) > 1 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	if len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']' {
		info := classifyIPv6(h[1 : len(h)-1])
		info.obfuscated = info.obfuscated || folded
		return info
	}
	if strings.IndexByte(h, ':') >= 0 {
		info := classifyIPv6(h)
		info.obfuscated = info.obfuscated || folded
		return info
	}
	if ip, canonical, ok := parseIPv4(h); ok {
		return hostInfo{cat: classifyIPv4(ip), obfuscated: !canonical || folded}
	}
	info := classifyName(h)
	info.obfuscated = info.obfuscated || folded && info.cat > catPublic
	return info
}

// fold lower-cases host into buf and maps the Unicode look-alikes that
// IDNA processing turns into ASCII (full-width and circled letters and
// digits, ideographic full stops) to their ASCII forms. It reports whether
// anything other than case changed.
func fold(host string, buf []byte) (string, bool) {
	ascii := true
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i := 0; i < len(host); i++ {
			if c := host[i]; c >= 'A' && c <= 'Z' {
				buf = append(buf, host...)
				for j := i; j < len(buf); j++ {
					if buf[j] >= 'A' && buf[j] <= 'Z' {
						buf[j] += 'a' - 'A'
					}
				}
				return string(buf), false
			}
		}
		return host, false
	}
	changed := false
	for _, r := range host {
		if len(buf) >= cap(buf)-4 {
			break
		}
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '\u3002' || r == '\uff0e' || r == '\uff61': // ideographic and full-width full stops
			r, changed = '.', true
		case r >= '\uff10' && r <= '\uff19': // full-width digits
			r, changed = '0'+(r-'\uff10'), true
		case r >= '\uff21' && r <= '\uff3a':
			r, changed = 'a'+(r-'\uff21'), true
		case r >= '\uff41' && r <= '\uff5a':
			r, changed = 'a'+(r-'\uff41'), true
		case r == '\uff1a': // full-width colon
			r, changed = ':', true
		case r >= '\u2460' && r <= '\u2468': // circled 1-9
			r, changed = '1'+(r-'\u2460'), true
		case r == '\u24ea': // circled 0
			r, changed = '0', true
		case r >= '\u24b6' && r <= '\u24cf': // circled capital letters
			r, changed = 'a'+(r-'\u24b6'), true
		case r >= '\u24d0' && r <= '\u24e9': // circled small letters
			r, changed = 'a'+(r-'\u24d0'), true
		}
		buf = utf8.AppendRune(buf, r)
	}
	return string(buf), changed
}

// parseIPv4 parses s the way inet_aton(3) does, which is how most HTTP
// clients resolve a numeric host: one to four parts separated by dots, each
// decimal, octal (leading 0) or hexadecimal (leading 0x), the last part
// filling the remaining bytes ("127.1", "2130706433", "0x7f.0.0.1"). A
// single trailing dot is allowed. canonical says s is the usual four
// decimal parts without leading zeros.
func parseIPv4(s string) (ip uint32, canonical, ok bool) {
	if s == "" || len(s) > 64 {
		return 0, false, false
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
		if s == "" {
			return 0, false, false
		}
	}
	var parts [4]uint64
	n := 0
	canonical = true
	for i := 0; ; {
		if n == 4 {
			return 0, false, false
		}
		base := uint64(10)
		switch {
		case i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X'):
			base, canonical = 16, false
			i += 2
		case i+1 < len(s) && s[i] == '0' && s[i+1] != '.':
			base, canonical = 8, false
			i++
		}
		var v uint64
		digits := 0
		for ; i < len(s) && s[i] != '.'; i++ {
			d := digitValue(s[i])
			if d >= base {
				return 0, false, false
			}
			v = v*base + d
			if v > 0xffffffff {
				return 0, false, false
			}
			digits++
		}
		if digits == 0 {
			return 0, false, false
		}
		parts[n] = v
		n++
		if i == len(s) {
			break
		}
		i++ // the dot
		if i == len(s) {
			return 0, false, false
		}
	}
	if n != 4 {
		canonical = false
	}
	for k := 0; k < n-1; k++ {
		if parts[k] > 0xff {
			return 0, false, false
		}
		ip |= uint32(parts[k]) << (24 - 8*k)
	}
	last := parts[n-1]
	if last > 0xffffffff || last > uint64(0xffffffff)>>(8*(n-1)) {
		return 0, false, false
	}
	return ip | uint32(last), canonical, true
}

// digitValue returns the value of a hex digit, or 99.
func digitValue(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 99
}

// Cloud metadata services reachable by IP.
const (
	ipAWS       = 169<<24 | 254<<16 | 169<<8 | 254 // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
	ipECSTask   = 169<<24 | 254<<16 | 170<<8 | 2   // AWS ECS task metadata
	ipAlibaba   = 100<<24 | 100<<16 | 100<<8 | 200 // Alibaba Cloud
	ipOracleOCI = 192<<24 | 0<<16 | 0<<8 | 192     // Oracle Cloud (legacy)
)

// classifyIPv4 sorts an address into a category.
func classifyIPv4(ip uint32) category {
	switch {
	case ip == ipAWS || ip == ipECSTask || ip == ipAlibaba || ip == ipOracleOCI:
		return catMetadata
	case ip>>24 == 127 || ip>>24 == 0:
		return catLoopback // 0.0.0.0/8 reaches the local host on Linux
	case ip>>16 == 169<<8|254:
		return catLinkLocal
	case ip>>24 == 10 || ip>>20 == 172<<4|1 || ip>>16 == 192<<8|168 || ip>>22 == 100<<2|1:
		return catPrivate // 10/8, 172.16/12, 192.168/16, 100.64/10
	}
	return catPublic
}

// classifyIPv6 judges an IPv6 literal without brackets, mapping embedded
// IPv4 addresses (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::/96, 6to4) to their
// IPv4 category.
func classifyIPv6(s string) hostInfo {
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s = s[:i] // zone
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return hostInfo{}
	}
	b := a.As16()
	v4 := func(i int) uint32 {
		return uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
	}
	zero := func(from, to int) bool {
		for _, x := range b[from:to] {
			if x != 0 {
				return false
			}
		}
		return true
	}
	switch {
	case a.Is4In6():
		return hostInfo{cat: classifyIPv4(v4(12)), obfuscated: true}
	case zero(0, 12) && (b[12] != 0 || b[13] != 0): // IPv4-compatible ::a.b.c.d
		return hostInfo{cat: classifyIPv4(v4(12)), obfuscated: true}
	case b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(4, 12): // NAT64
		return hostInfo{cat: classifyIPv4(v4(12)), obfuscated: true}
	case b[0] == 0x20 && b[1] == 0x02: // 6to4 2002:AABB:CCDD::
		if c := classifyIPv4(v4(2)); c > catPublic {
			return hostInfo{cat: c, obfuscated: true}
		}
	}
	switch {
	case a.IsLoopback() || a.IsUnspecified():
		return hostInfo{cat: catLoopback}
	case a == netip.AddrFrom16([16]byte{0xfd, 0, 0x0e, 0xc2, 14: 0x02, 15: 0x54}): // fd00:ec2::254
		return hostInfo{cat: catMetadata}
	case a.IsLinkLocalUnicast():
		return hostInfo{cat: catLinkLocal}
	case a.IsPrivate():
		return hostInfo{cat: catPrivate}
	}
	return hostInfo{cat: catPublic}
}

// metadataNames are the DNS names of cloud metadata services, and of the
// Kubernetes API server as seen from inside a cluster (a service-account
// token away from the whole cluster).
var metadataNames = [...]string{
	"metadata", "metadata.google.internal", "metadata.goog", "metadata.azure.com",
	"instance-data", "instance-data.ec2.internal", "metadata.tencentyun.com",
	"kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
}

// loopbackNames are names that resolve to the local host: RFC 6761
// localhost and public wildcard names that point every label at 127.0.0.1
// (used to slip past host-name checks).
var loopbackNames = [...]string{
	"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback",
	"localtest.me", "lvh.me", "vcap.me", "localh.st",
}

// ipDNSSuffixes are wildcard DNS services that answer with the address
// written in the name ("10.0.0.1.nip.io", "127-0-0-1.sslip.io").
var ipDNSSuffixes = [...]string{".nip.io", ".sslip.io", ".xip.io", ".nip.direct"}

// internalSuffixes are DNS suffixes only resolvable inside a network.
// Kubernetes service names (".svc.cluster.local", ".cluster.local") are
// listed although ".local" covers them, to say so.
var internalSuffixes = [...]string{
	".svc.cluster.local", ".cluster.local",
	".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet",
}

// classifyName judges a lower-case DNS name.
func classifyName(h string) hostInfo {
	for _, n := range metadataNames {
		if h == n {
			return hostInfo{cat: catMetadata}
		}
	}
	for i, n := range loopbackNames {
		if h == n || strings.HasSuffix(h, n) && h[len(h)-len(n)-1] == '.' {
			return hostInfo{cat: catLoopback, obfuscated: i >= 4}
		}
	}
	for _, sfx := range ipDNSSuffixes {
		if rest, ok := strings.CutSuffix(h, sfx); ok {
			if ip, ok := embeddedIPv4(rest); ok {
				return hostInfo{cat: classifyIPv4(ip), obfuscated: true}
			}
			return hostInfo{cat: catPublic}
		}
	}
	// A name that starts with a whole dotted address ("127.0.0.1.evil.com")
	// is built to confuse checks that look at the start of the host.
	if ip, ok := leadingIPv4(h); ok {
		if c := classifyIPv4(ip); c > catPublic {
			return hostInfo{cat: c, obfuscated: true}
		}
	}
	for _, sfx := range internalSuffixes {
		if strings.HasSuffix(h, sfx) {
			return hostInfo{cat: catPrivate}
		}
	}
	return hostInfo{}
}

// embeddedIPv4 finds the address in the labels a wildcard DNS service
// reads: the last four dotted labels, or the last label with dashes.
func embeddedIPv4(s string) (uint32, bool) {
	dots := 0
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			dots++
			if dots == 4 {
				s = s[i+1:]
				break
			}
		}
	}
	if ip, canonical, ok := parseIPv4(s); ok && canonical {
		return ip, true
	}
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[i+1:]
	}
	var buf [64]byte
	if len(s) > len(buf) {
		return 0, false
	}
	b := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			c = '.'
		}
		b = append(b, c)
	}
	if ip, canonical, ok := parseIPv4(string(b)); ok && canonical {
		return ip, true
	}
	return 0, false
}

// leadingIPv4 parses a canonical dotted address made of h's first four
// labels when more labels follow.
func leadingIPv4(h string) (uint32, bool) {
	if h == "" || h[0] < '0' || h[0] > '9' {
		return 0, false
	}
	dots := 0
	for i := 0; i < len(h); i++ {
		if h[i] == '.' {
			dots++
			if dots == 4 {
				ip, canonical, ok := parseIPv4(h[:i])
				return ip, ok && canonical && i+1 < len(h)
			}
		}
	}
	return 0, false
}
