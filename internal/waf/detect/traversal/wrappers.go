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
		case "http", "https", "ftp", "ftps":
			whole := strings.TrimSpace(v[:s]) == "" && strings.TrimSpace(v[end:]) == ""
			score, paranoia := remote(v[at+3:end], v[end:], name, whole)
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

// remote judges a remote URL (after its scheme, up to the end of its
// token; after is the rest of the value; whole says the URL is all of
// it): an include target when it ends with '?' or a NUL (cutting off what the application appends), when the
// parameter is named like an include, or when a script or text file comes
// from a raw IP address.
func remote(u, after, name string, whole bool) (score, paranoia int) {
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
	rest := u[hostEnd:]
	if strings.HasSuffix(rest, "?") && len(rest) > 1 {
		if whole {
			return 5, 1 // http://x/shell.txt?
		}
		return 3, 2 // may end a question: "did you see http://x/docs?"
	}
	if strings.IndexByte(rest, 0) >= 0 || strings.Contains(rest, "%00") || strings.HasPrefix(after, "\x00") {
		return 5, 1
	}
	pathPart := rest
	if k := strings.IndexAny(pathPart, "?#"); k >= 0 {
		pathPart = pathPart[:k]
	}
	script := false
	for _, e := range scriptExts {
		if len(pathPart) > len(e) && strings.EqualFold(pathPart[len(pathPart)-len(e):], e) {
			script = true
			break
		}
	}
	switch {
	case includeName(name):
		return 5, 1
	case rawIP(host) && script && whole:
		return 5, 1
	case rawIP(host) || script:
		return 3, 2
	}
	return 0, 0
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
