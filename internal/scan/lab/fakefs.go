package lab

import (
	"path"
	"slices"
	"strings"
)

// fakeFS is the shop server's file system, in memory: what the document
// viewer, the static file handler and the emulated shell's cat read.
// Paths are absolute; directories are implied by the files under them.
// It is never written after newFakeFS, so it is safe for concurrent use.
type fakeFS map[string]string

// Where the shop lives on its fake server.
const (
	appDir    = "/var/www/shop"
	docsDir   = appDir + "/docs/"
	publicDir = appDir + "/public"
)

// fsError is an error as os.Open words it, "open PATH: REASON".
type fsError struct{ op, path, reason string }

func (e *fsError) Error() string { return e.op + " " + e.path + ": " + e.reason }

func newFakeFS() fakeFS {
	return fakeFS{ // #nosec G101 -- fake credentials of a fake server, served by the lab on purpose
		"/etc/passwd": `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
postfix:x:101:107::/var/spool/postfix:/usr/sbin/nologin
deploy:x:1000:1000:Deploy,,,:/home/deploy:/bin/bash
`,
		"/etc/group":    "root:x:0:\nwww-data:x:33:\ndeploy:x:1000:\n",
		"/etc/hostname": "shop-web-1\n",
		"/etc/hosts":    "127.0.0.1\tlocalhost\n10.0.2.15\tshop-web-1\n10.0.2.20\tdb-1\n",
		"/etc/issue":    "Debian GNU/Linux 11 \\n \\l\n",
		"/etc/os-release": `PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"
NAME="Debian GNU/Linux"
VERSION_ID="11"
ID=debian
`,
		"/proc/version":              "Linux version 5.10.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP Debian 5.10.209-2 (2024-01-31)\n",
		"/home/deploy/.bash_history": "cd /var/www/shop\ngit pull\nsystemctl restart shop\n",

		docsDir + "intro.txt": "Welcome to Harbour Goods!\n\nWe sell sturdy things for people who live by the sea.\n" +
			"Browse the products, sign the guestbook, and send a greeting card to a friend.\n",
		docsDir + "shipping.txt": "Shipping\n\nOrders leave our warehouse within two working days.\n" +
			"Delivery in the EU takes 3-5 days; elsewhere 7-14 days.\n",
		docsDir + "returns.txt": "Returns\n\nYou may return any item within 30 days. Keep the receipt.\n",

		appDir + "/config.ini": "[database]\npath = /var/www/shop/data/shop.db\n\n[mail]\nhost = mail.harbour-goods.test\nuser = shop\n",
		appDir + "/main.go":    "package main\n\n// Harbour Goods web shop.\nfunc main() { serve() }\n",

		// The web root: the deployment copied the whole checkout, so the
		// Git metadata and the environment file are served too.
		publicDir + "/.env": `APP_ENV=production
APP_DEBUG=false
DB_PATH=/var/www/shop/data/shop.db
SESSION_SECRET=3c8e1f0a9b7d5e2c4a6f8b0d1e3c5a7f
MAIL_HOST=mail.harbour-goods.test
MAIL_USER=shop
MAIL_PASSWORD=Tide-Pool-8841
`,
		publicDir + "/.git/HEAD":  "ref: refs/heads/main\n",
		publicDir + "/robots.txt": "User-agent: *\nDisallow:\n",
		publicDir + "/static/shop.css": "body { font-family: sans-serif; margin: 2em; }\n" +
			"nav a { margin-right: 1em; }\n.error { color: #a00; }\n",
	}
}

// resolve makes name absolute (relative to cwd) and clean, as the kernel
// would walk it (no symbolic links here).
func resolve(cwd, name string) string {
	if !strings.HasPrefix(name, "/") {
		name = cwd + "/" + name
	}
	return path.Clean(name)
}

// isDir says whether p holds files.
func (f fakeFS) isDir(p string) bool {
	if p == "/" {
		return true
	}
	for k := range f {
		if strings.HasPrefix(k, p+"/") {
			return true
		}
	}
	return false
}

// read returns the file at name (absolute, or relative to cwd) with
// the errors os.ReadFile gives.
func (f fakeFS) read(cwd, name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", &fsError{"open", name, "invalid argument"}
	}
	p := resolve(cwd, name)
	if body, ok := f[p]; ok {
		return body, nil
	}
	if f.isDir(p) {
		return "", &fsError{"read", name, "is a directory"}
	}
	return "", &fsError{"open", name, "no such file or directory"}
}

// list returns the names in directory name, sorted, as ls shows them.
func (f fakeFS) list(cwd, name string) ([]string, error) {
	p := resolve(cwd, name)
	if _, ok := f[p]; ok {
		return []string{name}, nil
	}
	if !f.isDir(p) {
		return nil, &fsError{"cannot access", "'" + name + "'", "No such file or directory"}
	}
	seen := map[string]bool{}
	prefix := strings.TrimSuffix(p, "/") + "/"
	for k := range f {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			n, _, _ := strings.Cut(rest, "/")
			if !strings.HasPrefix(n, ".") {
				seen[n] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}
