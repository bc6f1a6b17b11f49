package tlsaudit

import (
	"encoding/binary"
	"math"
	"net"
	"slices"
)

// Protocol versions as they appear on the wire. SSL 2.0 has its own
// record format; 0x0002 is its version field.
const (
	versionSSL20 uint16 = 0x0002
	versionSSL30 uint16 = 0x0300
	versionTLS10 uint16 = 0x0301
	versionTLS11 uint16 = 0x0302
	versionTLS12 uint16 = 0x0303
	versionTLS13 uint16 = 0x0304
)

// versions lists the protocols the audit tries, newest first.
var versions = []uint16{versionTLS13, versionTLS12, versionTLS11, versionTLS10, versionSSL30, versionSSL20}

// versionName returns the name TLSResult.Protocols uses.
func versionName(v uint16) string {
	switch v {
	case versionSSL20:
		return "SSL 2.0"
	case versionSSL30:
		return "SSL 3.0"
	case versionTLS10:
		return "TLS 1.0"
	case versionTLS11:
		return "TLS 1.1"
	case versionTLS12:
		return "TLS 1.2"
	case versionTLS13:
		return "TLS 1.3"
	}
	return "version " + hex16(v)
}

// TLS handshake and record constants (RFC 8446, RFC 5246).
const (
	recordChangeCipherSpec uint8 = 20
	recordAlert            uint8 = 21
	recordHandshake        uint8 = 22
	recordApplicationData  uint8 = 23

	typeClientHello       uint8 = 1
	typeServerHello       uint8 = 2
	typeCertificate       uint8 = 11
	typeServerKeyExchange uint8 = 12
	typeServerHelloDone   uint8 = 14

	extServerName          uint16 = 0
	extSupportedGroups     uint16 = 10
	extECPointFormats      uint16 = 11
	extSignatureAlgorithms uint16 = 13
	extPadding             uint16 = 21
	extSupportedVersions   uint16 = 43
	extPSKModes            uint16 = 45
	extKeyShare            uint16 = 51
	extRenegotiationInfo   uint16 = 0xff01

	groupX25519 uint16 = 0x001d
)

// offeredGroups are the groups a ClientHello names in supported_groups:
// the modern ones first, then older curves and the FFDHE groups so that
// old servers find one they know.
var offeredGroups = []uint16{
	groupX25519, 0x0017, 0x0018, 0x0019, 0x001e, // x25519, P-256, P-384, P-521, x448
	0x001a, 0x001b, 0x001c, // brainpool P-256, P-384, P-512
	0x0016, 0x0015, // secp256k1, secp224r1
	0x0100, 0x0101, 0x0102, 0x0103, 0x0104, // ffdhe2048 … ffdhe8192
}

// offeredSignatureAlgorithms covers every scheme a certificate may need,
// SHA-1 and DSA included: the audit wants the server to answer, not to
// judge the client.
var offeredSignatureAlgorithms = []uint16{
	0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256, 384, 521
	0x0807, 0x0808, // ed25519, ed448
	0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256, 384, 512
	0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256, 384, 512
	0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256, 384, 512
	0x0303, 0x0301, 0x0302, // sha224 ECDSA, RSA, DSA
	0x0203, 0x0201, 0x0202, // sha1 ECDSA, RSA, DSA
	0x0402, 0x0502, 0x0602, // DSA with SHA-2
}

// helloSpec says what a ClientHello offers.
type helloSpec struct {
	// version is the protocol to ask for. For TLS 1.3 the hello says
	// 0x0303 and names 0x0304 in supported_versions with a key share.
	version uint16
	suites  []uint16
	// serverName goes into SNI unless it is empty or an IP address.
	serverName string
	// random is the 32-byte client random; sessionID is sent as is (TLS
	// 1.3 hellos send 32 bytes for middlebox compatibility).
	random    []byte
	sessionID []byte
	// keyShare is the client's x25519 public key (TLS 1.3).
	keyShare []byte
}

// buildClientHello returns one TLS record holding a ClientHello.
func buildClientHello(h helloSpec) []byte {
	legacy := h.version
	if legacy > versionTLS12 {
		legacy = versionTLS12
	}
	body := make([]byte, 0, 1024)
	body = appendU16(body, legacy)
	body = append(body, h.random...)
	body = appendVec8(body, func(b []byte) []byte { return append(b, h.sessionID...) })
	body = appendVec16(body, func(b []byte) []byte {
		for _, s := range h.suites {
			b = appendU16(b, s)
		}
		return b
	})
	body = append(body, 1, 0) // compression methods: null
	// SSL 3.0 servers predate extensions; some reject a hello that has
	// them.
	if h.version != versionSSL30 {
		body = appendExtensions(body, h)
	}
	msg := make([]byte, 0, len(body)+4)
	msg = append(msg, typeClientHello)
	msg = appendU24(msg, len(body))
	msg = append(msg, body...)

	recordVersion := versionTLS10
	if h.version == versionSSL30 {
		recordVersion = versionSSL30
	}
	rec := make([]byte, 0, len(msg)+5)
	rec = append(rec, recordHandshake)
	rec = appendU16(rec, recordVersion)
	rec = appendVec16(rec, func(b []byte) []byte { return append(b, msg...) })
	return rec
}

// appendExtensions appends the extension block. The padding extension
// (RFC 7685) keeps the hello out of the 256-511 byte range that makes some
// load balancers hang.
func appendExtensions(body []byte, h helloSpec) []byte {
	return appendVec16(body, func(b []byte) []byte {
		start := len(b)
		if h.serverName != "" && net.ParseIP(h.serverName) == nil {
			b = appendExt(b, extServerName, func(b []byte) []byte {
				return appendVec16(b, func(b []byte) []byte {
					b = append(b, 0) // host_name
					return appendVec16(b, func(b []byte) []byte { return append(b, h.serverName...) })
				})
			})
		}
		b = appendExt(b, extSupportedGroups, func(b []byte) []byte {
			return appendVec16(b, func(b []byte) []byte {
				for _, g := range offeredGroups {
					b = appendU16(b, g)
				}
				return b
			})
		})
		b = appendExt(b, extECPointFormats, func(b []byte) []byte { return append(b, 1, 0) })
		if h.version >= versionTLS12 {
			b = appendExt(b, extSignatureAlgorithms, func(b []byte) []byte {
				return appendVec16(b, func(b []byte) []byte {
					for _, a := range offeredSignatureAlgorithms {
						b = appendU16(b, a)
					}
					return b
				})
			})
		}
		b = appendExt(b, extRenegotiationInfo, func(b []byte) []byte { return append(b, 0) })
		if h.version == versionTLS13 {
			b = appendExt(b, extSupportedVersions, func(b []byte) []byte {
				return appendVec8(b, func(b []byte) []byte { return appendU16(b, versionTLS13) })
			})
			b = appendExt(b, extPSKModes, func(b []byte) []byte { return append(b, 1, 1) }) // psk_dhe_ke
			b = appendExt(b, extKeyShare, func(b []byte) []byte {
				return appendVec16(b, func(b []byte) []byte {
					b = appendU16(b, groupX25519)
					return appendVec16(b, func(b []byte) []byte { return append(b, h.keyShare...) })
				})
			})
		}
		// The handshake message is 4 bytes of header, the body so far,
		// 2 bytes of extension block length and these extensions.
		size := 4 + len(body) + 2 + (len(b) - start)
		if size >= 256 && size < 512 {
			pad := 512 - size - 4
			if pad < 0 {
				pad = 0
			}
			b = appendExt(b, extPadding, func(b []byte) []byte { return append(b, make([]byte, pad)...) })
		}
		return b
	})
}

// buildSSLv2ClientHello returns an SSL 2.0 CLIENT-HELLO offering every SSL
// 2.0 cipher kind, with a 2-byte record header.
func buildSSLv2ClientHello(challenge []byte) []byte {
	specs := make([]byte, 0, 3*len(sslv2Ciphers))
	for _, c := range sslv2Ciphers {
		specs = binary.BigEndian.AppendUint32(specs, c.id)
		specs = slices.Delete(specs, len(specs)-4, len(specs)-3) // three bytes each
	}
	msg := []byte{1} // CLIENT-HELLO
	msg = appendU16(msg, versionSSL20)
	msg = appendU16(msg, lenU16(len(specs)))
	msg = appendU16(msg, 0) // session ID length
	msg = appendU16(msg, lenU16(len(challenge)))
	msg = append(msg, specs...)
	msg = append(msg, challenge...)
	// The header is the length with the top bit set.
	return append(appendU16(nil, 0x8000|lenU15(len(msg))), msg...)
}

func appendU16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }

func appendU24(b []byte, n int) []byte {
	var w [4]byte
	binary.BigEndian.PutUint32(w[:], lenU24(n))
	return append(b, w[1:]...)
}

// lenU15, lenU16 and lenU24 convert the length of a vector the package
// builds. Every one is far below its limit; exceeding it is a bug.
func lenU15(n int) uint16 {
	if n < 0 || n > 0x7fff {
		panic("tlsaudit: SSL 2.0 record too long")
	}
	return uint16(n)
}

func lenU16(n int) uint16 {
	if n < 0 || n > math.MaxUint16 {
		panic("tlsaudit: vector too long")
	}
	return uint16(n)
}

func lenU24(n int) uint32 {
	if n < 0 || n > 1<<24-1 {
		panic("tlsaudit: vector too long")
	}
	return uint32(n)
}

// appendVec8 and appendVec16 append what f appends, prefixed with its
// length in one or two bytes.
func appendVec8(b []byte, f func([]byte) []byte) []byte {
	start := len(b)
	b = f(append(b, 0))
	n := len(b) - start - 1
	if n < 0 || n > math.MaxUint8 {
		panic("tlsaudit: vector too long")
	}
	b[start] = uint8(n)
	return b
}

func appendVec16(b []byte, f func([]byte) []byte) []byte {
	start := len(b)
	b = f(append(b, 0, 0))
	binary.BigEndian.PutUint16(b[start:], lenU16(len(b)-start-2))
	return b
}

func appendExt(b []byte, typ uint16, f func([]byte) []byte) []byte {
	return appendVec16(appendU16(b, typ), f)
}
