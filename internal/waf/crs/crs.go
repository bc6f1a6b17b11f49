// Package crs is rampart's optional second WAF engine: Coraza v3 running the
// OWASP Core Rule Set (CRS 4) embedded in the binary, behind the same
// waf.Inspector interface as the native engine, so that users who know CRS
// can run it and so that both engines can be measured side by side.
//
// The engine inspects requests only (phases 1 and 2): response bodies are not
// inspected and no audit log is written. It does not read the request's Body
// stream; it inspects waf.Request.Body, cut to Config.BodyLimit.
//
// An Engine is immutable once built and safe for concurrent use; every
// Inspect call runs its own Coraza transaction.
package crs

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	"github.com/corazawaf/coraza/v3/types"

	"rampart/internal/waf"
	"rampart/internal/waf/detect"
)

// DefaultThreshold is CRS's default inbound anomaly score threshold: one
// critical match (5) blocks.
const DefaultThreshold = 5

// DefaultBodyLimit is how much of a request body the engine gives Coraza
// when Config.BodyLimit is 0. The gateway bounds bodies before inspection,
// so this is a second fence, not the policy.
const DefaultBodyLimit = 1 << 20

// maxExcerpt bounds Finding.Excerpt, in bytes.
const maxExcerpt = 64

// Config configures an Engine.
type Config struct {
	// Paranoia is the CRS paranoia level, 1 to 4; 0 means 1. It sets both
	// tx.blocking_paranoia_level and tx.detection_paranoia_level.
	Paranoia int
	// Threshold is the inbound anomaly score at which a request is
	// blocked (tx.inbound_anomaly_score_threshold); 0 means
	// DefaultThreshold.
	Threshold int
	// Rules holds extra SecLang directives, e.g. the user's exclusions or
	// virtual patches. SecRuleRemoveBy*, SecRuleUpdateTargetBy* and
	// SecRuleUpdateActionBy* directives are placed after the CRS (they
	// must name rules that exist); everything else before it, where CRS
	// expects REQUEST-900 exclusions and tx.* settings.
	Rules string
	// BodyLimit is how many bytes of the request body are inspected; 0
	// means DefaultBodyLimit. Longer bodies are inspected partially, not
	// rejected.
	BodyLimit int64
}

// Engine inspects requests with Coraza and the OWASP CRS.
type Engine struct {
	waf       coraza.WAF
	log       *slog.Logger
	threshold int
	paranoia  int
	bodyLimit int64
}

var _ waf.Inspector = (*Engine)(nil)

// New compiles the CRS with cfg. It takes a tenth of a second or more and
// some megabytes; build one Engine per configuration and share it.
func New(cfg Config, log *slog.Logger) (*Engine, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Paranoia == 0 {
		cfg.Paranoia = 1
	}
	if cfg.Paranoia < 1 || cfg.Paranoia > 4 {
		return nil, fmt.Errorf("crs: paranoia %d: want 1 to 4", cfg.Paranoia)
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = DefaultThreshold
	}
	if cfg.Threshold < 0 {
		return nil, fmt.Errorf("crs: threshold %d: want a positive score", cfg.Threshold)
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.BodyLimit < 0 {
		return nil, fmt.Errorf("crs: body limit %d: want a positive size", cfg.BodyLimit)
	}
	w, err := coraza.NewWAF(coraza.NewWAFConfig().
		WithRootFS(coreruleset.FS).
		WithDirectives(directives(cfg)))
	if err != nil {
		return nil, fmt.Errorf("crs: load rules: %w", err)
	}
	return &Engine{
		waf:       w,
		log:       log,
		threshold: cfg.Threshold,
		paranoia:  cfg.Paranoia,
		bodyLimit: cfg.BodyLimit,
	}, nil
}

// Paranoia returns the engine's paranoia level.
func (e *Engine) Paranoia() int { return e.paranoia }

// Threshold returns the inbound anomaly score at which a request is blocked.
func (e *Engine) Threshold() int { return e.threshold }

// directives assembles the SecLang configuration: Coraza's recommended base,
// our overrides of it, the CRS setup, our tx.* settings, the user's rules
// that must come before the CRS, the CRS, and the user's rules that must
// come after it.
func directives(cfg Config) string {
	before, after := splitRules(cfg.Rules)
	var b strings.Builder
	b.WriteString("Include @coraza.conf-recommended\n")
	// The recommended file ships in DetectionOnly with response body
	// access and a serial audit log; we block, inspect requests only and
	// report through Verdict instead of an audit log. Bodies beyond the
	// limit are inspected partially: the gateway has already decided
	// how large a body may be.
	fmt.Fprintf(&b, `SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess Off
SecAuditEngine Off
SecRequestBodyLimit %[1]d
SecRequestBodyInMemoryLimit %[1]d
SecRequestBodyLimitAction ProcessPartial
Include @crs-setup.conf.example
`, cfg.BodyLimit)
	// tx.allowed_methods adds PUT, PATCH and DELETE to CRS's default
	// (GET HEAD POST OPTIONS): rampart fronts REST APIs, and blocking
	// their methods at paranoia 1 is a false positive, not a defence.
	fmt.Fprintf(&b, `SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%[1]d,setvar:tx.detection_paranoia_level=%[1]d"
SecAction "id:900110,phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold=%[2]d"
SecAction "id:900200,phase:1,pass,t:none,nolog,setvar:'tx.allowed_methods=GET HEAD POST OPTIONS PUT PATCH DELETE'"
`, cfg.Paranoia, cfg.Threshold)
	if before != "" {
		b.WriteString(before)
		b.WriteByte('\n')
	}
	b.WriteString("Include @owasp_crs/*.conf\n")
	if after != "" {
		b.WriteString(after)
		b.WriteByte('\n')
	}
	return b.String()
}

// splitRules splits SecLang text into the directives that must follow the
// CRS (those that modify rules by ID, tag or message) and all others,
// keeping order and comments. Continuation lines (ending in a backslash)
// stay with their directive.
func splitRules(rules string) (before, after string) {
	var b, a strings.Builder
	lines := strings.Split(rules, "\n")
	for i := 0; i < len(lines); i++ {
		stmt := lines[i]
		for strings.HasSuffix(strings.TrimRight(stmt, " \t\r"), `\`) && i+1 < len(lines) {
			i++
			stmt += "\n" + lines[i]
		}
		dst := &b
		word, _, _ := strings.Cut(strings.TrimSpace(stmt), " ")
		if strings.HasPrefix(word, "SecRuleRemoveBy") || strings.HasPrefix(word, "SecRuleUpdateTargetBy") ||
			strings.HasPrefix(word, "SecRuleUpdateActionBy") {
			dst = &a
		}
		dst.WriteString(stmt)
		dst.WriteByte('\n')
	}
	return strings.TrimSpace(b.String()), strings.TrimSpace(a.String())
}

// Inspect runs one Coraza transaction over req and returns its verdict.
// Every rule that scored is a finding; a verdict that is an attack has at
// least one. Errors inside Coraza (a body it cannot buffer) are logged and the verdict
// is whatever was decided before them.
func (e *Engine) Inspect(ctx context.Context, req *waf.Request) waf.Verdict {
	r := req.HTTP
	tx := e.waf.NewTransaction()
	defer func() {
		tx.ProcessLogging()
		if err := tx.Close(); err != nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "close crs transaction", slog.Any("err", err))
		}
	}()

	client, cport := splitAddr(r.RemoteAddr)
	server, sport := "127.0.0.1", 0
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		server, sport = splitAddr(a.String())
	}
	tx.ProcessConnection(client, cport, server, sport)
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	proto := r.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	tx.ProcessURI(uri, r.Method, proto)
	for k, vs := range r.Header {
		for _, v := range vs {
			tx.AddRequestHeader(k, v)
		}
	}
	// net/http moves Host, Content-Length and Transfer-Encoding out of
	// Header; CRS has rules on all three.
	if r.Host != "" {
		tx.AddRequestHeader("Host", r.Host)
		tx.SetServerName(hostOnly(r.Host))
	}
	if r.Header.Get("Content-Length") == "" && (r.ContentLength > 0 || len(req.Body) > 0) {
		n := r.ContentLength
		if n <= 0 {
			n = int64(len(req.Body))
		}
		tx.AddRequestHeader("Content-Length", strconv.FormatInt(n, 10))
	}
	for _, te := range r.TransferEncoding {
		tx.AddRequestHeader("Transfer-Encoding", te)
	}

	if tx.ProcessRequestHeaders() == nil {
		e.processBody(ctx, tx, req.Body)
	}
	return e.verdict(tx, req)
}

// processBody feeds the bounded body to Coraza and runs phase 2.
func (e *Engine) processBody(ctx context.Context, tx types.Transaction, body []byte) {
	if int64(len(body)) > e.bodyLimit {
		body = body[:e.bodyLimit]
	}
	if len(body) > 0 && tx.IsRequestBodyAccessible() {
		it, _, err := tx.WriteRequestBody(body)
		if err != nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "crs request body", slog.Any("err", err))
		}
		if it != nil {
			return
		}
	}
	if _, err := tx.ProcessRequestBody(); err != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "crs request body", slog.Any("err", err))
	}
}

// verdict reads the interruption, the anomaly score and the matched rules.
func (e *Engine) verdict(tx types.Transaction, req *waf.Request) waf.Verdict {
	v := waf.Verdict{Threshold: e.threshold, Score: -1}
	if st, ok := tx.(plugintypes.TransactionState); ok {
		if s := st.Variables().TX().Get("blocking_inbound_anomaly_score"); len(s) > 0 {
			if n, err := strconv.Atoi(s[0]); err == nil {
				v.Score = n
			}
		}
	}
	it := tx.Interruption()
	var q map[string][]string // query arguments, parsed on first need
	sum := 0
	for _, mr := range tx.MatchedRules() {
		md := mr.Rule()
		interrupting := it != nil && it.RuleID == md.ID()
		// Rules without a severity add no score: CRS bookkeeping
		// (922140 counts multipart headers) and the anomaly
		// evaluation, unless one of them is what interrupted the
		// request (a body Coraza could not parse, a user's deny
		// rule). The evaluation restates the other findings.
		if (md.Severity() == types.RuleSeverityUnset && !interrupting) || isEvaluation(md.ID()) {
			continue
		}
		class := classOf(md)
		f := waf.Finding{Match: detect.Match{
			Class:    class,
			Rule:     "crs." + strconv.Itoa(md.ID()),
			Score:    severityScore(md.Severity()),
			Paranoia: paranoiaOf(md),
		}}
		if m := pickMatch(mr.MatchedDatas()); m != nil {
			if q == nil && req.HTTP.URL != nil {
				q = req.HTTP.URL.Query()
			}
			f.Location = location(m.Variable().Name(), m.Key(), q, req.HTTP.Header.Get("Content-Type"))
			f.Excerpt = excerpt(m.Value())
		}
		sum += f.Score
		v.Findings = append(v.Findings, f)
	}
	sort.SliceStable(v.Findings, func(i, j int) bool { return v.Findings[i].Score > v.Findings[j].Score })
	if v.Score < 0 {
		v.Score = sum
	}
	v.Attack = it != nil || v.Score >= e.threshold
	if v.Attack && len(v.Findings) == 0 {
		// An attack verdict always names a reason: the stage acts
		// on findings. Rules that score without being recorded
		// (nolog) leave only the interruption to name.
		id := 949110
		if it != nil {
			id = it.RuleID
		}
		v.Findings = append(v.Findings, waf.Finding{Match: detect.Match{
			Class: idClass(id), Rule: "crs." + strconv.Itoa(id), Score: v.Score, Paranoia: e.paranoia,
		}})
	}
	return v
}

// isEvaluation reports CRS's anomaly evaluation and correlation rules,
// which restate other matches rather than find anything.
func isEvaluation(id int) bool {
	return (id >= 949000 && id < 950000) || (id >= 959000 && id < 960000) || (id >= 980000 && id < 981000)
}

// pickMatch chooses the matched data that best locates a rule's match:
// the first one of the rule itself (not of a chained rule) that is not a
// TX variable, else the first one.
func pickMatch(ms []types.MatchData) types.MatchData {
	for _, m := range ms {
		if m.ChainLevel() == 0 && m.Variable().Name() != "TX" {
			return m
		}
	}
	for _, m := range ms {
		if m.Variable().Name() != "TX" {
			return m
		}
	}
	if len(ms) > 0 {
		return ms[0]
	}
	return nil
}

// severityScore maps a CRS severity to the anomaly score CRS adds for it.
func severityScore(s types.RuleSeverity) int {
	switch s {
	case types.RuleSeverityEmergency, types.RuleSeverityAlert, types.RuleSeverityCritical:
		return 5
	case types.RuleSeverityError:
		return 4
	case types.RuleSeverityWarning:
		return 3
	case types.RuleSeverityNotice:
		return 2
	}
	return 0
}

// paranoiaOf reads the "paranoia-level/N" tag; rules without one count as
// level 1.
func paranoiaOf(md types.RuleMetadata) int {
	for _, t := range md.Tags() {
		if rest, ok := strings.CutPrefix(t, "paranoia-level/"); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= 4 {
				return n
			}
		}
	}
	return 1
}

// location turns a Coraza variable and key into a waf.Finding location.
// ARGS does not say whether an argument came from the query or the body:
// it is named query:KEY when the query has KEY, else after the body type.
// Keys are attacker-controlled (a body that is not what its type says
// becomes one long argument name): they are cut like excerpts.
func location(variable, key string, query map[string][]string, contentType string) string {
	if _, ok := query[key]; ok && variable == "ARGS" {
		return "query:" + excerpt(key)
	}
	key = excerpt(key)
	lower := strings.ToLower(key)
	switch variable {
	case "ARGS_GET":
		return "query:" + key
	case "ARGS_GET_NAMES":
		return "argname:" + key
	case "ARGS", "ARGS_POST":
		return bodyArg(key, contentType)
	case "ARGS_NAMES", "ARGS_POST_NAMES":
		return "argname:" + key
	case "ARGS_PATH":
		return "path:" + key
	case "REQUEST_HEADERS":
		return "header:" + lower
	case "REQUEST_HEADERS_NAMES":
		return "header-name:" + lower
	case "REQUEST_COOKIES":
		return "cookie:" + key
	case "REQUEST_COOKIES_NAMES":
		return "cookie-name:" + key
	case "REQUEST_FILENAME", "REQUEST_BASENAME", "REQUEST_URI", "REQUEST_URI_RAW", "PATH_INFO":
		return "path"
	case "QUERY_STRING":
		return "query"
	case "REQUEST_LINE":
		return "request-line"
	case "REQUEST_METHOD":
		return "method"
	case "REQUEST_PROTOCOL":
		return "protocol"
	case "REQUEST_BODY":
		return "body"
	case "XML":
		if key == "" {
			return "xml"
		}
		return "xml:" + key
	case "FILES", "FILES_NAMES":
		return "filename:" + key
	case "MULTIPART_PART_HEADERS":
		if key == "" {
			return "multipart-header"
		}
		return "multipart-header:" + key
	}
	if key == "" {
		return strings.ToLower(variable)
	}
	return strings.ToLower(variable) + ":" + key
}

// bodyArg names a body argument: Coraza flattens JSON keys as "json.a.b".
func bodyArg(key, contentType string) string {
	ct := strings.ToLower(contentType)
	if rest, ok := strings.CutPrefix(key, "json."); ok && strings.Contains(ct, "json") {
		return "json:$." + rest
	}
	if key == "json" && strings.Contains(ct, "json") {
		return "json:$"
	}
	return "form:" + key
}

// excerpt bounds a matched value to maxExcerpt bytes at a rune boundary and
// blanks control characters so it can be logged on one line.
func excerpt(s string) string {
	if len(s) > maxExcerpt {
		n := maxExcerpt
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// splitAddr splits "host:port", defaulting to 127.0.0.1 and port 0 when the
// address is missing or malformed.
func splitAddr(addr string) (string, int) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return "127.0.0.1", 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// hostOnly drops a port from a Host header value.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}
