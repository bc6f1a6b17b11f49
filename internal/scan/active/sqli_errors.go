package active

import (
	"bytes"
	"html"
	"regexp"
	"strings"
)

// sqliSignature is a DBMS error message: kw is a lower-case literal that
// every match contains, tested first so that the regexps run only on the
// rare pages that might match.
type sqliSignature struct {
	dbms string
	kw   string
	re   *regexp.Regexp
}

func sqliSig(dbms, kw, re string) sqliSignature {
	return sqliSignature{dbms: dbms, kw: kw, re: regexp.MustCompile(re)}
}

// sqliSignatures are the messages of DBMSs, drivers and ORMs for a
// statement that does not parse or a value that does not fit it, after
// sqlmap's errors.xml, with the messages of newer drivers added.
var sqliSignatures = []sqliSignature{
	sqliSig("MySQL", "error in your sql syntax", `(?i)error in your SQL syntax`),
	sqliSig("MySQL", "check the manual that", `(?i)check the manual that (?:corresponds|fits) to your (?:MySQL|MariaDB)`),
	sqliSig("MySQL", "mysql", `(?i)warning.{0,80}?\bmysqli?_\w+\(`),
	sqliSig("MySQL", "mysqlsyntaxerrorexception", `MySQLSyntaxErrorException`),
	sqliSig("MySQL", "valid mysql result", `valid MySQL result`),
	sqliSig("MySQL", "com.mysql.", `com\.mysql\.(?:cj\.)?jdbc`),
	sqliSig("MySQL", "mysqlclient.", `MySqlClient\.`),
	sqliSig("MySQL", "mysqlexception", `MySqlException`),
	sqliSig("MySQL", "_mysqli_exception", `Zend_Db_(?:Adapter|Statement)_Mysqli_Exception`),
	sqliSig("MySQL", "mysql", `(?i)Pdo[./_\\]Mysql`),
	sqliSig("MySQL", "er_parse_error", `ER_PARSE_ERROR`),
	sqliSig("MySQL", "error 1064", `Error 1064(?: \(42000\))?:`),
	sqliSig("MySQL", "mysql.connector.errors", `mysql\.connector\.errors\.\w+`),
	sqliSig("MySQL", "mysqldb", `(?:_mysql_exceptions|MySQLdb\._exceptions)\.\w+`),

	sqliSig("PostgreSQL", "postgresql", `PostgreSQL.{0,40}?ERROR`),
	sqliSig("PostgreSQL", "pg_", `(?i)warning.{0,80}?\Wpg_\w+\(`),
	sqliSig("PostgreSQL", "valid postgresql result", `valid PostgreSQL result`),
	sqliSig("PostgreSQL", "npgsql.", `Npgsql\.`),
	sqliSig("PostgreSQL", "pg::", `PG::(?:SyntaxError|UndefinedColumn|UndefinedTable|InvalidTextRepresentation)`),
	sqliSig("PostgreSQL", "org.postgresql.", `org\.postgresql\.util\.PSQLException`),
	sqliSig("PostgreSQL", "syntax error at or near", `(?i)syntax error at or near`),
	sqliSig("PostgreSQL", "unterminated quoted string at or near", `(?i)unterminated quoted string at or near`),
	sqliSig("PostgreSQL", "parse error at or near", `ERROR: parser: parse error at or near`),
	sqliSig("PostgreSQL", "postgresql query failed", `PostgreSQL query failed`),
	sqliSig("PostgreSQL", "pgsql", `(?i)Pdo[./_\\]Pgsql`),
	sqliSig("PostgreSQL", "psqlexception", `PSQLException`),
	sqliSig("PostgreSQL", "psycopg", `psycopg2?\.(?:errors\.)?\w*Error`),
	sqliSig("PostgreSQL", "current transaction is aborted", `current transaction is aborted, commands ignored`),

	sqliSig("Microsoft SQL Server", "driver", `(?i)driver.{0,40}? SQL[\-_ ]*Server`),
	sqliSig("Microsoft SQL Server", "ole db", `OLE DB.{0,40}? SQL Server`),
	sqliSig("Microsoft SQL Server", "sql server", `\bSQL Server[^<"]{0,80}?Driver`),
	sqliSig("Microsoft SQL Server", "mssql_", `(?i)warning.{0,80}?\W(?:mssql|sqlsrv)_\w+\(`),
	sqliSig("Microsoft SQL Server", "sqlsrv_", `(?i)warning.{0,80}?\Wsqlsrv_\w+\(`),
	sqliSig("Microsoft SQL Server", ".data.sqlclient.", `(?:System|Microsoft)\.Data\.SqlClient\.Sql(?:Exception|Connection)`),
	sqliSig("Microsoft SQL Server", "sql native client", `Microsoft SQL Native Client error '[0-9a-fA-F]{8}`),
	sqliSig("Microsoft SQL Server", "[sql server]", `\[SQL Server\]`),
	sqliSig("Microsoft SQL Server", "odbc", `ODBC (?:SQL Server Driver|Driver \d+ for SQL Server)`),
	sqliSig("Microsoft SQL Server", "sqlserver", `(?:SQLServer JDBC Driver|com\.microsoft\.sqlserver\.jdbc|macromedia\.jdbc\.sqlserver)`),
	sqliSig("Microsoft SQL Server", "com.jnetdirect.jsql", `com\.jnetdirect\.jsql`),
	sqliSig("Microsoft SQL Server", "_sqlsrv_exception", `Zend_Db_(?:Adapter|Statement)_Sqlsrv_Exception`),
	sqliSig("Microsoft SQL Server", "pdo", `(?i)Pdo[./_\\](?:Mssql|SqlSrv)`),
	sqliSig("Microsoft SQL Server", "exception", `SQL(?:Srv|Server)Exception`),
	sqliSig("Microsoft SQL Server", "unclosed quotation mark", `(?i)unclosed quotation mark after the character string`),
	sqliSig("Microsoft SQL Server", "incorrect syntax near", `(?i)incorrect syntax near`),

	sqliSig("Oracle", "ora-", `\bORA-\d{5}\b`),
	sqliSig("Oracle", "oracle error", `Oracle error`),
	sqliSig("Oracle", "oracle", `Oracle.{0,40}?Driver`),
	sqliSig("Oracle", "oci_", `(?i)warning.{0,80}?\W(?:oci|ora)_\w+\(`),
	sqliSig("Oracle", "quoted string not properly terminated", `(?i)quoted string not properly terminated`),
	sqliSig("Oracle", "sql command not properly ended", `(?i)SQL command not properly ended`),
	sqliSig("Oracle", "oracle", `(?:macromedia\.jdbc\.oracle|oracle\.jdbc)`),
	sqliSig("Oracle", "_oracle_exception", `Zend_Db_(?:Adapter|Statement)_Oracle_Exception`),
	sqliSig("Oracle", "pdo", `(?i)Pdo[./_\\](?:Oracle|OCI)`),
	sqliSig("Oracle", "oracleexception", `OracleException`),
	sqliSig("Oracle", "cx_oracle", `cx_Oracle\.\w+Error`),

	sqliSig("SQLite", "sqlite", `(?:SQLite/JDBCDriver|SQLite\.Exception|(?:Microsoft|System)\.Data\.SQLite\.SQLiteException|org\.sqlite\.JDBC|SQLiteException)`),
	sqliSig("SQLite", "sqlite", `(?i)warning.{0,80}?\W(?:sqlite_|SQLite3::)`),
	sqliSig("SQLite", "sqlite_error", `SQLITE_ERROR`),
	sqliSig("SQLite", "sqlite error", `SQLite error \d+:`),
	sqliSig("SQLite", "sqlite3.operationalerror", `sqlite3\.OperationalError`),
	sqliSig("SQLite", "sqlite3::sqlexception", `SQLite3::SQLException`),
	sqliSig("SQLite", "sqlite", `(?i)Pdo[./_\\]Sqlite`),
	sqliSig("SQLite", "unrecognized token:", `unrecognized token: "`),
	sqliSig("SQLite", "syntax error", `near "[^"\n]{0,80}": syntax error`),
	sqliSig("SQLite", "sql logic error", `SQL logic error`),
	sqliSig("SQLite", "no such column:", `no such column: \w`),

	sqliSig("IBM DB2", "cli driver", `CLI Driver.{0,40}?DB2`),
	sqliSig("IBM DB2", "db2 sql error", `DB2 SQL error`),
	sqliSig("IBM DB2", "db2_", `\bdb2_\w+\(`),
	sqliSig("IBM DB2", "sqlcode", `SQLCODE[=:\d, -]+SQLSTATE`),
	sqliSig("IBM DB2", "com.ibm.db2.jcc", `com\.ibm\.db2\.jcc`),
	sqliSig("IBM DB2", "_db2_exception", `Zend_Db_(?:Adapter|Statement)_Db2_Exception`),
	sqliSig("IBM DB2", "pdo", `(?i)Pdo[./_\\]Ibm`),
	sqliSig("IBM DB2", "db2exception", `DB2Exception`),
	sqliSig("IBM DB2", "ibm_db_dbi", `ibm_db_dbi\.ProgrammingError`),

	sqliSig("HSQLDB", "org.hsqldb.", `org\.hsqldb\.`),
	sqliSig("HSQLDB", "unexpected end of command", `Unexpected end of command in statement \[`),
	sqliSig("HSQLDB", "unexpected token:", `unexpected token: \S+(?: required: \S+)?`),
	sqliSig("HSQLDB", "malformed string:", `malformed string: '`),
	sqliSig("HSQLDB", "user lacks privilege or object not found", `user lacks privilege or object not found`),
	sqliSig("H2", "org.h2.jdbc", `org\.h2\.jdbc`),
	sqliSig("H2", "syntax error in sql statement", `(?i)Syntax error in SQL statement "`),
	sqliSig("Microsoft Access", "microsoft access", `Microsoft Access (?:\d+ )?Driver`),
	sqliSig("Microsoft Access", "jet database engine", `JET Database Engine`),
	sqliSig("Microsoft Access", "access database engine", `Access Database Engine`),
	sqliSig("Microsoft Access", "missing operator", `Syntax error \(missing operator\) in query expression`),
	sqliSig("Sybase", "sybase", `(?:Sybase message|com\.sybase\.jdbc)`),
	sqliSig("Informix", "informix", `Exception.{0,40}?Informix`),
	sqliSig("Firebird", "dynamic sql error", `Dynamic SQL Error`),
	sqliSig("Firebird", "ibase_", `(?i)warning.{0,80}?\Wibase_\w+\(`),

	sqliSig("", "java.sql.sql", `java\.sql\.SQL(?:Syntax)?(?:Error)?(?:Exception)`),
	sqliSig("", "org.hibernate.", `org\.hibernate\.(?:QueryException|exception\.SQLGrammarException|hql\.internal\.ast\.QuerySyntaxException)`),
	sqliSig("", "django.db.utils.", `django\.db\.utils\.(?:OperationalError|ProgrammingError|DatabaseError)`),
	sqliSig("", "sqlalchemy.exc.", `sqlalchemy\.exc\.(?:OperationalError|ProgrammingError|DatabaseError)`),
	sqliSig("", "activerecord::statementinvalid", `ActiveRecord::StatementInvalid`),
	sqliSig("", "pdoexception", `PDOException`),
	sqliSig("", "sqlstate[", `SQLSTATE\[[0-9A-Z]{5}\]`),
	sqliSig("", "sequelizedatabaseerror", `SequelizeDatabaseError`),
	sqliSig("", "queryfailederror", `QueryFailedError`),
}

// maxErrScan bounds the part of a body searched for error messages.
const maxErrScan = 512 << 10

// sqliError is one error message seen in a response.
type sqliError struct {
	sig  int    // index in sqliSignatures
	text string // what matched
}

// sqliErrorsIn returns the error messages a body shows, one per
// signature. Entities are decoded first, so a message the page escapes
// still matches.
func sqliErrorsIn(body []byte) []sqliError {
	if len(body) > maxErrScan {
		body = body[:maxErrScan]
	}
	text := string(body)
	if bytes.IndexByte(body, '&') >= 0 {
		text = html.UnescapeString(text)
	}
	lower := strings.ToLower(text)
	var out []sqliError
	for i, s := range sqliSignatures {
		if !strings.Contains(lower, s.kw) {
			continue
		}
		if loc := s.re.FindStringIndex(text); loc != nil {
			out = append(out, sqliError{sig: i, text: sqliErrorLine(text, loc[0], loc[1])})
		}
	}
	return out
}

// sqliErrorLine is the match at text[i:j] with the rest of its line, up
// to a tag or 160 bytes: the message as a report shows it.
func sqliErrorLine(text string, i, j int) string {
	end := j
	for end < len(text) && end-i < 160 && text[end] != '\n' && text[end] != '<' {
		end++
	}
	return strings.ToValidUTF8(strings.TrimSpace(text[i:end]), "")
}
