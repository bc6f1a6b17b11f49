package sqli

// Binary operator precedences, loosest first.
const (
	precOr      = 1 // OR XOR ||
	precAnd     = 2 // AND &&
	precNot     = 3 // NOT (prefix)
	precCmp     = 4 // = <> < IS LIKE IN BETWEEN REGEXP SOUNDS LIKE
	precBitOr   = 5
	precBitAnd  = 6
	precShift   = 7
	precAdd     = 8
	precMul     = 9 // * / % DIV MOD
	precHighest = 10
)

// binaryPrec returns the precedence of t, the next token, as a binary
// operator, 0 if it is none.
func binaryPrec(p *parser, t *token) int {
	switch t.kind {
	case tStar:
		return precMul
	case tOp:
		switch t.op {
		case opOr:
			return precOr
		case opAnd:
			return precAnd
		case opEq, opNe, opLt, opLe, opGt, opGe, opNullEq:
			return precCmp
		case opBitOr:
			return precBitOr
		case opBitAnd:
			return precBitAnd
		case opShift:
			return precShift
		case opPlus, opMinus:
			return precAdd
		case opDiv, opMod:
			return precMul
		case opXorBit, opCast, opJSON:
			return precHighest
		}
	case tWord:
		switch t.kw {
		case kwOr, kwXor:
			return precOr
		case kwAnd:
			return precAnd
		case kwIs, kwIn, kwLike, kwRlike, kwRegexp, kwBetween:
			return precCmp
		case kwSounds:
			if n := p.peekAt(1); n != nil && n.kind == tWord && n.kw == kwLike {
				return precCmp
			}
		case kwNot:
			if n := p.peekAt(1); n != nil && n.kind == tWord {
				switch n.kw {
				case kwIn, kwLike, kwRlike, kwRegexp, kwBetween:
					return precCmp
				}
			}
		case kwDiv, kwMod:
			return precMul
		case kwCollate:
			return precHighest
		}
	}
	return 0
}

// expr parses an expression whose binary operators bind at least as
// tightly as minPrec.
func (p *parser) expr(minPrec int) ex {
	p.budget--
	if p.depth > maxDepth || p.budget < 0 {
		return fail()
	}
	p.depth++
	defer func() { p.depth-- }()
	left := p.unary()
	if !left.ok {
		return left
	}
	return p.binary(left, minPrec)
}

// binary continues an expression after its left operand.
func (p *parser) binary(left ex, minPrec int) ex {
	for {
		t := p.peek()
		if t == nil {
			return left
		}
		prec := binaryPrec(p, t)
		if prec == 0 || prec < minPrec {
			return left
		}
		opTok := *t
		p.i++
		switch {
		case opTok.kind == tWord && (opTok.kw == kwOr || opTok.kw == kwXor || opTok.kw == kwAnd),
			opTok.kind == tOp && (opTok.op == opOr || opTok.op == opAnd):
			right := p.expr(prec + 1)
			if !right.ok {
				return right
			}
			isOr := opTok.kw == kwOr || opTok.kw == kwXor || opTok.op == opOr
			if p.quote != 0 || left.a != 0 {
				// In a bare value the operand before the first
				// operator is the application's: "2+2=4 and ..." is
				// judged by what follows.
				p.logicSide(left, isOr)
			} else {
				p.useStrong(left)
			}
			p.logicSide(right, isOr)
			left = ex{ok: true, p: (left.p|right.p)&pInner | (left.p & right.p & pKonst), a: left.a, b: right.b}
		case prec == precCmp:
			right, ok := p.predicate(&opTok)
			if !ok {
				return fail()
			}
			left = p.compare(left, right)
		case opTok.kind == tWord && opTok.kw == kwCollate, opTok.kind == tOp && opTok.op == opCast:
			// a type or collation name
			if !p.qualifiedName() {
				return fail()
			}
			if n := p.peek(); n != nil && n.kind == tLParen {
				if !p.skipParens() {
					return fail()
				}
			}
			left.b = p.i
		default:
			right := p.expr(prec + 1)
			if !right.ok {
				return right
			}
			left = p.arith(left, right)
		}
	}
}

// predicate parses the right side of a comparison operator, which p.i is
// past: IS [NOT] NULL, [NOT] IN (...), [NOT] BETWEEN a AND b, [NOT] LIKE x
// [ESCAPE y], SOUNDS LIKE x, or a plain operand.
func (p *parser) predicate(opTok *token) (ex, bool) {
	k := opTok.kw
	if opTok.kind == tWord && (k == kwNot || k == kwSounds) {
		n := p.peek()
		k = n.kw
		p.i++
	}
	if opTok.kind != tWord {
		// = ANY (SELECT ...), = ALL (...)
		if t := p.peek(); t != nil && t.kind == tWord && (t.kw == kwAny || t.kw == kwSome || t.kw == kwAll) {
			if n := p.peekAt(1); n != nil && n.kind == tLParen {
				p.i++
			}
		}
		r := p.expr(precCmp + 1)
		return r, r.ok
	}
	switch k {
	case kwIs:
		p.acceptKw(kwNot)
		t := p.peek()
		if t == nil || t.kind != tWord {
			return fail(), false
		}
		switch t.kw {
		case kwNull, kwTrue, kwFalse, kwUnknown:
			p.i++
			return ex{ok: true, p: pKonst | pLit, a: p.i - 1, b: p.i}, true
		case kwDistinct: // IS DISTINCT FROM x
			p.i++
			if !p.acceptKw(kwFrom) {
				return fail(), false
			}
			r := p.expr(precCmp + 1)
			return r, r.ok
		}
		return fail(), false
	case kwIn:
		t := p.peek()
		if t == nil || t.kind != tLParen {
			// MySQL accepts IN x only in BOOLEAN MODE searches; no.
			return fail(), false
		}
		r := p.primary()
		return r, r.ok
	case kwBetween:
		lo := p.expr(precCmp + 1)
		if !lo.ok || !p.acceptKw(kwAnd) {
			return fail(), false
		}
		hi := p.expr(precCmp + 1)
		if !hi.ok {
			return fail(), false
		}
		return ex{ok: true, p: (lo.p|hi.p)&pInner | (lo.p & hi.p & pKonst), a: lo.a, b: hi.b}, true
	}
	// LIKE, RLIKE, REGEXP
	r := p.expr(precCmp + 1)
	if !r.ok {
		return r, false
	}
	if p.acceptKw(kwEscape) {
		if !p.expr(precCmp + 1).ok {
			return fail(), false
		}
	}
	return r, true
}

// compare combines the operands of a comparison.
func (p *parser) compare(l, r ex) ex {
	res := ex{ok: true, p: (l.p|r.p)&pInner | pCmp | pAnyCmp, a: l.a, b: r.b}
	if p.parenCmp(l) || p.parenCmp(r) {
		res.p |= pInnerConstCmp // (1=1)=1
	}
	if l.p&pKonst != 0 && r.p&pKonst != 0 {
		res.p |= pKonst | pConstCmp
	}
	if p.same(l, r) {
		res.p |= pSame
		if l.a == -1 {
			// 'x'='x straight after the quote: a tautology by itself.
			p.weak |= fcTautology
		}
	}
	if l.p&pKonst != 0 && r.p&pKonst == 0 && r.a != -1 || r.p&pKonst != 0 && l.p&pKonst == 0 && l.a != -1 {
		// password = 'x', SUBSTRING(password,1,1) = 'a'
		res.p |= pIdentCmp
		if (l.p|r.p)&pSQLFunc != 0 {
			res.p |= pFuncCmp
		}
	}
	if l.a == -1 && l.b == -1 && r.p&pKonst != 0 {
		switch {
		case r.p&(pSQLFunc|pAnySubq|pCase|pInnerConstCmp) != 0:
			// ' RLIKE (SELECT ...), " = SLEEP(5)
			p.weak |= fcBoolean
		case p.quote != 0:
			// '=0-- compares the broken-out string with a constant.
			p.weak |= fcTautLit
		}
	}
	if p.firm {
		// x = sleep(5); in a code snippet is C, not an injection.
		p.useStrong(l)
		p.useStrong(r)
	}
	return res
}

// arith combines the operands of an arithmetic, bit or concatenation
// operator.
func (p *parser) arith(l, r ex) ex {
	res := ex{ok: true, p: (l.p|r.p)&pInner | (l.p & r.p & pKonst), a: l.a, b: r.b}
	if p.parenCmp(l) || p.parenCmp(r) {
		res.p |= pInnerConstCmp // (1=1)*2
	}
	if p.firm {
		p.useStrong(l)
		p.useStrong(r)
	}
	if p.quote != 0 && (l.a == -1 || r.a == -1) && (l.p|r.p)&(pBuild|pInfo|pAnySubq|pCond) != 0 {
		// '+CHAR(65)+', '||(SELECT ...)||', '+user()+'
		p.weak |= fcBuild
	}
	return res
}

// logicSide records what one operand of AND, OR or XOR shows.
func (p *parser) logicSide(e ex, isOr bool) {
	if e.a == -1 && e.b == -1 {
		return // the string broken out of, or the application's operand
	}
	switch {
	case e.p&pSame != 0 && isOr:
		p.weak |= fcTautology
	case e.p&pSame != 0:
		p.weak |= fcBoolean // AND x=x
	case e.p&pConstCmp != 0:
		p.weak |= fcBoolean
	case e.p&pKonst != 0 && e.p&(pSQLFunc|pAnySubq|pCase|pInnerConstCmp) != 0:
		p.weak |= fcBoolean
	case e.p&pIdentCmp != 0 && (p.quote != 0 || p.numLead && e.p&pFuncCmp != 0):
		p.weak |= fcIdentCmp
	case isOr && e.p&pTrue != 0 && (p.quote != 0 || p.noLead):
		p.weak |= fcTautLit
	}
	p.useStrong(e)
}

// same says whether two operands are the same single token: 1=1, 'a'='a',
// x LIKE x.
func (p *parser) same(l, r ex) bool {
	if l.a == -1 {
		if l.b != -1 || r.b-r.a != 1 || r.a < 0 || p.quote == 0 {
			return false
		}
		rt := &p.toks[r.a]
		return rt.kind == tString && p.strContent(rt) == p.pre
	}
	if l.b-l.a != 1 || r.b-r.a != 1 || l.a < 0 || r.a < 0 {
		return false
	}
	lt, rt := &p.toks[l.a], &p.toks[r.a]
	switch {
	case lt.kind == tString && rt.kind == tString:
		return p.strContent(lt) == p.strContent(rt)
	case lt.kind == tNumber && rt.kind == tNumber:
		return p.text(lt) == p.text(rt)
	case (lt.kind == tWord || lt.kind == tQuoted) && lt.kind == rt.kind:
		return equalFold(p.text(lt), p.text(rt))
	}
	return false
}

// strContent returns the text inside a string token's quotes.
func (p *parser) strContent(t *token) string {
	s := p.text(t)
	if i := indexByteFrom(s, 0, t.quote); i >= 0 {
		s = s[i+1:]
	}
	if t.flags&fUnterminated == 0 && len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s
}

// equalFold says whether a and b are equal up to ASCII case.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// unary parses prefix operators and a primary.
func (p *parser) unary() ex {
	t := p.peek()
	if t == nil {
		return fail()
	}
	start := p.i
	switch {
	case t.kind == tOp && (t.op == opMinus || t.op == opPlus || t.op == opTilde || t.op == opNot):
		p.i++
		if p.depth > maxDepth {
			return fail()
		}
		p.depth++
		e := p.unary()
		p.depth--
		if !e.ok {
			return e
		}
		e.a = start
		e.p &^= pLit | pIdent
		return e
	case t.kind == tWord && (t.kw == kwNot || t.kw == kwBinary):
		p.i++
		prec := precNot
		if t.kw == kwBinary {
			prec = precHighest
		}
		e := p.expr(prec)
		if !e.ok {
			return e
		}
		e.p &^= pLit | pIdent | pNum | pTrue
		return e
	}
	return p.primary()
}

// primary parses a literal, column, function call, parenthesised
// expression or subquery, CASE or EXISTS.
func (p *parser) primary() ex {
	t := p.peek()
	if t == nil {
		return fail()
	}
	start := p.i
	switch t.kind {
	case tNumber:
		p.i++
		e := ex{ok: true, p: pKonst | pLit | pNum, a: start, b: p.i}
		if !zeroNumber(p.text(t)) {
			e.p |= pTrue
		}
		return e
	case tString:
		p.i++
		// Adjacent literals concatenate: 'a' 'b'.
		for n := p.peek(); n != nil && n.kind == tString; n = p.peek() {
			p.i++
		}
		if p.i-start > 1 {
			return ex{ok: true, p: pKonst, a: start, b: p.i}
		}
		e := ex{ok: true, p: pKonst | pLit, a: start, b: p.i}
		if c := p.strContent(t); c != "" && !zeroNumber(c) && isDigits(c) {
			e.p |= pTrue // ' OR '1
		}
		return e
	case tVar:
		p.i++
		e := ex{ok: true, p: pKonst, a: start, b: p.i}
		if v := p.text(t); len(v) > 1 && v[1] == '@' {
			e.p |= pInfo
		}
		return e
	case tLParen:
		return p.paren()
	case tQuoted:
		return p.name()
	case tWord:
		switch t.kw {
		case kwNull, kwUnknown:
			p.i++
			return ex{ok: true, p: pKonst | pLit, a: start, b: p.i}
		case kwTrue, kwFalse:
			p.i++
			e := ex{ok: true, p: pKonst | pLit, a: start, b: p.i}
			if t.kw == kwTrue {
				e.p |= pTrue
			}
			return e
		case kwCase:
			return p.caseExpr()
		case kwExists:
			p.i++
			n := p.peek()
			if n == nil || n.kind != tLParen {
				return fail()
			}
			e := p.paren()
			if !e.ok || e.p&pKonst == 0 || p.toks[start+2].kw != kwSelect {
				return fail()
			}
			e.p &^= pLit | pIdent | pCmp | pConstCmp | pSame | pIdentCmp
			return e
		case kwInterval:
			p.i++
			e := p.expr(precHighest)
			if !e.ok {
				return e
			}
			if n := p.peek(); n != nil && n.kind == tWord && !isReserved(n.kw) {
				p.i++
			}
			return ex{ok: true, p: e.p&pInner | e.p&pKonst, a: start, b: p.i}
		case kwLeft, kwRight, kwIf, kwIif, kwReplace, kwInsert, kwValues, kwMod, kwUser, kwDatabase, kwSchema,
			kwCharacter, kwLike, kwRlike, kwRegexp:
			if n := p.peekAt(1); n != nil && n.kind == tLParen {
				var nb [32]byte
				if c := funcClass(p.lower(t, &nb), ""); c != fnOther || n.flags&fSpaceBefore == 0 {
					p.i++
					return p.callFrom(start, c)
				}
			}
			if isReserved(t.kw) {
				return fail()
			}
		}
		if isReserved(t.kw) {
			return fail()
		}
		return p.name()
	}
	return fail()
}

// zeroNumber says whether a numeric literal is zero.
func zeroNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '1' && c <= '9' {
			return false
		}
		if c == 'e' || c == 'E' {
			break
		}
		if c == 'x' || c == 'X' || c == 'b' || c == 'B' {
			for _, c := range s[i+1:] {
				if c != '0' {
					return false
				}
			}
			return true
		}
	}
	return true
}

// name parses a column reference or a function call.
func (p *parser) name() ex {
	start := p.i
	if !p.qualifiedName() {
		return fail()
	}
	n := p.peek()
	call := n != nil && n.kind == tLParen
	c := fnOther
	if call {
		var nb, qb [32]byte
		name := p.lower(&p.toks[p.i-1], &nb)
		qual := ""
		if p.i-start >= 3 {
			qual = p.lower(&p.toks[p.i-3], &qb)
		}
		c = funcClass(name, qual)
		// "word (aside)" is prose; only SQL's own functions are called
		// with a space before the parenthesis.
		call = c != fnOther || n.flags&fSpaceBefore == 0
	}
	if call {
		return p.callFrom(start, c)
	}
	e := ex{ok: true, p: pIdent, a: start, b: p.i}
	last := &p.toks[p.i-1]
	if p.i-start == 1 && last.kind == tWord {
		var buf [32]byte
		switch p.lower(last, &buf) {
		case "current_user", "session_user", "system_user", "user", "current_date", "current_time",
			"current_timestamp", "localtime", "sysdate", "current_schema", "current_database":
			e.p = pKonst | pInfo
		}
	}
	if p.isSchemaRef(start, p.i) && p.i-start > 1 {
		e.p |= pSchema
	}
	return e
}

// call parses the argument list of a function whose name p.i is past.
func (p *parser) call(c fn) ex { return p.callFrom(p.i-1, c) }

// callFrom parses "(args)" of a function named by tokens from start.
func (p *parser) callFrom(start int, c fn) ex {
	e := p.args(start, c)
	if e.ok && c == fnHeavy {
		// REPEAT('a', 500000000): slow on purpose when a count is huge.
		for i := start; i < p.i; i++ {
			if t := &p.toks[i]; t.kind == tNumber && t.end-t.off >= 7 {
				e.p |= pTime
				break
			}
		}
	}
	return e
}

// args parses the argument list of a function call.
func (p *parser) args(start int, c fn) ex {
	if p.depth > maxDepth || !p.accept(tLParen) {
		return fail()
	}
	p.depth++
	defer func() { p.depth-- }()
	e := ex{ok: true, p: pKonst | pFunc, a: start}
	switch c {
	case fnTime:
		e.p |= pTime
	case fnError:
		e.p |= pErr
	case fnInfo:
		e.p |= pInfo
	case fnFile:
		e.p |= pFile
	case fnCond:
		e.p |= pCond
	case fnBuild:
		e.p |= pBuild
	case fnHeavy:
		e.p |= pBuild
	}
	p.acceptKw(kwDistinct)
	p.acceptKw(kwAll)
	for !p.accept(tRParen) {
		t := p.peek()
		if t == nil || t.kind == tComment {
			e.b = p.i
			return e // the application closes it
		}
		if t.kind == tStar {
			p.i++
		} else if t.kind == tWord && t.kw == kwSelect {
			p.i++
			level, ok := p.selectBody()
			if !ok {
				return fail()
			}
			e.p |= subqProps(level)
		} else {
			a := p.juxtaposed(p.expr(0))
			if !a.ok {
				return fail()
			}
			e.p |= a.p & pInner
			if a.p&pKonst == 0 && !p.typeName(a) {
				e.p &^= pKonst
			}
			if a.p&pConstCmp != 0 {
				e.p |= pInnerConstCmp
			}
		}
		// CAST(x AS type), CONVERT(x USING utf8), SUBSTRING(x FROM 1 FOR 2),
		// GROUP_CONCAT(x SEPARATOR ','), EXTRACT(YEAR FROM x).
		for {
			n := p.peek()
			if n == nil || n.kind != tWord {
				break
			}
			switch {
			case n.kw == kwAs || n.kw == kwUsing || n.kw == kwCharacter:
				p.i++
				if !p.qualifiedName() {
					return fail()
				}
				if m := p.peek(); m != nil && m.kind == tLParen && !p.skipParens() {
					return fail()
				}
				continue
			case n.kw == kwFrom || n.kw == kwFor:
				p.i++
				if !p.expr(0).ok {
					return fail()
				}
				continue
			case n.kw == kwOrder:
				p.i++
				if !p.acceptKw(kwBy) {
					return fail()
				}
				w := p.weak
				if !p.orderList(true) {
					return fail()
				}
				p.weak = w
				continue
			case !isReserved(n.kw):
				var buf [32]byte
				if l := p.lower(n, &buf); l == "separator" || l == "leading" || l == "trailing" || l == "both" {
					p.i++
					if m := p.peek(); m != nil && m.kind != tComma && m.kind != tRParen && !(m.kind == tWord && m.kw == kwFrom) {
						if !p.expr(0).ok {
							return fail()
						}
					}
					continue
				}
			}
			break
		}
		if !p.accept(tComma) {
			if n := p.peek(); n != nil && n.kind != tRParen && n.kind != tComment {
				return fail()
			}
		}
	}
	e.b = p.i
	// OVER (...) window
	if p.isKw(kwOver) {
		if n := p.peekAt(1); n != nil && n.kind == tLParen {
			p.i++
			if !p.skipParens() {
				return fail()
			}
			e.b = p.i
		}
	}
	return e
}

// paren parses a parenthesised expression, list or subquery.
func (p *parser) paren() ex {
	if p.depth > maxDepth {
		return fail()
	}
	p.depth++
	defer func() { p.depth-- }()
	start := p.i
	p.i++ // (
	if p.isKw(kwSelect) {
		p.i++
		level, ok := p.selectBody()
		if !ok {
			return fail()
		}
		if !p.accept(tRParen) && !p.atBoundary() {
			return fail()
		}
		return ex{ok: true, p: pKonst | subqProps(level), a: start, b: p.i}
	}
	if p.accept(tRParen) {
		return ex{ok: true, p: pKonst, a: start, b: p.i}
	}
	var e ex
	items := 0
	for {
		a := p.juxtaposed(p.expr(0))
		if !a.ok {
			return fail()
		}
		if items == 0 {
			e = a
		} else {
			e.p = (e.p|a.p)&pInner | (e.p & a.p & pKonst)
			if a.p&pConstCmp != 0 {
				e.p |= pInnerConstCmp
			}
		}
		items++
		if !p.accept(tComma) {
			break
		}
	}
	if items > 1 {
		e.p &^= pLit | pNum | pTrue | pIdent | pCmp | pConstCmp | pSame | pIdentCmp
	}
	if !p.accept(tRParen) && !p.atBoundary() {
		return fail()
	}
	if e.a >= 0 && e.b-e.a == 1 && items == 1 {
		// (1) compares as 1
		return ex{ok: true, p: e.p, a: e.a, b: e.b}
	}
	e.a, e.b = start, p.i
	return e
}

// caseExpr parses CASE [x] WHEN c THEN v ... [ELSE v] END.
func (p *parser) caseExpr() ex {
	start := p.i
	p.i++
	e := ex{ok: true, p: pKonst | pCase, a: start}
	if !p.isKw(kwWhen) {
		x := p.expr(0)
		if !x.ok {
			return fail()
		}
		e.p |= x.p & pInner
		if x.p&pKonst == 0 {
			e.p &^= pKonst
		}
	}
	whens := 0
	for p.acceptKw(kwWhen) {
		c := p.expr(0)
		if !c.ok || !p.acceptKw(kwThen) {
			return fail()
		}
		v := p.expr(0)
		if !v.ok {
			return fail()
		}
		e.p |= (c.p | v.p) & pInner
		if c.p&pConstCmp != 0 {
			e.p |= pInnerConstCmp
		}
		if c.p&pKonst == 0 || v.p&pKonst == 0 {
			e.p &^= pKonst
		}
		whens++
	}
	if whens == 0 {
		return fail()
	}
	if p.acceptKw(kwElse) {
		v := p.expr(0)
		if !v.ok {
			return fail()
		}
		e.p |= v.p & pInner
		if v.p&pKonst == 0 {
			e.p &^= pKonst
		}
	}
	if !p.acceptKw(kwEnd) {
		return fail()
	}
	e.b = p.i
	return e
}

// typeName says whether e is a bare SQL type name, as the first argument
// of T-SQL's CONVERT(int, x) is.
func (p *parser) typeName(e ex) bool {
	if e.p&pIdent == 0 || e.b-e.a != 1 {
		return false
	}
	var buf [32]byte
	switch p.lower(&p.toks[e.a], &buf) {
	case "int", "integer", "bigint", "smallint", "tinyint", "varchar", "nvarchar", "char", "nchar", "numeric",
		"decimal", "float", "real", "date", "datetime", "signed", "unsigned", "text", "ntext", "bit", "money",
		"varbinary", "sql_variant", "xml", "uniqueidentifier":
		return true
	}
	return false
}

// isDigits says whether s is all decimal digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// juxtaposed continues constant e with constants that follow it without
// an operator, as CHAR(113) CHAR(120) arrives when a '+' between them was
// sent unencoded in a query string and decoded to a space.
func (p *parser) juxtaposed(e ex) ex {
	for e.ok && e.p&pKonst != 0 {
		t := p.peek()
		if t == nil {
			return e
		}
		switch t.kind {
		case tNumber, tString, tLParen, tVar:
		case tWord:
			if n := p.peekAt(1); n == nil || n.kind != tLParen || n.flags&fSpaceBefore != 0 || isReserved(t.kw) {
				return e
			}
		default:
			return e
		}
		r := p.expr(0)
		if !r.ok || r.p&pKonst == 0 {
			return fail()
		}
		e = p.arith(e, r)
	}
	return e
}

// parenCmp says whether e is a parenthesised comparison of constants,
// which used as a value is a boolean oracle: (1=1)*2.
func (p *parser) parenCmp(e ex) bool {
	return e.p&pConstCmp != 0 && e.a >= 0 && e.a < len(p.toks) && p.toks[e.a].kind == tLParen
}

// subqProps returns the props a subquery of the given strength adds; one
// that reads as prose, (select one), adds none.
func subqProps(level int) props {
	switch level {
	case selStrong:
		return pAnySubq | pSubq
	case selWeak:
		return pAnySubq
	}
	return 0
}
