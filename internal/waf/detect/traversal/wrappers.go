package traversal

import "strings"

// streamWrappers are URL schemes that make PHP's include, file_get_contents
// and friends read something other than a local file: request bodies
// (php://input), filtered source (php://filter), commands (expect://),
// inline data (data://), archive members (zip://, phar://).
var streamWrappers = [...]string{
	"php", "expect", "data", "zip", "phar", "glob", "rar", "ogg", "zlib", "compress.zlib", "compress.bzip2",
	"ssh2.shell", "ssh2.exec", "ssh2.sftp", "ssh2.tunnel", "jar", "netdoc",
}

// maxURLs bounds the URLs of one value that are looked at, and urlMax the
// length of one.
const (
	maxURLs = 32
	urlMax  = 2048
)

// includeNames are parameter names that hold a file to include.
var includeNames = [...]string{
	"include", "inc", "require", "file", "filename", "filepath", "path", "template", "tpl", "module", "mod",
	"load", "loader", "doc", "document", "folder", "dir", "lang", "language", "layout", "theme", "skin",
	"style", "view", "conf", "config", "root", "basepath", "base_path", "page",
}

// scriptExts are extensions of files an include would execute or that
// attackers serve code in (a .txt stays unexecuted on their server).
var scriptExts = [...]string{".txt", ".php", ".phtml", ".inc", ".sh", ".pl", ".py", ".jsp", ".asp", ".aspx", ".cgi", ".gif"}

func includeName(name string) bool {
	for _, n := range includeNames {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// wrappers finds stream wrappers and remote include URLs in v.
func wrappers(v, name string, rfi *finding) {
	for i, seen := 0, 0; i < len(v) && seen < maxURLs; seen++ {
		k := strings.Index(v[i:], "://")
		if k < 0 {
			break
		}
		at := i + k
		i = at + 3
		s := at
		for s > 0 && at-s < 20 && (isAlnum(v[s-1]) || v[s-1] == '.' || v[s-1] == '+' || v[s-1] == '-') {
			s--
		}
		scheme := v[s:at]
		end := at + 3
		for end < len(v) && end-at < urlMax && !isSep(v[end]) {
			end++
		}
		if end-at < 5 {
			continue // "php:// wrappers": a scheme named, nothing opened
		}
		if wrapper(scheme) {
			rfi.offer(5, 1, ruleWrapper, s, end)
			continue
		}
		if s >= 4 && strings.EqualFold(v[s-4:s], "jar:") {
			rfi.offer(5, 1, ruleWrapper, s-4, end)
			continue
		}
		switch strings.ToLower(scheme) {
		case "http", "https", "ftp", "ftps", "sftp", "smb":
			alone := strings.TrimSpace(v[:s]) == ""
			score, paranoia := remote(scheme, v[at+3:end], v[end:], name, alone)
			rfi.offer(score, paranoia, ruleRemote, s, end)
		}
	}
	// data: without slashes, carrying PHP code.
	for i, seen := 0, 0; i < len(v) && seen < maxURLs; seen++ {
		k := strings.Index(v[i:], "data:")
		if k < 0 {
			k = strings.Index(v[i:], "DATA:")
		}
		if k < 0 {
			break
		}
		at := i + k
		i = at + 5
		rest := v[i:min(len(v), i+256)]
		if c := strings.IndexByte(rest, ','); c > 0 {
			payload := rest[c+1:]
			if strings.HasPrefix(payload, "<?") || strings.HasPrefix(payload, "PD9") {
				rfi.offer(5, 1, ruleWrapper, at, at+5+c)
			}
		}
	}
}

func wrapper(scheme string) bool {
	for _, w := range streamWrappers {
		if strings.EqualFold(scheme, w) {
			return true
		}
	}
	return false
}

// fetchExts are the extensions of a script or text file an include
// executes; fetched over a file-transfer scheme they are a payload.
var fetchExts = [...]string{".php", ".txt", ".inc", ".phtml", ".pl", ".py", ".sh", ".asp", ".aspx", ".jsp", ".cgi"}

// remote judges a remote URL: scheme as written, u the rest after "://" up
// to the end of its token, after the rest of the value, alone says nothing
// but space comes before the URL. It is an include target when its end
// cuts off what the application appends (a trailing '?', '#', a trailing
// '&' after a query, a query that is only an extension, a NUL), when the
// parameter is named like an include, when a script or text file comes
// from a raw IP address or over a file-transfer scheme (ftp, ftps, sftp,
// smb), or when the scheme is written in mixed case ("hTtP://"), a filter
// evasion no browser or application produces.
func remote(scheme, u, after, name string, alone bool) (score, paranoia int) {
	whole := alone && strings.TrimSpace(after) == ""
	hostEnd := len(u)
	if k := strings.IndexAny(u, "/?#"); k >= 0 {
		hostEnd = k
	}
	host := u[:hostEnd]
	if k := strings.LastIndexByte(host, '@'); k >= 0 {
		host = host[k+1:]
	}
	if strings.HasPrefix(host, "[") {
		host = "0" // IPv6 literal
	} else if k := strings.LastIndexByte(host, ':'); k >= 0 {
		host = host[:k]
	}
	if host != "" && mixedCase(scheme) {
		return 5, 1 // hTtP://evil.example/x
	}
	rest := u[hostEnd:]
	pathPart, query := rest, ""
	if k := strings.IndexAny(pathPart, "?#"); k >= 0 {
		pathPart = pathPart[:k]
	}
	if k := strings.IndexByte(rest, '?'); k >= 0 {
		query = rest[k+1:]
		if h := strings.IndexByte(query, '#'); h >= 0 {
			query = query[:h]
		}
	}
	// Cut-offs: what the application appends ("/inc.php" + ".php") lands
	// in a query or fragment the remote server ignores.
	cut := false
	switch {
	case strings.HasSuffix(rest, "?") && len(rest) > 1:
		cut = true // http://x/shell.txt?
	case strings.HasSuffix(rest, "#") && fileSegment(pathPart):
		cut = true // http://x/shell.txt# (not an empty-hash link to a directory)
	case extOnly(query):
		cut = true // http://x/shell.jpg?.php
	case alone && strings.IndexByte(rest, '?') >= 0 && trailingAmp(after):
		return 5, 1 // http://x/inc.php?cmd=id&: the '&' ends the value
	}
	if cut {
		if whole {
			return 5, 1
		}
		return 3, 2 // may end a question: "did you see http://x/docs?"
	}
	if strings.IndexByte(rest, 0) >= 0 || strings.Contains(rest, "%00") || strings.HasPrefix(after, "\x00") {
		return 5, 1
	}
	script := hasExt(pathPart, scriptExts[:])
	switch {
	case includeName(name):
		return 5, 1
	case fileTransfer(scheme) && hasExt(pathPart, fetchExts[:]):
		return 5, 1 // ftp://x/pub/shell.php
	case rawIP(host) && script && whole:
		return 5, 1
	case rawIP(host) || script:
		return 3, 2
	}
	return 0, 0
}

// hasExt reports whether path ends in one of exts, case-insensitively.
func hasExt(path string, exts []string) bool {
	for _, e := range exts {
		if len(path) > len(e) && strings.EqualFold(path[len(path)-len(e):], e) {
			return true
		}
	}
	return false
}

// fileTransfer reports schemes no browser link uses to fetch a script.
func fileTransfer(scheme string) bool {
	switch strings.ToLower(scheme) {
	case "ftp", "ftps", "sftp", "smb":
		return true
	}
	return false
}

// trailingAmp reports whether the rest of a value after a URL's query
// token ("=id&" of "?cmd=id&") continues the query with '=' and '&' only
// and ends it with a '&' and nothing after but space.
func trailingAmp(after string) bool {
	a := strings.TrimRight(after, " \t\r\n")
	if !strings.HasSuffix(a, "&") {
		return false
	}
	for i := 0; i < len(a); i++ {
		if c := a[i]; isSep(c) && c != '=' && c != '&' {
			return false
		}
	}
	return true
}

// fileSegment reports whether a URL path names something below the root
// rather than a directory ("/x.txt", not "/" or "/docs/").
func fileSegment(path string) bool {
	return path != "" && !strings.HasSuffix(path, "/")
}

// extOnly reports whether a query is nothing but an extension (".php"),
// there only to absorb or fake what an include appends.
func extOnly(q string) bool {
	if len(q) < 2 || len(q) > 8 || q[0] != '.' {
		return false
	}
	for i := 1; i < len(q); i++ {
		if !isAlnum(q[i]) {
			return false
		}
	}
	return true
}

// mixedCase reports a scheme written in mixed case ("hTtP", "HttP"), a
// filter evasion. All-lower and all-upper schemes are ordinary, and so is
// "Http", the capitalised form keyboards produce at the start of a field.
func mixedCase(scheme string) bool {
	upper, lower := 0, 0
	for i := 0; i < len(scheme); i++ {
		switch c := scheme[i]; {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		}
	}
	if upper == 0 || lower == 0 {
		return false
	}
	return !(upper == 1 && scheme[0] >= 'A' && scheme[0] <= 'Z')
}

// rawIP reports whether a URL host is an IP address rather than a name:
// dotted decimal, a single number (2130706433), hex (0x7f000001).
func rawIP[T string | []byte](h T) bool {
	if len(h) == 0 {
		return false
	}
	if len(h) > 2 && h[0] == '0' && h[1]|0x20 == 'x' {
		return true
	}
	for i := 0; i < len(h); i++ {
		if !isDigit(h[i]) && h[i] != '.' {
			return false
		}
	}
	return true
}
