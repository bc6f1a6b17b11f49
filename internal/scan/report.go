package scan

import "time"

// Report is the outcome of a scan: what was scanned, how, and the
// findings. Report writers (scan/report) turn it into text, JSON, SARIF,
// HTML and JUnit.
type Report struct {
	// Target is the start URL (or host:port for a TLS-only audit).
	Target   string    `json:"target"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Tool is "rampart" and Version its version, for SARIF and JUnit.
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// Findings are deduplicated and sorted (Set.Findings).
	Findings []Finding `json:"findings"`
	Stats    Stats     `json:"stats"`
	// Notes say what the reader should know about how the scan ran:
	// "robots.txt was ignored (--ignore-robots)", "stopped at max-time
	// after 812 pages", "3 findings suppressed by the baseline".
	Notes []string `json:"notes,omitempty"`
	// TLS is the TLS audit, when one ran.
	TLS *TLSResult `json:"tls,omitempty"`
}

// Stats counts what a scan did.
type Stats struct {
	Requests int `json:"requests"`
	Pages    int `json:"pages"`
	// Errors counts requests that got no answer (timeouts, refused).
	Errors int `json:"errors"`
	// Blocked counts answers that looked like a WAF's refusal (403/406
	// with a block page), for --compare-through.
	Blocked int `json:"blocked,omitempty"`
}

// TLSResult is what the TLS audit found on one host:port, besides the
// findings it adds to the report.
type TLSResult struct {
	Host string `json:"host"`
	// Grade is "A+", "A", "B", "C", "D", "E", "F" or "T" (certificate not
	// trusted), after SSL Labs' rating guide; Reasons say what capped it.
	Grade   string   `json:"grade"`
	Reasons []string `json:"reasons,omitempty"`
	// Protocols maps "TLS 1.3", "TLS 1.2", "TLS 1.1", "TLS 1.0", "SSL 3.0",
	// "SSL 2.0" to whether the server accepts it.
	Protocols map[string]bool `json:"protocols"`
	// Ciphers lists the accepted suites per protocol, by IANA name.
	Ciphers map[string][]string `json:"ciphers,omitempty"`
	// Certificate describes the leaf and chain.
	Certificate *CertInfo `json:"certificate,omitempty"`
	HSTS        string    `json:"hsts,omitempty"`
}

// CertInfo describes the certificate chain a server sent.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	KeyType   string    `json:"key_type"` // "RSA", "ECDSA", "Ed25519"
	KeyBits   int       `json:"key_bits"`
	// Signature is the leaf's signature algorithm ("SHA256-RSA").
	Signature  string `json:"signature"`
	SelfSigned bool   `json:"self_signed"`
	// Trusted says the chain verifies against the system roots (or the
	// roots the audit was given) for the host name.
	Trusted     bool   `json:"trusted"`
	TrustError  string `json:"trust_error,omitempty"`
	ChainLength int    `json:"chain_length"`
	// ChainInOrder says each certificate was signed by the next one.
	ChainInOrder bool `json:"chain_in_order"`
}
