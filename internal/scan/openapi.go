package scan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// This file reads API descriptions (OpenAPI 3.0 and 3.1, Swagger 2.0, in
// JSON or YAML) into requests: a JSON API has no links for the crawler
// to follow, but its description names every operation, its parameters
// and its body. Each operation becomes a Request with example values,
// sent to the scan's target whatever host the description names.
// Descriptions come from Config.APISpecs, from well-known paths on the
// target (unless Config.NoAPIDiscovery), and from the crawl.

// Bounds on API descriptions.
const (
	// maxAPISpecBytes bounds a description: large public APIs have
	// descriptions of a few MiB.
	maxAPISpecBytes = 8 << 20
	// maxAPIOps bounds the operations read from one description (the
	// scanner keeps maxAPIRequests in all).
	maxAPIOps = 2000
	// maxAPIParams bounds the parameters read for one operation, and the
	// media types and named examples looked at for one value.
	maxAPIParams = 64
	// maxAPINameLen bounds the names (parameters, properties,
	// operationIds) read; longer ones are left out.
	maxAPINameLen = 256
	// maxAPIRefHops bounds a chain of $refs.
	maxAPIRefHops = 32
	// maxAPIRefLen bounds a $ref string: longer ones are not followed.
	maxAPIRefLen = 1024
	// maxAPIExampleDepth bounds the nesting of a made-up example, and
	// maxAPIExampleValues the values in it: a schema of objects of
	// objects would otherwise give an example of exponential size.
	maxAPIExampleDepth  = 10
	maxAPIExampleValues = 512
	// maxAPIProperties bounds the properties of one object in an example;
	// a schema with more than maxAPISchemaKeys properties gets none.
	maxAPIProperties = 64
	maxAPISchemaKeys = 1024
	// maxAPIStringLen bounds a string of an example the description
	// gives; with a longer one, an example is made up instead.
	maxAPIStringLen = 1024
	// maxAPIWork bounds the work of reading one description (map keys
	// sorted, refs followed, example values made or taken): a hostile one
	// could otherwise have every operation expand one huge schema.
	maxAPIWork = 1 << 25
	// maxAPIYAMLNodes and maxAPIYAMLDepth bound the YAML tree converted
	// (aliases count once).
	maxAPIYAMLNodes = 1 << 21
	maxAPIYAMLDepth = 512
	// maxAPISpecs bounds the descriptions one scan reads.
	maxAPISpecs = 16
)

// errNotAPISpec says a document is not an API description the scanner
// reads.
var errNotAPISpec = errors.New("not an OpenAPI 3 or Swagger 2.0 description")

// apiSpecPaths are where loadAPISpecs looks for an API description on the
// target's origin: the defaults of the common frameworks (FastAPI,
// springdoc, Swashbuckle, NestJS, swagger-jsdoc…).
var apiSpecPaths = []string{
	"/openapi.json", "/openapi.yaml", "/swagger.json", "/swagger.yaml",
	"/v3/api-docs", "/v2/api-docs", "/api-docs",
	"/api/openapi.json", "/api/swagger.json", "/swagger/v1/swagger.json",
	"/api/v1/openapi.json", "/api/docs/openapi.json",
}

// apiReadWords mark a POST operation, by a word of its path or of its
// operationId, as one that reads or signs in rather than writes: at
// --active safe such a POST is attacked, and other POSTs are not. A word
// matches itself and its plural; "sign-in" matches "signIn" and
// "/sign/in" too.
var apiReadWords = []string{
	"search", "query", "find", "filter", "lookup", "look-up",
	"login", "log-in", "signin", "sign-in", "auth", "authenticate", "authentication",
	"token", "verify", "check", "validate", "validation", "graphql",
}

// apiWriteWords overrule apiReadWords: a POST whose path or operationId
// has one of them changes something even when it also searches
// ("/search-index/rebuild", "createSavedSearch").
var apiWriteWords = []string{
	"create", "add", "new", "update", "edit", "save", "set", "delete", "remove", "destroy", "drop",
	"purge", "reset", "rebuild", "reindex", "import", "upload", "send", "pay", "cancel", "revoke",
	"approve", "publish", "register", "signup", "enable", "disable",
}

// apiSpec is what parseAPISpec read of an API description.
type apiSpec struct {
	// version is the description's "openapi" or "swagger" field.
	version string
	// ops are the operations, by path then method.
	ops []apiOp
	// more says the description has more than the scanner reads (more
	// than maxAPIOps operations, or maxAPIWork); the rest was not read.
	more bool
}

// apiOp is one operation of an API description as a Request: its URL on
// the server the description names, with example values in its path
// and query, and an example body.
type apiOp struct {
	Request
	// path is the path template ("/users/{id}") and id the operationId,
	// which the method policy reads.
	path, id string
}

// apiMethods are the methods of a path item, in the order read.
var apiMethods = []string{"get", "head", "post", "put", "patch", "delete", "options", "trace"}

// parseAPISpec reads an OpenAPI 3.x or Swagger 2.0 description, in JSON
// or YAML, found at specURL (which relative server URLs resolve
// against). Only local $refs ("#/components/...", "#/definitions/...")
// are followed. It returns an error wrapping errNotAPISpec for a
// document that is not a description, such as an HTML page.
func parseAPISpec(data []byte, specURL *url.URL) (*apiSpec, error) {
	if len(data) > maxAPISpecBytes {
		return nil, fmt.Errorf("API description of %d bytes: larger than the %d MiB the scanner reads", len(data), maxAPISpecBytes>>20)
	}
	if specURL == nil || specURL.Host == "" {
		specURL = &url.URL{Scheme: "http", Host: "localhost", Path: "/"}
	}
	root, err := decodeAPIDoc(data)
	if err != nil {
		return nil, err
	}
	doc, ok := root.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the document is not an object", errNotAPISpec)
	}
	p := &apiParser{doc: doc, specURL: specURL, work: maxAPIWork}
	spec := &apiSpec{}
	switch {
	case doc["openapi"] != nil:
		spec.version = scalarString(doc["openapi"])
		if !strings.HasPrefix(spec.version, "3.") && spec.version != "3" {
			return nil, fmt.Errorf("%w: openapi version %q is not 3.x", errNotAPISpec, clipString(spec.version, 40))
		}
	case doc["swagger"] != nil:
		spec.version = scalarString(doc["swagger"])
		if spec.version != "2.0" && spec.version != "2" {
			return nil, fmt.Errorf("%w: swagger version %q is not 2.0", errNotAPISpec, clipString(spec.version, 40))
		}
		p.swagger = true
	default:
		return nil, fmt.Errorf("%w: no openapi or swagger field", errNotAPISpec)
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok && doc["paths"] != nil {
		return nil, fmt.Errorf("%w: paths is not an object", errNotAPISpec)
	}
	if !ok && doc["webhooks"] == nil && doc["components"] == nil {
		return nil, fmt.Errorf("%w: no paths", errNotAPISpec)
	}
	for _, path := range p.sortedKeys(paths, len(paths)) {
		item, _ := p.deref(paths[path])
		if item == nil || len(path) > maxURLLen {
			continue
		}
		for _, m := range apiMethods {
			opv, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			if len(spec.ops) == maxAPIOps || p.work <= 0 {
				spec.more = true
				return spec, nil
			}
			if op, ok := p.operation(path, strings.ToUpper(m), item, opv); ok {
				spec.ops = append(spec.ops, op)
			}
		}
	}
	return spec, nil
}

// decodeAPIDoc decodes JSON or YAML into the values encoding/json gives:
// maps, slices, strings, float64s, bools and nils.
func decodeAPIDoc(data []byte) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: the document is empty", errNotAPISpec)
	}
	if trimmed[0] == '<' {
		return nil, fmt.Errorf("%w: the document is HTML or XML", errNotAPISpec)
	}
	var jerr error
	if trimmed[0] == '{' {
		var v any
		if jerr = json.Unmarshal(trimmed, &v); jerr == nil {
			return v, nil
		}
		// A YAML flow mapping starts with '{' too.
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		if jerr != nil {
			err = jerr
		}
		return nil, fmt.Errorf("%w: not JSON or YAML: %w", errNotAPISpec, err)
	}
	c := &yamlConv{left: maxAPIYAMLNodes, done: map[*yaml.Node]any{}}
	return c.conv(&n, 0)
}

// yamlConv converts a yaml.Node tree to the values encoding/json gives,
// within a budget of nodes; an alias is converted once and shared.
type yamlConv struct {
	left int
	done map[*yaml.Node]any
}

func (c *yamlConv) conv(n *yaml.Node, depth int) (any, error) {
	c.left--
	if c.left < 0 {
		return nil, errors.New("read YAML: too many values")
	}
	if depth > maxAPIYAMLDepth {
		return nil, errors.New("read YAML: nested too deep")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.conv(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, nil
		}
		if v, ok := c.done[n.Alias]; ok {
			return v, nil
		}
		v, err := c.conv(n.Alias, depth+1)
		if err != nil {
			return nil, err
		}
		c.done[n.Alias] = v
		return v, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.conv(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		var merges []any
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, e := n.Content[i], n.Content[i+1]
			v, err := c.conv(e, depth+1)
			if err != nil {
				return nil, err
			}
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				merges = append(merges, v)
				continue
			}
			key := k.Value
			if k.Kind == yaml.AliasNode && k.Alias != nil {
				key = k.Alias.Value
			}
			out[key] = v
		}
		// Merge keys ("<<: *base") add what the mapping does not set.
		for _, m := range merges {
			list, ok := m.([]any)
			if !ok {
				list = []any{m}
			}
			for _, e := range list {
				if em, ok := e.(map[string]any); ok {
					for k, v := range em {
						if _, set := out[k]; !set {
							out[k] = v
						}
					}
				}
			}
		}
		return out, nil
	case yaml.ScalarNode:
		return yamlScalar(n), nil
	}
	return nil, nil
}

// yamlScalar is a scalar as encoding/json would give it: numbers as
// float64 (infinities and NaN, which JSON lacks, stay strings).
func yamlScalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value
		}
		switch t := v.(type) {
		case bool:
			return t
		case int:
			return float64(t)
		case int64:
			return float64(t)
		case uint64:
			return float64(t)
		case float64:
			if !math.IsInf(t, 0) && !math.IsNaN(t) {
				return t
			}
		}
	}
	return n.Value
}

// apiParser turns the operations of a decoded description into requests.
type apiParser struct {
	doc     map[string]any
	specURL *url.URL
	swagger bool
	// work is what is left of maxAPIWork; left what is left of the
	// values of the example being made; refs the $refs being expanded
	// (a schema that contains itself).
	work int
	left int
	refs []string
}

// sortedKeys returns m's keys in order, charged to the work; a map of
// more than limit keys gives none.
func (p *apiParser) sortedKeys(m map[string]any, limit int) []string {
	if len(m) > limit {
		return nil
	}
	p.work -= len(m)
	return slices.Sorted(maps.Keys(m))
}

// newExample starts an example: a fresh budget of values.
func (p *apiParser) newExample() {
	p.left, p.refs = maxAPIExampleValues, p.refs[:0]
}

// take returns v, an example the description gives, when it fits in what
// is left of the example's values, and spends them: a given example may
// be large, or made of YAML aliases that repeat one value many times.
func (p *apiParser) take(v any) (any, bool) {
	if v == nil {
		return nil, false
	}
	n := countValues(v, p.left)
	p.work -= n
	if n > p.left {
		return nil, false
	}
	p.left -= n
	return v, true
}

// countValues counts the values in v, strings longer than maxAPIStringLen
// as too many; it stops counting above limit.
func countValues(v any, limit int) int {
	n := 0
	var walk func(v any)
	walk = func(v any) {
		n++
		switch t := v.(type) {
		case string:
			if len(t) > maxAPIStringLen {
				n += limit + 1
			}
		case map[string]any:
			for _, e := range t {
				if n > limit {
					return
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				if n > limit {
					return
				}
				walk(e)
			}
		}
	}
	walk(v)
	return n
}

// pointer is the value a local $ref ("#/components/schemas/Pet") names,
// nil for another ref or one that names nothing.
func (p *apiParser) pointer(ref string) any {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok || len(ref) > maxAPIRefLen {
		return nil
	}
	if frag == "" {
		return p.doc
	}
	if !strings.HasPrefix(frag, "/") {
		return nil
	}
	var cur any = p.doc
	toks := strings.Split(frag[1:], "/")
	p.work -= len(toks)
	for _, tok := range toks {
		if t, err := url.PathUnescape(tok); err == nil {
			tok = t
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// deref follows v's $refs and returns the object they name, with the
// local refs followed. A remote ref (another file or URL) is not
// followed: it gives an empty object, a schema that allows anything. A
// broken ref, a cycle of bare refs or a chain longer than maxAPIRefHops
// gives nil, as does a value that is not an object.
func (p *apiParser) deref(v any) (map[string]any, []string) {
	var refs []string
	for range maxAPIRefHops {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, refs
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, refs
		}
		if !strings.HasPrefix(ref, "#") {
			return map[string]any{}, refs
		}
		if slices.Contains(refs, ref) {
			return nil, refs
		}
		refs = append(refs, ref)
		v = p.pointer(ref)
	}
	return nil, refs
}

// apiParam is a parameter of an operation with its example value.
type apiParam struct {
	name, in string
	value    any
	// file says a Swagger 2 formData parameter is a file.
	file bool
}

// operation turns one operation into a request.
func (p *apiParser) operation(path, method string, item, op map[string]any) (apiOp, bool) {
	out := apiOp{path: path, id: clipString(scalarString(op["operationId"]), maxAPINameLen)}
	out.Method = method
	base := p.serverURL(op, item)
	params := p.params(item["parameters"], op["parameters"])

	// The path, its parameters filled in and escaped.
	vals := map[string]string{}
	q := url.Values{}
	form := url.Values{}
	var body any
	hasBody, hasForm, multipart := false, false, false
	for _, pr := range params {
		switch pr.in {
		case "path":
			vals[pr.name] = paramString(pr.value)
		case "query":
			addQuery(q, pr.name, pr.value)
		case "body":
			body, hasBody = pr.value, true
		case "formData":
			form.Set(pr.name, paramString(pr.value))
			hasForm = true
			multipart = multipart || pr.file
		}
	}
	raw := strings.TrimSuffix(base.EscapedPath(), "/") + expandPath(path, vals)
	if !strings.HasPrefix(raw, "/") {
		raw = "/" + raw
	}
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return apiOp{}, false
	}
	u := *base
	u.Path, u.RawPath = dec, raw
	u.RawQuery = q.Encode()
	nu := normalize(&u)
	if nu == nil {
		return apiOp{}, false
	}
	out.URL = nu

	if method == http.MethodGet || method == http.MethodHead {
		return out, true
	}
	if p.swagger {
		consumes := mediaTypes(op["consumes"])
		if consumes == nil {
			consumes = mediaTypes(p.doc["consumes"])
		}
		switch {
		case hasBody && (len(consumes) == 0 || slices.ContainsFunc(consumes, isJSONMedia)):
			out.JSON, out.Enctype = jsonBody(body), "application/json"
		case hasForm:
			out.Form, out.Enctype = form, "application/x-www-form-urlencoded"
			if multipart || (slices.Contains(consumes, "multipart/form-data") && !slices.Contains(consumes, "application/x-www-form-urlencoded")) {
				out.Enctype = "multipart/form-data"
			}
		}
		return out, true
	}
	if enc, v, ok := p.requestBody(op["requestBody"]); ok {
		out.Enctype = enc
		if enc == "application/json" {
			out.JSON = jsonBody(v)
		} else {
			out.Form = formValues(v)
		}
	}
	return out, true
}

// jsonBody is v as a JSON body: an empty object when there is no example.
func jsonBody(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

// formValues are the fields of an object example as a form.
func formValues(v any) url.Values {
	form := url.Values{}
	if m, ok := v.(map[string]any); ok {
		for k, e := range m {
			form.Set(k, paramString(e))
		}
	}
	return form
}

// requestBody picks the body of an OpenAPI 3 operation: JSON, else a
// URL-encoded form, else a multipart form; other media types give none.
func (p *apiParser) requestBody(rb any) (enctype string, value any, ok bool) {
	m, _ := p.deref(rb)
	content, _ := m["content"].(map[string]any)
	var pick string
	rank := 0
	for _, k := range p.sortedKeys(content, maxAPIParams) {
		mt, _, _ := strings.Cut(strings.ToLower(k), ";")
		mt = strings.TrimSpace(mt)
		r := 0
		switch {
		case isJSONMedia(mt):
			r = 3
		case mt == "application/x-www-form-urlencoded":
			r = 2
		case mt == "multipart/form-data":
			r = 1
		}
		if r > rank {
			pick, rank = k, r
		}
	}
	if rank == 0 {
		return "", nil, false
	}
	media, _ := p.deref(content[pick])
	p.newExample()
	v, given := p.givenExample(media)
	if !given {
		v = p.example(media["schema"], "", 0)
	}
	switch rank {
	case 3:
		return "application/json", v, true
	case 2:
		return "application/x-www-form-urlencoded", v, true
	}
	return "multipart/form-data", v, true
}

// isJSONMedia says a media type is JSON: application/json, a +json type,
// or anything at all.
func isJSONMedia(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "*/*" || mt == "application/*"
}

// mediaTypes are the lowercase media types of a Swagger 2 consumes list
// (nil when there is none).
func mediaTypes(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := []string{}
	for _, e := range list {
		mt, _, _ := strings.Cut(strings.ToLower(scalarString(e)), ";")
		out = append(out, strings.TrimSpace(mt))
	}
	return out
}

// serverURL is the base URL of an operation: the first server of the
// operation, else of its path, else of the description (OpenAPI 3), with
// its variables at their defaults; or host, basePath and schemes
// (Swagger 2). Relative URLs resolve against the description's URL.
func (p *apiParser) serverURL(op, item map[string]any) *url.URL {
	ref := "/"
	if p.swagger {
		scheme := p.specURL.Scheme
		if ss := mediaTypes(p.doc["schemes"]); len(ss) > 0 && (ss[0] == "http" || ss[0] == "https") {
			scheme = ss[0]
		}
		host := scalarString(p.doc["host"])
		if host == "" {
			host = p.specURL.Host
		}
		ref = scheme + "://" + host + "/" + strings.TrimPrefix(scalarString(p.doc["basePath"]), "/")
	} else {
		for _, servers := range []any{op["servers"], item["servers"], p.doc["servers"]} {
			if list, ok := servers.([]any); ok && len(list) > 0 {
				if s, ok := list[0].(map[string]any); ok {
					ref = serverTemplate(s)
					break
				}
			}
		}
	}
	u, err := url.Parse(ref)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	u = p.specURL.ResolveReference(u)
	if u.Scheme != "http" && u.Scheme != "https" {
		u.Scheme = p.specURL.Scheme
	}
	if u.Host == "" {
		u.Host = p.specURL.Host
	}
	u.RawQuery, u.Fragment = "", ""
	return u
}

// serverTemplate is a server's URL with its variables at their defaults
// (or first enum values); a variable without either is left out.
func serverTemplate(s map[string]any) string {
	tmpl := scalarString(s["url"])
	netPath := strings.HasPrefix(tmpl, "//")
	vars, _ := s["variables"].(map[string]any)
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl, '}')
		if i < 0 || j < i {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		if v, ok := vars[tmpl[i+1:j]].(map[string]any); ok {
			if d := scalarString(v["default"]); d != "" {
				b.WriteString(d)
			} else if e, ok := v["enum"].([]any); ok && len(e) > 0 {
				b.WriteString(scalarString(e[0]))
			}
		}
		tmpl = tmpl[j+1:]
		if b.Len() > maxURLLen {
			return "/"
		}
	}
	out := b.String()
	if !netPath && strings.HasPrefix(out, "//") {
		// "/{v}/x" with no value for v must not name host x.
		out = "/" + strings.TrimLeft(out, "/")
	}
	return out
}

// expandPath fills the parameters of a path template ("/users/{id}"),
// escaped; a parameter without a value gets "1".
func expandPath(tmpl string, vals map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		v, ok := vals[tmpl[i+1:i+j]]
		if !ok || v == "" {
			v = "1"
		}
		b.WriteString(url.PathEscape(v))
		tmpl = tmpl[i+j+1:]
	}
	return b.String()
}

// addQuery adds a query parameter's example: an object as one parameter
// per property (style form, explode, the default), an array as its first
// element.
func addQuery(q url.Values, name string, v any) {
	if m, ok := v.(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			q.Add(k, paramString(m[k]))
		}
		return
	}
	q.Add(name, paramString(v))
}

// params reads the path item's and the operation's parameters (the
// operation's win), header and cookie parameters left out.
func (p *apiParser) params(lists ...any) []apiParam {
	var out []apiParam
	for _, l := range lists {
		list, _ := l.([]any)
		for _, e := range list[:min(len(list), maxAPIParams)] {
			m, _ := p.deref(e)
			name, in := scalarString(m["name"]), scalarString(m["in"])
			if name == "" || len(name) > maxAPINameLen || (in != "path" && in != "query" && in != "body" && in != "formData") {
				continue
			}
			pr := apiParam{name: name, in: in, value: p.paramExample(m), file: scalarString(m["type"]) == "file"}
			if i := slices.IndexFunc(out, func(o apiParam) bool { return o.name == name && o.in == in }); i >= 0 {
				out[i] = pr
			} else if len(out) < maxAPIParams {
				out = append(out, pr)
			}
		}
	}
	return out
}

// paramExample is a parameter's example value: its own example, else one
// from its schema (OpenAPI 3, and Swagger 2 body parameters), its media
// type's schema, or its type (Swagger 2).
func (p *apiParser) paramExample(m map[string]any) any {
	p.newExample()
	if v, ok := p.givenExample(m); ok {
		return v
	}
	if v, ok := p.take(m["x-example"]); ok {
		return v
	}
	name := scalarString(m["name"])
	if s, ok := m["schema"]; ok {
		return p.example(s, name, 0)
	}
	if content, ok := m["content"].(map[string]any); ok {
		// A parameter's content has exactly one media type.
		if ks := p.sortedKeys(content, maxAPIParams); len(ks) > 0 {
			media, _ := p.deref(content[ks[0]])
			if v, ok := p.givenExample(media); ok {
				return v
			}
			return p.example(media["schema"], name, 0)
		}
	}
	if p.swagger {
		return p.example(m, name, 0)
	}
	return p.example(map[string]any{}, name, 0)
}

// givenExample is the example a parameter or media type object gives:
// example, else the value of the first of examples (by name).
func (p *apiParser) givenExample(m map[string]any) (any, bool) {
	if v, ok := p.take(m["example"]); ok {
		return v, true
	}
	exs, _ := m["examples"].(map[string]any)
	for _, k := range p.sortedKeys(exs, maxAPIParams) {
		ex, _ := p.deref(exs[k])
		if v, ok := p.take(ex["value"]); ok {
			return v, true
		}
	}
	return nil, false
}

// example is a value for schema: its const, example, first of examples,
// default or first enum value when it has one, else one made up from its
// type and format, or from name (a property or parameter name) for a
// plain string. Objects get every property (but read-only ones), arrays
// one element; allOf is merged, oneOf and anyOf take the first. It
// returns nil for a schema that contains itself or is beyond the
// bounds.
func (p *apiParser) example(schema any, name string, depth int) any {
	if depth > maxAPIExampleDepth || p.left <= 0 || p.work <= 0 {
		return nil
	}
	p.left--
	p.work--
	s, refs := p.deref(schema)
	if s == nil {
		return nil
	}
	for _, r := range refs {
		if slices.Contains(p.refs, r) {
			return nil
		}
	}
	p.refs = append(p.refs, refs...)
	defer func() { p.refs = p.refs[:len(p.refs)-len(refs)] }()

	for _, kw := range []string{"const", "example", "examples", "x-example", "default", "enum"} {
		v := s[kw]
		if kw == "examples" || kw == "enum" {
			vs, _ := v.([]any)
			if len(vs) == 0 {
				continue
			}
			v = vs[0]
		}
		if v, ok := p.take(v); ok {
			return v
		}
	}

	var composed any
	for _, kw := range []string{"allOf", "oneOf", "anyOf"} {
		subs, _ := s[kw].([]any)
		if kw != "allOf" && len(subs) > 1 {
			subs = subs[:1]
		}
		subs = subs[:min(len(subs), maxAPIParams)]
		for _, sub := range subs {
			composed = mergeExample(composed, p.example(sub, name, depth+1))
		}
	}
	typ := schemaType(s)
	if typ == "" {
		switch {
		case s["properties"] != nil || s["additionalProperties"] != nil:
			typ = "object"
		case s["items"] != nil:
			typ = "array"
		case composed != nil:
			return composed
		default:
			typ = "string"
		}
	}
	switch typ {
	case "object":
		obj := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		n := 0
		for _, k := range p.sortedKeys(props, maxAPISchemaKeys) {
			if n == maxAPIProperties {
				break
			}
			if len(k) > maxAPINameLen {
				continue
			}
			n++
			if ps, _ := p.deref(props[k]); ps != nil && ps["readOnly"] == true {
				continue
			}
			if v := p.example(props[k], k, depth+1); v != nil {
				obj[k] = v
			}
		}
		if ap, ok := s["additionalProperties"].(map[string]any); ok && len(props) == 0 {
			if v := p.example(ap, "key", depth+1); v != nil {
				obj["key"] = v
			}
		}
		return mergeExample(composed, obj)
	case "array":
		if composed != nil {
			return composed
		}
		if v := p.example(s["items"], name, depth+1); v != nil {
			return []any{v}
		}
		return []any{}
	}
	if composed != nil {
		return composed
	}
	switch typ {
	case "integer", "number":
		v := 1.0
		if lo, ok := s["minimum"].(float64); ok && lo > v {
			v = lo
		}
		if hi, ok := s["maximum"].(float64); ok && hi < v {
			v = hi
		}
		if typ == "integer" {
			v = math.Ceil(v)
		}
		return v
	case "boolean":
		return true
	case "null":
		return nil
	}
	return stringExample(s, name)
}

// schemaType is a schema's type: the string, or the first of a list
// (OpenAPI 3.1) that is not "null".
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, e := range t {
			if str, ok := e.(string); ok && str != "null" {
				return str
			}
		}
	}
	return ""
}

// mergeExample merges b into a when both are objects (into a new map: a
// may be the description's own example), else returns a, or b when a is
// nil.
func mergeExample(a, b any) any {
	if a == nil {
		return b
	}
	am, ok1 := a.(map[string]any)
	bm, ok2 := b.(map[string]any)
	if !ok1 || !ok2 {
		return a
	}
	out := make(map[string]any, len(am)+len(bm))
	maps.Copy(out, am)
	maps.Copy(out, bm)
	return out
}

// formatExamples are example strings by format.
var formatExamples = map[string]string{
	"email": "user@example.com", "idn-email": "user@example.com",
	"uuid":      "3fa85f64-5717-4562-b3fc-2c963f66afa6",
	"date":      "2024-01-01",
	"date-time": "2024-01-01T00:00:00Z",
	"time":      "12:00:00",
	"uri":       "http://example.com/", "url": "http://example.com/", "uri-reference": "http://example.com/", "iri": "http://example.com/",
	"hostname": "example.com", "idn-hostname": "example.com",
	"ipv4": "192.0.2.1", "ipv6": "2001:db8::1",
	"password": "Passw0rd!",
	"byte":     "dGVzdA==",
	"int32":    "1", "int64": "1",
}

// stringExample makes up a string for a schema: by its format, else by
// the name of what it is ("id", "email"…), else "test", padded or cut to
// the schema's lengths.
func stringExample(s map[string]any, name string) string {
	if v, ok := formatExamples[strings.ToLower(scalarString(s["format"]))]; ok {
		return v
	}
	v := nameExample(name)
	if n, ok := s["minLength"].(float64); ok && n > float64(len(v)) && n <= 64 {
		v += strings.Repeat("a", int(n)-len(v))
	}
	if n, ok := s["maxLength"].(float64); ok && n >= 1 && n < float64(len(v)) {
		v = v[:int(n)]
	}
	return v
}

// nameExample guesses a string value from a parameter or property name.
func nameExample(name string) string {
	l := strings.ToLower(name)
	switch {
	case l == "id" || strings.HasSuffix(l, "_id") || strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "ID"):
		return "1"
	case strings.Contains(l, "email"):
		return "user@example.com"
	case strings.Contains(l, "password") || strings.Contains(l, "passwd"):
		return "Passw0rd!"
	case strings.Contains(l, "url") || strings.Contains(l, "uri") || strings.Contains(l, "website"):
		return "http://example.com/"
	case strings.Contains(l, "date"):
		return "2024-01-01"
	case strings.Contains(l, "phone"):
		return "+15555550100"
	}
	return "test"
}

// paramString is an example value as a parameter: a scalar as text, an
// array as its first element, an object as JSON.
func paramString(v any) string {
	switch t := v.(type) {
	case []any:
		if len(t) == 0 {
			return ""
		}
		return paramString(t[0])
	case map[string]any:
		b, err := json.Marshal(t)
		if err != nil {
			return ""
		}
		return string(b)
	}
	return scalarString(v)
}

// scalarString is a scalar as text ("" for nil and non-scalars).
func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// apiAttacked says active checks may attack an operation at level: at
// safe, GET and HEAD operations and POST operations that read or sign in
// (apiReadWords, unless apiWriteWords); at full, every operation but
// DELETE; with active checks off, none.
func apiAttacked(level Active, method, path, id string) bool {
	switch level {
	case ActiveFull:
		return method != http.MethodDelete
	case ActiveSafe:
		switch method {
		case http.MethodGet, http.MethodHead:
			return true
		case http.MethodPost:
			return readOnlyPost(path, id)
		}
	}
	return false
}

// readOnlyPost says a POST operation's path or operationId has a word of
// apiReadWords and none of apiWriteWords.
func readOnlyPost(path, id string) bool {
	ws := append(words(path), words(id)...)
	read := false
	for i, w := range ws {
		if apiWordIn(w, apiWriteWords) {
			return false
		}
		if apiWordIn(w, apiReadWords) || (i+1 < len(ws) && apiWordIn(w+ws[i+1], apiReadWords)) {
			read = true
		}
	}
	return read
}

// apiWordIn says w is a word of list, or its plural; list words lose
// their hyphens.
func apiWordIn(w string, list []string) bool {
	for _, l := range list {
		l = strings.ReplaceAll(l, "-", "")
		if w == l || w == l+"s" || w == l+"es" {
			return true
		}
	}
	return false
}

// apiSpecSet remembers the descriptions a scan has read, by content, so
// that one served at several URLs is read once. It is safe for
// concurrent use.
type apiSpecSet struct {
	mu   sync.Mutex
	seen map[[sha256.Size]byte]bool
}

// first says data was not seen before, and remembers it.
func (a *apiSpecSet) first(data []byte) bool {
	h := sha256.Sum256(data)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.seen[h] || len(a.seen) >= maxAPISpecs {
		return false
	}
	a.seen[h] = true
	return true
}

// loadAPISpecs reads the API descriptions of Config.APISpecs and, unless
// Config.NoAPIDiscovery, those at the well-known paths of the target's
// origin (apiSpecPaths; in scope and allowed by robots.txt only; a
// response that is not a description is ignored). Their operations
// become requests for the active checks, as apiAttacked allows, and
// their GET operations are returned as depth-1 crawl jobs. With
// discovery and active checks on, it also adds a page hook to the
// scan's checks that reads the descriptions the crawl meets (one linked
// from a Swagger UI page, say). A description that cannot be read is in
// the Notes.
func (s *Scanner) loadAPISpecs(ctx context.Context) []job {
	specs := &apiSpecSet{seen: map[[sha256.Size]byte]bool{}}
	var jobs []job
	for _, src := range s.cfg.APISpecs {
		if ctx.Err() != nil {
			return jobs
		}
		data, specURL, page, err := s.readAPISpec(ctx, src)
		var spec *apiSpec
		if err == nil {
			spec, err = parseAPISpec(data, specURL)
		}
		if err != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "api description not loaded", slog.String("source", src), slog.Any("err", err))
			s.note(fmt.Sprintf("API description %s not loaded: %v", src, err))
			continue
		}
		if specs.first(data) {
			jobs = append(jobs, s.importAPISpec(ctx, spec, src, page)...)
		}
	}
	if s.cfg.NoAPIDiscovery {
		return jobs
	}
	// The probes go out at once (the client bounds them by Concurrency):
	// one after the other, they would hold up the crawl of a slow site.
	found := make([]*response, len(apiSpecPaths))
	var wg sync.WaitGroup
	for i, p := range apiSpecPaths {
		u := &url.URL{Scheme: s.target.Scheme, Host: s.target.Host, Path: p}
		if !s.scope.contains(u) || !s.robots.allowed(u.RequestURI()) {
			continue
		}
		wg.Go(func() {
			if resp, err := s.client.get(ctx, u, nil); err == nil && resp.Status == http.StatusOK {
				found[i] = resp
			}
		})
	}
	wg.Wait()
	for _, resp := range found {
		if resp == nil || ctx.Err() != nil {
			continue
		}
		u := resp.URL
		if !apiSpecLike(resp.Body) {
			continue // a catch-all page, most often
		}
		if resp.Truncated {
			s.note(fmt.Sprintf("API description %s not loaded: larger than the %d MiB the scan reads of a response; save it and give the file to --api-spec", u, maxBody>>20))
			continue
		}
		spec, err := parseAPISpec(resp.Body, u)
		if err != nil {
			s.log.LogAttrs(ctx, slog.LevelDebug, "no api description", slog.String("url", u.String()), slog.Any("err", err))
			continue
		}
		if specs.first(resp.Body) {
			jobs = append(jobs, s.importAPISpec(ctx, spec, u.String(), u.String())...)
		}
	}
	if s.cfg.Active != ActiveOff {
		// Run calls loadAPISpecs before the crawl starts its goroutines.
		s.checks = append(s.checks, check{name: "apispec", phase: phasePassive, page: func(s *Scanner, p *Page) {
			s.importCrawledSpec(specs, p)
		}})
	}
	return jobs
}

// importCrawledSpec reads a crawled page that is an API description and
// adds its operations to the requests (its GET operations are not
// crawled: the crawl is under way).
func (s *Scanner) importCrawledSpec(specs *apiSpecSet, p *Page) {
	if p.Status != http.StatusOK || p.Truncated || p.isHTML() || p.isJS() || !apiSpecLike(p.Body) {
		return
	}
	spec, err := parseAPISpec(p.Body, p.u)
	if err != nil || !specs.first(p.Body) {
		return
	}
	s.importAPISpec(context.Background(), spec, p.URL, p.URL)
}

// apiSpecLike says a body may be an API description, before it is parsed.
func apiSpecLike(body []byte) bool {
	return bytes.Contains(body, []byte("openapi")) || bytes.Contains(body, []byte("swagger"))
}

// readAPISpec reads a description of Config.APISpecs: an http(s) URL, or
// else a file. A file's relative server URLs resolve against the target;
// page is the URL to send as the Referer of its requests ("" for a
// file).
func (s *Scanner) readAPISpec(ctx context.Context, src string) (data []byte, specURL *url.URL, page string, err error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil, "", errors.New("no file or URL")
	}
	if u, perr := url.Parse(src); perr == nil && (u.Scheme == "http" || u.Scheme == "https") {
		nu := normalize(u)
		if nu == nil {
			return nil, nil, "", errors.New("not a URL the scanner can fetch")
		}
		data, err := s.fetchAPISpec(ctx, nu)
		return data, nu, nu.String(), err
	}
	f, err := os.Open(src) // #nosec G304 -- a file the user names (--api-spec)
	if err != nil {
		return nil, nil, "", err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, maxAPISpecBytes+1))
	if err != nil {
		return nil, nil, "", fmt.Errorf("read %s: %w", src, err)
	}
	return data, s.target, "", nil
}

// fetchAPISpec gets a description by URL: in scope through the scan's
// client (with its headers and cookies, which it may need); elsewhere
// without them, which are the target's secrets.
func (s *Scanner) fetchAPISpec(ctx context.Context, u *url.URL) ([]byte, error) {
	if s.scope.contains(u) {
		resp, err := s.client.get(ctx, u, nil)
		switch {
		case err != nil:
			return nil, err
		case resp.Status != http.StatusOK:
			return nil, fmt.Errorf("GET %s: status %d", u, resp.Status)
		case resp.Truncated:
			return nil, fmt.Errorf("larger than the %d MiB the scan reads of a response; save it and give the file", maxBody>>20)
		}
		return resp.Body, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", s.client.ua)
	resp, err := s.client.hc.Do(req) // #nosec G704 -- the URL the user gave (--api-spec), sent without the scan's credentials
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", u.Redacted(), resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPISpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	return data, nil
}

// importAPISpec adds a description's operations to the requests, as
// apiAttacked allows, on the target's scheme, host and port (a
// description often names another server, such as localhost:5000; the
// server's path is kept), says so in the Notes, and returns its GET
// operations as crawl jobs. src names the description; page is the
// Referer of its requests.
func (s *Scanner) importAPISpec(ctx context.Context, spec *apiSpec, src, page string) []job {
	var jobs []job
	attacked := 0
	for _, op := range spec.ops {
		r := op.Request
		u := *r.URL
		u.Scheme, u.Host = s.target.Scheme, s.target.Host
		r.URL, r.Page = normalize(&u), page
		if r.URL == nil || !s.scope.contains(r.URL) || isSignOut(r.URL, "") {
			continue
		}
		if r.Method == http.MethodGet {
			jobs = append(jobs, job{u: r.URL, depth: 1, from: page})
		}
		if apiAttacked(s.cfg.Active, op.Method, op.path, op.id) {
			s.addRequest(r)
			attacked++
		}
	}
	n := fmt.Sprintf("API description %s: %d %s", src, len(spec.ops), plural(len(spec.ops), "operation", "operations"))
	switch s.cfg.Active {
	case ActiveOff:
		n += " (GET operations crawled; none attacked without --active)"
	case ActiveSafe:
		n += fmt.Sprintf(" (%d attacked at --active safe)", attacked)
	case ActiveFull:
		n += fmt.Sprintf(" (%d attacked at --active full)", attacked)
	}
	if spec.more {
		n += fmt.Sprintf("; only the first %d were read", maxAPIOps)
	}
	s.note(n)
	s.log.LogAttrs(ctx, slog.LevelInfo, "api description loaded", slog.String("source", src),
		slog.String("version", spec.version), slog.Int("operations", len(spec.ops)), slog.Int("attacked", attacked))
	return jobs
}
