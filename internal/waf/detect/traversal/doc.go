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
// expect://, data://, zip://, phar://) and remote http(s)/ftp/sftp/smb URLs
// that are plainly include targets: the URL's end cuts off the extension
// an include appends (a trailing '?', a trailing '#' after a file name, a
// trailing '&' after a query, a query that is only an extension as in
// "shell.jpg?.php", a NUL); the parameter is named like an include; a
// script is fetched from a raw IP address; a script or text file (.php,
// .txt, .inc, .sh, ...) is fetched over ftp, ftps, sftp or smb, schemes no
// browser link uses for one; or the scheme is written in mixed case
// ("hTtP://host"), a filter evasion no browser or application writes (all
// upper, all lower and a capitalised "Http" stay ordinary). Ordinary URL
// parameters pass — "https://example.com/page.php", "?q=a&b=c", "#top",
// "https://example.com/#/dashboard", "ftp://host/pub/linux/": whether a
// server should fetch a URL is the SSRF detector's question.
//
// A relative link such as "../images/logo.png" is normal in HTML and scores
// only at paranoia 2; in a request path (detect.KindPath), where browsers
// have already removed dot segments, any ".." is an attack. A Detector is
// immutable and safe for concurrent use.
package traversal
