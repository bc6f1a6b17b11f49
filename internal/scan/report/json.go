package report

import (
	"encoding/json"
	"io"

	"rampart/internal/scan"
)

// JSON writes r as indented JSON with the field names of scan.Report's
// tags, which are stable: tools may read them. Findings and URLs are
// arrays, never null.
func JSON(w io.Writer, r *scan.Report, opts Options) error {
	r = prepare(r, opts)
	for i := range r.Findings {
		if r.Findings[i].URLs == nil {
			r.Findings[i].URLs = []string{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
