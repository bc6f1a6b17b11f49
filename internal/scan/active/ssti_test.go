package active

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sstiEngine renders a template the way an engine with the delimiters
// open and close would, for multiplications only; group formats numbers
// by thousands, as FreeMarker does.
func sstiEngine(open, close string, group bool) func(string) string {
	re := regexp.MustCompile(regexp.QuoteMeta(open) + `\s*(\d+)\s*\*\s*(\d+)\s*` + regexp.QuoteMeta(close))
	return func(tpl string) string {
		return re.ReplaceAllStringFunc(tpl, func(m string) string {
			sm := re.FindStringSubmatch(m)
			a, _ := strconv.Atoi(sm[1])
			b, _ := strconv.Atoi(sm[2])
			n := strconv.Itoa(a * b)
			if !group {
				return n
			}
			var out strings.Builder
			for i, c := range n {
				if i > 0 && (len(n)-i)%3 == 0 {
					out.WriteByte(',')
				}
				out.WriteRune(c)
			}
			return out.String()
		})
	}
}

func sstiApp() http.Handler {
	mux := http.NewServeMux()
	show := func(w http.ResponseWriter, s string) {
		fmt.Fprintf(w, "<html><body><h1>Greeting</h1><p>%s</p></body></html>", s)
	}
	jinja := sstiEngine("{{", "}}", false)
	freemarker := sstiEngine("${", "}", true)
	// The vulnerable pages build the template from the input.
	mux.HandleFunc("/jinja", func(w http.ResponseWriter, r *http.Request) {
		show(w, html.EscapeString(jinja("Hello "+r.FormValue("name")+"!")))
	})
	mux.HandleFunc("/freemarker", func(w http.ResponseWriter, r *http.Request) {
		show(w, html.EscapeString(freemarker("Hello "+r.FormValue("name")+"!")))
	})
	// The fixed twin passes the input to a fixed template as data.
	mux.HandleFunc("/fixed", func(w http.ResponseWriter, r *http.Request) {
		show(w, html.EscapeString(jinja("Hello {{ name }}!")+" "+r.FormValue("name")))
	})
	// /reflect shows the input as it came, in a form and in the page.
	mux.HandleFunc("/reflect", func(w http.ResponseWriter, r *http.Request) {
		v := r.FormValue("name")
		show(w, "<input name=name value=\""+html.EscapeString(v)+"\"> You said: "+v)
	})
	// /calc evaluates any multiplication in the input, on purpose.
	calc := regexp.MustCompile(`(\d+)\*(\d+)`)
	mux.HandleFunc("/calc", func(w http.ResponseWriter, r *http.Request) {
		v := r.FormValue("name")
		out := html.EscapeString(v)
		if m := calc.FindStringSubmatch(v); m != nil {
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			out += " = " + strconv.Itoa(a*b)
		}
		show(w, out)
	})
	return mux
}

func TestSSTI(t *testing.T) {
	srv := injServer(t, sstiApp())
	tests := []struct{ name, target, want string }{
		{"jinja", "/jinja?name=bob", "ssti"},
		{"freemarker grouped", "/freemarker?name=bob", "ssti"},
		{"fixed", "/fixed?name=bob", ""},
		{"verbatim reflection", "/reflect?name=bob", ""},
		{"calculator", "/calc?name=bob", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := injSender(srv)
			p := injPoint(t, srv, tt.target, nil, nil, Query, "name")
			rs, err := SSTI(context.Background(), s, p, injOptions(uint64(i)))
			if err != nil {
				t.Fatal(err)
			}
			if got := injChecks(rs); got != tt.want {
				t.Errorf("SSTI(%s) = %q, want %q (%+v)", tt.target, got, tt.want, rs)
			}
			injVerify(t, rs)
			if n := s.count(); n > 20 {
				t.Errorf("SSTI(%s) sent %d requests", tt.target, n)
			}
			for _, r := range rs {
				t.Logf("%s: %s\n%q", r.Check, r.Detail, r.Payload)
			}
		})
	}
}

func TestSSTIForms(t *testing.T) {
	tests := []struct {
		n    int
		want []string
	}{
		{123, []string{"123"}},
		{7006652, []string{"7006652", "7,006,652", "7.006.652", "7 006 652", "7\u00a0006\u00a0652", "7\u202f006\u202f652", "7'006'652"}},
		{100000, []string{"100000", "100,000", "100.000", "100 000", "100\u00a0000", "100\u202f000", "100'000"}},
	}
	for _, tt := range tests {
		if got := sstiForms(tt.n); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("sstiForms(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
