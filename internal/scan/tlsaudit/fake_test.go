package tlsaudit

import (
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// testHello is a ClientHello as a fake server sees it.
type testHello struct {
	sslv2         bool
	recordVersion uint16
	version       uint16 // client_version
	suites        []uint16
	v2specs       []uint32
	// supportedVersions lists the supported_versions extension.
	supportedVersions []uint16
	serverName        string
	keyShareGroups    []uint16
	extensions        []uint16
}

// parseTestHello parses a ClientHello record, TLS or SSL 2.0.
func parseTestHello(b []byte) (testHello, error) {
	var h testHello
	if len(b) >= 2 && b[0]&0x80 != 0 {
		h.sslv2 = true
		r := &reader{b: b[2:]}
		if r.u8() != 1 {
			return h, errors.New("not an SSL 2.0 CLIENT-HELLO")
		}
		h.version = r.u16()
		specs, sid, chal := r.u16(), r.u16(), r.u16()
		s := r.bytes(int(specs))
		r.bytes(int(sid))
		r.bytes(int(chal))
		if r.bad || specs%3 != 0 {
			return h, errors.New("short SSL 2.0 CLIENT-HELLO")
		}
		for i := 0; i < len(s); i += 3 {
			h.v2specs = append(h.v2specs, uint32(s[i])<<16|uint32(s[i+1])<<8|uint32(s[i+2]))
		}
		return h, nil
	}
	r := &reader{b: b}
	if r.u8() != recordHandshake {
		return h, errors.New("not a handshake record")
	}
	h.recordVersion = r.u16()
	rec := &reader{b: r.vec16()}
	if rec.u8() != typeClientHello {
		return h, errors.New("not a ClientHello")
	}
	m := &reader{b: rec.vec24()}
	h.version = m.u16()
	m.bytes(32)
	m.vec8()
	suites := &reader{b: m.vec16()}
	for len(suites.b) >= 2 {
		h.suites = append(h.suites, suites.u16())
	}
	m.vec8()
	if len(m.b) > 0 {
		exts := &reader{b: m.vec16()}
		for len(exts.b) > 0 && !exts.bad {
			typ := exts.u16()
			data := &reader{b: exts.vec16()}
			h.extensions = append(h.extensions, typ)
			switch typ {
			case extServerName:
				list := &reader{b: data.vec16()}
				list.u8()
				h.serverName = string(list.vec16())
			case extSupportedVersions:
				vs := &reader{b: data.vec8()}
				for len(vs.b) >= 2 {
					h.supportedVersions = append(h.supportedVersions, vs.u16())
				}
			case extKeyShare:
				ks := &reader{b: data.vec16()}
				for len(ks.b) > 0 && !ks.bad {
					h.keyShareGroups = append(h.keyShareGroups, ks.u16())
					ks.vec16()
				}
			}
		}
		if exts.bad {
			return h, errors.New("extensions overrun")
		}
	}
	if r.bad || rec.bad || m.bad {
		return h, errors.New("short ClientHello")
	}
	return h, nil
}

// readTestHello reads one hello record from conn.
func readTestHello(conn net.Conn) ([]byte, error) {
	head := make([]byte, 2)
	if _, err := io.ReadFull(conn, head); err != nil {
		return nil, err
	}
	var n int
	if head[0]&0x80 != 0 {
		n = int(head[0]&0x7f)<<8 | int(head[1])
	} else {
		more := make([]byte, 3)
		if _, err := io.ReadFull(conn, more); err != nil {
			return nil, err
		}
		head = append(head, more...)
		n = int(head[3])<<8 | int(head[4])
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(conn, body); err != nil {
		return nil, err
	}
	return append(head, body...), nil
}

// startFakeServer accepts connections on a loopback port and hands each
// to serve, which owns it. It returns the address.
func startFakeServer(tb testing.TB, serve func(net.Conn)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	tb.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				serve(conn)
			})
		}
	})
	return ln.Addr().String()
}

// Server-side message builders.

func record(typ uint8, version uint16, body []byte) []byte {
	b := []byte{typ}
	b = appendU16(b, version)
	return appendVec16(b, func(b []byte) []byte { return append(b, body...) })
}

func handshakeMsg(typ uint8, body []byte) []byte {
	return append(appendU24([]byte{typ}, len(body)), body...)
}

// serverHelloMsg builds a ServerHello; supportedVersion, when not 0, goes
// into the supported_versions extension.
func serverHelloMsg(version, suite, supportedVersion uint16) []byte {
	b := appendU16(nil, version)
	b = append(b, make([]byte, 32)...) // random
	b = append(b, 0)                   // session ID
	b = appendU16(b, suite)
	b = append(b, 0) // compression
	if supportedVersion != 0 {
		b = appendVec16(b, func(b []byte) []byte {
			return appendExt(b, extSupportedVersions, func(b []byte) []byte { return appendU16(b, supportedVersion) })
		})
	}
	return handshakeMsg(typeServerHello, b)
}

func certificateMsg(ders ...[]byte) []byte {
	body := appendVec24(nil, func(b []byte) []byte {
		for _, d := range ders {
			b = appendVec24(b, func(b []byte) []byte { return append(b, d...) })
		}
		return b
	})
	return handshakeMsg(typeCertificate, body)
}

func appendVec24(b []byte, f func([]byte) []byte) []byte {
	start := len(b)
	b = f(append(b, 0, 0, 0))
	n := len(b) - start - 3
	b[start], b[start+1], b[start+2] = byte(n>>16), byte(n>>8), byte(n)
	return b
}

func alertRecord(version uint16, desc uint8) []byte {
	return record(recordAlert, version, []byte{2, desc})
}

// sslv2ServerHelloMsg builds an SSL 2.0 SERVER-HELLO record.
func sslv2ServerHelloMsg(cert []byte, specs []uint32) []byte {
	msg := []byte{4, 0, 1} // SERVER-HELLO, no session ID hit, X.509 certificate
	msg = appendU16(msg, versionSSL20)
	msg = appendU16(msg, uint16(len(cert)))
	msg = appendU16(msg, uint16(3*len(specs)))
	msg = appendU16(msg, 16) // connection ID
	msg = append(msg, cert...)
	for _, s := range specs {
		msg = append(msg, byte(s>>16), byte(s>>8), byte(s))
	}
	msg = append(msg, make([]byte, 16)...)
	n := len(msg)
	return append([]byte{0x80 | byte(n>>8), byte(n)}, msg...)
}

// sslv3Server answers like an old server that speaks only SSL 3.0 with
// three suites, sends a certificate chain, and answers an SSL 2.0-format
// hello with an SSL 3.0 ServerHello (as old OpenSSL did).
func sslv3Server(certDER []byte) func(net.Conn) {
	supported := []uint16{0x0005, 0x000A, 0x002F} // RC4_128_SHA, 3DES_EDE_CBC_SHA, AES_128_CBC_SHA
	return func(conn net.Conn) {
		raw, err := readTestHello(conn)
		if err != nil {
			return
		}
		h, err := parseTestHello(raw)
		if err != nil {
			return
		}
		offered := h.suites
		if h.sslv2 {
			offered = []uint16{0x0005}
		} else if h.version != versionSSL30 {
			_, _ = conn.Write(alertRecord(versionSSL30, 70)) // protocol_version
			return
		}
		i := slices.IndexFunc(supported, func(s uint16) bool { return slices.Contains(offered, s) })
		if i < 0 {
			_, _ = conn.Write(alertRecord(versionSSL30, 40)) // handshake_failure
			return
		}
		flight := serverHelloMsg(versionSSL30, supported[i], 0)
		flight = append(flight, certificateMsg(certDER)...)
		flight = append(flight, handshakeMsg(typeServerHelloDone, nil)...)
		// Split the flight over two records, as servers may.
		_, _ = conn.Write(append(record(recordHandshake, versionSSL30, flight[:50]), record(recordHandshake, versionSSL30, flight[50:])...))
		_, _ = io.Copy(io.Discard, conn)
	}
}

// sslv2Server answers only SSL 2.0 hellos, with two cipher kinds.
func sslv2Server(certDER []byte) func(net.Conn) {
	supported := []uint32{0x010080, 0x0700C0}
	return func(conn net.Conn) {
		raw, err := readTestHello(conn)
		if err != nil {
			return
		}
		h, err := parseTestHello(raw)
		if err != nil || !h.sslv2 {
			return // a TLS hello: hang up, as SSL 2.0-only servers did
		}
		var specs []uint32
		for _, s := range supported {
			if slices.Contains(h.v2specs, s) {
				specs = append(specs, s)
			}
		}
		_, _ = conn.Write(sslv2ServerHelloMsg(certDER, specs))
		_, _ = io.Copy(io.Discard, conn)
	}
}
