package active

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"regexp"
	"strings"
)

var nosqliInfo = map[string]Info{
	"nosqli": {
		Title:    "NoSQL injection",
		Severity: "high",
		CWE:      943,
		OWASP:    "A03:2021-Injection",
		Description: "The parameter reaches a MongoDB-style query as an object or as JavaScript: a query operator " +
			"that matches every record and one that matches none, sent in its place, gave two different " +
			"pages, again with a second pair of operators (or the database named an operator the scanner " +
			"made up, or a JavaScript condition in the value changed the result). An attacker can bypass " +
			"logins and read records of other users.",
		Fix: "Check the type of every value before it goes into a query (a string must be a string, not an " +
			"object), reject keys that start with $, use the driver's query builders, and disable " +
			"server-side JavaScript ($where) in the database.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/05.6-Testing_for_NoSQL_Injection",
			"https://cheatsheetseries.owasp.org/cheatsheets/Injection_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/943.html",
		},
	},
}

// nosqliOp is the parameter replaced by an operator object: {op: value}
// (value a string, or a list for $in and $nin).
type nosqliOp struct {
	op    string
	value string
	list  bool
}

// nosqliRequest is one request of the operator check and how a report
// shows it.
type nosqliRequest struct {
	req  *http.Request
	desc string
}

// nosqliBuild makes the point's request with the value replaced by an
// operator object: name[$op]=value in a query or form (as PHP and the
// qs parser of Express read it), {"$op": value} in JSON.
func nosqliBuild(ctx context.Context, p Point, o nosqliOp) (*nosqliRequest, error) {
	switch p.Kind {
	case Query, Form:
		q := p
		name := p.Name + "[" + o.op + "]"
		if o.list {
			name += "[]"
		}
		q.Name = name
		if p.Kind == Query {
			u := *p.URL
			vs := u.Query()
			vs.Del(p.Name)
			u.RawQuery = vs.Encode()
			q.URL = &u
		} else {
			q.Form = cloneValues(p.Form)
			q.Form.Del(p.Name)
		}
		req, err := q.Request(ctx, o.value)
		if err != nil {
			return nil, err
		}
		return &nosqliRequest{req, name + "=" + o.value}, nil
	case JSON:
		var v any = o.value
		if o.list {
			v = []any{o.value}
		}
		obj := map[string]any{o.op: v}
		body, err := nosqliSetJSON(deepCopy(p.Body), strings.Split(p.Name, "."), obj)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode JSON body: %w", err)
		}
		req, err := p.Request(ctx, p.Value)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.ContentLength = int64(len(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		ob, _ := json.Marshal(obj)
		return &nosqliRequest{req, p.Name + ": " + string(ob)}, nil
	}
	return nil, nil
}

// nosqliSetJSON puts v at path in a copy of a JSON body.
func nosqliSetJSON(body any, path []string, v any) (any, error) {
	// setJSON sets a string; set a placeholder and swap it for v.
	const hole = "\x00rmp-hole\x00"
	b, err := setJSON(body, path, hole)
	if err != nil {
		return nil, err
	}
	var swap func(any) any
	swap = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			for k, e := range t {
				t[k] = swap(e)
			}
		case []any:
			for i, e := range t {
				t[i] = swap(e)
			}
		case string:
			if t == hole {
				return v
			}
		}
		return x
	}
	return swap(b), nil
}

// nosqliSend sends an operator request.
func nosqliSend(ctx context.Context, s Sender, p Point, o nosqliOp) (*nosqliRequest, *Response, error) {
	nr, err := nosqliBuild(ctx, p, o)
	if err != nil || nr == nil {
		return nil, nil, err
	}
	resp, err := s.Send(ctx, nr.req)
	if err != nil {
		return nr, nil, fmt.Errorf("send %s: %w", p, err)
	}
	return nr, resp, nil
}

// nosqliExcerpt dumps an operator request (its body is rebuilt).
func nosqliExcerpt(ctx context.Context, p Point, o nosqliOp) string {
	nr, err := nosqliBuild(ctx, p, o)
	if err != nil || nr == nil {
		return ""
	}
	b, err := httputil.DumpRequestOut(nr.req, true)
	if err != nil {
		return nr.req.Method + " " + nr.req.URL.String()
	}
	return clip(string(b), 2*excerptLen)
}

// nosqliOperatorError is MongoDB's answer to an operator it does not know.
func nosqliOperatorError(op string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)unknown (?:top level )?operator:? ?` + regexp.QuoteMeta(op))
}

// NoSQLi tests one point for NoSQL (MongoDB) injection. At query, form
// and JSON points it replaces the value by operator objects: a made-up
// operator that MongoDB names in its error, and pairs of an operator
// that matches every record ($ne, $nin) and one that matches none ($eq,
// $in of a random string), reported when each pair gives two different
// pages (beyond what the original page varies by itself) and the two
// pairs agree. At every point it then tries JavaScript conditions for
// $where in single and double quotes, like the boolean SQL check: a true
// condition leaves the page as it is and a false one changes it (and, at
// LevelFull, || conditions the other way round). It returns at most one
// Result.
func NoSQLi(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	var orig []*Response
	for range sqliOriginals {
		_, r, err := send(ctx, s, p, p.Value)
		if err != nil {
			return nil, err
		}
		orig = append(orig, r)
	}
	sigs := make([]pageSig, len(orig))
	for i, r := range orig {
		sigs[i] = newPageSig(r)
	}
	base, stable := newPageBase(sigs)
	stable = stable && base.noise*4 <= base.stableWords
	if p.Kind == Query || p.Kind == Form || p.Kind == JSON {
		r, err := nosqliOperators(ctx, s, p, opt, orig, base, stable)
		if r != nil || err != nil {
			return injOne(r), err
		}
	}
	if !stable {
		return nil, nil
	}
	r, err := nosqliWhere(ctx, s, p, opt, base)
	return injOne(r), err
}

func nosqliOperators(ctx context.Context, s Sender, p Point, opt Options, orig []*Response, base pageBase, stable bool) (*Result, error) {
	rnd := "rmp" + opt.randWord(8)
	made := nosqliOp{op: "$" + rnd, value: "1"}
	errRE := nosqliOperatorError(made.op)
	nr, r, err := nosqliSend(ctx, s, p, made)
	if err != nil {
		return nil, ctx.Err()
	}
	if nr == nil {
		return nil, nil
	}
	shown := func(r *Response) bool { return r != nil && errRE.Match(r.Body) }
	if shown(r) && !shown(orig[0]) {
		// Confirmed when a known operator does not give the error.
		known := nosqliOp{op: "$eq", value: rnd}
		_, rk, err := nosqliSend(ctx, s, p, known)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		m := errRE.Find(r.Body)
		return &Result{
			Check: "nosqli", Point: p, Payload: nr.desc, Confirmed: err == nil && !shown(rk),
			Detail: fmt.Sprintf("the database reported %q for the operator %s sent as %s; %s gave no such error",
				string(m), made.op, nr.desc, known.op),
			Request:  nosqliExcerpt(ctx, p, made),
			Response: responseExcerpt(r, string(m)),
		}, nil
	}
	if !stable {
		return nil, nil
	}
	rnd2 := "rmp" + opt.randWord(8)
	pairs := [2][2]nosqliOp{
		{{op: "$ne", value: rnd}, {op: "$eq", value: rnd}},
		{{op: "$nin", value: rnd2, list: true}, {op: "$in", value: rnd2, list: true}},
	}
	ign := diffIgnore(p.Value, rnd, rnd2, "$ne", "$eq", "$nin", "$in", p.Name+"[$ne]", p.Name+"[$eq]", p.Name+"[$nin][]", p.Name+"[$in][]")
	// got[0] are the pages of the operators that match every record,
	// got[1] of those that match none: the two pairs, then the first
	// pair once more.
	var got [2][]pageSig
	var first *Response
	for i, pr := range [][2]nosqliOp{pairs[0], pairs[1], pairs[0]} {
		for j, o := range pr {
			_, r, err := nosqliSend(ctx, s, p, o)
			if err != nil {
				return nil, ctx.Err()
			}
			got[j] = append(got[j], newPageSig(r, rnd, rnd2))
			if i == 0 && j == 0 {
				first = r
			}
		}
		if sigDist(got[0][i], got[1][i], ign) < base.diffTol {
			return nil, nil
		}
	}
	// Each group is one page, and each page of one group differs from
	// the other group by more than that group varies by itself.
	all, none := newPageBaseOK(got[0]), newPageBaseOK(got[1])
	if all == nil || none == nil {
		return nil, nil
	}
	for i := range got[0] {
		if !none.differs(got[0][i], ign) || !all.differs(got[1][i], ign) {
			return nil, nil
		}
	}
	d := sigDist(got[0][0], got[1][0], ign)
	how := fmt.Sprintf("%d words apart", d)
	if d >= diffFar {
		how = fmt.Sprintf("status %d and %d", got[0][0].status, got[1][0].status)
	}
	payload := nosqliExcerptDesc(ctx, p, pairs[0][0])
	return &Result{
		Check: "nosqli", Point: p, Payload: payload, Confirmed: true,
		Detail: fmt.Sprintf("%s and %s gave different pages (%s, where the original page varies by at most %d); $nin and $in of another string did the same",
			payload, nosqliExcerptDesc(ctx, p, pairs[0][1]), how, base.noise),
		Request:  nosqliExcerpt(ctx, p, pairs[0][0]),
		Response: responseExcerpt(first, ""),
	}, nil
}

func nosqliExcerptDesc(ctx context.Context, p Point, o nosqliOp) string {
	nr, err := nosqliBuild(ctx, p, o)
	if err != nil || nr == nil {
		return ""
	}
	return nr.desc
}

// nosqliWhereContext builds a JavaScript condition after the value: in
// single or double quotes, or after a number (quote ""). join is && or
// ||, a and b the two sides of ==.
type nosqliWhereContext struct {
	quote string
}

func (c nosqliWhereContext) build(v, join, a, b string) string {
	if c.quote == "" {
		return v + " " + join + " '" + a + "'=='" + b + "'"
	}
	q := c.quote
	return v + q + " " + join + " " + q + a + q + "==" + q + b
}

func nosqliWhere(ctx context.Context, s Sender, p Point, opt Options, base pageBase) (*Result, error) {
	joins := []string{"&&"}
	if opt.Level >= LevelFull {
		joins = append(joins, "||")
	}
	contexts := []nosqliWhereContext{{"'"}, {`"`}}
	if sqliNumeric(p.Value) {
		contexts = append(contexts, nosqliWhereContext{""})
	}
	for _, c := range contexts {
		for _, join := range joins {
			// With && the true condition keeps the original page; with ||
			// the false one does.
			try := func(a, b string) (string, *Response, bool, error) {
				t, f := c.build(p.Value, join, a, a), c.build(p.Value, join, a, b)
				ign := diffIgnore(p.Value, t, f)
				keep, change := t, f
				if join == "||" {
					keep, change = f, t
				}
				_, rk, err := send(ctx, s, p, keep)
				if err != nil {
					return "", nil, false, ctx.Err()
				}
				if !base.same(newPageSig(rk, t, f), ign) {
					return "", nil, false, nil
				}
				_, rc, err := send(ctx, s, p, change)
				if err != nil {
					return "", nil, false, ctx.Err()
				}
				return change, rc, base.differs(newPageSig(rc, t, f), ign), nil
			}
			a, b := opt.randWord(3), opt.randWord(4)
			payload, r, ok, err := try(a, b)
			if err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
			c2, d2 := opt.randWord(5), opt.randWord(6)
			_, _, ok, err = try(c2, d2)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			return &Result{
				Check: "nosqli", Point: p, Payload: payload, Confirmed: true,
				Detail: fmt.Sprintf("JavaScript condition for $where (%s): %q changed the page that the opposite condition left as it was, for two pairs of strings",
					join, payload),
				Request:  requestExcerpt(p, payload),
				Response: responseExcerpt(r, ""),
			}, nil
		}
	}
	return nil, nil
}
