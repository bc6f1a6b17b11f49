// Package cmdi detects OS command injection: shell syntax (sh, bash,
// cmd.exe, PowerShell) that would run a command if the value reached a
// shell, and the interpreter calls that run one (PHP system(), Python
// os.system(), Runtime.exec(), Shellshock function definitions, unsafe YAML
// tags, ASP Execute).
//
// The detector tokenizes a value as a shell would (quotes, escapes, $IFS,
// brace lists, globs, expansions; see lexer), finds the words in command
// position — after a separator (; | || && & newline), inside a substitution
// ($(...), backticks, <(...)), or at the start of the value — and judges
// each command by three things: how strong its context is, whether its name
// is an unmistakable tool (whoami, wget) or also an everyday word (cat,
// ping, echo), and whether its arguments look like shell arguments
// (options, absolute paths, IP addresses, redirections, sensitive files) or
// like prose. "; id", "a|cat /etc/passwd", "`uname`" and "$(sleep 5)" block;
// "cat and dog", "Tom & Jerry", "fish | chips" and "eat; sleep; repeat" do
// not.
//
// A value holding quotes is lexed three times: as it is, and as if the
// application had put it between single or between double quotes, so that
// a quote closing the application's own (x'; id) is seen. In text (four
// or more words) newlines, Markdown code spans and fences start lines
// rather than commands, so a forum post quoting `ls -la` passes where one
// quoting `cat /etc/passwd` does not; f(x) is a function call, not a
// subshell.
//
// A command word built from expansions is judged by the name it expands
// to (rule cmdi.dynamic-command). Each pass remembers, within fixed
// bounds, the variables the value assigns (x=id, export x=id, set x=who)
// and expands a command word with them: $x, $a$b, ${x:1:2}, %a%%b%, a
// substring of a variable every shell sets with a leading '/'
// (${PATH:0:1} is "/"), and $SHELL; the lexer decodes $'...' (\xHH,
// \NNN, \uHHHH, \n) so that x=$'\x69\x64' assigns "id". A known command
// reached that way ("a=wh;b=oami;$a$b", ";${PATH:0:1}bin${PATH:0:1}id")
// scores 5 after a separator or in a substitution. So does a word of
// expansions that names no command we know when it hides behind a
// substring or a transformation (${X:0:1}bin, ${!x}, ${x//a/b}, ${x,,};
// inside backticks only substrings, since ${a/b} there is a JavaScript
// template), when the value assigns all its variables, or, for a lone
// unknown variable, in a strong context (";$cmd"); elsewhere such a word
// scores 3 at paranoia 2 ("x | $y", "| $price | $qty |", "`${a}`"), and
// not at all before words of prose ("; $name is here"); at the start of a
// value ("$HOME in docs") it scores nothing, or 3 at paranoia 2 when
// obfuscated or given a sensitive file. A default (${x:-id}) is no evasion: its word
// is judged as if written plainly, so "use ${HOME:-/tmp} as default"
// passes; a variable expanding to a number ("a=1; b=2; $a$b") is no
// command name.
//
// A value that is an option with which a program runs a command
// ("-oProxyCommand=id" for ssh and scp, "--upload-pack=..." for git,
// "--to-command=..." for tar, "--rsh=..." for rsync) scores 5 (rule
// cmdi.argument-injection): passed in an argument list it needs no shell.
//
// Findings of shell syntax score 5 (paranoia 1) or 3 (paranoia 2); the
// detector emits at most one for shell syntax and one for interpreter
// code per value. A bare command word with nothing else ("id", "whoami")
// is not reported: alone it cannot be told from a word.
//
// The detector does not look for SQL, template or expression-language
// injection; those are other detectors' classes. A Detector is immutable
// and safe for concurrent use.
package cmdi
