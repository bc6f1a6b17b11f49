package cmdi

import "strings"

// Functions that run a shell command, by the language they come from.
// Unqualified names are PHP's (and Perl's); the qualified ones need their
// module before them (os.system, subprocess.call, child_process.exec).
const (
	fnNone     = iota
	fnExec     // system, passthru, shell_exec, exec, popen, proc_open, pcntl_exec
	fnModule   // os.system, subprocess.*, child_process.*, pty.spawn
	fnEval     // eval, assert, create_function
	fnInfo     // phpinfo
	fnImport   // __import__
	fnRuntime  // Runtime.getRuntime
	fnRequire  // require('child_process')
	fnDecoder  // base64_decode, str_rot13, gzinflate ... as an argument
	fnProcessB // new ProcessBuilder
	fnIEX      // PowerShell IEX(...), Invoke-Expression(...)
)

// modules whose functions run commands.
var execModules = [...]string{"os", "subprocess", "child_process", "pty", "commands", "kernel", "io", "process"}

func funcKind(name, qual string) int {
	n := strings.ToLower(name)
	if qual != "" {
		q := strings.ToLower(qual)
		for _, m := range execModules {
			if q != m {
				continue
			}
			switch n {
			case "system", "popen", "popen2", "popen3", "execl", "execlp", "execv", "execve", "execvp", "spawnl", "spawnv",
				"call", "run", "check_output", "check_call", "getoutput", "getstatusoutput",
				"exec", "execsync", "spawn", "spawnsync", "execfile", "execfilesync", "fork":
				return fnModule
			}
		}
		if n == "getruntime" {
			return fnRuntime
		}
		return fnNone
	}
	switch n {
	case "system", "passthru", "shell_exec", "exec", "popen", "proc_open", "pcntl_exec", "expect_popen":
		return fnExec
	case "eval", "assert", "create_function":
		return fnEval
	case "phpinfo":
		return fnInfo
	case "__import__":
		return fnImport
	case "require":
		return fnRequire
	case "base64_decode", "str_rot13", "gzinflate", "gzuncompress", "gzdecode", "hex2bin", "convert_uudecode":
		return fnDecoder
	case "processbuilder":
		return fnProcessB
	case "iex":
		return fnIEX
	}
	return fnNone
}

// code records interpreter code that runs commands: Shellshock function
// definitions, unsafe YAML tags, calls of exec functions, and ASP/VBScript
// shells.
func (d *Detector) code(v string, best *finding) {
	t := strings.TrimLeft(v, " \t\r\n'\"")
	if strings.HasPrefix(t, "()") {
		// () { body; }; command — the function definition bash < 4.3
		// imported from the environment, running what followed it.
		r := strings.TrimLeft(t[2:], " \t")
		if k := strings.IndexByte(r[:min(len(r), 64)], '}'); strings.HasPrefix(r, "{") && k > 0 {
			if strings.HasPrefix(strings.TrimLeft(r[k+1:], " \t"), ";") {
				off := len(v) - len(t)
				best.offer(5, 1, ruleShellshok, off, off+min(len(t), 8))
			}
		}
	}
	for i := 0; ; {
		k := strings.Index(v[i:], "!!")
		if k < 0 {
			break
		}
		i += k + 2
		if unsafeTag(v[i:]) {
			best.offer(5, 1, ruleDeserial, i-2, min(len(v), i+16))
			break
		}
	}
	if strings.IndexByte(v, '(') >= 0 {
		d.calls(v, best)
		asp(v, best)
	}
}

// unsafeTag reports whether a YAML tag (after "!!") names a constructor
// that runs code: python/object, python/name, ruby/object, or a Java class
// (javax.script.ScriptEngineManager).
func unsafeTag(s string) bool {
	for _, p := range [...]string{"python/", "ruby/"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	dots, i := 0, 0
	for ; i < len(s) && i < 80; i++ {
		c := s[i]
		if c == '.' {
			dots++
			continue
		}
		if !isNameChar(c) {
			break
		}
	}
	return dots >= 2 && i > 0 && s[i-1] != '.'
}

// maxCalls bounds how many calls of known functions one value has judged:
// each judgement may lex a string argument.
const maxCalls = 16

// calls looks at every '(' for a function that runs commands.
func (d *Detector) calls(v string, best *finding) {
	judged := 0
	for i := 0; judged < maxCalls; {
		k := strings.IndexByte(v[i:], '(')
		if k < 0 {
			return
		}
		pos := i + k
		i = pos + 1
		e := pos
		for e > 0 && pos-e < 2 && v[e-1] == ' ' {
			e--
		}
		b := e
		for b > 0 && e-b < 32 && isNameChar(v[b-1]) {
			b--
		}
		if b == e {
			continue
		}
		name, qual := v[b:e], ""
		if b > 1 && v[b-1] == '.' {
			q := b - 1
			for q > 0 && b-1-q < 32 && isNameChar(v[q-1]) {
				q--
			}
			qual = v[q : b-1]
			if qual == "" && v[b-2] == ')' {
				qual = ")" // getRuntime().exec(
			}
		}
		if b >= 3 && v[b-3:b] == "${@" {
			best.offer(5, 1, ruleCodeExec, b-3, pos+1) // PHP ${@print(...)}: a call inside string interpolation
			continue
		}
		kind := funcKind(name, qual)
		if strings.EqualFold(name, "expression") && b >= 7 && strings.EqualFold(v[b-7:b], "invoke-") {
			kind, b = fnIEX, b-7
		}
		if kind == fnNone {
			if qual == ")" && strings.EqualFold(name, "exec") && strings.HasSuffix(strings.ToLower(v[max(0, b-16):b]), "getruntime().") {
				best.offer(5, 1, ruleCodeExec, b, pos+1)
			}
			continue
		}
		judged++
		score, paranoia := d.judgeCall(v, b, kind, strings.TrimLeft(v[pos+1:min(len(v), pos+1+1024)], " \t"))
		best.offer(score, paranoia, ruleCodeExec, b, pos+1)
	}
}

// judgeCall scores a call of a function of kind, starting at b, whose
// argument text is arg.
func (d *Detector) judgeCall(v string, b, kind int, arg string) (score, paranoia int) {
	strong := d.strongArg(arg)
	switch kind {
	case fnExec, fnModule:
		if strong && (!prose(v) || strings.HasPrefix(arg, "$_") || sensitiveArg(arg)) {
			return 5, 1
		}
		if strong {
			return 3, 2 // code quoted in a post: "subprocess.run(['ls']) breaks on spaces"
		}
		if strings.HasPrefix(arg, "$") || kind == fnModule {
			return 3, 2
		}
	case fnEval:
		if strings.HasPrefix(arg, "$_") || strong && (strings.HasPrefix(arg, "`") || nestedDecoder(arg)) {
			return 5, 1
		}
		if inner := quoted(arg); inner != "" && strings.IndexByte(inner, '(') > 0 {
			return 3, 2
		}
	case fnInfo:
		if strings.HasPrefix(arg, ")") {
			return 5, 1
		}
	case fnImport:
		if q := quoted(arg); q != "" {
			return 5, 1
		}
	case fnRequire:
		if q := quoted(arg); q == "child_process" {
			return 5, 1
		}
	case fnRuntime:
		return 4, 1
	case fnProcessB:
		if strong {
			return 5, 1
		}
	case fnIEX:
		return 5, 1 // PowerShell's eval: no everyday word
	}
	return 0, 0
}

// strongArg reports whether a call's argument text runs a command: a
// string or list of strings whose first word is a command, a request
// superglobal ($_GET), a backtick string, or a decoder call.
func (d *Detector) strongArg(arg string) bool {
	if strings.HasPrefix(arg, "$_") || nestedDecoder(arg) {
		return true
	}
	a := strings.TrimLeft(arg, "[{ ")
	q := quoted(a)
	if q == "" {
		return false
	}
	if sensitive([]byte(q[:min(len(q), wordMax)]), 0) {
		return true
	}
	var l lexer
	l.reset(q[:min(len(q), 512)], 0)
	for {
		t := l.next()
		switch t.kind {
		case tokEOF:
			return false
		case tokSep, tokOpen, tokClose, tokRedir:
			continue
		}
		c := d.resolve(t.text, t.flags)
		return c.known || c.binpath
	}
}

// sensitiveArg reports whether a call's string argument names a sensitive
// path.
func sensitiveArg(arg string) bool {
	q := quoted(strings.TrimLeft(arg, "[{ "))
	return q != "" && sensitive([]byte(q[:min(len(q), wordMax)]), 0)
}

// nestedDecoder reports whether arg starts with a call of a decoding
// function (base64_decode(...)).
func nestedDecoder(arg string) bool {
	i := 0
	for i < len(arg) && i < 32 && isNameChar(arg[i]) {
		i++
	}
	return i > 0 && i < len(arg) && arg[i] == '(' && funcKind(arg[:i], "") == fnDecoder
}

// quoted returns the content of the string literal arg starts with.
func quoted(arg string) string {
	if len(arg) < 2 {
		return ""
	}
	q := arg[0]
	if q != '\'' && q != '"' && q != '`' {
		return ""
	}
	k := strings.IndexByte(arg[1:min(len(arg), 1024)], q)
	if k < 0 {
		return ""
	}
	return arg[1 : 1+k]
}

// aspMarkers are statements and objects of classic ASP/VBScript shells.
var aspMarkers = [...]string{
	"execute(", "executeglobal(", "eval(", "response.write", "response.end", "on error resume next",
	"createobject(", "wscript.shell", "server.scripttimeout", "request.form(", "request.item(", "request(",
}

// asp records VBScript code: three or more distinct markers, after string
// concatenations ("Ex"&"e"&"cute") are folded away. Only values with a
// quote or a colon (VBScript's statement separator) are searched.
func asp(v string, best *finding) {
	if strings.IndexByte(v, '"') < 0 && strings.IndexByte(v, ':') < 0 {
		return
	}
	found, first := 0, -1
	for i := 0; i < len(v); i++ {
		c := v[i] | 0x20
		if c != 'e' && c != 'r' && c != 'o' && c != 'c' && c != 'w' && c != 's' {
			continue
		}
		if i > 0 && isNameChar(v[i-1]) {
			continue
		}
		for m, marker := range aspMarkers {
			if marker[0] == c && found&(1<<m) == 0 && matchFoldConcat(v[i:], marker) {
				found |= 1 << m
				if first < 0 {
					first = i
				}
			}
		}
	}
	n := 0
	for ; found != 0; found &= found - 1 {
		n++
	}
	switch {
	case n >= 3:
		best.offer(5, 1, ruleScript, first, first+1)
	case n == 2:
		best.offer(3, 2, ruleScript, first, first+1)
	}
}

// matchFoldConcat reports whether v starts with the lower-case marker,
// ignoring case and the VBScript concatenations "&" and " & " between
// string pieces.
func matchFoldConcat(v, marker string) bool {
	j, k, skips := 0, 0, 0
	for j < len(v) && k < len(marker) {
		if v[j] == '"' && skips < len(marker) {
			if skip := concat(v[j:]); skip > 0 {
				skips++
				j += skip
				continue
			}
		}
		c := v[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != marker[k] {
			return false
		}
		j++
		k++
	}
	return k == len(marker)
}

// concat returns the length of a VBScript string concatenation at the
// start of s ("&" or " & " between quotes), or 0.
func concat(s string) int {
	i := 1
	for i < len(s) && i < 4 && s[i] == ' ' {
		i++
	}
	if i >= len(s) || s[i] != '&' {
		return 0
	}
	i++
	for i < len(s) && i < 8 && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '"' {
		return i + 1
	}
	return 0
}
