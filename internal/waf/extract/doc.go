// Package extract lists every value of an HTTP request that the WAF
// inspects, each with where it came from: the path and its segments, query
// arguments and their names, chosen headers, cookies, and the body parsed by
// its content type (URL-encoded and multipart forms, JSON, XML and SOAP,
// GraphQL, and plain or unknown text as a whole).
//
// Values are given raw, as the request carries them: decoding is the job
// of package decode. Parsing is lenient where applications are lenient
// (repeated keys, keys without '=', bad escapes, loose cookies) so nothing
// an application might read goes uninspected, and a body that does not
// parse as its declared type is reported in [Facts] and also given whole.
// Nothing is fetched or expanded: XML entities and external DTDs are never
// resolved.
//
// [Request] is safe for concurrent use. The strings in its targets do not
// share memory with the request's body, so they stay valid after the body
// buffer is reused.
package extract
