// Package dataset loads the labeled WAF data sets kept beside the repository
// in ../shared/datasets (GoTestWAF test cases and HttpParamsDataset). It is
// used by detector tests and by the eval program to measure detection and
// false positives; nothing in the gateway imports it.
package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Env names the environment variable that overrides where the data sets are.
const Env = "RAMPART_DATASETS"

// Benign is the Class of samples that are not attacks.
const Benign = "benign"

// Sample is one labeled payload.
type Sample struct {
	// Payload is the value as the data set gives it.
	Payload string
	// Class is the attack class in detect.Class spelling ("sqli", "xss",
	// "cmdi", "path-traversal", ...), or Benign.
	Class string
	// Set names the data set ("httpparams", "gotestwaf").
	Set string
	// Source is the file it came from, relative to the data set's folder
	// ("payload_full.csv", "owasp/sql-injection.yml").
	Source string
	// Type is the data set's own label ("SQL Injection", "sqli", "norm").
	Type string
	// Placeholders and Encoders are GoTestWAF's: where the payload is put
	// in a request and how it is encoded first. Empty for httpparams.
	// A placeholder with settings (RawRequest, GraphQL) is given by name.
	Placeholders []string
	Encoders     []string
	// Raw holds the settings of placeholders that have them, by name
	// (e.g. RawRequest's method, path, headers and body template).
	Raw map[string]map[string]any
}

// Dir finds the data sets: $RAMPART_DATASETS, else ../shared/datasets from
// the repository root (the first parent of the working directory holding
// go.mod). It returns an error when neither exists; tests skip on it.
func Dir() (string, error) {
	if d := os.Getenv(Env); d != "" {
		if _, err := os.Stat(d); err != nil { // #nosec G703 -- the operator names the data set folder; eval and tests only
			return "", fmt.Errorf("%s=%s: %w", Env, d, err)
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find data sets: %w", err)
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			ds := filepath.Join(d, "..", "shared", "datasets")
			if _, err := os.Stat(ds); err != nil {
				return "", fmt.Errorf("no data sets at ../shared/datasets beside the repository (set %s): %w", Env, err)
			}
			return ds, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("no go.mod above the working directory; set " + Env)
		}
		d = parent
	}
}

// HTTPParams reads httpparams/payload_full.csv.
func HTTPParams(dir string) ([]Sample, error) {
	name := filepath.Join(dir, "httpparams", "payload_full.csv")
	f, err := os.Open(name) // #nosec G304 -- inside the data set folder; eval and tests only
	if err != nil {
		return nil, fmt.Errorf("read httpparams: %w", err)
	}
	defer func() { _ = f.Close() }()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	var out []Sample
	for line := 0; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if line == 0 {
			continue // header
		}
		class := rec[2]
		if rec[3] == "norm" {
			class = Benign
		}
		out = append(out, Sample{Payload: rec[0], Class: class, Set: "httpparams", Source: "payload_full.csv", Type: rec[2]})
	}
	return out, nil
}

// gotestwafFile is one GoTestWAF test-case file.
type gotestwafFile struct {
	Payload     []string    `yaml:"payload"`
	Encoder     []string    `yaml:"encoder"`
	Placeholder []yaml.Node `yaml:"placeholder"`
	Type        string      `yaml:"type"`
}

// GoTestWAF reads every gotestwaf/testcases/*/*.yml. Files under false-pos/
// are Benign; the others get a class from their type and file name.
func GoTestWAF(dir string) ([]Sample, error) {
	root := filepath.Join(dir, "gotestwaf", "testcases")
	files, err := filepath.Glob(filepath.Join(root, "*", "*.yml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("read gotestwaf: no test cases under %s", root)
	}
	sort.Strings(files)
	var out []Sample
	for _, name := range files {
		b, err := os.ReadFile(name) // #nosec G304 -- a file the glob found in the data set folder
		if err != nil {
			return nil, fmt.Errorf("read gotestwaf: %w", err)
		}
		var tf gotestwafFile
		if err := yaml.Unmarshal(b, &tf); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		rel, _ := filepath.Rel(root, name)
		rel = filepath.ToSlash(rel)
		class := gotestwafClass(rel, tf.Type)
		var places []string
		raw := map[string]map[string]any{}
		for _, n := range tf.Placeholder {
			switch n.Kind {
			case yaml.ScalarNode:
				places = append(places, n.Value)
			case yaml.MappingNode:
				for i := 0; i+1 < len(n.Content); i += 2 {
					k := n.Content[i].Value
					places = append(places, k)
					m := map[string]any{}
					if err := n.Content[i+1].Decode(&m); err != nil {
						return nil, fmt.Errorf("read %s: placeholder %s: %w", name, k, err)
					}
					raw[k] = m
				}
			}
		}
		for _, p := range tf.Payload {
			out = append(out, Sample{Payload: p, Class: class, Set: "gotestwaf", Source: rel, Type: tf.Type,
				Placeholders: places, Encoders: tf.Encoder, Raw: raw})
		}
	}
	return out, nil
}

// gotestwafClass maps a GoTestWAF file to a class.
func gotestwafClass(rel, typ string) string {
	if strings.HasPrefix(rel, "false-pos/") {
		return Benign
	}
	base := strings.TrimSuffix(filepath.Base(rel), ".yml")
	switch {
	case strings.Contains(base, "nosql"):
		return "nosqli"
	case strings.Contains(base, "sqli") || strings.Contains(base, "sql-injection"):
		return "sqli"
	case strings.Contains(base, "xss"):
		return "xss"
	case strings.Contains(base, "rce") || strings.Contains(base, "shell"):
		return "cmdi"
	case strings.Contains(base, "lfi") || strings.Contains(base, "path-traversal"):
		return "path-traversal"
	case strings.Contains(base, "xxe") || strings.Contains(base, "xml-injection"):
		return "xxe"
	case strings.Contains(base, "sst-injection"):
		return "ssti"
	case strings.Contains(base, "ss-include"):
		return "ssi"
	case strings.Contains(base, "ldap"):
		return "ldapi"
	case strings.Contains(base, "crlf") || strings.Contains(base, "mail-injection"):
		return "crlf" // mail injection is CRLF injection into SMTP/IMAP commands
	case strings.Contains(base, "user-agent"):
		return "scanner"
	}
	// owasp-api/*: graphql, grpc, rest, soap, non-crud are API-shaped
	// attacks of mixed classes; keep their file name as the class.
	return "api-" + base
}
