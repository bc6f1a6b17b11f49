package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rampart/internal/waf"
	"rampart/internal/waf/crs"
)

// set is a named list of samples.
type set struct {
	Name    string
	Samples []sample
}

// result is what one engine made of one sample.
type result struct {
	Flagged bool
	Skipped bool   // the request could not be built or sent
	Status  int    // gateway: the response status
	Why     string // findings (in-process), status (gateway) or why it was skipped
}

// engineRun is one engine in one mode over every set.
type engineRun struct {
	Engine, Mode string
	Results      map[string][]result // by set name, aligned with its samples
	Elapsed      map[string]time.Duration
	Statuses     map[int]int // gateway: responses by status code
}

func (r *engineRun) label() string { return r.Engine + " " + r.Mode }

// engine is what both inspectors offer.
type engine interface {
	Inspect(ctx context.Context, req *waf.Request) waf.Verdict
}

// newEngine builds the named engine at a paranoia level.
func newEngine(name string, paranoia int, log *slog.Logger) (engine, error) {
	switch name {
	case "native":
		e, err := waf.New(waf.Config{Paranoia: paranoia}, log)
		if err != nil {
			return nil, fmt.Errorf("native engine: %w", err)
		}
		return e, nil
	case "crs":
		e, err := crs.New(crs.Config{Paranoia: paranoia}, log)
		if err != nil {
			return nil, fmt.Errorf("crs engine: %w", err)
		}
		return e, nil
	}
	return nil, fmt.Errorf("unknown engine %q: want native or crs", name)
}

// clientAddr is the peer address in-process requests come from.
const clientAddr = "203.0.113.7:50312"

// runInProcess inspects every sample with e in one goroutine, timing only
// the Inspect calls.
func runInProcess(ctx context.Context, name string, e engine, sets []set, progress *slog.Logger) (*engineRun, error) {
	r := &engineRun{Engine: name, Mode: "in-process", Results: map[string][]result{}, Elapsed: map[string]time.Duration{}}
	base := "http://" + evalHost
	for _, st := range sets {
		res := make([]result, len(st.Samples))
		var elapsed time.Duration
		last := time.Now()
		for i := range st.Samples {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("in-process %s: %w", name, err)
			}
			s := &st.Samples[i]
			req, err := s.request(ctx, base)
			if err != nil {
				res[i] = result{Skipped: true, Why: err.Error()}
				continue
			}
			req.RequestURI = req.URL.RequestURI()
			req.RemoteAddr = clientAddr
			wr := &waf.Request{HTTP: req, Body: s.Body}
			t0 := time.Now()
			v := e.Inspect(ctx, wr)
			elapsed += time.Since(t0)
			res[i] = result{Flagged: v.Attack, Why: findings(v)}
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				progress.Info("in-process", "engine", name, "set", st.Name, "done", i+1, "of", len(st.Samples))
			}
		}
		r.Results[st.Name] = res
		r.Elapsed[st.Name] = elapsed
	}
	return r, nil
}

// findings summarises a verdict for the miss lists: score and the first
// three rules with their locations.
func findings(v waf.Verdict) string {
	var b strings.Builder
	fmt.Fprintf(&b, "score %d", v.Score)
	for i, f := range v.Findings {
		if i == 3 {
			fmt.Fprintf(&b, " +%d", len(v.Findings)-3)
			break
		}
		fmt.Fprintf(&b, "; %s@%s", f.Rule, f.Location)
	}
	return b.String()
}

// gatewayOptions configures gateway mode.
type gatewayOptions struct {
	Binary      string        // rampart binary; built when empty
	Paranoia    int           // --waf-paranoia
	Args        []string      // extra arguments to "rampart proxy"
	Concurrency int           // requests in flight
	Timeout     time.Duration // bound on the whole run of one engine
}

// buildRampart builds ./cmd/rampart into dir and returns the binary's path.
func buildRampart(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "rampart")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/rampart") // #nosec G204 -- fixed command, output in our temp dir
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/rampart: %w\n%s", err, out)
	}
	return bin, nil
}

// upstream is a loopback server that answers 200 to everything.
func upstream() (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("listen for upstream: %w", err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "ok\n")
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

// freeAddr finds a free loopback port. Another process may take it before
// rampart binds it; startGateway then fails and says so.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}

// gateway is a running "rampart proxy".
type gateway struct {
	cmd  *exec.Cmd
	addr string
	logf *os.File
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done
}

// startGateway starts rampart proxy with the engine in front of up and
// waits until it answers.
func startGateway(ctx context.Context, bin, engineName, up, logDir string, paranoia int, args []string) (*gateway, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(logDir, "rampart-"+engineName+".log")) // #nosec G304 G703 -- our temp dir; engine names are checked flags
	if err != nil {
		return nil, fmt.Errorf("gateway log: %w", err)
	}
	argv := append([]string{"proxy", "--from", addr, "--to", up,
		"--waf", "block", "--waf-engine", engineName, "--waf-paranoia", strconv.Itoa(paranoia)}, args...)
	cmd := exec.Command(bin, argv...) // #nosec G204 G702 -- the rampart binary we built or the user named
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("start rampart proxy: %w", err)
	}
	g := &gateway{cmd: cmd, addr: addr, logf: logf, done: make(chan struct{})}
	go func() {
		g.err = cmd.Wait()
		close(g.done)
	}()

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
		req.Host = evalHost
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			return g, nil
		}
		select {
		case <-g.done:
			_ = logf.Close()
			return nil, fmt.Errorf("rampart proxy --waf-engine %s exited (%v) before serving:\n%s", engineName, g.err, tail(logf.Name()))
		case <-ctx.Done():
			g.stop()
			return nil, fmt.Errorf("start rampart proxy: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			g.stop()
			return nil, fmt.Errorf("rampart proxy --waf-engine %s did not answer on %s within 60s:\n%s", engineName, addr, tail(logf.Name()))
		}
	}
}

// stop interrupts the gateway, and kills it if it has not stopped after
// ten seconds.
func (g *gateway) stop() {
	_ = g.cmd.Process.Signal(os.Interrupt)
	select {
	case <-g.done:
	case <-time.After(10 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.done
	}
	_ = g.logf.Close()
}

// tail returns the last lines of a log file.
func tail(name string) string {
	b, err := os.ReadFile(name) // #nosec G304 G703 -- the log file we created
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// runGateway sends every sample through a rampart proxy running the
// engine: 403 is blocked, any other answer passed.
func runGateway(ctx context.Context, bin, engineName, up, logDir string, sets []set, o gatewayOptions, progress *slog.Logger) (*engineRun, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	g, err := startGateway(ctx, bin, engineName, up, logDir, o.Paranoia, o.Args)
	if err != nil {
		return nil, err
	}
	defer g.stop()

	client := &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        o.Concurrency,
			MaxIdleConnsPerHost: o.Concurrency,
			DisableCompression:  true,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	defer client.CloseIdleConnections()

	r := &engineRun{Engine: engineName, Mode: "gateway", Results: map[string][]result{}, Elapsed: map[string]time.Duration{}, Statuses: map[int]int{}}
	var mu sync.Mutex
	base := "http://" + g.addr
	for _, st := range sets {
		res := make([]result, len(st.Samples))
		var next atomic.Int64
		var wg sync.WaitGroup
		t0 := time.Now()
		stopProgress := make(chan struct{})
		go func() {
			t := time.NewTicker(10 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					progress.Info("gateway", "engine", engineName, "set", st.Name, "sent", min(next.Load(), int64(len(res))), "of", len(res))
				case <-stopProgress:
					return
				}
			}
		}()
		for range o.Concurrency {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= len(st.Samples) || ctx.Err() != nil {
						return
					}
					res[i] = send(ctx, client, base, &st.Samples[i])
					if !res[i].Skipped {
						mu.Lock()
						r.Statuses[res[i].Status]++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		close(stopProgress)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("gateway %s on %s: stopped after %s: %w", engineName, st.Name, o.Timeout, err)
		}
		select {
		case <-g.done:
			return nil, fmt.Errorf("rampart proxy --waf-engine %s exited during the run (%v):\n%s", engineName, g.err, tail(g.logf.Name()))
		default:
		}
		r.Results[st.Name] = res
		r.Elapsed[st.Name] = time.Since(t0)
	}
	return r, nil
}

// send sends one sample and judges the answer.
func send(ctx context.Context, client *http.Client, base string, s *sample) result {
	req, err := s.request(ctx, base)
	if err != nil {
		return result{Skipped: true, Why: err.Error()}
	}
	resp, err := client.Do(req) // #nosec G704 -- the gateway we started on loopback
	if err != nil {
		return result{Skipped: true, Why: err.Error()}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return result{Flagged: resp.StatusCode == http.StatusForbidden, Status: resp.StatusCode,
		Why: fmt.Sprintf("status %d", resp.StatusCode)}
}
