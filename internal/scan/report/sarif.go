package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"rampart/internal/scan"
)

// sarifSchema is the schema URI SARIF files name; code-scanning services
// read it to tell the version.
const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// sarifFingerprint is the partialFingerprints key of Finding.Key: a
// dashboard uses it to match a result across runs, as the baseline does.
const sarifFingerprint = "rampartFindingKey/v1"

// securitySeverity is the CVSS-like score GitHub code scanning reads from
// a rule's "security-severity" property to rank results: 9.0 and above
// is critical, 7.0 high, 4.0 medium, above 0 low.
var securitySeverity = map[scan.Severity]string{
	scan.SeverityCritical: "9.5",
	scan.SeverityHigh:     "8.0",
	scan.SeverityMedium:   "5.5",
	scan.SeverityLow:      "3.0",
	scan.SeverityInfo:     "0.0",
}

// sarifLevel maps a severity to SARIF's result level.
func sarifLevel(s scan.Severity) string {
	switch {
	case s >= scan.SeverityHigh:
		return "error"
	case s == scan.SeverityMedium:
		return "warning"
	}
	return "note"
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool         `json:"tool"`
	Invocations       []sarifInvocation `json:"invocations"`
	AutomationDetails *sarifAutomation  `json:"automationDetails,omitempty"`
	Results           []sarifResult     `json:"results"`
	Properties        map[string]any    `json:"properties,omitempty"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name    string      `json:"name"`
	Version string      `json:"version,omitempty"`
	Rules   []sarifRule `json:"rules"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     sarifMessage       `json:"shortDescription"`
	FullDescription      sarifMessage       `json:"fullDescription"`
	Help                 sarifMessage       `json:"help"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	SecuritySeverity string   `json:"security-severity"`
	Precision        string   `json:"precision,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	StartTimeUTC        string              `json:"startTimeUtc,omitempty"`
	EndTimeUTC          string              `json:"endTimeUtc,omitempty"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string       `json:"level"`
	Message sarifMessage `json:"message"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifResultProps struct {
	Severity         scan.Severity   `json:"severity"`
	SecuritySeverity string          `json:"security-severity"`
	Confidence       scan.Confidence `json:"confidence"`
	Parameter        string          `json:"parameter,omitempty"`
	CWE              int             `json:"cwe,omitempty"`
	OWASP            string          `json:"owasp,omitempty"`
	Evidence         *scan.Evidence  `json:"evidence,omitempty"`
	Tags             []string        `json:"tags,omitempty"`
}

// SARIF writes r as a SARIF 2.1.0 log with one run: one rule per check
// (its title, description, fix, CWE and OWASP tags, and the level and
// security-severity of its most severe finding) and one result per
// finding, located at each affected URL, with Finding.Key as its partial
// fingerprint so dashboards track it across runs.
func SARIF(w io.Writer, r *scan.Report, opts Options) error {
	r = prepare(r, opts)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:    r.Tool,
			Version: r.Version,
			Rules:   []sarifRule{},
		}},
		Results: []sarifResult{},
		Properties: map[string]any{
			"target": r.Target,
			"stats":  r.Stats,
		},
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	if !r.Started.IsZero() {
		inv.StartTimeUTC = r.Started.UTC().Format(time.RFC3339Nano)
	}
	if !r.Finished.IsZero() {
		inv.EndTimeUTC = r.Finished.UTC().Format(time.RFC3339Nano)
	}
	for _, n := range r.Notes {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "note", Message: sarifMessage{Text: n}})
	}
	run.Invocations = []sarifInvocation{inv}
	if u, err := url.Parse(r.Target); err == nil && u.Host != "" {
		run.AutomationDetails = &sarifAutomation{ID: "rampart-scan/" + u.Host + "/"}
	} else if r.Target != "" {
		run.AutomationDetails = &sarifAutomation{ID: "rampart-scan/" + r.Target + "/"}
	}
	if r.TLS != nil {
		run.Properties["tls"] = r.TLS
	}

	// Findings are sorted most severe first, so the first finding of a
	// check is its most severe and sets the rule's level.
	ruleIndex := map[string]int{}
	for _, f := range r.Findings {
		idx, ok := ruleIndex[f.Check]
		if !ok {
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[f.Check] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(f))
		}
		run.Results = append(run.Results, sarifResultFor(f, idx))
	}

	log := sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func sarifRuleFor(f scan.Finding) sarifRule {
	rule := sarifRule{
		ID:                   f.Check,
		Name:                 ruleName(f.Check),
		ShortDescription:     sarifMessage{Text: nonEmpty(f.Title, f.Check)},
		FullDescription:      sarifMessage{Text: nonEmpty(f.Description, f.Title, f.Check)},
		Help:                 sarifMessage{Text: nonEmpty(f.Fix, f.Description, f.Title, f.Check)},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(f.Severity)},
		Properties: sarifRuleProps{
			Tags:             tagsOf(f),
			SecuritySeverity: securitySeverity[f.Severity],
			Precision:        precision(f.Confidence),
		},
	}
	var md strings.Builder
	fmt.Fprintf(&md, "%s\n\n**Fix:** %s", nonEmpty(f.Description, f.Title), nonEmpty(f.Fix, "see the references"))
	for _, ref := range referencesOf(f) {
		fmt.Fprintf(&md, "\n\n- <%s>", ref)
	}
	rule.Help.Markdown = md.String()
	if refs := referencesOf(f); len(refs) > 0 {
		rule.HelpURI = refs[0]
	}
	return rule
}

func sarifResultFor(f scan.Finding, ruleIdx int) sarifResult {
	msg := nonEmpty(f.Title, f.Check)
	if f.Parameter != "" {
		msg += " in " + f.Parameter
	}
	if len(f.URLs) > 0 {
		msg += " at " + f.URLs[0]
		if len(f.URLs) > 1 {
			msg += fmt.Sprintf(" and %d more URLs", len(f.URLs)-1)
		}
	}
	if f.Evidence.Detail != "" {
		msg += ": " + f.Evidence.Detail
	}
	res := sarifResult{
		RuleID:              f.Check,
		RuleIndex:           ruleIdx,
		Level:               sarifLevel(f.Severity),
		Message:             sarifMessage{Text: msg},
		Locations:           []sarifLocation{},
		PartialFingerprints: map[string]string{sarifFingerprint: f.Key()},
		Properties: sarifResultProps{
			Severity:         f.Severity,
			SecuritySeverity: securitySeverity[f.Severity],
			Confidence:       f.Confidence,
			Parameter:        f.Parameter,
			CWE:              f.CWE,
			OWASP:            f.OWASP,
			Tags:             tagsOf(f),
		},
	}
	if f.Evidence != (scan.Evidence{}) {
		ev := f.Evidence
		res.Properties.Evidence = &ev
	}
	for _, u := range f.URLs {
		res.Locations = append(res.Locations, sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: u}}})
	}
	return res
}

// tagsOf is what SARIF viewers filter on: "security", the CWE in two
// spellings (plain, and CodeQL's that GitHub links) and the OWASP
// category.
func tagsOf(f scan.Finding) []string {
	tags := []string{"security"}
	if f.CWE != 0 {
		tags = append(tags, fmt.Sprintf("CWE-%d", f.CWE), fmt.Sprintf("external/cwe/cwe-%d", f.CWE))
	}
	if f.OWASP != "" {
		tags = append(tags, "OWASP-"+owaspID(f.OWASP), f.OWASP)
	}
	return tags
}

// referencesOf is the finding's references, then its CWE and OWASP pages
// when they are not among them.
func referencesOf(f scan.Finding) []string {
	refs := append([]string(nil), f.References...)
	add := func(u string) {
		for _, r := range refs {
			if r == u {
				return
			}
		}
		refs = append(refs, u)
	}
	if f.CWE != 0 {
		add(cweURL(f.CWE))
	}
	if u := owaspURL(f.OWASP); u != "" {
		add(u)
	}
	return refs
}

// precision is SARIF's (and CodeQL's) name for confidence.
func precision(c scan.Confidence) string {
	switch c {
	case scan.ConfidenceConfirmed:
		return "very-high"
	case scan.ConfidenceFirm:
		return "high"
	}
	return "medium"
}

// ruleName turns "headers.hsts" into "HeadersHsts", SARIF's style for
// rule names.
func ruleName(check string) string {
	var b strings.Builder
	up := true
	for _, r := range check {
		switch {
		case r == '.' || r == '-' || r == '_':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func nonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
