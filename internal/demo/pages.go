package demo

import (
	"fmt"
	"html/template"
)

// layoutHTML frames every page. Each page defines "content".
const layoutHTML = `{{define "layout"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}} · Rampart Demo Shop</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#f6f6f4}
header{background:#2d3a4a;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1.5rem;align-items:baseline}
header a{color:#fff;text-decoration:none}
header .brand{font-weight:700;font-size:1.2rem;margin-right:auto}
main{max-width:50rem;margin:1.5rem auto;padding:0 1.5rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
td.price{text-align:right;white-space:nowrap}
form{background:#fff;padding:1rem;border:1px solid #ddd;max-width:24rem}
label{display:block;margin:.4rem 0}
input[type=text],input[type=password],input[type=search]{width:100%;padding:.3rem;box-sizing:border-box}
.error{color:#a00;background:#fee;padding:.5rem;border:1px solid #e99}
.debug{font:13px monospace;color:#666;background:#eee;padding:.4rem}
footer{max-width:50rem;margin:2rem auto;padding:0 1.5rem;color:#888;font-size:.85rem}
</style>
</head>
<body>
<header><a class="brand" href="/">Rampart Demo Shop</a>
<a href="/search">Search</a><a href="/account">Account</a><a href="/api/products">API</a></header>
<main>
{{template "content" .}}
</main>
<footer>An intentionally vulnerable sample app for <code>rampart demo</code>. Do not expose it.</footer>
</body>
</html>
{{end}}`

// The pages, each parsed with layoutHTML.
const homeHTML = `{{define "content"}}
<h1>Welcome to the Rampart Demo Shop</h1>
<p><a href="/search">Search</a> the shop, <a href="/login">log in</a> as the demo user,
or use the <a href="/api/products">JSON API</a>.</p>
<table>
<tr><th>Product</th><th>Description</th><th>Price</th></tr>
{{range .Products}}<tr><td>{{.Name}}</td><td>{{.Description}}</td><td class="price">{{.Price}}</td></tr>
{{end}}</table>
<h2>API</h2>
<ul>
<li><code>GET /api/products</code>, <code>GET /api/products/{id}</code></li>
<li><code>POST /api/orders</code> with <code>{"product_id":1,"quantity":2,"name":"…","address":"…"}</code></li>
<li><code>GET /api/health</code></li>
</ul>
{{end}}`

const searchHTML = `{{define "content"}}
<h1>Search</h1>
<form action="/search" method="get">
<label>Product name <input type="search" name="q" value="{{.Query}}"></label>
<button type="submit">Search</button>
</form>
{{if .Query}}
<p>You searched for: {{.Reflected}}</p>
<p class="debug">debug: {{.SQL}}</p>
{{if .Results}}<table>
<tr><th>Product</th><th>Description</th><th>Price</th></tr>
{{range .Results}}<tr><td>{{.Name}}</td><td>{{.Description}}</td><td class="price">{{.Price}}</td></tr>
{{end}}</table>
{{else}}<p>No products found.</p>{{end}}
{{end}}
{{end}}`

const loginHTML = `{{define "content"}}
<h1>Log in</h1>
{{with .Error}}<p class="error">{{.}}</p>{{end}}
<form action="/login" method="post">
<label>Username <input type="text" name="username" value="{{.Username}}" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form>
{{end}}`

const accountHTML = `{{define "content"}}
<h1>Your account</h1>
<p>Signed in as <strong>{{.User}}</strong>.</p>
<form action="/logout" method="post"><button type="submit">Log out</button></form>
{{end}}`

// parsePages parses each page together with the layout.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout").Parse(layoutHTML)
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	pages := make(map[string]*template.Template)
	for _, p := range []struct{ name, text string }{
		{"home", homeHTML},
		{"search", searchHTML},
		{"login", loginHTML},
		{"account", accountHTML},
	} {
		t, err := layout.Clone()
		if err == nil {
			t, err = t.Parse(p.text)
		}
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", p.name, err)
		}
		pages[p.name] = t
	}
	return pages, nil
}
