// Package access decides which requests need a signed-in user, a second
// factor or a role, from an ordered list of rules, as Authelia's
// access_control does: [Compile] checks a [Config] and builds an immutable
// [Set]; [Set.Match] finds the rule for a request's host, path and method
// and returns its [Decision]; [Allow] weighs that decision against who is
// asking ([Identity]) and says what the gateway must do ([Outcome]).
//
// # Matching
//
// Rules are tried in order and the first one whose hosts, paths and methods
// all match wins; when none does, the Config's Default policy applies
// (Match reports rule -1). An empty list of hosts, paths or methods matches
// anything.
//
// Hosts. "app.example.com" matches that name alone. "*.example.com" matches
// every name below example.com, at any depth ("a.example.com",
// "a.b.example.com"), but not "example.com" itself; list both to cover
// both. Names compare without regard to ASCII case; the request's port and
// one trailing dot are ignored, so "App.Example.com.:8443" matches
// "app.example.com". IPv6 literals are written without brackets or with
// them ("::1", "[::1]") and compare as text.
//
// Paths compare case-sensitively, on the path as the gateway passes it:
// already cleaned (no "//", "." or ".." segments), which this package does
// not do again. A path without * is a prefix that stops at a segment
// boundary: "/admin" matches "/admin" and "/admin/users" but not
// "/administrator". A trailing slash changes nothing: "/admin/" matches
// "/admin" too. "/" matches every path. A path with * or ** is a glob that
// must match the whole path, one segment at a time: * stands for exactly
// one non-empty segment, ** for any number of segments, none included. So
// "/api/*/admin" matches "/api/v1/admin" but neither "/api/admin" nor
// "/api/v1/admin/users" nor "/api/v1/x/admin"; "/static/**" matches
// "/static", "/static/" and everything below; "/**/.git/**" matches a .git
// directory at any depth. * and ** stand alone between slashes: "/*.png"
// and "/**x" are errors, not globs.
//
// Methods compare without regard to ASCII case and exactly otherwise: a
// rule for GET does not cover HEAD, so a rule that should cover both lists
// both.
//
// # Deciding
//
// [Allow] admits anyone to a public rule and refuses everyone a denied one.
// Otherwise it asks an anonymous caller to sign in (NeedLogin), a signed-in
// caller without a second factor to complete one when the rule wants MFA
// (NeedMFA), and forbids a caller who has none of the rule's roles
// (Forbidden). MFA is asked for before roles are checked, so a session that
// has only a password learns nothing about the user's roles. Role names
// compare exactly.
//
// # Cost
//
// Compile indexes the rules by host (a map of exact names, a map of
// wildcard suffixes, and the rules for any host) and, within each host, by
// path segment in a trie with an edge for * and a stop at the first **;
// each node knows the lowest rule index below it, so a search stops as soon
// as nothing left can beat the best rule found. A rule on a node carries
// its methods as bits, and "/**/x" and "/**/x/**" compile to a suffix and
// a substring test. Match therefore looks at a few nodes and the rules on
// them rather than at every rule (about 0.5 µs for the worst case of the
// 1 000 rules in BenchmarkMatch1000), and it does not allocate unless the
// host is longer than 256 bytes.
//
// A Set is never modified after Compile returns it and is safe for
// concurrent use; the Roles slice of a Decision belongs to the Set and must
// not be modified. Allow is a pure function.
package access
