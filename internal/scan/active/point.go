package active

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Kind is where in a request a Point is.
type Kind string

// Kinds of insertion points.
const (
	Query  Kind = "query"  // a query parameter
	Form   Kind = "form"   // a field of an application/x-www-form-urlencoded body
	JSON   Kind = "json"   // a string or number in a JSON body, by path
	Path   Kind = "path"   // a path segment, by index
	Header Kind = "header" // a request header
	Cookie Kind = "cookie" // a cookie
)

// Point is one insertion point: a request (method, URL, body) and the
// place in it whose value a check replaces.
type Point struct {
	Method string
	URL    *url.URL
	Kind   Kind
	// Name is the parameter, field, header or cookie name; for JSON a
	// path such as "user.name" or "items.0"; for Path the segment index
	// ("2").
	Name string
	// Value is the value found there, which controls reuse.
	Value string
	// Form holds every field of a form body (Kind Form, or another kind
	// of point in a request with a form body).
	Form url.Values
	// Body is a JSON body (Kind JSON, or another kind in a JSON request).
	Body any
	// Header is sent with every request of the point (cookies included).
	Header http.Header
}

// String names the point as findings do: "query:q", "json:user.name".
func (p Point) String() string { return string(p.Kind) + ":" + p.Name }

// Request builds the point's request with value in place of the point's
// value (the other fields and parameters keep theirs).
func (p Point) Request(ctx context.Context, value string) (*http.Request, error) {
	u := *p.URL
	form := cloneValues(p.Form)
	body := p.Body
	hdr := p.Header.Clone()
	if hdr == nil {
		hdr = http.Header{}
	}
	switch p.Kind {
	case Query:
		q := u.Query()
		q.Set(p.Name, value)
		u.RawQuery = q.Encode()
	case Form:
		form.Set(p.Name, value)
	case JSON:
		var err error
		if body, err = setJSON(deepCopy(body), strings.Split(p.Name, "."), value); err != nil {
			return nil, err
		}
	case Path:
		i, err := strconv.Atoi(p.Name)
		segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
		if err != nil || i < 0 || i >= len(segs) {
			return nil, fmt.Errorf("path point %q: no such segment in %q", p.Name, u.Path)
		}
		segs[i] = value
		u.Path = "/" + strings.Join(segs, "/")
		u.RawPath = ""
	case Header:
		hdr.Set(p.Name, value)
	case Cookie:
		hdr.Set("Cookie", setCookie(hdr.Get("Cookie"), p.Name, value))
	default:
		return nil, fmt.Errorf("point kind %q: unknown", p.Kind)
	}
	var rd io.Reader
	switch {
	case form != nil:
		rd = strings.NewReader(form.Encode())
		hdr.Set("Content-Type", "application/x-www-form-urlencoded")
	case body != nil:
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode JSON body: %w", err)
		}
		rd = bytes.NewReader(b)
		hdr.Set("Content-Type", "application/json")
	}
	method := p.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	return req, nil
}

// Points returns the insertion points of a request: every query
// parameter, every form field, every string or number in a JSON body,
// every path segment that looks like a value (digits, or a word after
// a resource name), and the headers and cookies given.
func Points(method string, u *url.URL, form url.Values, body any, hdr http.Header, headers []string) []Point {
	base := Point{Method: method, URL: u, Form: form, Body: body, Header: hdr}
	var ps []Point
	add := func(k Kind, name, value string) {
		p := base
		p.Kind, p.Name, p.Value = k, name, value
		ps = append(ps, p)
	}
	for _, name := range sortedKeys(u.Query()) {
		add(Query, name, u.Query().Get(name))
	}
	for _, name := range sortedKeys(form) {
		add(Form, name, form.Get(name))
	}
	walkJSON(body, nil, func(path []string, v string) { add(JSON, strings.Join(path, "."), v) })
	segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	for i, s := range segs {
		if s != "" && looksLikeValue(s) {
			add(Path, strconv.Itoa(i), s)
		}
	}
	for _, h := range headers {
		add(Header, h, hdr.Get(h))
	}
	if c := hdr.Get("Cookie"); c != "" {
		if cs, err := http.ParseCookie(c); err == nil {
			for _, ck := range cs {
				add(Cookie, ck.Name, ck.Value)
			}
		}
	}
	return ps
}

// looksLikeValue says a path segment is probably a parameter: all digits,
// a UUID-like token, or a file name with an extension.
func looksLikeValue(s string) bool {
	digits := true
	for _, c := range s {
		if c < '0' || c > '9' {
			digits = false
			break
		}
	}
	return digits || (len(s) >= 16 && strings.Count(s, "-") >= 2) || strings.Contains(s, ".")
}

func sortedKeys(v url.Values) []string {
	ks := make([]string, 0, len(v))
	for k := range v {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// maxJSONPoints bounds the points taken from one JSON body.
const maxJSONPoints = 64

func walkJSON(v any, path []string, f func([]string, string)) {
	n := 0
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		if n >= maxJSONPoints || len(path) > 16 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(t[k], append(path[:len(path):len(path)], k))
			}
		case []any:
			for i, e := range t {
				walk(e, append(path[:len(path):len(path)], strconv.Itoa(i)))
			}
		case string:
			n++
			f(path, t)
		case float64, json.Number:
			n++
			f(path, fmt.Sprint(t))
		}
	}
	walk(v, path)
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

func setJSON(v any, path []string, value string) (any, error) {
	if len(path) == 0 {
		return value, nil
	}
	switch t := v.(type) {
	case map[string]any:
		e, ok := t[path[0]]
		if !ok {
			return nil, fmt.Errorf("JSON point: no field %q", path[0])
		}
		nv, err := setJSON(e, path[1:], value)
		if err != nil {
			return nil, err
		}
		t[path[0]] = nv
		return t, nil
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(t) {
			return nil, fmt.Errorf("JSON point: no element %q", path[0])
		}
		nv, err := setJSON(t[i], path[1:], value)
		if err != nil {
			return nil, err
		}
		t[i] = nv
		return t, nil
	}
	return nil, errors.New("JSON point: path goes through a scalar")
}

func setCookie(header, name, value string) string {
	cs, _ := http.ParseCookie(header)
	var parts []string
	found := false
	for _, c := range cs {
		if c.Name == name {
			c.Value, found = value, true
		}
		parts = append(parts, c.Name+"="+c.Value)
	}
	if !found {
		parts = append(parts, name+"="+value)
	}
	return strings.Join(parts, "; ")
}

// Response is what a Sender got back.
type Response struct {
	Status int
	Header http.Header
	// Body is at most the Sender's bound.
	Body []byte
	// Duration is from sending to the end of the body.
	Duration time.Duration
}

// Sender sends one request of a check: the scanner's rate-limited client
// in a scan, a plain client in tests.
type Sender interface {
	Send(ctx context.Context, req *http.Request) (*Response, error)
}

// maxBody bounds what ClientSender reads of a body.
const maxBody = 2 << 20

// ClientSender is a Sender over an http.Client that does not follow
// redirects (a check looks at the redirect itself).
type ClientSender struct{ Client *http.Client }

// Send sends req and reads at most 2 MiB of the body.
func (c ClientSender) Send(ctx context.Context, req *http.Request) (*Response, error) {
	cl := *c.Client
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	start := time.Now()
	resp, err := cl.Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Duration: time.Since(start)}, nil
}
