package active

import (
	"strings"
	"testing"
)

func TestSQLiErrorsIn(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"MySQL", "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''1''' at line 1", "MySQL"},
		{"MariaDB", "check the manual that corresponds to your MariaDB server version", "MySQL"},
		{"PHP mysql warning", "<b>Warning</b>:  mysql_fetch_array() expects parameter 1 to be resource, boolean given", "MySQL"},
		{"PostgreSQL", `ERROR:  syntax error at or near "'"`, "PostgreSQL"},
		{"PostgreSQL unterminated", `pq: unterminated quoted string at or near "'1"`, "PostgreSQL"},
		{"MSSQL", "Unclosed quotation mark after the character string '1'.", "Microsoft SQL Server"},
		{"MSSQL ODBC", "[Microsoft][ODBC SQL Server Driver][SQL Server]Incorrect syntax near '1'.", "Microsoft SQL Server"},
		{"Oracle", "ORA-01756: quoted string not properly terminated", "Oracle"},
		{"SQLite", `SQLITE_ERROR: near "1": syntax error`, "SQLite"},
		{"SQLite Go", `SQL logic error: unrecognized token: "'1''" (1)`, "SQLite"},
		{"DB2", "DB2 SQL error: SQLCODE=-104, SQLSTATE=42601", "IBM DB2"},
		{"HSQLDB", "malformed string: '", "HSQLDB"},
		{"escaped in HTML", "<pre>ERROR:  syntax error at or near &quot;&#39;&quot;</pre>", "PostgreSQL"},
		{"PDO", "PDOException: SQLSTATE[42000]: Syntax error or access violation", ""},
		{"benign SQL words", "<p>Learn SQL: SELECT name FROM users WHERE id = 1. Our MySQL course.</p>", "-"},
		{"benign oracle", "Oracle Database 19c documentation", "-"},
		{"benign syntax", "JSON syntax error: unexpected token } at line 3", "-"},
		{"empty", "", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := sqliErrorsIn([]byte(tt.body))
			if tt.want == "-" {
				if len(errs) > 0 {
					t.Errorf("sqliErrorsIn(%q) = %v, want none", tt.body, errs)
				}
				return
			}
			for _, e := range errs {
				if sqliSignatures[e.sig].dbms == tt.want {
					return
				}
			}
			t.Errorf("sqliErrorsIn(%q) = %v, want a %q message", tt.body, errs, tt.want)
		})
	}
}

func FuzzSQLiErrorsIn(f *testing.F) {
	f.Add([]byte("You have an error in your SQL syntax; check the manual"))
	f.Add([]byte("ORA-00933: SQL command not properly ended"))
	f.Add([]byte("<b>Warning</b>: pg_query(): Query failed"))
	f.Add([]byte("caf\xc3\xa9 &#39; \xff"))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		seen := map[int]bool{}
		for _, e := range sqliErrorsIn(body) {
			if e.sig < 0 || e.sig >= len(sqliSignatures) || seen[e.sig] {
				t.Fatalf("sqliErrorsIn(%q): bad or repeated signature %d", body, e.sig)
			}
			seen[e.sig] = true
			if e.text == "" || len(e.text) > 4*160 || !strings.Contains(strings.ToLower(e.text), sqliSignatures[e.sig].kw) && !strings.Contains(strings.ToLower(string(body)), sqliSignatures[e.sig].kw) {
				t.Fatalf("sqliErrorsIn(%q): match %q for %q", body, e.text, sqliSignatures[e.sig].kw)
			}
		}
	})
}

// TestSQLiSignatures checks that each keyword is lower-case, as the
// prefilter compares it with the lower-cased page.
func TestSQLiSignatures(t *testing.T) {
	for i, s := range sqliSignatures {
		if s.kw == "" || s.kw != strings.ToLower(s.kw) {
			t.Errorf("signature %d (%s) has keyword %q", i, s.re, s.kw)
		}
	}
}
