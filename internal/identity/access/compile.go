package access

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
)

// Rule is one entry of the access list. Empty Hosts, Paths or Methods
// match anything; see the package documentation for the patterns.
type Rule struct {
	Hosts   []string // "app.example.com" or "*.example.com"
	Paths   []string // prefix "/admin/", or glob "/api/*/admin", "/static/**"
	Methods []string // "GET", "post"
	Policy  Policy
	Roles   []string // for PolicyRoles: a user with any one of them passes
	MFA     bool     // a second factor is needed too
}

// Config is an ordered list of rules and the policy for requests that no
// rule matches.
type Config struct {
	Rules []Rule
	// Default is PolicyDeny, PolicyPublic or PolicyAuthenticated. The zero
	// value means PolicyDeny: a request that nobody wrote a rule for is
	// refused rather than served.
	Default Policy
}

// Error is one problem in a Config. Compile returns every Error it finds,
// joined with errors.Join.
type Error struct {
	Key string // where the problem is: rules[3].paths[1], default
	Msg string // what is wrong, and what would be right
}

// Error formats e as "key: msg".
func (e *Error) Error() string { return e.Key + ": " + e.Msg }

// segKind tells a literal path segment from * and **.
type segKind uint8

const (
	segLit segKind = iota
	segOne         // *: exactly one non-empty segment
	segAny         // **: any number of segments, none included
)

type seg struct {
	lit  string
	kind segKind
}

// pattern is a compiled path pattern. A prefix pattern matches the path
// that its literal segments spell and every path below it; a glob must
// match the whole path.
type pattern struct {
	segs   []seg
	prefix bool
}

// Compile checks cfg and builds the Set that matches requests against it.
// It reports every problem at once; the returned error then joins one
// *Error per problem. The Set does not share memory with cfg.
func Compile(cfg Config) (*Set, error) {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
	}

	def := cfg.Default
	switch def {
	case 0:
		def = PolicyDeny
	case PolicyDeny, PolicyPublic, PolicyAuthenticated:
	case PolicyRoles:
		bad("default", "roles needs a list of roles, which only a rule has; use deny, public or authenticated, and a rule with policy roles")
	default:
		bad("default", "%v is not a policy; use deny, public or authenticated", def)
	}

	if len(cfg.Rules) > math.MaxInt32 {
		bad("rules", "%d rules; a Set holds at most %d", len(cfg.Rules), math.MaxInt32)
		return nil, errors.Join(errs...)
	}
	s := &Set{
		rules: make([]rule, len(cfg.Rules)),
		def:   Decision{Policy: def},
		exact: map[string]*node{},
		wild:  map[string]*node{},
	}
	type hostKey struct {
		key  string
		wild bool
	}
	type compiled struct {
		hosts []hostKey
		paths []pattern
	}
	all := make([]compiled, len(cfg.Rules))

	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		key := fmt.Sprintf("rules[%d]", i)
		c := &all[i]
		cr := &s.rules[i]

		switch r.Policy {
		case PolicyPublic, PolicyAuthenticated, PolicyRoles, PolicyDeny:
		case 0:
			bad(key+".policy", "no policy; use public, authenticated, roles or deny")
		default:
			bad(key+".policy", "%v is not a policy; use public, authenticated, roles or deny", r.Policy)
		}
		switch {
		case r.Policy == PolicyRoles && len(r.Roles) == 0:
			bad(key+".roles", "policy roles needs at least one role; list the roles that may pass")
		case r.Policy != PolicyRoles && r.Policy != 0 && len(r.Roles) > 0:
			bad(key+".roles", "roles apply only to policy roles, and this rule's policy is %v; set policy roles, or drop roles", r.Policy)
		}
		for j, role := range r.Roles {
			if msg := checkRole(role); msg != "" {
				bad(fmt.Sprintf("%s.roles[%d]", key, j), "%s", msg)
			}
		}
		if r.MFA {
			switch r.Policy {
			case PolicyPublic:
				bad(key+".mfa", "a public rule admits anonymous callers, so mfa would have no effect; use policy authenticated with mfa, or drop mfa")
			case PolicyDeny:
				bad(key+".mfa", "a deny rule admits no one, so mfa would have no effect; drop mfa")
			}
		}

		for j, h := range r.Hosts {
			k, wild, msg := parseHost(h)
			if msg != "" {
				bad(fmt.Sprintf("%s.hosts[%d]", key, j), "%s", msg)
				continue
			}
			c.hosts = append(c.hosts, hostKey{k, wild})
		}
		for j, p := range r.Paths {
			pt, msg := parsePath(p)
			if msg != "" {
				bad(fmt.Sprintf("%s.paths[%d]", key, j), "%s", msg)
				continue
			}
			c.paths = append(c.paths, pt)
		}
		if len(r.Methods) == 0 {
			cr.methods = anyMethod
		}
		for j, m := range r.Methods {
			if !isToken(m) {
				bad(fmt.Sprintf("%s.methods[%d]", key, j), "%q is not an HTTP method; write one such as GET or POST", m)
				continue
			}
			m = strings.ToUpper(m) // a token is ASCII
			bit := methodBit(m)
			cr.methods |= bit
			if bit == otherMethod {
				cr.other = append(cr.other, m)
			}
		}
		cr.d = Decision{Policy: r.Policy, MFA: r.MFA}
		if len(r.Roles) > 0 {
			cr.d.Roles = slices.Clip(slices.Clone(r.Roles))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	for i, c := range all {
		var roots []*node
		if len(c.hosts) == 0 {
			if s.any == nil {
				s.any = &node{}
			}
			roots = append(roots, s.any)
		}
		for _, h := range c.hosts {
			m := s.exact
			if h.wild {
				m = s.wild
				s.wildMax = max(s.wildMax, len(h.key))
			}
			n := m[h.key]
			if n == nil {
				n = &node{}
				m[h.key] = n
			}
			if !slices.Contains(roots, n) { // "a.example.com" and "A.example.com."
				roots = append(roots, n)
			}
		}
		for _, root := range roots {
			e := entry{rule: int32(i), methods: s.rules[i].methods}
			if len(c.paths) == 0 {
				root.here = appendEntry(root.here, e)
			}
			for _, p := range c.paths {
				root.insert(p, e)
			}
		}
	}
	if s.any != nil {
		s.any.finish()
	}
	for _, n := range s.exact {
		n.finish()
	}
	for _, n := range s.wild {
		n.finish()
	}
	return s, nil
}

// parseHost returns the key a host pattern is indexed under: the lower-case
// name, or for "*.example.com" the suffix ".example.com". msg says what is
// wrong with h when it cannot be used.
func parseHost(h string) (key string, wild bool, msg string) {
	if h == "" {
		return "", false, "empty host; write a name such as app.example.com, or leave hosts empty to match any host"
	}
	if _, rest, ok := strings.Cut(h, "://"); ok {
		rest, _, _ = strings.Cut(rest, "/")
		return "", false, fmt.Sprintf("%q has a scheme; write the host alone, as %q", h, rest)
	}
	name := asciiLower(h)
	if inner, ok := strings.CutPrefix(name, "["); ok {
		inner, rest, ok := strings.Cut(inner, "]")
		switch {
		case !ok:
			return "", false, fmt.Sprintf("%q has no closing ]", h)
		case strings.HasPrefix(rest, ":"):
			return "", false, fmt.Sprintf("%q has a port; hosts match whatever the port, so write %q", h, "["+inner+"]")
		case rest != "" || !isIPv6(inner):
			return "", false, fmt.Sprintf("%q is not an IPv6 address in brackets, such as [2001:db8::1]", h)
		}
		return inner, false, ""
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		if strings.IndexByte(name[i+1:], ':') >= 0 && isIPv6(name) {
			return name, false, ""
		}
		return "", false, fmt.Sprintf("%q has a port; hosts match whatever the port, so write %q", h, h[:i])
	}
	if strings.Contains(name, "/") {
		return "", false, fmt.Sprintf("%q has a path; write the host alone, and the path under paths", h)
	}
	name = strings.TrimSuffix(name, ".")
	if name == "*" {
		return "", false, fmt.Sprintf("%q would match every host; leave hosts empty for that", h)
	}
	if rest, ok := strings.CutPrefix(name, "*."); ok {
		wild, name = true, rest
	}
	if strings.Contains(name, "*") {
		return "", false, fmt.Sprintf("%q has a * that is not the whole first label; write *.example.com to match every name below example.com", h)
	}
	if why := checkName(name); why != "" {
		return "", false, fmt.Sprintf("%q %s", h, why)
	}
	if wild {
		return "." + name, true, ""
	}
	return name, false, ""
}

func isIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && a.Zone() == ""
}

// checkName says what makes name, lower-case and without a trailing dot,
// not a host name, or returns "".
func checkName(name string) string {
	if name == "" {
		return "has no name; write one such as app.example.com"
	}
	if len(name) > 253 {
		return "is longer than the 253 bytes a host name can have"
	}
	for label := range strings.SplitSeq(name, ".") {
		switch {
		case label == "":
			return "has an empty label (two dots, or a dot at the start)"
		case len(label) > 63:
			return "has a label longer than the 63 bytes a host name allows"
		}
		for _, c := range label {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return fmt.Sprintf("has %q, which a host name cannot contain; use letters, digits, - and . (write an internationalized name in its xn-- form)", c)
			}
		}
	}
	return ""
}

// parsePath compiles a path pattern, or says what is wrong with it.
func parsePath(p string) (pt pattern, msg string) {
	if p == "" {
		return pt, "empty path; write one that starts with /, or leave paths empty to match any path"
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c < 0x20 || c == 0x7f:
			return pt, fmt.Sprintf("%q has a control character", p)
		case c == '?':
			return pt, fmt.Sprintf("%q has a query; paths match without the query string, so write %q", p, p[:i])
		case c == '#':
			return pt, fmt.Sprintf("%q has a fragment, which never reaches the server; write %q", p, p[:i])
		}
	}
	body := strings.TrimPrefix(p, "/")
	parts := strings.Split(body, "/")
	glob := false
	for k, part := range parts {
		switch {
		case part == "" && k < len(parts)-1:
			return pt, fmt.Sprintf("%q has an empty segment (//), which a cleaned path never has", p)
		case part == "." || part == "..":
			return pt, fmt.Sprintf("%q has a %q segment, which a cleaned path never has; write the path it stands for", p, part)
		case part == "*" || part == "**":
			glob = true
		case strings.Contains(part, "**"):
			parts[k] = "**"
			return pt, fmt.Sprintf("%q has ** inside the segment %q; ** stands alone between slashes, as in %q", p, part, "/"+strings.Join(parts, "/"))
		case strings.Contains(part, "*"):
			parts[k] = "*"
			return pt, fmt.Sprintf("%q has * inside the segment %q; * stands alone for one whole segment, as in %q", p, part, "/"+strings.Join(parts, "/"))
		}
	}
	if p[0] != '/' {
		return pt, fmt.Sprintf("%q does not start with /; write %q", p, "/"+p)
	}

	if !glob {
		// "/admin/" is "/admin", and "/" is every path.
		pt.prefix = true
		if body = strings.TrimSuffix(body, "/"); body == "" {
			return pt, ""
		}
		for part := range strings.SplitSeq(body, "/") {
			pt.segs = append(pt.segs, seg{lit: part})
		}
		return pt, ""
	}
	for _, part := range parts {
		switch part {
		case "**":
			if n := len(pt.segs); n > 0 && pt.segs[n-1].kind == segAny {
				continue // "**/**" is "**"
			}
			pt.segs = append(pt.segs, seg{kind: segAny})
		case "*":
			pt.segs = append(pt.segs, seg{kind: segOne})
		default:
			pt.segs = append(pt.segs, seg{lit: part})
		}
	}
	// "/static/**" is the prefix "/static": both match "/static" and all
	// below it.
	if last := len(pt.segs) - 1; pt.segs[last].kind == segAny {
		literal := true
		for _, s := range pt.segs[:last] {
			literal = literal && s.kind == segLit
		}
		if literal {
			pt.segs, pt.prefix = pt.segs[:last:last], true
		}
	}
	return pt, ""
}

// checkRole says what is wrong with a role name, or returns "".
func checkRole(role string) string {
	if role == "" {
		return "empty role name; write the name of a role, such as admin"
	}
	for i := 0; i < len(role); i++ {
		if c := role[i]; c <= ' ' || c == 0x7f {
			return fmt.Sprintf("%q has a space or control character, which role names cannot contain", role)
		}
	}
	return ""
}

// isToken reports whether s is an HTTP token (RFC 9110, section 5.6.2), the
// syntax of a method.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
