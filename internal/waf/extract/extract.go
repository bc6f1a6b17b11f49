package extract

import (
	"net/http"
	"strings"
	"sync"

	"rampart/internal/waf/detect"
)

// Target is one value to inspect.
type Target struct {
	// Kind says what sort of value it is.
	Kind detect.Kind
	// Name is the argument, field, header (lower case), cookie or JSON key
	// name the value belongs to; empty for the path and whole bodies.
	Name string
	// Loc locates the value for events and exclusions: "path",
	// "query:q", "argname:q", "header:user-agent", "cookie:sid",
	// "form:comment", "filename:upload", "file:upload", "json:$.user.name",
	// "json:$.items[2].sku", "argname:$.user.name" (a JSON key),
	// "xml:/order/item", "xml:/order/item/@id", "xml:doctype",
	// "graphql", "graphql:name" (a string argument), "body".
	Loc string
	// Value is the value as the request carries it, not decoded (JSON
	// strings are unescaped, as JSON requires, and XML text has its
	// predefined entities replaced).
	Value string
}

// Config says what to extract. The zero value is usable: it inspects the
// User-Agent and Referer headers, cookies, and forwarding headers, no file
// contents, up to DefaultMaxTargets values nested up to DefaultMaxDepth.
type Config struct {
	// Headers names more headers to inspect, in any case. User-Agent,
	// Referer and the cookies are always inspected.
	Headers []string
	// AllHeaders inspects every header except those that only carry
	// protocol mechanics or credentials (Authorization, Connection,
	// Content-Length, Sec-Fetch-*, ...), and the Host.
	AllHeaders bool
	// TrustedPeer says the request came from a trusted proxy, so its
	// X-Forwarded-*, Forwarded and X-Real-IP headers are the proxy's
	// and are not inspected. From anyone else they are client input.
	TrustedPeer bool
	// FileTypes lists the media types of multipart files whose content
	// is inspected ("text/plain", "text/*", "*/*"). By default only
	// file names are: uploads are often large and binary.
	FileTypes []string
	// MaxTargets bounds the targets one request yields (0 means
	// DefaultMaxTargets). The rest are cut and Facts.TooManyTargets set;
	// a malformed body's raw text is given even then.
	MaxTargets int
	// MaxDepth bounds the JSON and XML nesting that locations follow (0
	// means DefaultMaxDepth). Deeper values are still extracted, located
	// at the deepest level followed, and Facts.TooDeep is set.
	MaxDepth int
}

// Defaults for Config.
const (
	DefaultMaxTargets = 1024
	DefaultMaxDepth   = 32
)

// maxLoc bounds the part of a location after its prefix, so deep paths
// and long names cannot make locations quadratic in the body's size.
const maxLoc = 256

// Facts are what extraction learned about the request as a whole.
type Facts struct {
	// Malformed says the body does not parse as its declared content
	// type (broken JSON, bad multipart, bad XML); its raw text is given
	// as a KindBody target too.
	Malformed bool
	// XMLDoctype says an XML body (or a raw body) holds a DOCTYPE or
	// another markup declaration.
	XMLDoctype bool
	// XMLExternal says such a declaration has ENTITY, SYSTEM or PUBLIC:
	// entity definitions or external identifiers, what XXE needs.
	XMLExternal bool
	// TooManyTargets says targets were cut at Config.MaxTargets.
	TooManyTargets bool
	// TooDeep says JSON or XML nesting went beyond Config.MaxDepth.
	TooDeep bool
	// UnknownType says the body's content type is missing or not one
	// extract parses; the body is given as raw text.
	UnknownType bool
	// Binary says the body was declared binary (image, audio, video,
	// font, archive, octet-stream) and does not look like text, so it
	// was not given as a target.
	Binary bool
	// GraphQL says a GraphQL document was found (body or "query").
	GraphQL bool
	// GraphQLIntrospection says a GraphQL document (or a "query" value)
	// asks for the schema: __schema or __type.
	GraphQLIntrospection bool
}

// Request appends the targets of r, with body as its buffered body, to dst
// and returns the extended slice and the request's facts. cfg may be nil.
// r.Body is not read. Targets come in a fixed order: path, query, headers,
// cookies, body.
func Request(r *http.Request, body []byte, cfg *Config, dst []Target) ([]Target, Facts) {
	if cfg == nil {
		cfg = &defaultConfig
	}
	x := extractors.Get().(*extractor)
	x.cfg, x.dst, x.base, x.max, x.depth = cfg, dst, len(dst), cfg.MaxTargets, cfg.MaxDepth
	if x.max <= 0 {
		x.max = DefaultMaxTargets
	}
	if x.depth <= 0 {
		x.depth = DefaultMaxDepth
	}
	rawQuery := ""
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	// One allocation for every string made, as a rule: room for the body
	// (copied at most once) and as much again for locations and
	// unescaped values, less for big bodies, which grow it if need be.
	extra := len(body)
	if extra > 64<<10 {
		extra /= 4
	}
	x.sb.Grow(512 + 2*len(rawQuery) + len(body) + extra)
	x.path(r)
	x.query(rawQuery)
	x.headers(r)
	x.cookies(r)
	x.body(r, body)
	dst, facts := x.dst, x.facts
	x.release()
	extractors.Put(x)
	return dst, facts
}

var defaultConfig Config

// extractors keeps extractors, with their scratch, between requests.
var extractors = sync.Pool{New: func() any { return new(extractor) }}

// extractor is the state of one extraction.
type extractor struct {
	cfg   *Config
	dst   []Target
	base  int // len(dst) on entry
	max   int
	depth int
	facts Facts
	// sb holds every string made here (locations, decoded names, copies
	// of body values, the body). A strings.Builder never changes bytes
	// it has written, so substrings of its String stay valid as it
	// grows. It is new for every request.
	sb    strings.Builder
	bs    string  // the body as a string, once made
	names nameSet // argument names given so far (query, form, multipart)
	// Scratch kept between requests.
	keys nameSet    // JSON keys
	jw   jsonWalker // JSON state
	buf  []byte     // multipart values
}

// release drops what the extractor holds of the request, keeping scratch
// of reasonable size for the next one.
func (x *extractor) release() {
	x.names.reset()
	x.keys.reset()
	x.jw.release()
	if cap(x.buf) > 64<<10 {
		x.buf = nil
	}
	x.cfg, x.dst, x.facts, x.sb, x.bs = nil, nil, Facts{}, strings.Builder{}, ""
}

// full reports whether no more targets fit, and records it.
func (x *extractor) full() bool {
	if len(x.dst)-x.base >= x.max {
		x.facts.TooManyTargets = true
		return true
	}
	return false
}

// add appends a target unless the limit is reached.
func (x *extractor) add(k detect.Kind, name, loc, value string) {
	if x.full() {
		return
	}
	x.dst = append(x.dst, Target{Kind: k, Name: name, Loc: loc, Value: value})
}

// loc returns prefix+":"+name (name cut at maxLoc bytes) as a string
// owned by the extraction. The name part of it is loc[len(prefix)+1:].
func (x *extractor) loc(prefix, name string) string {
	if len(name) > maxLoc {
		name = name[:maxLoc]
	}
	start := x.sb.Len()
	x.sb.WriteString(prefix)
	x.sb.WriteByte(':')
	x.sb.WriteString(name)
	return x.sb.String()[start:]
}

// locBytes is loc for a name held in b.
func (x *extractor) locBytes(prefix string, b []byte) string {
	if len(b) > maxLoc {
		b = b[:maxLoc]
	}
	start := x.sb.Len()
	x.sb.WriteString(prefix)
	x.sb.WriteByte(':')
	x.sb.Write(b)
	return x.sb.String()[start:]
}

// str returns a copy of b owned by the extraction.
func (x *extractor) str(b []byte) string {
	start := x.sb.Len()
	x.sb.Write(b)
	return x.sb.String()[start:]
}

// nameSet remembers names already given as KindArgName targets. It looks
// through a short list first and switches to a map for many names, so
// checking stays linear in the number of names.
type nameSet struct {
	list [16]string
	n    int
	m    map[string]struct{}
}

// reset forgets every name.
func (s *nameSet) reset() {
	clear(s.list[:s.n])
	s.n = 0
	if len(s.m) > 1024 {
		s.m = nil // do not keep a big map for ever
	}
	clear(s.m)
}

// add adds name and reports whether it was new.
func (s *nameSet) add(name string) bool {
	if len(s.m) > 0 {
		if _, ok := s.m[name]; ok {
			return false
		}
		s.m[name] = struct{}{}
		return true
	}
	for _, n := range s.list[:s.n] {
		if n == name {
			return false
		}
	}
	if s.n < len(s.list) {
		s.list[s.n] = name
		s.n++
		return true
	}
	if s.m == nil {
		s.m = make(map[string]struct{}, 4*len(s.list))
	}
	for _, n := range s.list[:s.n] {
		s.m[n] = struct{}{}
	}
	s.m[name] = struct{}{}
	return true
}
