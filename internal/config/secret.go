package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxSecretFileSize bounds a ${file:…} secret: keys and passwords are
// small, and the bound keeps a wrong path from being read whole.
const maxSecretFileSize = 1 << 20

// substitute replaces ${env:NAME} and ${file:PATH} references in the scalar
// values under n (never in keys) and remembers which nodes held one.
// Substitution runs on parsed nodes, so a secret's content can never add
// YAML structure.
func (d *decoder) substitute(n *yaml.Node, key string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.substitute(n.Content[i+1], joinKey(key, n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.substitute(c, fmt.Sprintf("%s[%d]", key, i))
		}
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return
		}
		out, used, msg := d.expand(n.Value)
		if msg != "" {
			d.fail(n.Line, key, "%s", msg)
			return
		}
		if used {
			d.subst[n] = n.Value
		}
		n.Value = out
	}
}

// expand substitutes the references in s. It returns the new value,
// whether any reference was substituted, and a message naming the first
// problem (never a secret value).
func (d *decoder) expand(s string) (string, bool, string) {
	var b strings.Builder
	used := false
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), used, ""
		}
		if i > 0 && s[i-1] == '$' { // "$${" is a literal "${"
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", false, fmt.Sprintf("%q is not closed with }; write ${env:NAME} or ${file:PATH}, or $${ for a literal ${", clip(s[i:]))
		}
		ref := s[i : i+end+1]
		kind, arg, _ := strings.Cut(ref[2:len(ref)-1], ":")
		switch kind {
		case "env":
			if !validEnvName(arg) {
				return "", false, fmt.Sprintf("%q does not name an environment variable; use letters, digits and _ (e.g. ${env:PGPASSWORD})", clip(ref))
			}
			v, ok := os.LookupEnv(arg)
			if !ok {
				return "", false, fmt.Sprintf("environment variable %s is not set (referenced as %s)", arg, ref)
			}
			b.WriteString(v)
		case "file":
			if arg == "" {
				return "", false, "${file:} names no file; write ${file:PATH}"
			}
			p := arg
			if !filepath.IsAbs(p) {
				p = filepath.Join(d.dir, p)
			}
			v, msg := readSecretFile(p)
			if msg != "" {
				return "", false, fmt.Sprintf("secret file %q %s", p, msg)
			}
			d.files = append(d.files, p)
			b.WriteString(v)
		default:
			return "", false, fmt.Sprintf("%q is not a secret reference; write ${env:NAME} or ${file:PATH}, or $${ for a literal ${", clip(ref))
		}
		used = true
		s = s[i+end+1:]
	}
}

// readSecretFile returns the content of the file at p with one trailing
// newline trimmed, or a message saying why it cannot.
func readSecretFile(p string) (string, string) {
	fi, err := os.Stat(p)
	if err != nil {
		return "", fileProblem(err)
	}
	if !fi.Mode().IsRegular() { // a FIFO or device could block or never end
		return "", "is not a regular file"
	}
	if fi.Size() > maxSecretFileSize {
		return "", fmt.Sprintf("is larger than %d KiB; a secret file holds one value", maxSecretFileSize>>10)
	}
	f, err := os.Open(p) // #nosec G304 -- ${file:PATH} is named by the operator's config
	if err != nil {
		return "", fileProblem(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFileSize+1))
	if err != nil {
		return "", fileProblem(err)
	}
	if len(data) > maxSecretFileSize {
		return "", fmt.Sprintf("is larger than %d KiB; a secret file holds one value", maxSecretFileSize>>10)
	}
	s := string(data)
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		s = strings.TrimSuffix(t, "\r")
	}
	return s, ""
}

// fileProblem describes why a file could not be read, without the path
// (callers name it) and without any content.
func fileProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "cannot be read: permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "cannot be read: " + pe.Err.Error()
	}
	return "cannot be read"
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// clip shortens s for a message.
func clip(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
