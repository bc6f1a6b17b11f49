// Package traversal detects path traversal, local file inclusion and remote
// file inclusion.
//
// Each path-like token of a value is normalised (percent escapes of path
// characters, overlong UTF-8 and fullwidth dots and slashes, 0x2e hex
// literals, backslashes) and cleaned segment by segment as a file system
// would: "..", dot runs ("....//"), "..;" and ".. " go up a level, "." stays.
// The detector then judges what the path does — how far it climbs, whether
// it climbs above the root it started from, whether it ends at a sensitive
// file (/etc/passwd, win.ini, WEB-INF/web.xml, .git/config, id_rsa) — and
// how it was written (encoded dots are an evasion, a NUL byte truncates an
// appended extension).
//
// It emits two classes: detect.Traversal for local paths (including
// file://), and detect.RFI for PHP stream wrappers (php://filter,
// expect://, data://, zip://, phar://) and remote http(s)/ftp URLs that are
// plainly include targets (a trailing '?' or NUL cutting off an appended
// extension, a parameter named like an include, a script fetched from a
// raw IP address). Ordinary URL parameters pass: whether a server should
// fetch a URL is the SSRF detector's question.
//
// A relative link such as "../images/logo.png" is normal in HTML and scores
// only at paranoia 2; in a request path (detect.KindPath), where browsers
// have already removed dot segments, any ".." is an attack. A Detector is
// immutable and safe for concurrent use.
package traversal
