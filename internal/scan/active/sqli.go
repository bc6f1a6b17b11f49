package active

import (
	"context"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
)

var sqliInfo = map[string]Info{
	"sqli.error": {
		Title:    "SQL injection (error-based)",
		Severity: "high",
		CWE:      89,
		OWASP:    "A03:2021-Injection",
		Description: "A quote in the parameter made the database report a syntax error, and the same quote doubled " +
			"(or the expression closed) made the error go away: the value is pasted into an SQL statement. " +
			"An attacker can read or change any data the application's database account can reach, and " +
			"sometimes run commands on the database server.",
		Fix: "Pass values to the database as bound parameters (prepared statements) and never build SQL by " +
			"concatenating strings; show users a generic error page instead of database messages.",
		References: []string{
			"https://owasp.org/www-community/attacks/SQL_Injection",
			"https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/89.html",
		},
	},
	"sqli.boolean": {
		Title:    "SQL injection (boolean-based blind)",
		Severity: "high",
		CWE:      89,
		OWASP:    "A03:2021-Injection",
		Description: "Appending a condition that is always true to the parameter left the page as it was, and " +
			"appending one that is always false changed it, for two different pairs of conditions: the " +
			"database evaluates what the parameter carries. An attacker can read the whole database one " +
			"bit at a time.",
		Fix: "Pass values to the database as bound parameters (prepared statements) and never build SQL by " +
			"concatenating strings.",
		References: []string{
			"https://owasp.org/www-community/attacks/Blind_SQL_Injection",
			"https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/89.html",
		},
	},
	"sqli.time": {
		Title:    "SQL injection (time-based blind)",
		Severity: "high",
		CWE:      89,
		OWASP:    "A03:2021-Injection",
		Description: "A database sleep function in the parameter delayed the response by the time asked for, " +
			"twice, while the same payload asking for no delay stayed fast: the database runs what the " +
			"parameter carries. An attacker can read the whole database by timing responses.",
		Fix: "Pass values to the database as bound parameters (prepared statements) and never build SQL by " +
			"concatenating strings.",
		References: []string{
			"https://owasp.org/www-community/attacks/Blind_SQL_Injection",
			"https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/89.html",
		},
	},
}

// sqliOriginals is how many responses to the original value SQLi takes:
// the controls of the error check, the base of the boolean check and the
// baseline of the time check.
const sqliOriginals = 3

// SQLi tests one point for SQL injection: error-based (a DBMS error that
// the original value does not show, gone when the quote is balanced),
// boolean-based (true and false conditions in each quoting context,
// compared with the original page, confirmed by a second pair) and
// time-based (sleep functions of each DBMS, repeated, with a zero-delay
// control). It stops at the first kind it confirms and returns at most
// one Result. The error is the end of ctx or a failed request with the
// original value.
func SQLi(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	st := sqliState{s: s, p: p, opt: opt, probe: &delayProbe{s: s, p: p, opt: opt}}
	for range sqliOriginals {
		_, resp, err := send(ctx, s, p, p.Value)
		if err != nil {
			return nil, err
		}
		st.orig = append(st.orig, resp)
		st.probe.add(resp)
	}
	for _, step := range []func(context.Context) (*Result, error){st.errorBased, st.booleanBased, st.timeBased} {
		r, err := step(ctx)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return []Result{*r}, nil
		}
	}
	return nil, nil
}

type sqliState struct {
	s     Sender
	p     Point
	opt   Options
	orig  []*Response
	probe *delayProbe
}

// sqliErrorPair is a payload that breaks the statement in one context and
// its twin that balances it.
type sqliErrorPair struct{ brk, fix string }

func sqliErrorPairs(v string) []sqliErrorPair {
	return []sqliErrorPair{
		{v + "'", v + "''"},      // single-quoted string
		{v + `"`, v + `""`},      // double-quoted string (MySQL)
		{"(" + v, "(" + v + ")"}, // number, column or expression
	}
}

func (st *sqliState) errorBased(ctx context.Context) (*Result, error) {
	seen := map[int]bool{}
	for _, r := range st.orig {
		for _, e := range sqliErrorsIn(r.Body) {
			seen[e.sig] = true
		}
	}
	for _, pr := range sqliErrorPairs(st.p.Value) {
		_, rb, err := send(ctx, st.s, st.p, pr.brk)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		var fresh []sqliError
		for _, e := range sqliErrorsIn(rb.Body) {
			if !seen[e.sig] {
				fresh = append(fresh, e)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		_, rf, err := send(ctx, st.s, st.p, pr.fix)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if sqliNewError(rf, seen) {
			continue // the balanced value errs too: a type check, not the parser
		}
		e := fresh[0]
		dbms := sqliSignatures[e.sig].dbms
		if dbms == "" {
			dbms = "the database"
		}
		return &Result{
			Check: "sqli.error", Point: st.p, Payload: pr.brk, Confirmed: true,
			Detail: fmt.Sprintf("%q made %s report %q, which the original value does not show, and %q did not",
				pr.brk, dbms, clip(e.text, 120), pr.fix),
			Request:  requestExcerpt(st.p, pr.brk),
			Response: responseExcerpt(rb, sqliMark(rb, e.text)),
		}, nil
	}
	return nil, nil
}

// sqliNewError says r shows an error message the originals do not.
func sqliNewError(r *Response, seen map[int]bool) bool {
	for _, e := range sqliErrorsIn(r.Body) {
		if !seen[e.sig] {
			return true
		}
	}
	return false
}

// sqliMark is how the matched text appears in the raw body, for the
// excerpt.
func sqliMark(r *Response, text string) string {
	for _, m := range []string{text, html.EscapeString(text)} {
		if strings.Contains(string(r.Body), m) {
			return m
		}
	}
	return ""
}

// sqliContext builds a payload from the original value and a condition
// given as its two sides: true when they are equal.
type sqliContext struct {
	name    string
	numeric bool // only for numbers
	build   func(v, a, b string) string
}

var sqliContexts = []sqliContext{
	{"numeric", true, func(v, a, b string) string { return v + " AND " + a + "=" + b }},
	{"numeric in parentheses", true, func(v, a, b string) string { return v + ") AND (" + a + "=" + b }},
	{"numeric, rest commented out", true, func(v, a, b string) string { return v + " AND " + a + "=" + b + "-- -" }},
	{"single-quoted string", false, func(v, a, b string) string { return v + "' AND '" + a + "'='" + b }},
	{"single-quoted string in parentheses", false, func(v, a, b string) string { return v + "') AND ('" + a + "'='" + b }},
	{"single-quoted string, rest commented out", false, func(v, a, b string) string { return v + "' AND " + a + "=" + b + "-- -" }},
	{"single-quoted LIKE pattern", false, func(v, a, b string) string { return v + "%' AND '" + a + "%'='" + b }},
	{"double-quoted string", false, func(v, a, b string) string { return v + `" AND "` + a + `"="` + b }},
}

func sqliNumeric(v string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return err == nil
}

// sqliPair is a true and a false payload of one context.
type sqliPair struct{ t, f string }

// pair draws the operands of the first pair from 100-999 and of the
// second from 1000-9999, so the two always differ.
func (st *sqliState) pair(c sqliContext, second bool) sqliPair {
	lo, hi := 100, 899
	if second {
		lo, hi = 1000, 8999
	}
	a := st.opt.randInt(lo, hi)
	b := a + st.opt.randInt(1, 99)
	as, bs := strconv.Itoa(a), strconv.Itoa(b)
	return sqliPair{c.build(st.p.Value, as, as), c.build(st.p.Value, as, bs)}
}

func (st *sqliState) booleanBased(ctx context.Context) (*Result, error) {
	sigs := make([]pageSig, len(st.orig))
	for i, r := range st.orig {
		sigs[i] = newPageSig(r)
	}
	base, ok := newPageBase(sigs)
	if !ok || base.noise*4 > base.stableWords {
		return nil, nil // the page changes too much by itself to compare
	}
	numeric := sqliNumeric(st.p.Value)
	for _, c := range sqliContexts {
		if c.numeric && !numeric {
			continue
		}
		p1 := st.pair(c, false)
		ok, t1, f1, err := st.tryPair(ctx, base, p1)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		p2 := st.pair(c, true)
		ok, t2, f2, err := st.tryPair(ctx, base, p2)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		// The first false payload once more: a page that changes by
		// itself now and then does not change on cue three times.
		_, f3, err := send(ctx, st.s, st.p, p1.f)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if !st.separate(base, []*Response{t1, t2}, []*Response{f1, f2, f3}, p1, p2) {
			continue
		}
		return &Result{
			Check: "sqli.boolean", Point: st.p, Payload: p1.f, Confirmed: true,
			Detail: fmt.Sprintf("%s context: %q returned the original page and %q a different one (%s); %q and %q did the same",
				c.name, p1.t, p1.f, st.how(base, f1, p1), p2.t, p2.f),
			Request:  requestExcerpt(st.p, p1.f),
			Response: responseExcerpt(f1, ""),
		}, nil
	}
	return nil, nil
}

// separate says the false pages are one page and the true pages and the
// originals another: every false page differs from the originals, and
// the originals and true pages all differ from what the false pages have
// in common, each measured against the other group's own variation. A
// page with random parts that happened to vary little in the originals
// rarely varies little in the false pages too.
func (st *sqliState) separate(base pageBase, ts, fs []*Response, pairs ...sqliPair) bool {
	var strip []string
	for _, p := range pairs {
		strip = append(strip, p.t, p.f)
	}
	ign := diffIgnore(st.p.Value, strip...)
	fsigs := make([]pageSig, len(fs))
	for i, r := range fs {
		fsigs[i] = newPageSig(r, strip...)
		if !base.differs(fsigs[i], ign) {
			return false
		}
	}
	fb, ok := newPageBase(fsigs)
	if !ok {
		return false
	}
	for _, r := range append(append([]*Response(nil), st.orig...), ts...) {
		if !fb.differs(newPageSig(r, strip...), ign) {
			return false
		}
	}
	return true
}

// tryPair sends a pair and says the true payload gave the original page
// and the false one another.
func (st *sqliState) tryPair(ctx context.Context, base pageBase, pr sqliPair) (ok bool, rt, rf *Response, err error) {
	_, rt, err = send(ctx, st.s, st.p, pr.t)
	if err != nil {
		return false, nil, nil, ctx.Err()
	}
	ign := diffIgnore(st.p.Value, pr.t, pr.f)
	if !base.same(newPageSig(rt, pr.t, pr.f), ign) {
		return false, nil, nil, nil
	}
	_, rf, err = send(ctx, st.s, st.p, pr.f)
	if err != nil {
		return false, nil, nil, ctx.Err()
	}
	return base.differs(newPageSig(rf, pr.t, pr.f), ign), rt, rf, nil
}

func (st *sqliState) how(base pageBase, rf *Response, pr sqliPair) string {
	if rf.Status != base.status {
		return fmt.Sprintf("status %d instead of %d", rf.Status, base.status)
	}
	d := base.dist(newPageSig(rf, pr.t, pr.f), diffIgnore(st.p.Value, pr.t, pr.f))
	return fmt.Sprintf("%d words apart, where the original responses differ by at most %d", d, base.noise)
}

// sqliSleep is a time-based payload family: build gives the payload
// asking for a delay (0 for none).
type sqliSleep struct {
	dbms    string
	numeric bool
	build   func(v string, d time.Duration) string
}

// sqliSeconds formats a delay as SQL sleep functions take it: "3",
// "0.3", "0".
func sqliSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// sqliWaitfor formats a delay for WAITFOR DELAY: "0:0:3", "0:0:0.300".
func sqliWaitfor(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("0:0:%d", int(d/time.Second))
	}
	return fmt.Sprintf("0:0:%d.%03d", int(d/time.Second), int(d%time.Second/time.Millisecond))
}

// sqliSleeps are payloads that sleep once per statement, whatever the
// number of rows (the sleep sits in a derived table or a constant
// subquery), and leave the result of the statement as it was, so they are
// safe in an UPDATE as in a SELECT.
var sqliSleeps = []sqliSleep{
	{"MySQL", false, func(v string, d time.Duration) string {
		return v + "'XOR(SELECT 0 FROM (SELECT SLEEP(" + sqliSeconds(d) + "))x)XOR'Z"
	}},
	{"MySQL", false, func(v string, d time.Duration) string {
		return v + `"XOR(SELECT 0 FROM (SELECT SLEEP(` + sqliSeconds(d) + `))x)XOR"Z`
	}},
	{"MySQL", true, func(v string, d time.Duration) string {
		return v + "-(SELECT 0 FROM (SELECT SLEEP(" + sqliSeconds(d) + "))x)"
	}},
	{"PostgreSQL", false, func(v string, d time.Duration) string {
		return v + "'||(SELECT '' FROM pg_sleep(" + sqliSeconds(d) + "))||'"
	}},
	{"PostgreSQL", true, func(v string, d time.Duration) string {
		return v + "-(SELECT 0 FROM pg_sleep(" + sqliSeconds(d) + "))"
	}},
	{"Microsoft SQL Server", false, func(v string, d time.Duration) string {
		return v + "';WAITFOR DELAY '" + sqliWaitfor(d) + "'-- -"
	}},
	{"Microsoft SQL Server", true, func(v string, d time.Duration) string {
		return v + ";WAITFOR DELAY '" + sqliWaitfor(d) + "'-- -"
	}},
	{"Oracle", false, func(v string, d time.Duration) string {
		return v + "'||DBMS_PIPE.RECEIVE_MESSAGE(CHR(65)," + sqliSeconds(d) + ")||'"
	}},
}

// sqliHeavy is the SQLite family: SQLite has no sleep, so the payload
// counts to n in a recursive query, n calibrated to take the delay.
type sqliHeavy struct {
	numeric bool
	build   func(v string, n int64) string
}

func sqliCount(n int64) string {
	return "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<" +
		strconv.FormatInt(n, 10) + ") SELECT substr(count(*),1,0) FROM c)"
}

var sqliHeavies = []sqliHeavy{
	{false, func(v string, n int64) string { return v + "'||" + sqliCount(n) + "||'" }},
	{true, func(v string, n int64) string { return v + "-length(" + sqliCount(n) + ")" }},
}

// sqliHeavySteps are the counts tried to calibrate the SQLite payload,
// from about a millisecond to about a second on a fast machine.
var sqliHeavySteps = []int64{1e5, 1e6, 1e7}

// sqliHeavyMax bounds the calibrated count.
const sqliHeavyMax = 1e9

func (st *sqliState) timeBased(ctx context.Context) (*Result, error) {
	if err := st.probe.baseline(ctx); err != nil {
		return nil, err
	}
	numeric := sqliNumeric(st.p.Value)
	for _, sl := range sqliSleeps {
		if sl.numeric && !numeric {
			continue
		}
		e, ok, err := st.probe.test(ctx, func(d time.Duration) string { return sl.build(st.p.Value, d) })
		if err != nil {
			return nil, err
		}
		if ok {
			return st.timeResult(e, sl.dbms), nil
		}
	}
	for _, h := range sqliHeavies {
		if h.numeric && !numeric {
			continue
		}
		n, err := st.calibrate(ctx, h)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		delay := st.opt.delay()
		e, ok, err := st.probe.test(ctx, func(d time.Duration) string {
			return h.build(st.p.Value, max(1, int64(float64(n)*float64(d)/float64(delay))))
		})
		if err != nil {
			return nil, err
		}
		if ok {
			return st.timeResult(e, "SQLite"), nil
		}
	}
	return nil, nil
}

// calibrate finds the count that takes about the delay, and 0 when no
// count delays the response.
func (st *sqliState) calibrate(ctx context.Context, h sqliHeavy) (int64, error) {
	delay := st.opt.delay()
	for _, n := range sqliHeavySteps {
		_, r, err := send(ctx, st.s, st.p, h.build(st.p.Value, n))
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, nil
		}
		took := r.Duration - st.probe.baseMax()
		if took >= delay/4 {
			// Aim a quarter over the delay: the rate measured on a short
			// count flatters a long one less than it hurts.
			scaled := float64(n) * float64(delay) / float64(took) * 1.25
			return int64(min(scaled, sqliHeavyMax)), nil
		}
	}
	return 0, nil
}

func (st *sqliState) timeResult(e delayShown, dbms string) *Result {
	return &Result{
		Check: "sqli.time", Point: st.p, Payload: e.payload, Confirmed: true,
		Detail:   e.detail(dbms + " sleep"),
		Request:  requestExcerpt(st.p, e.payload),
		Response: responseExcerpt(e.resp, ""),
	}
}
