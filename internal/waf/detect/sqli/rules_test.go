package sqli

import (
	"slices"
	"strings"
	"testing"

	"rampart/internal/waf/detect"
)

func TestRules(t *testing.T) {
	tests := []struct {
		name, in, rule string
	}{
		{"tautology in string", "' OR 'a'='a", "sqli.tautology"},
		{"tautology numeric", "1 OR 1=1", "sqli.tautology"},
		{"tautology like", "' OR name LIKE name--", "sqli.tautology"},
		{"tautology equals", "'='", "sqli.tautology"},
		{"or true after quote", "admin' OR 1--", "sqli.tautology"},
		{"boolean blind", "1 AND 3821=3822", "sqli.boolean"},
		{"boolean blind string", "' AND 'x'='y", "sqli.boolean"},
		{"boolean column", "x' AND substring(password,1,1)='a'--", "sqli.boolean"},
		{"boolean in arithmetic", "(7=7)*3", "sqli.boolean"},
		{"boolean in function", "ELT(4=4,1)", "sqli.boolean"},
		{"union", "-1 UNION SELECT 1,2", "sqli.union"},
		{"union all nulls", "' UNION ALL SELECT NULL,NULL--", "sqli.union"},
		{"union versioned", "1 /*!UNION*/ /*!SELECT*/ 1,2", "sqli.union"},
		{"stacked drop", "1; DROP TABLE users--", "sqli.stacked"},
		{"stacked exec", "'; EXEC master..xp_cmdshell 'dir'--", "sqli.stacked"},
		{"stacked waitfor", "1) WAITFOR DELAY '0:0:5'--", "sqli.stacked"},
		{"time sleep", "1 AND SLEEP(5)", "sqli.time"},
		{"time pg_sleep", "'; SELECT pg_sleep(5)--", "sqli.time"},
		{"time dbms_pipe", "1 AND 7=DBMS_PIPE.RECEIVE_MESSAGE('a',5)", "sqli.time"},
		{"time heavy", "1 AND 1=LIKE('A',UPPER(HEX(RANDOMBLOB(500000000))))", "sqli.time"},
		{"error extractvalue", "1 AND EXTRACTVALUE(1,CONCAT(0x7e,version()))", "sqli.error-func"},
		{"error updatexml", "' AND UPDATEXML(1,CONCAT(0x7e,user()),1)--", "sqli.error-func"},
		{"file load_file", "' UNION SELECT load_file('/etc/passwd')--", "sqli.file"},
		{"file outfile", "1 UNION SELECT 1 INTO OUTFILE '/tmp/x'", "sqli.file"},
		{"subquery", "1 AND (SELECT 1 FROM users WHERE 1=1)", "sqli.subquery"},
		{"schema", "' AND (SELECT COUNT(*) FROM information_schema.tables)>0--", "sqli.schema"},
		{"order by", "1' ORDER BY 3--", "sqli.order-by"},
		{"having", "' GROUP BY id HAVING 1=1--", "sqli.order-by"},
		{"string build", "'+CHAR(65)+CHAR(66)+'", "sqli.string-build"},
		{"breakout dash", "admin'--", "sqli.breakout"},
		{"breakout hash", "admin')#", "sqli.breakout"},
		{"evasion versioned", "1 /*!50000UNION*/ SELECT 1,2", "sqli.comment-evasion"},
		{"evasion glued", "1 UN/**/ION SEL/**/ECT 1,2", "sqli.comment-evasion"},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := detect.Input{Value: tt.in, Raw: tt.in, Kind: detect.KindQuery, Name: "q"}
			ms := d.Detect(&in, nil)
			i := slices.IndexFunc(ms, func(m detect.Match) bool { return m.Rule == tt.rule })
			if i < 0 {
				t.Fatalf("Detect(%q) = %v, want rule %s", tt.in, rulesOf(ms), tt.rule)
			}
			if m := ms[i]; m.Score != 5 || m.Paranoia != 1 || m.Class != detect.SQLi {
				t.Errorf("Detect(%q) rule %s = score %d paranoia %d class %s, want 5 1 sqli", tt.in, tt.rule, m.Score, m.Paranoia, m.Class)
			}
		})
	}
}

func TestFormEncodedPlus(t *testing.T) {
	raw := "-1%27%29+OR+JSON_DEPTH%28%27%7B%7D%27%29+%21%3D+7--"
	in := detect.Input{Value: "-1')+OR+JSON_DEPTH('{}')+!=+7--", Raw: raw, Kind: detect.KindJSON}
	if ms := New().Detect(&in, nil); len(ms) == 0 || ms[0].Score < 5 {
		t.Errorf("Detect(%q from %q) = %v, want a block", in.Value, raw, rulesOf(ms))
	}
	in = detect.Input{Value: "C++ or C#", Raw: "C++ or C#", Kind: detect.KindJSON}
	if ms := New().Detect(&in, nil); len(ms) != 0 {
		t.Errorf("Detect(%q) = %v, want nothing", in.Value, rulesOf(ms))
	}
}

func TestLookAlikes(t *testing.T) {
	tests := []struct {
		name, in string
		rules    string // the rules reported, comma separated; none at paranoia 1 block
	}{
		{"name with quote", "O'Brien", ""},
		{"address", "Zoë O'Brien, 12 Select Street, Union City", ""},
		{"english union", "union was a great select", ""},
		{"select a plan", "select a plan", ""},
		{"numbers", "1 and 2", ""},
		{"perfume", "D'or 1st parfume", ""},
		{"email", "john+or@var.es", ""},
		{"letter", "DEAR FINN,--I think it would do; copy should reach us second post", ""},
		{"ballon d'or", "Ballon D'or 2023", "sqli.libinjection,sqli.libinjection-strict"},
		{"quoted phrase", `"--help"`, ""},
		{"inches", `Samsung 55" -- great TV`, ""},
		{"semicolon prose", "hello; delete from cart please", ""},
		{"go code", "time.Sleep(5 * time.Second)", ""},
		{"license comment", "/*! @license Foo 1.0 | (c) Bar and other contributors */", ""},
		{"sql in a post", "SELECT * FROM users WHERE id = 1", "sqli.statement"},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := detect.Input{Value: tt.in, Raw: tt.in, Kind: detect.KindForm, Name: "text"}
			ms := d.Detect(&in, nil)
			if got := strings.Join(rulesOf(ms), ","); got != tt.rules {
				t.Errorf("Detect(%q) = %s, want %q", tt.in, got, tt.rules)
			}
			for _, m := range ms {
				if m.Paranoia == 1 && m.Score >= 5 {
					t.Errorf("Detect(%q) blocks at paranoia 1 with %s", tt.in, m.Rule)
				}
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // kind:text per token
	}{
		{"words and numbers", "SELECT 1.5e3, 0x1F FROM t", []string{"w:SELECT", "n:1.5e3", ",:,", "n:0x1F", "w:FROM", "w:t"}},
		{"doubled quote", "'it''s' x", []string{"s:'it''s'", "w:x"}},
		{"backslash escape", `'a\'b' c`, []string{`s:'a\'b'`, "w:c"}},
		{"unterminated string", "'abc", []string{"s:'abc"}},
		{"backtick", "`my col`=1", []string{"q:`my col`", "o:=", "n:1"}},
		{"line comment ends", "1 -- x", []string{"n:1", "c:-- x"}},
		{"comment then newline", "1 #x\nUNION", []string{"n:1", "w:UNION"}},
		{"block comment is space", "UNION/**/SELECT", []string{"w:UNION", "w:SELECT"}},
		{"versioned comment is code", "/*!50000UNION*/ SELECT", []string{"w:UNION", "w:SELECT"}},
		{"unterminated block", "1 /* x", []string{"n:1", "c:/* x"}},
		{"mysql name from digits", "1st", []string{"w:1st"}},
		{"exponent ends number", "1e0UNION", []string{"n:1e0", "w:UNION"}},
		{"variables", "@@version @x", []string{"v:@@version", "v:@x"}},
		{"operators", "a<=>b||c!=d", []string{"w:a", "o:<=>", "w:b", "o:||", "w:c", "o:!=", "w:d"}},
		{"prefixed strings", "x'41' N'abc'", []string{"s:x'41'", "s:N'abc'"}},
		{"nul ends", "1\x00 OR 1=1", []string{"n:1", "c:\x00 OR 1=1"}},
		{"mysql null", `\N`, []string{`w:\N`}},
	}
	kinds := map[kind]string{tWord: "w", tQuoted: "q", tNumber: "n", tString: "s", tVar: "v", tOp: "o",
		tLParen: "(", tRParen: ")", tComma: ",", tSemi: ";", tDot: ".", tStar: "*", tComment: "c", tOther: "?"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tk := range tokenize(tt.in, nil) {
				got = append(got, kinds[tk.kind]+":"+tt.in[tk.off:tk.end])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSuspicious(t *testing.T) {
	tests := []struct {
		name, in string
		want     bool
	}{
		{"word", "despernada", false},
		{"number", "-46624.5", false},
		{"email", "john.doe@example.com", false},
		{"date", "2024-01-15", false},
		{"address", "calle dinamarca 14, 3 izda", false},
		{"select a plan", "select a plan", false},
		{"quote", "O'Brien", true},
		{"parenthesis", "f(x)", true},
		{"comment dashes", "a--b", true},
		{"comment slash", "a/*b", true},
		{"union without operators", "1 union select 1", true},
		{"order by without operators", "1 ORDER BY 3", true},
		{"tab before keyword", "1\tlike\t1", true},
		{"nul", "a\x00b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := suspicious(tt.in); got != tt.want {
				t.Errorf("suspicious(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
