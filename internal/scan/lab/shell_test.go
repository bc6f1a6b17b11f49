package lab

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestShell(t *testing.T) {
	tests := []struct {
		name, line string
		want       []string // substrings of the output
		not        []string // substrings it must not have
		status     int
	}{
		{"plain ping", "ping -c 1 127.0.0.1", []string{"PING 127.0.0.1", "1 packets transmitted"}, nil, 0},
		{"host name", "ping -c 1 harbour-goods.test", []string{"(203.0.113.7)"}, nil, 0},
		{"unknown host", "ping -c 1 nohost", []string{"ping: nohost: Name or service not known"}, nil, 2},
		{"no host", "ping -c 1 ", []string{"Destination address required"}, nil, 1},
		{"semicolon", "ping -c 1 127.0.0.1;id", []string{"PING", "uid=33(www-data)"}, nil, 0},
		{"semicolons around", "ping -c 1 ;cat /etc/passwd;", []string{"Destination address required", "root:x:0:0:root"}, nil, 0},
		{"pipe", "ping -c 1 x|id", []string{"uid=33"}, []string{"PING"}, 0},
		{"and after failure", "ping -c 1 nohost&&id", []string{"Name or service"}, []string{"uid="}, 2},
		{"or after failure", "ping -c 1 nohost||id #", []string{"uid="}, nil, 0},
		{"background", "ping -c 1 &id&", []string{"uid="}, nil, 0},
		{"backticks", "ping -c 1 127.0.0.1`echo rmpx$((6*7))`", []string{"ping: 127.0.0.1rmpx42: Name or service not known"}, nil, 2},
		{"command substitution", "ping -c 1 $(echo 127.0.0.1)", []string{"PING 127.0.0.1"}, nil, 0},
		{"substitution runs", "ping -c 1 x;echo abc$((1234*5678));", []string{"abc7006652"}, []string{"$(("}, 0},
		{"newline", "ping -c 1 x\necho hello\n", []string{"hello"}, nil, 0},
		{"single quote closed", "ping -c 1 x';id #", []string{"Unterminated quoted string"}, []string{"uid="}, 2},
		{"quotes keep text", "echo '$((1+1))' \"$((1+1))\"", []string{"$((1+1)) 2"}, nil, 0},
		{"IFS", "ping -c 1 x;echo${IFS}abc;", []string{"\nabc\n"}, nil, 0},
		{"env", "ping -c 1 x;env;", []string{"PATH=/usr/local/sbin", "PWD=/var/www/shop"}, []string{"IFS="}, 0},
		{"syntax error stops the line", "ping -c 1 a);env;", []string{`Syntax error: ")" unexpected`}, []string{"PATH=", "PING"}, 2},
		{"path to a program", "ping -c 1 x;/usr/bin/id", []string{"uid=33"}, nil, 0},
		{"relative path to env", "../../../../../../usr/bin/env|", []string{`Syntax error: end of file unexpected`}, nil, 2},
		{"unknown command", "ping -c 1 x;nc -e /bin/sh", []string{"sh: 1: nc: not found"}, nil, 127},
		{"traversal is no command", "ping -c 1 ../../../../etc/passwd", []string{"Name or service not known"}, []string{"root:x"}, 2},
		{"cat a directory", "cat /etc", []string{"cat: /etc: Is a directory"}, nil, 1},
		{"ls", "ls /var/www/shop", []string{"config.ini\ndocs\nmain.go\npublic\n"}, nil, 0},
		{"redirect to null", "id >/dev/null;echo ok", []string{"ok"}, []string{"uid="}, 0},
		{"redirect to a file", "id > /tmp/x", []string{"cannot create /tmp/x: Permission denied"}, []string{"uid="}, 2},
		{"stderr to stdout", "cat /nope 2>&1", []string{"cat: /nope: No such file or directory"}, nil, 1},
		{"comment", "ping -c 1 127.0.0.1 # ;id", []string{"PING"}, []string{"uid="}, 0},
		{"exit", "exit 3; id", nil, []string{"uid="}, 3},
		{"bad arithmetic", "echo $((1/0))", []string{"sh: 1: arithmetic expression: division by zero"}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, status := runShell(context.Background(), newFakeFS(), tt.line)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("runShell(%q) = %q, want it to contain %q", tt.line, out, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("runShell(%q) = %q, want no %q", tt.line, out, w)
				}
			}
			if status != tt.status {
				t.Errorf("runShell(%q) status = %d, want %d", tt.line, status, tt.status)
			}
		})
	}
}

// TestShellSleep: sleep really waits, within the budget, and stops when
// the request goes away.
func TestShellSleep(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps")
	}
	start := time.Now()
	runShell(context.Background(), newFakeFS(), "ping -c 1 x;sleep 0.3;")
	if d := time.Since(start); d < 300*time.Millisecond || d > 3*time.Second {
		t.Errorf("sleep 0.3 took %v", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	runShell(ctx, newFakeFS(), "sleep 60")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("sleep 60 with the request gone after 200ms took %v", d)
	}
}

func FuzzShell(f *testing.F) {
	for _, s := range []string{"ping -c 1 127.0.0.1;id", "x`echo $((2*3))`", "a);env;", "$(cat /etc/passwd)|cat", "'\"`$((", "${IFS}${X}$?$$", "a 2>&1 </etc/hosts >/dev/null"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if len(line) > 512 {
			return
		}
		// sleep and ping wait: the deadline cuts them short.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		out, _ := runShell(ctx, newFakeFS(), line)
		if len(out) > maxShellOutput {
			t.Fatalf("output of %d bytes, more than %d", len(out), maxShellOutput)
		}
	})
}
