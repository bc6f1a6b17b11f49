package tlsaudit

import (
	"strings"
)

// suiteID is one row of suiteTable.
type suiteID struct {
	id   uint16
	name string
}

// suite is a cipher suite with the properties the audit grades, derived
// from its IANA name by classify.
type suite struct {
	id   uint16
	name string
	// tls13 marks the TLS 1.3 suites, which name no key exchange.
	tls13 bool
	// scsv marks signalling values (TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
	// TLS_FALLBACK_SCSV) and TLS_NULL_WITH_NULL_NULL: never offered.
	scsv bool
	// kx is the key exchange: "RSA", "DH", "DHE", "ECDH", "ECDHE", "PSK",
	// "RSA_PSK", "DHE_PSK", "ECDHE_PSK", "SRP", "KRB5", "ECCPWD", "GOST",
	// or "" for TLS 1.3 (always ephemeral).
	kx string
	// anon: no authentication of the server (DH_anon, ECDH_anon).
	anon bool
	// export: an export-grade suite (40- or 56-bit keys, 512-bit RSA).
	export bool
	// null: no encryption at all.
	null bool
	// bits is the effective symmetric key strength (112 for 3DES).
	bits int
	// block64: a 64-bit block cipher (3DES, IDEA, DES, RC2), open to
	// birthday attacks (Sweet32).
	block64 bool
	// rc4 and cbc name the cipher mode; aead marks GCM, CCM and
	// ChaCha20-Poly1305.
	rc4, cbc, aead bool
	// mac is the record MAC: "MD5", "SHA1", "SHA256", "SHA384", "" for AEAD.
	mac string
	// fs: the key exchange is ephemeral (forward secrecy).
	fs bool
}

// class is the worst property of a suite, as a finding reports it. Larger
// is worse.
type class int

const (
	// classStrong: forward secrecy and an AEAD cipher.
	classStrong class = iota
	// classNoAEAD: CBC mode (Lucky13, BEAST with TLS 1.0) or another
	// MAC-then-encrypt construction, with forward secrecy.
	classNoAEAD
	// classNoFS: static RSA, DH, ECDH or PSK key exchange: a stolen
	// server key decrypts recorded traffic.
	classNoFS
	// class64Bit: 3DES, IDEA: 64-bit blocks (Sweet32).
	class64Bit
	// classRC4: RC4 is broken (RFC 7465).
	classRC4
	// classLowBits: DES, RC2 and other ciphers under 112 bits.
	classLowBits
	// classExport: export-grade suites (FREAK, Logjam).
	classExport
	// classAnon: no server authentication: anyone in the path can
	// intercept.
	classAnon
	// classNull: no encryption.
	classNull
)

// class returns the worst property of s.
func (s suite) class() class {
	switch {
	case s.null:
		return classNull
	case s.anon:
		return classAnon
	case s.export:
		return classExport
	case s.bits < 112:
		return classLowBits
	case s.rc4:
		return classRC4
	case s.block64:
		return class64Bit
	case !s.fs:
		return classNoFS
	case !s.aead:
		return classNoAEAD
	}
	return classStrong
}

// suiteByID maps every suite of suiteTable to its properties.
var suiteByID = buildSuites()

func buildSuites() map[uint16]suite {
	m := make(map[uint16]suite, len(suiteTable))
	for _, s := range suiteTable {
		m[s.id] = classify(s.id, s.name)
	}
	return m
}

// lookupSuite returns the properties of id; an unknown id gets a name
// "0xC0FF" and is treated as strong, since nothing is known against it.
func lookupSuite(id uint16) suite {
	if s, ok := suiteByID[id]; ok {
		return s
	}
	return suite{id: id, name: hex16(id), bits: 128, fs: true, aead: true}
}

// suiteName returns the IANA name of id, or its code.
func suiteName(id uint16) string { return lookupSuite(id).name }

// classify derives the properties of a suite from its IANA name:
// TLS_<kx>_WITH_<cipher>_<mac> for TLS 1.0-1.2, TLS_<cipher>_<hash> for
// TLS 1.3.
func classify(id uint16, name string) suite {
	s := suite{id: id, name: name}
	rest := strings.TrimPrefix(name, "TLS_")
	if strings.HasSuffix(rest, "_SCSV") || id == 0x0000 {
		s.scsv = true
		s.null = true
		return s
	}
	kx, enc, ok := strings.Cut(rest, "_WITH_")
	if !ok {
		// TLS 1.3: TLS_AES_128_GCM_SHA256, TLS_SHA256_SHA256 (RFC 9150,
		// integrity only), TLS_SM4_GCM_SM3.
		s.tls13 = true
		s.fs = true
		kx, enc = "", rest
	}
	if strings.Contains(kx, "EXPORT") {
		s.export = true
		kx = strings.Replace(strings.Replace(kx, "_EXPORT1024", "", 1), "_EXPORT", "", 1)
	}
	switch {
	case strings.HasSuffix(kx, "_anon"):
		s.anon = true
		s.fs = true
		kx = strings.TrimSuffix(kx, "_anon") + "E" // DH_anon is ephemeral DH
	case strings.HasPrefix(kx, "SRP"):
		kx = "SRP"
	case strings.HasPrefix(kx, "GOST"):
		kx = "GOST"
	case kx == "PSK_DHE":
		kx = "DHE_PSK"
	case kx == "DHE_RSA", kx == "DHE_DSS":
		kx = "DHE"
	case kx == "DH_RSA", kx == "DH_DSS":
		kx = "DH"
	case kx == "ECDHE_RSA", kx == "ECDHE_ECDSA":
		kx = "ECDHE"
	case kx == "ECDH_RSA", kx == "ECDH_ECDSA":
		kx = "ECDH"
	}
	s.kx = kx
	switch kx {
	case "DHE", "ECDHE", "DHE_PSK", "ECDHE_PSK", "ECCPWD", "SRP", "GOST":
		s.fs = true
	}
	// The cipher and MAC.
	enc = strings.TrimSuffix(enc, "_OLD")
	switch {
	case strings.HasPrefix(enc, "NULL"), strings.HasPrefix(enc, "SHA256_SHA256"), strings.HasPrefix(enc, "SHA384_SHA384"):
		s.null = true
	case strings.HasPrefix(enc, "RC4_"):
		s.rc4 = true
		s.bits = leadingBits(strings.TrimPrefix(enc, "RC4_"))
	case strings.HasPrefix(enc, "RC2_CBC_"):
		s.block64 = true
		s.bits = leadingBits(strings.TrimPrefix(enc, "RC2_CBC_"))
	case strings.HasPrefix(enc, "DES40_"), strings.HasPrefix(enc, "DES_CBC_40_"):
		s.block64 = true
		s.export = true
		s.bits = 40
	case strings.HasPrefix(enc, "DES_CBC_"):
		s.block64 = true
		s.bits = 56
	case strings.HasPrefix(enc, "3DES_EDE_"):
		s.block64 = true
		s.bits = 112
	case strings.HasPrefix(enc, "IDEA_"):
		s.block64 = true
		s.bits = 128
	case strings.HasPrefix(enc, "MAGMA_"), strings.HasPrefix(enc, "28147_"):
		s.block64 = true
		s.bits = 256
	case strings.HasPrefix(enc, "KUZNYECHIK_"), strings.HasPrefix(enc, "CHACHA20_"):
		s.bits = 256
	case strings.HasPrefix(enc, "SEED_"), strings.HasPrefix(enc, "SM4_"):
		s.bits = 128
	default: // AES_128_, CAMELLIA_256_, ARIA_128_
		if _, after, ok := strings.Cut(enc, "_"); ok {
			s.bits = leadingBits(after)
		}
	}
	if s.export && s.bits > 56 {
		s.bits = 40 // RC2_CBC_40, RC4_40: the name says; others are 40-bit by law
	}
	switch {
	case strings.Contains(enc, "_GCM"), strings.Contains(enc, "_CCM"), strings.Contains(enc, "POLY1305"):
		s.aead = true
	case strings.Contains(enc, "_CBC"):
		s.cbc = true
	}
	if !s.aead {
		switch {
		case strings.HasSuffix(enc, "_MD5"):
			s.mac = "MD5"
		case strings.HasSuffix(enc, "_SHA"):
			s.mac = "SHA1"
		case strings.HasSuffix(enc, "_SHA256"):
			s.mac = "SHA256"
		case strings.HasSuffix(enc, "_SHA384"):
			s.mac = "SHA384"
		}
	}
	return s
}

// leadingBits reads the key size at the start of "128_CBC_SHA" (0 when
// there is none).
func leadingBits(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 4 && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// offerable returns the suites to offer in TLS 1.0-1.2 and SSL 3.0
// ClientHellos (tls13 false) or one at a time in TLS 1.3 (tls13 true), in
// code order.
func offerable(tls13 bool) []uint16 {
	var out []uint16
	for _, row := range suiteTable {
		s := suiteByID[row.id]
		if s.scsv || s.tls13 != tls13 {
			continue
		}
		out = append(out, s.id)
	}
	return out
}

// sslv2Cipher is a cipher kind of SSL 2.0 (three bytes on the wire).
type sslv2Cipher struct {
	id   uint32
	name string
}

// sslv2Ciphers lists every SSL 2.0 cipher kind; all of them are broken.
var sslv2Ciphers = []sslv2Cipher{
	{0x010080, "SSL_CK_RC4_128_WITH_MD5"},
	{0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"},
	{0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"},
	{0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"},
	{0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"},
	{0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"},
	{0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"},
}

// sslv2Name returns the name of an SSL 2.0 cipher kind, or its code.
func sslv2Name(id uint32) string {
	for _, c := range sslv2Ciphers {
		if c.id == id {
			return c.name
		}
	}
	const digits = "0123456789ABCDEF"
	b := []byte("0x000000")
	for i := range 6 {
		b[7-i] = digits[(id>>(4*i))&0xF]
	}
	return string(b)
}

// hex16 writes a suite code as "0x00FF".
func hex16(v uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{'0', 'x', digits[v>>12], digits[(v>>8)&0xF], digits[(v>>4)&0xF], digits[v&0xF]})
}
