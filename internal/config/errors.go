package config

import (
	"fmt"
	"strings"
)

// Error is one problem in a config file. Load and Parse return every Error
// found, joined with errors.Join; callers print each one. Msg never holds a
// value that came from a secret.
type Error struct {
	File string
	Line int    // 1-based; 0 when the problem has no single line
	Key  string // dotted path with indexes: routes[0].upstreams[1]
	Msg  string // what is wrong, and what would be right
}

// Error formats e as "file:line: key: msg", leaving out the parts that
// are unknown.
func (e *Error) Error() string { return position(e.File, e.Line, e.Key) + e.Msg }

// Warning is a valid but dangerous setting reported by Lint.
type Warning struct {
	File string
	Key  string
	Line int // 0 when the setting comes from a default
	Msg  string
}

// String formats w like an Error: "file:line: key: msg".
func (w Warning) String() string { return position(w.File, w.Line, w.Key) + w.Msg }

func position(file string, line int, key string) string {
	var b strings.Builder
	if file != "" {
		b.WriteString(file)
		if line > 0 {
			fmt.Fprintf(&b, ":%d", line)
		}
		b.WriteString(": ")
	} else if line > 0 {
		fmt.Fprintf(&b, "line %d: ", line)
	}
	if key != "" {
		b.WriteString(key)
		b.WriteString(": ")
	}
	return b.String()
}

// parentKey returns the key one level up: "a.b[2]" → "a.b", "a.b" → "a",
// "a" → "".
func parentKey(key string) string {
	if strings.HasSuffix(key, "]") {
		if i := strings.LastIndexByte(key, '['); i >= 0 {
			return key[:i]
		}
	}
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[:i]
	}
	return ""
}

// within reports whether key is prefix or lies below it.
func within(key, prefix string) bool {
	if prefix == "" {
		return true
	}
	return key == prefix || strings.HasPrefix(key, prefix+".") || strings.HasPrefix(key, prefix+"[")
}

func joinKey(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// Line returns the line where key, or the nearest enclosing key, was set
// in the config file, or 0 when none of them was.
func (c *Config) Line(key string) int {
	for k := key; k != ""; k = parentKey(k) {
		if l, ok := c.lines[k]; ok {
			return l
		}
	}
	return 0
}

// show quotes the value set at key for a message, or names the ${…}
// reference it came from when it is secret-derived.
func (c *Config) show(key, value string) string {
	if ref, ok := c.refs[key]; ok {
		return "the value of " + ref
	}
	if c.Secrets[key] {
		return "the secret value"
	}
	return fmt.Sprintf("%q", value)
}

// editDistance returns the optimal string alignment distance between a
// and b: insertions, deletions, substitutions and swaps of neighbours each
// count 1, so "mdoe" is 1 away from "mode".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
