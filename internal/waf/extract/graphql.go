package extract

import (
	"strings"

	"rampart/internal/waf/detect"
)

// graphQLArg handles a query argument named "query", which GraphQL
// servers read over GET: percent-decoded once, it may be a GraphQL
// document.
func (x *extractor) graphQLArg(raw string) {
	q := x.unescape(raw)
	x.graphQL(q, detect.KindQuery)
	// A client that encodes the document once more still asks for what
	// it asks for: look for introspection under up to two more layers.
	for layer := 0; layer < 2 && strings.IndexByte(q, '%') >= 0 && !x.facts.GraphQLIntrospection; layer++ {
		q = x.unescape(q)
		if introspection(q) {
			x.facts.GraphQLIntrospection = true
		}
	}
}

// graphQL adds the string literals of the GraphQL document q as targets of
// kind k located at graphql:name, where name is the argument or variable
// the literal is given to, when q looks like GraphQL. The document itself
// is a target already (the body, a JSON value, a query argument).
func (x *extractor) graphQL(q string, k detect.Kind) {
	if introspection(q) {
		x.facts.GraphQLIntrospection = true
	}
	if !looksGraphQL(q) {
		return
	}
	x.facts.GraphQL = true
	name := ""
	for i := 0; i < len(q) && !x.full(); {
		c := q[i]
		switch {
		case c == '#':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '"':
			var lit string
			lit, i = graphQLString(q, i)
			if lit != "" {
				loc := "graphql"
				if name != "" {
					loc = x.loc("graphql", name)
				}
				x.add(k, name, loc, lit)
			}
		case c == '_' || isAlnum(c):
			j := i
			for j < len(q) && (q[j] == '_' || isAlnum(q[j])) {
				j++
			}
			name = q[i:j]
			i = j
		default:
			i++
		}
	}
}

// graphQLString reads the string (or block string) that starts at q[i]
// and returns its raw content, escapes kept, and the index after it.
func graphQLString(q string, i int) (string, int) {
	if strings.HasPrefix(q[i:], `"""`) {
		start := i + 3
		for j := start; j < len(q); j++ {
			if q[j] == '\\' && strings.HasPrefix(q[j:], `\"""`) {
				j += 3
				continue
			}
			if strings.HasPrefix(q[j:], `"""`) {
				return q[start:j], j + 3
			}
		}
		return q[start:], len(q)
	}
	j := i + 1
	for j < len(q) && q[j] != '"' && q[j] != '\n' {
		if q[j] == '\\' {
			j++
		}
		j++
	}
	j = min(j, len(q))
	return q[i+1 : j], min(j+1, len(q))
}

// looksGraphQL reports whether q could be a GraphQL document: it starts
// (after spaces) with '{' or a name, and has braces.
// introspection reports whether q selects the GraphQL introspection
// fields __schema or __type (not __typename, which clients add to every
// query).
func introspection(q string) bool {
	for _, f := range [...]string{"__schema", "__type"} {
		for i := 0; i < len(q); {
			k := strings.Index(q[i:], f)
			if k < 0 {
				break
			}
			k += i
			e := k + len(f)
			i = e
			if k > 0 && isIdent(q[k-1]) || e < len(q) && isIdent(q[e]) {
				continue
			}
			return true
		}
	}
	return false
}

func isIdent(c byte) bool { return c == '_' || isAlnum(c) }

func looksGraphQL(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n,")
	if q == "" || !(q[0] == '{' || q[0] == '_' || isAlnum(q[0])) {
		return false
	}
	return strings.IndexByte(q, '{') >= 0 && strings.IndexByte(q, '}') >= 0
}
