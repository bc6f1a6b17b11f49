package cmdi

import (
	"bytes"
	"strings"

	"rampart/internal/waf/detect"
)

// Rules.
const (
	ruleChain     = "cmdi.chained-command"    // a command after ; | && || & or a newline
	ruleSubst     = "cmdi.substitution"       // a command in $(...), backticks or <(...)
	ruleBare      = "cmdi.bare-command"       // a value that is a command line
	ruleInterp    = "cmdi.interpreter"        // bash -c, cmd /c, powershell -enc, nc -e ...
	ruleCodeExec  = "cmdi.code-exec"          // system('id'), os.system(, Runtime.exec(
	ruleShellshok = "cmdi.shellshock"         // () { :; };
	ruleDeserial  = "cmdi.unsafe-yaml"        // !!python/object ...
	ruleScript    = "cmdi.asp-code"           // Execute(, Response.Write, On Error Resume Next
	ruleDynamic   = "cmdi.dynamic-command"    // a command name built from expansions: a=wh;b=oami;$a$b, ${PATH:0:1}bin${PATH:0:1}id
	ruleArgInject = "cmdi.argument-injection" // an option that runs a command: -oProxyCommand=id, --upload-pack=id
)

// maxArgs is how many arguments of one command are looked at.
const maxArgs = 16

// Detector finds OS command injection. Create it with New.
type Detector struct {
	cmds commands
	meta [256]bool // bytes that make a value worth lexing
}

var _ detect.Detector = (*Detector)(nil)

// New returns a command injection detector.
func New() *Detector {
	d := &Detector{cmds: newCommands()}
	for _, c := range []byte(";|&`$\n(){}<>^%") {
		d.meta[c] = true
	}
	return d
}

// Class returns detect.Cmdi.
func (d *Detector) Class() detect.Class { return detect.Cmdi }

// finding is the strongest match of one rule family in a value.
type finding struct {
	score, paranoia int
	rule            string
	off, end        int
}

func (f *finding) offer(score, paranoia int, rule string, off, end int) {
	if score == 0 {
		return
	}
	if score > f.score || score == f.score && paranoia < f.paranoia {
		*f = finding{score: score, paranoia: paranoia, rule: rule, off: off, end: end}
	}
}

func (f *finding) append(dst []detect.Match) []detect.Match {
	if f.score == 0 {
		return dst
	}
	return append(dst, detect.Match{Class: detect.Cmdi, Rule: f.rule, Score: f.score, Paranoia: f.paranoia, Off: f.off, Len: f.end - f.off})
}

// Detect reports shell commands in in.Value and interpreter calls that run
// them. It emits at most one match for shell syntax and one for
// interpreter code.
func (d *Detector) Detect(in *detect.Input, dst []detect.Match) []detect.Match {
	v := in.Value
	if len(v) > detect.MaxValue {
		v = v[:detect.MaxValue]
	}
	var sh, code finding
	d.code(v, &code)
	argInjection(v, &sh)
	if d.worth(v) {
		d.shell(v, cmdName(in.Name), &sh)
	}
	dst = sh.append(dst)
	return code.append(dst)
}

// argOptions are options with which a program runs a command given as
// their value, in lower case. A value that is such an option
// ("-oProxyCommand=id" passed to ssh or scp, "--upload-pack=id" to git,
// "--to-command=id" to tar) runs the command when the application puts it
// in an argument list, with no shell syntax at all. The ssh forms are
// matched after "-o" and optional blanks, and take '=' or a blank before
// their value.
var argOptions = [...]string{
	"proxycommand", "localcommand", "knownhostscommand", // ssh -o
	"--upload-pack", "--receive-pack", // git
	"--to-command", "--checkpoint-action=exec", "--use-compress-program", "--info-script", "--new-volume-script", // tar
	"--rsh", // rsync
}

// argInjection records a value that starts with an option that runs a
// command, followed by a command.
func argInjection(v string, best *finding) {
	i := 0
	for i < len(v) && (isBlank(v[i]) || v[i] == '\'' || v[i] == '"') {
		i++
	}
	if i+3 >= len(v) || v[i] != '-' {
		return
	}
	t := v[i:min(len(v), i+64)]
	ssh := t[1] == 'o'
	if ssh {
		t = strings.TrimLeft(t[2:], " \t\"'")
	}
	for _, o := range argOptions {
		if ssh != (o[0] != '-') || len(t) <= len(o) || !strings.EqualFold(t[:len(o)], o) {
			continue
		}
		sep := t[len(o)]
		if sep != '=' && !(ssh && isBlank(sep)) {
			continue
		}
		rest := strings.TrimLeft(t[len(o)+1:], " \t\"'")
		if rest != "" {
			best.offer(5, 1, ruleArgInject, i, i+min(len(v)-i, 64))
		}
		return
	}
}

// worth reports whether v could hold a shell command: it has a shell
// metacharacter, or it starts with a command word or an absolute path.
func (d *Detector) worth(v string) bool {
	for i := 0; i < len(v); i++ {
		if d.meta[v[i]] {
			return true
		}
	}
	i := 0
	for i < len(v) && (isBlank(v[i]) || v[i] == '\'' || v[i] == '"') {
		i++
	}
	if i < len(v) && (v[i] == '/' || v[i] == '\\') {
		return true
	}
	if i+2 < len(v) && isAlpha(v[i]) && v[i+1] == ':' && v[i+2] == '\\' {
		return true // C:\Windows\System32\cmd.exe
	}
	j := i
	for j < len(v) && j-i < 32 && (isNameChar(v[j]) || v[j] == '-' || v[j] == '.') {
		j++
	}
	if j == i || j-i >= 32 {
		return false
	}
	var lb [32]byte
	w := lb[:j-i]
	exact := true
	for k := range w {
		c := v[i+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
			exact = false
		}
		w[k] = c
	}
	w = trimExt(w)
	_, ok := d.cmds.lookup(w, exact, false)
	return ok
}

// cmdName reports whether a parameter name says its value is a command.
func cmdName(name string) bool {
	switch strings.ToLower(name) {
	case "cmd", "command", "exec", "execute", "run", "shell", "sh", "bash", "cli", "cmdline", "commandline", "powershell", "system", "syscmd", "shellcmd":
		return true
	}
	return false
}

// shell lexes v in each quoting context an application could have put it
// in (none; between single quotes; between double quotes, when v holds such
// a quote to break out of) and records the strongest command found.
func (d *Detector) shell(v string, hint bool, best *finding) {
	var p pass
	p.d = d
	p.best = best
	p.hint = hint
	p.prose = prose(v)
	p.run(v, 0, 0)
	if strings.IndexByte(v, '\'') >= 0 {
		p.run(v, '\'', 0)
	}
	if strings.IndexByte(v, '"') >= 0 {
		p.run(v, '"', 0)
	}
	if k := assignPrefix(v); k > 0 && k < len(v) {
		// "cmd=cat /etc/passwd": the part after the '=' as a value of its own.
		p.hint = hint || cmdName(v[:k-1])
		p.run(v[k:], 0, k)
	}
}

// endsLine reports whether what follows a separator leaves the command
// before it alone on its line: nothing, another operator, a comment, or
// another command ("id;", "id|", "id; #", "id| uname"), unlike the cells
// of "| id | name |" or the fields of "id;name;email".
func (d *Detector) endsLine(rest string) bool {
	i := 0
	for i < len(rest) && (isBlank(rest[i]) || rest[i] == '\'' || rest[i] == '"' || rest[i] == ')') {
		i++
	}
	if i == len(rest) {
		return true
	}
	switch rest[i] {
	case ';', '|', '&', '#', '\n', '$', '`', '(', '<', '>', '{', '/', '\\':
		return true
	}
	j := i
	for j < len(rest) && j-i < 32 && (isNameChar(rest[j]) || rest[j] == '-' || rest[j] == '.') {
		j++
	}
	if j == i || j-i >= 32 {
		return false
	}
	var lb [32]byte
	w := lowerInto(lb[:0], []byte(rest[i:j]))
	_, ok := d.cmds.lookup(trimExt(w), string(w) == rest[i:j], false)
	return ok
}

// assignPrefix returns the length of a leading "name=" in v, or 0.
func assignPrefix(v string) int {
	if len(v) == 0 || !isNameStart(v[0]) {
		return 0
	}
	for i := 1; i < len(v) && i < 32; i++ {
		c := v[i]
		if c == '=' {
			return i + 1
		}
		if !isNameChar(c) && c != '-' && c != '.' {
			return 0
		}
	}
	return 0
}

// prose reports whether v reads as text: at least four words of two or
// more letters. Newlines in prose end lines, not commands, and backticks
// in prose mark code spans.
func prose(v string) bool {
	words, run := 0, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isAlpha(c) || c >= 0x80 {
			run++
			continue
		}
		if run >= 2 && (c == ' ' || c == ',' || c == '.' || c == '\n' || c == '!' || c == '?' || c == ':') {
			words++
			if words >= 4 {
				return true
			}
		}
		run = 0
	}
	return words+btoi(run >= 2) >= 4
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Contexts of a command word, strongest first.
type ctxKind uint8

const (
	ctxBare   ctxKind = iota // start of the value or of a line of prose
	ctxMid                   // after a separator that follows other words
	ctxStrong                // the value starts with a separator, or in a substitution
)

// Parser states.
const (
	stExpect  = iota // the next word is in command position
	stArgs           // reading the arguments of a command
	stWrapper        // after sudo, env, timeout...: the next word is the command
	stSkip           // the words are not a command we know
)

// command is the command being read.
type command struct {
	info     cmdInfo
	known    bool
	binpath  bool // /bin/x, /usr/bin/x, C:\Windows\System32\x
	exe      bool // x.exe
	wrapper  bool
	argOK    bool // a fNeedArg command got its argument
	ctx      ctxKind
	subst    bool // the context is a substitution
	off, end int
	evasive  bool // a known name built from expansions: $a$b, ${PATH:0:1}bin${PATH:0:1}id, $SHELL
	dyn      bool // an unknown name made only of expansions ($x, $a$b) or obfuscated (${X:0:1}bin)
	obf      bool // dyn through substrings or transformations (${x:0:1}, ${!x}, ${x//a/b})
	bound    bool // dyn whose expansions the value itself determines (x=5;$x)
	tick     bool // in a backtick substitution
}

// args summarises a command's arguments.
type args struct {
	n, strong, english, weak int
	sensitive, code, ip, opt bool
}

// Argument grades.
const (
	gNone = iota
	gWeak
	gEnglish
	gStrong
	gSensitive
)

func (a *args) grade() int {
	switch {
	case a.sensitive:
		return gSensitive
	case a.strong > 0 && a.strong > a.english:
		return gStrong
	case a.english > 0:
		return gEnglish
	case a.weak > 0:
		return gWeak
	}
	return gNone
}

// pass is one lexing of a value and the parser state over it.
type pass struct {
	d       *Detector
	best    *finding
	hint    bool
	prose   bool
	base    int // offset of s in the value
	s       string
	lx      lexer
	state   int
	ctx     ctxKind
	subst   bool
	seen    bool // a word came before
	redir   bool // the next word is a redirection target
	inSpan  bool // inside a `code span` of prose
	term    bool // the command being finished ends a command line ("id;")
	wordEnd int  // where the last word ended
	jq      bool // the command being finished is in $(...) followed by a dot
	eof     bool // the command being finished ends the value
	pipe    bool // ... and ends at a pipe
	cmd     command
	args    args
	vars    vars         // variables the value assigns
	xbuf    [valMax]byte // an expanded word
}

func (p *pass) run(s string, q byte, base int) {
	p.s, p.base = s, base
	p.lx.reset(s, q)
	p.state, p.ctx, p.subst, p.seen, p.redir, p.inSpan, p.wordEnd = stExpect, ctxBare, false, false, false, false, -1
	p.term, p.eof, p.pipe = false, false, false
	p.cmd, p.args = command{}, args{}
	p.vars.n = 0
	for {
		t := p.lx.next()
		switch t.kind {
		case tokEOF:
			p.term, p.eof, p.pipe = true, true, false
			p.finish()
			return
		case tokSep:
			p.term, p.pipe = p.d.endsLine(s[t.end:]), t.op == '|'

			p.finish()
			p.term = false
			p.state = stExpect
			p.ctx, p.subst = p.sepCtx(t), false
		case tokOpen:
			if t.op == '(' && t.off > 0 && t.off == p.wordEnd {
				// f(x), os.system('ls'): a function call, not a subshell.
				if p.state == stArgs && p.args.n == 0 {
					p.state = stSkip
				}
				p.finish()
				continue
			}
			if (p.state == stArgs || p.state == stWrapper) && t.op != '(' && t.op != '{' {
				p.args.n++
				p.args.strong++ // a substitution as an argument
			}
			p.finish()
			p.state = stExpect
			p.ctx, p.subst = p.openCtx(t)
		case tokClose:
			// $(id).hide(): jQuery, not a substitution whose output
			// becomes a word.
			p.jq = t.op == ')' && t.end < len(s) && s[t.end] == '.'
			p.finish()
			p.jq = false
			if t.op == '`' {
				p.inSpan = false
			}
			p.state = stSkip
		case tokRedir:
			p.redir = true
			if p.state == stArgs || p.state == stWrapper {
				p.args.strong += 2 // outweighs a word of prose: "echo hi > x"
			}
		case tokWord:
			if t.flags&wAssign != 0 && t.flags&wBrace == 0 && !p.redir {
				p.assign(t) // x=id, export x=id, set x=id
			}
			if p.redir {
				p.redir = false
				p.target(t)
			} else {
				switch p.state {
				case stExpect:
					p.command(t)
				case stWrapper:
					p.wrapped(t)
				case stArgs:
					p.arg(t)
				}
			}
			if len(t.text) > 0 {
				p.seen = true
			}
			p.wordEnd = t.end
		}
	}
}

func (p *pass) sepCtx(t token) ctxKind {
	switch {
	case p.inSpan || t.op == 'f':
		return ctxBare
	case !p.seen:
		return ctxStrong
	case t.op == 'n' && p.prose:
		return ctxBare
	}
	return ctxMid
}

func (p *pass) openCtx(t token) (ctxKind, bool) {
	if p.inSpan {
		return ctxBare, false
	}
	switch t.op {
	case '`':
		if p.prose && t.off > 0 && (isBlank(p.s[t.off-1]) || p.s[t.off-1] == '\n') {
			p.inSpan = true
			return ctxBare, false
		}
		return ctxStrong, true
	case '$', '<':
		return ctxStrong, true
	case '{':
		// { cmd; } is rare in injections and { id } common in GraphQL
		// and templates: a group opens no more than a line does.
		return ctxBare, false
	}
	return ctxMid, false
}

// command reads a word in command position.
func (p *pass) command(t token) {
	w := t.text
	if len(w) == 0 || t.flags&wAssign != 0 && t.flags&wBrace == 0 {
		return // VAR=value before a command
	}
	c := p.resolveWord(t)
	c.ctx, c.subst, c.off, c.end = p.ctx, p.subst, t.off, t.end
	if t.flags&wBrace != 0 && c.ctx < ctxMid {
		c.ctx = ctxMid // {ls,-la}: brace expansion is no prose
	}
	p.cmd, p.args = c, args{}
	switch {
	case !c.known && !c.binpath && !c.dyn:
		p.state = stSkip
	case c.wrapper:
		p.state = stWrapper
	default:
		p.state = stArgs
	}
}

// wrapped reads a word after a wrapper (sudo, env, timeout 5, start /b):
// options and numbers are the wrapper's, the first other word is the
// command, or, if it is no command, the wrapper's own argument.
func (p *pass) wrapped(t token) {
	w := t.text
	if len(w) == 0 {
		return
	}
	if w[0] == '-' || w[0] == '/' && len(w) <= 3 || t.flags&wAssign != 0 || allDigits(w) {
		return
	}
	c := p.resolveWord(t)
	if c.known && !c.wrapper || c.binpath || c.dyn && (c.bound || c.obf) {
		c.ctx, c.subst, c.off, c.end = p.cmd.ctx, p.cmd.subst, p.cmd.off, t.end
		c.evasive = c.evasive || p.cmd.evasive
		p.cmd, p.args = c, args{}
		p.state = stArgs
		return
	}
	// An option's value (sudo -u root id) or the wrapper's own argument:
	// keep looking for the command a little longer.
	p.arg(t)
	if p.args.n >= 3 {
		p.state = stArgs
	}
}

// target reads the word after a redirection operator.
func (p *pass) target(t token) {
	if len(t.text) == 0 {
		return
	}
	if sensitive(t.text, t.flags) {
		p.args.sensitive = true
	} else if t.text[0] == '/' || t.text[0] == '\\' {
		p.args.strong++
	}
}

// arg reads an argument of the current command.
func (p *pass) arg(t token) {
	w := t.text
	p.cmd.end = t.end
	if len(w) == 0 {
		return
	}
	a := &p.args
	a.n++
	if a.n > maxArgs {
		return
	}
	f := p.cmd.info.flags
	if len(w) <= 32 {
		var lb [32]byte
		lower := lowerInto(lb[:0], w)
		if a.n == 1 && f&fNeedArg != 0 && hasWordIn(needArgs[p.cmd.info.name], lower) {
			p.cmd.argOK = true // net user: the subcommand is no prose
			return
		}
		if f&fInterp != 0 && isCodeFlag(lower) {
			a.code = true
		}
	}
	if sensitive(w, t.flags) {
		a.sensitive = true
		return
	}
	switch argKind(w, t.flags, f) {
	case gStrong:
		a.strong++
		if w[0] == '-' || w[0] == '/' && len(w) <= 4 {
			a.opt = true
		}
		if isIPv4(w) || contains(w, "://") {
			a.ip = a.ip || isIPv4(w) || hasIPHost(w)
		}
	case gEnglish:
		a.english++
	case gWeak:
		a.weak++
	}
}

// finish judges the command just read, if any, and records it.
func (p *pass) finish() {
	p.redir = false
	if p.state != stArgs && p.state != stWrapper {
		p.state = stSkip
		return
	}
	if p.state == stWrapper {
		p.cmd.info.flags |= fWord // a wrapper alone: judged as an everyday word
	}
	score, paranoia, rule := p.judge()
	p.best.offer(score, paranoia, rule, p.base+p.cmd.off, p.base+p.cmd.end)
	p.state = stSkip
}

// cell reports whether the command just read sits between pipes followed
// by a word that is no command: a table cell ("| id | name |"), not a
// pipeline.
func (p *pass) cell() bool { return p.pipe && !p.term }

// judge scores the command just read. The rules, by context:
//
//   - strong (the value starts with a separator, or a substitution): any
//     command whose arguments are not prose;
//   - after a separator in mid value: a tool name, or an everyday word
//     with shell-looking arguments;
//   - at the start of the value or of a line: only with a sensitive
//     argument, an interpreter's code option, an explicit binary path or
//     .exe, a network tool with an IP address and options, or a parameter
//     named like a command.
//
// A known command whose name the value builds from its own variables or
// hides behind substrings ($a$b, ${PATH:0:1}bin${PATH:0:1}id) is strong
// in any context but the start; a name of expansions that is no command
// we know is judged by judgeDyn.
//
// Weaker combinations score 3 at paranoia 2.
func (p *pass) judge() (score, paranoia int, rule string) {
	c, a := &p.cmd, &p.args
	if c.info.flags&fNeedArg != 0 && !c.argOK && !c.binpath {
		return 0, 0, ""
	}
	if p.jq && c.subst && a.grade() < gSensitive {
		return 3, 2, ruleSubst
	}
	word := c.info.flags&(fWord|fWrapper) != 0 && !c.binpath && !c.argOK
	g := a.grade()
	code := c.info.flags&fInterp != 0 && a.code
	rule = ruleChain
	switch {
	case c.subst:
		rule = ruleSubst
	case c.ctx == ctxBare:
		rule = ruleBare
	}
	if c.evasive || c.dyn {
		rule = ruleDynamic
	}
	if code {
		rule = ruleInterp
	}
	if c.dyn {
		return p.judgeDyn(g, rule)
	}
	if c.evasive && c.ctx != ctxBare {
		// A command we know, its name built from the value's own
		// variables or hidden behind substrings: no text does that.
		if g == gNone && !c.subst && p.cell() {
			return 3, 2, rule
		}
		return 5, 1, rule
	}
	switch c.ctx {
	case ctxStrong:
		switch {
		case g == gEnglish && word && !code:
			return 0, 0, ""
		case g == gNone && !c.subst && p.cell():
			return 3, 2, rule // "| id | name |": a Markdown table, not a pipe
		}
		return 5, 1, rule
	case ctxMid:
		switch {
		case g == gSensitive || code:
			return 5, 1, rule
		case g == gEnglish:
			if !word {
				return 3, 2, rule
			}
			return 0, 0, ""
		case g == gStrong, !word && (g == gNone && !p.cell() || c.binpath):
			return 5, 1, rule
		}
		return 3, 2, rule // "apt 4; rm 12", "eat; sleep", "| 1 | id | Ana |"
	}
	switch {
	case g == gSensitive || code:
		return 5, 1, rule
	case g == gEnglish:
		return 0, 0, ""
	case (c.binpath || c.exe) && g == gNone && c.info.flags&(fWord|fInterp) != 0:
		return 3, 2, rule // /bin/bash, /usr/bin/python3: a login shell or interpreter setting
	case c.binpath || c.exe || p.hint:
		return 5, 1, rule
	case c.info.flags&fNet != 0 && a.ip && a.opt:
		return 5, 1, rule
	case !word && g == gNone && p.term && !p.eof && !p.prose:
		return 5, 1, rule // "id;", "whoami|": a tool ended like a command line
	case g == gStrong:
		return 3, 2, rule
	}
	return 0, 0, ""
}

// judgeDyn scores a command whose name is no command we know but is made
// of expansions ($x, $a$b) or obfuscated (${X:0:1}bin${X:0:1}id, ${!x}).
// After a separator or in a substitution such a name is shell: built
// from variables the value assigns (a=wh;b=oami;$a$b) or obfuscated, it
// blocks; a lone unknown variable blocks in a strong context (;$x, $($x))
// and is suspect elsewhere. At the start of a value it is at most suspect:
// obfuscated, or with a sensitive argument ("$EDITOR /etc/hosts").
func (p *pass) judgeDyn(g int, rule string) (score, paranoia int, _ string) {
	c := &p.cmd
	switch {
	case c.ctx == ctxBare:
		if g == gSensitive || c.obf && g != gEnglish {
			return 3, 2, rule
		}
		return 0, 0, ""
	case g == gSensitive:
		return 5, 1, rule
	case g == gEnglish:
		if c.obf || c.bound {
			return 3, 2, rule // "a=b; $a is here"
		}
		return 0, 0, "" // "; $name is here"
	case g == gNone && !c.subst && p.cell():
		return 3, 2, rule // "| $price | x |"
	case c.obf || c.bound:
		return 5, 1, rule
	case p.pipe && !c.subst:
		return 3, 2, rule // "| $price | $qty |": a table of placeholders
	case c.ctx == ctxStrong && !c.tick:
		return 5, 1, rule
	}
	return 3, 2, rule // "x | $y", `${a}` (a JavaScript template)
}

// resolve looks up a word in command position: a plain name, a path whose
// last element is one (/usr/bin/id, C:\Windows\System32\cmd.exe), with or
// without an executable extension, or a glob pattern (/???/c?t).
func (d *Detector) resolve(w []byte, flags uint16) command {
	var c command
	if len(w) > 64 {
		return c
	}
	var lb [64]byte
	lower := lowerInto(lb[:0], w)
	exact := bytes.Equal(lower, w)
	pattern := flags&(wGlob|wExpand) != 0
	base := lower
	if k := bytes.LastIndexAny(lower, `/\`); k >= 0 {
		base = lower[k+1:]
		c.binpath = isBinDir(lower[:k], pattern) && len(base) > 0
		if !c.binpath && !pathLike(lower) {
			return c // "http://x/id", "a=b/id": no command path
		}
	}
	if b := trimExt(base); len(b) < len(base) {
		base = b
		c.exe = true
	}
	if len(base) == 0 {
		return c
	}
	c.info, c.known = d.cmds.lookup(base, exact, pattern)
	c.wrapper = c.known && c.info.flags&fWrapper != 0
	return c
}

// pathLike reports whether a word can be the path of an executable:
// absolute, relative to . or ~, or on a drive; its characters those of
// file names.
func pathLike(w []byte) bool {
	switch {
	case w[0] == '/' || w[0] == '\\' || w[0] == '~' || w[0] == '*' || w[0] == '?':
	case hasPrefix(w, "./") || hasPrefix(w, "../"):
	case len(w) > 2 && isAlpha(w[0]) && w[1] == ':':
	default:
		return false
	}
	for _, c := range w {
		if !isNameChar(c) && c != '/' && c != '\\' && c != '.' && c != '-' && c != '~' && c != '*' && c != '?' && c != ':' && c != ' ' {
			return false
		}
	}
	return true
}

// trimExt removes an executable extension.
func trimExt(b []byte) []byte {
	for _, ext := range [...]string{".exe", ".com", ".bat", ".cmd", ".ps1"} {
		if len(b) > len(ext) && string(b[len(b)-len(ext):]) == ext {
			return b[:len(b)-len(ext)]
		}
	}
	return b
}

// binDirs are directories that hold executables.
var binDirs = [...]string{
	"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
	"usr/bin", "usr/sbin", "usr/local/bin", "/system/bin", "/system/xbin",
	`c:\windows\system32`, `c:\windows\syswow64`, `c:\windows`, "c:/windows/system32", "c:/windows",
	`\windows\system32`, `c:\windows\system32\windowspowershell\v1.0`,
}

func isBinDir(dir []byte, pattern bool) bool {
	if pattern && (len(dir) == 0 || dir[0] != '/') {
		return false // ${HOME}/bin: a wildcard is no directory we know
	}
	for _, b := range binDirs {
		if string(dir) == b || pattern && globMatch(dir, b) {
			return true
		}
	}
	return false
}

// lowerInto appends the ASCII lower case of w to dst.
func lowerInto(dst, w []byte) []byte {
	for _, c := range w {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// isCodeFlag reports whether a lower-case argument is an option with which
// an interpreter runs code (bash -c, perl -e, cmd /c, powershell -enc).
func isCodeFlag(w []byte) bool {
	if hasWordIn(codeFlags, w) {
		return true
	}
	if hasPrefix(w, "exec:") || hasPrefix(w, "system:") {
		return true
	}
	// PowerShell takes any unambiguous prefix of its parameters.
	if len(w) >= 3 && w[0] == '-' {
		for _, p := range [...]string{"-encodedcommand", "-command", "-executionpolicy", "-windowstyle", "-noprofile", "-noninteractive"} {
			if len(w) <= len(p) && p[:len(w)] == string(w) {
				return true
			}
		}
	}
	return false
}

// sensitivePaths are argument substrings that make a command an attack
// whatever its context: system files, shells run by path, /dev/tcp.
var sensitivePaths = [...]string{
	"/etc/", "/proc/", "/dev/tcp/", "/dev/udp/", "/bin/sh", "/bin/bash", "/bin/zsh", "/bin/dash",
	".ssh/", "id_rsa", ".bash_history", ".htpasswd", "/var/log/", "/root/",
	"win.ini", "boot.ini", "system32", `\windows\`, "/windows/", "cmd.exe", "powershell.exe",
}

// sensitiveGlobs are the whole paths a glob or expansion is matched
// against (/e??/p?ss??, ${PATH:0:1}etc${PATH:0:1}passwd).
var sensitiveGlobs = [...]string{
	"/etc/passwd", "/etc/shadow", "/etc/hosts", "/etc/group", "/etc/issue", "/etc/hostname",
	"/bin/sh", "/bin/bash", "/bin/nc", "/proc/self/environ",
}

func sensitive(w []byte, flags uint16) bool {
	if len(w) >= 2 && len(w) <= 3 && isAlpha(w[0]) && w[1] == ':' && (len(w) == 2 || w[2] == '\\' || w[2] == '/') {
		return true // a drive's root: dir c:\
	}
	if len(w) < 4 {
		return false
	}
	var lb [wordMax]byte
	lower := lowerInto(lb[:0], w)
	for _, s := range sensitivePaths {
		if contains(lower, s) {
			return true
		}
	}
	if flags&(wGlob|wExpand) != 0 {
		for _, s := range sensitiveGlobs {
			if globMatch(lower, s) {
				return true
			}
		}
	}
	return false
}

// argKind grades one argument word.
func argKind(w []byte, flags uint16, f cmdFlags) int {
	if flags&(wExpand|wGlob) != 0 {
		return gStrong
	}
	c := w[0]
	switch {
	case c == '-':
		if len(w) >= 2 && isAlpha(w[1]) || len(w) >= 3 && w[1] == '-' && isAlpha(w[2]) {
			return gStrong
		}
		if f&fNumeric != 0 && len(w) >= 2 && isDigit(w[1]) {
			return gStrong
		}
		return gWeak
	case c == '/', c == '\\':
		return gStrong
	case c == '~':
		if len(w) == 1 || w[1] == '/' {
			return gStrong
		}
	case c == '.':
		if hasPrefix(w, "./") || hasPrefix(w, "../") {
			return gStrong
		}
	}
	if len(w) >= 2 && isAlpha(w[0]) && w[1] == ':' && (len(w) == 2 || w[2] == '\\' || w[2] == '/') {
		return gStrong // C:, C:\
	}
	if contains(w, "://") || isIPv4(w) {
		return gStrong
	}
	if allDigits(w) {
		if f&fNumeric != 0 {
			return gStrong
		}
		return gWeak
	}
	if f&fNet != 0 && isHostname(w) {
		return gStrong
	}
	if isLetters(w, flags&wQuoted != 0) {
		return gEnglish
	}
	return gWeak
}

func allDigits(w []byte) bool {
	for _, c := range w {
		if !isDigit(c) {
			return false
		}
	}
	return len(w) > 0
}

// isLetters reports whether w is a word of prose: letters (any non-ASCII
// byte counts as one), apostrophes and, when it was quoted, spaces.
func isLetters(w []byte, spaces bool) bool {
	letters := 0
	for _, c := range w {
		switch {
		case isAlpha(c) || c >= 0x80:
			letters++
		case c == '\'' || c == ' ' && spaces:
		default:
			return false
		}
	}
	return letters >= 2
}

// isIPv4 reports whether w is a dotted-quad address.
func isIPv4(w []byte) bool {
	parts, digits := 0, 0
	for _, c := range w {
		switch {
		case isDigit(c):
			digits++
			if digits > 3 {
				return false
			}
		case c == '.':
			if digits == 0 {
				return false
			}
			parts++
			digits = 0
		default:
			return false
		}
	}
	return parts == 3 && digits > 0
}

// hasIPHost reports whether the URL w has an IPv4 host.
func hasIPHost(w []byte) bool {
	i := index(w, "://")
	if i < 0 {
		return false
	}
	h := w[i+3:]
	if k := bytes.IndexAny(h, ":/?#"); k >= 0 {
		h = h[:k]
	}
	return isIPv4(h)
}

// isHostname reports whether w looks like a DNS name (a.b.tld).
func isHostname(w []byte) bool {
	dots, last := 0, 0
	for i, c := range w {
		switch {
		case c == '.':
			if i == 0 || i == len(w)-1 && dots == 0 {
				return false
			}
			dots++
			last = i + 1
		case isAlpha(c) || isDigit(c) || c == '-' || c >= 0x80:
		default:
			return false
		}
	}
	tld := w[last:]
	if len(tld) == 0 && len(w) > 1 { // trailing dot: a.b.c.
		return dots >= 2
	}
	return dots >= 1 && len(tld) >= 2 && isLetters(tld, false)
}

// index returns the index of the first s in b, or -1.
func index(b []byte, s string) int {
	if len(s) == 0 {
		return 0
	}
	for i := 0; i+len(s) <= len(b); i++ {
		if b[i] == s[0] && string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}

func contains(b []byte, s string) bool { return index(b, s) >= 0 }

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }
