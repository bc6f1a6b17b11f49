package active

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func diffResp(status int, body string) *Response {
	return &Response{Status: status, Header: http.Header{}, Body: []byte(body)}
}

func TestPageSig(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		strip []string
		want  string // the words, sorted, with counts
	}{
		{"words", "<p>Hello, hello World</p>", nil, "hello:2 p:2 world:1"},
		{"random tokens folded", "id 5f3a9c01e2 and 1700000000 and abc", nil, "abc:1 and:2 id:1 ~:2"},
		{"entities decoded", "O&#39;Brien &amp; co", nil, "brien:1 co:1 o:1"},
		{"payload stripped", "You searched for 1' AND '5'='5 here", []string{"1' AND '5'='5"}, "for:1 here:1 searched:1 you:1"},
		{"escaped payload stripped", "q=1%27+AND+%275%27%3D%275 and 1&#39; AND &#39;5&#39;=&#39;5", []string{"1' AND '5'='5"}, "and:1 q:1"},
		{"short strings kept", "1 11 1", []string{"1"}, "11:1 1:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newPageSig(diffResp(200, tt.body), tt.strip...)
			if got := diffWordList(s); got != tt.want {
				t.Errorf("newPageSig(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func diffWordList(s pageSig) string {
	var ws []string
	for w, n := range s.words {
		ws = append(ws, fmt.Sprintf("%s:%d", w, n))
	}
	slices.Sort(ws)
	return strings.Join(ws, " ")
}

func TestPageBase(t *testing.T) {
	page := func(extra string) pageSig {
		return newPageSig(diffResp(200, "<html><body><h1>Shop</h1><table><tr><td>alice</td><td>alice@example.com</td></tr></table>"+extra+"</body></html>"))
	}
	static, ok := newPageBase([]pageSig{page(""), page(""), page("")})
	if !ok || static.noise != 0 {
		t.Fatalf("static page: base %+v, %v", static, ok)
	}
	if !static.same(page(""), nil) {
		t.Error("the original page is not the same as itself")
	}
	if !static.differs(newPageSig(diffResp(200, "<html><body><h1>Shop</h1><p>No such user.</p></body></html>")), nil) {
		t.Error("a page without the row does not differ")
	}
	if !static.differs(newPageSig(diffResp(404, "")), nil) {
		t.Error("another status does not differ")
	}
	noisy, ok := newPageBase([]pageSig{page("<p>Tip: sale today</p>"), page("<p>Tip: new arrivals</p>"), page("<p>Tip: free shipping</p>")})
	if !ok || noisy.noise == 0 {
		t.Fatalf("noisy page: base %+v, %v", noisy, ok)
	}
	if !noisy.same(page("<p>Tip: sale today</p>"), nil) || noisy.differs(page("<p>Tip: opening hours changed</p>"), nil) {
		t.Error("a noisy page's own variation counts as a difference")
	}
	if _, ok := newPageBase([]pageSig{newPageSig(diffResp(200, "a")), newPageSig(diffResp(500, "a"))}); ok {
		t.Error("originals of different statuses gave a base")
	}
	ign := diffIgnore("alice", "alice' AND 'rmp'='rmp")
	if ign["alice"] || !ign["rmp"] || !ign["and"] {
		t.Errorf("diffIgnore = %v", ign)
	}
}

func FuzzPageSig(f *testing.F) {
	f.Add("<p>Hello &amp; welcome</p>", "1' AND '5'='5")
	f.Add("caf\xc3\xa9 \xff\xfe 12345678abc", "")
	f.Add(strings.Repeat("a", 40)+" b", "b")
	f.Fuzz(func(t *testing.T, body, strip string) {
		if len(body) > 1<<16 || len(strip) > 256 {
			return
		}
		a := newPageSig(diffResp(200, body), strip)
		b := newPageSig(diffResp(200, body+" extra words"), strip)
		if d := sigDist(a, a, nil); d != 0 {
			t.Fatalf("sigDist(x, x) = %d", d)
		}
		if sigDist(a, b, nil) != sigDist(b, a, nil) {
			t.Fatal("sigDist is not symmetric")
		}
		base, ok := newPageBase([]pageSig{a, a})
		if !ok || base.dist(a, nil) != 0 || base.noise != 0 {
			t.Fatalf("base of two equal pages: %+v %v, dist %d", base, ok, base.dist(a, nil))
		}
		n := 0
		for w, c := range a.words {
			if w == "" || c <= 0 || len(w) > 4*maxSigToken {
				t.Fatalf("word %q counted %d", w, c)
			}
			n += c
		}
		if n != a.n {
			t.Fatalf("counts sum to %d, n = %d", n, a.n)
		}
	})
}
