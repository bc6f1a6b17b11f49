package active

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// UploadForm is a form with a file input, as the crawl found it.
type UploadForm struct {
	// Page is the URL of the page holding the form; Action where it
	// posts (absolute, or relative to Page).
	Page, Action string
	// Fields are the form's other fields with their default values.
	Fields []FormField
	// FileField is the name of the file input.
	FileField string
	// Header is sent with every request (the session's cookies).
	Header http.Header
}

var uploadInfo = map[string]Info{
	"upload.executable": {
		Title:    "Uploaded file runs as code on the server",
		Severity: "critical",
		CWE:      434,
		OWASP:    "A04:2021-Insecure Design",
		Description: "A file uploaded through the form is stored under a name and place the web server executes: a script file " +
			"came back with its code run. Whoever can use the form runs any code on the server.",
		Fix: "Store uploads outside the web root (or in storage that never executes), give them server-chosen names, " +
			"allow only the types the feature needs by content, not by name, and serve them with Content-Disposition: attachment.",
		References: []string{"https://owasp.org/www-community/vulnerabilities/Unrestricted_File_Upload", "https://cwe.mitre.org/data/definitions/434.html"},
	},
	"upload.html": {
		Title:    "Uploaded file is served back as a web page (stored XSS)",
		Severity: "high",
		CWE:      434,
		OWASP:    "A03:2021-Injection",
		Description: "An uploaded HTML file is served back from the site's origin as text/html, and its markup runs there: " +
			"anyone who gets a user to open the file's URL runs script in the user's session.",
		Fix: "Serve uploads from a separate origin, or with Content-Disposition: attachment and a Content-Type that browsers " +
			"do not render (application/octet-stream), with X-Content-Type-Options: nosniff; allow only the types the feature needs.",
		References: []string{"https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html", "https://cwe.mitre.org/data/definitions/434.html"},
	},
}

// uploadDirs are where sites commonly serve uploaded files from,
// relative to the site root and to the form's directory.
var uploadDirs = []string{"uploads/", "upload/", "files/", "media/", "images/", "static/uploads/", "assets/uploads/", "public/uploads/", ""}

// Upload posts two files through an upload form — a PHP script that
// prints a marker and an arithmetic result, and an HTML page with an
// element carrying a marker event handler — then looks for each where
// the site serves uploads (links in the answer, the Location header,
// common upload directories). It reports upload.executable when the
// script's output (the product, not the code) comes back, and upload.html
// when the page comes back as text/html with the element in its parsed
// markup. It writes files to the server: the scanner runs it at level
// full only.
func Upload(ctx context.Context, s Sender, f UploadForm, opt Options) ([]Result, error) {
	page, err := url.Parse(f.Page)
	if err != nil {
		return nil, fmt.Errorf("upload form page: %w", err)
	}
	action, err := page.Parse(f.Action)
	if err != nil {
		return nil, fmt.Errorf("upload form action: %w", err)
	}
	var out []Result

	// The script.
	marker := rmpMarker()
	a, b := opt.randInt(1000, 9999), opt.randInt(1000, 9999)
	script := fmt.Sprintf(`<?php echo "%s-" . (%d*%d); ?>`, marker, a, b)
	want := fmt.Sprintf("%s-%d", marker, a*b)
	if r, err := uploadTry(ctx, s, f, action, marker+".php", "application/x-php", script, func(resp *Response) bool {
		return bytes.Contains(resp.Body, []byte(want)) && !bytes.Contains(resp.Body, []byte("<?php"))
	}); err != nil {
		return out, err
	} else if r != nil {
		r.Check, r.Confirmed = "upload.executable", true
		r.Detail = fmt.Sprintf("the uploaded script %s.php came back as %q, the output of %d*%d, not its code", marker, want, a, b)
		out = append(out, *r)
	}

	// The page.
	marker = rmpMarker()
	doc := fmt.Sprintf(`<!doctype html><html><body><p>upload test</p><div id="%s" onmouseover="%s">x</div></body></html>`, marker, marker)
	if r, err := uploadTry(ctx, s, f, action, marker+".html", "text/html", doc, func(resp *Response) bool {
		return uploadServedAsHTML(resp) && uploadHasHandler(resp.Body, marker)
	}); err != nil {
		return out, err
	} else if r != nil {
		r.Check, r.Confirmed = "upload.html", true
		r.Detail = fmt.Sprintf("the uploaded page %s.html is served as text/html and its element with an onmouseover handler parses", marker)
		out = append(out, *r)
	}
	return out, nil
}

// uploadTry posts one file and fetches the places it may be served from,
// returning a Result for the first answer ok accepts.
func uploadTry(ctx context.Context, s Sender, f UploadForm, action *url.URL, name, ctype, content string, ok func(*Response) bool) (*Result, error) {
	body, boundary, err := uploadBody(f, name, ctype, content)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("upload request: %w", err)
	}
	for k, v := range f.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	resp, err := s.Send(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", name, err)
	}
	reqText := "POST " + action.String() + "\nContent-Type: multipart/form-data\n\n[file " + f.FileField + ": " + name + ", " + ctype + "]\n" + clip(content, excerptLen)
	for _, u := range uploadCandidates(action, resp, name) {
		g, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			continue
		}
		for k, v := range f.Header {
			g.Header[k] = v
		}
		r, err := s.Send(ctx, g)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if r.Status == http.StatusOK && ok(r) {
			return &Result{
				Point:    Point{Method: http.MethodPost, URL: action, Kind: Form, Name: f.FileField},
				Payload:  name,
				Request:  reqText,
				Response: "GET " + u.String() + "\n" + responseExcerpt(r, strings.TrimSuffix(name, path.Ext(name))),
			}, nil
		}
	}
	return nil, nil
}

// uploadBody is the multipart body of the form with the file.
func uploadBody(f UploadForm, name, ctype, content string) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, fl := range f.Fields {
		if fl.Name == "" || fl.Name == f.FileField || fl.Type == "file" {
			continue
		}
		if err := w.WriteField(fl.Name, fl.Value); err != nil {
			return nil, "", err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.FileField, name))
	h.Set("Content-Type", ctype)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write([]byte(content)); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.Boundary(), nil
}

var uploadLinkRE = regexp.MustCompile(`(?i)(?:href|src|action)\s*=\s*["']?([^"'\s>]+)`)

// uploadCandidates are the URLs the uploaded file may be served at: links
// in the answer that name it, the Location header, and name in the common
// upload directories under the site root and the action's directory.
func uploadCandidates(action *url.URL, resp *Response, name string) []*url.URL {
	seen := map[string]bool{}
	var out []*url.URL
	add := func(ref string) {
		u, err := action.Parse(ref)
		if err != nil || u.Host != action.Host || seen[u.String()] || len(out) >= 24 {
			return
		}
		seen[u.String()] = true
		out = append(out, u)
	}
	if loc := resp.Header.Get("Location"); strings.Contains(loc, name) {
		add(loc)
	}
	for _, m := range uploadLinkRE.FindAllSubmatch(resp.Body, 200) {
		if ref := html.UnescapeString(string(m[1])); strings.Contains(ref, name) {
			add(ref)
		}
	}
	dir := path.Dir(action.Path)
	for _, d := range uploadDirs {
		add("/" + d + name)
		if dir != "/" && dir != "." {
			add(dir + "/" + d + name)
		}
	}
	return out
}

// uploadServedAsHTML says a browser renders the response as a page from
// the site's origin: text/html, not an attachment.
func uploadServedAsHTML(r *Response) bool {
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Disposition")), "attachment") {
		return false
	}
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if ct == "" {
		return strings.HasPrefix(http.DetectContentType(r.Body), "text/html")
	}
	return strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/xhtml+xml")
}

// uploadHasHandler says body parses with an element whose onmouseover
// attribute is marker.
func uploadHasHandler(body []byte, marker string) bool {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return false
	}
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "onmouseover" && a.Val == marker {
					return true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(doc)
}
