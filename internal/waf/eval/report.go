package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"rampart/internal/waf/dataset"
	"rampart/internal/waf/detect"
)

// classOrder is the order of classes in the tables: detect's classes,
// then any other (GoTestWAF's api-* files) by name, benign last.
var classOrder = []string{
	string(detect.SQLi), string(detect.XSS), string(detect.Cmdi), string(detect.Traversal),
	string(detect.RFI), string(detect.SSRF), string(detect.XXE), string(detect.NoSQLi),
	string(detect.SSTI), string(detect.LDAPi), string(detect.CRLF), string(detect.JNDI),
	"ssi", string(detect.Scanner), string(detect.Protocol), string(detect.Custom),
}

func classRank(c string) (int, string) {
	if c == dataset.Benign {
		return len(classOrder) + 1, c
	}
	for i, k := range classOrder {
		if k == c {
			return i, c
		}
	}
	return len(classOrder), c
}

// tally counts one group of samples for one run.
type tally struct {
	Samples int `json:"samples"` // sent (or inspected); skipped ones are not counted
	Flagged int `json:"flagged"` // judged an attack
	Skipped int `json:"skipped,omitempty"`
}

func (t *tally) add(r result) {
	if r.Skipped {
		t.Skipped++
		return
	}
	t.Samples++
	if r.Flagged {
		t.Flagged++
	}
}

func (t tally) pct() float64 {
	if t.Samples == 0 {
		return 0
	}
	return 100 * float64(t.Flagged) / float64(t.Samples)
}

func (t tally) cell() string {
	if t.Samples == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f%%", t.pct())
}

// setStats is one run's numbers on one set.
type setStats struct {
	Classes map[string]*tally
	Groups  map[string]*[2]tally // by sample group (location): attacks, benign
	Attacks tally
	Benign  tally
}

func statsOf(st set, res []result) *setStats {
	s := &setStats{Classes: map[string]*tally{}, Groups: map[string]*[2]tally{}}
	for i, smp := range st.Samples {
		r := res[i]
		t := s.Classes[smp.Class]
		if t == nil {
			t = &tally{}
			s.Classes[smp.Class] = t
		}
		t.add(r)
		w := s.Groups[smp.Group]
		if w == nil {
			w = &[2]tally{}
			s.Groups[smp.Group] = w
		}
		if smp.attack() {
			s.Attacks.add(r)
			w[0].add(r)
		} else {
			s.Benign.add(r)
			w[1].add(r)
		}
	}
	return s
}

// report holds everything printed.
type report struct {
	Paranoia int
	Command  string
	Sets     []set
	Runs     []*engineRun
}

func (rp *report) classes(st set) []string {
	seen := map[string]bool{}
	for _, s := range st.Samples {
		seen[s.Class] = true
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, ci := classRank(out[i])
		rj, cj := classRank(out[j])
		if ri != rj {
			return ri < rj
		}
		return ci < cj
	})
	return out
}

// markdown writes the tables.
func (rp *report) markdown(w io.Writer, misses int) {
	fmt.Fprintf(w, "# WAF evaluation\n\nParanoia %d. `%s`\n\n", rp.Paranoia, rp.Command)
	fmt.Fprintf(w, "Caught %% is the share of attack samples judged an attack; for benign samples the share blocked (false positives).\n")
	stats := make([]map[string]*setStats, len(rp.Runs))
	for i, r := range rp.Runs {
		stats[i] = map[string]*setStats{}
		for _, st := range rp.Sets {
			stats[i][st.Name] = statsOf(st, r.Results[st.Name])
		}
	}
	head := func(first ...string) {
		cols := append([]string{}, first...)
		align := make([]string, len(first))
		for i := range first {
			align[i] = "---"
			if i > 0 {
				align[i] = "---:"
			}
		}
		for _, r := range rp.Runs {
			cols = append(cols, r.label())
			align = append(align, "---:")
		}
		fmt.Fprintf(w, "| %s |\n| %s |\n", strings.Join(cols, " | "), strings.Join(align, " | "))
	}
	for _, st := range rp.Sets {
		fmt.Fprintf(w, "\n## %s\n\n", st.Name)
		head("class", "samples")
		var attacks, benign int
		for _, c := range rp.classes(st) {
			n := 0
			for _, s := range st.Samples {
				if s.Class == c {
					n++
				}
			}
			label := c
			if c == dataset.Benign {
				label = "benign (blocked)"
				benign = n
			} else {
				attacks += n
			}
			row := []string{label, strconv.Itoa(n)}
			for i := range rp.Runs {
				row = append(row, stats[i][st.Name].Classes[c].cell())
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
		total := func(label string, n int, pick func(*setStats) tally) {
			row := []string{"**" + label + "**", strconv.Itoa(n)}
			for i := range rp.Runs {
				row = append(row, "**"+pick(stats[i][st.Name]).cell()+"**")
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
		total("attacks caught", attacks, func(s *setStats) tally { return s.Attacks })
		total("benign blocked", benign, func(s *setStats) tally { return s.Benign })
		var skipped []string
		for i, r := range rp.Runs {
			if n := stats[i][st.Name].Attacks.Skipped + stats[i][st.Name].Benign.Skipped; n > 0 {
				skipped = append(skipped, fmt.Sprintf("%s %d", r.label(), n))
			}
		}
		if len(skipped) > 0 {
			fmt.Fprintf(w, "\nNot counted (no client could send the request, or it failed): %s.\n", strings.Join(skipped, ", "))
		}
		if st.Name == "gotestwaf" || st.Name == "corpus" {
			rp.whereTable(w, st, stats, head)
		}
	}

	fmt.Fprintf(w, "\n## All data sets\n\n")
	head("", "samples")
	var all [2]int
	var sums = make([][2]tally, len(rp.Runs))
	for _, st := range rp.Sets {
		for _, s := range st.Samples {
			if s.attack() {
				all[0]++
			} else {
				all[1]++
			}
		}
		for i := range rp.Runs {
			ss := stats[i][st.Name]
			for k, t := range [2]tally{ss.Attacks, ss.Benign} {
				sums[i][k].Samples += t.Samples
				sums[i][k].Flagged += t.Flagged
			}
		}
	}
	for k, label := range []string{"attacks caught", "benign blocked"} {
		row := []string{"**" + label + "**", strconv.Itoa(all[k])}
		for i := range rp.Runs {
			row = append(row, "**"+sums[i][k].cell()+"**")
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}

	fmt.Fprintf(w, "\n## Throughput\n\nIn-process: one goroutine, time spent in Inspect only. Gateway: wall time through `rampart proxy` on loopback, several requests in flight.\n\n")
	fmt.Fprintf(w, "| engine | mode | data set | requests | seconds | requests/s | µs/request |\n| --- | --- | --- | ---: | ---: | ---: | ---: |\n")
	for i, r := range rp.Runs {
		var n int
		var d time.Duration
		for _, st := range rp.Sets {
			ss := stats[i][st.Name]
			sent := ss.Attacks.Samples + ss.Benign.Samples
			el := r.Elapsed[st.Name]
			n += sent
			d += el
			fmt.Fprintf(w, "| %s | %s | %s | %d | %s |\n", r.Engine, r.Mode, st.Name, sent, rate(sent, el))
		}
		if len(rp.Sets) > 1 {
			fmt.Fprintf(w, "| %s | %s | **all** | %d | %s |\n", r.Engine, r.Mode, n, rate(n, d))
		}
	}
	for _, r := range rp.Runs {
		if r.Mode != "gateway" {
			continue
		}
		codes := make([]int, 0, len(r.Statuses))
		for c := range r.Statuses {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var parts []string
		for _, c := range codes {
			parts = append(parts, fmt.Sprintf("%d: %d", c, r.Statuses[c]))
		}
		fmt.Fprintf(w, "\nGateway responses, %s: %s.\n", r.Engine, strings.Join(parts, ", "))
	}

	if misses > 0 {
		rp.missLists(w, misses)
	}
}

// whereTable breaks a set down by where the payload sits.
func (rp *report) whereTable(w io.Writer, st set, stats []map[string]*setStats, head func(...string)) {
	counts := map[string]*[2]int{}
	for _, s := range st.Samples {
		c := counts[s.Group]
		if c == nil {
			c = &[2]int{}
			counts[s.Group] = c
		}
		if s.attack() {
			c[0]++
		} else {
			c[1]++
		}
	}
	wheres := make([]string, 0, len(counts))
	for k := range counts {
		wheres = append(wheres, k)
	}
	sort.Strings(wheres)
	fmt.Fprintf(w, "\n%s by location: attacks caught / benign blocked\n\n", st.Name)
	head("location", "attacks", "benign")
	for _, k := range wheres {
		row := []string{k, strconv.Itoa(counts[k][0]), strconv.Itoa(counts[k][1])}
		for i := range rp.Runs {
			t := stats[i][st.Name].Groups[k]
			row = append(row, t[0].cell()+" / "+t[1].cell())
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
}

func rate(n int, d time.Duration) string {
	if n == 0 || d <= 0 {
		return fmt.Sprintf("%.1f | – | –", d.Seconds())
	}
	return fmt.Sprintf("%.1f | %.0f | %.1f", d.Seconds(), float64(n)/d.Seconds(), float64(d.Microseconds())/float64(n))
}

// missLists prints, per run, set and class, the first n attacks that
// passed and benign requests that were blocked.
func (rp *report) missLists(w io.Writer, n int) {
	fmt.Fprintf(w, "\n## Misses and false positives (first %d per class)\n", n)
	for _, r := range rp.Runs {
		for _, st := range rp.Sets {
			res := r.Results[st.Name]
			fmt.Fprintf(w, "\n### %s: %s\n", r.label(), st.Name)
			for _, c := range rp.classes(st) {
				var lines []string
				wrong := 0
				for i, s := range st.Samples {
					if s.Class != c || res[i].Skipped || res[i].Flagged == s.attack() {
						continue
					}
					wrong++
					if len(lines) < n {
						line := fmt.Sprintf("- %s (%s): `%s`", s.Where, s.Source, clip(s.Payload, 100))
						if !s.attack() {
							line += " — " + clip(res[i].Why, 200)
						}
						lines = append(lines, line)
					}
				}
				if wrong == 0 {
					continue
				}
				what := "missed"
				if c == dataset.Benign {
					what = "blocked"
				}
				fmt.Fprintf(w, "\n**%s**: %d %s\n\n%s\n", c, wrong, what, strings.Join(lines, "\n"))
			}
		}
	}
}

// clip shortens s to n bytes at a rune boundary and makes it printable on
// one line inside backquotes.
func clip(s string, n int) string {
	cut := len(s) > n
	if cut {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '`':
			return '\''
		case r < 0x20 || r == 0x7f:
			return '·'
		}
		return r
	}, s)
	if cut {
		s += "…"
	}
	return s
}

// JSON output.
type jsonReport struct {
	Paranoia int       `json:"paranoia"`
	Command  string    `json:"command"`
	Runs     []jsonRun `json:"runs"`
}

type jsonRun struct {
	Engine   string        `json:"engine"`
	Mode     string        `json:"mode"`
	Sets     []jsonSet     `json:"sets"`
	Statuses map[int]int   `json:"statuses,omitempty"`
	Elapsed  time.Duration `json:"elapsed_ns"`
}

type jsonSet struct {
	Name              string           `json:"name"`
	Classes           map[string]tally `json:"classes"`
	Attacks           tally            `json:"attacks"`
	Benign            tally            `json:"benign"`
	CaughtPercent     float64          `json:"caught_percent"`
	BlockedPercent    float64          `json:"benign_blocked_percent"`
	RequestsPerSecond float64          `json:"requests_per_second"`
}

func (rp *report) writeJSON(name string) error {
	out := jsonReport{Paranoia: rp.Paranoia, Command: rp.Command}
	for _, r := range rp.Runs {
		jr := jsonRun{Engine: r.Engine, Mode: r.Mode, Statuses: r.Statuses}
		for _, st := range rp.Sets {
			ss := statsOf(st, r.Results[st.Name])
			js := jsonSet{Name: st.Name, Classes: map[string]tally{}, Attacks: ss.Attacks, Benign: ss.Benign,
				CaughtPercent: ss.Attacks.pct(), BlockedPercent: ss.Benign.pct()}
			for c, t := range ss.Classes {
				js.Classes[c] = *t
			}
			if el := r.Elapsed[st.Name]; el > 0 {
				js.RequestsPerSecond = float64(ss.Attacks.Samples+ss.Benign.Samples) / el.Seconds()
			}
			jr.Elapsed += r.Elapsed[st.Name]
			jr.Sets = append(jr.Sets, js)
		}
		out.Runs = append(out.Runs, jr)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("encode json report: %w", err)
	}
	if err := os.WriteFile(name, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}
