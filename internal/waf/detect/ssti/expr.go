package ssti

import "strings"

// Token kinds.
const (
	tIdent = iota + 1
	tNumber
	tString
	tBacktick
	tPunct
)

// token is one token of a template expression at offset off; space says
// blanks come before it (".Count" after a blank is an argument, not a
// member).
type token struct {
	kind  uint8
	space bool
	off   int
	text  string
}

// chunk is how many tokens are judged at a time; overlap how many of them
// are judged again with the next chunk, so a pattern on the border is
// whole in one of them.
const (
	chunk   = 32
	overlap = 6
)

// features tokenizes s a chunk at a time and returns the features of all.
func features(s string) int {
	var buf [chunk]token
	f := 0
	for pos := 0; pos < len(s); {
		toks := tokenize(s[pos:], buf[:0])
		f |= analyse(toks)
		if len(toks) < chunk {
			break
		}
		pos += toks[chunk-overlap].off
	}
	return f
}

// tokenize appends the tokens of s to toks, up to its capacity. The
// languages differ, but their expressions share C-like lexemes: names
// (with '$' and '_'), numbers, quoted strings, operators.
func tokenize(s string, toks []token) []token {
	space := false
	for i := 0; i < len(s) && len(toks) < cap(toks); {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			i++
			space = true
			continue
		}
		n := len(toks)
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			kind := uint8(tString)
			if c == '`' {
				kind = tBacktick
			}
			toks = append(toks, token{kind: kind, text: s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (isDigit(s[j]) || s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]) || s[j] == '_' || s[j]|0x20 == 'x' || s[j]|0x20 >= 'a' && s[j]|0x20 <= 'f') {
				j++
			}
			toks = append(toks, token{kind: tNumber, text: s[i:j]})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && (isIdentStart(s[j]) || isDigit(s[j])) {
				j++
			}
			toks = append(toks, token{kind: tIdent, text: s[i:j]})
			i = j
		default:
			w := 1
			for _, op := range [...]string{"**", "//", "==", "!=", "<=", ">=", "&&", "||", "?.", "::", "->", ".."} {
				if strings.HasPrefix(s[i:], op) {
					w = len(op)
					break
				}
			}
			toks = append(toks, token{kind: tPunct, text: s[i : i+w]})
			i += w
		}
		toks[n].space, toks[n].off = space, i-len(toks[n].text)
		space = false
	}
	return toks
}

// Expression features.
const (
	fArith       = 1 << iota // literal arithmetic: 7*7, 7*'7'
	fDunder                  // Python internals: __class__, '__globals__'
	fSink                    // a code-execution or reflection sink used
	fChain                   // a method call on something: a.b(), f().x
	fCall                    // a plain function call: f('x')
	fLitMember               // a member of a literal: ''.__class__, "x".join
	fBuiltin                 // FreeMarker ?new, ?api, ?eval
	fStatic                  // T(java.lang.Runtime), @java.lang.Math@max(), new java.x.Y()
	fBacktick                // a shell command in backticks
	fGlobal                  // a template engine's global: config, self, _self, request
	fCompute                 // arithmetic on names: a + 1 (weak)
	fGlobalChain             // a member chain into an engine global: app.request.server, request.args|join(',')
	fRange                   // a range of literals: 1..3, 0..<5 (FreeMarker, Twig)
)

// isSink reports names through which a template expression runs code or
// reaches the runtime: process execution, eval, reflection, imports, and
// the objects template-injection payloads start from. A switch, which
// compiles to a binary search.
func isSink(s string) bool {
	switch s {
	case "exec", "system", "popen", "eval", "spawn", "execSync", "spawnSync", "passthru", "shell_exec",
		"proc_open", "assert", "getRuntime", "forName", "getClass", "getMethod", "getDeclaredMethod",
		"invoke", "newInstance", "ProcessBuilder", "Runtime", "Process", "subprocess", "__import__",
		"import", "require", "getattr", "globals", "builtins", "subclasses", "mro", "registerUndefinedFilterCallback",
		"getFilter", "Execute", "ObjectConstructor", "JythonRuntime", "constructor", "prototype",
		"child_process", "mainModule", "loadClass", "getClassLoader", "classLoader", "inspect",
		"file_get_contents", "readfile", "fopen", "phpinfo", "popen2", "check_output", "getenv",
		"environ", "_memberAccess", "getEngineByName", "freemarker":
		return true
	}
	return false
}

// isGlobal reports objects of template engines that expose the
// application: Flask's config and request, Jinja's self and helpers,
// Twig's _self and app.
func isGlobal(s string) bool {
	switch s {
	case "config", "self", "_self", "request", "settings", "lipsum", "cycler", "joiner", "namespace", "app", "_context":
		return true
	}
	return false
}

// analyse returns the features of the tokens of one expression.
func analyse(toks []token) int {
	at := func(i int) token {
		if i >= 0 && i < len(toks) {
			return toks[i]
		}
		return token{}
	}
	f := 0
	for i, t := range toks {
		switch t.kind {
		case tIdent:
			name := strings.TrimLeft(t.text, "$")
			switch {
			case len(name) > 4 && strings.HasPrefix(name, "__") && strings.HasSuffix(name, "__"):
				f |= fDunder
			case isSink(name):
				if p := at(i + 1); isPunct(p, "(", ".", "[") || isPunct(at(i-1), ".", "?", "@") || at(i-1).kind == tIdent && at(i-1).text == "new" {
					f |= fSink
				}
			case i == 0 && isGlobal(name):
				f |= fGlobal
			}
			if isGlobal(name) && !isPunct(at(i-1), ".", "?.", "->", "::", "|", "?", "@") && globalChain(toks, i) {
				f |= fGlobalChain
			}
			if name == "T" && isPunct(at(i+1), "(") && at(i+2).kind == tIdent && isPunct(at(i+3), ".") {
				f |= fStatic // Spring EL T(java.lang.Runtime)
			}
			if name == "new" && at(i+1).kind == tIdent && isPunct(at(i+2), ".") && at(i+3).kind == tIdent {
				f |= fStatic // new java.lang.ProcessBuilder(...)
			}
			if isPunct(at(i+1), "(") {
				if isPunct(at(i-1), ".", "?.", "->", "::") {
					f |= fChain
				} else {
					f |= fCall
				}
			}
			if isPunct(at(i-1), "?") && (name == "new" || name == "api" || name == "eval" || name == "interpret") {
				f |= fBuiltin
			}
			if name == "attr" && isPunct(at(i-1), "|") && isPunct(at(i+1), "(") {
				f |= fSink // Jinja's |attr('...') reads any attribute by name
			}
		case tNumber:
			if isArith(at(i+1)) && (at(i+2).kind == tNumber || at(i+2).kind == tString && isPunct(at(i+1), "*")) && !isPunct(at(i+3), "(", ".") {
				f |= fArith
			}
			if isArith(at(i+1)) && at(i+2).kind == tIdent || isArith(at(i-1)) && at(i-2).kind == tIdent {
				f |= fCompute
			}
			if isPunct(at(i+1), "..") && (at(i+2).kind == tNumber || isPunct(at(i+2), "<", "!", "*") && at(i+3).kind == tNumber) {
				f |= fRange // 1..3, 0..<5, 1..!5, 1..*3
			}
		case tString:
			if strings.Contains(t.text, "__") && dunderIn(t.text) {
				f |= fDunder
			}
			if strings.Contains(t.text, "freemarker.template") || strings.Contains(t.text, "java.lang.Runtime") || strings.Contains(t.text, "java.lang.ProcessBuilder") {
				f |= fSink
			}
			if len(t.text) > 2 && isSink(t.text[1:len(t.text)-1]) {
				f |= fSink // a sink named in a string: filter('system'), getFilter("exec")
			}
			if isPunct(at(i+1), "*") && at(i+2).kind == tNumber {
				f |= fArith
			}
			if isPunct(at(i+1), ".") && !at(i+1).space && at(i+2).kind == tIdent {
				f |= fLitMember
			}
		case tBacktick:
			f |= fBacktick
		case tPunct:
			switch t.text {
			case ")":
				if isPunct(at(i+1), "(") || isPunct(at(i+1), ".") && at(i+2).kind == tIdent && isPunct(at(i+3), "(") {
					f |= fChain
				}
			case "]":
				if isPunct(at(i+1), "(") {
					f |= fChain
				}
			case "@":
				// OGNL static access: @java.lang.Runtime@getRuntime()
				if at(i+1).kind == tIdent && isPunct(at(i+2), ".") {
					for j := i + 3; j < len(toks) && j < i+24; j++ {
						if isPunct(toks[j], "@") {
							f |= fStatic
							break
						}
					}
				}
			}
		}
	}
	// "().__class__": an empty tuple or list whose members are read.
	for i := 0; i+2 < len(toks); i++ {
		if (isPunct(toks[i], "(") && isPunct(toks[i+1], ")") || isPunct(toks[i], "[") && isPunct(toks[i+1], "]")) && isPunct(toks[i+2], ".") {
			f |= fLitMember
		}
	}
	return f
}

// globalChain reports whether the engine global at toks[i] starts a chain
// that reaches into the application's internals: a member chain through a
// sensitive object ("app.request.server", "_self.env.cache",
// "app['request']['cookies']"), or a member handed to a filter that runs a
// callable ("request.args|filter('system')"). Placeholders pass, however
// deep: "request.user.username", "request.path|default('/')".
func globalChain(toks []token, i int) bool {
	members, sensitive := 0, false
	j := i + 1
	for {
		switch {
		case j+1 < len(toks) && isPunct(toks[j], ".") && toks[j+1].kind == tIdent:
			sensitive = sensitive || isSensitiveMember(toks[j+1].text)
			j += 2
		case j+2 < len(toks) && isPunct(toks[j], "[") && toks[j+1].kind == tString && isPunct(toks[j+2], "]"):
			sensitive = sensitive || isSensitiveMember(strings.Trim(toks[j+1].text, `'"`))
			j += 3
		default:
			if members == 0 {
				return false
			}
			if sensitive {
				return true
			}
			// Then filters: "|filter('system')", "|map('passthru')".
			for ; j+1 < len(toks) && isPunct(toks[j], "|") && toks[j+1].kind == tIdent; j += 2 {
				if j+2 < len(toks) && isPunct(toks[j+2], "(") && isCallableFilter(toks[j+1].text) {
					return true
				}
			}
			return false
		}
		members++
	}
}

// isSensitiveMember names the objects behind an engine global that hold the
// server's environment, secrets or code rather than a page's data.
func isSensitiveMember(name string) bool {
	switch strings.ToLower(name) {
	case "server", "env", "environ", "environment", "cookies", "headers", "session", "files",
		"application", "globals", "settings", "config", "os", "sys", "cache", "loader",
		"registerundefinedfiltercallback", "getfilter", "servletcontext", "runtime":
		return true
	}
	return false
}

// isCallableFilter names Twig filters that call what they are given.
func isCallableFilter(name string) bool {
	switch name {
	case "filter", "map", "reduce", "sort":
		return true
	}
	return false
}

// dunderIn reports a "__name__" inside a string literal.
func dunderIn(s string) bool {
	for i := strings.Index(s, "__"); i >= 0; {
		j := i + 2
		for j < len(s) && isIdentStart(s[j]) && s[j] != '_' {
			j++
		}
		if j > i+2 && strings.HasPrefix(s[j:], "__") {
			return true
		}
		k := strings.Index(s[j:], "__")
		if k < 0 {
			return false
		}
		i = j + k
	}
	return false
}

func isArith(t token) bool {
	return isPunct(t, "*", "+", "-", "/", "%", "**", "//")
}

func isPunct(t token, ops ...string) bool {
	if t.kind != tPunct {
		return false
	}
	for _, op := range ops {
		if t.text == op {
			return true
		}
	}
	return false
}

func isIdentStart(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_' || c == '$' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
