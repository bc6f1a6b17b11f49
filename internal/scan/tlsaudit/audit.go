package tlsaudit

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"rampart/internal/scan"
)

// Config is how an audit runs. Zero fields take the defaults.
type Config struct {
	// Timeout bounds one connection: connect, hello and answer (default
	// 5s). A server that stays silent costs this much per probe.
	Timeout time.Duration
	// RootCAs are the roots the certificate chain must lead to; nil means
	// the system roots.
	RootCAs *x509.CertPool
	// ServerName is sent as SNI and is the name the certificate must be
	// valid for; default: the host part of the address.
	ServerName string
	// Concurrency is the most handshakes in flight at once (default 8).
	// Eight keeps a full enumeration of a distant host under ten seconds
	// without looking like a flood to the server.
	Concurrency int
	// Now tells the time certificates are checked against (default
	// time.Now).
	Now func() time.Time
}

func (c Config) withDefaults(host string) Config {
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// ErrNoProtocol is returned, wrapped with what the server answered to each
// protocol, when the address accepts a connection but no SSL or TLS
// handshake: it is not a TLS server, or it refuses every hello the audit
// sends.
var ErrNoProtocol = errors.New("no SSL or TLS protocol accepted")

// chunkSize is how many suites one ClientHello offers while enumerating:
// small enough for servers that choke on long hellos, large enough that
// few probes are wasted on suites nobody supports.
const chunkSize = 64

// Audit connects to addr ("host:port") and returns what it found plus
// findings for the report: protocol versions, cipher suites per version,
// the certificate chain, HSTS and a grade. It makes a few dozen short
// connections (plus one per accepted suite), at most cfg.Concurrency at a
// time.
//
// When addr cannot be reached Audit returns only an error. When it can,
// but no protocol is accepted, Audit returns the result (every protocol
// false, no grade) and an error wrapping ErrNoProtocol.
func Audit(ctx context.Context, addr string, cfg Config) (*scan.TLSResult, []scan.Finding, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("tls audit %q: %w", addr, err)
	}
	cfg = cfg.withDefaults(host)
	d := net.Dialer{Timeout: cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	_ = conn.Close()

	a, err := newAuditor(addr, cfg)
	if err != nil {
		return nil, nil, err
	}
	var (
		wg    sync.WaitGroup
		chain chainResult
	)
	for _, v := range []uint16{versionTLS12, versionTLS11, versionTLS10, versionSSL30} {
		for _, chunk := range stripes(offerable(false), chunkSize) {
			wg.Go(func() { a.enumerate(ctx, v, chunk) })
		}
	}
	wg.Go(func() { a.enumerate(ctx, versionTLS13, offerable(true)) })
	wg.Go(func() { a.probeSSLv2(ctx) })
	wg.Go(func() { chain = a.fetchChain(ctx, port) })
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("tls audit %s: %w", addr, err)
	}

	o := a.outcome(chain)
	res := &scan.TLSResult{
		Host:      addr,
		Protocols: map[string]bool{},
		Ciphers:   map[string][]string{},
		HSTS:      chain.hsts.value,
	}
	for _, v := range versions {
		res.Protocols[versionName(v)] = o.accepted[v]
		if names := o.suiteNames(v); len(names) > 0 {
			res.Ciphers[versionName(v)] = names
		}
	}
	if !o.anyAccepted() {
		var why []string
		for _, v := range versions {
			why = append(why, versionName(v)+": "+a.refusal(v))
		}
		return res, nil, fmt.Errorf("%w by %s (%s)", ErrNoProtocol, addr, strings.Join(why, "; "))
	}
	if o.cert != nil {
		info := o.cert.info
		res.Certificate = &info
	}
	res.Grade, res.Reasons = grade(o)
	return res, findings(o), nil
}

// stripes deals ids into as few groups of at most size as it can, the
// first id to the first group, the second to the second, and so on: the
// suites a server accepts cluster by code (all the DHE_RSA ones, say), and
// dealing spreads them, so that no group needs many more probes than the
// others.
func stripes(ids []uint16, size int) [][]uint16 {
	n := (len(ids) + size - 1) / size
	groups := make([][]uint16, n)
	for i, id := range ids {
		groups[i%n] = append(groups[i%n], id)
	}
	return groups
}

// auditor holds what the probes of one audit found. Probes run in
// parallel and record through its methods.
type auditor struct {
	addr     string
	cfg      Config
	sem      chan struct{}
	keyShare []byte

	mu       sync.Mutex
	accepted map[uint16]bool
	suites   map[uint16][]uint16 // per version, in the order found
	v2       []uint32
	refused  map[uint16]string // the first reason a version was refused
	rawCerts [][]byte
	dhMin    int // smallest DHE prime seen, 0 when none
	groups   map[uint16]bool
}

func newAuditor(addr string, cfg Config) (*auditor, error) {
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key share: %w", err)
	}
	return &auditor{
		addr:     addr,
		cfg:      cfg,
		sem:      make(chan struct{}, cfg.Concurrency),
		keyShare: key.PublicKey().Bytes(),
		accepted: map[uint16]bool{},
		suites:   map[uint16][]uint16{},
		refused:  map[uint16]string{},
		groups:   map[uint16]bool{},
	}, nil
}

// hello builds a ClientHello for version v offering suites.
func (a *auditor) hello(v uint16, suites []uint16) []byte {
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	h := helloSpec{version: v, suites: suites, serverName: a.cfg.ServerName, random: random}
	if v == versionTLS13 {
		h.sessionID = make([]byte, 32)
		_, _ = rand.Read(h.sessionID)
		h.keyShare = a.keyShare
	}
	return buildClientHello(h)
}

// enumerate finds the suites of offer that the server accepts with
// version v: offer them all, note the one the server picks, take it out,
// and again until the server refuses. For TLS 1.3 the hello carries an
// x25519 key share, and a HelloRetryRequest for another group accepts the
// suite just as a ServerHello does.
func (a *auditor) enumerate(ctx context.Context, v uint16, offer []uint16) {
	offer = slices.Clone(offer)
	for len(offer) > 0 && ctx.Err() == nil {
		f, err := a.exchange(ctx, a.hello(v, offer))
		if err != nil {
			a.refuse(v, err.Error())
			return
		}
		sh := f.serverHello
		switch {
		case sh == nil:
			a.refuse(v, refusalOf(f))
			return
		case sh.version != v:
			a.refuse(v, "the server answered with "+versionName(sh.version))
			return
		}
		i := slices.Index(offer, sh.suite)
		if i < 0 {
			a.refuse(v, "the server chose "+suiteName(sh.suite)+", which was not offered")
			return
		}
		a.accept(v, sh.suite, f)
		offer = slices.Delete(offer, i, i+1)
	}
}

// probeSSLv2 sends an SSL 2.0 CLIENT-HELLO; only an SSL 2.0 SERVER-HELLO
// accepts it (a TLS ServerHello to the same hello does not).
func (a *auditor) probeSSLv2(ctx context.Context) {
	challenge := make([]byte, 16)
	_, _ = rand.Read(challenge)
	f, err := a.exchange(ctx, buildSSLv2ClientHello(challenge))
	switch {
	case err != nil:
		a.refuse(versionSSL20, err.Error())
	case f.serverHello != nil:
		a.refuse(versionSSL20, "the server answered with a "+versionName(f.serverHello.version)+" ServerHello")
	case f.sslv2 == nil:
		a.refuse(versionSSL20, refusalOf(f))
	case f.sslv2.version != versionSSL20:
		a.refuse(versionSSL20, "the SSL 2.0 SERVER-HELLO names version "+hex16(f.sslv2.version))
	default:
		a.mu.Lock()
		defer a.mu.Unlock()
		a.accepted[versionSSL20] = true
		a.v2 = f.sslv2.ciphers
		if a.rawCerts == nil && len(f.sslv2.cert) > 0 {
			a.rawCerts = [][]byte{f.sslv2.cert}
		}
	}
}

func refusalOf(f flight) string {
	if f.alert != nil {
		return f.alert.String()
	}
	return "no ServerHello"
}

func (a *auditor) accept(v, id uint16, f flight) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.accepted[v] = true
	if !slices.Contains(a.suites[v], id) {
		a.suites[v] = append(a.suites[v], id)
	}
	if len(f.certs) > 0 && a.rawCerts == nil {
		a.rawCerts = f.certs
	}
	if f.dhBits > 0 && (a.dhMin == 0 || f.dhBits < a.dhMin) {
		a.dhMin = f.dhBits
	}
	if f.group != 0 {
		a.groups[f.group] = true
	}
	if f.serverHello != nil && f.serverHello.group != 0 {
		a.groups[f.serverHello.group] = true
	}
}

func (a *auditor) refuse(v uint16, why string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.refused[v]; !ok {
		a.refused[v] = why
	}
}

func (a *auditor) refusal(v uint16) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if why, ok := a.refused[v]; ok {
		return why
	}
	return "not tried"
}

// outcome gathers what the probes and the chain fetch found, for grading
// and findings. It runs after every probe has finished.
func (a *auditor) outcome(chain chainResult) *outcome {
	a.mu.Lock()
	defer a.mu.Unlock()
	o := &outcome{
		addr:     a.addr,
		url:      "https://" + a.addr + "/",
		accepted: a.accepted,
		suites:   a.suites,
		v2:       a.v2,
		dhMin:    a.dhMin,
		groups:   a.groups,
		hsts:     chain.hsts,
		chainErr: chain.err,
	}
	for v, ids := range o.suites {
		slices.Sort(ids)
		o.suites[v] = ids
	}
	certs := chain.certs
	if len(certs) == 0 && len(a.rawCerts) > 0 {
		for _, der := range a.rawCerts {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				o.chainErr = fmt.Errorf("parse certificate: %w", err)
				certs = nil
				break
			}
			certs = append(certs, c)
		}
	}
	if len(certs) > 0 {
		o.cert = analyzeChain(certs, a.cfg.ServerName, a.cfg.RootCAs, a.cfg.Now())
	}
	return o
}

// outcome is everything grading and findings read.
type outcome struct {
	addr, url string
	accepted  map[uint16]bool
	suites    map[uint16][]uint16
	v2        []uint32
	dhMin     int
	groups    map[uint16]bool
	cert      *certReport // nil when no chain could be read
	chainErr  error       // why not, or why HSTS was not checked
	hsts      hstsResult
}

func (o *outcome) anyAccepted() bool {
	for _, ok := range o.accepted {
		if ok {
			return true
		}
	}
	return false
}

// suiteNames lists the names of the suites version v accepted.
func (o *outcome) suiteNames(v uint16) []string {
	if v == versionSSL20 {
		var names []string
		for _, id := range o.v2 {
			names = append(names, sslv2Name(id))
		}
		return names
	}
	var names []string
	for _, id := range o.suites[v] {
		names = append(names, suiteName(id))
	}
	return names
}

// acceptedSuites returns every suite accepted with any version of TLS
// 1.0-1.3 or SSL 3.0, each once, with the oldest version that accepted it.
func (o *outcome) acceptedSuites() []acceptedSuite {
	seen := map[uint16]bool{}
	var out []acceptedSuite
	for _, v := range []uint16{versionSSL30, versionTLS10, versionTLS11, versionTLS12, versionTLS13} {
		for _, id := range o.suites[v] {
			if !seen[id] {
				seen[id] = true
				out = append(out, acceptedSuite{suite: lookupSuite(id), version: v})
			}
		}
	}
	return out
}

type acceptedSuite struct {
	suite   suite
	version uint16
}
