package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder decodes a yaml.Node tree onto a Config strictly: unknown and
// repeated keys and values of the wrong type are errors, and it goes on
// after each to report them all. Keys the tree lacks keep the values
// already in the Config (the defaults, or for a route the global blocks).
type decoder struct {
	file string
	dir  string
	errs []error

	lines   map[string]int        // dotted key → line
	refs    map[string]string     // secret-derived key → ${…} text
	secrets map[string]bool       // secret-derived keys
	subst   map[*yaml.Node]string // substituted node → its text before
	bad     map[string]bool       // keys whose decoding failed
	files   []string              // ${file:…} files read
	routes  *yaml.Node            // routes node, decoded after the rest
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	routesType   = reflect.TypeFor[[]Route]()
)

// errorf reports a problem that does not change what is decoded (an
// unknown or repeated key).
func (d *decoder) errorf(line int, key, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// fail reports a value that could not be decoded; validation then keeps
// quiet about key, which holds a default or garbage.
func (d *decoder) fail(line int, key, format string, args ...any) {
	d.bad[key] = true
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// related reports whether a validation error at key should be dropped
// because decoding key, a key above it or one below it already failed.
func (d *decoder) related(key string) bool {
	for b := range d.bad {
		if within(key, b) || within(b, key) && key != "" {
			return true
		}
	}
	return false
}

// decodeConfig decodes the root mapping onto c: the global keys first, then
// the routes, which start from the decoded global blocks.
func (d *decoder) decodeConfig(root *yaml.Node, c *Config) {
	d.decode(root, reflect.ValueOf(c).Elem(), "")
	n := d.routes
	if n == nil || isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n.Line, "routes", "expected a list of routes (each item starting with \"- name: …\"), got %s", kindName(n))
		return
	}
	global := make([]string, 0, len(d.secrets))
	for k := range d.secrets {
		global = append(global, k)
	}
	for i, item := range n.Content {
		key := fmt.Sprintf("routes[%d]", i)
		d.lines[key] = item.Line
		r := c.NewRoute("")
		r.Line = item.Line
		if item.Kind != yaml.MappingNode {
			d.fail(item.Line, key, "expected a route (a mapping with keys %s), got %s", fieldList(reflect.TypeFor[Route]()), kindName(item))
		} else {
			d.decodeFields(item, reflect.ValueOf(&r).Elem(), key)
			d.inheritSecrets(key, global)
		}
		c.Routes = append(c.Routes, r)
	}
}

// inheritSecrets marks the route's copies of secret-derived global block
// values as secret-derived too, unless the route set them itself.
func (d *decoder) inheritSecrets(route string, global []string) {
	for _, k := range global {
		if !strings.HasPrefix(k, "limits.") && !strings.HasPrefix(k, "headers.") &&
			!strings.HasPrefix(k, "upstream.") && !strings.HasPrefix(k, "waf.") {
			continue
		}
		rk := route + "." + k
		set := false
		for p := rk; ; p = parentKey(p) {
			if _, ok := d.lines[p]; ok {
				set = true
				break
			}
			if !strings.HasSuffix(p, "]") { // only a list is replaced whole
				break
			}
		}
		if !set {
			d.secrets[rk] = true
			d.refs[rk] = d.refs[k]
		}
	}
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, key string) {
	if orig, ok := d.subst[n]; ok {
		d.secrets[key] = true
		d.refs[key] = secretRefs(orig)
	}
	t := v.Type()
	switch {
	case t == routesType:
		d.routes = n
		return
	case t == durationType:
		s, ok := d.scalar(n, key, "a duration such as 30s or 2m")
		if !ok {
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			if _, ierr := strconv.ParseInt(s, 10, 64); ierr == nil && d.subst[n] == "" {
				d.fail(n.Line, key, "%s has no unit; write a duration such as %ss or %sms", d.show(n, key), s, s)
			} else {
				d.fail(n.Line, key, "%s is not a duration; write a number with a unit, such as 30s, 2m or 1h30m", d.show(n, key))
			}
			return
		}
		v.SetInt(int64(dur))
		return
	}
	switch t.Kind() {
	case reflect.String:
		if isNull(n) {
			v.SetString("")
			return
		}
		if s, ok := d.scalar(n, key, "a string"); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		s, ok := d.scalar(n, key, "true or false")
		if !ok {
			return
		}
		switch s {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			d.fail(n.Line, key, "%s is not a boolean; write true or false", d.show(n, key))
		}
	case reflect.Int, reflect.Int64:
		bits := t.Bits()
		if strings.HasSuffix(key, "_bytes") {
			s, ok := d.scalar(n, key, "a size such as 1048576 or 1MiB")
			if !ok {
				return
			}
			size, msg := parseSize(s, bits)
			if msg != "" {
				d.fail(n.Line, key, "%s %s", d.show(n, key), msg)
				return
			}
			v.SetInt(size)
			return
		}
		s, ok := d.scalar(n, key, "an integer")
		if !ok {
			return
		}
		i, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			d.fail(n.Line, key, "%s is not an integer; write a whole number such as 100", d.show(n, key))
			return
		}
		v.SetInt(i)
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		before := len(d.errs)
		d.decode(n, p.Elem(), key)
		if len(d.errs) == before {
			v.Set(p) // a new value, never written through: routes copy pointers
		}
	case reflect.Slice:
		if isNull(n) {
			v.Set(reflect.Zero(t))
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n.Line, key, "expected a list (one \"- item\" per line, or [a, b]), got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			k := fmt.Sprintf("%s[%d]", key, i)
			d.lines[k] = c.Line
			d.decode(c, s.Index(i), k)
		}
		v.Set(s)
	case reflect.Struct:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.fail(n.Line, key, "expected a mapping with keys %s, got %s", fieldList(t), kindName(n))
			return
		}
		d.decodeFields(n, v, key)
	default:
		d.fail(n.Line, key, "cannot be decoded (internal error: unsupported type %s)", t)
	}
}

// decodeFields decodes the keys of mapping n onto the fields of struct v.
func (d *decoder) decodeFields(n *yaml.Node, v reflect.Value, key string) {
	fields := structFields(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			d.errorf(kn.Line, key, "a key must be a plain name, not %s", kindName(kn))
			continue
		}
		name := kn.Value
		child := joinKey(key, name)
		if first, dup := seen[name]; dup {
			d.errorf(kn.Line, child, "is set twice (first at line %d); keep one", first)
			continue
		}
		seen[name] = kn.Line
		idx := slices.IndexFunc(fields, func(f field) bool { return f.name == name })
		if idx < 0 {
			d.errorf(kn.Line, child, "%s", unknownKey(name, fields))
			continue
		}
		d.lines[child] = kn.Line
		d.decode(vn, v.Field(fields[idx].index), child)
	}
}

func unknownKey(name string, fields []field) string {
	// A suggestion is at most 2 edits away, and fewer than half the
	// name's length, so "foo" does not become "log".
	best, dist := "", 3
	for _, f := range fields {
		if dd := editDistance(strings.ToLower(name), f.name); dd < dist && 2*dd < len(name) {
			best, dist = f.name, dd
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key %q; did you mean %q?", clip(name), best)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return fmt.Sprintf("unknown key %q; valid keys here are %s", clip(name), strings.Join(names, ", "))
}

// scalar returns n's value, or reports that n is not a scalar of the wanted
// kind.
func (d *decoder) scalar(n *yaml.Node, key, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n.Line, key, "expected %s, got %s", want, kindName(n))
		return "", false
	}
	if isNull(n) {
		d.fail(n.Line, key, "has no value; write %s", want)
		return "", false
	}
	return n.Value, true
}

// show quotes n's value for a message, or names the reference it was
// substituted from.
func (d *decoder) show(n *yaml.Node, key string) string {
	if orig, ok := d.subst[n]; ok {
		return "the value of " + secretRefs(orig)
	}
	return fmt.Sprintf("%q", clip(n.Value))
}

// secretRefs lists the ${…} references in orig, the text a value was
// written as; the text between them may be dropped, it is never secret but
// also not needed to find the value.
func secretRefs(orig string) string {
	var refs []string
	for s := orig; ; {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			break
		}
		if i == 0 || s[i-1] != '$' {
			refs = append(refs, s[i:i+end+1])
		}
		s = s[i+end+1:]
	}
	return strings.Join(refs, " and ")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return "a single value"
	}
	return "an alias"
}

type field struct {
	name  string
	index int
}

// structFields lists the yaml keys of t's exported, tagged fields.
func structFields(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		fs = append(fs, field{name, i})
	}
	return fs
}

func fieldList(t reflect.Type) string {
	var names []string
	for _, f := range structFields(t) {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

var sizeUnits = map[string]int64{
	"b":   1,
	"kb":  1000,
	"mb":  1000 * 1000,
	"gb":  1000 * 1000 * 1000,
	"kib": 1 << 10,
	"mib": 1 << 20,
	"gib": 1 << 30,
}

// parseSize parses a byte count: a plain integer or an integer with a unit
// (B, KB, MB, GB in powers of 1000; KiB, MiB, GiB in powers of 1024). It
// returns a message on failure.
func parseSize(s string, bits int) (int64, string) {
	const advice = "is not a size; write bytes as an integer or with a unit, such as 10MiB, 512KiB or 1MB"
	num := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ")
	unit := strings.ToLower(strings.TrimSpace(s[len(num):]))
	num = strings.TrimSpace(num)
	mult := int64(1)
	if unit != "" {
		m, ok := sizeUnits[unit]
		if !ok {
			return 0, advice
		}
		mult = m
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, advice
	}
	limit := int64(math.MaxInt64)
	if bits == 32 {
		limit = math.MaxInt32
	}
	if n > limit/mult || n < -limit/mult {
		return 0, "is too large"
	}
	return n * mult, ""
}
