package tlsaudit

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// dheKeyExchange builds a ServerKeyExchange for DHE with a prime of the
// given size in bytes (top bit set).
func dheKeyExchange(primeBytes int) []byte {
	p := make([]byte, primeBytes)
	p[0] = 0x80
	b := appendVec16(nil, func(b []byte) []byte { return append(b, p...) })
	b = appendVec16(b, func(b []byte) []byte { return append(b, 2) })          // g
	b = appendVec16(b, func(b []byte) []byte { return append(b, 1, 2, 3, 4) }) // Ys
	b = append(b, 4, 1)                                                        // signature algorithm
	b = appendVec16(b, func(b []byte) []byte { return append(b, 9, 9) })
	return handshakeMsg(typeServerKeyExchange, b)
}

func ecdheKeyExchange(group uint16) []byte {
	b := append([]byte{3}, byte(group>>8), byte(group))
	b = appendVec8(b, func(b []byte) []byte { return append(b, 4, 1, 2) })
	return handshakeMsg(typeServerKeyExchange, b)
}

func retryHelloMsg(suite, group uint16) []byte {
	b := appendU16(nil, versionTLS12)
	b = append(b, helloRetryRandom[:]...)
	b = append(b, 0)
	b = appendU16(b, suite)
	b = append(b, 0)
	b = appendVec16(b, func(b []byte) []byte {
		b = appendExt(b, extSupportedVersions, func(b []byte) []byte { return appendU16(b, versionTLS13) })
		return appendExt(b, extKeyShare, func(b []byte) []byte { return appendU16(b, group) })
	})
	return handshakeMsg(typeServerHello, b)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var (
	seedCert      = []byte{0x30, 0x03, 0x02, 0x01, 0x01}
	dheFlight     = cat(serverHelloMsg(versionTLS12, 0x0033, 0), certificateMsg(seedCert, seedCert), dheKeyExchange(128), handshakeMsg(typeServerHelloDone, nil))
	ecdheFlight   = cat(serverHelloMsg(versionTLS12, 0xC02F, 0), certificateMsg(seedCert), ecdheKeyExchange(0x0017), handshakeMsg(typeServerHelloDone, nil))
	parserSamples = []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"TLS 1.2 DHE flight", record(recordHandshake, versionTLS12, dheFlight)},
		{"flight split mid-message", cat(record(recordHandshake, versionTLS12, dheFlight[:7]), record(recordHandshake, versionTLS12, dheFlight[7:]))},
		{"ECDHE flight", record(recordHandshake, versionTLS12, ecdheFlight)},
		{"partial record", record(recordHandshake, versionTLS12, dheFlight)[:40]},
		{"ServerHello only", record(recordHandshake, versionTLS10, serverHelloMsg(versionTLS10, 0x002F, 0))},
		{"alert", alertRecord(versionTLS12, 40)},
		{"TLS 1.3 ServerHello", cat(record(recordHandshake, versionTLS12, serverHelloMsg(versionTLS12, 0x1301, versionTLS13)), record(recordChangeCipherSpec, versionTLS12, []byte{1}))},
		{"HelloRetryRequest", record(recordHandshake, versionTLS12, retryHelloMsg(0x1302, 0x0017))},
		{"HTTP", []byte("HTTP/1.1 400 Bad Request\r\n\r\n")},
		{"bad record version", []byte{22, 9, 9, 0, 1, 0}},
		{"record too long", []byte{22, 3, 3, 0xff, 0xff}},
		{"Certificate first", record(recordHandshake, versionTLS12, certificateMsg(seedCert))},
		{"two ServerHellos", record(recordHandshake, versionTLS12, cat(serverHelloMsg(versionTLS12, 0x2F, 0), serverHelloMsg(versionTLS12, 0x2F, 0)))},
		{"short ServerHello", record(recordHandshake, versionTLS12, handshakeMsg(typeServerHello, []byte{3, 3, 1}))},
		{"ChangeCipherSpec first", record(recordChangeCipherSpec, versionTLS12, []byte{1})},
		{"short alert", record(recordAlert, versionTLS12, []byte{2})},
		{"extension overrun", record(recordHandshake, versionTLS12, handshakeMsg(typeServerHello, cat(serverHelloMsg(versionTLS12, 0x2F, 0)[4:], []byte{0, 9, 0, 43, 0, 9})))},
		{"SSL 2.0 SERVER-HELLO", sslv2ServerHelloMsg(seedCert, []uint32{0x010080, 0x0700C0})},
		{"SSL 2.0 ERROR", []byte{0x80, 0x03, 0x00, 0x00, 0x01}},
		{"SSL 2.0 truncated", sslv2ServerHelloMsg(seedCert, []uint32{0x010080})[:10]},
	}
)

func TestParseFlight(t *testing.T) {
	type want struct {
		err                    bool
		done                   bool
		version, suite, group  uint16
		retry                  bool
		alert                  uint8
		certs, dhBits, sslv2Cs int
	}
	wants := map[string]want{
		"empty":                    {},
		"TLS 1.2 DHE flight":       {done: true, version: versionTLS12, suite: 0x0033, certs: 2, dhBits: 1024},
		"flight split mid-message": {done: true, version: versionTLS12, suite: 0x0033, certs: 2, dhBits: 1024},
		"ECDHE flight":             {done: true, version: versionTLS12, suite: 0xC02F, certs: 1, group: 0x0017},
		"partial record":           {},
		"ServerHello only":         {version: versionTLS10, suite: 0x002F},
		"alert":                    {done: true, alert: 40},
		"TLS 1.3 ServerHello":      {done: true, version: versionTLS13, suite: 0x1301},
		"HelloRetryRequest":        {done: true, version: versionTLS13, suite: 0x1302, retry: true, group: 0x0017},
		"HTTP":                     {err: true},
		"bad record version":       {err: true},
		"record too long":          {err: true},
		"Certificate first":        {err: true},
		"two ServerHellos":         {err: true},
		"short ServerHello":        {err: true},
		"ChangeCipherSpec first":   {err: true},
		"short alert":              {err: true},
		"extension overrun":        {err: true},
		"SSL 2.0 SERVER-HELLO":     {done: true, sslv2Cs: 2},
		"SSL 2.0 ERROR":            {err: true},
		"SSL 2.0 truncated":        {},
	}
	for _, s := range parserSamples {
		t.Run(s.name, func(t *testing.T) {
			w, ok := wants[s.name]
			if !ok {
				t.Fatal("no expectation")
			}
			f, err := parseFlight(s.in)
			if (err != nil) != w.err {
				t.Fatalf("parseFlight(%x) error = %v, want error %v", s.in, err, w.err)
			}
			if err != nil {
				if !errors.Is(err, errMalformed) {
					t.Errorf("error %v does not wrap errMalformed", err)
				}
				return
			}
			got := want{done: f.done, certs: len(f.certs), dhBits: f.dhBits}
			if sh := f.serverHello; sh != nil {
				got.version, got.suite, got.retry = sh.version, sh.suite, sh.retry
				got.group = sh.group
			}
			if f.group != 0 {
				got.group = f.group
			}
			if f.alert != nil {
				got.alert = f.alert.desc
			}
			if f.sslv2 != nil {
				got.sslv2Cs = len(f.sslv2.ciphers)
			}
			if got != w {
				t.Errorf("parseFlight = %+v, want %+v", got, w)
			}
		})
	}
}

func TestReadFlight(t *testing.T) {
	full := record(recordHandshake, versionTLS12, dheFlight)
	tests := []struct {
		name    string
		in      []byte
		wantErr error
		wantSH  bool
	}{
		{"whole flight", full, nil, true},
		{"ServerHello then close", record(recordHandshake, versionTLS10, serverHelloMsg(versionTLS10, 0x2F, 0)), nil, true},
		{"nothing", nil, errClosed, false},
		{"half a record", full[:20], errMalformed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readFlight(&oneByteReader{b: tt.in})
			if !errors.Is(err, tt.wantErr) || (f.serverHello != nil) != tt.wantSH {
				t.Errorf("readFlight = %+v, %v; want ServerHello %v, error %v", f, err, tt.wantSH, tt.wantErr)
			}
		})
	}
}

// oneByteReader returns one byte per Read, then io.EOF.
type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

func TestBitLen(t *testing.T) {
	tests := []struct {
		in   []byte
		want int
	}{
		{nil, 0}, {[]byte{0}, 0}, {[]byte{1}, 1}, {[]byte{0, 0x80, 0}, 16}, {[]byte{0x7f, 0xff}, 15},
	}
	for _, tt := range tests {
		if got := bitLen(tt.in); got != tt.want {
			t.Errorf("bitLen(%x) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// FuzzParseFlight feeds the server-answer parser arbitrary bytes. It must
// not panic, and once it says an answer is done, bytes after it change
// nothing.
func FuzzParseFlight(f *testing.F) {
	for _, s := range parserSamples {
		f.Add(s.in)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		fl, err := parseFlight(b)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("error %v does not wrap errMalformed", err)
			}
			return
		}
		if fl.dhBits > 8*len(b) || len(fl.certs) > len(b)/3 {
			t.Fatalf("parsed more than the input holds: %+v", fl)
		}
		if !fl.done {
			return
		}
		more, err := parseFlight(append(b[:len(b):len(b)], 22, 3, 3, 0, 1, 0xff))
		if err != nil || more.done != fl.done || (more.serverHello == nil) != (fl.serverHello == nil) ||
			(fl.serverHello != nil && *more.serverHello != *fl.serverHello) || (more.alert == nil) != (fl.alert == nil) {
			t.Fatalf("trailing bytes changed a done answer: %+v, %v; was %+v", more, err, fl)
		}
	})
}

// FuzzParseSSLv2ServerHello feeds the SSL 2.0 parser arbitrary bytes: no
// panic, and what it returns lies within the record.
func FuzzParseSSLv2ServerHello(f *testing.F) {
	f.Add(sslv2ServerHelloMsg(seedCert, []uint32{0x010080, 0x0700C0}))
	f.Add(sslv2ServerHelloMsg(nil, nil))
	f.Add([]byte{0x80, 0x03, 0x00, 0x00, 0x01})
	f.Add([]byte{0x80, 0x0b, 4, 0, 1, 0, 2, 0, 0, 0, 4, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		sh, complete, err := parseSSLv2ServerHello(b)
		if err != nil {
			if sh != nil || complete || !errors.Is(err, errMalformed) {
				t.Fatalf("error %v with result %+v, complete %v", err, sh, complete)
			}
			return
		}
		if !complete {
			if sh != nil {
				t.Fatalf("incomplete with a result %+v", sh)
			}
			return
		}
		n := int(b[0]&0x7f)<<8 | int(b[1])
		if 11+len(sh.cert)+3*len(sh.ciphers) > n {
			t.Fatalf("result %+v larger than the %d-byte record", sh, n)
		}
		for _, c := range sh.ciphers {
			if c >= 1<<24 {
				t.Fatalf("cipher kind %#x wider than 3 bytes", c)
			}
		}
	})
}
