package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file emulates what `sh -c "ping -c 1 " + host` does on the shop's
// Debian server, closely enough that command injection through the ping
// tool behaves as on a real one: ; & && || | and newlines, 'single' and
// "double" quotes, backslashes, `backticks`, $(command substitution),
// $((arithmetic)), $VARIABLES with field splitting (${IFS} included) and
// # comments, syntax errors that stop the line as dash's do, and a few
// programs (ping, echo, printf, sleep, id, whoami, hostname, uname, pwd,
// env, printenv, cat, ls, cd, true, false, exit) that read the fake file
// system. Nothing runs on the host: sleep and ping really wait, at most
// maxShellSleep per request in all.

// Bounds on one run of the shell.
const (
	maxShellSleep  = 10 * time.Second
	maxShellInput  = 4096
	maxShellOutput = 64 << 10
	maxShellSteps  = 100
	maxShellDepth  = 4
)

// errSyntax is a line the shell cannot parse; its text is dash's message.
type errSyntax struct{ msg string }

func (e *errSyntax) Error() string { return "Syntax error: " + e.msg }

// errFatal is an error that ends the run with status 2, as dash's
// arithmetic errors do; its text is the message.
type errFatal struct{ msg string }

func (e *errFatal) Error() string { return e.msg }

// errStop ends the run: the request went away, or a bound was reached.
var errStop = errors.New("shell stopped")

// shell is one run of the emulated sh.
type shell struct {
	ctx    context.Context
	fs     fakeFS
	vars   map[string]string
	cwd    string
	left   time.Duration // sleep budget
	steps  int
	status int
	exited bool
	out    *capped // stdout and stderr of the whole run, interleaved
}

// capped is a strings.Builder that keeps at most maxShellOutput bytes.
type capped struct{ strings.Builder }

func (c *capped) WriteString(s string) (int, error) {
	if room := maxShellOutput - c.Len(); len(s) > room {
		s = s[:max(room, 0)]
	}
	return c.Builder.WriteString(s)
}

// runShell runs line as `sh -c line` would and returns what it printed
// (stdout and stderr, as exec's CombinedOutput gives them) and its exit
// status.
func runShell(ctx context.Context, fs fakeFS, line string) (string, int) {
	sh := &shell{
		ctx: ctx, fs: fs, cwd: appDir, left: maxShellSleep, out: &capped{},
		vars: map[string]string{
			"HOME": "/var/www", "HOSTNAME": "shop-web-1", "LANG": "C.UTF-8", "PWD": appDir, "SHLVL": "1",
			"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "USER": "www-data",
			"IFS": " \t\n",
		},
	}
	if len(line) > maxShellInput {
		sh.errorf("Argument list too long")
		return sh.out.String(), 2
	}
	// dash reads the line command list by command list: what comes
	// before a newline runs even when a later line does not parse.
	for _, l := range splitLines(line) {
		toks, err := lexShell(l)
		if err == nil {
			err = sh.runList(toks, sh.out, 0)
		}
		var se *errSyntax
		var fe *errFatal
		if errors.As(err, &se) || errors.As(err, &fe) {
			sh.errorf("%s", err.Error())
			sh.status = 2
			break
		}
		if err != nil || sh.exited {
			break
		}
	}
	return sh.out.String(), sh.status
}

// splitLines cuts at newlines outside quotes, $( ) and backticks.
func splitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\'', '"', '`':
			if end, err := skipQuoted(s, i); err == nil {
				i = end - 1
			} else {
				return append(lines, s[start:])
			}
		case '$':
			if i+1 < len(s) && s[i+1] == '(' {
				if end, err := skipParens(s, i+1); err == nil {
					i = end - 1
				} else {
					return append(lines, s[start:])
				}
			}
		case '\n':
			lines = append(lines, s[start:i])
			start = i + 1
		}
	}
	return append(lines, s[start:])
}

// errorf writes an error as dash words it: "sh: 1: message".
func (sh *shell) errorf(format string, args ...any) {
	_, _ = sh.out.WriteString("sh: 1: " + fmt.Sprintf(format, args...) + "\n")
}

// token is a word (op == "") or an operator; redir marks the
// redirection operators (">", "2>&", "<", …).
type token struct {
	op, word string
	redir    bool
}

// lexShell cuts one line into words and operators.
func lexShell(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '#':
			return toks, nil // a comment runs to the end of the line
		case c == '<' || c == '>':
			// A redirection: [fd]< [fd]> [fd]>> [fd]>&, the fd being a
			// digit written right before it.
			op := string(c)
			if n := len(toks); n > 0 && toks[n-1].op == "" && len(toks[n-1].word) == 1 &&
				'0' <= toks[n-1].word[0] && toks[n-1].word[0] <= '9' && i > 0 && s[i-1] == toks[n-1].word[0] {
				op = toks[n-1].word + op
				toks = toks[:n-1]
			}
			i++
			if c == '>' && i < len(s) && (s[i] == '>' || s[i] == '&') {
				op += string(s[i])
				i++
			}
			toks = append(toks, token{op: op, redir: true})
		case c == ';' || c == '&' || c == '|' || c == '(' || c == ')':
			op := string(c)
			if (c == '&' || c == '|' || c == ';') && i+1 < len(s) && s[i+1] == c {
				op += string(c)
			}
			toks = append(toks, token{op: op})
			i += len(op)
		default:
			start := i
			for i < len(s) && !strings.ContainsRune(" \t;&|()<>", rune(s[i])) {
				var err error
				switch s[i] {
				case '\\':
					i += 2
				case '\'', '"', '`':
					i, err = skipQuoted(s, i)
				case '$':
					if i+1 < len(s) && s[i+1] == '(' {
						i, err = skipParens(s, i+1)
					} else {
						i++
					}
				default:
					i++
				}
				if err != nil {
					return nil, err
				}
			}
			toks = append(toks, token{word: s[start:min(i, len(s))]})
			i = min(i, len(s))
		}
	}
	return toks, nil
}

// skipQuoted returns the index after the quote that closes the one at i.
func skipQuoted(s string, i int) (int, error) {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '\'':
			j++
		case s[j] == '$' && q == '"' && j+1 < len(s) && s[j+1] == '(':
			end, err := skipParens(s, j+1)
			if err != nil {
				return 0, err
			}
			j = end - 1
		case s[j] == q:
			return j + 1, nil
		}
	}
	if q == '`' {
		return 0, &errSyntax{"EOF in backquote substitution"}
	}
	return 0, &errSyntax{"Unterminated quoted string"}
}

// skipParens returns the index after the ) that closes the ( at i.
func skipParens(s string, i int) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '\'', '"', '`':
			end, err := skipQuoted(s, j)
			if err != nil {
				return 0, err
			}
			j = end - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, &errSyntax{`end of file unexpected (expecting ")")`}
}

// pipeline is commands joined by |; andOr pipelines joined by && and ||.
type (
	pipeline []command
	command  struct {
		words  []string // raw, expanded when the command runs
		redirs []redir
	}
	redir struct{ op, target string }
	andOr struct {
		pipes []pipeline
		ops   []string // between pipes: "&&" or "||"
	}
)

// parseList parses a line: and-or lists separated by ; or &.
func parseList(toks []token) ([]andOr, error) {
	var list []andOr
	i := 0
	for i < len(toks) {
		ao, n, err := parseAndOr(toks[i:])
		if err != nil {
			return nil, err
		}
		list = append(list, ao)
		i += n
		if i < len(toks) {
			switch toks[i].op {
			case ";", "&":
				i++
			default:
				return nil, &errSyntax{fmt.Sprintf("%q unexpected", toks[i].op)}
			}
		}
	}
	return list, nil
}

func parseAndOr(toks []token) (andOr, int, error) {
	var ao andOr
	i := 0
	for {
		p, n, err := parsePipeline(toks[i:])
		if err != nil {
			return ao, 0, err
		}
		ao.pipes = append(ao.pipes, p)
		i += n
		if i >= len(toks) || (toks[i].op != "&&" && toks[i].op != "||") {
			return ao, i, nil
		}
		ao.ops = append(ao.ops, toks[i].op)
		i++
		if i >= len(toks) {
			return ao, 0, &errSyntax{"end of file unexpected"}
		}
	}
}

func parsePipeline(toks []token) (pipeline, int, error) {
	var p pipeline
	i := 0
	for {
		var c command
		for i < len(toks) && (toks[i].op == "" || toks[i].redir) {
			if toks[i].redir {
				if i+1 >= len(toks) || toks[i+1].op != "" {
					return nil, 0, &errSyntax{"newline unexpected"}
				}
				c.redirs = append(c.redirs, redir{toks[i].op, toks[i+1].word})
				i += 2
				continue
			}
			c.words = append(c.words, toks[i].word)
			i++
		}
		if len(c.words) == 0 && len(c.redirs) == 0 {
			if i < len(toks) {
				return nil, 0, &errSyntax{fmt.Sprintf("%q unexpected", toks[i].op)}
			}
			return nil, 0, &errSyntax{"end of file unexpected"}
		}
		p = append(p, c)
		if i >= len(toks) || toks[i].op != "|" {
			return p, i, nil
		}
		i++
	}
}

// runList parses and runs one line, writing to out; depth counts the
// command substitutions it is inside.
func (sh *shell) runList(toks []token, out *capped, depth int) error {
	list, err := parseList(toks)
	if err != nil {
		return err
	}
	for _, ao := range list {
		for k, p := range ao.pipes {
			if k > 0 && ((ao.ops[k-1] == "&&") != (sh.status == 0)) {
				continue
			}
			if err := sh.runPipeline(p, out, depth); err != nil {
				return err
			}
			if sh.exited {
				return nil
			}
		}
	}
	return nil
}

// runPipeline runs the commands of p one after the other, each reading
// what the one before printed; the last one prints to out.
func (sh *shell) runPipeline(p pipeline, out *capped, depth int) error {
	in := ""
	for k, c := range p {
		sh.steps++
		if sh.steps > maxShellSteps {
			return errStop
		}
		var argv []string
		for _, w := range c.words {
			fs, err := sh.expand(w, depth)
			if err != nil {
				return err
			}
			argv = append(argv, fs...)
		}
		dst := out
		if k < len(p)-1 {
			dst = &capped{}
		}
		stdin, stdout, ok := sh.redirect(c.redirs, in, dst)
		if ok {
			sh.status = sh.exec(argv, stdin, stdout)
		} else {
			sh.status = 2
		}
		if sh.ctx.Err() != nil {
			return errStop
		}
		in = dst.String()
	}
	return nil
}

// redirect applies a command's redirections: input from a file, output
// to /dev/null; the web server's user may create no file, and the
// combined output makes 2>&1 a no-op.
func (sh *shell) redirect(rs []redir, in string, out *capped) (string, *capped, bool) {
	for _, r := range rs {
		fd, op := "1", r.op
		if op[0] >= '0' && op[0] <= '9' {
			fd, op = op[:1], op[1:]
		}
		switch {
		case op == "<":
			body, err := sh.fs.read(sh.cwd, r.target)
			if err != nil {
				sh.errorf("cannot open %s: No such file", r.target)
				return "", nil, false
			}
			in = body
		case op == ">&":
		case r.target == "/dev/null":
			if fd == "1" {
				out = &capped{}
			}
		default:
			sh.errorf("cannot create %s: Permission denied", r.target)
			return "", nil, false
		}
	}
	return in, out, true
}

// fields builds the fields of one word: literal text joins the current
// field, unquoted expansions are split at IFS white space.
type fields struct {
	out []string
	cur strings.Builder
	has bool
}

func (f *fields) lit(s string) { f.cur.WriteString(s); f.has = true }

func (f *fields) split(s string) {
	for _, c := range s {
		if c == ' ' || c == '\t' || c == '\n' {
			f.flush()
			continue
		}
		f.cur.WriteRune(c)
		f.has = true
	}
}

func (f *fields) flush() {
	if f.has {
		f.out = append(f.out, f.cur.String())
	}
	f.cur.Reset()
	f.has = false
}

// expand turns a raw word into fields: quotes removed, variables,
// arithmetic and command substitutions replaced.
func (sh *shell) expand(w string, depth int) ([]string, error) {
	var f fields
	for i := 0; i < len(w); {
		c := w[i]
		switch c {
		case '\\':
			if i+1 < len(w) {
				f.lit(w[i+1 : i+2])
			}
			i += 2
		case '\'':
			end, err := skipQuoted(w, i)
			if err != nil {
				return nil, err
			}
			f.lit(w[i+1 : end-1])
			i = end
		case '"':
			end, err := skipQuoted(w, i)
			if err != nil {
				return nil, err
			}
			s, err := sh.expandQuoted(w[i+1:end-1], depth)
			if err != nil {
				return nil, err
			}
			f.lit(s)
			i = end
		case '`', '$':
			s, n, err := sh.substitute(w[i:], depth)
			if err != nil {
				return nil, err
			}
			f.split(s)
			i += n
		default:
			f.lit(w[i : i+1])
			i++
		}
	}
	f.flush()
	return f.out, nil
}

// expandQuoted expands the inside of double quotes.
func (sh *shell) expandQuoted(s string, depth int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i += 2
		case c == '`' || c == '$':
			v, n, err := sh.substitute(s[i:], depth)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// substitute expands the $ or backtick construct at the start of s and
// returns its value and length.
func (sh *shell) substitute(s string, depth int) (string, int, error) {
	if s[0] == '`' {
		end, err := skipQuoted(s, 0)
		if err != nil {
			return "", 0, err
		}
		inner := strings.NewReplacer("\\`", "`", `\\`, `\`, `\$`, "$").Replace(s[1 : end-1])
		out, err := sh.commandSubst(inner, depth)
		return out, end, err
	}
	if len(s) == 1 {
		return "$", 1, nil
	}
	switch c := s[1]; {
	case c == '(':
		end, err := skipParens(s, 1)
		if err != nil {
			return "", 0, err
		}
		inner := s[2 : end-1]
		if strings.HasPrefix(inner, "(") && strings.HasSuffix(inner, ")") {
			v, err := sh.arith(inner[1 : len(inner)-1])
			return v, end, err
		}
		out, err := sh.commandSubst(inner, depth)
		return out, end, err
	case c == '{':
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", 0, &errSyntax{"Missing '}'"}
		}
		name := s[2:end]
		if !shellName.MatchString(name) {
			return "", 0, &errSyntax{"Bad substitution"}
		}
		return sh.vars[name], end + 1, nil
	case c == '?':
		return strconv.Itoa(sh.status), 2, nil
	case c == '$':
		return "4242", 2, nil
	case c == '0':
		return "sh", 2, nil
	case '1' <= c && c <= '9':
		return "", 2, nil // no positional parameters
	case c == '#':
		return "0", 2, nil
	case c == '_' || ('a' <= c|0x20 && c|0x20 <= 'z'):
		n := 1
		for n < len(s) && (s[n] == '_' || ('a' <= s[n]|0x20 && s[n]|0x20 <= 'z') || ('0' <= s[n] && s[n] <= '9')) {
			n++
		}
		return sh.vars[s[1:n]], n, nil
	}
	return "$", 1, nil
}

var shellName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// arith evaluates $(( expr )): integers and variables (unset is 0).
func (sh *shell) arith(expr string) (string, error) {
	v, err := evalExpr(expr, func(name string) (string, bool) {
		if v, ok := sh.vars[name]; ok && v != "" {
			return v, true
		}
		return "0", true
	})
	if err == nil {
		var n int64
		if n, err = v.num(); err == nil {
			return strconv.FormatInt(n, 10), nil
		}
	}
	return "", &errFatal{fmt.Sprintf("arithmetic expression: %v: %q", err, expr)}
}

// commandSubst runs a command substitution and returns what it printed
// to stdout, trailing newlines cut.
func (sh *shell) commandSubst(src string, depth int) (string, error) {
	if depth >= maxShellDepth {
		return "", errStop
	}
	var out capped
	for _, l := range splitLines(src) {
		toks, err := lexShell(l)
		if err != nil {
			return "", err
		}
		if err := sh.runList(toks, &out, depth+1); err != nil {
			return "", err
		}
		if sh.exited {
			break
		}
	}
	sh.exited = false // exit in $( ) leaves the subshell only
	return strings.TrimRight(out.String(), "\n"), nil
}

// shellPrograms are the programs the fake server has, by name.
var shellPrograms = []string{"cat", "cd", "echo", "env", "exit", "false", "hostname", "id", "ls", "ping", "printenv", "printf", "pwd", "sleep", "true", "uname", "whoami"}

// exec runs one command with its arguments expanded.
func (sh *shell) exec(argv []string, stdin string, stdout *capped) int {
	for len(argv) > 0 {
		k, v, ok := strings.Cut(argv[0], "=")
		if !ok || !shellName.MatchString(k) {
			break
		}
		sh.vars[k] = v
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return 0
	}
	name := argv[0]
	if strings.Contains(name, "/") {
		p := resolve(sh.cwd, name)
		dir, base := p[:strings.LastIndexByte(p, '/')], p[strings.LastIndexByte(p, '/')+1:]
		if !slices.Contains([]string{"/bin", "/usr/bin", "/sbin", "/usr/sbin"}, dir) || !slices.Contains(shellPrograms, base) {
			sh.errorf("%s: not found", name)
			return 127
		}
		name = base
	}
	args := argv[1:]
	out := func(s string) { _, _ = stdout.WriteString(s) }
	switch name {
	case "true":
		return 0
	case "false":
		return 1
	case "exit":
		sh.exited = true
		if len(args) > 0 {
			n, _ := strconv.Atoi(args[0])
			return n & 0xff
		}
		return sh.status
	case "echo":
		nl := true
		if len(args) > 0 && args[0] == "-n" {
			nl, args = false, args[1:]
		}
		out(strings.Join(args, " "))
		if nl {
			out("\n")
		}
		return 0
	case "printf":
		if len(args) == 0 {
			sh.errorf("printf: usage: printf format [arg ...]")
			return 2
		}
		out(shellPrintf(args[0], args[1:]))
		return 0
	case "sleep":
		if len(args) == 0 {
			_, _ = sh.out.WriteString("sleep: missing operand\n")
			return 1
		}
		var total time.Duration
		for _, a := range args {
			d, err := strconv.ParseFloat(strings.TrimSuffix(a, "s"), 64)
			if err != nil || d < 0 {
				_, _ = sh.out.WriteString("sleep: invalid time interval '" + a + "'\n")
				return 1
			}
			total += time.Duration(min(d, 1e6) * float64(time.Second))
		}
		if !sh.pause(total) {
			return 130
		}
		return 0
	case "id":
		out("uid=33(www-data) gid=33(www-data) groups=33(www-data)\n")
		return 0
	case "whoami":
		out("www-data\n")
		return 0
	case "hostname":
		out("shop-web-1\n")
		return 0
	case "pwd":
		out(sh.cwd + "\n")
		return 0
	case "uname":
		if len(args) > 0 && args[0] == "-a" {
			out("Linux shop-web-1 5.10.0-28-amd64 #1 SMP Debian 5.10.209-2 (2024-01-31) x86_64 GNU/Linux\n")
		} else {
			out("Linux\n")
		}
		return 0
	case "env", "printenv":
		if name == "printenv" && len(args) > 0 {
			v, ok := sh.vars[args[0]]
			if !ok || args[0] == "IFS" {
				return 1
			}
			out(v + "\n")
			return 0
		}
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range sh.vars {
				if k != "IFS" && !yield(k) {
					return
				}
			}
		}) {
			out(k + "=" + sh.vars[k] + "\n")
		}
		return 0
	case "cd":
		dir := sh.vars["HOME"]
		if len(args) > 0 {
			dir = args[0]
		}
		p := resolve(sh.cwd, dir)
		if !sh.fs.isDir(p) {
			sh.errorf("cd: can't cd to %s", dir)
			return 2
		}
		sh.cwd = p
		sh.vars["PWD"] = p
		return 0
	case "cat":
		if len(args) == 0 {
			out(stdin)
			return 0
		}
		status := 0
		for _, a := range args {
			body, err := sh.fs.read(sh.cwd, a)
			if err != nil {
				var fe *fsError
				reason := "No such file or directory"
				if errors.As(err, &fe) && fe.reason == "is a directory" {
					reason = "Is a directory"
				}
				_, _ = sh.out.WriteString("cat: " + a + ": " + reason + "\n")
				status = 1
				continue
			}
			out(body)
		}
		return status
	case "ls":
		if len(args) == 0 {
			args = []string{"."}
		}
		status := 0
		for _, a := range args {
			names, err := sh.fs.list(sh.cwd, a)
			if err != nil {
				_, _ = sh.out.WriteString("ls: " + err.Error() + "\n")
				status = 2
				continue
			}
			for _, n := range names {
				out(n + "\n")
			}
		}
		return status
	case "ping":
		return sh.ping(args, stdout)
	}
	sh.errorf("%s: not found", name)
	return 127
}

// shellPrintf is printf for %s, %d, %% and backslash escapes.
func shellPrintf(format string, args []string) string {
	format = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\\`, `\`).Replace(format)
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 >= len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case '%':
			b.WriteByte('%')
		case 's', 'd':
			if len(args) > 0 {
				b.WriteString(args[0])
				args = args[1:]
			} else if format[i] == 'd' {
				b.WriteByte('0')
			}
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// pause sleeps for d, or what is left of the run's budget, and says
// whether the request is still there.
func (sh *shell) pause(d time.Duration) bool {
	d = min(d, sh.left)
	sh.left -= d
	if d <= 0 {
		return sh.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-sh.ctx.Done():
		return false
	}
}

// hostnameRE is a DNS name with at least one dot.
var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\.?$`)

// knownTLDs are the top-level domains whose names the fake resolver
// answers (all with one documentation address).
var knownTLDs = []string{"com", "org", "net", "io", "de", "uk", "test", "example", "local"}

// lookupHost is the fake server's resolver.
func lookupHost(host string) (string, bool) {
	if ip := net.ParseIP(host); ip != nil {
		return ip.String(), true
	}
	switch strings.ToLower(host) {
	case "localhost":
		return "127.0.0.1", true
	case "shop-web-1":
		return "10.0.2.15", true
	case "db-1":
		return "10.0.2.20", true
	}
	if hostnameRE.MatchString(host) {
		labels := strings.Split(strings.ToLower(strings.TrimSuffix(host, ".")), ".")
		if slices.Contains(knownTLDs, labels[len(labels)-1]) {
			return "203.0.113.7", true
		}
	}
	return "", false
}

// ping is iputils ping: one echo a second, until -c of them (forever
// without -c, which here means until the sleep budget is spent).
func (sh *shell) ping(args []string, stdout *capped) int {
	count := -1
	var hosts []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" && i+1 < len(args):
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n <= 0 {
				_, _ = sh.out.WriteString("ping: invalid argument: '" + args[i+1] + "'\n")
				return 1
			}
			count = n
			i++
		case slices.Contains([]string{"-i", "-W", "-w", "-s", "-t", "-I"}, a) && i+1 < len(args):
			i++
		case slices.Contains([]string{"-n", "-q", "-v", "-4", "-6"}, a):
		case strings.HasPrefix(a, "-") && len(a) > 1:
			_, _ = sh.out.WriteString("ping: invalid option -- '" + a[1:2] + "'\n")
			return 2
		default:
			hosts = append(hosts, a)
		}
	}
	if len(hosts) == 0 {
		_, _ = sh.out.WriteString("ping: usage error: Destination address required\n")
		return 1
	}
	host := hosts[len(hosts)-1]
	ip, ok := lookupHost(host)
	if !ok {
		_, _ = sh.out.WriteString("ping: " + host + ": Name or service not known\n")
		return 2
	}
	out := func(s string) { _, _ = stdout.WriteString(s) }
	out(fmt.Sprintf("PING %s (%s) 56(84) bytes of data.\n", host, ip))
	sent := 0
	for count < 0 || sent < count {
		if sent > 0 && (sh.left <= 0 || !sh.pause(time.Second)) {
			break
		}
		sent++
		out(fmt.Sprintf("64 bytes from %s: icmp_seq=%d ttl=64 time=0.%03d ms\n", ip, sent, 40+sent%7))
	}
	out(fmt.Sprintf("\n--- %s ping statistics ---\n%d packets transmitted, %d received, 0%% packet loss, time %dms\n", host, sent, sent, (sent-1)*1000))
	return 0
}
