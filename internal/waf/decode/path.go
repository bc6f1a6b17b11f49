package decode

// Path normalises a path-like value the way a file system or a lenient
// server would: backslashes become '/', runs of slashes collapse, "."
// segments go and ".." removes the segment before it. It reports whether a
// ".." climbed above the start (the root for "/a", the current directory
// for "a"), which is what a traversal attack is after. The result is
// path.Clean's for the path with backslashes made slashes, except that an
// empty p stays empty. Decode p first: Path does not percent-decode.
func Path(p string) (clean string, escapes bool) {
	out, esc := AppendPath(nil, p)
	if len(out) == len(p) && string(out) == p {
		return p, esc
	}
	return string(out), esc
}

// AppendPath appends the normalised p to dst as [Path] does and reports
// whether p climbs above its start. The output is never longer than p,
// except that a relative path that cleans to nothing becomes ".".
func AppendPath(dst []byte, p string) ([]byte, bool) {
	if p == "" {
		return dst, false
	}
	start := len(dst)
	rooted := p[0] == '/' || p[0] == '\\'
	if rooted {
		dst = append(dst, '/')
	}
	base := len(dst) // what ".." never removes
	escapes := false
	for i := 0; i < len(p); {
		for i < len(p) && isSlash(p[i]) {
			i++
		}
		j := i
		for j < len(p) && !isSlash(p[j]) {
			j++
		}
		seg := p[i:j]
		i = j
		switch seg {
		case "", ".":
		case "..":
			switch {
			case len(dst) > base:
				// Remove the last segment, which is not "..".
				k := len(dst) - 1
				for k > base && dst[k] != '/' {
					k--
				}
				dst = dst[:k]
			case rooted:
				escapes = true
			default:
				// Relative and nothing left to remove: keep the ".."
				// and never remove it later.
				escapes = true
				if len(dst) > start {
					dst = append(dst, '/')
				}
				dst = append(dst, ".."...)
				base = len(dst)
			}
		default:
			if len(dst) > start && dst[len(dst)-1] != '/' {
				dst = append(dst, '/')
			}
			dst = append(dst, seg...)
		}
	}
	if len(dst) == start {
		dst = append(dst, '.')
	}
	return dst, escapes
}

func isSlash(c byte) bool { return c == '/' || c == '\\' }
