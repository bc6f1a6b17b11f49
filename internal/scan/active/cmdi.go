package active

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var cmdiInfo = map[string]Info{
	"cmdi.output": {
		Title:    "OS command injection",
		Severity: "critical",
		CWE:      78,
		OWASP:    "A03:2021-Injection",
		Description: "A shell command in the parameter ran on the server: the response showed the result of the " +
			"arithmetic it asked the shell to do, for two different pairs of numbers. An attacker can run " +
			"any command with the rights of the application.",
		Fix: "Do not pass input to a shell. Call the program directly with an argument list (exec without a " +
			"shell), validate the input against what it must be (an IP address, a file name from a list), " +
			"and never build a command line by concatenating strings.",
		References: []string{
			"https://owasp.org/www-community/attacks/Command_Injection",
			"https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/78.html",
		},
	},
	"cmdi.time": {
		Title:    "OS command injection (time-based blind)",
		Severity: "critical",
		CWE:      78,
		OWASP:    "A03:2021-Injection",
		Description: "A sleep command in the parameter delayed the response by the time asked for, twice, while " +
			"the same payload asking for no delay stayed fast: the server passes the parameter to a shell. " +
			"An attacker can run any command with the rights of the application.",
		Fix: "Do not pass input to a shell. Call the program directly with an argument list (exec without a " +
			"shell), validate the input against what it must be, and never build a command line by " +
			"concatenating strings.",
		References: []string{
			"https://owasp.org/www-community/attacks/Command_Injection",
			"https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/78.html",
		},
	},
}

// cmdiSeparator puts a command after the original value: run after it,
// piped, on failure or success, substituted into it, on a new line, or
// after closing the quotes the value sits in. The trailing " #" comments
// out the rest of the original command line, whose arguments would
// otherwise go to the injected command.
type cmdiSeparator struct {
	name  string
	build func(v, cmd string) string
}

var cmdiSeparators = []cmdiSeparator{
	{"semicolon", func(v, cmd string) string { return v + ";" + cmd + ";" }},
	{"pipe", func(v, cmd string) string { return v + "|" + cmd + " #" }},
	{"and", func(v, cmd string) string { return v + "&&" + cmd + " #" }},
	{"or", func(v, cmd string) string { return v + "||" + cmd + " #" }},
	{"backticks", func(v, cmd string) string { return v + "`" + cmd + "`" }},
	{"command substitution", func(v, cmd string) string { return v + "$(" + cmd + ")" }},
	{"newline", func(v, cmd string) string { return v + "\n" + cmd + "\n" }},
	{"single quote", func(v, cmd string) string { return v + "';" + cmd + " #" }},
	{"double quote", func(v, cmd string) string { return v + `";` + cmd + " #" }},
}

// cmdiFullSeparators are tried too at LevelFull: spaces a filter may
// strip, and quotes closed before a pipe.
var cmdiFullSeparators = []cmdiSeparator{
	{"semicolon without spaces", func(v, cmd string) string {
		return v + ";" + strings.ReplaceAll(cmd, " ", "${IFS}") + ";"
	}},
	{"single quote, pipe", func(v, cmd string) string { return v + "'|" + cmd + " #" }},
	{"double quote, pipe", func(v, cmd string) string { return v + `"|` + cmd + " #" }},
}

func (o Options) cmdiSeparators() []cmdiSeparator {
	if o.Level >= LevelFull {
		return append(append([]cmdiSeparator(nil), cmdiSeparators...), cmdiFullSeparators...)
	}
	return cmdiSeparators
}

// CommandInjection tests one point for OS command injection: output-based
// first (an echo of a random marker and shell arithmetic, confirmed when
// the computed product comes back after the marker and the expression
// does not, for two pairs of numbers), then time-based (sleep and ping
// after each separator, and ping for Windows, repeated with a zero-delay
// control). It returns at most one Result. The error is the end of ctx
// or a failed request with the original value.
func CommandInjection(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	_, orig, err := send(ctx, s, p, p.Value)
	if err != nil {
		return nil, err
	}
	if r, err := cmdiOutput(ctx, s, p, opt, orig); r != nil || err != nil {
		return injOne(r), err
	}
	r, err := cmdiTime(ctx, s, p, opt, orig)
	return injOne(r), err
}

// cmdiEcho is the command that prints marker and the product of a and b,
// and what it prints.
func cmdiEcho(marker string, a, b int) (cmd, shows string) {
	return fmt.Sprintf("echo %s$((%d*%d))", marker, a, b), marker + strconv.Itoa(a*b)
}

func cmdiOutput(ctx context.Context, s Sender, p Point, opt Options, orig *Response) (*Result, error) {
	marker := "rmp" + opt.randWord(6)
	if strings.Contains(string(orig.Body), marker) {
		return nil, nil
	}
	for _, sep := range opt.cmdiSeparators() {
		a, b := opt.randInt(1000, 9999), opt.randInt(1000, 9999)
		cmd, want := cmdiEcho(marker, a, b)
		payload := sep.build(p.Value, cmd)
		_, r, err := send(ctx, s, p, payload)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if !cmdiComputed(r, marker, want) {
			continue
		}
		c, d := opt.randInt(1000, 9999), opt.randInt(1000, 9999)
		for c*d == a*b {
			c++
		}
		cmd2, want2 := cmdiEcho(marker, c, d)
		_, r2, err := send(ctx, s, p, sep.build(p.Value, cmd2))
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if !cmdiComputed(r2, marker, want2) {
			continue
		}
		return &Result{
			Check: "cmdi.output", Point: p, Payload: payload, Confirmed: true,
			Detail: fmt.Sprintf("%s: the response shows %s, the shell's result of %q, and not the expression; %d*%d gave %s as well",
				sep.name, want, cmd, c, d, want2),
			Request:  requestExcerpt(p, payload),
			Response: responseExcerpt(r, want),
		}, nil
	}
	return nil, nil
}

// cmdiComputed says r shows the marker followed by the product, and not
// the marker followed by the expression (a page that prints the payload
// back, as text, in a shell-like way, is not a shell).
func cmdiComputed(r *Response, marker, want string) bool {
	body := string(r.Body)
	return strings.Contains(body, want) && !strings.Contains(body, marker+"$((")
}

// cmdiPings is how many echo requests ping sends to take at least d, one
// a second; a single one comes back at once.
func cmdiPings(d time.Duration) int {
	if d <= 0 {
		return 1
	}
	return int((d+time.Second-1)/time.Second) + 1
}

func cmdiTime(ctx context.Context, s Sender, p Point, opt Options, orig *Response) (*Result, error) {
	probe := &delayProbe{s: s, p: p, opt: opt}
	probe.add(orig)
	if err := probe.baseline(ctx); err != nil {
		return nil, err
	}
	type try struct {
		name string
		mk   func(time.Duration) string
	}
	var tries []try
	for _, sep := range opt.cmdiSeparators() {
		tries = append(tries, try{sep.name + ", sleep", func(d time.Duration) string {
			return sep.build(p.Value, "sleep "+sqliSeconds(d))
		}})
	}
	// ping where sleep is filtered out, and for Windows, whose cmd
	// separates commands with & and has no sleep.
	tries = append(tries,
		try{"semicolon, ping", func(d time.Duration) string {
			return p.Value + ";ping -c " + strconv.Itoa(cmdiPings(d)) + " 127.0.0.1;"
		}},
		try{"Windows, ampersand, ping", func(d time.Duration) string {
			return p.Value + "&ping -n " + strconv.Itoa(cmdiPings(d)) + " 127.0.0.1&"
		}},
		try{"Windows, pipe, ping", func(d time.Duration) string {
			return p.Value + "|ping -n " + strconv.Itoa(cmdiPings(d)) + " 127.0.0.1"
		}},
	)
	for _, t := range tries {
		e, ok, err := probe.test(ctx, t.mk)
		if err != nil {
			return nil, err
		}
		if ok {
			return &Result{
				Check: "cmdi.time", Point: p, Payload: e.payload, Confirmed: true,
				Detail:   e.detail(t.name),
				Request:  requestExcerpt(p, e.payload),
				Response: responseExcerpt(e.resp, ""),
			}, nil
		}
	}
	return nil, nil
}
