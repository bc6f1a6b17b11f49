package extract

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"rampart/internal/waf/detect"
)

// body adds the targets of the body by its declared content type.
func (x *extractor) body(r *http.Request, body []byte) {
	if len(body) == 0 {
		return
	}
	ct := r.Header.Get("Content-Type")
	mt := mediaType(ct)
	switch {
	case strings.EqualFold(mt, "application/x-www-form-urlencoded"):
		x.pairs(x.bodyString(body), detect.KindForm, "form")
	case hasPrefixFold(mt, "multipart/"):
		x.multipart(ct, body)
	case isJSON(mt):
		x.json(body, false)
	case isXML(mt):
		x.xml(body)
	case strings.EqualFold(mt, "application/graphql"):
		s := x.bodyString(body)
		x.add(detect.KindBody, "", "graphql", s)
		x.graphQL(s, detect.KindJSON)
	case hasPrefixFold(mt, "text/"):
		x.text(body)
	case binaryType(mt) && !looksText(body):
		x.facts.Binary = true
	default:
		x.facts.UnknownType = true
		x.text(body)
	}
}

// bodyString returns the body as a string owned by the extraction, made
// once.
func (x *extractor) bodyString(body []byte) string {
	if x.bs == "" {
		x.bs = x.str(body)
	}
	return x.bs
}

// raw adds the whole body as one KindBody target. It is the fallback that
// makes sure nothing goes uninspected, so it is added even when the
// targets are full.
func (x *extractor) raw(body []byte) {
	x.dst = append(x.dst, Target{Kind: detect.KindBody, Loc: "body", Value: x.bodyString(body)})
}

// malformed records that the body does not parse as its type and adds it
// raw.
func (x *extractor) malformed(body []byte) {
	x.facts.Malformed = true
	x.raw(body)
}

// text adds a text body raw and, when it looks like JSON, its JSON values
// too (applications often parse JSON whatever the content type says). It
// also notes markup declarations for the XXE detector.
func (x *extractor) text(body []byte) {
	x.raw(body)
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		x.json(body, true)
	}
	if containsFold(body, "<!doctype") || containsFold(body, "<!entity") {
		x.facts.XMLDoctype = true
		x.facts.XMLExternal = x.facts.XMLExternal || containsFold(body, "<!entity") ||
			containsFold(body, "system") || containsFold(body, "public")
	}
}

// multipart adds the fields of a multipart body: field names as
// KindArgName, values as KindForm, file names as KindFilename, and the
// content of files of the configured types as KindBody.
func (x *extractor) multipart(ct string, body []byte) {
	_, params, err := mime.ParseMediaType(ct)
	boundary := params["boundary"]
	if err != nil || boundary == "" {
		x.malformed(body)
		return
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	buf := x.buf[:0]
	defer func() { x.buf = buf }()
	parts := 0
	for !x.full() {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			x.malformed(body)
			return
		}
		parts++
		name, filename, isFile := disposition(p.Header.Get("Content-Disposition"))
		loc := x.loc("form", name)
		name = loc[len("form:"):]
		if name != "" && x.names.add(name) {
			x.add(detect.KindArgName, name, x.loc("argname", name), name)
		}
		if isFile {
			if filename != "" {
				x.add(detect.KindFilename, name, x.loc("filename", name), filename)
			}
			if !x.fileType(p.Header.Get("Content-Type")) {
				continue
			}
			loc = x.loc("file", name)
		}
		buf = buf[:0]
		buf, err = readAll(buf, p)
		if err != nil {
			x.malformed(body)
			return
		}
		if len(buf) == 0 {
			continue
		}
		k := detect.KindForm
		if isFile {
			k = detect.KindBody
		}
		x.add(k, name, loc, x.str(buf))
	}
	if parts == 0 {
		x.malformed(body)
	}
}

// readAll appends what r holds to buf.
func readAll(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// fileType reports whether files of content type ct are inspected.
func (x *extractor) fileType(ct string) bool {
	mt := mediaType(ct)
	if mt == "" {
		mt = "text/plain" // RFC 7578's default
	}
	for _, t := range x.cfg.FileTypes {
		switch {
		case t == "*" || t == "*/*":
			return true
		case strings.HasSuffix(t, "/*"):
			if hasPrefixFold(mt, t[:len(t)-1]) {
				return true
			}
		case strings.EqualFold(t, mt):
			return true
		}
	}
	return false
}

// disposition reads the name and filename parameters of a
// Content-Disposition header leniently: quoted values are taken as they
// stand between the quotes (a backslash only keeps a quote from ending
// them; it is not removed, so "C:\path" stays whole), filename* is taken
// raw. isFile says a filename or filename* parameter was present.
func disposition(cd string) (name, filename string, isFile bool) {
	_, rest, _ := strings.Cut(cd, ";")
	for rest != "" {
		rest = strings.TrimLeft(rest, " \t;")
		i := strings.IndexAny(rest, "=;")
		if i < 0 {
			break
		}
		if rest[i] == ';' {
			rest = rest[i:]
			continue
		}
		key := strings.TrimSpace(rest[:i])
		rest = strings.TrimLeft(rest[i+1:], " \t")
		var val string
		if rest != "" && rest[0] == '"' {
			j := 1
			for j < len(rest) && rest[j] != '"' {
				if rest[j] == '\\' {
					j++
				}
				j++
			}
			val = rest[1:min(j, len(rest))]
			rest = rest[min(j+1, len(rest)):]
		} else {
			j := strings.IndexByte(rest, ';')
			if j < 0 {
				j = len(rest)
			}
			val = strings.TrimSpace(rest[:j])
			rest = rest[j:]
		}
		switch {
		case strings.EqualFold(key, "name"):
			name = val
		case strings.EqualFold(key, "filename"):
			filename, isFile = val, true
		case strings.EqualFold(key, "filename*"):
			if filename == "" {
				filename = val
			}
			isFile = true
		}
	}
	return name, filename, isFile
}

// mediaType is the media type of a Content-Type value, without
// parameters and surrounding space, in its original case.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

func isJSON(mt string) bool {
	return strings.EqualFold(mt, "application/json") || strings.EqualFold(mt, "text/json") ||
		strings.EqualFold(mt, "application/x-json") || hasSuffixFold(mt, "+json")
}

func isXML(mt string) bool {
	return strings.EqualFold(mt, "application/xml") || strings.EqualFold(mt, "text/xml") || hasSuffixFold(mt, "+xml")
}

// binaryType reports whether media type mt is declared binary.
func binaryType(mt string) bool {
	for _, p := range [...]string{"image/", "audio/", "video/", "font/"} {
		if hasPrefixFold(mt, p) {
			return true
		}
	}
	for _, t := range [...]string{
		"application/octet-stream", "application/pdf", "application/zip", "application/gzip",
		"application/x-gzip", "application/x-tar", "application/x-7z-compressed", "application/vnd.rar",
		"application/x-protobuf", "application/protobuf", "application/x-msgpack", "application/msgpack",
		"application/cbor", "application/wasm",
	} {
		if strings.EqualFold(mt, t) {
			return true
		}
	}
	return false
}

// looksText reports whether at most three bytes in ten of b are neither
// printable ASCII, tab, CR, LF nor valid UTF-8. An attack labelled as an
// image is text; an image is not.
func looksText(b []byte) bool {
	bad := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		}
		i += n
	}
	return bad*10 <= len(b)*3
}

// containsFold reports whether b contains the lower-case ASCII string s,
// in any case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		j := 0
		for j < len(s) && lower(b[i+j]) == s[j] {
			j++
		}
		if j == len(s) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
