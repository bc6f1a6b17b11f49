package config

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type reload struct {
	cfg *Config
	err error
}

// startWatcher runs a Watcher on path until the test ends and returns the
// channel its callbacks arrive on.
func startWatcher(t *testing.T, path string) (*Watcher, <-chan reload) {
	t.Helper()
	ch := make(chan reload, 16)
	w, err := NewWatcher(path, slog.New(slog.NewTextHandler(t.Output(), nil)), func(c *Config, err error) {
		ch <- reload{c, err}
	})
	if err != nil {
		t.Fatal(err)
	}
	w.debounce = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	return w, ch
}

// next waits up to 5 s for a callback.
func next(t *testing.T, ch <-chan reload) reload {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no reload within 5s")
		return reload{}
	}
}

func config(node string) string { return "node: " + node + "\n" + minimal }

func TestWatcher(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "rampart.yaml", config("one"))
	w, ch := startWatcher(t, path)

	// An edit in place.
	writeFile(t, dir, "rampart.yaml", config("two"))
	if r := next(t, ch); r.err != nil || r.cfg.Node != "two" {
		t.Fatalf("after rewrite: %+v", r)
	}

	// An editor's (or a ConfigMap's) rename over the file.
	tmp := writeFile(t, dir, ".rampart.yaml.tmp", config("three"))
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if r := next(t, ch); r.err != nil || r.cfg.Node != "three" {
		t.Fatalf("after rename: %+v", r)
	}

	// A broken file is reported, and the next good one loads.
	writeFile(t, dir, "rampart.yaml", "waf: {mode: detct}\n"+minimal)
	if r := next(t, ch); r.err == nil || !strings.Contains(r.err.Error(), "waf.mode") {
		t.Fatalf("after a bad edit: %+v", r)
	}
	writeFile(t, dir, "rampart.yaml", config("four"))
	if r := next(t, ch); r.err != nil || r.cfg.Node != "four" {
		t.Fatalf("after the fix: %+v", r)
	}

	// Trigger reloads even though nothing changed.
	w.Trigger()
	if r := next(t, ch); r.err != nil || r.cfg.Node != "four" {
		t.Fatalf("after Trigger: %+v", r)
	}
}

func TestWatcherSymlinkSwap(t *testing.T) {
	// The layout of a Kubernetes ConfigMap volume: rampart.yaml →
	// ..data/rampart.yaml, and an update swaps the ..data symlink.
	dir := t.TempDir()
	v1 := filepath.Join(dir, "..v1")
	v2 := filepath.Join(dir, "..v2")
	for _, d := range []string{v1, v2} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, v1, "rampart.yaml", config("one"))
	writeFile(t, v2, "rampart.yaml", config("two"))
	if err := os.Symlink("..v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "rampart.yaml")
	if err := os.Symlink("..data/rampart.yaml", path); err != nil {
		t.Fatal(err)
	}
	_, ch := startWatcher(t, path)

	if err := os.Symlink("..v2", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if r := next(t, ch); r.err != nil || r.cfg.Node != "two" {
		t.Fatalf("after the symlink swap: %+v", r)
	}
}

func TestWatcherCertificate(t *testing.T) {
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	if err := os.Mkdir(certs, 0o700); err != nil {
		t.Fatal(err)
	}
	writeCert(t, certs)
	path := writeFile(t, dir, "rampart.yaml",
		"listen:\n  https: \":8443\"\ntls:\n  cert_file: certs/cert.pem\n  key_file: certs/key.pem\n"+minimal)
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
	_, ch := startWatcher(t, path)

	writeCert(t, certs) // a renewed certificate
	if r := next(t, ch); r.err != nil || r.cfg.TLS.CertFile != filepath.Join(certs, "cert.pem") {
		t.Fatalf("after certificate renewal: %+v", r)
	}
}
