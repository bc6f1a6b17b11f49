package active

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The command injection fixtures never run a shell: fakeShell reads a
// command line the way sh -c would (quotes, separators, pipes, comments,
// command substitution, arithmetic expansion, ${IFS}) and knows three
// commands: echo, sleep and ping (which only prints).

// fakeShell runs line and returns what it printed.
func fakeShell(line string) string {
	var out strings.Builder
	shList(line, &out, 0)
	return out.String()
}

// shMaxDepth bounds nested command substitutions.
const shMaxDepth = 4

// shList runs a command list and returns the status of the last command.
func shList(line string, out *strings.Builder, depth int) int {
	status := 0
	skip := false
	for _, c := range shSplit(line) {
		if !skip {
			var buf strings.Builder
			status = shCommand(c.cmd, &buf, depth, c.op == "&")
			if c.op != "|" { // a pipe feeds the next command, which ignores it
				out.WriteString(buf.String())
			}
		}
		switch c.op {
		case "&&":
			skip = status != 0
		case "||":
			skip = status == 0
		default:
			skip = false
		}
	}
	return status
}

type shPart struct{ cmd, op string }

// shSplit cuts a line at the operators outside quotes, substitutions and
// comments.
func shSplit(line string) []shPart {
	var parts []shPart
	var cur strings.Builder
	var single, double, back bool
	depth := 0
	for i := 0; i < len(line); i++ {
		c := line[i]
		top := !single && !double && !back && depth == 0
		switch {
		case single:
			single = c != '\''
		case c == '\\' && !single && i+1 < len(line):
			cur.WriteByte(c)
			i++
			c = line[i]
		case c == '\'' && !double && !back && depth == 0:
			single = true
		case c == '"' && !back && depth == 0:
			double = !double
		case c == '`':
			back = !back
		case c == '$' && i+1 < len(line) && line[i+1] == '(':
			depth++
			cur.WriteByte(c)
			i++
			c = line[i]
		case c == '(' && depth > 0:
			depth++
		case c == ')' && depth > 0:
			depth--
		case top && c == '#' && (cur.Len() == 0 || strings.ContainsRune(" \t;|&\n", rune(line[i-1]))):
			for i < len(line) && line[i] != '\n' {
				i++
			}
			i--
			continue
		case top && (c == ';' || c == '\n'):
			parts = append(parts, shPart{cur.String(), ";"})
			cur.Reset()
			continue
		case top && (c == '&' || c == '|'):
			op := string(c)
			if i+1 < len(line) && line[i+1] == c {
				op += string(c)
				i++
			}
			parts = append(parts, shPart{cur.String(), op})
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(parts, shPart{cur.String(), ""})
}

// shCommand expands and runs one simple command.
func shCommand(cmd string, out *strings.Builder, depth int, background bool) int {
	words := shWords(cmd, depth)
	if len(words) == 0 {
		return 0
	}
	switch words[0] {
	case "echo":
		out.WriteString(strings.Join(words[1:], " ") + "\n")
		return 0
	case "sleep":
		if len(words) < 2 {
			out.WriteString("sleep: missing operand\n")
			return 1
		}
		f, err := strconv.ParseFloat(words[1], 64)
		if err != nil || len(words) > 2 {
			out.WriteString("sleep: invalid time interval\n")
			return 1
		}
		if !background {
			time.Sleep(time.Duration(f * float64(time.Second)))
		}
		return 0
	case "ping":
		host := words[len(words)-1]
		if net.ParseIP(host) == nil {
			fmt.Fprintf(out, "ping: %s: Name or service not known\n", host)
			return 2
		}
		fmt.Fprintf(out, "PING %s (%s) 56(84) bytes of data.\n64 bytes from %s: icmp_seq=1 ttl=64 time=0.05 ms\n", host, host, host)
		return 0
	}
	fmt.Fprintf(out, "sh: 1: %s: not found\n", words[0])
	return 127
}

// shWords splits a command into words and expands them.
func shWords(cmd string, depth int) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var single, double, back bool
	nest := 0
	flush := func() {
		if inWord {
			for _, f := range strings.Fields(shExpand(cur.String(), depth)) {
				words = append(words, strings.ReplaceAll(f, shKeep, " "))
			}
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		if !single && !double && !back && nest == 0 && (c == ' ' || c == '\t') {
			flush()
			continue
		}
		inWord = true
		switch {
		case single:
			single = c != '\''
		case c == '\\' && i+1 < len(cmd):
			cur.WriteByte(c)
			i++
			c = cmd[i]
		case c == '\'' && !double && !back && nest == 0:
			single = true
		case c == '"' && !back && nest == 0:
			double = !double
		case c == '`':
			back = !back
		case c == '(' && i > 0 && cmd[i-1] == '$', c == '(' && nest > 0:
			nest++
		case c == ')' && nest > 0:
			nest--
		}
		cur.WriteByte(c)
	}
	flush()
	return words
}

// shExpand removes the quotes of a word and expands what it holds. The
// result of an expansion outside quotes is split on spaces afterwards;
// quoted text keeps its spaces as no-break markers until then.
func shExpand(w string, depth int) string {
	const keep = shKeep
	var b strings.Builder
	var double bool
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == '\'' && !double:
			j := strings.IndexByte(w[i+1:], '\'')
			if j < 0 {
				j = len(w) - i - 1
			}
			b.WriteString(strings.ReplaceAll(w[i+1:i+1+j], " ", keep))
			i += j + 1
		case c == '"':
			double = !double
		case c == '\\' && i+1 < len(w):
			i++
			b.WriteByte(w[i])
		case strings.HasPrefix(w[i:], "${IFS}"):
			b.WriteByte(' ')
			i += len("${IFS}") - 1
		case strings.HasPrefix(w[i:], "$(("):
			j := strings.Index(w[i:], "))")
			if j < 0 {
				b.WriteString(w[i:])
				i = len(w)
				continue
			}
			b.WriteString(shArith(w[i+3 : i+j]))
			i += j + 1
		case strings.HasPrefix(w[i:], "$("):
			j := shClose(w, i+2)
			b.WriteString(shSubst(w[i+2:j], depth))
			i = j
		case c == '`':
			j := strings.IndexByte(w[i+1:], '`')
			if j < 0 {
				j = len(w) - i - 1
			}
			b.WriteString(shSubst(w[i+1:i+1+j], depth))
			i += j + 1
		default:
			if double && c == ' ' {
				b.WriteString(keep)
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// shKeep stands for a quoted space until words are split.
const shKeep = "\x00"

// shClose is the index of the parenthesis closing the one before i.
func shClose(w string, i int) int {
	n := 1
	for ; i < len(w); i++ {
		switch w[i] {
		case '(':
			n++
		case ')':
			n--
			if n == 0 {
				return i
			}
		}
	}
	return len(w)
}

func shSubst(cmd string, depth int) string {
	if depth >= shMaxDepth {
		return ""
	}
	var out strings.Builder
	shList(cmd, &out, depth+1)
	return strings.TrimRight(out.String(), "\n")
}

// shArith evaluates a*b, a+b, a-b or a number.
func shArith(e string) string {
	e = strings.TrimSpace(e)
	for _, op := range "*+-" {
		if i := strings.IndexRune(e, op); i > 0 {
			a, err1 := strconv.Atoi(strings.TrimSpace(e[:i]))
			b, err2 := strconv.Atoi(strings.TrimSpace(e[i+1:]))
			if err1 != nil || err2 != nil {
				return "0"
			}
			switch op {
			case '*':
				return strconv.Itoa(a * b)
			case '+':
				return strconv.Itoa(a + b)
			}
			return strconv.Itoa(a - b)
		}
	}
	n, _ := strconv.Atoi(e)
	return strconv.Itoa(n)
}

func TestFakeShell(t *testing.T) {
	tests := []struct{ line, want string }{
		{"echo a b", "a b\n"},
		{"echo 'x;y' \"$((2*3))\"", "x;y 6\n"},
		{"echo '$((2*3))'", "$((2*3))\n"},
		{"ping -c 1 127.0.0.1;echo m$((3*4));", "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.05 ms\nm12\n"},
		{"ping -c 1 x|echo m #rest", "m\n"},
		{"ping -c 1 x&&echo m #", "ping: x: Name or service not known\n"},
		{"ping -c 1 x||echo m #", "ping: x: Name or service not known\nm\n"},
		{"ping -c 1 x`echo m`", "ping: xm: Name or service not known\n"},
		{"ping -c 1 \"x$(echo m$((1+1)))\"", "ping: xm2: Name or service not known\n"},
		{"ping -c 1 'x;echo m'", "ping: x;echo m: Name or service not known\n"},
		{"ping -c 1 'x'\\''y'", "ping: x'y: Name or service not known\n"},
		{"echo${IFS}m", "m\n"},
		{"nope", "sh: 1: nope: not found\n"},
	}
	for _, tt := range tests {
		if got := fakeShell(tt.line); got != tt.want {
			t.Errorf("fakeShell(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// cmdiApp pings a host as a PHP page doing shell_exec("ping -c 1 " . $host)
// would; its fixed twins quote the host or validate it.
func cmdiApp() http.Handler {
	mux := http.NewServeMux()
	show := func(w http.ResponseWriter, out string) {
		fmt.Fprintf(w, "<html><body><h1>Ping a host</h1><form><input name=host></form><pre>%s</pre></body></html>", html.EscapeString(out))
	}
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
		show(w, fakeShell("ping -c 1 "+r.FormValue("host")))
	})
	mux.HandleFunc("/ping-quoted", func(w http.ResponseWriter, r *http.Request) {
		show(w, fakeShell(`ping -c 1 "`+r.FormValue("host")+`"`))
	})
	mux.HandleFunc("/blind/ping", func(w http.ResponseWriter, r *http.Request) {
		fakeShell("ping -c 1 " + r.FormValue("host") + " >/dev/null")
		show(w, "Request sent.")
	})
	mux.HandleFunc("/fixed/ping", func(w http.ResponseWriter, r *http.Request) {
		show(w, fakeShell("ping -c 1 '"+strings.ReplaceAll(r.FormValue("host"), "'", `'\''`)+"'"))
	})
	mux.HandleFunc("/fixed/validated", func(w http.ResponseWriter, r *http.Request) {
		h := r.FormValue("host")
		if net.ParseIP(h) == nil {
			show(w, "Not an IP address: "+h)
			return
		}
		show(w, fakeShell("ping -c 1 "+h))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(injDelay)
		show(w, "Not an IP address: "+r.FormValue("host"))
	})
	return mux
}

func TestCommandInjection(t *testing.T) {
	srv := injServer(t, cmdiApp())
	tests := []struct{ name, target, want string }{
		{"output", "/ping?host=127.0.0.1", "cmdi.output"},
		{"output in double quotes", "/ping-quoted?host=127.0.0.1", "cmdi.output"},
		{"blind", "/blind/ping?host=127.0.0.1", "cmdi.time"},
		{"quoted", "/fixed/ping?host=127.0.0.1", ""},
		{"validated", "/fixed/validated?host=127.0.0.1", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := injSender(srv)
			p := injPoint(t, srv, tt.target, nil, nil, Query, "host")
			rs, err := CommandInjection(context.Background(), s, p, injOptions(uint64(i)))
			if err != nil {
				t.Fatal(err)
			}
			if got := injChecks(rs); got != tt.want {
				t.Errorf("CommandInjection(%s) = %q, want %q (%+v)", tt.target, got, tt.want, rs)
			}
			injVerify(t, rs)
			if n := s.count(); n > 40 {
				t.Errorf("CommandInjection(%s) sent %d requests", tt.target, n)
			}
			for _, r := range rs {
				t.Logf("%s: %s\n%q", r.Check, r.Detail, r.Payload)
			}
		})
	}
}
