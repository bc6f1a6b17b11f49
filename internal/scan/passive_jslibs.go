package scan

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

//go:embed jsvulns/jsvulns.json
var jsVulnsJSON []byte

// jsVuln is one entry of jsvulns/jsvulns.json (see its README).
type jsVuln struct {
	Library  string    `json:"library"`
	ID       string    `json:"id"`
	Severity string    `json:"severity"`
	Summary  string    `json:"summary"`
	Ranges   []jsRange `json:"ranges"`

	sev Severity
}

type jsRange struct {
	AtOrAbove string `json:"atOrAbove,omitempty"`
	Below     string `json:"below,omitempty"`

	from, below version
}

// contains says v is in the range.
func (r *jsRange) contains(v version) bool {
	if r.AtOrAbove != "" && v.cmp(r.from) < 0 {
		return false
	}
	return r.Below == "" || v.cmp(r.below) < 0
}

// jsLibTable is the parsed table of known vulnerabilities by library.
type jsLibTable struct {
	byLib map[string][]jsVuln
}

// loadJSLibTable parses the embedded table.
func loadJSLibTable() (*jsLibTable, error) {
	var doc struct {
		Vulnerabilities []jsVuln `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(jsVulnsJSON, &doc); err != nil {
		return nil, fmt.Errorf("parse jsvulns.json: %w", err)
	}
	t := &jsLibTable{byLib: map[string][]jsVuln{}}
	for _, v := range doc.Vulnerabilities {
		sev, err := ParseSeverity(v.Severity)
		if err != nil {
			return nil, fmt.Errorf("jsvulns.json %s: %w", v.ID, err)
		}
		v.sev = sev
		if len(v.Ranges) == 0 {
			return nil, fmt.Errorf("jsvulns.json %s: no ranges", v.ID)
		}
		for i := range v.Ranges {
			r := &v.Ranges[i]
			var ok bool
			if r.AtOrAbove != "" {
				if r.from, ok = parseVersion(r.AtOrAbove); !ok {
					return nil, fmt.Errorf("jsvulns.json %s: version %q", v.ID, r.AtOrAbove)
				}
			}
			if r.Below != "" {
				if r.below, ok = parseVersion(r.Below); !ok {
					return nil, fmt.Errorf("jsvulns.json %s: version %q", v.ID, r.Below)
				}
			}
		}
		t.byLib[v.Library] = append(t.byLib[v.Library], v)
	}
	return t, nil
}

// affecting returns the table's entries that affect lib at version v.
func (t *jsLibTable) affecting(lib string, v version) []jsVuln {
	var out []jsVuln
	for _, e := range t.byLib[lib] {
		for i := range e.Ranges {
			if e.Ranges[i].contains(v) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// version is a dotted version with an optional pre-release tag.
type version struct {
	nums []int
	pre  string
}

// parseVersion reads "1.12.4", "3.0.0-beta.1", "1.6.0.2".
func parseVersion(s string) (version, bool) {
	main, pre, _ := strings.Cut(strings.TrimPrefix(s, "v"), "-")
	parts := strings.Split(main, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return version{}, false
	}
	v := version{pre: pre}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1_000_000 {
			return version{}, false
		}
		v.nums = append(v.nums, n)
	}
	return v, true
}

// cmp orders versions numerically, a pre-release before its release.
func (a version) cmp(b version) int {
	for i := range max(len(a.nums), len(b.nums)) {
		x, y := 0, 0
		if i < len(a.nums) {
			x = a.nums[i]
		}
		if i < len(b.nums) {
			y = b.nums[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case a.pre == b.pre:
		return 0
	case a.pre == "":
		return 1
	case b.pre == "":
		return -1
	}
	return strings.Compare(a.pre, b.pre)
}

// libDisplay are the libraries' names for people.
var libDisplay = map[string]string{
	"jquery": "jQuery", "jquery-ui": "jQuery UI", "jquery-migrate": "jQuery Migrate", "bootstrap": "Bootstrap",
	"angularjs": "AngularJS", "angular": "Angular", "react": "React", "react-dom": "ReactDOM", "vue": "Vue.js",
	"lodash": "Lodash", "underscore": "Underscore.js", "moment": "Moment.js", "handlebars": "Handlebars",
	"dompurify": "DOMPurify", "prototype": "Prototype", "ember": "Ember.js", "knockout": "Knockout",
	"backbone": "Backbone.js", "tinymce": "TinyMCE", "ckeditor": "CKEditor",
}

const (
	libNames = `jquery-ui|jquery\.ui|jquery-migrate|jquery|twitter-bootstrap|bootstrap|angularjs|angular|react-dom|react|vue|lodash|underscore|moment|handlebars|dompurify|purify|prototype|ember|knockout|backbone|tinymce|ckeditor`
	verPat   = `(\d{1,4}\.\d{1,4}(?:\.\d{1,4}){0,2}(?:-(?:alpha|beta|rc|pre)\.?\d{0,4})?)`
)

var (
	// reLibFile matches file names such as jquery-3.4.1.min.js,
	// bootstrap.3.3.7.js, angular_1.5.8.js.
	reLibFile = regexp.MustCompile(`(?i)(?:^|/)(` + libNames + `)[-._@]v?` + verPat + `(?:[-.](?:min|slim|pack|packed|prod|production|umd|bundle|full|all|custom|dev|debug|esm|core|standalone))*\.js$`)
	// reLibCDN matches CDN paths such as /ajax/libs/jquery/3.4.1/,
	// /npm/lodash@4.17.15/, /bootstrap/3.3.7/js/.
	reLibCDN = regexp.MustCompile(`(?i)/(` + libNames + `|@angular/core)(?:@|/)v?` + verPat + `/`)
	// reJQueryUICDN matches code.jquery.com/ui/1.12.1/ and reCKEditorCDN
	// cdn.ckeditor.com/4.16.0/.
	reJQueryUICDN  = regexp.MustCompile(`(?i)^code\.jquery\.com/ui/` + verPat + `/`)
	reCKEditorCDN  = regexp.MustCompile(`(?i)^cdn\.ckeditor\.com/(?:ckeditor5/)?` + verPat + `/`)
	reTinyMCEMajor = regexp.MustCompile(`majorVersion\s*:\s*["'](\d{1,2})["']\s*,\s*minorVersion\s*:\s*["'](\d{1,3}\.\d{1,3})["']`)
)

// libSig is a version banner or string in a library's source: lib is the
// library, or "" when the pattern's second group names it.
type libSig struct {
	lib    string
	marker string
	re     *regexp.Regexp
}

var libSigs = []libSig{
	{"jquery", "jQuery", regexp.MustCompile(`/\*!?[\s*]*jQuery (?:JavaScript Library )?v` + verPat)},
	{"jquery", "jquery", regexp.MustCompile(`\bjquery\s*:\s*["']` + verPat + `["']`)},
	{"jquery-ui", "jQuery UI", regexp.MustCompile(`jQuery UI (?:- v|v)` + verPat)},
	{"jquery-ui", "ui", regexp.MustCompile(`\.ui\.version\s*=\s*["']` + verPat + `["']|\.ui,\s*\{\s*version\s*:\s*["']` + verPat + `["']`)},
	{"jquery-migrate", "Migrate", regexp.MustCompile(`jQuery Migrate (?:- )?v` + verPat)},
	{"jquery-migrate", "migrateVersion", regexp.MustCompile(`migrateVersion\s*=\s*["']` + verPat + `["']`)},
	{"bootstrap", "Bootstrap", regexp.MustCompile(`Bootstrap v` + verPat + `\s*\((?:https?://)?getbootstrap\.com`)},
	{"angularjs", "AngularJS", regexp.MustCompile(`@license AngularJS v` + verPat)},
	{"angular", "Angular", regexp.MustCompile(`@license Angular v` + verPat)},
	{"", "React", regexp.MustCompile(`@license React v` + verPat + `[\s*]+(react-dom|react)\b`)},
	{"react", "React", regexp.MustCompile(`\*\s+React v` + verPat + `\s`)},
	{"vue", "Vue", regexp.MustCompile(`(?i)\*\s*vue(?:\.js)? v` + verPat)},
	{"lodash", "odash", regexp.MustCompile(`(?i)(?:lo-dash|lodash) v?` + verPat + ` (?:\(Custom Build\)|<https?://lodash\.com)`)},
	{"lodash", "core-js", regexp.MustCompile(`["']` + verPat + `["']\s*,\s*\w+\s*=\s*200\s*,\s*\w+\s*=\s*["']Unsupported core-js use`)},
	// The marker "lodash" must be in the file for this one.
	{"lodash", "lodash", regexp.MustCompile(`\bvar VERSION\s*=\s*["']` + verPat + `["']`)},
	{"underscore", "Underscore", regexp.MustCompile(`Underscore\.js ` + verPat + `\s*\n\s*//\s*(?:https?://)?underscorejs\.org`)},
	{"underscore", "_.VERSION", regexp.MustCompile(`\b_\.VERSION\s*=\s*["']` + verPat + `["']`)},
	{"moment", "moment", regexp.MustCompile(`//! moment\.js\s*\n\s*//! version : ` + verPat)},
	{"moment", "hooks.version", regexp.MustCompile(`\bhooks\.version\s*=\s*["']` + verPat + `["']`)},
	{"handlebars", "andlebars", regexp.MustCompile(`(?i)\bhandlebars v` + verPat)},
	{"dompurify", "DOMPurify", regexp.MustCompile(`@license DOMPurify ` + verPat + `|DOMPurify\.version\s*=\s*["']` + verPat + `["']`)},
	{"prototype", "Prototype", regexp.MustCompile(`Prototype JavaScript framework, version ` + verPat + `|\bPrototype\s*=\s*\{\s*Version\s*:\s*["']` + verPat + `["']`)},
	{"ember", "Ember", regexp.MustCompile(`(?s)Ember - JavaScript Application Framework.{0,400}?@version\s+` + verPat + `|\bEmber\.VERSION\s*=\s*["']` + verPat + `["']`)},
	{"knockout", "Knockout", regexp.MustCompile(`Knockout JavaScript library v` + verPat)},
	{"backbone", "Backbone", regexp.MustCompile(`Backbone\.js ` + verPat + `\b|\bBackbone\.VERSION\s*=\s*["']` + verPat + `["']`)},
	{"tinymce", "TinyMCE", regexp.MustCompile(`TinyMCE version ` + verPat)},
	{"ckeditor", "CKEDITOR", regexp.MustCompile(`(?s)CKEDITOR.{0,1000}?\bversion\s*:\s*["']` + verPat + `[ "']`)},
}

// libFound is one fingerprinted library.
type libFound struct {
	lib, ver string
	// from says where the version came from; src is the script's URL.
	from string
	src  *url.URL
	// at is the banner's place in the script body, when from a body.
	at [2]int
}

// canonLib maps a name as found to the table's library name.
func canonLib(name, ver string) string {
	n := strings.ToLower(name)
	switch n {
	case "jquery.ui":
		return "jquery-ui"
	case "twitter-bootstrap":
		return "bootstrap"
	case "purify":
		return "dompurify"
	case "@angular/core":
		return "angular"
	case "angular":
		if v, ok := parseVersion(ver); ok && v.nums[0] >= 2 {
			return "angular"
		}
		return "angularjs"
	}
	return n
}

// fingerprintURL reads a library and version from a script URL's file
// name or CDN path.
func fingerprintURL(u *url.URL) *libFound {
	p := u.EscapedPath()
	hostPath := strings.ToLower(u.Host) + p
	if m := reJQueryUICDN.FindStringSubmatch(hostPath); m != nil {
		return &libFound{lib: "jquery-ui", ver: m[1], from: "the CDN path", src: u}
	}
	if m := reCKEditorCDN.FindStringSubmatch(hostPath); m != nil {
		return &libFound{lib: "ckeditor", ver: m[1], from: "the CDN path", src: u}
	}
	if m := reLibFile.FindStringSubmatch(p); m != nil {
		return &libFound{lib: canonLib(m[1], m[2]), ver: m[2], from: "the file name", src: u}
	}
	if m := reLibCDN.FindStringSubmatch(p); m != nil {
		return &libFound{lib: canonLib(m[1], m[2]), ver: m[2], from: "the CDN path", src: u}
	}
	return nil
}

// maxLibScan bounds how much of a script the banner patterns read.
const maxLibScan = 2 << 20

// fingerprintBody reads libraries and versions from a script's banners
// and version strings. A bundle may hold several libraries.
func fingerprintBody(u *url.URL, body []byte) []libFound {
	if len(body) > maxLibScan {
		body = body[:maxLibScan]
	}
	var out []libFound
	seen := map[string]bool{}
	for _, sig := range libSigs {
		if seen[sig.lib] && sig.lib != "" {
			continue
		}
		if !bytes.Contains(body, []byte(sig.marker)) {
			continue
		}
		m := sig.re.FindSubmatchIndex(body)
		if m == nil {
			continue
		}
		lib, ver := sig.lib, ""
		for g := 1; 2*g+1 < len(m); g++ {
			if m[2*g] < 0 {
				continue
			}
			s := string(body[m[2*g]:m[2*g+1]])
			if _, ok := parseVersion(s); ok && ver == "" {
				ver = s
			} else if lib == "" {
				lib = strings.ToLower(s)
			}
		}
		if lib == "" || ver == "" || seen[lib] {
			continue
		}
		seen[lib] = true
		out = append(out, libFound{lib: lib, ver: ver, from: "a version banner in the script", src: u, at: [2]int{m[0], m[1]}})
	}
	if !seen["tinymce"] && bytes.Contains(body, []byte("minorVersion")) {
		if m := reTinyMCEMajor.FindSubmatch(body); m != nil {
			out = append(out, libFound{lib: "tinymce", ver: string(m[1]) + "." + string(m[2]), from: "the version fields in the script", src: u})
		}
	}
	return out
}

var kindJSLib = kind{
	check: "components.js-library", title: "JavaScript library with known vulnerabilities",
	conf: ConfidenceFirm, cwe: 1395, owasp: OWASPVulnerableComponents,
	refs: []string{"https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/", cweRef(1395)},
}

// checkJSLibs fingerprints the JavaScript libraries a page loads (from
// script URLs, on any host) or a script is (from its banners), and
// reports versions with known vulnerabilities.
func checkJSLibs(s *Scanner, p *Page) {
	if !hasBody(p) {
		return
	}
	var found []libFound
	switch {
	case p.isHTML() && p.doc != nil:
		for _, r := range p.doc.resources {
			if r.tag != "script" {
				continue
			}
			if f := fingerprintURL(r.url); f != nil {
				found = append(found, *f)
			}
		}
		if v := p.doc.ngVersion; v != "" {
			found = append(found, libFound{lib: "angular", ver: v, from: "the ng-version attribute", src: p.u})
		}
	case p.isJS():
		if f := fingerprintURL(p.u); f != nil {
			found = append(found, *f)
		}
		found = append(found, fingerprintBody(p.u, p.Body)...)
	}
	reported := map[string]bool{}
	for _, f := range found {
		v, ok := parseVersion(f.ver)
		if !ok || reported[f.lib+"@"+f.ver] {
			continue
		}
		reported[f.lib+"@"+f.ver] = true
		vulns := s.jslibs.affecting(f.lib, v)
		if len(vulns) == 0 {
			continue
		}
		s.report(jsLibFinding(p, f, vulns), true)
	}
}

func jsLibFinding(p *Page, f libFound, vulns []jsVuln) Finding {
	name := libDisplay[f.lib]
	if name == "" {
		name = f.lib
	}
	k := kindJSLib
	k.title = fmt.Sprintf("Vulnerable JavaScript library: %s %s", name, f.ver)
	var desc strings.Builder
	fmt.Fprintf(&desc, "The site uses %s %s, which has %d known vulnerabilit%s:", name, f.ver, len(vulns), plural(len(vulns), "y", "ies"))
	var fixed []version
	noFix := false
	refs := slices.Clone(k.refs)
	v, _ := parseVersion(f.ver)
	for _, e := range vulns {
		k.sev = max(k.sev, e.sev)
		fmt.Fprintf(&desc, "\n- %s (%s): %s", e.ID, e.sev, e.Summary)
		if len(refs) < 12 {
			if strings.HasPrefix(e.ID, "GHSA-") {
				refs = append(refs, "https://github.com/advisories/"+e.ID)
			} else {
				refs = append(refs, "https://nvd.nist.gov/vuln/detail/"+e.ID)
			}
		}
		for i := range e.Ranges {
			r := &e.Ranges[i]
			if r.contains(v) {
				if r.Below == "" {
					noFix = true
				} else {
					fixed = append(fixed, r.below)
				}
			}
		}
	}
	k.desc = desc.String()
	switch {
	case noFix:
		k.fix = fmt.Sprintf("%s %s has flaws with no fixed version (the library line is no longer maintained): replace it with a maintained library or version, and until then keep untrusted input away from the affected functions.", name, f.ver)
	default:
		target := slices.MaxFunc(fixed, func(a, b version) int { return a.cmp(b) })
		k.fix = fmt.Sprintf("Upgrade %s to %s or later (the latest release is best), and load it from a source you control or with Subresource Integrity.", name, versionString(target))
	}
	k.refs = refs
	ev := Evidence{
		Request: reqExcerpt(p),
		Detail:  fmt.Sprintf("%s %s, read from %s of %s", name, f.ver, f.from, f.src),
	}
	if f.at != [2]int{} && p.isJS() {
		ev.Response = respExcerpt(p, []string{"Content-Type"}, snippet(p.Body, f.at[0], min(f.at[1], f.at[0]+200)))
	} else {
		ev.Response = respExcerpt(p, []string{"Content-Type"}, "")
	}
	return k.at(p, "component:"+f.lib+"@"+f.ver, ev)
}

func versionString(v version) string {
	parts := make([]string, len(v.nums))
	for i, n := range v.nums {
		parts[i] = strconv.Itoa(n)
	}
	s := strings.Join(parts, ".")
	if v.pre != "" {
		s += "-" + v.pre
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
