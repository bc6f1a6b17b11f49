package waf

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"rampart/internal/events"
	"rampart/internal/request"
)

// Mode is what the stage does with an attack.
type Mode string

// Modes.
const (
	ModeBlock  Mode = "block"  // answer 403
	ModeDetect Mode = "detect" // log and pass
	ModeOff    Mode = "off"    // no inspection
)

// StageConfig configures the WAF stage of one route.
type StageConfig struct {
	Mode Mode
	// Inspector is the engine (native or CRS).
	Inspector Inspector
	// Engine names the engine in events ("native", "crs").
	Engine string
	// InspectBodyBytes is how much body is buffered and inspected
	// (0 means DefaultInspectBodyBytes).
	InspectBodyBytes int64
	// RefuseOversize answers 413 to bodies longer than InspectBodyBytes;
	// otherwise the prefix is inspected and the rest passes unread.
	RefuseOversize bool
}

// Stage is the WAF as an http.Handler wrapper.
type Stage struct {
	cfg    StageConfig
	bus    *events.Bus
	log    *slog.Logger
	failer request.Failer
	bufs   sync.Pool
}

// NewStage returns the stage for cfg, publishing detections to bus (may be
// nil).
func NewStage(cfg StageConfig, bus *events.Bus, log *slog.Logger) *Stage {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.InspectBodyBytes <= 0 {
		cfg.InspectBodyBytes = DefaultInspectBodyBytes
	}
	if cfg.Engine == "" {
		cfg.Engine = "native"
	}
	log = log.With("component", "waf")
	s := &Stage{cfg: cfg, bus: bus, log: log, failer: request.Failer{Log: log}}
	s.bufs.New = func() any { return new(bytes.Buffer) }
	return s
}

// Handler wraps next with inspection.
func (s *Stage) Handler(next http.Handler) http.Handler {
	if s.cfg.Mode == ModeOff || s.cfg.Inspector == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, next)
	})
}

// maxBodyFindings bounds how many findings go into one event.
const maxEventFindings = 8

func (s *Stage) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	req := Request{HTTP: r}
	var buf *bytes.Buffer
	if hasBody(r) {
		buf = s.bufs.Get().(*bytes.Buffer)
		buf.Reset()
		defer func() {
			if buf.Cap() <= 1<<20 {
				s.bufs.Put(buf)
			}
		}()
		limit := s.cfg.InspectBodyBytes
		n, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.failer.Fail(w, r, http.StatusRequestEntityTooLarge, nil)
				return
			}
			// The client went away or sent a broken body: nothing to
			// forward.
			s.failer.Fail(w, r, http.StatusBadRequest, nil)
			return
		}
		body := buf.Bytes()
		if n > limit {
			if s.cfg.RefuseOversize {
				s.publish(r, events.RequestRejected, events.SeverityLow, "request body longer than the WAF inspects", map[string]string{
					"status": "413", "inspect_body_bytes": strconv.FormatInt(limit, 10), "engine": s.cfg.Engine,
				})
				s.failer.Fail(w, r, http.StatusRequestEntityTooLarge, nil)
				return
			}
			req.Body, req.Truncated = body[:limit], true
			// The upstream gets every byte: what was read, then the rest.
			r.Body = readCloser{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		} else {
			req.Body = body
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
	}
	v := s.cfg.Inspector.Inspect(r.Context(), &req)
	if len(v.Findings) == 0 {
		next.ServeHTTP(w, r)
		return
	}
	if v.Attack && s.cfg.Mode == ModeBlock {
		s.report(r, events.WAFBlocked, events.SeverityHigh, "request blocked by the WAF", &v)
		s.failer.Fail(w, r, http.StatusForbidden, nil)
		return
	}
	sev := events.SeverityLow
	msg := "suspicious request passed"
	if v.Attack {
		sev, msg = events.SeverityMedium, "attack detected and passed (detect mode)"
	}
	if v.Score > 0 || v.Attack {
		s.report(r, events.WAFDetected, sev, msg, &v)
	}
	next.ServeHTTP(w, r)
}

// report publishes one event for the verdict and logs it.
func (s *Stage) report(r *http.Request, t events.Type, sev events.Severity, msg string, v *Verdict) {
	f := v.Findings[0]
	d := map[string]string{
		"engine":    s.cfg.Engine,
		"mode":      string(s.cfg.Mode),
		"score":     strconv.Itoa(v.Score),
		"threshold": strconv.Itoa(v.Threshold),
		"class":     string(f.Class),
		"rule":      f.Rule,
		"location":  f.Location,
		"excerpt":   f.Excerpt,
		"method":    r.Method,
		"path":      truncate(r.URL.Path, 256),
	}
	var all strings.Builder
	for i, f := range v.Findings {
		if i == maxEventFindings {
			all.WriteString(" …")
			break
		}
		if i > 0 {
			all.WriteString(", ")
		}
		all.WriteString(f.Rule)
		all.WriteString("@")
		all.WriteString(f.Location)
		all.WriteString("=")
		all.WriteString(strconv.Itoa(f.Score))
	}
	d["findings"] = all.String()
	s.publish(r, t, sev, msg, d)
	s.log.LogAttrs(r.Context(), slog.LevelWarn, msg, append(request.LogAttrs(r.Context()),
		slog.String("rule", f.Rule), slog.String("class", string(f.Class)), slog.String("location", f.Location),
		slog.Int("score", v.Score), slog.String("engine", s.cfg.Engine))...)
}

func (s *Stage) publish(r *http.Request, t events.Type, sev events.Severity, msg string, d map[string]string) {
	if s.bus != nil {
		s.bus.Publish(events.ForRequest(r.Context(), t, sev, msg, d))
	}
}

// hasBody reports whether r may carry a body.
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// readCloser reads from r and closes c.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (rc readCloser) Close() error { return rc.c.Close() }

func truncate(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}
