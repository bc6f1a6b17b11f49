package waf

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"rampart/internal/waf/detect"
)

// Exclusion turns off findings of a rule or class, optionally at one
// location. See config.WAFExclusion.
type Exclusion struct {
	Rule     string // rule ID or prefix ending in "*"
	Class    string // attack class
	Location string // location or prefix ending in "*"; empty = anywhere
}

// Rule is a custom rule (a virtual patch). See config.WAFRule.
type Rule struct {
	ID       string
	Target   string // location, prefix ending in "*", or "any"
	Operator string // contains, equals, prefix, suffix, regex
	Value    string
	Action   string // block (default) or log
}

// pattern matches a string exactly, or as a prefix when it ended in "*";
// the empty pattern matches everything.
type pattern struct {
	s      string
	prefix bool
}

func newPattern(s string) pattern {
	if s == "" || s == "*" || s == "any" {
		return pattern{prefix: true}
	}
	if p, ok := strings.CutSuffix(s, "*"); ok {
		return pattern{s: p, prefix: true}
	}
	return pattern{s: s}
}

func (p pattern) match(s string) bool {
	if p.prefix {
		return strings.HasPrefix(s, p.s)
	}
	return s == p.s
}

// matchLoc matches a location. Header locations compare without regard to
// case, as header names do.
func (p pattern) matchLoc(loc string) bool {
	if strings.HasPrefix(p.s, "header:") && strings.HasPrefix(loc, "header:") {
		if p.prefix {
			return len(loc) >= len(p.s) && strings.EqualFold(loc[:len(p.s)], p.s)
		}
		return strings.EqualFold(loc, p.s)
	}
	return p.match(loc)
}

type exclusion struct {
	rule  pattern
	class detect.Class
	loc   pattern
}

func compileExclusion(x Exclusion) (exclusion, error) {
	if x.Rule == "" && x.Class == "" {
		return exclusion{}, errors.New("names neither a rule nor a class")
	}
	c := exclusion{class: detect.Class(x.Class), loc: newPattern(x.Location)}
	if x.Rule != "" {
		c.rule = newPattern(x.Rule)
	} else {
		c.rule = pattern{prefix: true}
	}
	return c, nil
}

func (x *exclusion) match(m detect.Match, loc string) bool {
	if x.class != "" && m.Class != x.class {
		return false
	}
	return x.rule.match(m.Rule) && x.loc.matchLoc(loc)
}

type rule struct {
	id     string
	target pattern
	op     string
	value  string // lower case for the text operators
	re     *regexp.Regexp
	score  int
}

// maxRuleValue bounds a custom rule's value; the config validator says so
// with file:line.
const maxRuleValue = 4096

func compileRule(r Rule, threshold int) (rule, error) {
	if r.ID == "" {
		return rule{}, errors.New("has no id")
	}
	if r.Value == "" || len(r.Value) > maxRuleValue {
		return rule{}, fmt.Errorf("value must be 1-%d bytes", maxRuleValue)
	}
	c := rule{id: r.ID, target: newPattern(r.Target), op: r.Operator, value: strings.ToLower(r.Value), score: threshold}
	switch r.Action {
	case "", "block":
	case "log":
		c.score = 0
	default:
		return rule{}, fmt.Errorf("action %q is not block or log", r.Action)
	}
	switch r.Operator {
	case "contains", "equals", "prefix", "suffix":
	case "regex":
		re, err := regexp.Compile(r.Value)
		if err != nil {
			return rule{}, fmt.Errorf("compile regex: %w", err)
		}
		c.re = re
	default:
		return rule{}, fmt.Errorf("operator %q is not contains, equals, prefix, suffix or regex", r.Operator)
	}
	return c, nil
}

// match reports whether the rule's operator matches s, and where.
func (r *rule) match(s string) (off, n int, ok bool) {
	if r.re != nil {
		loc := r.re.FindStringIndex(s)
		if loc == nil {
			return 0, 0, false
		}
		return loc[0], loc[1] - loc[0], true
	}
	switch r.op {
	case "equals":
		return 0, len(s), strings.EqualFold(s, r.value)
	case "prefix":
		return 0, len(r.value), len(s) >= len(r.value) && strings.EqualFold(s[:len(r.value)], r.value)
	case "suffix":
		return len(s) - len(r.value), len(r.value), len(s) >= len(r.value) && strings.EqualFold(s[len(s)-len(r.value):], r.value)
	}
	i := indexFold(s, r.value)
	return i, len(r.value), i >= 0
}

// indexFold is strings.Index ignoring ASCII case; needle is lower case.
func indexFold(s, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				break
			}
		}
		if j == n {
			return i
		}
	}
	return -1
}
