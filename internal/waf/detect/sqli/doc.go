// Package sqli detects SQL injection in single request values.
//
// A value is read the way a database would read it once an application
// pasted it into a query: in a bare (numeric or identifier) context, and
// after the first single quote, double quote and backtick, where it would
// close the string or name it was placed in. In each context a SQL
// tokenizer (strings with doubled quotes and backslash escapes, `quoted`
// and [bracketed] names, numbers in decimal, hex, binary and scientific
// notation, operators, -- # and /* */ comments, MySQL /*! */ comments
// read as code) feeds a recursive-descent parser of the SQL an injection continues with:
// logical and comparison operators, UNION SELECT, a second statement
// after a semicolon, ORDER BY and GROUP BY, function calls, subqueries,
// CASE. The parser is strict where English and SQL part ways (reserved
// words must stand where the grammar puts them, a query must end cleanly
// or in a short comment, "word (aside)" is no function call, a bare value
// that starts with a word rather than a number is held to stricter
// rules), so "select a plan", "1 and 2", "O'Brien" or "union was a great
// select" do not parse as an injection. Harmful pieces (time delays,
// error-based functions, commands) still count past a syntax error after
// a quote or number, as generated payloads often carry them in templates
// no database would parse whole.
//
// What the parse shows becomes one match per rule, each scoring 5 at
// paranoia 1:
//
//	sqli.tautology       OR 1=1, OR 'a'='a', OR x LIKE x, '=' after a quote
//	sqli.boolean         AND 3821=3822, AND SLEEP(5), ELT(1=1,2), (1=1)*2,
//	                     a column compared with a constant after a quote
//	sqli.union           UNION [ALL] SELECT with SQL-shaped columns
//	sqli.stacked         ; DROP TABLE, ; EXEC xp_cmdshell, WAITFOR DELAY ...
//	sqli.time            SLEEP, BENCHMARK, PG_SLEEP, DBMS_LOCK.SLEEP, heavy REPEAT
//	sqli.error-func      EXTRACTVALUE, UPDATEXML, GTID_SUBSET, UTL_INADDR, XMLType ...
//	sqli.file            LOAD_FILE, INTO OUTFILE, xp_cmdshell, COPY ... PROGRAM
//	sqli.subquery        a subquery that is SQL beyond doubt used as a value
//	sqli.schema          information_schema, sysobjects, sqlite_master ... read
//	sqli.order-by        ORDER BY 3, GROUP BY ... HAVING, PROCEDURE ANALYSE
//	sqli.string-build    '+CHAR(65)+', '||(SELECT ...)||'
//	sqli.breakout        admin'--, x')#: a quote that ends the query
//	sqli.comment-evasion /*!UNION*/, SEL/**/ECT
//
// A value that is a whole statement of its own ("SELECT * FROM users
// WHERE id = 1", as in a post about SQL) injects nowhere but where an
// application runs what it is given; it scores 5 at paranoia 1 only when
// it delays, raises errors on purpose, reaches files and commands or holds
// a tautology (OR 1=1) or boolean oracle (CASE WHEN 1=1), and otherwise as
// sqli.statement at paranoia 2.
//
// Where the parser finds nothing but read a stretch of the value as SQL,
// libinjection (github.com/corazawaf/libinjection-go) is asked too: its
// fingerprints also match English, so its verdict scores 2 at paranoia 1
// (sqli.libinjection) and blocks only from paranoia 2
// (sqli.libinjection-strict, 3 more).
//
// A prefilter passes values without quotes, parentheses, operators or
// comments that hold none of the few keywords SQL can inject with alone
// (UNION, ORDER BY, LIKE, ...) in tens of nanoseconds, and the common path
// does not allocate.
//
// The package does not decode: the engine hands it URL-, entity- and
// escape-decoded variants. The one exception: when the raw value was
// percent-encoded and its decoded form still holds '+', those were spaces
// of a form encoding, and the value is read that way too. A Detector is
// safe for concurrent use.
package sqli
