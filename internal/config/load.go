package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

const (
	// MaxFileSize bounds a config file. Real configs are a few KiB; the
	// bound keeps a wrong path (a log file, a disk image) from being read
	// whole.
	MaxFileSize = 4 << 20
	// maxNodes bounds the YAML node tree, and with aliases refused, the
	// work of decoding it.
	maxNodes = 100_000
)

// Load reads the config file at path and returns it parsed, with defaults
// applied, secrets substituted and validated. Problems in the file are
// returned together as *Error values joined with errors.Join.
func Load(path string) (*Config, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names the config file
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse parses data as the config file at path: path names the file in
// errors and relative ${file:…}, tls and ca_file paths resolve against its
// directory. An empty document yields the defaults, which lack the one
// route every config needs, so it fails validation with that single error.
// Any error Parse returns is a join of *Error values.
func Parse(path string, data []byte) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, errors.Join(&Error{File: path,
			Msg: fmt.Sprintf("the file is %d bytes; a config may be at most %d MiB", len(data), MaxFileSize>>20)})
	}
	root, err := parseYAML(path, data)
	if err != nil {
		return nil, errors.Join(err)
	}
	d := &decoder{
		file:    path,
		dir:     filepath.Dir(path),
		lines:   map[string]int{},
		refs:    map[string]string{},
		secrets: map[string]bool{},
		subst:   map[*yaml.Node]string{},
		bad:     map[string]bool{},
	}
	c := Default()
	c.Path = path
	if root != nil {
		if !d.checkTree(root) {
			return nil, errors.Join(d.errs...)
		}
		d.substitute(root, "")
		d.decodeConfig(root, c)
	}
	c.lines, c.refs, c.Secrets, c.files = d.lines, d.refs, d.secrets, d.files
	normalize(c)
	errs := d.errs
	for _, e := range validate(c) {
		if !d.related(e.Key) {
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 {
		return c, nil
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		return cmp.Compare(lineOrder(errLine(a)), lineOrder(errLine(b)))
	})
	return nil, errors.Join(errs...)
}

// parseYAML returns the document's root node, or nil for an empty
// document.
func parseYAML(path string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 has panicked on hostile input before; a config file is
		// not worth a crash.
		if r := recover(); r != nil {
			root, err = nil, &Error{File: path, Msg: "the YAML parser failed on this file; check its syntax"}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(path, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, yamlError(path, err)
	default:
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		return nil, &Error{File: path, Line: line, Msg: "a second YAML document starts here; a config is one document, so remove the extra ---"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	n := doc.Content[0]
	if isNull(n) {
		return nil, nil
	}
	return n, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(path string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: path, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: path, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// checkTree refuses aliases (and with them "billion laughs" documents and
// merge keys) and trees over maxNodes nodes.
func (d *decoder) checkTree(root *yaml.Node) bool {
	count := 0
	ok := true
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		count++
		if count > maxNodes {
			d.errs = append(d.errs, &Error{File: d.file, Line: n.Line,
				Msg: fmt.Sprintf("the document has more than %d YAML nodes; a config needs far fewer", maxNodes)})
			return false
		}
		if n.Kind == yaml.AliasNode {
			d.errs = append(d.errs, &Error{File: d.file, Line: n.Line,
				Msg: fmt.Sprintf("YAML aliases (*%s) are not supported; write the values out (routes inherit the global blocks anyway)", n.Value)})
			ok = false
			return true
		}
		for _, c := range n.Content {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	return walk(root) && ok
}

func errLine(err error) int {
	if e, ok := err.(*Error); ok {
		return e.Line
	}
	return 0
}
