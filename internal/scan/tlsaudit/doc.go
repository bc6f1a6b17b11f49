// Package tlsaudit audits the TLS configuration of one server (rampart scan
// --tls host:port, and part of every https scan): the protocol versions and
// cipher suites it accepts, its certificate chain and its HSTS header, with
// findings for the report and an overall grade A+ to F (T for an untrusted
// certificate) in the spirit of SSL Labs' SSL Server Rating Guide.
//
// # Method
//
// Protocols and suites are probed with ClientHellos the package builds
// byte by byte, because crypto/tls cannot speak SSL 2.0 or 3.0 and will not
// offer the weak suites an audit must look for. Each probe is one TCP
// connection that sends one hello and reads the server's first flight; no
// handshake is completed.
//
//   - SSL 3.0 and TLS 1.0-1.2: the IANA registry's suites (suites_table.go,
//     about 340) are offered in chunks of 64. For each chunk: offer it, note
//     the suite the ServerHello picks, take that suite out, and offer the
//     rest again, until the server answers with an alert or hangs up. A
//     version is accepted when a ServerHello answers with that version. The
//     hellos carry SNI, supported_groups, ec_point_formats,
//     signature_algorithms (TLS 1.2) and renegotiation_info, padded out of
//     the 256-511 byte range; SSL 3.0 hellos carry no extensions.
//   - TLS 1.3: the same, offering the TLS 1.3 suites with
//     supported_versions and an x25519 key share from crypto/ecdh. A
//     ServerHello or HelloRetryRequest that selects TLS 1.3 accepts the
//     suite it names.
//   - SSL 2.0: an SSL 2.0 CLIENT-HELLO offering every SSL 2.0 cipher kind;
//     only an SSL 2.0 SERVER-HELLO accepts it (old servers answered such a
//     hello with a TLS ServerHello, which does not count).
//   - The flight after a TLS 1.2-or-older ServerHello is read to its
//     ServerHelloDone: the Certificate message gives the chain when
//     crypto/tls cannot connect, and the ServerKeyExchange gives the DH
//     prime size and ECDHE group.
//   - One complete handshake with crypto/tls (InsecureSkipVerify, TLS 1.0
//     and every suite crypto/tls has) reads the chain, which is then
//     verified with x509.Verify against Config.RootCAs for
//     Config.ServerName; "GET /" over that connection reads
//     Strict-Transport-Security.
//
// Probes run in parallel, at most Config.Concurrency at a time. A modern
// server on loopback takes about 10 ms, OpenSSL with every cipher enabled
// about 0.2 s; across a network the audit costs a few dozen round trips
// divided by the concurrency.
//
// # Classes of suites and findings
//
// Each accepted suite is classified by its worst property: NULL (no
// encryption), anonymous (no authentication), export, under 112 bits (DES,
// RC2), RC4, 64-bit block (3DES, IDEA: Sweet32), no forward secrecy (static
// RSA, DH, ECDH, PSK key exchange), non-AEAD (CBC), or strong (ECDHE/DHE
// with AES-GCM, AES-CCM or ChaCha20-Poly1305, and every TLS 1.3 suite but
// the integrity-only ones). Findings come one per class, listing every
// suite of that class with the protocols that accept it:
//
//   - tls.protocol: "protocol:SSL 2.0" (critical), "protocol:SSL 3.0"
//     (high), "protocol:TLS 1.0" (medium), "protocol:TLS 1.1" (low).
//   - tls.cipher: "cipher:null", "cipher:anon", "cipher:export",
//     "cipher:des" (high), "cipher:rc4", "cipher:3des" (medium),
//     "cipher:no-forward-secrecy" (low, medium when no suite has it),
//     "cipher:cbc" (low), "cipher:dh" (DH prime under 2048 bits).
//   - tls.certificate: "certificate:expired", "certificate:not-yet-valid",
//     "certificate:expiring" (within 30 days), "certificate:name-mismatch",
//     "certificate:self-signed", "certificate:untrusted",
//     "certificate:key" (RSA under 2048 bits, ECDSA under 256),
//     "certificate:signature" (SHA-1 or MD5 below the root),
//     "certificate:chain-order".
//   - tls.hsts: header missing, invalid, or max-age under 180 days.
//
// The Parameter names the class so that scan.Set, which deduplicates on
// check and parameter, keeps the classes apart. What the server accepted
// is reported with confidence confirmed; HSTS with firm.
//
// # Grade
//
// A score from protocol support (30%: the mean of the best and worst
// version, SSL 2.0 0 to TLS 1.2 100), key exchange (30%: the weakest, in
// RSA-equivalent bits, 0 for anonymous) and cipher strength (40%: the mean
// of the strongest and weakest suite) gives A (80+), B (65+), C (50+),
// D (35+), E (20+) or F. Then caps apply, each said in Reasons:
//
//   - F: SSL 2.0; SSL 3.0 as the newest protocol; NULL, anonymous, export or
//     under-112-bit suites; RSA key under 1024 bits; DH prime under 1024
//     bits; an MD5-signed certificate.
//   - C: SSL 3.0 beside TLS (POODLE); RC4; 3DES or another 64-bit block
//     cipher; neither TLS 1.2 nor 1.3.
//   - B: TLS 1.0 or 1.1; no suite with forward secrecy;
//     RSA key under 2048 bits or ECDSA under 256; DH prime under 2048 bits.
//
// A becomes A+ with an HSTS max-age of at least 180 days and no cap (so no
// protocol older than TLS 1.2). A certificate that does not verify
// (expired, not yet valid, self-signed, wrong name, unknown issuer) makes
// the grade T, and the reasons give the grade it would have otherwise.
//
// # Limits
//
// Accepted means the server answered a ServerHello: a server that would
// fail later in the handshake (for instance, for want of a client
// certificate) still counts. SSL 2.0 answers are read with 2-byte record
// headers only. The audit does not look at OCSP stapling, revocation,
// Certificate Transparency, renegotiation, TLS compression, the server's
// preference order, TLS_FALLBACK_SCSV, or specific bugs (Heartbleed, ROBOT,
// ticketbleed); it does not simulate clients. TLS 1.3 finite-field groups
// and the DH prime of a server that only does TLS 1.3 are not measured.
// HSTS is read from the answer to GET / only. Every probe is a new
// connection: behind a load balancer they may reach different backends,
// and the audit reports what any of them accepted. A server that stays silent
// costs Config.Timeout for each probe it ignores (an HTTP server given an
// SSL 2.0 hello does so).
//
// Audit keeps no state between calls and is safe for concurrent use.
package tlsaudit
