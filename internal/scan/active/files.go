package active

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// filesInfo describes the sensitive file checks, one per kind of leak so
// that each has its severity.
var filesInfo = map[string]Info{
	"files.secrets": {
		Title:    "Credentials or keys exposed in a file",
		Severity: "critical",
		CWE:      538,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "A file holding secrets is served to anyone: an environment file (.env), cloud or " +
			"package-registry credentials, a private key, a password file, a shell history. Whoever fetches " +
			"it gets the application's database, cloud account or servers.",
		Fix: "Remove the file from the web root and keep secrets outside it; deny dotfiles in the web " +
			"server; then rotate every secret the file held, since it must be taken as known.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information",
			"https://cwe.mitre.org/data/definitions/538.html",
		},
	},
	"files.vcs": {
		Title:    "Version-control metadata exposed",
		Severity: "high",
		CWE:      538,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "The site serves its version-control directory (.git, .svn, .hg, .bzr). Tools rebuild the " +
			"whole source tree and its history from it, with any secrets ever committed.",
		Fix: "Deploy a build artefact instead of a checkout, or deny the directory in the web server " +
			"(e.g. `location ~ /\\.(git|svn|hg|bzr) { deny all; }`); rotate secrets found in the history.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information",
			"https://cwe.mitre.org/data/definitions/527.html",
		},
	},
	"files.dump": {
		Title:    "Database dump, archive or memory dump exposed",
		Severity: "high",
		CWE:      530,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "A database dump, a database file, a site archive or a heap dump is downloadable. It " +
			"holds the application's data (users, password hashes, personal data) or its source and secrets.",
		Fix: "Remove backups and dumps from the web root and store them where the web server cannot reach; " +
			"disable heap dump endpoints in production.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information",
			"https://cwe.mitre.org/data/definitions/530.html",
		},
	},
	"files.backup": {
		Title:    "Backup or editor copy of a source file exposed",
		Severity: "high",
		CWE:      530,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "A backup or editor copy of a server-side file (file.php.bak, file.php~, .file.php.swp, " +
			"#file.php#) is served as plain text: its source code, and often the database password in it, " +
			"can be read.",
		Fix: "Delete backup and editor files from the web root, deploy from version control, and deny " +
			"backup extensions (.bak, .old, .orig, .save, ~, .swp) in the web server.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information",
			"https://cwe.mitre.org/data/definitions/530.html",
		},
	},
	"files.debug": {
		Title:    "Debug or status page exposed",
		Severity: "medium",
		CWE:      200,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "A diagnostic page is public: phpinfo(), Apache server-status or server-info, Spring Boot " +
			"actuator env, Go pprof, ELMAH or ASP.NET trace. It shows configuration, paths, versions, " +
			"environment variables, client addresses and requests of other users.",
		Fix: "Remove the page or restrict it to administrators or localhost (e.g. `Require local` for " +
			"server-status, management.endpoints.web.exposure.include for actuator).",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/05-Enumerate_Infrastructure_and_Application_Admin_Interfaces",
			"https://cwe.mitre.org/data/definitions/200.html",
		},
	},
	"files.console": {
		Title:    "Administration or database console exposed",
		Severity: "medium",
		CWE:      200,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "An administration or database console (H2, phpMyAdmin, Adminer, Tomcat manager, the " +
			"Werkzeug debugger) is reachable from the scanner. One weak or default password, or one flaw in " +
			"the console, gives control of the data or the server.",
		Fix: "Remove the console from production or restrict it by network (VPN, allowlist) in addition " +
			"to strong authentication.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/05-Enumerate_Infrastructure_and_Application_Admin_Interfaces",
			"https://cwe.mitre.org/data/definitions/200.html",
		},
	},
	"files.config": {
		Title:    "Server configuration file exposed",
		Severity: "low",
		CWE:      538,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "A configuration or build file (.htaccess, web.config, WEB-INF/web.xml, Dockerfile, " +
			"docker-compose.yml, .DS_Store) is served. It tells an attacker how the site is built, which " +
			"paths are protected and how, and sometimes holds credentials.",
		Fix: "Keep configuration and build files out of the web root or deny them in the web server.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/04-Review_Old_Backup_and_Unreferenced_Files_for_Sensitive_Information",
			"https://cwe.mitre.org/data/definitions/538.html",
		},
	},
	"files.info": {
		Title:    "Project metadata file exposed",
		Severity: "info",
		CWE:      200,
		OWASP:    "A05:2021-Security Misconfiguration",
		Description: "A project metadata file (package.json, composer.json) or an index of management " +
			"endpoints is served. It lists the components and their versions, which helps an attacker pick " +
			"known vulnerabilities.",
		Fix: "Serve only the built assets; keep project files out of the web root.",
		References: []string{
			"https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/01-Information_Gathering/02-Fingerprint_Web_Server",
			"https://cwe.mitre.org/data/definitions/200.html",
		},
	},
}

// fileSig tells a file's content from anything else a server answers.
type fileSig func(r *Response) bool

// fileProbe is one path to request and how to recognise the file.
type fileProbe struct {
	path  string
	check string
	what  string // "a Git HEAD file"
	sig   fileSig
	// strong says the signature is structural (magic bytes, a format's
	// fixed lines) so a match is confirmed; otherwise it is firm.
	strong bool
}

// Signature helpers.

// fileHead is the start of a body, for the tests that look at it.
func fileHead(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// fileIsText says whether the first 4 KiB of a body are UTF-8 text
// without NUL bytes (a rune cut at the end does not count).
func fileIsText(b []byte) bool {
	head := fileHead(b, 4096)
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for i := 0; i < utf8.UTFMax && len(head) > 0 && !utf8.Valid(head); i++ {
		if len(b) <= 4096 {
			return false
		}
		head = head[:len(head)-1]
	}
	return utf8.Valid(head)
}

var fileHTMLStartRE = regexp.MustCompile(`(?i)<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|title[\s>]|div[\s>]|script[\s>]|meta\s)`)

// fileLooksHTML says whether a body is an HTML page: a text file served by
// mistake is not, a framework's error or catch-all page is.
func fileLooksHTML(b []byte) bool { return fileHTMLStartRE.Match(fileHead(b, 2048)) }

func filePrefix(p string) fileSig {
	return func(r *Response) bool { return bytes.HasPrefix(r.Body, []byte(p)) }
}

// fileText matches a regular expression on a body that is not HTML.
func fileText(re *regexp.Regexp) fileSig {
	return func(r *Response) bool { return !fileLooksHTML(r.Body) && re.Match(fileHead(r.Body, 256<<10)) }
}

// fileHTML matches a regular expression anywhere in the body.
func fileHTML(re *regexp.Regexp) fileSig {
	return func(r *Response) bool { return re.Match(fileHead(r.Body, 512<<10)) }
}

func fileAll(s ...fileSig) fileSig {
	return func(r *Response) bool {
		for _, f := range s {
			if !f(r) {
				return false
			}
		}
		return true
	}
}

func fileAny(s ...fileSig) fileSig {
	return func(r *Response) bool {
		for _, f := range s {
			if f(r) {
				return true
			}
		}
		return false
	}
}

func fileStatus(code int) fileSig { return func(r *Response) bool { return r.Status == code } }

// fileArchiveSig matches the magic bytes of zip, gzip, bzip2, xz, 7-Zip and
// RAR files.
var fileArchiveSig = fileAny(filePrefix("PK\x03\x04"), filePrefix("\x1f\x8b\x08"), filePrefix("BZh"),
	filePrefix("\xfd7zXZ\x00"), filePrefix("7z\xbc\xaf\x27\x1c"), filePrefix("Rar!\x1a\x07"))

var fileSQLiteSig = filePrefix("SQLite format 3\x00")

// fileJSONKeys matches a JSON object with at least one of keys at its top.
func fileJSONKeys(keys ...string) fileSig {
	return func(r *Response) bool {
		b := bytes.TrimSpace(r.Body)
		if len(b) == 0 || b[0] != '{' || len(b) > maxBody {
			return false
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil {
			return false
		}
		for _, k := range keys {
			if _, ok := m[k]; ok {
				return true
			}
		}
		return false
	}
}

// fileEnvSig matches a dotenv file: two or more KEY=value lines, one of them
// with a key that names a secret or a setting.
func fileEnvSig(r *Response) bool {
	if fileLooksHTML(r.Body) {
		return false
	}
	lines := fileEnvLineRE.FindAllSubmatch(fileHead(r.Body, 64<<10), 200)
	if len(lines) < 2 {
		return false
	}
	for _, l := range lines {
		if fileEnvKeyRE.Match(l[1]) {
			return true
		}
	}
	return false
}

var (
	fileEnvLineRE = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?([A-Z][A-Z0-9_]{1,63})[ \t]*=[^\n]*$`)
	fileEnvKeyRE  = regexp.MustCompile(`KEY|SECRET|PASS|TOKEN|DB_|DATABASE|APP_|AWS|API|MAIL|REDIS|USER|HOST|URL|DSN|ENV`)
)

// fileHistorySig matches a shell history: plain lines, several of which
// start with common commands.
func fileHistorySig(r *Response) bool {
	if fileLooksHTML(r.Body) || !fileIsText(r.Body) {
		return false
	}
	return len(fileHistoryLineRE.FindAllIndex(fileHead(r.Body, 64<<10), 10)) >= 3
}

var fileHistoryLineRE = regexp.MustCompile(`(?m)^(?:sudo |cd |ls\b|cat |vi |vim |nano |git |ssh |scp |mysql |psql |docker |kubectl |export |rm |mv |cp |chmod |curl |wget |apt(?:-get)? |yum |pip |npm |php |python3? |exit$)`)

// fileSourceSig matches server-side source code served as text.
var fileSourceSig = fileAnyText(regexp.MustCompile(`<\?php|<\?=|<%@|<%=?\s|<jsp:|<cf(?:set|query|component)\b|^#!/`))

// fileAnyText matches re in a body; unlike fileText it allows HTML, since a
// PHP or JSP source is HTML with code in it, which a server that ran it
// would never send.
func fileAnyText(re *regexp.Regexp) fileSig {
	return func(r *Response) bool { return re.Match(fileHead(r.Body, 256<<10)) }
}

var fileSwapSig = filePrefix("b0VIM ")

// fileProbes is the bundled list of paths, by what they leak.
var fileProbes = []fileProbe{
	// Version control.
	{"/.git/HEAD", "files.vcs", "a Git HEAD file", fileText(regexp.MustCompile(`\A\s*(?:ref: refs/\S+|[0-9a-f]{40}|[0-9a-f]{64})\s*\z`)), true},
	{"/.git/config", "files.vcs", "a Git config file", fileText(regexp.MustCompile(`(?m)^\[core\]\s*$[\s\S]*\b(?:repositoryformatversion|filemode|bare)\s*=`)), true},
	{"/.svn/entries", "files.vcs", "a Subversion entries file", fileText(regexp.MustCompile(`\A(?:8|9|10|11|12)\s*\n(?:\s*\n(?:dir|file)\n|\s*\z)`)), false},
	{"/.svn/wc.db", "files.vcs", "a Subversion working copy database", fileSQLiteSig, true},
	{"/.hg/requires", "files.vcs", "a Mercurial requires file", fileText(regexp.MustCompile(`(?m)\A(?:[a-z0-9-]+\n)*(?:revlogv1|fncache|dotencode)\n`)), true},
	{"/.bzr/README", "files.vcs", "a Bazaar control directory", fileHTML(regexp.MustCompile(`This is a Bazaar control directory`)), true},

	// Secrets.
	{"/.env", "files.secrets", "an environment file", fileEnvSig, false},
	{"/.env.local", "files.secrets", "an environment file", fileEnvSig, false},
	{"/.env.production", "files.secrets", "an environment file", fileEnvSig, false},
	{"/.aws/credentials", "files.secrets", "AWS credentials", fileText(regexp.MustCompile(`(?mi)^\s*aws_(?:access_key_id|secret_access_key)\s*=\s*\S`)), true},
	{"/.git-credentials", "files.secrets", "Git credentials", fileText(regexp.MustCompile(`(?m)^https?://[^:@\s/]+:[^@\s]+@[^\s]+$`)), true},
	{"/id_rsa", "files.secrets", "a private key", fileHTML(regexp.MustCompile(`-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED )?PRIVATE KEY-----`)), true},
	{"/.ssh/id_rsa", "files.secrets", "a private key", fileHTML(regexp.MustCompile(`-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED )?PRIVATE KEY-----`)), true},
	{"/server.key", "files.secrets", "a private key", fileHTML(regexp.MustCompile(`-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED )?PRIVATE KEY-----`)), true},
	{"/.npmrc", "files.secrets", "an npm token", fileText(regexp.MustCompile(`(?m)^\s*(?://\S*:)?_(?:authToken|auth|password)\s*=\s*\S`)), true},
	{"/.htpasswd", "files.secrets", "a password file", fileText(regexp.MustCompile(`(?m)^[^:\s<>]+:(?:\$apr1\$|\{SHA\}|\$2[abxy]?\$|\$[156]\$|[./0-9A-Za-z]{13}$)`)), true},
	{"/.bash_history", "files.secrets", "a shell history", fileHistorySig, false},

	// Dumps and archives.
	{"/backup.sql", "files.dump", "an SQL dump", fileSQLDumpSig, true},
	{"/dump.sql", "files.dump", "an SQL dump", fileSQLDumpSig, true},
	{"/db.sql", "files.dump", "an SQL dump", fileSQLDumpSig, true},
	{"/database.sql", "files.dump", "an SQL dump", fileSQLDumpSig, true},
	{"/data.sql", "files.dump", "an SQL dump", fileSQLDumpSig, true},
	{"/database.sqlite", "files.dump", "an SQLite database", fileSQLiteSig, true},
	{"/db.sqlite", "files.dump", "an SQLite database", fileSQLiteSig, true},
	{"/db.sqlite3", "files.dump", "an SQLite database", fileSQLiteSig, true},
	{"/backup.zip", "files.dump", "an archive", fileArchiveSig, true},
	{"/backup.tar.gz", "files.dump", "an archive", fileArchiveSig, true},
	{"/site.zip", "files.dump", "an archive", fileArchiveSig, true},
	{"/www.zip", "files.dump", "an archive", fileArchiveSig, true},
	{"/actuator/heapdump", "files.dump", "a Java heap dump", fileAny(filePrefix("JAVA PROFILE 1.0"), filePrefix("\x1f\x8b\x08")), true},

	// Backups of well-known configuration files.
	{"/config.php.bak", "files.backup", "a PHP configuration backup", fileSourceSig, true},
	{"/config.php~", "files.backup", "a PHP configuration backup", fileSourceSig, true},
	{"/wp-config.php.bak", "files.backup", "a WordPress configuration backup", fileSourceSig, true},
	{"/wp-config.php~", "files.backup", "a WordPress configuration backup", fileSourceSig, true},
	{"/wp-config.php.save", "files.backup", "a WordPress configuration backup", fileSourceSig, true},
	{"/wp-config.php.old", "files.backup", "a WordPress configuration backup", fileSourceSig, true},

	// Debug and status pages.
	{"/phpinfo.php", "files.debug", "a phpinfo() page", filePHPInfoSig, true},
	{"/info.php", "files.debug", "a phpinfo() page", filePHPInfoSig, true},
	{"/phpinfo", "files.debug", "a phpinfo() page", filePHPInfoSig, true},
	{"/server-status", "files.debug", "Apache server-status", fileHTML(regexp.MustCompile(`Apache Server Status for|(?s)Active connections:.*server accepts handled requests`)), true},
	{"/server-info", "files.debug", "Apache server-info", fileHTML(regexp.MustCompile(`Apache Server Information`)), true},
	{"/actuator/env", "files.debug", "Spring Boot actuator env", fileJSONKeys("propertySources"), true},
	{"/env", "files.debug", "Spring Boot actuator env", fileAll(fileJSONKeys("systemProperties"), fileJSONKeys("systemEnvironment")), true},
	{"/debug/pprof/", "files.debug", "Go pprof", fileHTML(regexp.MustCompile(`Types of profiles available|/debug/pprof/goroutine`)), true},
	{"/elmah.axd", "files.debug", "the ELMAH error log", fileHTML(regexp.MustCompile(`(?s)(?i:error log for).*ELMAH|ELMAH.*(?i:error log for)`)), true},
	{"/trace.axd", "files.debug", "the ASP.NET trace", fileHTML(regexp.MustCompile(`(?is)Application Trace.*(?:clear current trace|Requests to this Application)`)), true},
	{"/_profiler/", "files.debug", "the Symfony profiler", fileHTML(regexp.MustCompile(`Symfony Profiler`)), true},

	// Consoles.
	{"/console", "files.console", "a console", fileHTML(regexp.MustCompile(`<title>H2 Console</title>|Werkzeug Debugger|(?s)Interactive Console.*Werkzeug`)), true},
	{"/h2-console/", "files.console", "the H2 database console", fileHTML(regexp.MustCompile(`<title>H2 Console</title>|H2 Console`)), true},
	{"/phpmyadmin/", "files.console", "phpMyAdmin", fileHTML(regexp.MustCompile(`<title>phpMyAdmin|(?s)phpMyAdmin.*\bpma_`)), true},
	{"/adminer.php", "files.console", "Adminer", fileHTML(regexp.MustCompile(`(?s)<title>[^<]*Adminer</title>|adminer\.org`)), true},
	{"/manager/html", "files.console", "the Tomcat manager", fileAny(
		fileAll(fileStatus(http.StatusUnauthorized), func(r *Response) bool {
			return strings.Contains(r.Header.Get("WWW-Authenticate"), "Tomcat Manager Application")
		}),
		fileHTML(regexp.MustCompile(`Tomcat Web Application Manager`))), true},

	// Configuration and build files.
	{"/.htaccess", "files.config", "an Apache .htaccess file", fileText(regexp.MustCompile(`(?m)^\s*(?:RewriteEngine|RewriteRule|RewriteCond|<IfModule|AuthType|AuthUserFile|Deny from|Allow from|Require (?:all|valid-user)|Options [+-]|ErrorDocument|DirectoryIndex)\b`)), false},
	{"/web.config", "files.config", "an IIS web.config", fileHTML(regexp.MustCompile(`(?s)<configuration.*<(?:system\.web|system\.webServer|appSettings|connectionStrings)\b`)), true},
	{"/WEB-INF/web.xml", "files.config", "a Java web.xml", fileHTML(regexp.MustCompile(`<web-app\b`)), true},
	{"/Dockerfile", "files.config", "a Dockerfile", fileAll(fileText(regexp.MustCompile(`(?mi)^FROM\s+\S+`)), fileText(regexp.MustCompile(`(?mi)^(?:RUN|CMD|COPY|ADD|ENTRYPOINT|WORKDIR|EXPOSE)\s`))), false},
	{"/docker-compose.yml", "files.config", "a docker-compose file", fileAll(fileText(regexp.MustCompile(`(?m)^services:\s*$`)), fileText(regexp.MustCompile(`(?m)^\s+(?:image|build):`))), false},
	{"/.DS_Store", "files.config", "a .DS_Store file", filePrefix("\x00\x00\x00\x01Bud1"), true},

	// Project metadata.
	{"/package.json", "files.info", "a package.json", fileJSONKeys("dependencies", "devDependencies"), true},
	{"/composer.json", "files.info", "a composer.json", fileJSONKeys("require", "require-dev", "autoload"), true},
	{"/actuator", "files.info", "the Spring Boot actuator index", fileAll(fileJSONKeys("_links"), fileHTML(regexp.MustCompile(`/actuator/`))), true},
	{"/admin/", "files.info", "an administration page", fileHTML(regexp.MustCompile(`(?i)<title>[^<]*\b(?:admin|administration|control panel)\b[^<]*</title>`)), false},
}

var fileSQLDumpSig = fileText(regexp.MustCompile(`(?i)\b(?:CREATE TABLE|INSERT INTO)\b[^;]*;|-- (?:MySQL|MariaDB) dump|PostgreSQL database dump`))

var filePHPInfoSig = fileHTML(regexp.MustCompile(`<title>[^<]*phpinfo\(\)\s*</title>|(?s)PHP Version.*(?:Zend Engine|PHP License|Configuration File \(php\.ini\) Path)`))

// fileServerExts are extensions whose source a backup copy reveals.
var fileServerExts = map[string]bool{
	".php": true, ".php3": true, ".php4": true, ".php5": true, ".php7": true, ".phtml": true, ".inc": true,
	".asp": true, ".aspx": true, ".ascx": true, ".ashx": true, ".asmx": true, ".jsp": true, ".jspx": true,
	".cfm": true, ".cgi": true, ".pl": true, ".py": true, ".rb": true, ".config": true, ".conf": true,
}

// fileBackupProbes returns the backup and editor copies to try for a
// discovered server-side file: name~, name.bak, name.old, name.orig,
// name.save, .name.swp, #name#, and the file's base with .zip.
func fileBackupProbes(p string) []fileProbe {
	dir, name := path.Split(p)
	ext := strings.ToLower(path.Ext(name))
	if name == "" || !fileServerExts[ext] {
		return nil
	}
	what := "a copy of " + p
	var ps []fileProbe
	for _, b := range []string{name + "~", name + ".bak", name + ".old", name + ".orig", name + ".save", "#" + name + "#"} {
		ps = append(ps, fileProbe{dir + b, "files.backup", what, fileSourceSig, true})
	}
	return append(ps,
		fileProbe{dir + "." + name + ".swp", "files.backup", "a Vim swap file of " + p, fileSwapSig, true},
		fileProbe{dir + strings.TrimSuffix(name, path.Ext(name)) + ".zip", "files.backup", "an archive of " + p, fileArchiveSig, true},
	)
}

// FilesOptions tunes Files. The zero value is ready to use.
type FilesOptions struct {
	// Header is sent with every request (a session's cookies).
	Header http.Header
	// MaxDiscovered bounds the discovered files whose backup copies are
	// probed (40 when zero); each costs eight requests.
	MaxDiscovered int
}

// Files probes base's site for sensitive files and endpoints: a bundled
// list (version-control metadata, environment and credential files,
// keys, database dumps and archives, configuration backups, phpinfo,
// server-status, actuator, pprof, consoles, configuration and project
// files), archives named after the host, and backup and editor copies
// of the server-side files in discovered (paths or URLs the crawler
// found). A file is reported only when its content signature matches —
// never on the status code alone — and the response is not the site's
// answer to a path it does not have: two random paths of the same shape
// (directory, leading dot, extension) are fetched, and a probe whose
// response is like theirs, or a signature that matches them too, is
// dropped. Results come in the order of the probes.
func Files(ctx context.Context, s Sender, base *url.URL, discovered []string, opt FilesOptions) ([]Result, error) {
	root := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: "/"}
	probes := append([]fileProbe(nil), fileProbes...)
	if h := base.Hostname(); h != "" && !strings.ContainsAny(h, ":/") {
		for _, ext := range []string{".zip", ".tar.gz"} {
			probes = append(probes, fileProbe{"/" + h + ext, "files.dump", "an archive", fileArchiveSig, true})
		}
		probes = append(probes, fileProbe{"/" + h + ".sql", "files.dump", "an SQL dump", fileSQLDumpSig, true})
	}
	limit := opt.MaxDiscovered
	if limit <= 0 {
		limit = 40
	}
	seen := map[string]bool{}
	for _, d := range discovered {
		u, err := root.Parse(d)
		if err != nil || u.Host != root.Host || seen[u.Path] {
			continue
		}
		seen[u.Path] = true
		if bp := fileBackupProbes(u.Path); bp != nil {
			if limit == 0 {
				break
			}
			limit--
			probes = append(probes, bp...)
		}
	}

	f := filesRun{s: s, root: root, hdr: opt.Header, prints: map[soft404Shape]*soft404Print{}}
	var out []Result
	done := map[string]bool{}
	for _, pr := range probes {
		if done[pr.path] {
			continue
		}
		done[pr.path] = true
		res, err := f.probe(ctx, pr)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue // an unreachable path is not a finding
		}
		if res != nil {
			out = append(out, *res)
		}
	}
	return out, nil
}

// filesRun is the state of one Files call.
type filesRun struct {
	s      Sender
	root   *url.URL
	hdr    http.Header
	prints map[soft404Shape]*soft404Print
}

func (f *filesRun) get(ctx context.Context, p string) (*url.URL, *Response, error) {
	u := *f.root
	u.Path = p
	r, err := rmpFetch(ctx, f.s, &u, f.hdr)
	return &u, r, err
}

// print returns the soft-404 fingerprint for paths of p's shape,
// fetching two random paths the first time.
func (f *filesRun) print(ctx context.Context, p string) (*soft404Print, error) {
	sh := soft404ShapeOf(p)
	if fp, ok := f.prints[sh]; ok {
		return fp, nil
	}
	var resps []*Response
	var paths []string
	for range 2 {
		rp := sh.randomPath(rmpMarker())
		_, r, err := f.get(ctx, rp)
		if err != nil {
			return nil, err
		}
		resps, paths = append(resps, r), append(paths, rp)
	}
	fp := newSoft404Print(resps, paths)
	f.prints[sh] = fp
	return fp, nil
}

func (f *filesRun) probe(ctx context.Context, pr fileProbe) (*Result, error) {
	u, r, err := f.get(ctx, pr.path)
	if err != nil {
		return nil, err
	}
	if !pr.sig(r) {
		return nil, nil
	}
	fp, err := f.print(ctx, pr.path)
	if err != nil {
		return nil, err
	}
	if fp.matches(r, pr.path) {
		return nil, nil
	}
	for _, s := range fp.samples {
		if pr.sig(s.resp) {
			return nil, nil // the site answers anything with this content
		}
	}
	p := filesPoint(u)
	p.Header = f.hdr
	return &Result{
		Check: pr.check, Point: p, Payload: pr.path, Confirmed: pr.strong,
		Detail: fmt.Sprintf("GET %s returned %s (HTTP %d, %d bytes); random paths of the same shape did not.",
			pr.path, pr.what, r.Status, len(r.Body)),
		Request:  requestExcerpt(p, p.Value),
		Response: filesExcerpt(r),
	}, nil
}

// filesPoint is the point of a probed URL: its last path segment, so
// that the point rebuilds the same request.
func filesPoint(u *url.URL) Point {
	segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	return Point{Method: http.MethodGet, URL: u, Kind: Path, Name: strconv.Itoa(len(segs) - 1), Value: segs[len(segs)-1]}
}

// filesExcerpt is a response excerpt; a binary body is described, not
// copied.
func filesExcerpt(r *Response) string {
	if fileIsText(r.Body) {
		return responseExcerpt(r, "")
	}
	return fmt.Sprintf("HTTP %d %s\n[binary, %d bytes, starting % x]", r.Status, http.StatusText(r.Status), len(r.Body), fileHead(r.Body, 16))
}
