package sqli

import "strings"

// props describe a parsed expression.
type props uint32

const (
	pKonst         props = 1 << iota // refers to no column: literals, functions of constants, subqueries
	pLit                             // a single literal
	pNum                             // a single numeric literal
	pTrue                            // a literal that is true: a non-zero number, TRUE
	pIdent                           // a single column reference
	pCmp                             // a comparison or predicate at the top
	pConstCmp                        // a comparison of constants at the top
	pSame                            // a comparison of identical operands at the top
	pIdentCmp                        // a comparison of a column expression with a constant at the top
	pFunc                            // holds a function call
	pTime                            // holds a time-delay function
	pErr                             // holds an error-based function
	pInfo                            // holds a server information function or variable
	pFile                            // holds a file or command function
	pCond                            // holds a conditional function (if, elt, ...)
	pBuild                           // holds a string-building function (char, concat, ...)
	pSubq                            // holds a subquery that is SQL beyond doubt
	pAnySubq                         // holds a subquery that does not read as prose
	pCase                            // holds a complete CASE ... END
	pInnerConstCmp                   // holds a comparison of constants below the top
	pSchema                          // holds a reference to the database catalogue
	pAnyCmp                          // holds a comparison
	pFuncCmp                         // pIdentCmp with a SQL function on the column side
)

// pInner are the props an expression passes on to the one it is part of.
const pInner = pFunc | pTime | pErr | pInfo | pFile | pCond | pBuild | pSubq | pAnySubq | pCase | pInnerConstCmp |
	pSchema | pAnyCmp

// pSQLFunc marks calls of SQL's own functions, not any name before a
// parenthesis (print("x"), Math.max(1, 2)).
const pSQLFunc = pTime | pErr | pInfo | pFile | pCond | pBuild

// fact is something the parser found that makes a value an injection.
type fact uint32

const (
	fcTautology fact = 1 << iota // a logical operator with an always-true comparison (OR 1=1, OR 'a'='a')
	fcTautLit                    // OR 1, OR TRUE, '=0: counted only when a comment or string ends the query
	fcBoolean                    // a logical operator with a constant condition (AND 3821=3822, AND SLEEP(5))
	fcIdentCmp                   // a logical operator with column = constant, after a quote or number
	fcCmpUse                     // a constant comparison used as a value (ELT(1=1,..), (1=1)*2)
	fcTime                       // a time-delay function used
	fcError                      // an error-based function used
	fcFile                       // file access or command execution
	fcBuild                      // string building (CHAR(..)||CHAR(..), CONCAT) joined to the string
	fcSubquery                   // a subquery used as a value
	fcUnion                      // UNION SELECT
	fcStacked                    // a second statement
	fcOrderBy                    // ORDER BY n, GROUP BY .. HAVING, PROCEDURE ANALYSE
	fcSchema                     // the database catalogue read
	fcBreakout                   // quote, closing parentheses, then a comment that ends the query
	fcEvasion                    // keywords hidden in comments
	fcStatement                  // the value is a whole SQL statement (no injection context)
)

// ex is a parsed expression.
type ex struct {
	ok bool
	p  props
	// a and b are the token range [a, b) of the expression, for comparing
	// operands. a and b are both -1 for the operand before the value: the
	// string it breaks out of, or the application's column; a is -1 for
	// expressions that start with that operand.
	a, b int
}

// maxDepth bounds nesting of parentheses and subqueries.
const maxDepth = 48

// parser is a recursive-descent parser for the SQL that may follow the
// point where a value is injected. It is lenient where SQL dialects
// differ and strict where English and SQL part ways: reserved words must
// stand where the grammar allows them.
type parser struct {
	s     string
	toks  []token
	i     int
	depth int
	quote byte   // the quote of the context, 0 for a bare (numeric) context
	pre   string // the text of the string the value breaks out of
	// strong facts stand however the parse ends; weak facts only when the
	// injected SQL runs cleanly to the end of the value or to a comment.
	strong, weak fact
	// budget bounds the parsing work for one run, so that retries after
	// errors stay linear in the size of the value.
	budget int
	clause int // where the clause being parsed began
	// reach is how many tokens parsed as SQL before an error, all of
	// them when the value parsed whole.
	reach int
	// numLead says a bare value starts with a number, so it fits a
	// numeric context: 1 AND password LIKE 'a%'.
	numLead bool
	// firm says the value left its context the way injections do: after
	// a quote, a number, a closing parenthesis, or straight with an
	// operator. Prose that starts with a word is held to stricter rules.
	firm bool
	// noLead says a bare value starts with an operator or keyword, as the
	// rest of a condition does: OR 1=1, AND SLEEP(5).
	noLead bool
	// Tokens are read as the parser needs them, since prose is given up
	// on after a word or two.
	tz  tokenizer
	eof bool
}

// init readies p to parse s in the context quote (0 for bare) after the
// string pre, appending tokens to toks.
func (p *parser) init(s string, toks []token, quote byte, pre string) {
	*p = parser{s: s, toks: toks, quote: quote, pre: pre, tz: tokenizer{s: s}}
}

// has says whether token j exists, reading tokens up to it.
func (p *parser) has(j int) bool {
	for j >= len(p.toks) {
		if p.eof {
			return false
		}
		if len(p.toks) >= maxTokens {
			p.eof = true
			return false
		}
		t, ok := p.tz.next()
		if !ok {
			p.eof = true
			return false
		}
		p.toks = append(p.toks, t)
		if t.kind == tComment {
			p.eof = true
		}
	}
	return true
}

// last returns the last token of the value, nil if it has none.
func (p *parser) last() *token {
	for p.has(len(p.toks)) {
	}
	if len(p.toks) == 0 {
		return nil
	}
	return &p.toks[len(p.toks)-1]
}

func (p *parser) peek() *token {
	if p.has(p.i) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *parser) peekAt(n int) *token {
	if p.has(p.i + n) {
		return &p.toks[p.i+n]
	}
	return nil
}

// atBoundary says whether a statement ends here: at the end, a comment,
// a semicolon or a T-SQL statement keyword. Injected SQL often leaves
// parentheses open there.
func (p *parser) atBoundary() bool {
	t := p.peek()
	if t == nil || t.kind == tComment || t.kind == tSemi {
		return true
	}
	return t.kind == tWord && (t.kw == kwWaitfor || t.kw == kwExec || t.kw == kwDeclare)
}

// atEnd says whether the tokens are used up or a terminal comment follows.
func (p *parser) atEnd() bool {
	t := p.peek()
	return t == nil || t.kind == tComment
}

func (p *parser) isKw(k kw) bool {
	t := p.peek()
	return t != nil && t.kind == tWord && t.kw == k
}

func (p *parser) acceptKw(k kw) bool {
	if p.isKw(k) {
		p.i++
		return true
	}
	return false
}

func (p *parser) accept(k kind) bool {
	t := p.peek()
	if t != nil && t.kind == k {
		p.i++
		return true
	}
	return false
}

func (p *parser) text(t *token) string { return p.s[t.off:t.end] }

// lower returns the lower-case text of a word token into buf.
func (p *parser) lower(t *token, buf *[32]byte) string {
	l, ok := lowerWord(p.text(t), buf)
	if !ok {
		return ""
	}
	return l
}

func fail() ex { return ex{} }

// run parses the value from its start in the parser's context.
func (p *parser) run() {
	p.budget = 16*min(len(p.s), maxTokens) + 256
	var left ex
	p.firm = true
	if p.quote != 0 {
		left = ex{ok: true, p: pKonst | pLit, a: -1, b: -1}
		// A quote, closing parentheses, then a comment: admin'--.
		j := p.i
		for p.has(j) && p.toks[j].kind == tRParen {
			j++
		}
		if p.has(j) && p.toks[j].kind == tSemi {
			j++
		}
		if p.has(j) && p.toks[j].kind == tComment && p.endsQuery(&p.toks[j]) {
			p.weak |= fcBreakout
		}
	} else if p.startsStatement() {
		p.wholeStatement()
		return
	} else if p.startsOperand() {
		t := p.peek()
		p.numLead = t.kind == tNumber || t.kind == tOp && t.op == opMinus
		p.firm = p.numLead || t.kind == tLParen || p.sqlCallAt(p.i)
		left = p.expr(0)
		if !left.ok {
			p.reach = p.i
			if p.reach >= 2 && (p.numLead || t.kind == tLParen) {
				p.i = 0
				p.rescan()
			}
			return
		}
		if p.firm {
			// sleep(5)#, (SELECT ...): but rc = sleep(5); is C.
			p.useWeak(left)
		}
		// A number, or SQL in parentheses: (1=1), (SELECT 1).
		p.firm = p.numLead || t.kind == tLParen && left.p&pKonst != 0 && left.p&pLit == 0
	} else {
		left = ex{ok: true, a: -1, b: -1} // the application's operand
		p.noLead = true
	}
	if p.clauses(left) && !p.openString() {
		p.reach = p.i
		if p.quote != 0 && !p.properEnd() {
			// ' OR 1 with nothing after it leaves the application's
			// closing quote dangling: Ballon D'or 2023.
			p.weak &^= fcTautLit | fcIdentCmp
		}
		if t := p.last(); p.quote == 0 && (t == nil || t.kind != tComment) {
			p.weak &^= fcTautLit // or true--, but not "either or 2"
		}
		if t := p.last(); p.quote == '`' && (t == nil || t.kind != tComment && t.kind != tSemi) {
			// Markdown code spans read as `quoted` names; only SQL that
			// cuts the query off counts after a backtick.
			p.weak = 0
		}
		p.strong |= p.weak
		return
	}
	p.reach = p.i
	if p.reach >= 2 && p.firm && !p.noLead {
		p.i = p.clause
		p.rescan()
	}
}

// openString says whether the value ends in a string no quote of the
// application closes: an unterminated string in a bare value, or one of
// the other quote.
func (p *parser) openString() bool {
	t := p.last()
	return t != nil && (t.kind == tString || t.kind == tQuoted) && t.flags&fUnterminated != 0 && t.quote != p.quote
}

// sqlish says whether the first n tokens hold something of SQL's own: a
// reserved word, a comparison or logical operator, a semicolon, a comment
// or a system variable. A User-Agent parses as arithmetic for a stretch
// but has none.
func (p *parser) sqlish(n int) bool {
	for i := 0; i < n && i < len(p.toks); i++ {
		t := &p.toks[i]
		switch t.kind {
		case tWord:
			if isReserved(t.kw) {
				return true
			}
		case tOp:
			if t.op >= opEq && t.op <= opNullEq || t.op == opAnd || t.op == opOr {
				return true
			}
		case tSemi, tComment, tVar:
			return true
		}
	}
	return false
}

// properEnd says whether injected SQL after a quote ends so that the
// application's closing quote does no harm: in a comment, a semicolon, or
// a string the closing quote ends.
func (p *parser) properEnd() bool {
	t := p.last()
	if t == nil {
		return false
	}
	switch t.kind {
	case tSemi:
		return true
	case tComment:
		return p.shortComment(t)
	case tString, tQuoted:
		return t.flags&fUnterminated != 0 && t.quote == p.quote
	}
	return false
}

// shortComment says whether comment c is empty or nearly so, as comments
// that cut a query off are (--, -- -, --+, #, /*); text after it is prose:
// Ballon D'or 2023 -- a great night, He is 5'10" -- tall.
func (p *parser) shortComment(c *token) bool {
	body := p.s[c.off:c.end]
	switch {
	case len(body) >= 2 && (body[:2] == "--" || body[:2] == "/*"):
		body = body[2:]
	case len(body) >= 1:
		body = body[1:]
	}
	return len(strings.TrimSpace(body)) <= 3
}

// endsQuery says whether comment c, straight after the quote, is one an
// attacker uses to cut the query off (admin'--, admin'#, x'/*) rather
// than text that starts like one inside a quoted phrase ("--help", "#1
// seller").
func (p *parser) endsQuery(c *token) bool {
	body := p.s[c.off:]
	switch {
	case len(body) > 0 && body[0] == 0:
		return true
	case len(body) >= 2 && body[:2] == "/*":
		return true
	case body[0] == '#':
		body = body[1:]
	case len(body) >= 2 && body[:2] == "--":
		body = body[2:]
	}
	if len(body) > 0 && body[0] != ' ' && body[0] != '\t' && body[0] != '-' && body[0] != '+' && body[0] != '\n' && body[0] != '\r' {
		return false
	}
	// Attackers end the query with an empty or one-word comment; words
	// after it are prose: Samsung 55" -- great TV.
	if !p.shortComment(c) {
		return false
	}
	// A value wholly in quotes is a quoted phrase: '-- select --'.
	whole := len(p.pre) == 0 && len(body) > 0 && body[len(body)-1] == p.quote
	return !whole
}

// rescan looks past a syntax error for SQL that does harm wherever it
// stands: time delays, error-based functions, command execution in
// parentheses or T-SQL statements. Generated payloads often carry such
// pieces in templates that no database would parse whole.
func (p *parser) rescan() {
	const keep = fcTime | fcError | fcFile
	base := p.strong
	for j := p.i; p.has(j) && p.budget > 0; j++ {
		t := p.toks[j]
		p.i = j
		switch {
		case t.kind == tLParen:
			p.useStrong(p.expr(0))
		case t.kind == tWord && (t.kw == kwWaitfor || t.kw == kwExec):
			p.statement(false)
		case t.kind == tWord && j > 0 && p.has(j+1) && sqlBefore(&p.toks[j-1]) &&
			(p.toks[j+1].kind == tLParen || p.toks[j+1].kind == tDot):
			p.useStrong(p.primary())
		default:
			continue
		}
		p.strong = base | p.strong&keep
		base = p.strong
	}
}

// sqlBefore says whether a function call after t would be an operand in
// SQL: after an operator, a parenthesis, a comma or a semicolon, or a
// keyword that takes an expression.
func sqlBefore(t *token) bool {
	switch t.kind {
	case tLParen, tComma, tSemi, tOp:
		return true
	case tWord:
		switch t.kw {
		case kwThen, kwElse, kwWhen, kwAnd, kwOr, kwXor, kwSelect, kwBegin, kwWhere, kwNot:
			return true
		}
	}
	return false
}

// startsStatement says whether a bare value begins with a statement
// keyword.
func (p *parser) startsStatement() bool {
	t := p.peek()
	if t == nil || t.kind != tWord {
		return false
	}
	switch t.kw {
	case kwIf:
		// IF(1=1,a,b) is MySQL's function, IF (1=1) SELECT ... T-SQL's
		// statement.
		n := p.peekAt(1)
		return n == nil || n.kind != tLParen || n.flags&fSpaceBefore != 0
	case kwSelect, kwInsert, kwUpdate, kwDelete, kwDrop, kwCreate, kwAlter, kwTruncate, kwExec, kwDeclare,
		kwShutdown, kwWaitfor, kwBegin, kwCall, kwDo:
		return true
	}
	return false
}

// wholeStatement parses a bare value that is a statement of its own. Such
// a value injects only where an application runs what it is given, and
// English and code in posts often read so; only harm beyond doubt (time
// delays, error-based functions, commands, OR 1=1, CASE WHEN 1=1) counts
// at paranoia 1, the rest as fcStatement.
func (p *parser) wholeStatement() {
	const keep = fcTime | fcError | fcFile
	p.firm = false
	ok := p.statement(true)
	p.reach = p.i
	if !ok {
		p.weak = 0
		return
	}
	clean := p.clauses(ex{ok: true, p: pKonst, a: -1, b: -1}) && !p.openString()
	f := p.strong
	if clean {
		f |= p.weak
	}
	p.strong = f & (keep | fcCmpUse | fcTautology)
	if f&(fcStacked|fcUnion|fcSubquery|fcSchema) != 0 {
		p.strong |= fcStatement
	}
}

// sqlCallAt says whether token i calls one of SQL's own functions:
// SLEEP(5), CHAR(65).
func (p *parser) sqlCallAt(i int) bool {
	if !p.has(i+1) || p.toks[i].kind != tWord || p.toks[i+1].kind != tLParen {
		return false
	}
	var buf [32]byte
	return funcClass(p.lower(&p.toks[i], &buf), "") != fnOther
}

// startsOperand says whether the next token can begin an expression.
func (p *parser) startsOperand() bool {
	t := p.peek()
	if t == nil {
		return false
	}
	switch t.kind {
	case tNumber, tString, tVar, tQuoted, tLParen:
		return true
	case tWord:
		switch t.kw {
		case kwNull, kwTrue, kwFalse, kwCase, kwExists, kwNot, kwInterval, kwBinary:
			return true
		}
		return !isReserved(t.kw)
	case tOp:
		switch t.op {
		case opMinus, opPlus, opTilde, opNot:
			return true
		}
	}
	return false
}

// clauses parses what follows an operand at the top of a query: logical
// and other operators, UNION, a second statement, ORDER BY and the like.
// It returns whether the SQL ran cleanly to the end.
func (p *parser) clauses(left ex) bool {
	for steps := 0; steps <= maxTokens; steps++ {
		p.clause = p.i
		t := p.peek()
		if t == nil || t.kind == tComment {
			return true
		}
		switch t.kind {
		case tRParen:
			p.i++
			continue
		case tSemi:
			p.i++
			for p.accept(tSemi) {
			}
			if p.atEnd() {
				return true
			}
			if !p.statement(true) {
				return false
			}
			left = ex{ok: true, p: pKonst, a: -1, b: -1}
			continue
		case tComma:
			// A list: ORDER BY a, (SELECT ...), IN (1, 2) ...
			p.i++
			e := p.expr(0)
			if !e.ok {
				return false
			}
			p.useWeak(e)
			if p.firm {
				p.useStrong(e)
			}
			left = e
			continue
		case tLParen:
			// Juxtaposed parenthesised SQL is no valid syntax, but
			// what it holds may still run in lenient parsers.
			if !p.firm {
				return false
			}
			e := p.expr(0)
			if !e.ok {
				return false
			}
			p.useStrong(e)
			left = ex{ok: true, p: pKonst, a: -1, b: -1}
			p.weak = 0
			continue
		case tWord:
			if p.fullTextMode() {
				continue
			}
			if ok, handled := p.clauseKeyword(t); handled {
				if !ok {
					return false
				}
				left = ex{ok: true, p: pKonst, a: -1, b: -1}
				continue
			}
		}
		if binaryPrec(p, t) > 0 {
			e := p.binary(left, 1)
			if !e.ok {
				return false
			}
			if e.b == p.i && e.b == left.b {
				return false
			}
			left = e
			continue
		}
		return false
	}
	return false
}

// fullTextMode skips IN BOOLEAN MODE, IN NATURAL LANGUAGE MODE and WITH
// QUERY EXPANSION, which end a MySQL MATCH ... AGAINST ('value' ...).
func (p *parser) fullTextMode() bool {
	t := p.peek()
	if t.kw != kwIn && t.kw != kwWith {
		return false
	}
	var buf [32]byte
	j := p.i + 1
	for ; p.has(j) && j < p.i+4; j++ {
		n := &p.toks[j]
		if n.kind != tWord {
			return false
		}
		switch p.lower(n, &buf) {
		case "boolean", "natural", "language", "query":
			continue
		case "mode", "expansion":
			if j > p.i+1 {
				p.i = j + 1
				return true
			}
		}
		return false
	}
	return false
}

// clauseKeyword parses a clause that starts with a keyword. handled is
// false when the keyword starts no clause.
func (p *parser) clauseKeyword(t *token) (ok, handled bool) {
	switch t.kw {
	case kwUnion, kwIntersect, kwExcept, kwMinus:
		if t.kw == kwMinus {
			n := p.peekAt(1)
			if n == nil || n.kind != tWord || n.kw != kwSelect {
				return false, false
			}
		}
		p.i++
		return p.union(), true
	case kwOrder, kwGroup:
		n := p.peekAt(1)
		if n == nil || n.kind != tWord || n.kw != kwBy {
			return false, true
		}
		p.i += 2
		return p.orderList(t.kw == kwOrder), true
	case kwHaving, kwWhere:
		if !p.firm {
			return false, true
		}
		p.i++
		e := p.expr(0)
		if !e.ok {
			return false, true
		}
		p.condition(e)
		return true, true
	case kwLimit:
		p.i++
		return p.limit(), true
	case kwAs:
		// 1) AS x WHERE ...: the value closed a derived table.
		p.i++
		n := p.peek()
		if n == nil || (n.kind != tWord && n.kind != tQuoted) || isReserved(n.kw) {
			return false, true
		}
		p.i++
		return true, true
	case kwProcedure:
		p.i++
		if !p.qualifiedName() {
			return false, true
		}
		n := p.peek()
		if n == nil || n.kind != tLParen {
			return false, true
		}
		e := p.call(fnOther)
		if !e.ok {
			return false, true
		}
		p.weak |= fcOrderBy
		p.useStrong(e)
		return true, true
	case kwInto:
		return p.into(), true
	case kwFor:
		// FOR UPDATE, FOR XML PATH(''), FOR JSON AUTO.
		p.i++
		for n := p.peek(); n != nil && (n.kind == tWord || n.kind == tLParen); n = p.peek() {
			if n.kind == tLParen {
				if !p.expr(0).ok {
					return false, true
				}
				continue
			}
			if isReserved(n.kw) {
				break
			}
			p.i++
		}
		return true, true
	case kwWaitfor, kwExec, kwDeclare, kwShutdown, kwSelect, kwInsert, kwUpdate, kwDelete, kwDrop,
		kwCreate, kwAlter, kwTruncate, kwBegin, kwIf:
		// Statements that T-SQL runs without a semicolon between them.
		// Without the semicolon a quoted phrase reads the same ("I said
		// 'select * from users' twice"), so what they show counts only
		// when the value parses to its end, harmful functions aside.
		if !p.firm {
			return false, true
		}
		before := p.strong
		ok := p.statement(false)
		added := p.strong &^ before
		p.strong = before | added&(fcTime|fcError|fcFile)
		p.weak |= added &^ (fcTime | fcError | fcFile)
		return ok, true
	case kwEnd:
		// END of a BEGIN ... END block.
		p.i++
		p.acceptKw(kwIf)
		return true, true
	case kwAsc, kwDesc:
		// The sort order of an ORDER BY the value was placed in.
		p.i++
		return true, true
	case kwCollate:
		p.i++
		return p.qualifiedName(), true
	}
	return false, false
}

// condition records what a WHERE or HAVING condition shows.
func (p *parser) condition(e ex) {
	switch {
	case e.p&pSame != 0:
		p.weak |= fcTautology
	case e.p&pConstCmp != 0, e.p&pKonst != 0 && e.p&(pFunc|pAnySubq|pCase) != 0:
		p.weak |= fcBoolean
	}
	p.useStrong(e)
}

// useStrong records the functions and subqueries an expression that runs
// as part of the query holds.
func (p *parser) useStrong(e ex) {
	if e.p&pTime != 0 {
		p.strong |= fcTime
	}
	if e.p&pErr != 0 {
		p.strong |= fcError
	}
	if e.p&pFile != 0 {
		p.strong |= fcFile
	}
	if e.p&pSubq != 0 {
		p.strong |= fcSubquery
	}
	if e.p&pSchema != 0 {
		p.strong |= fcSchema
	}
}

// useWeak records what an expression shows when it stands alone, counted
// only if the whole value parses.
func (p *parser) useWeak(e ex) {
	f := fact(0)
	if e.p&pTime != 0 {
		f |= fcTime
	}
	if e.p&pErr != 0 {
		f |= fcError
	}
	if e.p&pFile != 0 {
		f |= fcFile
	}
	if e.p&pSubq != 0 {
		f |= fcSubquery
	}
	if e.p&pInnerConstCmp != 0 {
		f |= fcCmpUse
	}
	p.weak |= f
}

// limit parses LIMIT n [, n | OFFSET n].
func (p *parser) limit() bool {
	if !p.expr(0).ok {
		return false
	}
	if p.accept(tComma) || p.acceptKw(kwOffset) {
		return p.expr(0).ok
	}
	return true
}

// into parses INTO OUTFILE 'x', INTO DUMPFILE 'x' or INTO @var.
func (p *parser) into() bool {
	p.i++
	t := p.peek()
	if t == nil {
		return false
	}
	if t.kind == tWord && (t.kw == kwOutfile || t.kw == kwDumpfile) {
		p.i++
		if n := p.peek(); n != nil && n.kind == tString {
			p.i++
			p.strong |= fcFile
			// LINES TERMINATED BY 0x..., FIELDS ...
			for n := p.peek(); n != nil && (n.kind == tWord && !isReserved(n.kw) || n.kind == tString || n.kind == tNumber || n.kw == kwBy); n = p.peek() {
				p.i++
			}
			return true
		}
		return false
	}
	for {
		t = p.peek()
		if t == nil || (t.kind != tVar && !(t.kind == tWord && !isReserved(t.kw))) {
			return false
		}
		p.i++
		if !p.accept(tComma) {
			return true
		}
	}
}

// orderList parses the list after ORDER BY or GROUP BY.
func (p *parser) orderList(order bool) bool {
	for {
		e := p.expr(0)
		if !e.ok {
			return false
		}
		if e.p&pNum != 0 || e.p&pKonst != 0 && e.p&(pFunc|pAnySubq|pCase) != 0 {
			p.weak |= fcOrderBy
		}
		p.useStrong(e)
		p.useWeak(e)
		p.acceptKw(kwAsc)
		p.acceptKw(kwDesc)
		if !p.accept(tComma) {
			break
		}
	}
	if !order {
		if p.acceptKw(kwWith) {
			if t := p.peek(); t != nil && t.kind == tWord && !isReserved(t.kw) {
				p.i++ // ROLLUP
			}
		}
		if p.acceptKw(kwHaving) {
			e := p.expr(0)
			if !e.ok {
				return false
			}
			p.condition(e)
			p.weak |= fcOrderBy
		}
	}
	return true
}

// union parses the SELECT after UNION [ALL | DISTINCT].
func (p *parser) union() bool {
	if !p.acceptKw(kwAll) {
		p.acceptKw(kwDistinct)
	}
	paren := 0
	for p.accept(tLParen) {
		paren++
	}
	if !p.acceptKw(kwSelect) {
		return false
	}
	if p.quote != 0 && p.atEnd() && paren == 0 {
		// ' UNION SELECT cut short: the columns left to guess.
		p.weak |= fcUnion
		return true
	}
	level, ok := p.selectBody()
	if !ok {
		return false
	}
	switch level {
	case selStrong:
		p.strong |= fcUnion
	case selWeak:
		p.weak |= fcUnion
	}
	return true
}

// Strength of a parsed SELECT.
const (
	selProse  = iota // could be English: select one, union select committee report
	selWeak          // SQL when nothing else follows: SELECT NULL, SELECT password FROM users
	selStrong        // SQL beyond doubt: functions, subqueries, several literals, WHERE, catalogue tables
)

// selectBody parses a SELECT after its keyword and returns its strength.
func (p *parser) selectBody() (level int, ok bool) {
	if p.depth > maxDepth {
		return 0, false
	}
	p.depth++
	defer func() { p.depth-- }()
	for {
		t := p.peek()
		if t == nil || t.kind != tWord {
			break
		}
		if t.kw == kwAll || t.kw == kwDistinct {
			p.i++
			continue
		}
		if t.kw == kwTop {
			p.i++
			if !p.expr(0).ok {
				return 0, false
			}
			continue
		}
		break
	}
	items, aliases, plain, lits, rich := 0, 0, true, false, false
	for {
		t := p.peek()
		if t == nil {
			break
		}
		if t.kind == tStar {
			p.i++
			plain, rich = false, true
		} else {
			e := p.juxtaposed(p.expr(0))
			if !e.ok {
				return 0, false
			}
			p.useStrong(e)
			if e.p&pInnerConstCmp != 0 {
				p.weak |= fcCmpUse
			}
			switch {
			case e.p&pIdent != 0, e.a >= 0 && e.b-e.a == 1 && p.toks[e.a].kind == tVar && e.p&pInfo == 0:
				// columns and @user variables: select@example.com
			case e.p&(pFunc|pAnySubq|pCase|pInfo|pCmp) != 0:
				plain, rich = false, true
			case e.p&pKonst != 0:
				plain, lits = false, true
			default:
				plain = false
			}
			if p.acceptKw(kwAs) {
				if n := p.peek(); n != nil && (n.kind == tWord && !isReserved(n.kw) || n.kind == tQuoted || n.kind == tString) {
					p.i++
				} else {
					return 0, false
				}
			} else if n := p.peek(); n != nil && (n.kind == tWord && !isReserved(n.kw) || n.kind == tQuoted) {
				p.i++
				aliases++
			}
		}
		items++
		if !p.accept(tComma) {
			break
		}
	}
	if items == 0 {
		return 0, false
	}
	switch {
	case rich && aliases == 0, items > 1 && aliases == 0 && !plain:
		level = selStrong
	case lits && aliases == 0, items > 1 && aliases == 0:
		level = selWeak
	}
	if p.isKw(kwInto) {
		if !p.into() {
			return 0, false
		}
	}
	if p.acceptKw(kwFrom) {
		schema, ok := p.tableRefs()
		if !ok {
			return 0, false
		}
		switch {
		case schema:
			p.strong |= fcSchema
			level = selStrong
		case !plain && aliases == 0:
			level = selStrong
		case aliases == 0:
			level = max(level, selWeak)
		}
	}
	if p.acceptKw(kwWhere) {
		e := p.expr(0)
		if !e.ok {
			return 0, false
		}
		p.useStrong(e)
		if e.p&pAnyCmp != 0 {
			level = selStrong
		}
	}
	for {
		t := p.peek()
		if t == nil || t.kind != tWord {
			break
		}
		switch t.kw {
		case kwGroup, kwOrder:
			n := p.peekAt(1)
			if n == nil || n.kind != tWord || n.kw != kwBy {
				return level, true
			}
			p.i += 2
			w := p.weak
			if !p.orderList(t.kw == kwOrder) {
				return 0, false
			}
			p.weak = w
			continue
		case kwHaving:
			p.i++
			e := p.expr(0)
			if !e.ok {
				return 0, false
			}
			p.useStrong(e)
			continue
		case kwLimit:
			p.i++
			if !p.limit() {
				return 0, false
			}
			continue
		case kwInto:
			if !p.into() {
				return 0, false
			}
			continue
		case kwUnion, kwIntersect, kwExcept:
			p.i++
			if !p.acceptKw(kwAll) {
				p.acceptKw(kwDistinct)
			}
			for p.accept(tLParen) {
			}
			if !p.acceptKw(kwSelect) {
				return 0, false
			}
			if _, ok := p.selectBody(); !ok {
				return 0, false
			}
			level = selStrong
			continue
		case kwProcedure:
			p.i++
			if !p.qualifiedName() || !p.call(fnOther).ok {
				return 0, false
			}
			level = selStrong
			continue
		}
		break
	}
	return level, true
}

// tableRefs parses the tables after FROM; schema says one is a catalogue.
func (p *parser) tableRefs() (schema, ok bool) {
	if p.depth > maxDepth {
		return false, false
	}
	p.depth++
	defer func() { p.depth-- }()
	for {
		t := p.peek()
		if t == nil {
			return schema, false
		}
		switch {
		case t.kind == tLParen:
			p.i++
			if p.acceptKw(kwSelect) {
				if _, ok := p.selectBody(); !ok {
					return schema, false
				}
			} else if p.acceptKw(kwValues) {
				if !p.expr(0).ok {
					return schema, false
				}
			} else {
				s, ok := p.tableRefs()
				if !ok {
					return schema, false
				}
				schema = schema || s
			}
			if !p.accept(tRParen) && !p.atEnd() {
				return schema, false
			}
		case t.kind == tWord && (!isReserved(t.kw) || t.kw == kwValues) || t.kind == tQuoted:
			first := p.i
			if !p.qualifiedName() {
				return schema, false
			}
			if p.isSchemaRef(first, p.i) {
				schema = true
			}
			if n := p.peek(); n != nil && n.kind == tLParen {
				// A table function: generate_series(1, 5000000).
				i := p.i
				p.i = first
				e := p.primary()
				if !e.ok {
					p.i = i
					return schema, false
				}
				p.useStrong(e)
			}
		default:
			return schema, false
		}
		// [AS] alias
		if p.acceptKw(kwAs) {
			if n := p.peek(); n != nil && (n.kind == tWord && !isReserved(n.kw) || n.kind == tQuoted) {
				p.i++
			} else {
				return schema, false
			}
		} else if n := p.peek(); n != nil && (n.kind == tWord && !isReserved(n.kw) && !isJoinWord(n.kw) || n.kind == tQuoted) {
			p.i++
		}
		// WITH (NOLOCK)
		if p.isKw(kwWith) {
			if n := p.peekAt(1); n != nil && n.kind == tLParen {
				p.i++
				if !p.expr(0).ok {
					return schema, false
				}
			}
		}
		if p.acceptKw(kwOn) {
			if !p.expr(0).ok {
				return schema, false
			}
		}
		if p.accept(tComma) {
			continue
		}
		if p.joinWords() {
			continue
		}
		return schema, true
	}
}

func isJoinWord(k kw) bool {
	switch k {
	case kwInner, kwLeft, kwRight, kwCross, kwOuter, kwFull, kwNatural, kwJoin:
		return true
	}
	return false
}

// joinWords accepts [NATURAL] [INNER|LEFT|RIGHT|FULL|CROSS] [OUTER] JOIN.
func (p *parser) joinWords() bool {
	i := p.i
	for {
		t := p.peek()
		if t == nil || t.kind != tWord || !isJoinWord(t.kw) {
			p.i = i
			return false
		}
		p.i++
		if t.kw == kwJoin {
			return true
		}
	}
}

// isSchemaRef says whether the qualified name in tokens [a, b) names the
// database catalogue.
func (p *parser) isSchemaRef(a, b int) bool {
	var buf [32]byte
	for i := a; i < b; i++ {
		t := &p.toks[i]
		if t.kind != tWord && t.kind != tQuoted {
			continue
		}
		w := p.text(t)
		if t.kind == tQuoted && len(w) >= 2 {
			w = w[1 : len(w)-1]
		}
		l, ok := lowerWord(w, &buf)
		if ok && schemaTable(l) {
			return true
		}
	}
	return false
}

// qualifiedName parses name[.name]..., also db..table.
func (p *parser) qualifiedName() bool {
	t := p.peek()
	if t == nil || !(t.kind == tWord && (!isReserved(t.kw) || t.kw == kwValues) || t.kind == tQuoted) {
		return false
	}
	p.i++
	for {
		d := p.peek()
		if d == nil || d.kind != tDot {
			return true
		}
		p.i++
		for p.accept(tDot) {
		}
		n := p.peek()
		if n != nil && (n.kind == tWord || n.kind == tQuoted || n.kind == tStar) {
			p.i++
			continue
		}
		return false
	}
}

// statement parses a statement after a semicolon (afterSemi) or, in
// T-SQL fashion, straight after other SQL. It records fcStacked when the
// statement is SQL beyond doubt.
func (p *parser) statement(afterSemi bool) bool {
	if p.depth > maxDepth {
		return false
	}
	p.depth++
	defer func() { p.depth-- }()
	t := p.peek()
	if t == nil {
		return false
	}
	strong := false
	weak := false
	switch t.kind {
	case tLParen:
		// (SELECT ...) or any expression as a statement.
		if !afterSemi {
			return false
		}
		e := p.expr(0)
		if !e.ok {
			return false
		}
		p.useStrong(e)
		p.useWeak(e)
		return true
	case tWord:
	default:
		return false
	}
	p.i++
	switch t.kw {
	case kwSelect:
		level, ok := p.selectBody()
		if !ok {
			return false
		}
		strong = level == selStrong
		weak = level == selWeak
	case kwInsert, kwReplace:
		p.acceptKw(kwInto)
		if !p.qualifiedName() {
			return false
		}
		if p.peek() != nil && p.peek().kind == tLParen {
			if !p.expr(0).ok && !p.skipParens() {
				return false
			}
		}
		switch {
		case p.acceptKw(kwValues):
			if !p.expr(0).ok {
				return false
			}
			for p.accept(tComma) {
				if !p.expr(0).ok {
					return false
				}
			}
			weak = true
		case p.acceptKw(kwSelect):
			if _, ok := p.selectBody(); !ok {
				return false
			}
			weak = true
		case p.acceptKw(kwSet):
			if !p.assignments() {
				return false
			}
			weak = true
		default:
			return false
		}
	case kwUpdate:
		if !p.qualifiedName() {
			return false
		}
		if !p.acceptKw(kwSet) || !p.assignments() {
			return false
		}
		weak = true
		if p.acceptKw(kwWhere) {
			e := p.expr(0)
			if !e.ok {
				return false
			}
			p.useStrong(e)
		}
	case kwDelete:
		if !p.acceptKw(kwFrom) || !p.qualifiedName() {
			return false
		}
		weak = true
		if p.acceptKw(kwWhere) {
			if !p.expr(0).ok {
				return false
			}
		}
	case kwDrop, kwCreate, kwAlter, kwTruncate, kwRename:
		if t.kw == kwCreate && p.acceptKw(kwOr) {
			if !p.acceptKw(kwReplace) {
				return false
			}
		}
		p.acceptKw(kwTemporary)
		n := p.peek()
		if n == nil || n.kind != tWord {
			return false
		}
		switch n.kw {
		case kwTable, kwDatabase, kwFunction, kwProcedure, kwView, kwUser, kwIndex, kwSchema:
			p.i++
		default:
			if t.kw != kwTruncate {
				var buf [32]byte
				switch p.lower(n, &buf) {
				case "trigger", "login", "role", "sequence", "type", "extension", "event", "synonym", "assembly":
					p.i++
				default:
					return false
				}
			}
		}
		if p.acceptKw(kwIf) {
			p.acceptKw(kwNot)
			if !p.acceptKw(kwExists) {
				return false
			}
		}
		if !p.qualifiedName() {
			return false
		}
		weak = true
		n = p.peek()
		switch {
		case n == nil || n.kind == tSemi || n.kind == tComment:
		case t.kw == kwCreate || t.kw == kwAlter:
			// The definition: (columns), ADD ..., AS ..., RETURNS ...
			if n.kind != tLParen && !(n.kind == tWord && p.ddlWord(n)) {
				return false
			}
			p.skipRest()
		case t.kw == kwDrop && n.kind == tLParen:
			p.skipParens() // DROP FUNCTION f(int)
		}
	case kwExec:
		n := p.peek()
		if n == nil {
			return false
		}
		switch n.kind {
		case tLParen, tVar, tString:
			strong = p.expr(0).ok
		case tWord, tQuoted:
			first := p.i
			if !p.qualifiedName() {
				return false
			}
			var buf [32]byte
			name := p.lower(&p.toks[p.i-1], &buf)
			if p.i-first > 1 || len(name) > 3 && (name[:3] == "xp_" || name[:3] == "sp_") {
				strong = true
				p.strong |= fcFile
			}
			// Arguments: literals, variables, name = value.
			for m := p.peek(); m != nil && !isReserved(m.kw) && m.kind != tSemi && m.kind != tComment; m = p.peek() {
				if m.kind == tString || m.kind == tVar {
					strong = true
				}
				p.i++
			}
		default:
			return false
		}
	case kwDeclare:
		n := p.peek()
		if n == nil || n.kind != tVar {
			return false
		}
		p.i++
		strong = true
		p.skipRest()
	case kwSet:
		n := p.peek()
		if n == nil {
			return false
		}
		if n.kind == tVar {
			strong = true
		}
		if !p.assignments() {
			return false
		}
		weak = true
	case kwShutdown:
		if p.acceptKw(kwWith) {
			if !p.acceptKw(kwNowait) {
				return false
			}
		}
		weak = true
	case kwWaitfor:
		n := p.peek()
		if n == nil || n.kind != tWord || (n.kw != kwDelay && n.kw != kwTime) {
			return false
		}
		p.i++
		if m := p.peek(); m == nil || (m.kind != tString && m.kind != tVar) {
			return false
		}
		p.i++
		p.strong |= fcTime
		strong = true
	case kwEnd:
		// END of a BEGIN ... END block, END IF.
		p.acceptKw(kwIf)
		return true
	case kwElse:
		// ELSE branch of a PL/SQL IF after its semicolon.
		return p.statement(true)
	case kwBegin:
		// A PL/SQL block: BEGIN statement; ... END.
		if !afterSemi && p.quote == 0 {
			return false
		}
		return p.statement(true)
	case kwIf:
		// IF (cond) statement [ELSE statement]; the condition counts
		// only if a statement follows: if (sleep(1)) { retry(); } is C.
		before, weak := p.strong, p.weak
		e := p.expr(0)
		if !e.ok {
			return false
		}
		p.condition(e)
		p.acceptKw(kwThen)
		if !p.statement(true) {
			p.strong, p.weak = before, weak
			return false
		}
		if p.acceptKw(kwElse) {
			if !p.statement(true) {
				return false
			}
		}
		return true
	case kwCall, kwDo:
		e := p.expr(0)
		if !e.ok || e.p&pFunc == 0 {
			return false
		}
		p.useStrong(e)
		strong = e.p&(pTime|pErr|pFile) != 0
		weak = true
	case kwLoad:
		n := p.peek()
		if n == nil || n.kind != tWord || n.kw != kwData {
			return false
		}
		p.strong |= fcFile
		strong = true
		p.skipRest()
	case kwCopy:
		if !p.qualifiedName() && !p.expr(0).ok {
			return false
		}
		if !p.acceptKw(kwFrom) && !p.isKw(kwNone) {
			return false
		}
		p.strong |= fcFile
		strong = true
		p.skipRest()
	case kwGrant, kwRevoke, kwUse, kwShow, kwPrepare, kwPragma, kwAttach:
		// Statements benign text seldom begins with after a semicolon.
		n := p.peek()
		if n == nil || n.kind != tWord && n.kind != tQuoted && n.kind != tString {
			return false
		}
		p.i++
		weak = true
	default:
		if !afterSemi || isReserved(t.kw) {
			return false
		}
		// A procedure call as a statement: dbms_lock.sleep(5); iif(...).
		p.i--
		if n := p.peekAt(1); n == nil || n.kind != tLParen && n.kind != tDot {
			return false
		}
		e := p.expr(0)
		if !e.ok || e.p&pFunc == 0 || e.p&pCmp != 0 {
			return false
		}
		p.useStrong(e)
		p.useWeak(e)
		return true
	}
	switch {
	case strong:
		p.strong |= fcStacked
	case weak && afterSemi:
		p.weak |= fcStacked
	case !afterSemi:
		return false
	}
	return true
}

// ddlWord says whether t can follow the name in CREATE or ALTER.
func (p *parser) ddlWord(t *token) bool {
	switch t.kw {
	case kwAs, kwSet, kwWith, kwFrom, kwLike, kwSelect, kwDrop, kwRename:
		return true
	}
	var buf [32]byte
	switch p.lower(t, &buf) {
	case "add", "modify", "change", "column", "returns", "identified", "owner", "engine", "language", "to", "rename":
		return true
	}
	return false
}

// assignments parses a = expr [, b = expr]...
func (p *parser) assignments() bool {
	for {
		t := p.peek()
		if t == nil || !(t.kind == tVar || t.kind == tWord && !isReserved(t.kw) || t.kind == tQuoted) {
			return false
		}
		if !p.qualifiedName() {
			p.i++
		}
		n := p.peek()
		if n == nil || n.kind != tOp || (n.op != opEq && n.op != opAssign) {
			return false
		}
		p.i++
		e := p.expr(0)
		if !e.ok {
			return false
		}
		p.useStrong(e)
		if !p.accept(tComma) {
			return true
		}
	}
}

// skipParens skips a balanced parenthesised group.
func (p *parser) skipParens() bool {
	if !p.accept(tLParen) {
		return false
	}
	for d := 1; p.has(p.i); p.i++ {
		switch p.toks[p.i].kind {
		case tLParen:
			d++
		case tRParen:
			d--
			if d == 0 {
				p.i++
				return true
			}
		}
	}
	return false
}

// skipRest skips to the next semicolon or the end: the rest of a
// statement whose kind already decided.
func (p *parser) skipRest() {
	for t := p.peek(); t != nil && t.kind != tSemi && t.kind != tComment; t = p.peek() {
		p.i++
	}
}
