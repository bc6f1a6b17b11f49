//go:build unix

package lab

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"rampart/internal/scan"
	"rampart/internal/scan/tlsaudit"
)

// This file puts rampart side by side with the scanners that Debian
// packages: Wapiti and sqlmap against the lab, testssl.sh against a weak
// openssl s_server. It runs for minutes, so only when asked:
//
//	RAMPART_SCAN_COMPARE=1 go test -run TestCompareScanners -v -timeout 30m ./internal/scan/lab/
//
// A tool that is not on PATH is left out (apt-get install -y wapiti
// sqlmap testssl.sh). Every run gets a lab of its own (a fresh database,
// its own request counter), talks to loopback only, and is bounded in
// time. OWASP ZAP, Nikto, Nuclei and SSLyze are not packaged for Debian
// 12 or npm and are not compared.

// Bounds on each tool's run.
const (
	wapitiScanTime = 10 * time.Minute // --max-scan-time
	wapitiTimeout  = 12 * time.Minute
	sqlmapTimeout  = 12 * time.Minute
	testsslTimeout = 5 * time.Minute
)

// wapitiModules are Wapiti's default modules that need no endpoint on
// the Internet (ssrf is left out: it asks wapiti3.ovh), plus crlf and
// backup, the modules for the lab's other classes. Debian's Wapiti has
// no Nikto database (its licence forbids the download), so nikto has
// nothing to test; buster is a path brute-forcer, not a check.
const wapitiModules = "sql,blindsql,exec,file,xss,permanentxss,redirect,crlf,backup,cookieflags,csp,http_headers"

func TestCompareScanners(t *testing.T) {
	if os.Getenv("RAMPART_SCAN_COMPARE") != "1" {
		t.Skip("set RAMPART_SCAN_COMPARE=1 to run rampart, Wapiti, sqlmap and testssl.sh side by side (takes minutes)")
	}
	t.Run("web", compareWeb)
	t.Run("tls", compareTLS)
}

// toolRun is one scanner's run against a lab of its own.
type toolRun struct {
	name, version, command string
	// tests are the classes the tool looks for; nil for all.
	tests    []string
	sc       score
	took     time.Duration
	requests int64
	note     string
}

// countingLab serves a fresh lab on loopback and counts its requests.
type countingLab struct {
	URL string
	n   atomic.Int64
}

func startLab(t *testing.T) *countingLab {
	t.Helper()
	l := newLab(t)
	c := &countingLab{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		l.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

// runTool runs name with args until it exits or ctx ends, killing its
// whole process group then (testssl.sh starts openssl, sqlmap threads).
// HOME is dir, so that no tool writes into the real one; the combined
// output goes to dir/name.log.
func runTool(ctx context.Context, dir, name string, args ...string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, name, args...) // #nosec G204 -- test: a scanner from PATH with fixed options
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	log, err := os.Create(filepath.Join(dir, filepath.Base(name)+".log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	err = cmd.Run()
	_ = log.Close()
	return cmd, err
}

// tail is the end of a tool's log, for failures.
func tail(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name+".log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// version runs `name flag` and returns the first line matching re.
func version(name, flag string, re *regexp.Regexp) string {
	out, _ := exec.Command(name, flag).CombinedOutput() // #nosec G204 -- test: a scanner from PATH, --version
	if m := re.Find(out); m != nil {
		return strings.Join(strings.Fields(string(m)), " ")
	}
	return "unknown version"
}

func compareWeb(t *testing.T) {
	var runs []*toolRun
	runs = append(runs, runRampartTool(t))
	if _, err := exec.LookPath("wapiti"); err == nil {
		runs = append(runs, runWapiti(t))
	} else {
		t.Log("wapiti is not on PATH (apt-get install -y wapiti): left out")
	}
	if _, err := exec.LookPath("sqlmap"); err == nil {
		runs = append(runs, runSqlmap(t))
	} else {
		t.Log("sqlmap is not on PATH (apt-get install -y sqlmap): left out")
	}
	t.Logf("\n%s", webTable(runs))
	for _, r := range runs {
		t.Logf("%s (%s): %s\n%s%s", r.name, r.version, r.command, r.note, scoreNotes(r.sc))
	}
}

func runRampartTool(t *testing.T) *toolRun {
	c := startLab(t)
	run := &toolRun{name: "rampart", version: "this commit",
		command: "rampart scan URL --active full --rate 1000 (in process: scan.Config{Active: ActiveFull, Rate: 1000}, other fields default)"}
	cfg := scan.Config{Target: c.URL + "/", Active: scan.ActiveFull, Rate: 1000, MaxTime: 20 * time.Minute}
	start := time.Now()
	rep := runRampart(t, context.Background(), cfg)
	run.took, run.requests = time.Since(start), c.n.Load()
	run.sc = scoreClaims(rampartClaims(rep.Findings))
	return run
}

// wapitiReport is the part of Wapiti's JSON report that is scored.
type wapitiReport struct {
	Vulnerabilities map[string][]struct {
		Method    string `json:"method"`
		Path      string `json:"path"`
		Info      string `json:"info"`
		Parameter string `json:"parameter"`
	} `json:"vulnerabilities"`
}

// wapitiClass maps a Wapiti vulnerability category to a class.
func wapitiClass(category, info string) string {
	switch category {
	case "SQL Injection", "Blind SQL Injection":
		return "sqli"
	case "Cross Site Scripting":
		if strings.Contains(info, "Permanent XSS") {
			return "xss-stored"
		}
		return "xss"
	case "Command execution":
		return "cmdi"
	case "Path Traversal":
		return "traversal"
	case "Open Redirect":
		return "redirect"
	case "CRLF Injection":
		return "crlf"
	case "Backup file", "Potentially dangerous file":
		return "exposed-file"
	case "XML External Entity":
		return "xxe"
	case "Server Side Request Forgery":
		return "ssrf"
	}
	return "" // headers, cookies, CSP, CSRF
}

func runWapiti(t *testing.T) *toolRun {
	c := startLab(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "wapiti.json")
	args := []string{"-u", c.URL + "/", "--scope", "folder", "-m", wapitiModules,
		"--max-scan-time", fmt.Sprint(int(wapitiScanTime.Seconds())), "--flush-session",
		"--store-session", filepath.Join(dir, "session"), "--store-config", filepath.Join(dir, "config"),
		"-f", "json", "-o", out, "-v", "1", "--no-bugreport"}
	// Wapiti loads every module, and its wapp module downloads its
	// database from GitHub when the configuration folder has none: an
	// empty one keeps the run on loopback (wapp is not run).
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "apps.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := &toolRun{name: "Wapiti", version: version("wapiti", "--version", regexp.MustCompile(`Wapiti-[0-9.]+`)),
		command: "wapiti -u URL --scope folder -m " + wapitiModules + " --max-scan-time 600 --flush-session -f json -o FILE"}
	ctx, cancel := context.WithTimeout(context.Background(), wapitiTimeout)
	defer cancel()
	start := time.Now()
	_, err := runTool(ctx, dir, "wapiti", args...)
	run.took, run.requests = time.Since(start), c.n.Load()
	if err != nil {
		run.note = fmt.Sprintf("wapiti: %v (after %s)\n", err, round(run.took))
		t.Logf("wapiti: %v; log:\n%s", err, tail(dir, "wapiti"))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Errorf("wapiti wrote no report: %v; log:\n%s", err, tail(dir, "wapiti"))
		return run
	}
	var rep wapitiReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Errorf("wapiti report: %v", err)
		return run
	}
	var claims []claim
	for cat, vs := range rep.Vulnerabilities {
		for _, v := range vs {
			class := wapitiClass(cat, v.Info)
			if class == "" {
				continue
			}
			cl := claim{Class: class, Path: v.Path, Param: v.Parameter, Tool: cat}
			if class == "exposed-file" {
				cl.Param = ""
			}
			claims = append(claims, cl)
		}
	}
	run.sc = scoreClaims(claims)
	return run
}

func runSqlmap(t *testing.T) *toolRun {
	c := startLab(t)
	dir := t.TempDir()
	results := filepath.Join(dir, "results.csv")
	// --batch takes the default answer to every question; the one to
	// "SQL injection vulnerability has already been detected against
	// '127.0.0.1'. Do you want to skip further tests involving it?" is
	// yes, which would stop at the first flaw of the site.
	args := []string{"-u", c.URL + "/", "--crawl=3", "--forms", "--batch", "--answers=skip further tests=N", "--threads=4",
		"--output-dir=" + filepath.Join(dir, "out"), "--results-file=" + results, "--disable-coloring"}
	run := &toolRun{name: "sqlmap", version: version("sqlmap", "--version", regexp.MustCompile(`[0-9][0-9.]+#\w+`)),
		tests:   []string{"sqli"},
		command: "sqlmap -u URL --crawl=3 --forms --batch --answers=\"skip further tests=N\" --threads=4 --results-file=FILE (level 1, risk 1, all techniques: the defaults)"}
	ctx, cancel := context.WithTimeout(context.Background(), sqlmapTimeout)
	defer cancel()
	start := time.Now()
	_, err := runTool(ctx, dir, "sqlmap", args...)
	run.took, run.requests = time.Since(start), c.n.Load()
	if err != nil {
		run.note = fmt.Sprintf("sqlmap: %v (after %s)\n", err, round(run.took))
		t.Logf("sqlmap: %v; log:\n%s", err, tail(dir, "sqlmap"))
	}
	f, err := os.Open(results)
	if err != nil {
		run.note += "sqlmap wrote no results file (it found nothing, or was stopped)\n"
		run.sc = scoreClaims(nil)
		return run
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Errorf("sqlmap results: %v", err)
	}
	var claims []claim
	for i, row := range rows {
		// Target URL,Place,Parameter,Technique(s),Note(s)
		if i == 0 || len(row) < 4 {
			continue
		}
		u, err := url.Parse(row[0])
		if err != nil {
			continue
		}
		claims = append(claims, claim{Class: "sqli", Path: u.Path, Param: row[2], Tool: "sqlmap " + row[1] + " " + row[3]})
	}
	run.sc = scoreClaims(claims)
	return run
}

// webTable is the Markdown table of the web runs: per class, what each
// tool found of the lab's flaws and its false alarms.
func webTable(runs []*toolRun) string {
	var b strings.Builder
	b.WriteString("| class (flaws) |")
	for _, r := range runs {
		fmt.Fprintf(&b, " %s %s |", r.name, strings.TrimPrefix(r.version, "Wapiti-"))
	}
	b.WriteString("\n|---|")
	for range runs {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	count := func(vs []Vuln, cl string) int {
		n := 0
		for _, v := range vs {
			if v.Class == cl {
				n++
			}
		}
		return n
	}
	alarms := func(cs []claim, cl string) int {
		n := 0
		for _, c := range cs {
			if c.Class == cl {
				n++
			}
		}
		return n
	}
	var extra []string
	for _, r := range runs {
		for _, c := range r.sc.falseAlarms {
			if !slices.Contains(classes(), c.Class) && !slices.Contains(extra, c.Class) {
				extra = append(extra, c.Class)
			}
		}
	}
	for _, cl := range classes() {
		fmt.Fprintf(&b, "| %s (%d) |", cl, count(Truth(), cl))
		for _, r := range runs {
			if r.tests != nil && !slices.Contains(r.tests, cl) {
				b.WriteString(" not tested |")
				continue
			}
			fmt.Fprintf(&b, " %d found, %d false |", count(r.sc.found, cl), alarms(r.sc.falseAlarms, cl))
		}
		b.WriteString("\n")
	}
	for _, cl := range extra {
		fmt.Fprintf(&b, "| %s (0, not in the lab) |", cl)
		for _, r := range runs {
			fmt.Fprintf(&b, " %d false |", alarms(r.sc.falseAlarms, cl))
		}
		b.WriteString("\n")
	}
	b.WriteString("| **found** |")
	for _, r := range runs {
		n := 0
		for _, v := range Truth() {
			if r.tests == nil || slices.Contains(r.tests, v.Class) {
				n++
			}
		}
		fmt.Fprintf(&b, " **%d of %d** |", len(r.sc.found), n)
	}
	b.WriteString("\n| **false alarms** (on fixed twins) |")
	for _, r := range runs {
		fmt.Fprintf(&b, " **%d** (%d) |", len(r.sc.falseAlarms), len(r.sc.twinAlarms()))
	}
	b.WriteString("\n| other class at a flawed parameter |")
	for _, r := range runs {
		fmt.Fprintf(&b, " %d |", len(r.sc.otherClass))
	}
	b.WriteString("\n| wall time |")
	for _, r := range runs {
		fmt.Fprintf(&b, " %s |", round(r.took))
	}
	b.WriteString("\n| requests to the lab |")
	for _, r := range runs {
		fmt.Fprintf(&b, " %d |", r.requests)
	}
	b.WriteString("\n")
	return b.String()
}

// TLS side.

// weakSpec is what the weak server accepts: every cipher of this
// OpenSSL at security level 0, TLS 1.0 to 1.2 (as tlsaudit's own test).
const weakSpec = "ALL:@SECLEVEL=0"

// tlsVersions are the protocols compared, by rampart's names.
var tlsVersions = []string{"SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// tlsView is what one tool (or the truth) says about the server.
type tlsView struct {
	protocols map[string]bool
	suites    map[string][]string // by protocol, IANA names
	flags     map[string]bool     // weak categories and certificate problems reported
	flagged   map[string]bool     // the categories the tool has a verdict on at all
	took      time.Duration
	note      string
}

// weakCategories are the suite categories compared; each is a test on
// the IANA name.
var weakCategories = []struct {
	name string
	is   func(string) bool
}{
	{"NULL encryption", func(s string) bool { return strings.Contains(s, "_WITH_NULL_") }},
	{"anonymous", func(s string) bool { return strings.Contains(s, "_anon_") }},
	{"export", func(s string) bool { return strings.Contains(s, "EXPORT") }},
	{"DES (56 bits or less)", func(s string) bool {
		return strings.Contains(s, "_DES_") || strings.Contains(s, "_DES40_")
	}},
	{"RC4", func(s string) bool { return strings.Contains(s, "_RC4_") }},
	{"3DES", func(s string) bool { return strings.Contains(s, "3DES") }},
	{"no forward secrecy", func(s string) bool { return strings.HasPrefix(s, "TLS_RSA_") }},
	{"CBC mode", func(s string) bool { return strings.Contains(s, "_CBC_") }},
}

// certProblems are the certificate problems the server has.
var certProblems = []string{"certificate expired", "certificate self-signed"}

func compareTLS(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not on PATH (apt-get install -y openssl)")
	}
	dir := t.TempDir()
	certFile, keyFile := expiredCert(t, dir)
	addr := startSServer(t, bin, certFile, keyFile)
	truth := opensslTruth(t, bin)

	// rampart's audit.
	start := time.Now()
	res, fs, err := tlsaudit.Audit(context.Background(), addr, tlsaudit.Config{ServerName: "localhost"})
	if err != nil {
		t.Fatalf("tlsaudit.Audit(%s): %v", addr, err)
	}
	rv := &tlsView{protocols: res.Protocols, suites: res.Ciphers, took: time.Since(start), flags: map[string]bool{}, flagged: map[string]bool{}}
	params := map[string]string{
		"cipher:null": "NULL encryption", "cipher:anon": "anonymous", "cipher:export": "export", "cipher:des": "DES (56 bits or less)",
		"cipher:rc4": "RC4", "cipher:3des": "3DES", "cipher:no-forward-secrecy": "no forward secrecy", "cipher:cbc": "CBC mode",
		"certificate:expired": "certificate expired", "certificate:self-signed": "certificate self-signed",
	}
	for _, n := range params {
		rv.flagged[n] = true
	}
	for _, f := range fs {
		if n, ok := params[f.Parameter]; ok {
			rv.flags[n] = true
		}
	}
	views := []struct {
		name, version string
		v             *tlsView
	}{{"rampart", "this commit", rv}}

	// testssl.sh.
	name := ""
	for _, n := range []string{"testssl", "testssl.sh"} {
		if _, err := exec.LookPath(n); err == nil {
			name = n
			break
		}
	}
	if name == "" {
		t.Log("testssl.sh is not on PATH (apt-get install -y testssl.sh): left out")
	} else {
		views = append(views, struct {
			name, version string
			v             *tlsView
		}{"testssl.sh", version(name, "--version", regexp.MustCompile(`testssl(?:\.sh)?\s+[0-9][0-9.]*`)), runTestssl(t, name, bin, addr)})
	}
	t.Logf("\n%s", tlsTable(truth, views))
	t.Logf("testssl.sh command: %s --jsonfile FILE --warnings batch --color 0 --openssl %s --ip 127.0.0.1 -p -s -E -S -4 localhost:PORT", name, bin)
	for _, v := range views {
		if v.v.note != "" {
			t.Logf("%s: %s", v.name, v.v.note)
		}
	}
}

// expiredCert writes a self-signed RSA 2048 certificate for localhost
// that expired 30 days ago, and its key.
func expiredCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"rampart lab"}},
		DNSNames:     []string{"localhost"},
		NotBefore:    now.Add(-400 * 24 * time.Hour),
		NotAfter:     now.Add(-30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// startSServer starts `openssl s_server -www` on a free loopback port
// with TLS 1.0 to 1.2 and weakSpec, as tlsaudit's TestAuditOpenSSLWeakServer
// does, and returns its address.
func startSServer(t *testing.T, bin, certFile, keyFile string) string {
	t.Helper()
	args := []string{"s_server", "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFile, "-www",
		"-min_protocol", "TLSv1", "-max_protocol", "TLSv1.2", "-cipher", weakSpec}
	cmd := exec.Command(bin, args...) // #nosec G204 -- test: the openssl binary from PATH, with fixed options
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start openssl s_server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "ACCEPT "); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return addr
		}
	}
	t.Fatalf("openssl s_server did not start: %s", stderr.String())
	return ""
}

// opensslTruth is what the server accepts, from `openssl ciphers -V
// -stdname`: with an RSA certificate and no PSK or SRP, the suites
// authenticated by RSA or by nothing, with RSA, DH or ECDH key exchange;
// TLS 1.0 and 1.1 lack the TLS 1.2-only ones.
func opensslTruth(t *testing.T, bin string) *tlsView {
	t.Helper()
	out, err := exec.Command(bin, "ciphers", "-V", "-stdname", weakSpec).Output() // #nosec G204 -- test: fixed arguments
	if err != nil {
		t.Fatalf("openssl ciphers: %v", err)
	}
	v := &tlsView{protocols: map[string]bool{"TLS 1.0": true, "TLS 1.1": true, "TLS 1.2": true},
		suites: map[string][]string{}, flags: map[string]bool{}}
	for line := range strings.Lines(string(out)) {
		// 0xC0,0x30 - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 - ECDHE-RSA-AES256-GCM-SHA384 TLSv1.2 Kx=ECDH Au=RSA Enc=AESGCM(256) Mac=AEAD
		f := strings.Fields(line)
		if len(f) < 8 || f[1] != "-" || f[3] != "-" {
			continue
		}
		name, proto := f[2], f[5]
		kx, au := strings.TrimPrefix(f[6], "Kx="), strings.TrimPrefix(f[7], "Au=")
		if proto == "TLSv1.3" || (au != "RSA" && au != "None") || (kx != "RSA" && kx != "DH" && kx != "ECDH") {
			continue
		}
		v.suites["TLS 1.2"] = append(v.suites["TLS 1.2"], name)
		if proto != "TLSv1.2" {
			v.suites["TLS 1.1"] = append(v.suites["TLS 1.1"], name)
			v.suites["TLS 1.0"] = append(v.suites["TLS 1.0"], name)
		}
	}
	for _, c := range weakCategories {
		for _, s := range v.suites["TLS 1.2"] {
			if c.is(s) {
				v.flags[c.name] = true
			}
		}
	}
	for _, p := range certProblems {
		v.flags[p] = true
	}
	return v
}

// testsslProtocols maps testssl.sh's protocol ids to rampart's names.
var testsslProtocols = map[string]string{
	"SSLv2": "SSL 2.0", "SSLv3": "SSL 3.0", "TLS1": "TLS 1.0", "TLS1_1": "TLS 1.1", "TLS1_2": "TLS 1.2", "TLS1_3": "TLS 1.3",
}

// testsslCipherIDs maps the prefixes of -E's ids to protocols, longest
// first.
var testsslCipherIDs = []struct{ prefix, proto string }{
	{"cipher-tls1_3_", "TLS 1.3"}, {"cipher-tls1_2_", "TLS 1.2"}, {"cipher-tls1_1_", "TLS 1.1"},
	{"cipher-tls1_", "TLS 1.0"}, {"cipher-ssl3_", "SSL 3.0"}, {"cipher-ssl2_", "SSL 2.0"},
}

// testsslLists maps the standard cipher lists of -s to categories.
var testsslLists = map[string]string{
	"cipherlist_NULL": "NULL encryption", "cipherlist_aNULL": "anonymous", "cipherlist_EXPORT": "export",
	"cipherlist_LOW": "DES (56 bits or less)", "cipherlist_3DES_IDEA": "3DES", "cipherlist_AVERAGE": "CBC mode",
}

func runTestssl(t *testing.T, name, openssl, addr string) *tlsView {
	dir := t.TempDir()
	_, port, _ := strings.Cut(addr, ":")
	out := filepath.Join(dir, "testssl.json")
	ctx, cancel := context.WithTimeout(context.Background(), testsslTimeout)
	defer cancel()
	start := time.Now()
	_, err := runTool(ctx, dir, name, "--jsonfile", out, "--warnings", "batch", "--color", "0", "--openssl", openssl,
		"--ip", "127.0.0.1", "-p", "-s", "-E", "-S", "-4", "localhost:"+port)
	v := &tlsView{protocols: map[string]bool{}, suites: map[string][]string{}, flags: map[string]bool{}, flagged: map[string]bool{},
		took: time.Since(start)}
	for _, n := range testsslLists {
		v.flagged[n] = true
	}
	v.flagged["certificate expired"], v.flagged["certificate self-signed"], v.flagged["RC4"] = true, true, true
	if err != nil {
		var ee *exec.ExitError
		// testssl.sh exits with the number of problems it saw; only a
		// stop by the deadline or a missing report is a failure.
		if !errors.As(err, &ee) || ctx.Err() != nil {
			v.note = fmt.Sprintf("testssl.sh: %v", err)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Errorf("testssl.sh wrote no report: %v; log:\n%s", err, tail(dir, name))
		return v
	}
	var items []struct{ ID, Finding string }
	if err := json.Unmarshal(b, &items); err != nil {
		t.Errorf("testssl.sh report: %v", err)
		return v
	}
	for _, it := range items {
		if p, ok := testsslProtocols[it.ID]; ok {
			v.protocols[p] = strings.HasPrefix(it.Finding, "offered")
		}
		for _, c := range testsslCipherIDs {
			if strings.HasPrefix(it.ID, c.prefix) {
				f := strings.Fields(it.Finding)
				v.suites[c.proto] = append(v.suites[c.proto], f[len(f)-1])
				break
			}
		}
		if n, ok := testsslLists[it.ID]; ok && strings.HasPrefix(it.Finding, "offered") {
			v.flags[n] = true
		}
		switch {
		case it.ID == "cert_expirationStatus" && strings.Contains(it.Finding, "expired"):
			v.flags["certificate expired"] = true
		case it.ID == "cert_chain_of_trust" && strings.Contains(it.Finding, "self signed"):
			v.flags["certificate self-signed"] = true
		case it.ID == "RC4" && strings.Contains(it.Finding, "VULNERABLE"):
			v.flags["RC4"] = true
		}
	}
	return v
}

// tlsTable is the Markdown table of the TLS runs against the truth.
func tlsTable(truth *tlsView, views []struct {
	name, version string
	v             *tlsView
}) string {
	var b strings.Builder
	b.WriteString("| | server (truth) |")
	for _, v := range views {
		fmt.Fprintf(&b, " %s %s |", v.name, strings.TrimPrefix(strings.TrimPrefix(v.version, "testssl.sh "), "testssl "))
	}
	b.WriteString("\n|---|---|")
	for range views {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	yes := map[bool]string{true: "offered", false: "not offered"}
	for _, p := range tlsVersions {
		fmt.Fprintf(&b, "| %s | %s |", p, yes[truth.protocols[p]])
		for _, v := range views {
			got, ok := v.v.protocols[p]
			switch {
			case !ok:
				b.WriteString(" not reported |")
			case got == truth.protocols[p]:
				fmt.Fprintf(&b, " %s (right) |", yes[got])
			default:
				fmt.Fprintf(&b, " %s (**wrong**) |", yes[got])
			}
		}
		b.WriteString("\n")
	}
	for _, p := range []string{"TLS 1.2", "TLS 1.1", "TLS 1.0"} {
		want := truth.suites[p]
		fmt.Fprintf(&b, "| %s suites | %d |", p, len(want))
		for _, v := range views {
			got := v.v.suites[p]
			found, extra := 0, 0
			for _, s := range got {
				if slices.Contains(want, s) {
					found++
				} else {
					extra++
				}
			}
			fmt.Fprintf(&b, " %d found, %d missed, %d wrong |", found, len(want)-found, extra)
		}
		b.WriteString("\n")
	}
	rows := make([]string, 0, len(weakCategories)+len(certProblems))
	for _, c := range weakCategories {
		rows = append(rows, c.name)
	}
	rows = append(rows, certProblems...)
	for _, r := range rows {
		label := r
		if !strings.HasPrefix(r, "certificate") {
			label = r + " suites"
		}
		fmt.Fprintf(&b, "| %s | %s |", label, map[bool]string{true: "yes", false: "no"}[truth.flags[r]])
		for _, v := range views {
			got := v.v.flags[r]
			switch {
			case !v.v.flagged[r]:
				b.WriteString(" no verdict |")
			case got == truth.flags[r]:
				fmt.Fprintf(&b, " %s (right) |", map[bool]string{true: "reported", false: "not reported"}[got])
			default:
				fmt.Fprintf(&b, " %s (**wrong**) |", map[bool]string{true: "reported", false: "not reported"}[got])
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("| wall time | |")
	for _, v := range views {
		fmt.Fprintf(&b, " %s |", round(v.v.took))
	}
	b.WriteString("\n")
	return b.String()
}
