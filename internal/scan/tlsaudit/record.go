package tlsaudit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// Bounds on what the parsers accept from a server.
const (
	// maxRecord is the largest TLS record body: 2^14 bytes of plaintext
	// plus the 2048 bytes of expansion RFC 5246 allows.
	maxRecord = 1<<14 + 2048
	// maxFlight bounds all the bytes read for one ClientHello: a
	// ServerHello, a certificate chain and a key exchange fit many times.
	maxFlight = 256 << 10
)

// errMalformed is wrapped by every parse error: the bytes are not the
// protocol they claim to be.
var errMalformed = errors.New("malformed server answer")

// flight is what a server answered a ClientHello with, as far as it was
// read.
type flight struct {
	// serverHello is set once a ServerHello (or HelloRetryRequest) was
	// parsed.
	serverHello *serverHello
	// alert is set when the server sent an alert before a ServerHello.
	alert *alert
	// certs is the DER chain of a Certificate message (TLS 1.2 and
	// older; in TLS 1.3 it is encrypted).
	certs [][]byte
	// dhBits is the size of the DH prime of a ServerKeyExchange for a
	// DHE suite; group is the named group of an ECDHE one.
	dhBits int
	group  uint16
	// sslv2 is set when the answer was an SSL 2.0 SERVER-HELLO.
	sslv2 *sslv2ServerHello
	// done says nothing more is worth reading: ServerHelloDone, an alert,
	// a TLS 1.3 ServerHello (what follows is encrypted), an SSL 2.0
	// SERVER-HELLO.
	done bool
}

// serverHello is the part of a ServerHello the audit uses.
type serverHello struct {
	// version is the negotiated version: supported_versions when the
	// server sent it (TLS 1.3), else the legacy version field.
	version uint16
	suite   uint16
	// retry marks a HelloRetryRequest: TLS 1.3 accepted, but the server
	// wants a key share for another group.
	retry bool
	// group is the key_share group of a TLS 1.3 ServerHello or
	// HelloRetryRequest.
	group uint16
}

// alert is a TLS alert.
type alert struct {
	level, desc uint8
}

func (a alert) String() string {
	names := map[uint8]string{
		0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
		40: "handshake_failure", 42: "bad_certificate", 47: "illegal_parameter",
		50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
		71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback",
		109: "missing_extension", 112: "unrecognized_name", 120: "no_application_protocol",
	}
	if n, ok := names[a.desc]; ok {
		return "alert " + n
	}
	return fmt.Sprintf("alert %d", a.desc)
}

// helloRetryRandom is the ServerHello.random of a HelloRetryRequest:
// SHA-256 of "HelloRetryRequest" (RFC 8446, 4.1.3).
var helloRetryRandom = sha256.Sum256([]byte("HelloRetryRequest"))

// parseFlight parses what a server sent in answer to a ClientHello. It
// reads whole records from the start of b and stops at the first that is
// not complete, so it can be called again as more bytes arrive; done
// reports that no more are needed. An error means the bytes are not a TLS
// or SSL 2.0 answer.
func parseFlight(b []byte) (flight, error) {
	var f flight
	if len(b) == 0 {
		return f, nil
	}
	if b[0]&0x80 != 0 {
		v2, complete, err := parseSSLv2ServerHello(b)
		if err != nil {
			return f, err
		}
		if complete {
			f.sslv2, f.done = v2, true
		}
		return f, nil
	}
	if b[0] < recordChangeCipherSpec || b[0] > recordApplicationData {
		return f, fmt.Errorf("%w: not a TLS record (first bytes % x)", errMalformed, b[:min(len(b), 8)])
	}
	if len(b) > maxFlight {
		b = b[:maxFlight]
	}
	var hs []byte // handshake bytes, across records
	for len(b) >= 5 && !f.done {
		typ, major, n := b[0], b[1], int(b[3])<<8|int(b[4])
		if major != 3 {
			return f, fmt.Errorf("%w: record version %d.%d", errMalformed, b[1], b[2])
		}
		if n > maxRecord {
			return f, fmt.Errorf("%w: record of %d bytes", errMalformed, n)
		}
		if len(b) < 5+n {
			break
		}
		body := b[5 : 5+n]
		b = b[5+n:]
		switch typ {
		case recordAlert:
			if len(body) < 2 {
				return f, fmt.Errorf("%w: alert of %d bytes", errMalformed, len(body))
			}
			if f.serverHello == nil {
				f.alert = &alert{level: body[0], desc: body[1]}
			}
			f.done = true
		case recordHandshake:
			hs = append(hs, body...)
			var err error
			if hs, err = f.parseMessages(hs); err != nil {
				return f, err
			}
		default:
			// ChangeCipherSpec or encrypted records: the plaintext part of
			// the flight is over.
			if f.serverHello == nil {
				return f, fmt.Errorf("%w: record type %d before ServerHello", errMalformed, typ)
			}
			f.done = true
		}
	}
	return f, nil
}

// parseMessages parses the complete handshake messages at the start of
// hs and returns the rest.
func (f *flight) parseMessages(hs []byte) ([]byte, error) {
	for len(hs) >= 4 && !f.done {
		typ, n := hs[0], int(hs[1])<<16|int(hs[2])<<8|int(hs[3])
		if n > maxFlight {
			return nil, fmt.Errorf("%w: handshake message of %d bytes", errMalformed, n)
		}
		if len(hs) < 4+n {
			break
		}
		msg := hs[4 : 4+n]
		hs = hs[4+n:]
		if f.serverHello == nil && typ != typeServerHello {
			return nil, fmt.Errorf("%w: handshake message %d before ServerHello", errMalformed, typ)
		}
		switch typ {
		case typeServerHello:
			if f.serverHello != nil {
				return nil, fmt.Errorf("%w: second ServerHello", errMalformed)
			}
			sh, err := parseServerHello(msg)
			if err != nil {
				return nil, err
			}
			f.serverHello = sh
			if sh.version >= versionTLS13 || sh.retry {
				f.done = true
			}
		case typeCertificate:
			certs, err := parseCertificates(msg)
			if err != nil {
				return nil, err
			}
			f.certs = certs
		case typeServerKeyExchange:
			f.parseKeyExchange(msg)
		case typeServerHelloDone:
			f.done = true
		}
	}
	return hs, nil
}

// reader reads big-endian fields and length-prefixed vectors; once a read
// runs past the end, every later read fails too.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) bytes(n int) []byte {
	if r.bad || n < 0 || n > len(r.b) {
		r.bad = true
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8 {
	v := r.bytes(1)
	if v == nil {
		return 0
	}
	return v[0]
}

func (r *reader) u16() uint16 {
	v := r.bytes(2)
	if v == nil {
		return 0
	}
	return binary.BigEndian.Uint16(v)
}

func (r *reader) u24() int {
	v := r.bytes(3)
	if v == nil {
		return 0
	}
	return int(v[0])<<16 | int(v[1])<<8 | int(v[2])
}

func (r *reader) vec8() []byte  { return r.bytes(int(r.u8())) }
func (r *reader) vec16() []byte { return r.bytes(int(r.u16())) }
func (r *reader) vec24() []byte { return r.bytes(r.u24()) }

// parseServerHello parses a ServerHello body (RFC 8446, 4.1.3; RFC 5246,
// 7.4.1.3).
func parseServerHello(msg []byte) (*serverHello, error) {
	r := &reader{b: msg}
	legacy := r.u16()
	random := r.bytes(32)
	r.vec8() // session ID
	suite := r.u16()
	r.u8() // compression
	if r.bad {
		return nil, fmt.Errorf("%w: short ServerHello", errMalformed)
	}
	sh := &serverHello{version: legacy, suite: suite}
	sh.retry = bytes.Equal(random, helloRetryRandom[:])
	if len(r.b) == 0 {
		return sh, nil // no extensions: allowed before TLS 1.3
	}
	exts := &reader{b: r.vec16()}
	if r.bad {
		return nil, fmt.Errorf("%w: ServerHello extensions overrun", errMalformed)
	}
	for len(exts.b) > 0 {
		typ := exts.u16()
		data := &reader{b: exts.vec16()}
		if exts.bad {
			return nil, fmt.Errorf("%w: ServerHello extension overruns", errMalformed)
		}
		switch typ {
		case extSupportedVersions:
			v := data.u16()
			if data.bad {
				return nil, fmt.Errorf("%w: short supported_versions", errMalformed)
			}
			sh.version = v
		case extKeyShare:
			// ServerHello: group and key; HelloRetryRequest: group only.
			g := data.u16()
			if !data.bad {
				sh.group = g
			}
		}
	}
	return sh, nil
}

// parseCertificates parses a TLS 1.2 Certificate message into DER
// certificates.
func parseCertificates(msg []byte) ([][]byte, error) {
	r := &reader{b: msg}
	list := &reader{b: r.vec24()}
	if r.bad {
		return nil, fmt.Errorf("%w: Certificate list overruns", errMalformed)
	}
	var certs [][]byte
	for len(list.b) > 0 {
		c := list.vec24()
		if list.bad {
			return nil, fmt.Errorf("%w: certificate overruns", errMalformed)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// parseKeyExchange reads the DH prime size or the ECDHE group of a
// ServerKeyExchange (RFC 5246, 7.4.3; RFC 8422, 5.4; RFC 4279 for the PSK
// variants). A message it cannot read is left alone: the audit only
// misses the size.
func (f *flight) parseKeyExchange(msg []byte) {
	if f.serverHello == nil {
		return
	}
	s := lookupSuite(f.serverHello.suite)
	r := &reader{b: msg}
	if s.kx == "DHE_PSK" || s.kx == "ECDHE_PSK" {
		r.vec16() // psk_identity_hint
	}
	switch s.kx {
	case "DHE", "DHE_PSK":
		p := r.vec16()
		if !r.bad {
			f.dhBits = bitLen(p)
		}
	case "ECDHE", "ECDHE_PSK":
		if r.u8() == 3 { // named_curve
			g := r.u16()
			if !r.bad {
				f.group = g
			}
		}
	}
}

// bitLen is the bit length of a big-endian unsigned integer.
func bitLen(b []byte) int {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0
	}
	return (len(b)-1)*8 + bits.Len8(b[0])
}

// sslv2ServerHello is an SSL 2.0 SERVER-HELLO.
type sslv2ServerHello struct {
	version uint16
	cert    []byte
	ciphers []uint32
}

// parseSSLv2ServerHello parses an SSL 2.0 record with a 2-byte header
// holding a SERVER-HELLO. complete is false when more bytes are needed.
func parseSSLv2ServerHello(b []byte) (sh *sslv2ServerHello, complete bool, err error) {
	if len(b) < 2 {
		return nil, false, nil
	}
	if b[0]&0x80 == 0 {
		return nil, false, fmt.Errorf("%w: not an SSL 2.0 record with a 2-byte header", errMalformed)
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	if len(b) < 2+n {
		return nil, false, nil
	}
	r := &reader{b: b[2 : 2+n]}
	switch typ := r.u8(); typ {
	case 4: // SERVER-HELLO
	case 0: // ERROR
		return nil, false, fmt.Errorf("%w: SSL 2.0 ERROR message", errMalformed)
	default:
		return nil, false, fmt.Errorf("%w: SSL 2.0 message type %d", errMalformed, typ)
	}
	r.u8() // session ID hit
	r.u8() // certificate type
	version := r.u16()
	certLen := r.u16()
	specsLen := r.u16()
	connIDLen := r.u16()
	cert := r.bytes(int(certLen))
	specs := r.bytes(int(specsLen))
	r.bytes(int(connIDLen))
	if r.bad {
		return nil, false, fmt.Errorf("%w: short SSL 2.0 SERVER-HELLO", errMalformed)
	}
	if specsLen%3 != 0 {
		return nil, false, fmt.Errorf("%w: SSL 2.0 cipher specs of %d bytes", errMalformed, specsLen)
	}
	sh = &sslv2ServerHello{version: version, cert: cert}
	for i := 0; i+3 <= len(specs); i += 3 {
		sh.ciphers = append(sh.ciphers, uint32(specs[i])<<16|uint32(specs[i+1])<<8|uint32(specs[i+2]))
	}
	return sh, true, nil
}
