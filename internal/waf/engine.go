package waf

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"rampart/internal/request"
	"rampart/internal/waf/decode"
	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/cmdi"
	"rampart/internal/waf/detect/crlf"
	"rampart/internal/waf/detect/jndi"
	"rampart/internal/waf/detect/ldapi"
	"rampart/internal/waf/detect/nosqli"
	"rampart/internal/waf/detect/scanner"
	"rampart/internal/waf/detect/sqli"
	"rampart/internal/waf/detect/ssi"
	"rampart/internal/waf/detect/ssrf"
	"rampart/internal/waf/detect/ssti"
	"rampart/internal/waf/detect/traversal"
	"rampart/internal/waf/detect/xss"
	"rampart/internal/waf/detect/xxe"
	"rampart/internal/waf/extract"
)

// Config configures the native engine. The zero value is the default:
// paranoia 1, threshold 5, 1 MiB of body inspected.
type Config struct {
	// Paranoia is 1 to 4 (0 means 1): rules above it are off.
	Paranoia int
	// Threshold is the score at which a request is an attack; 0 takes it
	// from the paranoia level (DefaultThreshold).
	Threshold int
	// InspectBodyBytes bounds the body given to the extractor; the stage
	// buffers at most this much (0 means 1 MiB).
	InspectBodyBytes int64
	// Headers are extra header names to inspect.
	Headers []string
	// NoCache turns off the cache of detector results for header values
	// (see headerCache); benchmarks use it to measure cold inspection.
	NoCache bool
	// FileTypes are multipart file content types whose content is
	// inspected; nil means DefaultFileTypes, an empty list none.
	FileTypes []string
	// Exclusions turn findings off.
	Exclusions []Exclusion
	// Rules are custom rules.
	Rules []Rule
}

// DefaultThreshold is the threshold for a paranoia level when none is set.
func DefaultThreshold(paranoia int) int {
	switch paranoia {
	case 3:
		return 4
	case 4:
		return 3
	}
	return 5
}

// DefaultInspectBodyBytes is how much body is inspected unless configured.
const DefaultInspectBodyBytes = 1 << 20

// Engine is rampart's native inspector: extract, decode, detect, score.
// It is immutable and safe for concurrent use.
type Engine struct {
	paranoia  int
	threshold int
	detectors []detect.Detector
	excl      []exclusion
	rules     []rule
	ext       extract.Config
	body      int
	log       *slog.Logger
	scratch   sync.Pool
	cache     *headerCache // nil when Config.NoCache
}

var _ Inspector = (*Engine)(nil)

// scratch holds the per-request buffers an inspection reuses.
type scratch struct {
	dec      decode.Decoder
	targets  []extract.Target
	variants []string
	matches  []detect.Match
	best     []located
	raw      []located // every detector match of a header value, for the cache
}

// located is a match with the variant it was found in.
type located struct {
	m       detect.Match
	variant string
}

// DefaultFileTypes are the uploaded files whose content is inspected when
// the config names none: the XML family, where uploads carry XXE and
// script (an SVG avatar with an external entity or an onload handler).
// Other types are data the application stores, not markup a parser reads.
var DefaultFileTypes = []string{"image/svg+xml", "application/xml", "text/xml", "application/xhtml+xml"}

// New builds an engine for cfg. Errors name the offending exclusion or
// rule; config validation reports the same problems with file:line first.
func New(cfg Config, log *slog.Logger) (*Engine, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := cfg.Paranoia
	if p == 0 {
		p = 1
	}
	if p < 1 || p > 4 {
		return nil, fmt.Errorf("waf: paranoia %d is not 1-4", p)
	}
	th := cfg.Threshold
	if th == 0 {
		th = DefaultThreshold(p)
	}
	if th < 1 {
		return nil, fmt.Errorf("waf: threshold %d is below 1", th)
	}
	body := cfg.InspectBodyBytes
	if body <= 0 {
		body = DefaultInspectBodyBytes
	}
	files := cfg.FileTypes
	if files == nil {
		files = DefaultFileTypes
	}
	e := &Engine{
		paranoia:  p,
		threshold: th,
		detectors: Detectors(),
		body:      int(min(body, 64<<20)),
		log:       log.With("component", "waf"),
		ext: extract.Config{
			// Every header but the ones that cannot carry a payload to the
			// application (extract's fixed list): attacks ride in custom
			// headers (X-Api-Version for Log4Shell) as often as in
			// User-Agent.
			AllHeaders: true,
			Headers:    cfg.Headers,
			FileTypes:  files,
		},
	}
	for i, x := range cfg.Exclusions {
		c, err := compileExclusion(x)
		if err != nil {
			return nil, fmt.Errorf("waf: exclusion %d: %w", i, err)
		}
		e.excl = append(e.excl, c)
	}
	for i, r := range cfg.Rules {
		c, err := compileRule(r, th)
		if err != nil {
			return nil, fmt.Errorf("waf: rule %d (%s): %w", i, r.ID, err)
		}
		e.rules = append(e.rules, c)
	}
	if !cfg.NoCache {
		e.cache = newHeaderCache()
	}
	e.scratch.New = func() any { return new(scratch) }
	return e, nil
}

// Detectors returns one of each native detector, in a fixed order.
func Detectors() []detect.Detector {
	return []detect.Detector{
		sqli.New(), xss.New(), cmdi.New(), traversal.New(), ssi.New(), ssrf.New(), xxe.New(),
		nosqli.New(), ssti.New(), ldapi.New(), crlf.New(), jndi.New(), scanner.New(),
	}
}

// Paranoia returns the engine's paranoia level.
func (e *Engine) Paranoia() int { return e.paranoia }

// Threshold returns the engine's attack threshold.
func (e *Engine) Threshold() int { return e.threshold }

// window is how much of a long value one detector call sees, and overlap
// how much consecutive windows share so a payload on a border is whole in
// one of them.
const (
	window  = detect.MaxValue
	overlap = 1024
)

// Inspect inspects req and returns the verdict.
func (e *Engine) Inspect(ctx context.Context, req *Request) Verdict {
	sc := e.scratch.Get().(*scratch)
	defer e.scratch.Put(sc)

	ext := e.ext
	if info := request.FromContext(ctx); info != nil {
		ext.TrustedPeer = info.TrustedPeer
	}
	body, truncated := req.Body, req.Truncated
	if len(body) > e.body {
		body, truncated = body[:e.body], true
	}
	var facts extract.Facts
	sc.targets, facts = extract.Request(req.HTTP, body, &ext, sc.targets[:0])

	v := Verdict{Threshold: e.threshold}
	best := 0
	for i := range sc.targets {
		t := &sc.targets[i]
		score := e.inspectTarget(sc, t, &v)
		if score > best {
			best = score
		}
	}
	best += e.facts(facts, truncated, &v)
	v.Score = best
	v.Attack = best >= e.threshold
	if len(v.Findings) > 1 {
		sort.SliceStable(v.Findings, func(i, j int) bool { return v.Findings[i].Score > v.Findings[j].Score })
	}
	return v
}

// inspectTarget runs the detectors over every decoded variant of t (in
// windows when it is long), keeps the strongest match per rule, applies
// paranoia, exclusions and custom rules, appends findings to v and returns
// the target's score: the sum of its distinct rules' scores.
func (e *Engine) inspectTarget(sc *scratch, t *extract.Target, v *Verdict) int {
	sc.best = sc.best[:0]
	val := t.Value
	var key cacheKey
	cache := e.cache != nil && t.Kind == detect.KindHeader && len(val) >= cacheValueMin && len(val) <= cacheValueMax &&
		!wellFormedHeader(t.Name, val)
	if cache {
		key = cacheKey{t.Name, val}
		if c := e.cache.get(key); c != nil {
			for _, m := range c.matches {
				e.keep(sc, m.m, m.variant, t.Loc)
			}
			e.custom(sc, t, c.variants)
			return e.score(sc, t, v)
		}
		sc.raw = sc.raw[:0]
	}
	for off := 0; ; off += window - overlap {
		end := min(off+window, len(val))
		part := val[off:end]
		sc.variants = sc.dec.Variants(part, t.Kind, sc.variants[:0])
		skip := t.Kind == detect.KindHeader && wellFormedHeader(t.Name, part)
		for _, vr := range sc.variants {
			if skip || boring(vr) {
				continue
			}
			in := detect.Input{Value: vr, Raw: part, Kind: t.Kind, Name: t.Name}
			sc.matches = sc.matches[:0]
			for _, d := range e.detectors {
				sc.matches = d.Detect(&in, sc.matches)
			}
			for _, m := range sc.matches {
				e.keep(sc, m, vr, t.Loc)
				if cache {
					sc.raw = append(sc.raw, located{m, vr})
				}
			}
		}
		e.custom(sc, t, sc.variants)
		if end == len(val) {
			break
		}
	}
	if cache {
		e.cache.put(key, sc.variants, sc.raw)
	}
	return e.score(sc, t, v)
}

// custom applies the custom rules that target t to its variants.
func (e *Engine) custom(sc *scratch, t *extract.Target, variants []string) {
	for i := range e.rules {
		r := &e.rules[i]
		if !r.target.matchLoc(t.Loc) {
			continue
		}
		for _, vr := range variants {
			if off, n, ok := r.match(vr); ok {
				m := detect.Match{Class: detect.Custom, Rule: "custom." + r.id, Score: r.score, Paranoia: 1, Off: off, Len: n}
				e.keep(sc, m, vr, t.Loc)
				break
			}
		}
	}
}

// score appends the findings kept for t to v and returns t's score: the sum
// of its distinct rules' scores.
func (e *Engine) score(sc *scratch, t *extract.Target, v *Verdict) int {
	score := 0
	for _, b := range sc.best {
		score += b.m.Score
		v.Findings = append(v.Findings, Finding{Match: b.m, Location: t.Loc, Excerpt: excerpt(b.variant, b.m, t)})
	}
	return score
}

// keep records m unless paranoia or an exclusion turns it off; of several
// matches of one rule in a target, the strongest is kept.
func (e *Engine) keep(sc *scratch, m detect.Match, variant, loc string) {
	if m.Paranoia > e.paranoia || m.Score <= 0 && m.Class != detect.Custom {
		return
	}
	for i := range e.excl {
		if e.excl[i].match(m, loc) {
			return
		}
	}
	for i := range sc.best {
		if sc.best[i].m.Rule == m.Rule {
			if m.Score > sc.best[i].m.Score {
				sc.best[i] = located{m, variant}
			}
			return
		}
	}
	sc.best = append(sc.best, located{m, variant})
}

// Scores of request-level facts. Only introspection blocks alone; the
// others add to the strongest target's score.
const (
	scoreMalformed = 2 // a body that does not parse as its declared type
	scoreTruncated = 0 // informational: the rest of the body was not inspected
	scoreTooMany   = 2 // more values than the extractor inspects
	// A GraphQL introspection query maps the whole API for an attacker;
	// production servers turn it off (Apollo does by default), so it
	// blocks. Development tools that need it get an exclusion of rule
	// protocol.graphql-introspection.
	scoreIntrospection = 5
)

// facts turns the extractor's request-level facts into findings and
// returns their score.
func (e *Engine) facts(f extract.Facts, truncated bool, v *Verdict) int {
	score := 0
	add := func(rule string, s int, loc string) {
		m := detect.Match{Class: detect.Protocol, Rule: rule, Score: s, Paranoia: 1}
		for i := range e.excl {
			if e.excl[i].match(m, loc) {
				return
			}
		}
		score += s
		v.Findings = append(v.Findings, Finding{Match: m, Location: loc})
	}
	if f.Malformed {
		add("protocol.malformed-body", scoreMalformed, "body")
	}
	if f.TooManyTargets {
		add("protocol.too-many-values", scoreTooMany, "body")
	}
	if truncated {
		add("protocol.body-not-inspected-past-limit", scoreTruncated, "body")
	}
	if f.GraphQLIntrospection {
		add("protocol.graphql-introspection", scoreIntrospection, "graphql")
	}
	return score
}

// boring reports whether no detector could find anything in s: short
// values of letters, digits and a few punctuation marks that no attack
// syntax can be built from.
func boring(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' {
			continue
		}
		return false
	}
	return true
}

// excerptMax bounds an excerpt.
const excerptMax = 64

// excerpt returns up to excerptMax bytes of the variant around the match,
// with control bytes shown as '.', or "[redacted]" for values whose name
// says they are secret. Long runs of digits (card numbers) are masked.
func excerpt(variant string, m detect.Match, t *extract.Target) string {
	if sensitive(t.Name) {
		return "[redacted]"
	}
	start, end := 0, len(variant)
	if m.Len > 0 && m.Off >= 0 && m.Off < len(variant) {
		start = max(0, m.Off-16)
		end = min(len(variant), m.Off+m.Len)
	}
	if end-start > excerptMax {
		end = start + excerptMax
	}
	var b strings.Builder
	digits := 0
	for i := start; i < end; i++ {
		c := variant[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 6 {
				c = '*'
			}
		case c < 0x20 || c == 0x7f:
			digits = 0
			c = '.'
		default:
			digits = 0
		}
		b.WriteByte(c)
	}
	return strings.ToValidUTF8(b.String(), "?")
}

// sensitive reports whether a parameter, header or cookie name says its
// value is a secret that must not be copied into events.
func sensitive(name string) bool {
	n := strings.ToLower(name)
	for _, s := range [...]string{"pass", "pwd", "secret", "token", "auth", "session", "sessid", "sid", "csrf", "xsrf", "api_key", "apikey", "api-key", "jwt", "cookie", "card", "cvv", "ssn"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
