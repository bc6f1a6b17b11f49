package tlsaudit

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// BenchmarkAudit measures a full audit (every protocol, every suite, the
// chain and HSTS) of a modern Go server and of OpenSSL with every cipher
// enabled, both on loopback:
//
//	go test -run '^$' -bench 'Audit$' -benchtime 20x ./internal/scan/tlsaudit
func BenchmarkAudit(b *testing.B) {
	benchAudit(b, 0)
}

// BenchmarkAuditLatency does the same through a proxy that adds a round
// trip of 50 and 100 ms to every connection, as a distant server would.
// OpenSSL's s_server serves one connection at a time, so its audit costs
// about one round trip per connection (about 115 of them).
//
//	go test -run '^$' -bench AuditLatency -benchtime 3x ./internal/scan/tlsaudit
func BenchmarkAuditLatency(b *testing.B) {
	for _, rtt := range []time.Duration{50 * time.Millisecond, 100 * time.Millisecond} {
		b.Run("rtt="+rtt.String(), func(b *testing.B) { benchAudit(b, rtt) })
	}
}

func benchAudit(b *testing.B, rtt time.Duration) {
	b.Run("go-modern", func(b *testing.B) {
		pki := newTestPKI(b)
		addr := startGoServer(b, modernConfig(pki.leaf.tlsCert()), hstsHandler("max-age=31536000"))
		addr = delayProxy(b, addr, rtt)
		for b.Loop() {
			if _, _, err := Audit(context.Background(), addr, Config{RootCAs: pki.pool}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("openssl-weak", func(b *testing.B) {
		bin := lookOpenSSL(b)
		cert := newCert(b, certSpec{cn: "localhost", dnsNames: []string{"localhost"}, key: rsaKey(b, 2048),
			notBefore: time.Now().Add(-48 * time.Hour), notAfter: time.Now().Add(-24 * time.Hour)}, nil)
		certFile, keyFile := cert.writePEM(b, b.TempDir())
		addr := startOpenSSL(b, bin, certFile, keyFile, "-min_protocol", "TLSv1", "-max_protocol", "TLSv1.2", "-cipher", weakCipherString)
		addr = delayProxy(b, addr, rtt)
		for b.Loop() {
			if _, _, err := Audit(context.Background(), addr, Config{ServerName: "localhost"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// delayProxy forwards connections to target on a loopback port, delaying
// the connect by one round trip and every chunk of data by half of one.
// With rtt 0 it returns target itself.
func delayProxy(tb testing.TB, target string, rtt time.Duration) string {
	tb.Helper()
	if rtt == 0 {
		return target
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	tb.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	pipe := func(dst, src *net.TCPConn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				time.Sleep(rtt / 2)
				_, _ = dst.Write(buf[:n])
			}
			if err != nil {
				_ = dst.CloseWrite()
				return
			}
		}
	}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				time.Sleep(rtt)
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				done := make(chan struct{})
				go func() {
					defer close(done)
					pipe(u.(*net.TCPConn), c.(*net.TCPConn))
				}()
				pipe(c.(*net.TCPConn), u.(*net.TCPConn))
				<-done
			})
		}
	})
	return ln.Addr().String()
}
