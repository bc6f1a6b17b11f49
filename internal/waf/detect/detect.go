// Package detect holds the WAF's detectors: each one looks at a single
// decoded value taken from a request (a query argument, a header, a JSON
// field, ...) and reports what it recognises as an attack of its class.
//
// Detectors are pure functions of their input: no I/O, no globals that
// change, safe for concurrent use, bounded in time and memory by the size of
// the value. They look for structure (tokens that parse as SQL, markup that
// would execute, shell syntax that would run a command), never for lists of
// known payloads.
package detect

// Class is an attack class. Its string is used in events, metrics,
// exclusions and the eval tables.
type Class string

// Attack classes.
const (
	SQLi      Class = "sqli"
	XSS       Class = "xss"
	Cmdi      Class = "cmdi"           // OS command injection (sh, cmd.exe, PowerShell)
	Traversal Class = "path-traversal" // ../ escapes, local file inclusion
	RFI       Class = "rfi"            // remote file inclusion, php://, expect:// wrappers
	SSRF      Class = "ssrf"
	XXE       Class = "xxe"
	NoSQLi    Class = "nosqli"
	SSTI      Class = "ssti"
	LDAPi     Class = "ldapi"
	CRLF      Class = "crlf"     // header / response splitting, mail header injection
	JNDI      Class = "jndi"     // Log4Shell-style ${jndi:...} lookups
	SSI       Class = "ssi"      // server-side includes: <!--#exec cmd=...-->
	Scanner   Class = "scanner"  // attack tools recognised by fingerprint
	Protocol  Class = "protocol" // malformed bodies, content that contradicts its type
	Custom    Class = "custom"   // rules from the config (virtual patches)
)

// Kind says where in the request a value came from. Detectors use it to
// judge context: a URL in a parameter is an SSRF candidate, a path segment
// is where traversal matters, a User-Agent is where scanners show.
type Kind uint8

// Value kinds.
const (
	KindPath     Kind = iota + 1 // one decoded path segment, or the whole path for KindPath checks
	KindQuery                    // query argument value
	KindArgName                  // query/form argument name, JSON object key
	KindHeader                   // header value (Name is the lower-case header name)
	KindCookie                   // cookie value (Name is the cookie name)
	KindForm                     // form-urlencoded or multipart field value
	KindFilename                 // multipart file name
	KindJSON                     // JSON string or number value
	KindXML                      // XML text or attribute value
	KindBody                     // a body inspected as raw text (text/plain, unparseable, unknown type)
)

// String returns the name used in locations ("query:q", "json:$.a").
func (k Kind) String() string {
	switch k {
	case KindPath:
		return "path"
	case KindQuery:
		return "query"
	case KindArgName:
		return "argname"
	case KindHeader:
		return "header"
	case KindCookie:
		return "cookie"
	case KindForm:
		return "form"
	case KindFilename:
		return "filename"
	case KindJSON:
		return "json"
	case KindXML:
		return "xml"
	case KindBody:
		return "body"
	}
	return "unknown"
}

// Input is one value to inspect.
type Input struct {
	// Value is the value after the engine's generic decoding (URL
	// layers, HTML entities, JS escapes, ... — one decoded variant per
	// call). Detectors apply their own domain normalisation on top (SQL
	// comment folding, path cleaning).
	Value string
	// Raw is the value as it was extracted from the request, before any
	// decoding. Equal to Value for the first variant.
	Raw  string
	Kind Kind
	// Name is the parameter, field, header (lower case) or cookie name;
	// empty for path and body values.
	Name string
}

// Match is one finding.
type Match struct {
	Class Class
	// Rule is a stable identifier, "<class>.<what>", e.g.
	// "sqli.tautology", "xss.event-handler". Exclusions and events name it.
	Rule string
	// Score is the anomaly score the match adds: 5 critical (an attack
	// beyond reasonable doubt), 4 error, 3 warning, 2 notice. A request is
	// blocked when its total reaches the route's threshold (5 by default),
	// so a 5 blocks on its own and weaker signals must add up.
	Score int
	// Paranoia is the lowest paranoia level (1-4) at which the rule is
	// active; 1 is the default level, higher levels trade false positives
	// for catching more.
	Paranoia int
	// Off and Len locate the suspicious part of Value, for the excerpt in
	// events; Len 0 means unknown.
	Off, Len int
}

// Detector finds attacks of one class in a value.
type Detector interface {
	Class() Class
	// Detect appends its matches for in to dst and returns it. It must not
	// keep in or dst after returning.
	Detect(in *Input, dst []Match) []Match
}

// MaxValue is the longest value detectors are given; the engine cuts longer
// values into overlapping windows. Detectors may rely on it for bounds.
const MaxValue = 64 << 10
