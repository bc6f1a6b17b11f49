package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"rampart/internal/scan"
)

// BaselineEntry is one accepted finding. Only Key matters for matching
// (Finding.Key: the check, the parameter and the host or path); Check and
// URL are there for the person who reads the file, and Reason for why the
// finding was accepted.
type BaselineEntry struct {
	Key    string `json:"key"`
	Check  string `json:"check,omitempty"`
	URL    string `json:"url,omitempty"`
	Reason string `json:"reason"`
}

// Baseline is the findings a team has accepted; a scan with a baseline
// does not report them. Its file is a JSON array of entries.
type Baseline []BaselineEntry

// ReadBaseline reads a baseline file. It rejects entries without a key,
// so a hand-edited file cannot silently suppress nothing.
func ReadBaseline(r io.Reader) (Baseline, error) {
	var b Baseline
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("read baseline: %w (want a JSON array of {\"key\", \"check\", \"url\", \"reason\"})", err)
	}
	var errs []error
	for i, e := range b {
		if e.Key == "" {
			errs = append(errs, fmt.Errorf("baseline entry %d (%s %s): no key; copy it from a report or use --write-baseline", i, e.Check, e.URL))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return b, nil
}

// NewBaseline returns a baseline that accepts every finding in fs,
// keeping the reasons of the entries of old (which may be nil) that are
// still found. Entries of old whose findings are gone are dropped.
func NewBaseline(fs []scan.Finding, old Baseline) Baseline {
	reasons := map[string]string{}
	for _, e := range old {
		reasons[e.Key] = e.Reason
	}
	b := Baseline{}
	seen := map[string]bool{}
	for _, f := range fs {
		k := f.Key()
		if seen[k] {
			continue
		}
		seen[k] = true
		e := BaselineEntry{Key: k, Check: f.Check, Reason: reasons[k]}
		if len(f.URLs) > 0 {
			e.URL = f.URLs[0]
		}
		b = append(b, e)
	}
	return b
}

// Apply returns the findings of fs the baseline does not accept, and
// those it suppresses.
func (b Baseline) Apply(fs []scan.Finding) (kept, suppressed []scan.Finding) {
	keys := make(map[string]bool, len(b))
	for _, e := range b {
		keys[e.Key] = true
	}
	for _, f := range fs {
		if keys[f.Key()] {
			suppressed = append(suppressed, f)
		} else {
			kept = append(kept, f)
		}
	}
	return kept, suppressed
}

// WriteBaseline writes b as indented JSON, with opts.Redact applied to
// its URLs and reasons.
func WriteBaseline(w io.Writer, b Baseline, opts Options) error {
	out := make(Baseline, len(b))
	for i, e := range b {
		if opts.Redact != nil {
			e.Check, e.URL, e.Reason = opts.Redact(e.Check), opts.Redact(e.URL), opts.Redact(e.Reason)
		}
		out[i] = e
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
