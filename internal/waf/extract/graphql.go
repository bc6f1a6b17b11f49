package extract

import (
	"strings"

	"rampart/internal/waf/detect"
)

// graphQLArg handles a query argument named "query", which GraphQL
// servers read over GET: percent-decoded once, it may be a GraphQL
// document.
func (x *extractor) graphQLArg(raw string) {
	x.graphQL(x.unescape(raw), detect.KindQuery)
}

// graphQL adds the string literals of the GraphQL document q as targets of
// kind k located at graphql:name, where name is the argument or variable
// the literal is given to, when q looks like GraphQL. The document itself
// is a target already (the body, a JSON value, a query argument).
func (x *extractor) graphQL(q string, k detect.Kind) {
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
func looksGraphQL(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n,")
	if q == "" || !(q[0] == '{' || q[0] == '_' || isAlnum(q[0])) {
		return false
	}
	return strings.IndexByte(q, '{') >= 0 && strings.IndexByte(q, '}') >= 0
}
