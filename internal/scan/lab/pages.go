package lab

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// site is the shop at one prefix: the flawed one ("") or its fixed twin.
// Each handler does what a naive developer wrote when fixed is false,
// and the repair when it is true.
type site struct {
	*Lab
	prefix string
	fixed  bool
}

// esc is what a page does with text it prints: nothing in the flawed
// shop's careless spots, HTML escaping everywhere else.
func (s *site) esc(text string) string {
	if s.fixed {
		return html.EscapeString(text)
	}
	return text
}

// layout is the shop's page: title, prefix, body, footer note.
const layout = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s - Harbour Goods</title>
<link rel="stylesheet" href="/static/shop.css"></head>
<body><header><h1><a href="%s/">Harbour Goods</a></h1>
<nav><a href="%[2]s/products">Products</a> <a href="%[2]s/catalog">Catalog</a> <a href="%[2]s/guestbook">Guestbook</a>
<a href="%[2]s/greeting">Greeting cards</a> <a href="%[2]s/tools/ping">Network check</a>
<a href="%[2]s/docs?file=intro.txt">Help</a> <a href="%[2]s/cart">Cart</a>
Currency: <a href="%[2]s/currency?code=EUR">EUR</a> <a href="%[2]s/currency?code=USD">USD</a></nav>
<form action="%[2]s/search" method="get"><input type="search" name="q" placeholder="Search products"> <button>Search</button></form>
</header>
<main>
%s
</main>
<footer>%s<p>Harbour Goods, Quay Street 4</p></footer></body></html>
`

// page writes the shop's layout around body. Like the naive shop it
// is, it sends no security headers.
func (s *site) page(w http.ResponseWriter, status int, title, body string) {
	p := s.prefix
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	beta := ""
	if !s.fixed {
		beta = `<p><a href="/safe/">Try the new shop (beta)</a></p>`
	}
	fmt.Fprintf(w, layout, html.EscapeString(title), p, body, beta) // #nosec G705 -- body holds the lab's deliberate XSS; the rest is escaped
}

// dbError shows a database error the way a naive page does: as it is.
func dbError(err error) string {
	return `<p class="error">Database error: ` + html.EscapeString(err.Error()) + `</p>`
}

// money formats a price in the currency the visitor chose.
func money(r *http.Request, price string) string {
	sym := "$"
	if c, err := r.Cookie("currency"); err == nil {
		switch c.Value {
		case "EUR":
			sym = "€"
		case "GBP":
			sym = "£"
		}
	}
	return sym + html.EscapeString(price)
}

func (s *site) home(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie("session"); err != nil {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		// The flaw every naive shop has: no Secure, HttpOnly or SameSite.
		cookie := "session=" + hex.EncodeToString(b) + "; Path=/"
		if s.fixed {
			cookie += "; HttpOnly; SameSite=Lax"
		}
		w.Header().Add("Set-Cookie", cookie)
	}
	p := s.prefix
	s.page(w, http.StatusOK, "Welcome", fmt.Sprintf(`<h2>Welcome aboard</h2>
<p>Sturdy things for people who live by the sea. Browse <a href="%s/products">all products</a>,
pick a category in the <a href="%[1]s/catalog">catalog</a>, or send a friend a <a href="%[1]s/greeting">greeting card</a>.</p>
<p>Bestseller: <a href="%[1]s/product?id=2">Storm Lantern</a>.</p>`, p))
}

// productQueries are the product list's queries by sort order.
var productQueries = map[string]string{
	"name":  "SELECT id, name, category, price, description FROM products ORDER BY name",
	"price": "SELECT id, name, category, price, description FROM products ORDER BY price",
}

func (s *site) products(w http.ResponseWriter, r *http.Request) {
	filter := r.URL.Query().Get("filter")
	query, ok := productQueries[r.URL.Query().Get("sort")]
	if !ok {
		query = productQueries["name"]
	}
	rows, err := s.db.QueryContext(r.Context(), query)
	var ps []product
	if err == nil {
		ps, err = scanProducts(rows)
	}
	if err != nil {
		s.page(w, http.StatusInternalServerError, "Products", dbError(err))
		return
	}
	var b strings.Builder
	// The flaw: the filter goes back into the value attribute as it came.
	fmt.Fprintf(&b, `<h2>Products</h2>
<form action="%s/products" method="get"><input name="filter" value="%s">
<select name="sort"><option value="name">Name</option><option value="price">Price</option></select> <button>Filter</button></form>
<ul>`, s.prefix, s.esc(filter))
	next := url.QueryEscape(s.prefix + "/products")
	for _, p := range ps {
		if filter != "" && !strings.Contains(strings.ToLower(p.Name), strings.ToLower(filter)) {
			continue
		}
		fmt.Fprintf(&b, `<li><a href="%s/product?id=%s">%s</a> %s <a href="%[1]s/cart/add?id=%[2]s&amp;next=%[5]s">Add to cart</a></li>`,
			s.prefix, p.ID, html.EscapeString(p.Name), money(r, p.Price), next)
	}
	b.WriteString("</ul>")
	s.page(w, http.StatusOK, "Products", b.String())
}

func (s *site) product(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	var ps []product
	var err error
	if s.fixed {
		res, qerr := s.db.QueryContext(r.Context(), "SELECT id, name, category, price, description FROM products WHERE id = ?", id)
		if err = qerr; err == nil {
			ps, err = scanProducts(res)
		}
	} else {
		// The flaw: the id pasted into the SQL.
		res, qerr := s.db.QueryContext(r.Context(), "SELECT id, name, category, price, description FROM products WHERE id = "+id) // #nosec G202 G701 -- the lab's SQL injection, on purpose
		if err = qerr; err == nil {
			ps, err = scanProducts(res)
		}
	}
	switch {
	case err != nil:
		s.page(w, http.StatusInternalServerError, "Product", dbError(err))
	case len(ps) == 0:
		s.page(w, http.StatusNotFound, "Product", "<p>Product not found.</p>")
	default:
		var b strings.Builder
		for _, p := range ps {
			fmt.Fprintf(&b, `<h2>%s</h2><p>%s</p><p>Category: %s. Price: %s</p>
<p><a href="%s/cart/add?id=%s&amp;next=%s">Add to cart</a></p>`,
				html.EscapeString(p.Name), html.EscapeString(p.Description), html.EscapeString(p.Category), money(r, p.Price),
				s.prefix, url.QueryEscape(p.ID), url.QueryEscape(s.prefix+"/product?id="+p.ID))
		}
		s.page(w, http.StatusOK, "Product", b.String())
	}
}

func (s *site) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	var ps []product
	var err error
	if s.fixed {
		res, qerr := s.db.QueryContext(r.Context(),
			"SELECT id, name, category, price, description FROM products WHERE name LIKE '%' || ? || '%' ORDER BY name", q)
		if err = qerr; err == nil {
			ps, err = scanProducts(res)
		}
	} else {
		// The flaw: the search term pasted into a quoted string.
		query := "SELECT id, name, category, price, description FROM products WHERE name LIKE '%" + q + "%' ORDER BY name" // #nosec G202 -- the lab's SQL injection, on purpose
		// Run it as it is.
		res, qerr := s.db.QueryContext(r.Context(), query) // #nosec G701 -- the lab's SQL injection, on purpose
		if err = qerr; err == nil {
			ps, err = scanProducts(res)
		}
	}
	var b strings.Builder
	// The second flaw: the term printed back as HTML.
	fmt.Fprintf(&b, "<h2>Search results for: %s</h2>\n", s.esc(q))
	switch {
	case err != nil:
		b.WriteString(dbError(err))
	case len(ps) == 0:
		b.WriteString("<p>No products found.</p>")
	default:
		b.WriteString("<ul>")
		for _, p := range ps {
			fmt.Fprintf(&b, `<li><a href="%s/product?id=%s">%s</a> %s</li>`, s.prefix, url.QueryEscape(p.ID), html.EscapeString(p.Name), money(r, p.Price))
		}
		b.WriteString("</ul>")
	}
	s.page(w, http.StatusOK, "Search", b.String())
}

func (s *site) catalog(w http.ResponseWriter, r *http.Request) {
	s.page(w, http.StatusOK, "Catalog", `<h2>Catalog</h2>
<label>Category <select id="category"><option value="home">Home</option><option value="clothing">Clothing</option><option value="gear">Gear</option></select></label>
<ul id="results"></ul>
<script>
const sel = document.getElementById('category');
function load() {
  fetch('`+s.prefix+`/api/products?category=' + encodeURIComponent(sel.value))
    .then(r => r.json())
    .then(data => {
      const ul = document.getElementById('results');
      ul.textContent = '';
      for (const p of data.products || []) {
        const li = document.createElement('li');
        li.textContent = p.name + ' ' + p.price;
        ul.appendChild(li);
      }
    });
}
sel.addEventListener('change', load);
load();
</script>`)
}

// apiProduct is a product in the JSON API.
type apiProduct struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Price    string `json:"price"`
}

func (s *site) apiProducts(w http.ResponseWriter, r *http.Request) {
	c := r.URL.Query().Get("category")
	var ps []product
	var err error
	if s.fixed {
		res, qerr := s.db.QueryContext(r.Context(), "SELECT id, name, category, price, description FROM products WHERE category = ?", c)
		if err = qerr; err == nil {
			ps, err = scanProducts(res)
		}
	} else {
		res, qerr := s.db.QueryContext(r.Context(), "SELECT id, name, category, price, description FROM products WHERE category = '"+c+"'") // #nosec G202 G701 -- the lab's SQL injection, on purpose
		if err = qerr; err == nil {
			ps, err = scanProducts(res)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_ = enc.Encode(map[string]string{"error": err.Error()})
		return
	}
	out := struct {
		Products []apiProduct `json:"products"`
	}{Products: []apiProduct{}}
	for _, p := range ps {
		out.Products = append(out.Products, apiProduct{p.ID, p.Name, p.Category, p.Price})
	}
	_ = enc.Encode(out)
}

// Guestbook queries of the flawed and the fixed shop (two tables).
var (
	guestbookList = map[bool]string{
		false: "SELECT name, message FROM guestbook ORDER BY id DESC LIMIT 500",
		true:  "SELECT name, message FROM guestbook_safe ORDER BY id DESC LIMIT 500",
	}
	guestbookAdd = map[bool]string{
		false: "INSERT INTO guestbook (name, message) VALUES (?, ?)",
		true:  "INSERT INTO guestbook_safe (name, message) VALUES (?, ?)",
	}
	guestbookTrim = map[bool]string{
		false: "DELETE FROM guestbook WHERE id <= (SELECT MAX(id) - 500 FROM guestbook)",
		true:  "DELETE FROM guestbook_safe WHERE id <= (SELECT MAX(id) - 500 FROM guestbook_safe)",
	}
)

func (s *site) guestbook(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.QueryContext(r.Context(), guestbookList[s.fixed])
	if err != nil {
		s.page(w, http.StatusInternalServerError, "Guestbook", dbError(err))
		return
	}
	defer rows.Close()
	var b strings.Builder
	fmt.Fprintf(&b, `<h2>Guestbook</h2>
<form method="post" action="%s/guestbook"><p><label>Name <input name="name"></label></p>
<p><label>Message <textarea name="message"></textarea></label></p><p><button>Sign the guestbook</button></p></form>
<p>You may use &lt;b&gt; and &lt;i&gt; in your message.</p>`, s.prefix)
	for rows.Next() {
		var name, msg string
		if err := rows.Scan(&name, &msg); err != nil {
			break
		}
		// The flaw: messages are shown as HTML "so that bold works".
		fmt.Fprintf(&b, `<div class="entry"><strong>%s</strong> wrote:<p>%s</p></div>`, html.EscapeString(name), s.esc(msg))
	}
	s.page(w, http.StatusOK, "Guestbook", b.String())
}

func (s *site) sign(w http.ResponseWriter, r *http.Request) {
	name, msg := r.PostFormValue("name"), r.PostFormValue("message")
	if strings.TrimSpace(msg) == "" {
		s.page(w, http.StatusBadRequest, "Guestbook", `<p class="error">Please write a message.</p>`)
		return
	}
	if name == "" {
		name = "Anonymous"
	}
	name, msg = clipText(name, 100), clipText(msg, 2000)
	if _, err := s.db.ExecContext(r.Context(), guestbookAdd[s.fixed], name, msg); err != nil {
		s.page(w, http.StatusInternalServerError, "Guestbook", dbError(err))
		return
	}
	_, _ = s.db.ExecContext(r.Context(), guestbookTrim[s.fixed])
	http.Redirect(w, r, s.prefix+"/guestbook", http.StatusSeeOther)
}

func clipText(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}

func (s *site) pingForm(w http.ResponseWriter, r *http.Request) {
	s.page(w, http.StatusOK, "Network check", s.pingFormHTML())
}

func (s *site) pingFormHTML() string {
	return fmt.Sprintf(`<h2>Network check</h2><p>Can our server reach your host? Enter its address.</p>
<form method="post" action="%s/tools/ping"><label>Host <input name="host" value="127.0.0.1"></label> <button>Ping</button></form>`, s.prefix)
}

func (s *site) ping(w http.ResponseWriter, r *http.Request) {
	host := r.PostFormValue("host")
	var out string
	if s.fixed {
		if _, ok := lookupHost(host); !ok || strings.HasPrefix(host, "-") {
			s.page(w, http.StatusBadRequest, "Network check", s.pingFormHTML()+`<p class="error">Please enter an IP address or a host name.</p>`)
			return
		}
		// No shell: the program with its arguments.
		sh := &shell{ctx: r.Context(), fs: s.fs, left: maxShellSleep, out: &capped{}}
		var stdout capped
		sh.ping([]string{"-c", "1", host}, &stdout)
		out = stdout.String() + sh.out.String()
	} else {
		// The flaw: sh -c "ping -c 1 " + host.
		out, _ = runShell(r.Context(), s.fs, "ping -c 1 "+host)
	}
	s.page(w, http.StatusOK, "Network check", s.pingFormHTML()+"<pre>"+html.EscapeString(out)+"</pre>")
}

// docNameRE is what the fixed document viewer accepts.
var docNameRE = regexp.MustCompile(`^[a-z]+\.txt$`)

func (s *site) docs(w http.ResponseWriter, r *http.Request) {
	file := r.URL.Query().Get("file")
	if file == "" {
		file = "intro.txt"
	}
	var body string
	var err error
	if s.fixed {
		name := path.Base(file)
		if !docNameRE.MatchString(name) {
			s.page(w, http.StatusNotFound, "Help", `<p class="error">No such document.</p>`)
			return
		}
		body, err = s.fs.read(appDir, docsDir+name)
	} else {
		// The flaw: the name joined to the directory as it came.
		body, err = s.fs.read(appDir, docsDir+file)
	}
	list := fmt.Sprintf(`<p>Help: <a href="%s/docs?file=intro.txt">Introduction</a> <a href="%[1]s/docs?file=shipping.txt">Shipping</a> <a href="%[1]s/docs?file=returns.txt">Returns</a></p>`, s.prefix)
	if err != nil {
		if s.fixed {
			err = fmt.Errorf("no such document")
		}
		s.page(w, http.StatusNotFound, "Help", list+`<p class="error">Could not open the document: `+html.EscapeString(err.Error())+`</p>`)
		return
	}
	s.page(w, http.StatusOK, "Help", list+"<h2>"+html.EscapeString(file)+"</h2><pre>"+html.EscapeString(body)+"</pre>")
}

func (s *site) cart(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("<h2>Your cart</h2><ul>")
	n := 0
	if c, err := r.Cookie("cart"); err == nil {
		for id := range strings.SplitSeq(c.Value, ".") {
			if _, err := strconv.Atoi(id); err != nil {
				continue
			}
			var name string
			if err := s.db.QueryRowContext(r.Context(), "SELECT name FROM products WHERE id = ?", id).Scan(&name); err == nil {
				fmt.Fprintf(&b, "<li>%s</li>", html.EscapeString(name))
				n++
			}
		}
	}
	b.WriteString("</ul>")
	if n == 0 {
		b.WriteString("<p>Your cart is empty.</p>")
	}
	s.page(w, http.StatusOK, "Cart", b.String())
}

// localPath says whether next is a path on this site: one leading
// slash, no scheme, no host, nothing a browser reads as one.
func localPath(next string) bool {
	return strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") &&
		!strings.ContainsAny(next, "\\\t\r\n") && !strings.Contains(next, ":")
}

func (s *site) cartAdd(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if _, err := strconv.Atoi(id); err != nil {
		s.page(w, http.StatusBadRequest, "Cart", `<p class="error">No such product.</p>`)
		return
	}
	items := id
	if c, err := r.Cookie("cart"); err == nil && strings.Count(c.Value, ".") < 20 {
		items = c.Value + "." + id
	}
	http.SetCookie(w, &http.Cookie{Name: "cart", Value: items, Path: "/"}) // #nosec G124 -- the naive shop's cookie flags are one of its flaws
	next := r.URL.Query().Get("next")
	if next == "" || (s.fixed && !localPath(next)) {
		next = s.prefix + "/cart"
	}
	// The flaw: wherever next says.
	w.Header().Set("Location", next)
	w.WriteHeader(http.StatusFound)
}

// greetingVars are the variables a greeting may use.
func greetingVars(name string) map[string]string {
	if name == "" {
		name = "friend"
	}
	return map[string]string{"name": name, "shop": "Harbour Goods", "year": "2025"}
}

func (s *site) greeting(w http.ResponseWriter, r *http.Request) {
	text, name := r.URL.Query().Get("text"), r.URL.Query().Get("name")
	form := fmt.Sprintf(`<h2>Greeting cards</h2>
<p>Write your card; {{ name }} is replaced by your friend's name.</p>
<form action="%s/greeting" method="get">
<p><label>Friend's name <input name="name" value="%s"></label></p>
<p><textarea name="text" rows="4" cols="60">%s</textarea></p>
<p><button>Preview</button></p></form>`, s.prefix, html.EscapeString(name), html.EscapeString(orDefault(text, "Happy birthday, {{ name }}! Warm wishes from all of us at {{ shop }}.")))
	if text == "" {
		s.page(w, http.StatusOK, "Greeting cards", form)
		return
	}
	var card string
	if s.fixed {
		card = fillGreeting(text, greetingVars(name))
	} else {
		// The flaw: the card is a template, and its expressions run.
		var err error
		if card, err = renderGreeting(text, greetingVars(name)); err != nil {
			s.page(w, http.StatusOK, "Greeting cards", form+`<p class="error">Template error: `+html.EscapeString(err.Error())+`</p>`)
			return
		}
	}
	s.page(w, http.StatusOK, "Greeting cards", form+`<h3>Preview</h3><div class="card">`+html.EscapeString(card)+`</div>`)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// currencies are the fixed shop's choices.
var currencies = map[string]bool{"EUR": true, "USD": true, "GBP": true}

func (s *site) currency(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	if s.fixed {
		if !currencies[code] {
			code = "USD"
		}
		http.SetCookie(w, &http.Cookie{Name: "currency", Value: code, Path: "/"}) // #nosec G124 -- a preference, not a secret; the lab leaves cookie flags to the session
	} else {
		// The flaw: the header line written as text, line breaks and all.
		rawHeader(w.Header(), "Set-Cookie: currency="+code+"; Path=/")
	}
	w.Header().Set("Location", s.prefix+"/products")
	w.WriteHeader(http.StatusFound)
}

// headerNameRE is an HTTP header field name.
var headerNameRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// rawHeader adds a header line the way a server that writes its headers
// as text does (an old CGI gateway, a hand-rolled server): a line break
// in the value ends the line, and each line after it is a header of its
// own. Go's server would refuse; the lab emulates the one that does not.
// Like PHP's header(), it drops a line with a NUL or another control
// character, which a browser would refuse anyway (and which, stored in a
// scanner's cookie jar, would make Go's server refuse every later
// request of that scanner with a 400).
func rawHeader(h http.Header, line string) {
	for l := range strings.SplitSeq(strings.ReplaceAll(line, "\r\n", "\n"), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok || !headerNameRE.MatchString(k) || strings.ContainsFunc(v, func(r rune) bool {
			return (r < 0x20 && r != '\t') || r == 0x7f
		}) {
			continue
		}
		h.Add(k, strings.TrimSpace(v))
	}
}

// static serves the web root, and a soft 404 (status 200) for what is
// not there.
func (l *Lab) static(w http.ResponseWriter, r *http.Request) {
	if body, ok := l.fs[publicDir+path.Clean("/"+r.URL.Path)]; ok {
		ct := "text/plain; charset=utf-8"
		if strings.HasSuffix(r.URL.Path, ".css") {
			ct = "text/css; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		_, _ = fmt.Fprint(w, body)
		return
	}
	s := &site{Lab: l}
	if strings.HasPrefix(r.URL.Path, SafePrefix+"/") {
		s = &site{Lab: l, prefix: SafePrefix, fixed: true}
	}
	s.page(w, http.StatusOK, "Not found", `<h2>Sorry, we could not find that page</h2><p>`+html.EscapeString(r.URL.Path)+
		` is not here. Try the <a href="`+s.prefix+`/products">products</a>.</p>`)
}
