package scan

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graphql-go/graphql"
)

// graphqlApp is a GraphQL API on a real GraphQL server (graphql-go) and
// SQLite: pastes(filter) builds its SQL by concatenation unless fixed,
// and the importPaste mutation fetches any URL (SSRF). With
// noIntrospection, a query about __schema is refused; with introAuth, it
// is refused without the developers' bearer token.
func graphqlApp(t *testing.T, fixed, noIntrospection, introAuth bool, imports *atomic.Int64) http.Handler {
	t.Helper()
	db := testDB(t, `CREATE TABLE IF NOT EXISTS pastes (id INTEGER PRIMARY KEY, title TEXT, content TEXT);
		INSERT OR IGNORE INTO pastes VALUES (1, 'test', 'hello'), (2, 'notes', 'world');`)
	paste := graphql.NewObject(graphql.ObjectConfig{Name: "Paste", Fields: graphql.Fields{
		"id": &graphql.Field{Type: graphql.ID}, "title": &graphql.Field{Type: graphql.String}, "content": &graphql.Field{Type: graphql.String},
	}})
	query := graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: graphql.Fields{
		"pastes": &graphql.Field{
			Type: graphql.NewList(paste),
			Args: graphql.FieldConfigArgument{"filter": &graphql.ArgumentConfig{Type: graphql.String}, "limit": &graphql.ArgumentConfig{Type: graphql.Int}},
			Resolve: func(p graphql.ResolveParams) (any, error) {
				filter, _ := p.Args["filter"].(string)
				var rows *sql.Rows
				var err error
				if fixed {
					rows, err = db.Query("SELECT id, title, content FROM pastes WHERE title = ?", filter)
				} else {
					rows, err = db.Query("SELECT id, title, content FROM pastes WHERE title = '" + filter + "'") // the flaw
				}
				if err != nil {
					return nil, err // graphql-go puts the message in "errors"
				}
				defer rows.Close()
				var out []map[string]any
				for rows.Next() {
					var id int
					var title, content string
					if err := rows.Scan(&id, &title, &content); err == nil {
						out = append(out, map[string]any{"id": id, "title": title, "content": content})
					}
				}
				return out, nil
			},
		},
	}})
	mutation := graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: graphql.Fields{
		"importPaste": &graphql.Field{
			Type: graphql.String,
			Args: graphql.FieldConfigArgument{"url": &graphql.ArgumentConfig{Type: graphql.NewNonNull(graphql.String)}},
			Resolve: func(p graphql.ResolveParams) (any, error) {
				imports.Add(1)
				u, _ := p.Args["url"].(string)
				if fixed && !strings.HasPrefix(u, "https://pastebin.example/") {
					return nil, fmt.Errorf("only pastebin.example")
				}
				req, err := http.NewRequest(http.MethodGet, u, nil)
				if err != nil {
					return nil, err
				}
				req.Header.Set("User-Agent", "paste-importer/1")
				resp, err := (&http.Client{Timeout: time.Second}).Do(req)
				if err != nil {
					return nil, err
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
				return string(b), nil
			},
		},
	}})
	schema, err := graphql.NewSchema(graphql.SchemaConfig{Query: query, Mutation: mutation})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, htmlPage(`<p>Pastes</p>`))
	})
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if strings.Contains(body.Query, "__schema") && (noIntrospection || (introAuth && r.Header.Get("Authorization") != "Bearer dev-token")) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"errors":[{"message":"introspection is disabled"}]}`)
			return
		}
		res := graphql.Do(graphql.Params{Schema: schema, RequestString: body.Query, VariableValues: body.Variables, Context: r.Context()})
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(res)
	})
	return mux
}

func TestGraphQLScan(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		fixed, noIntro         bool
		level                  Active
		intro, sqli, ssrf, imp bool
	}{
		{"flawed, safe", false, false, ActiveSafe, true, true, false, false},
		{"flawed, full", false, false, ActiveFull, true, true, true, true},
		{"fixed, full", true, false, ActiveFull, true, false, false, true},
		{"no introspection", false, true, ActiveSafe, false, false, false, false},
		{"introspection for developers only", false, false, ActiveSafe, false, true, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var imports atomic.Int64
			devOnly := strings.HasPrefix(tt.name, "introspection for developers")
			cfg := fastConfig(serve(t, graphqlApp(t, tt.fixed, tt.noIntro, devOnly, &imports)))
			if devOnly {
				cfg.Header = http.Header{"Authorization": {"Bearer dev-token"}}
			}
			cfg.Active = tt.level
			cfg.ActiveDelay = 200 * time.Millisecond
			rep := runScan(t, cfg)
			sqli := false
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.Check, "sqli.") {
					sqli = true
					if f.Parameter != "json:variables.filter" {
						t.Errorf("sqli on %q, want json:variables.filter", f.Parameter)
					}
				}
				if f.Parameter == "json:query" {
					t.Errorf("%s on the GraphQL query itself, which is not attacked", f.Check)
				}
			}
			if got := len(find(rep, "graphql.introspection")) > 0; got != tt.intro {
				t.Errorf("graphql.introspection = %v, want %v; findings %v", got, tt.intro, checks(rep))
			}
			if sqli != tt.sqli {
				t.Errorf("sqli = %v, want %v; findings %v", sqli, tt.sqli, checks(rep))
			}
			if got := len(find(rep, "ssrf")) > 0; got != tt.ssrf {
				t.Errorf("ssrf = %v, want %v; findings %v", got, tt.ssrf, checks(rep))
			}
			if got := imports.Load() > 0; got != tt.imp {
				t.Errorf("the importPaste mutation was called %d times; want calls = %v", imports.Load(), tt.imp)
			}
			if tt.noIntro && !contains(rep.Notes, "introspection is off") {
				t.Errorf("notes %q: want one saying introspection is off", rep.Notes)
			}
		})
	}
}

func TestGraphQLOps(t *testing.T) {
	sc, err := parseIntrospection([]byte(`{"data":{"__schema":{"queryType":{"name":"Query"},"mutationType":null,"types":[
	{"kind":"OBJECT","name":"Query","fields":[
	  {"name":"user","args":[{"name":"id","type":{"kind":"NON_NULL","ofType":{"kind":"SCALAR","name":"ID"}}}],"type":{"kind":"OBJECT","name":"User"}},
	  {"name":"search","args":[{"name":"q","type":{"kind":"SCALAR","name":"String"}},{"name":"first","type":{"kind":"SCALAR","name":"Int"}},{"name":"order","type":{"kind":"ENUM","name":"Order"}}],"type":{"kind":"LIST","ofType":{"kind":"UNION","name":"Result"}}},
	  {"name":"filtered","args":[{"name":"where","type":{"kind":"NON_NULL","ofType":{"kind":"INPUT_OBJECT","name":"Where"}}}],"type":{"kind":"SCALAR","name":"String"}},
	  {"name":"__internal","args":[],"type":{"kind":"SCALAR","name":"String"}}]},
	{"kind":"OBJECT","name":"User","fields":[{"name":"id","args":[],"type":{"kind":"SCALAR","name":"ID"}},{"name":"friends","args":[],"type":{"kind":"LIST","ofType":{"kind":"OBJECT","name":"User"}}},{"name":"name","args":[],"type":{"kind":"SCALAR","name":"String"}}]},
	{"kind":"ENUM","name":"Order","enumValues":[{"name":"ASC"},{"name":"DESC"}]}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	ops := graphqlOps(sc, false)
	var qs []string
	for _, op := range ops {
		qs = append(qs, op["query"].(string))
	}
	want := []string{
		"query Rampart($id: ID!) { user(id: $id) { id name } }",
		"query Rampart($q: String) { search(q: $q, first: 1, order: ASC) { __typename } }",
	}
	if strings.Join(qs, "\n") != strings.Join(want, "\n") {
		t.Errorf("operations:\n%s\nwant:\n%s", strings.Join(qs, "\n"), strings.Join(want, "\n"))
	}
	if v := ops[0]["variables"].(map[string]any)["id"]; v != "1" {
		t.Errorf("the ID variable is %v, want 1", v)
	}
	for _, bad := range []string{`{}`, `{"data":{}}`, `{"data":{"__schema":{"types":[]}}}`, `[1]`, `x`} {
		if _, err := parseIntrospection([]byte(bad)); err == nil {
			t.Errorf("parseIntrospection(%s): no error", bad)
		}
	}
}

// FuzzGraphQLSchema: an introspection answer from the target never makes
// the builder panic, loop or build more than its bound.
func FuzzGraphQLSchema(f *testing.F) {
	f.Add([]byte(`{"data":{"__schema":{"queryType":{"name":"Q"},"types":[{"kind":"OBJECT","name":"Q","fields":[{"name":"a","args":[{"name":"x","type":{"kind":"NON_NULL","ofType":{"kind":"LIST","ofType":{"kind":"SCALAR","name":"String"}}}}],"type":{"kind":"OBJECT","name":"Q"}}]}]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		sc, err := parseIntrospection(b)
		if err != nil {
			return
		}
		if ops := graphqlOps(sc, true); len(ops) > maxGraphQLOps {
			t.Fatalf("%d operations", len(ops))
		}
	})
}
