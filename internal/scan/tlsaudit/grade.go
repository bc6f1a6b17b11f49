package tlsaudit

import (
	"fmt"
	"strings"
)

// letters orders the grades from best to worst (A+ is decided last).
const letters = "ABCDEF"

// groupBits is the strength of a key exchange group in RSA-equivalent
// bits (NIST SP 800-57), as the key exchange score reads it.
var groupBits = map[uint16]int{
	0x0015: 2048,                                           // secp224r1
	0x0016: 3072, 0x0017: 3072, 0x001a: 3072, 0x001d: 3072, // secp256k1, P-256, brainpoolP256r1, x25519
	0x0018: 7680, 0x001b: 7680, 0x001e: 7680, // P-384, brainpoolP384r1, x448
	0x0019: 15360, 0x001c: 15360, // P-521, brainpoolP512r1
	0x0100: 2048, 0x0101: 3072, 0x0102: 4096, 0x0103: 6144, 0x0104: 8192, // ffdhe
	0x11eb: 3072, 0x11ec: 3072, 0x11ed: 7680, // hybrid ML-KEM groups
}

// grade rates the server after SSL Labs' SSL Server Rating Guide: a score
// from protocol support (30%), key exchange (30%) and cipher strength
// (40%) gives a letter, which caps lower for known weaknesses; an
// untrusted certificate gives T. It returns the grade and the reasons:
// the score, then every cap that applies.
func grade(o *outcome) (string, []string) {
	g := &grader{}
	protoScore, kxScore, cipherScore := o.scores()
	score := (30*protoScore + 30*kxScore + 40*cipherScore) / 100
	letter := "F"
	switch {
	case score >= 80:
		letter = "A"
	case score >= 65:
		letter = "B"
	case score >= 50:
		letter = "C"
	case score >= 35:
		letter = "D"
	case score >= 20:
		letter = "E"
	}
	g.reasons = append(g.reasons, fmt.Sprintf("score %d: protocol support %d, key exchange %d, cipher strength %d",
		score, protoScore, kxScore, cipherScore))
	o.caps(g)
	if strings.Index(letters, g.worst) > strings.Index(letters, letter) {
		letter = g.worst
	}

	if letter == "A" && !g.capped {
		switch {
		case !o.hsts.checked:
			g.reasons = append(g.reasons, "not A+: HSTS could not be checked"+errSuffix(o.hsts.err))
		case o.hsts.maxAge < hstsMinAge:
			g.reasons = append(g.reasons, "not A+: no HSTS header with max-age of at least 180 days")
		default:
			letter = "A+"
			g.reasons = append(g.reasons, fmt.Sprintf("A+: HSTS max-age of %d days and no protocol older than TLS 1.2", o.hsts.maxAge/86400))
		}
	}
	switch {
	case o.cert == nil:
		g.reasons = append(g.reasons, "certificate not examined, trust not rated"+errSuffix(o.chainErr))
	case !o.cert.info.Trusted:
		g.reasons = append(g.reasons, fmt.Sprintf("T: certificate not trusted (%s); grade ignoring trust: %s",
			strings.Join(o.cert.problems(), ", "), letter))
		letter = "T"
	}
	return letter, g.reasons
}

// grader collects caps.
type grader struct {
	reasons []string
	worst   string // the lowest cap, "" when none
	capped  bool
}

// cap lowers the grade to at most letter, for reason.
func (g *grader) cap(letter, reason string) {
	g.capped = true
	g.reasons = append(g.reasons, "capped at "+letter+": "+reason)
	if g.worst == "" || strings.Index(letters, letter) > strings.Index(letters, g.worst) {
		g.worst = letter
	}
}

// caps applies every cap of the rating guide that fits.
func (o *outcome) caps(g *grader) {
	tlsAny := o.accepted[versionTLS10] || o.accepted[versionTLS11] || o.accepted[versionTLS12] || o.accepted[versionTLS13]
	if o.accepted[versionSSL20] {
		g.cap("F", "SSL 2.0 is accepted (DROWN)")
	}
	if o.accepted[versionSSL30] {
		if tlsAny {
			g.cap("C", "SSL 3.0 is accepted (POODLE)")
		} else {
			g.cap("F", "SSL 3.0 is the newest protocol accepted")
		}
	}
	switch {
	case o.accepted[versionTLS10] && o.accepted[versionTLS11]:
		g.cap("B", "TLS 1.0 and TLS 1.1 are accepted (deprecated by RFC 8996)")
	case o.accepted[versionTLS10]:
		g.cap("B", "TLS 1.0 is accepted (deprecated by RFC 8996)")
	case o.accepted[versionTLS11]:
		g.cap("B", "TLS 1.1 is accepted (deprecated by RFC 8996)")
	}
	if tlsAny && !o.accepted[versionTLS12] && !o.accepted[versionTLS13] {
		g.cap("C", "neither TLS 1.2 nor TLS 1.3 is supported")
	}

	byClass := map[class][]string{}
	fs := false
	for _, a := range o.acceptedSuites() {
		byClass[a.suite.class()] = append(byClass[a.suite.class()], a.suite.name)
		if a.suite.fs {
			fs = true
		}
	}
	classCaps := []struct {
		c      class
		letter string
		what   string
	}{
		{classNull, "F", "NULL cipher suites (no encryption)"},
		{classAnon, "F", "anonymous cipher suites (no server authentication)"},
		{classExport, "F", "export cipher suites"},
		{classLowBits, "F", "cipher suites weaker than 112 bits"},
		{classRC4, "C", "RC4 cipher suites"},
		{class64Bit, "C", "64-bit block cipher suites such as 3DES (Sweet32)"},
	}
	for _, cc := range classCaps {
		if names := byClass[cc.c]; len(names) > 0 {
			g.cap(cc.letter, fmt.Sprintf("%s accepted: %s", cc.what, listShort(names)))
		}
	}
	if len(o.acceptedSuites()) > 0 && !fs {
		g.cap("B", "no cipher suite with forward secrecy")
	}
	switch {
	case o.dhMin > 0 && o.dhMin < 1024:
		g.cap("F", fmt.Sprintf("DH parameters of %d bits (Logjam)", o.dhMin))
	case o.dhMin > 0 && o.dhMin < 2048:
		g.cap("B", fmt.Sprintf("DH parameters of %d bits", o.dhMin))
	}
	if c := o.cert; c != nil {
		switch {
		case c.info.KeyType == "RSA" && c.info.KeyBits < 1024:
			g.cap("F", fmt.Sprintf("RSA key of %d bits", c.info.KeyBits))
		case c.info.KeyType == "RSA" && c.info.KeyBits < 2048:
			g.cap("B", fmt.Sprintf("RSA key of %d bits", c.info.KeyBits))
		case c.info.KeyType == "ECDSA" && c.info.KeyBits < 256:
			g.cap("B", fmt.Sprintf("ECDSA key of %d bits", c.info.KeyBits))
		}
		if c.md5 {
			g.cap("F", "certificate signed with MD5")
		}
	}
}

// scores returns the three scores of the rating guide, 0-100 each.
func (o *outcome) scores() (proto, kx, cipher int) {
	protoPoints := map[uint16]int{
		versionSSL20: 0, versionSSL30: 80, versionTLS10: 90, versionTLS11: 95, versionTLS12: 100, versionTLS13: 100,
	}
	best, worst := -1, 101
	for v, ok := range o.accepted {
		if ok {
			best, worst = max(best, protoPoints[v]), min(worst, protoPoints[v])
		}
	}
	if best >= 0 {
		proto = (best + worst) / 2
	}

	weakestKx, strongBits, weakBits := -1, -1, -1
	for _, a := range o.acceptedSuites() {
		if b := o.kxBits(a.suite); b >= 0 && (weakestKx < 0 || b < weakestKx) {
			weakestKx = b
		}
		strongBits = max(strongBits, a.suite.bits)
		if weakBits < 0 || a.suite.bits < weakBits {
			weakBits = a.suite.bits
		}
	}
	if o.accepted[versionSSL20] {
		weakestKx, weakBits = 0, 0 // SSL 2.0 offers export RSA and 40-bit ciphers
	}
	switch {
	case weakestKx < 0:
		kx = 90 // nothing measured: modern groups, the ones the hellos offer
	case weakestKx == 0:
		kx = 0
	case weakestKx < 512:
		kx = 20
	case weakestKx < 1024:
		kx = 40
	case weakestKx < 2048:
		kx = 80
	case weakestKx < 4096:
		kx = 90
	default:
		kx = 100
	}
	cipher = (bitsScore(strongBits) + bitsScore(weakBits)) / 2
	return proto, kx, cipher
}

func bitsScore(b int) int {
	switch {
	case b <= 0:
		return 0
	case b < 128:
		return 20
	case b < 256:
		return 80
	}
	return 100
}

// kxBits is the strength of a suite's key exchange in RSA-equivalent bits:
// 0 for anonymous, 512 for export, the certificate key for RSA, the
// measured prime for DHE and the groups seen for ECDHE and TLS 1.3; -1
// when unknown.
func (o *outcome) kxBits(s suite) int {
	switch {
	case s.anon:
		return 0
	case s.export:
		return 512
	}
	switch s.kx {
	case "RSA", "RSA_PSK", "DH", "ECDH":
		if o.cert != nil && o.cert.info.KeyType == "RSA" {
			return o.cert.info.KeyBits
		}
	case "DHE", "DHE_PSK":
		if o.dhMin > 0 {
			return o.dhMin
		}
	case "ECDHE", "ECDHE_PSK", "":
		weakest := -1
		for g := range o.groups {
			if b, ok := groupBits[g]; ok && (weakest < 0 || b < weakest) {
				weakest = b
			}
		}
		return weakest
	}
	return -1
}

// listShort joins names, eliding after six.
func listShort(names []string) string {
	if len(names) <= 6 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:6], ", "), len(names)-6)
}

// problems names what makes the certificate untrusted.
func (r *certReport) problems() []string {
	var p []string
	if r.expired {
		p = append(p, "expired")
	}
	if r.notYetValid {
		p = append(p, "not yet valid")
	}
	if r.info.SelfSigned {
		p = append(p, "self-signed")
	}
	if r.mismatch {
		p = append(p, "name mismatch")
	}
	if r.untrusted || len(p) == 0 {
		p = append(p, r.info.TrustError)
	}
	return p
}

// errSuffix is ": " and err's text, or "" without an error.
func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}
