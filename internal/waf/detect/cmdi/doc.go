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
// Findings of shell syntax score 5 (paranoia 1) or 3 (paranoia 2); the
// detector emits at most one for shell syntax and one for interpreter
// code per value. A bare command word with nothing else ("id", "whoami")
// is not reported: alone it cannot be told from a word.
//
// The detector does not look for SQL, template or expression-language
// injection; those are other detectors' classes. A Detector is immutable
// and safe for concurrent use.
package cmdi
