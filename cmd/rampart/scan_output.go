package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"rampart/internal/scan"
	"rampart/internal/scan/report"
)

// scanOutput is one report "rampart scan" writes: a format and where to.
type scanOutput struct {
	format report.Format
	// path is the file to write, "" for standard output.
	path string
}

// reportBaseName is the file name (before the format's extension) of
// reports written to --output-dir.
const reportBaseName = "rampart-scan"

// parseOutputs turns --format (entries FORMAT or FORMAT=FILE, comma
// separated or repeated), --output and --output-dir into the reports to
// write. A FORMAT without FILE goes to --output (only one may), to
// DIR/rampart-scan.EXT with --output-dir, or to standard output (only
// one may). FILE "-" is standard output.
func parseOutputs(formats []string, output, outputDir string) ([]scanOutput, error) {
	if output != "" && outputDir != "" {
		return nil, errors.New("--output and --output-dir: give one; --output names the file of a single format, --output-dir the folder of several")
	}
	if len(formats) == 0 {
		formats = []string{string(report.FormatText)}
	}
	var outs []scanOutput
	var errs []error
	var bare []int // outputs without a file of their own
	for _, entry := range formats {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, path, hasPath := strings.Cut(entry, "=")
		f, err := report.ParseFormat(strings.TrimSpace(name))
		if err != nil {
			errs = append(errs, fmt.Errorf("--format %s: %w", entry, err))
			continue
		}
		path = strings.TrimSpace(path)
		if hasPath && path == "" {
			errs = append(errs, fmt.Errorf("--format %s: no file after '='; write %s=FILE, or %s=- for standard output", entry, f, f))
			continue
		}
		o := scanOutput{format: f}
		switch {
		case path == "-":
		case hasPath:
			o.path = path
		default:
			bare = append(bare, len(outs))
		}
		outs = append(outs, o)
	}
	if len(outs) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("--format: no format given; use one or more of text, json, sarif, html, junit"))
	}
	switch {
	case outputDir != "":
		for _, i := range bare {
			outs[i].path = filepath.Join(outputDir, reportBaseName+outs[i].format.Ext())
		}
	case output != "":
		switch len(bare) {
		case 0:
			errs = append(errs, fmt.Errorf("--output %s: every format already names its file", output))
		case 1:
			if output != "-" {
				outs[bare[0]].path = output
			}
		default:
			errs = append(errs, fmt.Errorf("--output %s: takes one format, and %d have no file; use --output-dir DIR, or FORMAT=FILE for each (--format sarif=scan.sarif,html=scan.html)", output, len(bare)))
		}
	}
	seen := map[string]report.Format{}
	for _, o := range outs {
		key := o.path
		if key == "" {
			key = "standard output"
		} else {
			key = filepath.Clean(key)
		}
		if prev, ok := seen[key]; ok {
			if key == "standard output" {
				errs = append(errs, fmt.Errorf("--format: %s and %s would both go to standard output; give one a file (--format %s=FILE) or use --output-dir DIR", prev, o.format, o.format))
			} else {
				errs = append(errs, fmt.Errorf("--format: %s and %s would both be written to %s", prev, o.format, key))
			}
			continue
		}
		seen[key] = o.format
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return outs, nil
}

// writeOutputs writes r in each output's format: files are written
// whole to a temporary file and renamed, so a CI step never reads half a
// report. It returns the files written.
func writeOutputs(outs []scanOutput, r *scan.Report, opts report.Options, stdout io.Writer) ([]string, error) {
	var written []string
	for _, o := range outs {
		if o.path == "" {
			if err := report.Write(stdout, o.format, r, opts); err != nil {
				return written, fmt.Errorf("write %s report: %w", o.format, err)
			}
			continue
		}
		err := writeFileAtomic(o.path, func(w io.Writer) error { return report.Write(w, o.format, r, opts) })
		if err != nil {
			return written, fmt.Errorf("write %s report: %w", o.format, err)
		}
		written = append(written, o.path)
	}
	return written, nil
}

// writeFileAtomic writes path through a temporary file in its folder
// (created if missing), renamed over path when write succeeds. The file
// is readable by its owner only: a report describes flaws.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename, there is nothing to remove
	if err := write(f); err != nil {
		_ = f.Close() // the write error is the one to report
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
