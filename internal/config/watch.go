package config

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher reloads a config file when it, or a file it names (TLS
// certificate and key, upstream CA files, ${file:…} secrets), changes, and
// when Trigger is called.
//
// It watches directories rather than files, because editors and
// Kubernetes ConfigMap and Secret volumes replace files by rename or by
// swapping a symlink, which a watch on the file itself would not survive.
// Events are debounced, and a reload happens only when the content of the
// watched files changed, so unrelated activity in the directories costs
// little. A Watcher is used by one goroutine calling Run; Trigger is safe
// to call from any goroutine.
type Watcher struct {
	path     string
	log      *slog.Logger
	onChange func(*Config, error)
	fsw      *fsnotify.Watcher
	trigger  chan struct{}
	debounce time.Duration

	files []string        // files whose content decides a reload
	names map[string]bool // their base names, to filter events
	dirs  map[string]bool // directories watched
	sum   [sha256.Size]byte
}

// NewWatcher returns a Watcher for the config file at path. It records
// the current contents, so create it right after the initial Load:
// onChange is called for later changes only. onChange receives the new
// config, or nil and the errors of a failed reload, in which case the
// caller keeps serving the old one.
func NewWatcher(path string, log *slog.Logger, onChange func(*Config, error)) (*Watcher, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("watch config: %w", err)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch config: %w", err)
	}
	w := &Watcher{
		path:     abs,
		log:      log,
		onChange: onChange,
		fsw:      fsw,
		trigger:  make(chan struct{}, 1),
		debounce: 200 * time.Millisecond,
		dirs:     map[string]bool{},
	}
	cfg, _ := Load(abs)
	w.setFiles(cfg)
	if err := w.watchDirs(); err != nil {
		_ = fsw.Close()
		return nil, err
	}
	w.sum = w.fingerprint()
	return w, nil
}

// Trigger asks Run to reload now and call onChange even if nothing
// changed (rampart calls it on SIGHUP). It does not block.
func (w *Watcher) Trigger() {
	select {
	case w.trigger <- struct{}{}:
	default:
	}
}

// Run watches until ctx ends, then releases the watches and returns nil.
// It returns an error only when the file system watch fails for good.
func (w *Watcher) Run(ctx context.Context) error {
	defer w.fsw.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return errors.New("watch config: event stream closed")
			}
			if w.relevant(ev) {
				timer.Reset(w.debounce)
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return errors.New("watch config: event stream closed")
			}
			// An overflow loses events; reload in case one was ours.
			w.log.Warn("config watch error", slog.String("err", err.Error()))
			timer.Reset(w.debounce)
		case <-w.trigger:
			w.reload(true)
		case <-timer.C:
			w.reload(false)
		}
	}
}

// relevant reports whether ev may concern a watched file: one of their
// names, or a Kubernetes volume's "..data" symlink swap.
func (w *Watcher) relevant(ev fsnotify.Event) bool {
	base := filepath.Base(ev.Name)
	return w.names[base] || strings.HasPrefix(base, "..")
}

func (w *Watcher) reload(force bool) {
	sum := w.fingerprint()
	if !force && sum == w.sum {
		return
	}
	cfg, err := Load(w.path)
	if err != nil {
		w.log.Warn("config reload failed; keeping the running config", slog.String("path", w.path), slog.String("err", err.Error()))
		w.sum = sum // report a broken file once, not on every event
		w.onChange(nil, err)
		return
	}
	w.setFiles(cfg)
	if err := w.watchDirs(); err != nil {
		w.log.Warn("config watch incomplete", slog.String("err", err.Error()))
	}
	w.sum = w.fingerprint()
	w.log.Info("config reloaded", slog.String("path", w.path))
	w.onChange(cfg, nil)
}

// setFiles sets the watched files to the config file and, when cfg is not
// nil, the files it names.
func (w *Watcher) setFiles(cfg *Config) {
	files := []string{w.path}
	if cfg != nil {
		if cfg.Listen.HTTPS != "" {
			files = append(files, cfg.TLS.CertFile, cfg.TLS.KeyFile)
		}
		files = append(files, cfg.Upstream.CAFile)
		for _, r := range cfg.Routes {
			files = append(files, r.Upstream.CAFile)
		}
		files = append(files, cfg.files...)
	} else {
		files = append(files, w.files[min(1, len(w.files)):]...) // keep the last known ones
	}
	w.files = w.files[:0]
	w.names = map[string]bool{}
	seen := map[string]bool{}
	for _, f := range files {
		if f == "" {
			continue
		}
		if abs, err := filepath.Abs(f); err == nil {
			f = abs
		}
		if !seen[f] {
			seen[f] = true
			w.files = append(w.files, f)
			w.names[filepath.Base(f)] = true
		}
	}
}

func (w *Watcher) watchDirs() error {
	var errs []error
	for _, f := range w.files {
		dir := filepath.Dir(f)
		if w.dirs[dir] {
			continue
		}
		if err := w.fsw.Add(dir); err != nil {
			errs = append(errs, fmt.Errorf("watch %s: %w", dir, err))
			continue
		}
		w.dirs[dir] = true
	}
	return errors.Join(errs...)
}

// fingerprint hashes the watched files' contents (following symlinks).
func (w *Watcher) fingerprint() [sha256.Size]byte {
	h := sha256.New()
	for _, f := range w.files {
		fmt.Fprintf(h, "%s\x00", f)
		file, err := os.Open(f) // #nosec G304 -- files named by the operator's config
		if err != nil {
			fmt.Fprintf(h, "error: %v\x00", err)
			continue
		}
		n, err := io.Copy(h, io.LimitReader(file, MaxFileSize+1))
		_ = file.Close()
		fmt.Fprintf(h, "\x00%d %v\x00", n, err)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
