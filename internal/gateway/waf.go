package gateway

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"rampart/internal/config"
	"rampart/internal/waf"
	"rampart/internal/waf/crs"
)

// wafBuilder builds the WAF stage of each route. CRS engines are costly to
// compile (hundreds of rules), so routes with the same CRS settings share
// one.
type wafBuilder struct {
	g   *Gateway
	crs map[string]*crs.Engine
}

// stage returns the route's WAF stage, or nil when inspection is off.
func (b *wafBuilder) stage(rc *config.Route) (*waf.Stage, error) {
	w := rc.WAF
	if w.Mode == "off" || w.Mode == "" {
		return nil, nil
	}
	var insp waf.Inspector
	switch w.Engine {
	case "crs":
		var inc strings.Builder
		for _, f := range w.CRSInclude {
			data, err := os.ReadFile(f) // #nosec G304 -- path from the operator's config
			if err != nil {
				return nil, fmt.Errorf("route %s: read waf.crs_include: %w", rc.Name, err)
			}
			inc.Write(data)
			inc.WriteString("\n")
		}
		key := strconv.Itoa(w.Paranoia) + "/" + strconv.Itoa(w.Threshold) + "/" + strconv.FormatInt(w.InspectBodyBytes, 10) + "/" + inc.String()
		e := b.crs[key]
		if e == nil {
			var err error
			e, err = crs.New(crs.Config{Paranoia: w.Paranoia, Threshold: w.Threshold, Rules: inc.String(), BodyLimit: w.InspectBodyBytes}, b.g.log)
			if err != nil {
				return nil, fmt.Errorf("route %s: build the CRS engine: %w", rc.Name, err)
			}
			if b.crs == nil {
				b.crs = map[string]*crs.Engine{}
			}
			b.crs[key] = e
		}
		insp = e
	default:
		cfg := waf.Config{
			Paranoia: w.Paranoia, Threshold: w.Threshold, InspectBodyBytes: w.InspectBodyBytes,
			Headers: w.Headers, FileTypes: w.FileTypes,
		}
		for _, x := range w.Exclusions {
			cfg.Exclusions = append(cfg.Exclusions, waf.Exclusion{Rule: x.Rule, Class: x.Class, Location: x.Location})
		}
		for _, r := range w.Rules {
			cfg.Rules = append(cfg.Rules, waf.Rule{ID: r.ID, Target: r.Target, Operator: r.Operator, Value: r.Value, Action: r.Action})
		}
		e, err := waf.New(cfg, b.g.log)
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", rc.Name, err)
		}
		insp = e
	}
	return waf.NewStage(waf.StageConfig{
		Mode: waf.Mode(w.Mode), Inspector: insp, Engine: w.Engine,
		InspectBodyBytes: w.InspectBodyBytes, RefuseOversize: w.OversizeBody == "refuse",
	}, b.g.bus, b.g.log), nil
}
