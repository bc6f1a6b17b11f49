package scan

import (
	"bufio"
	"bytes"
	"strings"
)

// Bounds on robots.txt (RFC 9309 asks crawlers to read at least 500 KiB).
const (
	maxRobotsBytes    = 512 << 10
	maxRobotsRules    = 4096
	maxRobotsSitemaps = 50
)

// robots is the part of a robots.txt that applies to the scanner: the
// rules of the groups naming its user agent, or else of the "*" groups,
// and the Sitemap lines.
type robots struct {
	rules    []robotsRule
	sitemaps []string
}

type robotsRule struct {
	allow   bool
	pattern string
}

// parseRobots reads a robots.txt for the crawler named agent (the product
// token of its User-Agent, e.g. "rampart-scan"), after RFC 9309: the
// groups whose user-agent is a prefix of agent apply, and only when there
// are none the "*" groups. Input beyond maxRobotsBytes is ignored.
func parseRobots(body []byte, agent string) *robots {
	if len(body) > maxRobotsBytes {
		body = body[:maxRobotsBytes]
	}
	agent = strings.ToLower(agent)
	var own, star []robotsRule
	r := &robots{}
	// The user-agent lines of the current group, and whether a rule line
	// has ended the run of user-agent lines.
	var forOwn, forStar, inRules bool
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxRobotsBytes)
	sc.Split(scanRobotsLines)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if inRules {
				forOwn, forStar, inRules = false, false, false
			}
			ua := strings.ToLower(val)
			if i := strings.IndexAny(ua, "/ "); i >= 0 {
				ua = ua[:i]
			}
			switch {
			case ua == "*":
				forStar = true
			case ua != "" && strings.HasPrefix(agent, ua):
				forOwn = true
			}
		case "allow", "disallow":
			inRules = true
			if val == "" || len(own)+len(star) >= maxRobotsRules {
				// "Disallow:" with no path allows everything.
				continue
			}
			rule := robotsRule{allow: key == "allow", pattern: val}
			if forOwn {
				own = append(own, rule)
			}
			if forStar {
				star = append(star, rule)
			}
		case "sitemap":
			if val != "" && len(r.sitemaps) < maxRobotsSitemaps {
				r.sitemaps = append(r.sitemaps, val)
			}
		default:
			// Crawl-delay, Host and others end no group.
		}
	}
	if own != nil {
		r.rules = own
	} else {
		r.rules = star
	}
	return r
}

// scanRobotsLines splits on \n, \r\n and a lone \r.
func scanRobotsLines(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF && len(data) == 0 {
		return 0, nil, nil
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			return i + 2, data[:i], nil
		}
		if data[i] == '\r' && i+1 == len(data) && !atEOF {
			return 0, nil, nil // maybe \r\n across reads
		}
		return i + 1, data[:i], nil
	}
	if atEOF {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// allowed says the path-and-query p (as in a request line) may be
// crawled: the longest matching rule decides, Allow winning a tie, and
// no match allows. A nil robots allows everything.
func (r *robots) allowed(p string) bool {
	if r == nil {
		return true
	}
	if p == "" {
		p = "/"
	}
	best, allow := -1, true
	for _, rule := range r.rules {
		if !robotsMatch(rule.pattern, p) {
			continue
		}
		n := len(rule.pattern)
		if n > best || (n == best && rule.allow) {
			best, allow = n, rule.allow
		}
	}
	return allow
}

// robotsMatch matches path p against a robots.txt pattern, where "*"
// stands for any run of characters and a final "$" anchors the end.
func robotsMatch(pattern, p string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(p, parts[0]) {
		return false
	}
	rest := p[len(parts[0]):]
	if len(parts) == 1 {
		return !anchored || rest == ""
	}
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	last := parts[len(parts)-1]
	if anchored {
		return strings.HasSuffix(rest, last)
	}
	return strings.Contains(rest, last)
}
