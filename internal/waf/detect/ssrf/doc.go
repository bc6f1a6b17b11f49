// Package ssrf detects server-side request forgery: values that are URLs,
// or host[:port], pointing at the server's own network — loopback, link-local
// and cloud metadata addresses, private ranges — in any spelling HTTP
// clients accept (decimal 2130706433, octal 0177.0.0.1, hex 0x7f000001,
// short 127.1, IPv4-mapped IPv6, full-width digits, wildcard-DNS names like
// 127.0.0.1.nip.io, userinfo and fragment tricks), and URLs with schemes
// that reach non-HTTP services (gopher, dict, file, ldap, tftp, jar, netdoc).
//
// It does not resolve names: a public name that resolves to an internal
// address (DNS rebinding) passes, as do redirects; those need the egress
// check in the application.
//
// Scores. Where the URL starts the value (or follows '=', a quote, a comma,
// a slash or a line break, as in "url=http://...", JSON, lists and paths):
//
//	ssrf.metadata        cloud metadata host, Kubernetes    5
//	                     API (kubernetes.default[.svc...])
//	ssrf.loopback        127/8, 0/8, ::1, ::, localhost     5
//	ssrf.link-local      169.254/16, fe80::/10              5
//	ssrf.private         10/8, 172.16/12, 192.168/16, ...   3 (5 for an IP address in a URL-valued parameter, or obfuscated)
//	ssrf.scheme          gopher, dict, netdoc, jar, file,   5; ldap 4
//	                     tftp
//	ssrf.ip-obfuscation  a public IP spelled obfuscated     3 at paranoia 2
//
// A URL-valued parameter whose host is a private IP address scores 5: an
// internet-facing application has no business being sent a LAN address by
// number. Private DNS names (.internal, .local, .lan, Kubernetes
// .svc.cluster.local and .cluster.local) score 3, since
// intranet URLs occur legitimately (an admin form, a webhook on the LAN);
// with another signal they block. A URL
// inside free text ("my dev server at http://localhost:3000") scores 3 for a
// loopback host and 3 for gopher, dict, netdoc, jar and file; metadata hosts
// stay 5; private hosts and ldap/tftp in text are paranoia 2. Headers
// browsers and proxies fill (Host, Referer, Origin, X-Forwarded-*,
// X-Original-*, X-Real-IP, ...) only score metadata hosts and dangerous
// schemes at paranoia 1, since developers browse from localhost.
//
// A Detector is stateless and safe for concurrent use.
package ssrf
