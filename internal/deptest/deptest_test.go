package deptest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "rampart"

// stages never import each other.
var stages = []string{
	"internal/clientip", "internal/requestid", "internal/limits", "internal/harden",
	"internal/waf", "internal/ratelimit", "internal/decision", "internal/identity", "internal/apischema",
}

// drivers may be imported by cmd only.
var drivers = []string{"internal/store/sqlite", "internal/store/postgres"}

// leaves import nothing of rampart's beyond what is listed.
var leaves = map[string][]string{
	"internal/request": nil,
	"internal/events":  {"internal/request"},
	"internal/store":   {"internal/events", "internal/request"},
}

// imports returns, for every package directory under root, the rampart
// packages its non-test files import.
func imports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		if _, ok := out[rel]; !ok {
			out[rel] = nil
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, module+"/") {
				out[rel] = append(out[rel], strings.TrimPrefix(p, module+"/"))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// closure returns every rampart package pkg depends on, directly or not.
func closure(deps map[string][]string, pkg string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, d := range deps[p] {
			if !seen[d] {
				seen[d] = true
				walk(d)
			}
		}
	}
	walk(pkg)
	var out []string
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

func within(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

func TestImportDirection(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	deps := imports(t, root)
	if len(deps) < 10 {
		t.Fatalf("found only %d packages; is the walk broken?", len(deps))
	}
	for pkg := range deps {
		all := closure(deps, pkg)
		for _, d := range all {
			for _, drv := range drivers {
				if within(d, drv) && !within(pkg, "cmd") && !within(pkg, drv) && pkg != "internal/store/storetest" {
					t.Errorf("%s imports store driver %s; only cmd picks a driver", pkg, d)
				}
			}
			if within(d, "cmd") {
				t.Errorf("%s imports %s; nothing imports cmd", pkg, d)
			}
			if within(d, "internal/gateway") && !within(pkg, "cmd") && !within(pkg, "internal/gateway") {
				t.Errorf("%s imports the gateway; only cmd does", pkg)
			}
		}
		for _, s := range stages {
			if !within(pkg, s) {
				continue
			}
			for _, d := range all {
				for _, other := range stages {
					if within(d, other) && !within(d, s) {
						t.Errorf("stage %s imports stage %s; stages never import each other", pkg, d)
					}
				}
			}
		}
		if within(pkg, "internal/scan") {
			for _, d := range all {
				for _, s := range stages {
					if within(d, s) {
						t.Errorf("the scanner %s imports stage %s", pkg, d)
					}
				}
			}
		}
		if allowed, ok := leaves[pkg]; ok {
			for _, d := range all {
				okDep := false
				for _, a := range allowed {
					if d == a {
						okDep = true
					}
				}
				if !okDep {
					t.Errorf("%s imports %s; it may import only %v", pkg, d, allowed)
				}
			}
		}
	}
}
