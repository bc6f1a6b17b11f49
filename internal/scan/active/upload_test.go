package active

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// uploadSite stores uploads and serves them under /uploads/. Vulnerable:
// keeps the name, "runs" .php files (it evaluates the echo of a product,
// as PHP would), serves .html as text/html. Fixed: renames to a random
// ID, serves everything as an attachment of type application/octet-stream.
func uploadSite(t *testing.T, fixed bool) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	files := map[string][]byte{}
	n := 0
	php := regexp.MustCompile(`^<\?php echo "([a-z0-9]+)-" \. \((\d+)\*(\d+)\); \?>$`)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<form method="post" action="/profile/avatar" enctype="multipart/form-data"><input type="file" name="avatar"><input type="hidden" name="kind" value="avatar"><button>Upload</button></form>`)
	})
	mux.HandleFunc("POST /profile/avatar", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("kind") != "avatar" {
			http.Error(w, "missing kind", http.StatusBadRequest)
			return
		}
		f, h, err := r.FormFile("avatar")
		if err != nil {
			http.Error(w, "no file", http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(f)
		name := path.Base(h.Filename)
		mu.Lock()
		if fixed {
			n++
			name = "f" + strconv.Itoa(n)
		}
		files[name] = b
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<p>Saved.</p><img src="/uploads/%s">`, name)
	})
	mux.HandleFunc("/uploads/{name}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, ok := files[r.PathValue("name")]
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		name := r.PathValue("name")
		switch {
		case fixed:
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", "attachment")
		case strings.HasSuffix(name, ".php"):
			if m := php.FindSubmatch(b); m != nil {
				x, _ := strconv.Atoi(string(m[2]))
				y, _ := strconv.Atoi(string(m[3]))
				b = []byte(fmt.Sprintf("%s-%d", m[1], x*y))
			}
			w.Header().Set("Content-Type", "text/html")
		case strings.HasSuffix(name, ".html"):
			w.Header().Set("Content-Type", "text/html")
		}
		_, _ = w.Write(b)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestUpload(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		srv := uploadSite(t, fixed)
		rs, err := Upload(context.Background(), ClientSender{Client: srv.Client()}, UploadForm{
			Page: srv.URL + "/", Action: "/profile/avatar", FileField: "avatar",
			Fields: []FormField{{Name: "avatar", Type: "file"}, {Name: "kind", Type: "hidden", Value: "avatar"}},
		}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range rs {
			got[r.Check] = true
			if !r.Confirmed || r.Detail == "" || r.Response == "" {
				t.Errorf("result %+v", r)
			}
			if _, ok := CheckInfo(r.Check); !ok {
				t.Errorf("no info for %s", r.Check)
			}
		}
		for _, c := range []string{"upload.executable", "upload.html"} {
			if got[c] == fixed {
				t.Errorf("fixed=%v: %s reported=%v", fixed, c, got[c])
			}
		}
	}
}

func TestUploadCandidates(t *testing.T) {
	srv := uploadSite(t, false)
	u, _ := http.NewRequest(http.MethodGet, srv.URL+"/a/b/post", nil)
	resp := &Response{Header: http.Header{"Location": {"/done/x.php"}}, Body: []byte(`<a href="/files/x.php">x</a> <a href="http://evil.example/x.php">`)}
	var got []string
	for _, c := range uploadCandidates(u.URL, resp, "x.php") {
		got = append(got, c.Path)
		if c.Host != u.URL.Host {
			t.Errorf("candidate on another host: %s", c)
		}
	}
	if len(got) < 3 || got[0] != "/done/x.php" || got[1] != "/files/x.php" {
		t.Errorf("candidates %v", got)
	}
}
