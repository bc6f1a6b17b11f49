package active

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// interp runs code in a real interpreter (node, python3) with the
// input as an argument, bounded in time.
func interp(t *testing.T, name string, args ...string) func(input string) string {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil
	}
	return func(input string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, path, append(args, input)...).Output() // #nosec G204 -- the test's own interpreter and code; the input is an argument
		if err != nil {
			return "error"
		}
		return string(out)
	}
}

var calcRE = regexp.MustCompile(`^\s*(\d+)\s*\*\s*(\d+)\s*$`)

func TestCodeInjection(t *testing.T) {
	tests := []struct {
		name string
		run  func(input string) string // nil: skip (no interpreter)
		want bool
	}{
		{"node eval of the value", interp(t, "node", "-e", "process.stdout.write(String(eval(process.argv[1])))"), true},
		{"node eval inside a string", interp(t, "node", "-e", "process.stdout.write(String(eval(\"var x = '\" + process.argv[1] + \"'; x\")))"), true},
		{"python eval of the value", interp(t, "python3", "-c", "import sys; print(eval(sys.argv[1]))"), true},

		{"parseInt (fixed)", func(in string) string {
			n, err := strconv.Atoi(in)
			if err != nil {
				return "not a number"
			}
			return strconv.Itoa(n)
		}, false},
		{"a calculator", func(in string) string {
			m := calcRE.FindStringSubmatch(in)
			if m == nil {
				return "invalid expression"
			}
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			return strconv.Itoa(a * b)
		}, false},
		{"reflection", func(in string) string { return html.EscapeString(in) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.run == nil {
				t.Skip("interpreter not on PATH")
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, "<p>Total: %s</p>", tt.run(r.URL.Query().Get("tax")))
			}))
			defer srv.Close()
			u, _ := url.Parse(srv.URL + "/contributions?tax=0")
			p := Point{Method: http.MethodGet, URL: u, Kind: Query, Name: "tax", Value: "0"}
			rs, err := CodeInjection(context.Background(), ClientSender{Client: srv.Client()}, p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(rs) > 0; got != tt.want {
				t.Fatalf("code injection found = %v, want %v (%+v)", got, tt.want, rs)
			}
			if tt.want && (!rs[0].Confirmed || rs[0].Check != "code.eval") {
				t.Errorf("result %+v", rs[0])
			}
		})
	}
}
