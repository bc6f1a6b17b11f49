package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"rampart/internal/config"
	"rampart/internal/events"
	"rampart/internal/gateway"
	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

const secretValue = "s3cr3t-Pa55-do-not-print"

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	// Write-then-rename, as editors and config managers do.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestConfigCheckErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rampart.yaml")
	writeFile(t, path, "listen:\n  http: 127.0.0.1:8080\nwaf:\n  mode: detct\nroutes:\n  - name: app\n    upstreams: [\"htp://app:8000\"]\n    colour: blue\n")
	code, _, stderr := runCLI("config", "check", "-c", path)
	if code != exitConfig {
		t.Errorf("exit = %d, want %d", code, exitConfig)
	}
	for _, want := range []string{path + ":4:", path + ":7:", path + ":8:", "detct", "htp://app:8000"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestConfigCheckNeverPrintsSecrets(t *testing.T) {
	t.Setenv("RAMPART_TEST_SECRET", secretValue)
	dir := t.TempDir()
	path := filepath.Join(dir, "rampart.yaml")
	writeFile(t, path, `listen: {http: "0.0.0.0:8080", admin: "0.0.0.0:9090"}
store:
  dsn: "${env:RAMPART_TEST_SECRET}"
waf: {mode: detect}
routes:
  - name: app
    upstreams: ["https://127.0.0.1:8443"]
    upstream: {tls_skip_verify: true}
`)
	code, stdout, stderr := runCLI("config", "check", "-c", path, "--print")
	if code != exitOK {
		t.Fatalf("exit = %d, stderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, secretValue) {
		t.Fatalf("secret printed:\n%s%s", stdout, stderr)
	}
	for _, want := range []string{"warning:", "admin", "tls_skip_verify", "waf.mode", "[redacted]"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	// --strict turns warnings into exit 2.
	if code, _, _ := runCLI("config", "check", "-c", path, "--strict"); code != exitConfig {
		t.Errorf("--strict exit = %d, want %d", code, exitConfig)
	}
	// A missing secret names the variable, never a value.
	writeFile(t, path, "store:\n  dsn: \"${env:RAMPART_TEST_MISSING_VAR}\"\nroutes:\n  - {name: app, upstreams: [\"http://127.0.0.1:1\"]}\n")
	code, _, stderr = runCLI("config", "check", "-c", path)
	if code != exitConfig || !strings.Contains(stderr, "RAMPART_TEST_MISSING_VAR") || !strings.Contains(stderr, path+":2:") {
		t.Errorf("missing env: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	code, stdout, _ := runCLI("version")
	if code != 0 || !strings.HasPrefix(stdout, "rampart ") {
		t.Errorf("version: %d %q", code, stdout)
	}
	for _, cmd := range [][]string{{"--help"}, {"serve", "--help"}, {"proxy", "--help"}, {"demo", "--help"},
		{"config", "check", "--help"}, {"migrate", "--help"}} {
		code, stdout, _ := runCLI(cmd...)
		if code != 0 || len(stdout) < 200 {
			t.Errorf("%v: exit %d, %d bytes of help", cmd, code, len(stdout))
		}
	}
	if code, _, _ := runCLI("serve", "--no-such-flag"); code != exitConfig {
		t.Errorf("unknown flag exit = %d, want %d", code, exitConfig)
	}
}

func TestProxyRejectsBadUpstream(t *testing.T) {
	code, _, stderr := runCLI("proxy", "--from", "127.0.0.1:0", "--to", "htp://x")
	if code != exitConfig || !strings.Contains(stderr, "--to") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runCLI("demo", "--addr", "0.0.0.0:8080"); code != exitConfig {
		t.Errorf("demo on a public address: exit %d, want %d", code, exitConfig)
	}
}

func backend(tb testing.TB, name string) *httptest.Server {
	tb.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond)
		w.Header().Set("X-Backend", name)
		_, _ = io.WriteString(w, "hello from "+name)
	}))
	tb.Cleanup(s.Close)
	return s
}

// TestServeReloadAndEvents runs the whole gateway from a file, keeps
// requests going while the file is changed (good, then bad), and checks
// that nothing failed, that the bad file was refused, and that the events
// are in the store after the gateway stopped.
func TestServeReloadAndEvents(t *testing.T) {
	t.Setenv("RAMPART_TEST_SECRET", secretValue)
	a, b := backend(t, "a"), backend(t, "b")
	dir := t.TempDir()
	path := filepath.Join(dir, "rampart.yaml")
	dbPath := filepath.Join(dir, "events.db")
	logPath := filepath.Join(dir, "rampart.log")
	cfgText := func(up string) string {
		return fmt.Sprintf(`listen: {http: "127.0.0.1:0", admin: "127.0.0.1:0"}
log: {file: %q, access_log: true}
store:
  path: %q
  dsn: "${env:RAMPART_TEST_SECRET}"
routes:
  - name: app
    upstreams: [%q]
`, logPath, dbPath, up)
	}
	writeFile(t, path, cfgText(a.URL))
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *gateway.Server, 1)
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- runGateway(ctx, cfg, runOptions{watch: true, stderr: &stderr, ready: func(s *gateway.Server) { ready <- s }})
	}()
	var srv *gateway.Server
	select {
	case srv = <-ready:
	case err := <-done:
		t.Fatalf("runGateway: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("gateway did not start")
	}
	base := "http://" + srv.HTTPAddr.String()

	var ok, failed atomic.Int64
	var lastBackend atomic.Value
	lastBackend.Store("")
	loadCtx, stopLoad := context.WithCancel(context.Background())
	loadDone := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			defer func() { loadDone <- struct{}{} }()
			for loadCtx.Err() == nil {
				resp, err := http.Get(base + "/")
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
					continue
				}
				ok.Add(1)
				lastBackend.Store(resp.Header.Get("X-Backend"))
			}
		}()
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("traffic to a", func() bool { return lastBackend.Load() == "a" })
	writeFile(t, path, cfgText(b.URL))
	waitFor("reload to b", func() bool { return lastBackend.Load() == "b" })
	writeFile(t, path, cfgText(b.URL)+"bogus_key: 1\n")
	time.Sleep(700 * time.Millisecond) // the watcher debounces; the bad file must not change anything
	if lastBackend.Load() != "b" {
		t.Errorf("after a bad reload, served by %v", lastBackend.Load())
	}
	// SIGHUP forces a reload (of an unchanged, still bad file here); the
	// process must survive it and keep serving.
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	stopLoad()
	for i := 0; i < 4; i++ {
		<-loadDone
	}
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed across reloads", failed.Load(), ok.Load()+failed.Load())
	}
	t.Logf("%d requests served across a good and a bad reload", ok.Load())
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runGateway: %v", err)
	}

	// After the restart, the events are in the store.
	db, err := sqlite.Open(context.Background(), dbPath, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := db.Events(context.Background(), store.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byType := map[events.Type]events.Event{}
	for _, e := range evs {
		byType[e.Type] = e
		for k, v := range e.Details {
			if strings.Contains(v, secretValue) {
				t.Errorf("event %s detail %s holds the secret", e.Type, k)
			}
		}
	}
	for _, typ := range []events.Type{events.GatewayStarted, events.ConfigChanged, events.ConfigRejected, events.GatewayStopping} {
		if _, ok := byType[typ]; !ok {
			t.Errorf("no %s event stored (have %d events)", typ, len(evs))
		}
	}
	if keys := byType[events.ConfigChanged].Details["keys"]; !strings.Contains(keys, "upstreams") {
		t.Errorf("config.changed keys = %q, want the upstreams key", keys)
	}
	if msg := byType[events.ConfigRejected].Details["error"]; !strings.Contains(msg, "bogus_key") {
		t.Errorf("config.rejected error = %q, want the bad key named", msg)
	}
	logs, _ := os.ReadFile(logPath)
	if strings.Contains(string(logs)+stderr.String(), secretValue) {
		t.Error("secret in logs")
	}
	if !strings.Contains(string(logs), "SIGHUP: reloading config") {
		t.Error("SIGHUP did not trigger a reload")
	}
	if !strings.Contains(string(logs), `"log":"access"`) {
		t.Error("no access log lines")
	}
}

func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	root := newDemoCmd()
	root.SetOut(&out)
	root.SetErr(io.Discard)
	ready := make(chan *gateway.Server, 1)
	done := make(chan error, 1)
	go func() {
		// Drive runGateway through runDemo with our own ready hook.
		done <- runDemoWith(ctx, root, "127.0.0.1:0", false, wafFlags{mode: "block", engine: "native", paranoia: 1}, func(s *gateway.Server) { ready <- s })
	}()
	var srv *gateway.Server
	select {
	case srv = <-ready:
	case err := <-done:
		t.Fatalf("demo: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("demo did not start")
	}
	base := "http://" + srv.HTTPAddr.String()
	resp, err := http.Get(base + "/search?q=%27")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || strings.Contains(string(body), "Traceback") || strings.Contains(string(body), "sqlite3") {
		t.Errorf("demo 500 not masked: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Server") != "" || resp.Header.Get("X-Powered-By") != "" {
		t.Errorf("banners kept: %v", resp.Header)
	}
	for _, attack := range []string{"/search?q=%27%20OR%201%3D1--", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E"} {
		resp, err = http.Get(base + attack)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("demo WAF: %s got %d, want 403 with a request ID", attack, resp.StatusCode)
		}
	}
	resp, err = http.Get(base + "/api/products")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("api: %d %v", resp.StatusCode, resp.Header)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo: %v", err)
	}
	if !strings.Contains(out.String(), base) {
		t.Errorf("demo did not print its URL %s:\n%s", base, out.String())
	}
}

func TestProxyCommandServes(t *testing.T) {
	up := backend(t, "app")
	cfg, err := proxyConfig("127.0.0.1:0", up.URL, "", "", "", "", "", nil, wafFlags{mode: "block", engine: "native", paranoia: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *gateway.Server, 1)
	done := make(chan error, 1)
	go func() {
		done <- runGateway(ctx, cfg, runOptions{stderr: io.Discard, noStore: true, ready: func(s *gateway.Server) { ready <- s }})
	}()
	var srv *gateway.Server
	select {
	case srv = <-ready:
	case err := <-done:
		t.Fatalf("proxy: %v", err)
	}
	resp, err := http.Get("http://" + srv.HTTPAddr.String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Backend") != "app" || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("proxy answered %d %v", resp.StatusCode, resp.Header)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rampart.yaml")
	writeFile(t, path, fmt.Sprintf("store: {path: %q}\nroutes:\n  - {name: app, upstreams: [\"http://127.0.0.1:1\"]}\n", filepath.Join(dir, "r.db")))
	code, stdout, stderr := runCLI("migrate", "-c", path)
	if code != 0 || !strings.Contains(stdout, "applied migrations [1 2 3]") {
		t.Fatalf("first migrate: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI("migrate", "-c", path)
	if code != 0 || !strings.Contains(stdout, "up to date (schema version 3)") {
		t.Errorf("second migrate: exit %d, %q", code, stdout)
	}
}

func TestRetainEvents(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	old := events.Event{ID: "old", Time: now.Add(-48 * time.Hour), Type: events.RequestRejected, Message: "old"}
	recent := events.Event{ID: "recent", Time: now.Add(-time.Hour), Type: events.RequestRejected, Message: "recent"}
	if err := db.AppendEvents(context.Background(), []events.Event{old, recent}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { retainEvents(ctx, db, 24*time.Hour, slog.New(slog.DiscardHandler)); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := db.Event(context.Background(), "old"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("old event not deleted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if _, err := db.Event(context.Background(), "recent"); err != nil {
		t.Errorf("recent event gone: %v", err)
	}
}
