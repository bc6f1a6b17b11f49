package lab

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"rampart/internal/scan"
)

// claim is one flaw a scanner reported, reduced to what the score
// compares with Truth: the class (one of Truth's, or another injection
// class such as "nosqli" that the lab does not have), the URL path and
// the parameter ("" for a file). Tool is the scanner's own name for it.
type claim struct {
	Class, Path, Param string
	Tool               string
}

func (c claim) String() string {
	if c.Param == "" {
		return fmt.Sprintf("%s %s (%s)", c.Class, c.Path, c.Tool)
	}
	return fmt.Sprintf("%s %s %s (%s)", c.Class, c.Path, c.Param, c.Tool)
}

// score is how a scanner did against Truth.
type score struct {
	found, missed []Vuln
	// falseAlarms are claims on a fixed twin, or where the lab has no
	// flaw at all (a parameter that is safe, a file that the soft 404
	// answered).
	falseAlarms []claim
	// otherClass are claims at a flawed parameter of another class than
	// its flaw (stored XSS reported as reflected): neither found nor
	// false.
	otherClass []claim
}

// twin says whether path is under the fixed twins.
func twin(path string) bool { return strings.HasPrefix(path, SafePrefix+"/") }

// scoreClaims compares claims with Truth.
func scoreClaims(claims []claim) score {
	truth := Truth()
	hit := make([]bool, len(truth))
	var sc score
	seen := map[claim]bool{}
	for _, c := range claims {
		k := claim{Class: c.Class, Path: c.Path, Param: c.Param}
		if seen[k] {
			continue // one flaw reported by two of the tool's checks
		}
		seen[k] = true
		matched, sameSpot := false, false
		for i, v := range truth {
			if v.Path != c.Path || (v.Class != "exposed-file" && v.Param != c.Param) {
				continue
			}
			sameSpot = true
			if v.Class == c.Class {
				hit[i], matched = true, true
			}
		}
		switch {
		case matched:
		case sameSpot && !twin(c.Path) && c.Class != "exposed-file":
			sc.otherClass = append(sc.otherClass, c)
		default:
			sc.falseAlarms = append(sc.falseAlarms, c)
		}
	}
	for i, v := range truth {
		if hit[i] {
			sc.found = append(sc.found, v)
		} else {
			sc.missed = append(sc.missed, v)
		}
	}
	return sc
}

// twinAlarms are the false alarms on fixed twins.
func (sc score) twinAlarms() []claim {
	var out []claim
	for _, c := range sc.falseAlarms {
		if twin(c.Path) {
			out = append(out, c)
		}
	}
	return out
}

// classes are Truth's classes in table order.
func classes() []string {
	var out []string
	for _, v := range Truth() {
		if !slices.Contains(out, v.Class) {
			out = append(out, v.Class)
		}
	}
	return out
}

// rampartClass maps a rampart finding's check to a class; "" for the
// checks that are not about injection or exposed files (headers,
// cookies, CSRF, information leaks).
func rampartClass(check string) string {
	prefix, _, _ := strings.Cut(check, ".")
	switch {
	case prefix == "sqli":
		return "sqli"
	case check == "xss.stored":
		return "xss-stored"
	case prefix == "xss":
		return "xss"
	case prefix == "cmdi":
		return "cmdi"
	case check == "traversal" || check == "inclusion":
		return "traversal"
	case prefix == "redirect":
		return "redirect"
	case check == "ssti" || check == "crlf" || check == "nosqli":
		return check
	case prefix == "files":
		return "exposed-file"
	case check == "xxe" || check == "xml.entities":
		return "xxe"
	case prefix == "upload":
		return "upload"
	}
	return ""
}

// rampartClaims turns a rampart report into claims: a parameter finding
// at the path of its first URL, a file finding at each of its URLs.
func rampartClaims(fs []scan.Finding) []claim {
	var out []claim
	for _, f := range fs {
		class := rampartClass(f.Check)
		if class == "" || len(f.URLs) == 0 {
			continue
		}
		if class == "exposed-file" {
			for _, raw := range f.URLs {
				if u, err := url.Parse(raw); err == nil {
					out = append(out, claim{Class: class, Path: u.Path, Tool: f.Check})
				}
			}
			continue
		}
		u, err := url.Parse(f.URLs[0])
		if err != nil {
			continue
		}
		_, param, _ := strings.Cut(f.Parameter, ":")
		out = append(out, claim{Class: class, Path: u.Path, Param: param, Tool: f.Check})
	}
	return out
}

// scoreTable is the per-class Markdown table of one scanner's score.
func scoreTable(sc score) string {
	var b strings.Builder
	b.WriteString("| class | flaws | found | missed | false alarms |\n|---|---:|---:|---:|---:|\n")
	for _, cl := range append(classes(), "total") {
		n, f, m, fa := 0, 0, 0, 0
		for _, v := range sc.found {
			if v.Class == cl || cl == "total" {
				n++
				f++
			}
		}
		for _, v := range sc.missed {
			if v.Class == cl || cl == "total" {
				n++
				m++
			}
		}
		for _, c := range sc.falseAlarms {
			if c.Class == cl || cl == "total" {
				fa++
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", cl, n, f, m, fa)
	}
	other := map[string]int{}
	for _, c := range sc.falseAlarms {
		if !slices.Contains(classes(), c.Class) {
			other[c.Class]++
		}
	}
	for _, cl := range slices.Sorted(maps.Keys(other)) {
		fmt.Fprintf(&b, "| %s (not in the lab) | 0 | - | - | %d |\n", cl, other[cl])
	}
	return b.String()
}

// scoreNotes lists the misses, false alarms and other-class claims.
func scoreNotes(sc score) string {
	var b strings.Builder
	for _, v := range sc.missed {
		fmt.Fprintf(&b, "missed: %s %s %s %s\n", v.Class, v.Method, v.Path, v.Param)
	}
	for _, c := range sc.falseAlarms {
		fmt.Fprintf(&b, "false alarm: %s\n", c)
	}
	for _, c := range sc.otherClass {
		fmt.Fprintf(&b, "other class at a flawed parameter: %s\n", c)
	}
	return b.String()
}

// round is d to the tenth of a second, for tables.
func round(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
