// Command eval measures rampart's WAF engines on labeled requests: it
// replays the HttpParams and GoTestWAF data sets and rampart's own corpus
// (internal/waf/testdata/requests) through the native engine and Coraza
// with the OWASP CRS, and prints per data set and attack class how many
// attacks were caught and how many benign requests were blocked, as
// Markdown tables for docs/benchmarks.md (and JSON with -json).
//
// In-process mode builds a waf.Request per sample and calls Inspect in one
// goroutine, which also gives each engine's throughput. Gateway mode builds
// ./cmd/rampart, starts "rampart proxy --waf block --waf-engine E" in front
// of a loopback upstream that answers 200, and sends every sample over
// HTTP; 403 counts as blocked, any other answer as passed.
//
// It is a measurement: it exits 0 whatever the numbers, non-zero only when
// it could not measure.
//
//	go run ./internal/waf/eval                        # both engines, in-process, paranoia 1
//	go run ./internal/waf/eval -engine crs -mode both -misses 10
//	go run ./internal/waf/eval -data corpus -json eval.json
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"rampart/internal/waf/dataset"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	engines     []string
	modes       []string
	paranoia    int
	data        []string
	paramsBody  bool
	datasetDir  string
	corpusDir   string
	perClass    int
	misses      int
	jsonFile    string
	concurrency int
	timeout     time.Duration
	rampart     string
	gatewayArgs []string
	quiet       bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var engines, mode, data, gwArgs string
	o := &options{}
	fs.StringVar(&engines, "engine", "native,crs", "engines to measure: native, crs or both, comma-separated")
	fs.StringVar(&mode, "mode", "inprocess", "inprocess, gateway or both")
	fs.IntVar(&o.paranoia, "paranoia", 1, "paranoia level 1-4")
	fs.StringVar(&data, "data", "httpparams,gotestwaf,corpus", "data sets, comma-separated")
	fs.BoolVar(&o.paramsBody, "httpparams-body", false, "also send each httpparams value as a form field")
	fs.StringVar(&o.datasetDir, "datasets", "", "data set folder (default: $"+dataset.Env+" or ../shared/datasets beside the repository)")
	fs.StringVar(&o.corpusDir, "corpus", "", "corpus folder (default: internal/waf/testdata/requests in the repository)")
	fs.IntVar(&o.perClass, "per-class", 0, "keep at most N samples per data set, class and location (0: all)")
	fs.IntVar(&o.misses, "misses", 0, "list the first N misses and false positives per class")
	fs.StringVar(&o.jsonFile, "json", "", "also write the results as JSON to this file")
	fs.IntVar(&o.concurrency, "concurrency", 8, "gateway: requests in flight")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Minute, "gateway: bound on each engine's run")
	fs.StringVar(&o.rampart, "rampart", "", "gateway: rampart binary to run (default: go build ./cmd/rampart)")
	fs.StringVar(&gwArgs, "gateway-args", "", "gateway: extra arguments to rampart proxy, space-separated")
	fs.BoolVar(&o.quiet, "q", false, "no progress on stderr")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o.engines = splitList(engines)
	for _, e := range o.engines {
		if e != "native" && e != "crs" {
			return nil, fmt.Errorf("-engine %q: want native, crs or both", e)
		}
	}
	switch mode {
	case "inprocess", "in-process":
		o.modes = []string{"inprocess"}
	case "gateway":
		o.modes = []string{"gateway"}
	case "both":
		o.modes = []string{"inprocess", "gateway"}
	default:
		return nil, fmt.Errorf("-mode %q: want inprocess, gateway or both", mode)
	}
	if o.paranoia < 1 || o.paranoia > 4 {
		return nil, fmt.Errorf("-paranoia %d: want 1 to 4", o.paranoia)
	}
	o.data = splitList(data)
	for _, d := range o.data {
		if d != "httpparams" && d != "gotestwaf" && d != "corpus" {
			return nil, fmt.Errorf("-data %q: want httpparams, gotestwaf or corpus", d)
		}
	}
	if len(o.engines) == 0 || len(o.data) == 0 {
		return nil, errors.New("want at least one engine and one data set")
	}
	if o.concurrency < 1 || o.concurrency > 64 {
		return nil, fmt.Errorf("-concurrency %d: want 1 to 64", o.concurrency)
	}
	o.gatewayArgs = strings.Fields(gwArgs)
	return o, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// run is the command; main and the test call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if o.quiet {
		level = slog.LevelError
	}
	progress := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	engineLog := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))

	root, err := moduleRoot()
	if err != nil {
		return err
	}
	sets, err := loadSets(o, root)
	if err != nil {
		return err
	}

	rp := &report{Paranoia: o.paranoia, Command: "go run ./internal/waf/eval " + strings.Join(args, " "), Sets: sets}
	if slices.Contains(o.modes, "inprocess") {
		for _, name := range o.engines {
			t0 := time.Now()
			e, err := newEngine(name, o.paranoia, engineLog)
			if err != nil {
				return err
			}
			progress.Info("engine ready", "engine", name, "took", time.Since(t0).Round(time.Millisecond))
			r, err := runInProcess(ctx, name, e, sets, progress)
			if err != nil {
				return err
			}
			rp.Runs = append(rp.Runs, r)
		}
	}
	if slices.Contains(o.modes, "gateway") {
		runs, err := gatewayRuns(ctx, o, root, sets, progress)
		if err != nil {
			return err
		}
		rp.Runs = append(rp.Runs, runs...)
	}
	rp.markdown(stdout, o.misses)
	if o.jsonFile != "" {
		return rp.writeJSON(o.jsonFile)
	}
	return nil
}

// gatewayRuns builds rampart (unless given), starts the upstream and runs
// each engine behind its own rampart proxy.
func gatewayRuns(ctx context.Context, o *options, root string, sets []set, progress *slog.Logger) ([]*engineRun, error) {
	dir, err := os.MkdirTemp("", "rampart-eval-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bin := o.rampart
	if bin == "" {
		progress.Info("building rampart")
		if bin, err = buildRampart(ctx, root, dir); err != nil {
			return nil, err
		}
	}
	srv, up, err := upstream()
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.Close() }()
	var runs []*engineRun
	for _, name := range o.engines {
		progress.Info("gateway", "engine", name, "upstream", up)
		r, err := runGateway(ctx, bin, name, up, dir, sets,
			gatewayOptions{Paranoia: o.paranoia, Args: o.gatewayArgs, Concurrency: o.concurrency, Timeout: o.timeout}, progress)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// loadSets reads the chosen data sets.
func loadSets(o *options, root string) ([]set, error) {
	var sets []set
	dir := o.datasetDir
	for _, name := range o.data {
		var ss []sample
		var err error
		switch name {
		case "httpparams", "gotestwaf":
			if dir == "" {
				if dir, err = dataset.Dir(); err != nil {
					return nil, fmt.Errorf("find data sets: %w", err)
				}
			}
			if name == "httpparams" {
				ss, err = httpParamsSamples(dir, o.paramsBody)
			} else {
				ss, err = gotestwafSamples(dir)
			}
		case "corpus":
			cdir := o.corpusDir
			if cdir == "" {
				cdir = filepath.Join(root, "internal", "waf", "testdata", "requests")
			}
			ss, err = corpusSamples(cdir)
		}
		if err != nil {
			return nil, err
		}
		sets = append(sets, set{Name: name, Samples: limitPerClass(ss, o.perClass)})
	}
	return sets, nil
}

// moduleRoot is the first parent of the working directory holding go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("find module root: no go.mod above the working directory; run from the repository")
		}
		d = parent
	}
}
