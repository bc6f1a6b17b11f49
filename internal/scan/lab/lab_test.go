package lab

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"rampart/internal/scan"
)

// rampartConfig is a full active scan of target, tuned for a loopback
// lab: no rate limit to speak of, a 1 s time-based delay (the lab
// answers in well under that), room for the ping tool's 10 s sleeps.
func rampartConfig(target string) scan.Config {
	return scan.Config{
		Target:      target,
		Active:      scan.ActiveFull,
		ActiveDelay: time.Second,
		Rate:        10000,
		Concurrency: 4,
		MaxTime:     10 * time.Minute,
		Timeout:     15 * time.Second,
	}
}

// runRampart scans target and returns the report.
func runRampart(tb testing.TB, ctx context.Context, cfg scan.Config) *scan.Report {
	tb.Helper()
	log := slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := scan.New(cfg, log)
	if err != nil {
		tb.Fatalf("scan.New: %v", err)
	}
	rep, err := s.Run(ctx)
	if err != nil {
		tb.Fatalf("scan: %v", err)
	}
	return rep
}

// minFound is how many of Truth's 13 flaws rampart finds today. Known
// misses: none.
const minFound = 13

// TestRampartOnLab runs a full active rampart scan against the lab and
// scores it against Truth: no false alarm on the fixed twins or
// anywhere else, and at least minFound flaws found.
func TestRampartOnLab(t *testing.T) {
	l := newLab(t)
	srv := httptest.NewServer(l)
	defer srv.Close()

	start := time.Now()
	rep := runRampart(t, context.Background(), rampartConfig(srv.URL+"/"))
	took := time.Since(start)
	sc := scoreClaims(rampartClaims(rep.Findings))
	t.Logf("rampart scan of the lab: %d pages, %d requests, %s\n%s\n%s",
		rep.Stats.Pages, rep.Stats.Requests, round(took), scoreTable(sc), scoreNotes(sc))
	for _, f := range rep.Findings {
		t.Logf("finding %s %s %v", f.Check, f.Parameter, f.URLs)
	}

	if tw := sc.twinAlarms(); len(tw) > 0 {
		t.Errorf("false alarms on fixed twins: %v", tw)
	}
	if len(sc.falseAlarms) > 0 {
		t.Errorf("false alarms: %v", sc.falseAlarms)
	}
	if len(sc.found) < minFound {
		t.Errorf("found %d of %d flaws, want at least %d; missed %v", len(sc.found), len(Truth()), minFound, sc.missed)
	}
}
