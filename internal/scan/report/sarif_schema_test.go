package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"rampart/internal/scan"
)

// sarifSchemaFile is the official SARIF 2.1.0 schema, vendored from npm
// (testdata/README.md says from where).
var sarifSchemaFile = filepath.Join("testdata", "sarif-2.1.0-rtm.5.json")

func compileSARIFSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		tb.Fatalf("read %s: %v", sarifSchemaFile, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // "uri" and "date-time" are checked too
	const loc = "sarif-2.1.0-rtm.5.json"
	if err := c.AddResource(loc, doc); err != nil {
		tb.Fatal(err)
	}
	sch, err := c.Compile(loc)
	if err != nil {
		tb.Fatalf("compile %s: %v", sarifSchemaFile, err)
	}
	return sch
}

// TestSARIFSchema validates the SARIF writer's output against the SARIF
// 2.1.0 JSON schema: a full report, an empty one, and a TLS-only audit.
func TestSARIFSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	tlsOnly := &scan.Report{Target: "shop.example:443", Tool: "rampart", Version: "dev", TLS: sampleReport().TLS,
		Findings: []scan.Finding{{Check: "tls.protocol", Title: "TLS 1.0 offered", Severity: scan.SeverityMedium,
			CWE: 327, OWASP: scan.OWASPCryptographicFailures, URLs: []string{"https://shop.example:443/"}}}}
	tests := []struct {
		name string
		r    *scan.Report
	}{
		{"full", sampleReport()},
		{"empty", &scan.Report{Target: "http://127.0.0.1:8080/"}},
		{"tls only", tlsOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := SARIF(&b, tt.r, sampleOptions()); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(&b)
			if err != nil {
				t.Fatalf("SARIF output is not JSON: %v", err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("SARIF output does not validate against %s:\n%v", sarifSchemaFile, err)
			}
		})
	}
}

// TestSARIFSchemaRejects proves the schema check has teeth: a log with a
// level SARIF does not know fails it.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := compileSARIFSchema(t)
	bad := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(bad)))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err == nil {
		t.Errorf("schema accepted a result with level \"fatal\"")
	}
}
