package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// This file finds GraphQL endpoints (well-known paths, and crawled URLs
// that say graphql), reports an introspection that anyone may run, and
// turns the schema's queries (and, at --active full, mutations) into
// requests whose string arguments are variables: the active checks
// attack the variables, as they attack JSON fields.

// Bounds of the GraphQL discovery.
const (
	// maxGraphQLEndpoints bounds the endpoints a scan introspects.
	maxGraphQLEndpoints = 4
	// maxGraphQLOps bounds the operations taken from one schema.
	maxGraphQLOps = 60
	// maxGraphQLSelect bounds the fields selected from a result type.
	maxGraphQLSelect = 8
	// maxGraphQLTypeDepth bounds the wrappers (non-null, list) of a type.
	maxGraphQLTypeDepth = 8
)

// graphqlPaths are the well-known paths of GraphQL endpoints.
var graphqlPaths = []string{"/graphql", "/api/graphql", "/graphql/v1", "/v1/graphql", "/api/v1/graphql", "/query", "/gql", "/graphiql"}

// graphqlIntrospection asks for what the checks need of the schema.
const graphqlIntrospection = `query IntrospectionQuery { __schema { queryType { name } mutationType { name }
 types { kind name enumValues { name } fields { name args { name type { ...T } } type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }`

var kindGraphQLIntrospection = kind{
	check: "graphql.introspection", title: "GraphQL introspection open to anyone",
	sev: SeverityLow, conf: ConfidenceConfirmed, cwe: 200, owasp: OWASPSecurityMisconfig,
	desc: "The GraphQL endpoint answers the introspection query: anyone can read the whole schema, every query, mutation " +
		"and argument, the internal and admin ones included, which maps the API for an attack.",
	fix: "Turn introspection off in production (or allow it to signed-in developers only), and do not rely on an " +
		"unlisted query staying unknown: check authorization in every resolver.",
	refs: []string{"https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html#introspection-graphiql", cweRef(200)},
}

// gqlTypeRef is a type in an introspection result.
type gqlTypeRef struct {
	Kind   string      `json:"kind"`
	Name   string      `json:"name"`
	OfType *gqlTypeRef `json:"ofType"`
}

type gqlArg struct {
	Name string     `json:"name"`
	Type gqlTypeRef `json:"type"`
}

type gqlField struct {
	Name string     `json:"name"`
	Args []gqlArg   `json:"args"`
	Type gqlTypeRef `json:"type"`
}

type gqlType struct {
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	Fields     []gqlField `json:"fields"`
	EnumValues []struct {
		Name string `json:"name"`
	} `json:"enumValues"`
}

type gqlSchema struct {
	QueryType    *struct{ Name string } `json:"queryType"`
	MutationType *struct{ Name string } `json:"mutationType"`
	Types        []gqlType              `json:"types"`
}

// parseIntrospection reads an introspection answer.
func parseIntrospection(body []byte) (*gqlSchema, error) {
	var r struct {
		Data *struct {
			Schema *gqlSchema `json:"__schema"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("not a GraphQL answer: %w", err)
	}
	if r.Data == nil || r.Data.Schema == nil || r.Data.Schema.QueryType == nil || len(r.Data.Schema.Types) == 0 {
		return nil, errors.New("no schema in the answer")
	}
	return r.Data.Schema, nil
}

// named unwraps non-null and list wrappers; list says there was a list.
func (t gqlTypeRef) named() (n gqlTypeRef, list bool) {
	n = t
	for i := 0; i < maxGraphQLTypeDepth && n.OfType != nil && (n.Kind == "NON_NULL" || n.Kind == "LIST"); i++ {
		if n.Kind == "LIST" {
			list = true
		}
		n = *n.OfType
	}
	return n, list
}

// String writes the type as GraphQL does: [String!]!.
func (t gqlTypeRef) String() string {
	var b strings.Builder
	var write func(t *gqlTypeRef, depth int)
	write = func(t *gqlTypeRef, depth int) {
		switch {
		case t == nil || depth > maxGraphQLTypeDepth:
			b.WriteString("String")
		case t.Kind == "NON_NULL":
			write(t.OfType, depth+1)
			b.WriteString("!")
		case t.Kind == "LIST":
			b.WriteString("[")
			write(t.OfType, depth+1)
			b.WriteString("]")
		default:
			b.WriteString(t.Name)
		}
	}
	write(&t, 0)
	return b.String()
}

// graphqlOps builds one request body per operation: string and ID
// arguments as variables (the insertion points), others as literals;
// fields with a required argument the builder cannot fill are left out.
func graphqlOps(sc *gqlSchema, mutations bool) []map[string]any {
	types := map[string]*gqlType{}
	for i := range sc.Types {
		types[sc.Types[i].Name] = &sc.Types[i]
	}
	var out []map[string]any
	build := func(op, typeName string) {
		t := types[typeName]
		if t == nil {
			return
		}
		for _, f := range t.Fields {
			if len(out) >= maxGraphQLOps {
				return
			}
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if body, ok := graphqlOp(op, f, types); ok {
				out = append(out, body)
			}
		}
	}
	build("query", sc.QueryType.Name)
	if mutations && sc.MutationType != nil {
		build("mutation", sc.MutationType.Name)
	}
	return out
}

// graphqlOp is the request body of one field of the query or mutation
// type.
func graphqlOp(op string, f gqlField, types map[string]*gqlType) (map[string]any, bool) {
	var decls, args []string
	vars := map[string]any{}
	for _, a := range f.Args {
		n, list := a.Type.named()
		required := a.Type.Kind == "NON_NULL"
		switch {
		case list:
			if required {
				return nil, false
			}
		case n.Kind == "SCALAR" && (n.Name == "String" || n.Name == "ID"):
			v := a.Name // a GraphQL name: a variable's name too
			decls = append(decls, "$"+v+": "+a.Type.String())
			args = append(args, a.Name+": $"+v)
			vars[v] = graphqlExample(a.Name, n.Name)
		case n.Kind == "SCALAR" && (n.Name == "Int" || n.Name == "Float"):
			args = append(args, a.Name+": 1")
		case n.Kind == "SCALAR" && n.Name == "Boolean":
			args = append(args, a.Name+": true")
		case n.Kind == "ENUM":
			if et := types[n.Name]; et != nil && len(et.EnumValues) > 0 {
				args = append(args, a.Name+": "+et.EnumValues[0].Name)
			} else if required {
				return nil, false
			}
		default:
			if required {
				return nil, false // an input object or a custom scalar
			}
		}
	}
	sel := graphqlSelection(f.Type, types)
	var q strings.Builder
	q.WriteString(op + " Rampart")
	if len(decls) > 0 {
		q.WriteString("(" + strings.Join(decls, ", ") + ")")
	}
	q.WriteString(" { " + f.Name)
	if len(args) > 0 {
		q.WriteString("(" + strings.Join(args, ", ") + ")")
	}
	q.WriteString(sel + " }")
	return map[string]any{"query": q.String(), "variables": vars}, true
}

// graphqlSelection selects the scalar fields of an object result (or
// __typename): a query without a selection of an object is invalid.
func graphqlSelection(t gqlTypeRef, types map[string]*gqlType) string {
	n, _ := t.named()
	switch n.Kind {
	case "OBJECT", "INTERFACE":
	case "UNION":
		return " { __typename }"
	default:
		return ""
	}
	var names []string
	if ot := types[n.Name]; ot != nil {
		for _, f := range ot.Fields {
			if len(names) >= maxGraphQLSelect {
				break
			}
			fn, _ := f.Type.named()
			required := slices.ContainsFunc(f.Args, func(a gqlArg) bool { return a.Type.Kind == "NON_NULL" })
			if (fn.Kind == "SCALAR" || fn.Kind == "ENUM") && !required {
				names = append(names, f.Name)
			}
		}
	}
	if len(names) == 0 {
		names = []string{"__typename"}
	}
	return " { " + strings.Join(names, " ") + " }"
}

// graphqlExample is the value a string argument gets: an ID looks like
// one.
func graphqlExample(name, typ string) string {
	l := strings.ToLower(name)
	if typ == "ID" || l == "id" || strings.HasSuffix(l, "id") {
		return "1"
	}
	return "test"
}

// graphqlProbe answers whether u is a GraphQL endpoint: a POST of
// {__typename} gets data back.
func (s *Scanner) graphqlProbe(ctx context.Context, u *url.URL) bool {
	resp, err := s.graphqlPost(ctx, u, map[string]any{"query": "query { __typename }"})
	if err != nil || resp.Status >= 500 {
		return false
	}
	var r struct {
		Data map[string]any `json:"data"`
	}
	return json.Unmarshal(resp.Body, &r) == nil && r.Data != nil && r.Data["__typename"] != nil
}

func (s *Scanner) graphqlPost(ctx context.Context, u *url.URL, body map[string]any) (*response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return s.sendSignedIn(req)
}

// loadGraphQL finds the GraphQL endpoints of the target (the well-known
// paths and crawled URLs with "graphql" in their path), introspects them
// and adds their operations to the Requests.
func (s *Scanner) loadGraphQL(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	cands := map[string]*url.URL{}
	for _, p := range graphqlPaths {
		u := &url.URL{Scheme: s.target.Scheme, Host: s.target.Host, Path: p}
		cands[u.String()] = u
	}
	for _, pg := range s.Pages() {
		if pg.u != nil && strings.Contains(strings.ToLower(pg.u.Path), "graphql") {
			u := *pg.u
			u.RawQuery, u.Fragment = "", ""
			cands[u.String()] = &u
		}
	}
	// Endpoints the pages' scripts sent GraphQL to (--browser).
	s.mu.Lock()
	for _, r := range s.apiReqs {
		if m, ok := r.JSON.(map[string]any); ok && graphqlBody(m) {
			u := *r.URL
			u.RawQuery, u.Fragment = "", ""
			cands[u.String()] = &u
		}
	}
	s.mu.Unlock()
	var mu sync.Mutex
	var found []*url.URL
	var wg sync.WaitGroup
	for _, u := range cands {
		if !s.scope.contains(u) || !s.robots.allowed(u.RequestURI()) || isSignOut(u, "") {
			continue
		}
		wg.Go(func() {
			if s.graphqlProbe(ctx, u) {
				mu.Lock()
				found = append(found, u)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(found, func(a, b *url.URL) int { return strings.Compare(a.String(), b.String()) })
	if len(found) > maxGraphQLEndpoints {
		found = found[:maxGraphQLEndpoints]
	}
	for _, u := range found {
		s.introspect(ctx, u)
	}
}

// introspect asks u for its schema, reports an open introspection and
// adds the schema's operations to the Requests.
func (s *Scanner) introspect(ctx context.Context, u *url.URL) {
	body := map[string]any{"query": graphqlIntrospection}
	resp, err := s.graphqlPost(ctx, u, body)
	if err != nil {
		return
	}
	if resp.Truncated {
		s.note(fmt.Sprintf("GraphQL endpoint %s: its schema is larger than the %d MiB the scan reads of an answer, so its operations were not scanned", u, maxBody>>20))
		return
	}
	sc, err := parseIntrospection(resp.Body)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelDebug, "graphql endpoint without introspection", slog.String("url", u.String()), slog.Any("err", err))
		s.note(fmt.Sprintf("GraphQL endpoint %s: introspection is off, so its operations were not scanned", u))
		return
	}
	if s.anonymousIntrospection(ctx, u) {
		p := &Page{URL: u.String(), Method: http.MethodPost, Status: resp.Status, Header: resp.Header, Body: resp.Body, u: u, reqHead: resp.ReqHeader}
		s.reportIntrospection(p, resp, sc)
	}
	s.addGraphQLOps(u, sc)
}

// anonymousIntrospection says u answers the introspection query without
// the scan's credentials (an authenticated scan's schema may be meant
// for signed-in developers).
func (s *Scanner) anonymousIntrospection(ctx context.Context, u *url.URL) bool {
	if len(s.cfg.Header) == 0 && len(s.cfg.Cookies) == 0 && s.cfg.Login == nil {
		return true
	}
	b, err := json.Marshal(map[string]any{"query": graphqlIntrospection})
	if err != nil {
		return false
	}
	req, err := http.NewRequestWithContext(withOwnCookies(ctx), http.MethodPost, u.String(), bytes.NewReader(b))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	for k := range s.cfg.Header {
		req.Header[k] = []string{""} // set, so the client adds none of the scan's
	}
	resp, err := s.client.do(req)
	if err != nil {
		return false
	}
	_, err = parseIntrospection(resp.Body)
	return err == nil
}

// reportIntrospection reports an introspection open to anyone.
func (s *Scanner) reportIntrospection(p *Page, resp *response, sc *gqlSchema) {
	s.report(kindGraphQLIntrospection.at(p, "", Evidence{
		Request:  "POST " + p.URL + "\nContent-Type: application/json\n\n{\"query\": \"query IntrospectionQuery { __schema { ... } }\"}",
		Response: fmt.Sprintf("HTTP %d\n%s", resp.Status, snippet(resp.Body, 0, 300)),
		Detail:   fmt.Sprintf("The introspection query, sent without the scan's credentials, returned the schema: %d types.", len(sc.Types)),
	}), false)
}

// addGraphQLOps adds the operations of u's schema to the Requests.
func (s *Scanner) addGraphQLOps(u *url.URL, sc *gqlSchema) {
	if s.cfg.Active == ActiveOff {
		return
	}
	ops := graphqlOps(sc, s.cfg.Active == ActiveFull)
	for _, op := range ops {
		s.addRequest(Request{Method: http.MethodPost, URL: u, JSON: op, Enctype: "application/json", Page: u.String(), Fixed: []string{"query"}})
	}
	what := "queries"
	if s.cfg.Active == ActiveFull {
		what = "queries and mutations"
	}
	s.note(fmt.Sprintf("GraphQL endpoint %s: %d %s scanned", u, len(ops), what))
}

// graphqlBody says a JSON body is a GraphQL request: a query string.
func graphqlBody(m map[string]any) bool {
	q, ok := m["query"].(string)
	if !ok {
		return false
	}
	q = strings.TrimSpace(q)
	return strings.HasPrefix(q, "{") || strings.HasPrefix(q, "query") || strings.HasPrefix(q, "mutation") || strings.HasPrefix(q, "subscription")
}

// graphqlMutation says a GraphQL request body changes data.
func graphqlMutation(m map[string]any) bool {
	q, _ := m["query"].(string)
	return strings.HasPrefix(strings.TrimSpace(q), "mutation")
}
