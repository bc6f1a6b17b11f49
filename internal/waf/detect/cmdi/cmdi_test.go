package cmdi

import (
	"strings"
	"testing"

	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/detecttest"
)

func TestCorpusAttacks(t *testing.T) {
	ds := []detect.Detector{New()}
	for _, v := range detecttest.ReadLines(t, "testdata/attack.txt") {
		if !detecttest.Detected(ds, v) {
			_, ms := detecttest.Sum(ds[0], detect.Input{Value: v})
			t.Errorf("Detect(%q) = %+v, want a total >= 5 in some decoded variant", v, ms)
		}
	}
}

func TestCorpusBenign(t *testing.T) {
	ds := []detect.Detector{New()}
	for _, v := range detecttest.ReadLines(t, "testdata/benign.txt") {
		if detecttest.Detected(ds, v) {
			_, ms := detecttest.Sum(ds[0], detect.Input{Value: v})
			t.Errorf("Detect(%q) = %+v, want a total < 5 in every decoded variant", v, ms)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		in    detect.Input
		rule  string // "" means no paranoia-1 match
		score int
	}{
		{"separator then tool", detect.Input{Value: ";id"}, ruleChain, 5},
		{"mid-value pipe", detect.Input{Value: "a|id"}, ruleChain, 5},
		{"substitution", detect.Input{Value: "$(sleep 5)"}, ruleSubst, 5},
		{"backticks", detect.Input{Value: "`uname`"}, ruleSubst, 5},
		{"bare sensitive", detect.Input{Value: "cat /etc/passwd"}, ruleBare, 5},
		{"bare in cmd parameter", detect.Input{Value: "ls -la", Name: "cmd"}, ruleBare, 5},
		{"bare elsewhere", detect.Input{Value: "ls -la", Name: "q"}, "", 0},
		{"form-like prefix", detect.Input{Value: "cmd=cat /etc/passwd"}, ruleBare, 5},
		{"interpreter flag", detect.Input{Value: "bash -c id"}, ruleInterp, 5},
		{"php system", detect.Input{Value: "system('id')"}, ruleCodeExec, 5},
		{"php interpolation", detect.Input{Value: "${@print(md5(31337))}"}, ruleCodeExec, 5},
		{"shellshock", detect.Input{Value: "() { :; }; echo x"}, ruleShellshok, 5},
		{"yaml", detect.Input{Value: "!!python/object/new:os.system [id]"}, ruleDeserial, 5},
		{"everyday word after separator", detect.Input{Value: "eat; sleep"}, "", 0},
		{"prose after separator", detect.Input{Value: "R&D; sales"}, "", 0},
		{"single quote breakout", detect.Input{Value: "' ; /bin/sleep 31 ;"}, ruleChain, 5},
		{"IFS", detect.Input{Value: ";cat${IFS}/etc/passwd"}, ruleChain, 5},
		{"glob path", detect.Input{Value: ";/???/??t /???/p??s??"}, ruleChain, 5},
		{"brace list", detect.Input{Value: ";{cat,/etc/passwd}"}, ruleChain, 5},
		{"caret escapes", detect.Input{Value: "&c^m^d /c di^r"}, ruleInterp, 5},
		{"comspec", detect.Input{Value: "%COMSPEC% /c dir"}, ruleInterp, 5},
		{"substring of PATH", detect.Input{Value: ";${PATH:0:1}bin${PATH:0:1}id"}, ruleDynamic, 5},
		{"substring of unknown variable", detect.Input{Value: ";${X:0:1}bin${X:0:1}id"}, ruleDynamic, 5},
		{"name from assigned variables", detect.Input{Value: ";a=wh;b=oami;$a$b"}, ruleDynamic, 5},
		{"exported variable", detect.Input{Value: "a;export x=id;$x"}, ruleDynamic, 5},
		{"ANSI-C quoted value", detect.Input{Value: ";x=$'\\x69\\x64';$x"}, ruleDynamic, 5},
		{"indirection", detect.Input{Value: ";a=x;x=id;${!a}"}, ruleDynamic, 5},
		{"lone variable in strong context", detect.Input{Value: ";$cmd"}, ruleDynamic, 5},
		{"default word", detect.Input{Value: ";${x:-id}"}, ruleChain, 5},
		{"ssh option", detect.Input{Value: "-oProxyCommand=id"}, ruleArgInject, 5},
		{"git option", detect.Input{Value: "--upload-pack=touch /tmp/x"}, ruleArgInject, 5},
		{"prices", detect.Input{Value: "cost is $5; tax $1"}, "", 0},
		{"default in prose", detect.Input{Value: "use ${HOME:-/tmp} as default"}, "", 0},
		{"assignments then a word", detect.Input{Value: "a=1; b=2; echo total"}, "", 0},
		{"formula", detect.Input{Value: "Set x=5; then $x is 5 in the formula"}, "", 0},
		{"numbers from variables", detect.Input{Value: "a=1; b=2; $a$b"}, "", 0},
		{"variable after separator", detect.Input{Value: "x | $y"}, "", 0},
		{"table of placeholders", detect.Input{Value: "| $price | $qty |"}, "", 0},
		{"template literal", detect.Input{Value: "`${a}${b}`"}, "", 0},
		{"template default", detect.Input{Value: "total=${a:-0}; ${b:-none}"}, "", 0},
		{"ssh option alone", detect.Input{Value: "-oProxyCommand"}, "", 0},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ms := detecttest.Sum(d, tt.in)
			if tt.rule == "" {
				if s != 0 {
					t.Errorf("Detect(%q) = %+v, want no paranoia-1 match", tt.in.Value, ms)
				}
				return
			}
			for _, m := range ms {
				if m.Rule == tt.rule && m.Score == tt.score && m.Paranoia == 1 {
					if m.Class != detect.Cmdi || m.Off < 0 || m.Off+m.Len > len(tt.in.Value) {
						t.Errorf("Detect(%q) = %+v: bad class or location", tt.in.Value, m)
					}
					return
				}
			}
			t.Errorf("Detect(%q) = %+v, want %s with score %d", tt.in.Value, ms, tt.rule, tt.score)
		})
	}
}

func TestLexer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cat /etc/passwd", "w:cat w:/etc/passwd"},
		{"c'a't \"x y\"", "w:cat w:x y"},
		{`c\at`, "w:cat"},
		{"a;b|c&&d||e&f", "w:a s:; w:b s:| w:c s:a w:d s:o w:e s:& w:f"},
		{"cat${IFS}/etc/passwd", "w:cat w:/etc/passwd"},
		{"cat$IFS$9/etc/passwd", "w:cat w:/etc/passwd"},
		{"{cat,/etc/passwd}", "w:cat w:/etc/passwd"},
		{"$(id)", "o:$ w:id c:)"},
		{"`id`", "o:` w:id c:`"},
		{"a 2>&1 >/tmp/x", "w:a r:> r:> w:/tmp/x"},
		{"ca$@t", "w:cat"},
		{"$HOME/x", "w:*/x"},
		{"${PATH:0:1}etc", "w:?etc"},
		{"c^m^d", "w:cmd"},
		{"%COMSPEC% /c", "w:cmd w:/c"},
		{"$'\\x69\\x64'", "w:id"},
		{`C:\Windows\win.ini`, `w:C:\Windows\win.ini`},
		{"echo \"$(id)\"", "w:echo o:$ w:id c:)"},
		{"x=1 y", "w:x=1 w:y"},
		{"50% off", "w:50% w:off"},
		{"$((1+2))", "w:0"},
		{"$'\\151\\144'", "w:id"},
		{"$'\\u0069d'", "w:id"},
		{"$'a\\tb'", "w:a\tb"},
		{"$'w\\q'", "w:w\\q"},
		{"$'\\x'", "w:\\x"},
		{"$a$b", "w:**"},
		{"${x:-id} ${x/a/b}", "w:* w:*"},
	}
	for _, tt := range tests {
		var l lexer
		l.reset(tt.in, 0)
		var got []string
		for n := 0; n < 100; n++ {
			tk := l.next()
			if tk.kind == tokEOF {
				break
			}
			k := map[tokKind]string{tokWord: "w", tokSep: "s", tokOpen: "o", tokClose: "c", tokRedir: "r"}[tk.kind]
			switch tk.kind {
			case tokWord:
				got = append(got, k+":"+string(tk.text))
			default:
				got = append(got, k+":"+string(tk.op))
			}
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("lex(%q) = %q, want %q", tt.in, g, tt.want)
		}
	}
}

func TestLexerRefs(t *testing.T) {
	tests := []struct {
		in     string
		flags  uint16 // of wSubstr|wXform
		op     uint8  // of the first ref
		name   string
		off, n int
	}{
		{"$ab", 0, xPlain, "ab", 0, 0},
		{"${ab}x", 0, xPlain, "ab", 0, 0},
		{"${PATH:0:1}", wSubstr, xSubstr, "PATH", 0, 1},
		{"${x:2}", wSubstr, xSubstr, "x", 2, -1},
		{"${x: -3:2}", wSubstr, xSubstr, "x", -3, 2},
		{"${x:(-1)}", wSubstr, xSubstr, "x", -1, -1},
		{"${x:$i:1}", wSubstr, xSubstr, "x", 0, -2},
		{"${x:-id}", 0, xDefault, "x", 0, 0},
		{"${x=id}", 0, xDefault, "x", 0, 0},
		{"${x:+y}", 0, xOther, "x", 0, 0},
		{"${#x}", 0, xOther, "", 0, 0},
		{"${!x}", wXform, xXform, "x", 0, 0},
		{"${x//a/b}", wXform, xXform, "x", 0, 0},
		{"${x,,}", wXform, xXform, "x", 0, 0},
		{"%ab%", 0, xPlain, "ab", 0, 0},
		{"%ab:~1,2%", wSubstr, xOther, "ab", 0, 0},
	}
	for _, tt := range tests {
		var l lexer
		l.reset(tt.in, 0)
		tk := l.next()
		if tk.kind != tokWord || len(tk.refs) == 0 {
			t.Errorf("lex(%q) = %+v, want a word with an expansion", tt.in, tk)
			continue
		}
		r := tk.refs[0]
		if f := tk.flags & (wSubstr | wXform); f != tt.flags || r.op != tt.op || r.name.of(tt.in) != tt.name ||
			tt.op == xSubstr && (r.off != tt.off || r.n != tt.n) {
			t.Errorf("lex(%q): flags %b ref %+v (name %q), want flags %b op %d name %q off %d n %d",
				tt.in, f, r, r.name.of(tt.in), tt.flags, tt.op, tt.name, tt.off, tt.n)
		}
	}
}
